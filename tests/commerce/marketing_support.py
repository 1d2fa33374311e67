"""Shared set-up of the marketing tests (campaigns, budgets, ad spend, KPIs, lifecycle): a small world
of shops, products and rollup rows written straight through the ORM (the rollups are the lead's;
here they are the input), and helpers to write rollup rows."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.test import Client

from liveops.commerce.models import DailyDimensionRollup, DailyShopRollup
from tests.commerce.factories import make_shop
from tests.factories import make_clear_product


def shop_day(shop, day: dt.date, **figures) -> DailyShopRollup:
    """One shop's rollup row for a day (figures default to 0)."""
    return DailyShopRollup.objects.create(shop=shop, day=day, **figures)


def product_day(shop, product, day: dt.date, gmv_fen: int, *, lines: int | None = None, **figures):
    """One product breakdown row (``product`` may be a product or ``None`` for unmatched lines)."""
    lines = (1 if gmv_fen else 0) if lines is None else lines
    figures.setdefault("orders_paid", lines)
    figures.setdefault("units", lines)
    return DailyDimensionRollup.objects.create(
        shop=shop,
        day=day,
        dimension=DailyDimensionRollup.Dimension.PRODUCT,
        key=str(product.pk) if product is not None else "",
        gmv_fen=gmv_fen,
        lines_paid=lines,
        **figures,
    )


@pytest.fixture(name="mworld")
def mworld_fixture(personas):
    """Two EC shops (Douyin, Taobao), one shop of the live-stream department (LS, out of EC's reach),
    and two approved products."""
    from liveops.sourcing.models import PipelineStage

    douyin = make_shop(platform="douyin", name="抖音旗舰店")
    taobao = make_shop(platform="taobao", name="天猫旗舰店")
    ls_shop = make_shop(platform="kuaishou", name="快手直播店", department_code="LS")
    p1 = make_clear_product(title="玻尿酸精华")
    p2 = make_clear_product(title="氨基酸洁面")
    for p in (p1, p2):
        p.stage = PipelineStage.APPROVED
        p.save(update_fields=["stage"])
    return SimpleNamespace(douyin=douyin, taobao=taobao, ls_shop=ls_shop, p1=p1, p2=p2, **personas)


def client_as(user, *, english: bool = True) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    if english:
        c.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return c
