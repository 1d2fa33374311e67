"""Library selectors: scoping per persona, pinyin search, and the bounded product search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liveops.core.access import access_for
from liveops.sourcing.selectors.merchants import merchant_list
from liveops.sourcing.selectors.products import product_list, product_search
from liveops.sourcing.services.products import product_create, sku_save
from tests.factories import make_merchant, make_product
from tests.sourcing import test_library_support as support

pytestmark = pytest.mark.django_db
people, world = support.people, support.world  # shared fixtures


def test_merchant_scoping(people, world):
    def names(user):
        return set(merchant_list(access=access_for(user)).values_list("name", flat=True))

    assert names(people.mr) == {world.mr_merchant.name}
    assert names(people.head) == {world.mr_merchant.name}
    assert names(people.qc) == {world.mr_merchant.name, world.ec_merchant.name}
    assert names(people.auditor) == {world.mr_merchant.name, world.ec_merchant.name}
    assert names(people.ec) == set()
    assert names(people.outsider) == set()


def test_merchant_search_pinyin_and_filters(people, world):
    access = access_for(people.mr)
    for q in ("自然堂", "zrt", "ZRT", "ziran", world.mr_merchant.uscc.lower()):
        assert list(merchant_list(access=access, search=q)) == [world.mr_merchant], q
    assert list(merchant_list(access=access, search="xyz")) == []
    assert list(merchant_list(access=access, kind="factory")) == []
    assert list(merchant_list(access=access, kind="brand_owner", status="prospect")) == [world.mr_merchant]


def test_product_search(people, world):
    access = access_for(people.mr)
    p = product_create(
        actor=people.mr,
        merchant=world.mr_merchant,
        category=world.category,
        title="自然堂雪域精粹面霜",
        merchant_code="ZRT-CREAM",
    )
    sku_save(actor=people.mr, product=p, sku_code="ZRT-CREAM-50", barcode="6901234567892")
    other = make_product(world.ec_merchant, category=world.category, title="自然堂同款面霜")
    for q in ("雪域", "zrt", "zrtxy", "ziran", "6901234567892", "ZRT-CREAM", "ZRT-CREAM-50"):
        assert [x.pk for x in product_list(access=access, q=q)] == [p.pk], q
    assert other.pk in {x.pk for x in product_list(access=access_for(people.qc), q="自然堂")}
    assert list(product_list(access=access_for(people.ec), q="自然堂")) == []


def test_product_search_is_bounded_and_never_counts(people, world):
    m = make_merchant("批量商家")
    for i in range(55):
        make_product(m, category=world.category, title=f"面膜{i}")
    access = access_for(people.qc)
    access.department_ids("sourcing.view")
    with CaptureQueriesContext(connection) as ctx:
        rows, more = product_search(access=access, q="mm")
    assert len(rows) == 50 and more
    assert rows[0].pk > rows[-1].pk
    # One bounded index lookup per search path and one fetch by primary key — never a COUNT of the
    # products (the page says "50+"; counting postings of the n-gram index is not counting products).
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) <= 6
    assert not any("COUNT(" in sql.upper() and 'FROM "sourcing_product"' in sql for sql in sqls)
