"""The 抖店 order import end to end: counts, idempotence, updates with audit, rejects, refusals."""

from __future__ import annotations

import pytest

from liveops.commerce.models import AnchorAccount, DailyShopRollup, Order, OrderLine
from liveops.core.imports.services import import_start

pytestmark = pytest.mark.django_db


def _import(path, shop, actor=None, kind="douyin-orders"):
    return import_start(
        actor=actor, kind=kind, file=path, file_name=path.name, options={"shop": shop.name}, run_now=True
    )


def test_douyin_export_imports_every_line(douyin_shop, douyin_file):
    path, frame = douyin_file(400)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert run.rows_read == 400
    assert run.rows_inserted == 400 and run.rows_rejected == 0
    assert OrderLine.objects.filter(shop=douyin_shop).count() == 400
    orders = frame.get_column("主订单编号").n_unique()
    assert Order.objects.filter(shop=douyin_shop).count() == orders
    assert AnchorAccount.objects.filter(platform="douyin").count() == 2
    assert DailyShopRollup.objects.filter(shop=douyin_shop).exists()


def test_reimport_changes_nothing(douyin_shop, douyin_file):
    path, _frame = douyin_file(300)
    _import(path, douyin_shop)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert (run.rows_inserted, run.rows_updated, run.rows_unchanged) == (0, 0, 300)
