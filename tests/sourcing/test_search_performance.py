"""Product search over indexed access paths only (issue: search p95 < 100 ms over 100,000 products):
the title n-gram index (``ProductSearchToken``) kept in sync by the services, the importer and bulk
loads; Chinese substrings, pinyin-initials prefixes, exact codes; scoping and filters still apply;
on SQLite no search query scans the product table."""

from __future__ import annotations

import csv

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from liveops.core.access import access_for
from liveops.core.imports.services import import_start
from liveops.sourcing.models import Product, ProductSearchToken
from liveops.sourcing.selectors.products import product_list, product_search
from liveops.sourcing.services.products import (
    product_create,
    product_title_tokens,
    product_tokens_rebuild,
    product_update,
    sku_save,
)
from tests.factories import make_merchant, make_product
from tests.sourcing import test_library_support as support

pytestmark = pytest.mark.django_db
people, world = support.people, support.world  # shared fixtures


def ids(access, q, **filters) -> list[int]:
    return [p.pk for p in product_list(access=access, q=q, **filters)]


def tokens(product) -> set[str]:
    return set(ProductSearchToken.objects.filter(product=product).values_list("token", flat=True))


@pytest.fixture
def cream(people, world):
    p = product_create(
        actor=people.mr,
        merchant=world.mr_merchant,
        category=world.category,
        title="自然堂雪域精粹面霜 50g",
        merchant_code="ZRT-CREAM",
    )
    sku_save(actor=people.mr, product=p, sku_code="ZRT-CREAM-50", barcode="6901234567892")
    return p


def test_title_tokens():
    assert product_title_tokens("精华液 30ML") == {"精华", "华液", "液3", "30", "0m", "ml", "l"}
    assert product_title_tokens("水") == {"水"}
    assert product_title_tokens(" ，") == set()


def test_tokens_built_on_create_and_rebuilt_on_title_change(people, cream):
    assert tokens(cream) == product_title_tokens(cream.title)
    access = access_for(people.mr)
    assert ids(access, "雪域") == [cream.pk]

    product_update(actor=people.mr, product=cream, data={"title": "自然堂冰肌水 100ml"})
    assert tokens(cream) == product_title_tokens("自然堂冰肌水 100ml")
    assert ids(access, "冰肌") == [cream.pk]
    assert ids(access, "雪域") == []
    # A change of other fields leaves the tokens alone.
    before = set(ProductSearchToken.objects.filter(product=cream).values_list("pk", flat=True))
    product_update(actor=people.mr, product=cream, data={"selling_points": "新品"})
    assert set(ProductSearchToken.objects.filter(product=cream).values_list("pk", flat=True)) == before


def test_bulk_rebuild_for_rows_written_without_the_service(people, world):
    p = make_product(world.mr_merchant, category=world.category, title="花漾保湿面膜")
    access = access_for(people.mr)
    assert ids(access, "保湿") == []  # no tokens yet: written past the service
    assert product_tokens_rebuild([p.pk, p.pk]) == len(product_title_tokens(p.title))
    assert ids(access, "保湿") == [p.pk]
    Product.objects.filter(pk=p.pk).update(title="花漾眼霜")
    product_tokens_rebuild([p.pk])
    assert ids(access, "保湿") == [] and ids(access, "眼霜") == [p.pk]


def test_chinese_substring_in_the_middle(people, cream):
    access = access_for(people.mr)
    for q in ("精粹", "雪域精粹面", "精粹面霜 50g", "粹", "霜", "g"):
        assert ids(access, q) == [cream.pk], q
    # Bigrams all present but not in a row: verified against the title, so no match.
    assert ids(access, "精粹雪域") == []
    assert ids(access, "精粹面霜50g") == []  # the title has a space there


def test_pinyin_initials_and_prefix(people, cream):
    access = access_for(people.mr)
    for q in ("zrt", "ZRT", "zrtxyjc", "zi", "ziran", "zirantangxueyu", "自然"):
        assert ids(access, q) == [cream.pk], q
    assert ids(access, "rt") == []  # initials and pinyin match as prefixes only
    assert ids(access, "xyjc") == []


def test_exact_codes(people, world, cream):
    access = access_for(people.mr)
    for q in ("6901234567892", "ZRT-CREAM", "ZRT-CREAM-50"):
        assert ids(access, q) == [cream.pk], q
    assert ids(access, "6901234567") == []  # a barcode matches whole
    assert ids(access, "ZRT-CREAM-5") == []
    # A title containing the number is a match too, but a scanned code that hits exactly shows just
    # its product on the search page.
    gift = make_product(world.mr_merchant, category=world.category, title="礼盒 6901234567892 款")
    product_tokens_rebuild([gift.pk])
    assert ids(access, "6901234567892") == [gift.pk, cream.pk]
    assert [p.pk for p in product_search(access=access, q="6901234567892")[0]] == [cream.pk]
    assert [p.pk for p in product_search(access=access, q="690123456")[0]] == [gift.pk]


def test_no_match_is_empty(people, cream):
    access = access_for(people.mr)
    for q in ("zzzq", "不存在的商品", "猫", "6999999999999", "x-y-z"):
        rows, more = product_search(access=access, q=q)
        assert rows == [] and not more, q


def test_scoping_and_filters_still_apply(people, world, cream):
    other = make_product(world.ec_merchant, category=world.category, title="电商专供精粹面霜")
    product_tokens_rebuild([other.pk])
    # The MR recruiter reaches MR products only, the QC inspector both departments, EC staff and
    # outsiders no product library at all — whichever path the text takes.
    for q in ("精粹", "面霜", "霜"):
        assert ids(access_for(people.mr), q) == [cream.pk], q
        assert ids(access_for(people.qc), q) == [other.pk, cream.pk], q
        assert ids(access_for(people.auditor), q) == [other.pk, cream.pk], q
    for user in (people.ec, people.outsider):
        for q in ("精粹", "zrt", "dianshang", "6901234567892", "ZRT-CREAM"):
            assert ids(access_for(user), q) == [], q
    assert ids(access_for(people.mr), "dszg") == []
    assert ids(access_for(people.qc), "dszg") == [other.pk]
    qc = access_for(people.qc)
    assert ids(qc, "精粹", merchant_id=world.ec_merchant.pk) == [other.pk]
    assert ids(qc, "精粹", stage="approved") == []


def test_bounded_newest_first_with_more_flag(people, world):
    m = make_merchant("批量商家")
    made = [make_product(m, category=world.category, title=f"面膜{i}号") for i in range(60)]
    product_tokens_rebuild([p.pk for p in made])
    access = access_for(people.qc)
    for q in ("面膜", "mm", "膜"):
        rows, more = product_search(access=access, q=q)
        assert [p.pk for p in rows] == [p.pk for p in reversed(made)][:50] and more, q
    rows, more = product_search(access=access, q="面膜5号")
    assert [p.title for p in rows] == ["面膜5号"] and not more


def test_products_import_builds_tokens(people, world, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["商家", "商品标题", "类目编码", "SKU 商家编码", "条码"])
        w.writerow([world.mr_merchant.uscc, "自然堂雪域精粹乳液", "skincare", "ZRT-9", "6901234567809"])
    with translation.override("en"):
        run = import_start(actor=people.mr, kind="products", file=str(path), file_name="p.csv", run_now=True)
    assert run.rows_inserted == 1, run.error
    p = Product.objects.get(title="自然堂雪域精粹乳液")
    assert tokens(p) == product_title_tokens(p.title)
    assert ids(access_for(people.mr), "精粹乳") == [p.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite query plans")
@pytest.mark.parametrize("q", ["zrt", "ziran", "精粹", "粹", "6901234567892", "zzzq"])
def test_search_uses_indexes_only_on_sqlite(people, world, cream, q):
    m = make_merchant("批量商家")
    made = [make_product(m, category=world.category, title=f"花漾面膜{i}") for i in range(30)]
    product_tokens_rebuild([p.pk for p in made])  # no ANALYZE: the plans must not need statistics
    access = access_for(people.mr)
    access.department_ids("sourcing.view")
    with CaptureQueriesContext(connection) as ctx:
        product_search(access=access, q=q)
    plans = []
    with connection.cursor() as c:
        for query in ctx.captured_queries:
            c.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans += [row[3] for row in c.fetchall()]
    # The search paths are index searches; only the one-row lookup tables joined to the final fetch
    # by primary key may be scanned in this tiny database (the planner puts them outside).
    small = ("SCAN sourcing_category", "SCAN sourcing_merchant", "SCAN sourcing_brand")
    scans = [line for line in plans if line.startswith("SCAN") and not line.startswith(small)]
    assert not scans, (q, plans)
    assert any("sourcing_product" in line for line in plans)
