"""The e-commerce demo (issue 4): a small variant of the real thing, built on the demo company and
its library, checked end to end — imports through the real kinds, attribution to library products
and the company's anchors, rollups consistent with the lines, refunds, fund movements, campaigns,
budgets and ad spend; plus the pure parts (order frames, the platform layouts) on their own."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Sum
from django.test import Client

from liveops.commerce import demo as cdemo
from liveops.commerce.demo import SHOPS, UNMATCHED, commerce_demo_build
from liveops.commerce.models import (
    AdSpend,
    AfterSale,
    AnchorAccount,
    Budget,
    Campaign,
    DailyDimensionRollup,
    DailyShopRollup,
    Order,
    OrderLine,
    SettlementEntry,
    Shop,
)
from liveops.commerce.samples import DOUYIN_COLUMNS, SampleAnchor, SampleProduct
from liveops.commerce.selectors.attribution import unmatched_queue
from liveops.core.access import access_for
from liveops.core.imports.registry import import_kind_get
from liveops.core.models import ImportRun
from liveops.org.demo import demo_build
from liveops.org.models import Staff

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)
LINES = 6_000
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_commerce_demo(settings, tmp_path):
    """One build of the demo company with a 6,000-line commerce demo, checked part by part (the
    build takes most of the time, so it is shared)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.LIVEOPS_DEMO_ORDER_LINES = LINES
    demo_build(today=TODAY)
    assert Shop.objects.count() == len(SHOPS)
    # The demo builder ran it already; a second call is a no-op that says so.
    assert commerce_demo_build(today=TODAY) == {"created": 0}
    runs = ImportRun.objects.filter(
        kind__in=["douyin-orders", "taobao-order-lines", "kuaishou-orders", "orders"]
    )
    _check_shops_imports_and_attribution(list(runs))
    _check_rollups_refunds_and_settlements()
    _check_campaigns_budgets_and_ad_spend()
    _check_dashboard_pages()


def _check_shops_imports_and_attribution(runs):
    shops = {s.name: s for s in Shop.objects.select_related("department")}
    assert {s.platform for s in shops.values()} == {"douyin", "taobao", "kuaishou"}
    assert sum(s.platform == "douyin" for s in shops.values()) == 2
    assert {s.department.code for s in shops.values()} == {"EC"}
    assert all(s.orders_updated_at is not None for s in shops.values())

    # Orders came through the real import kinds, one run per shop, every row accounted for.
    assert len(runs) == len(SHOPS)
    assert all(r.status == "succeeded" for r in runs), [(r.kind, r.error) for r in runs]
    assert all(r.rows_read == r.rows_inserted + r.rows_rejected and r.rows_rejected == 0 for r in runs)
    expected_kinds = {"douyin-orders"}
    expected_kinds.add("taobao-order-lines" if import_kind_get("taobao-order-lines") else "orders")
    expected_kinds.add("kuaishou-orders" if import_kind_get("kuaishou-orders") else "orders")
    assert {r.kind for r in runs} == expected_kinds
    total = OrderLine.objects.count()
    assert total == sum(r.rows_inserted for r in runs)
    # Every line belongs to an order that exists (checked here, not only at commit: PostgreSQL defers
    # the foreign key), and every order's line count is right.
    assert not OrderLine.objects.exclude(order_id__in=Order.objects.values("id")).exists()
    assert not Order.objects.annotate(n=Count("lines")).exclude(n=F("line_count")).exists()
    assert abs(total - LINES) <= len(SHOPS) * 2
    # Shares per shop as specified.
    for spec in SHOPS:
        n = OrderLine.objects.filter(shop__name=spec.name).count()
        assert abs(n - LINES * spec.share) <= 2, spec.key

    # Six months up to the reference date, nothing later.
    days = OrderLine.objects.values_list("day", flat=True)
    assert min(days) >= TODAY - dt.timedelta(days=190)
    assert max(days) <= TODAY
    assert (max(days) - min(days)).days >= 175

    # Products: library SKUs matched by 商家编码 without any mapping; only the unmatched listings wait.
    matched = OrderLine.objects.filter(product__isnull=False)
    assert matched.count() >= 0.95 * total
    assert set(matched.values_list("product__stage", flat=True).distinct()) == {"approved"}
    assert not matched.filter(sku__isnull=True).exists()
    assert not matched.filter(merchant__isnull=True).exists()
    assert all(code == sku for code, sku in matched.values_list("merchant_code", "sku__sku_code")[:500])
    unmatched_codes = set(
        OrderLine.objects.filter(product__isnull=True).values_list("merchant_code", flat=True)
    )
    assert unmatched_codes and unmatched_codes <= {code for code, _t, _s in UNMATCHED}
    auditor = get_user_model().objects.get(username="auditor")
    queue = unmatched_queue(access=access_for(auditor))
    assert queue and {k.merchant_code for k in queue} <= unmatched_codes

    # Anchors: Douyin and Kuaishou lines carry one; the company's anchors are linked to their staff.
    for s in shops.values():
        lines = OrderLine.objects.filter(shop=s)
        with_anchor = lines.filter(anchor_account__isnull=False).count()
        if s.platform in ("douyin", "kuaishou"):
            assert with_anchor == lines.count(), s.name
        else:
            assert with_anchor == 0  # Taobao line exports carry no anchor
    # The company's own anchors (one account per platform) stream most; affiliates the rest. Their
    # accounts are linked to staff only where the company has 主播 on its staff.
    own = Q(anchor_account__platform_anchor_id__startswith="7192") | Q(
        anchor_account__platform_anchor_id__startswith="kslx"
    )
    own_lines = OrderLine.objects.filter(own).count()
    affiliate_lines = OrderLine.objects.filter(anchor_account__isnull=False).exclude(own).count()
    assert own_lines > affiliate_lines > 0
    anchors_on_staff = Staff.objects.filter(position__code="ab-anchor").count()
    linked = AnchorAccount.objects.filter(staff__isnull=False)
    assert linked.count() == 2 * min(anchors_on_staff, len(cdemo.ANCHOR_STAFF))


def _check_rollups_refunds_and_settlements():
    for s in Shop.objects.all():
        lines = OrderLine.objects.filter(shop=s, paid_at__isnull=False)
        rollups = DailyShopRollup.objects.filter(shop=s)
        assert rollups.count() >= 170
        assert rollups.aggregate(g=Sum("gmv_fen"))["g"] == lines.aggregate(g=Sum("amount_paid_fen"))["g"]
        assert rollups.aggregate(n=Sum("lines_paid"))["n"] == lines.count()
        dims = set(DailyDimensionRollup.objects.filter(shop=s).values_list("dimension", flat=True))
        assert {"hour", "province", "source", "product", "merchant"} <= dims
        if s.platform != "taobao":
            assert "anchor" in dims

    # Refunds: visible on the lines and in the rollups of the Douyin and Tmall shops.
    for s in Shop.objects.filter(platform__in=["douyin", "taobao"]):
        assert OrderLine.objects.filter(shop=s, aftersale_state="refunded").exists(), s.name
        assert DailyShopRollup.objects.filter(shop=s).aggregate(r=Sum("refund_fen"))["r"] > 0
    # After-sales cases and fund movements of the Douyin shops, linked to their lines.
    if import_kind_get("douyin-aftersales") is not None:
        cases = AfterSale.objects.all()
        assert cases.exists() and not cases.filter(line__isnull=True).exists()
        assert {"refunded", "in_progress", "closed"} <= set(cases.values_list("state", flat=True))
        assert OrderLine.objects.filter(refund_fen__gt=0).exists()
        assert set(cases.values_list("shop__platform", flat=True).distinct()) == {"douyin"}
    if import_kind_get("douyin-settlements") is not None:
        entries = SettlementEntry.objects.all()
        assert entries.exists() and not entries.filter(line__isnull=True).exists()
        assert entries.filter(direction="out").exists() and entries.filter(direction="in").exists()
        assert OrderLine.objects.filter(platform_fee_fen__gt=0).exists()
        assert OrderLine.objects.filter(commission_fen__gt=0).exists()  # affiliates take commission

    # Live hours: the evening sells more than the small hours.
    hours = dict(
        DailyDimensionRollup.objects.filter(dimension="hour")
        .values("key")
        .annotate(g=Sum("gmv_fen"))
        .values_list("key", "g")
    )
    assert hours["21"] > 3 * hours["03"]


def _check_campaigns_budgets_and_ad_spend():
    from liveops.commerce.services import marketing

    if not hasattr(marketing, "campaign_create"):
        return  # the marketing services are not there: the demo skips them
    campaigns = {c.kind: c for c in Campaign.objects.prefetch_related("shops")}
    assert {"618", "double11", "double12", "new_year"} <= set(campaigns)
    assert campaigns["618"].status == "finished" and campaigns["double11"].status == "finished"
    assert campaigns["new_year"].status == "planned" and campaigns["new_year"].starts_on > TODAY
    assert all(c.shops.count() == len(SHOPS) and c.products.exists() for c in campaigns.values())
    # Campaign days sell more than ordinary days (the extra orders of the campaign windows).
    d11 = campaigns["double11"]
    main = Shop.objects.get(name=SHOPS[0].name)
    in_campaign = DailyShopRollup.objects.filter(shop=main, day__range=(d11.starts_on, d11.ends_on))
    before = DailyShopRollup.objects.filter(
        shop=main, day__range=(d11.starts_on - dt.timedelta(days=40), d11.starts_on - dt.timedelta(days=1))
    )
    avg = lambda qs: qs.aggregate(g=Sum("gmv_fen"))["g"] / qs.count()  # noqa: E731
    assert avg(in_campaign) > 1.5 * avg(before)

    # Ad spend per shop on its channel, every past day, linked to the campaign covering it.
    spend = AdSpend.objects.all()
    assert set(spend.values_list("channel", flat=True)) == {"qianchuan", "zhitongche", "cixi"}
    assert spend.values("shop").distinct().count() == len(SHOPS)
    assert not spend.filter(day__gte=TODAY).exists()
    assert spend.filter(day__range=(d11.starts_on, d11.ends_on), campaign=d11).exists()
    assert not spend.filter(day__range=(d11.starts_on, d11.ends_on), campaign__isnull=True).exists()
    # Budgets: per campaign and shop, and the month's per shop; the main shop's 双11 overspent.
    budgets = Budget.objects.all()
    assert budgets.filter(campaign__isnull=False).count() == len(campaigns) * len(SHOPS)
    assert budgets.filter(campaign__isnull=True, shop__isnull=False).count() == len(SHOPS)
    overspent = budgets.filter(overspent_at__isnull=False)
    assert list(overspent.values_list("campaign__kind", "shop__name")) == [("double11", SHOPS[0].name)]


def _check_dashboard_pages():
    c = Client()
    c.force_login(get_user_model().objects.get(username="ec-head"))
    shop = Shop.objects.get(name=SHOPS[0].name)
    r = c.get(f"/commerce/shops/{shop.pk}/dashboard/")
    assert r.status_code == 200
    assert shop.name in r.content.decode()
    r = c.get(
        "/api/v1/commerce/dashboard/figures/",
        {"shop": shop.pk, "date_from": "2026-11-01", "date_to": "2026-11-26"},
    )
    assert r.status_code == 200
    assert r.json()["total"]["gmv_fen"] > 0


def test_without_the_library_every_listing_waits_in_the_queue(org, settings, tmp_path):
    """Built on the org template alone (no sourcing demo): no library SKU to match, so every line is
    unmatched, and the import still accounts for every row."""
    from tests.conftest import make_person

    settings.DATA_DIR = tmp_path / "data"
    anchors = [make_person("ab-anchor", f"anchor{i}", name=f"主播{i}") for i in range(2)]
    t0 = time.perf_counter()
    result = commerce_demo_build(today=TODAY, lines=800)
    elapsed = time.perf_counter() - t0
    assert result["created"] == 1 and result["library_skus"] == 0
    assert elapsed < 60, f"{elapsed:.1f} s"
    assert OrderLine.objects.count() == 800
    assert not OrderLine.objects.filter(product__isnull=False).exists()
    assert set(OrderLine.objects.values_list("merchant_code", flat=True)) <= {c for c, _t, _s in UNMATCHED}
    assert DailyShopRollup.objects.values("shop").distinct().count() == len(SHOPS)
    # The company's anchors on the staff: their accounts on both platforms are theirs, named after them.
    staff = [Staff.objects.get(user=u) for u in anchors]
    linked = AnchorAccount.objects.filter(staff__isnull=False).order_by("platform", "platform_anchor_id")
    assert [(a.platform, a.staff, a.nickname) for a in linked] == [
        ("douyin", staff[0], "主播0直播间"),
        ("douyin", staff[1], "主播1直播间"),
        ("kuaishou", staff[0], "主播0（快手）"),
        ("kuaishou", staff[1], "主播1（快手）"),
    ]
    assert OrderLine.objects.filter(anchor_account__staff=staff[0]).exists()


# The pure parts --------------------------------------------------------------------------------

PRODUCTS = [
    SampleProduct("3580000000000000001", "MC0001-00001-1", "面膜 10片装", "10片", 9900),
    SampleProduct("3580000000000000002", "MC0001-00002-1", "洗面奶", "120ml", 5990),
]
ANCHORS = [SampleAnchor("71920001", "小满直播间"), SampleAnchor("71930021", "美妆情报局")]


def _frame(lines: int = 3_000, seed: int = 1) -> pl.DataFrame:
    return cdemo._orders_frame(
        SHOPS[0],
        seed=seed,
        lines=lines,
        first_day=TODAY - dt.timedelta(days=183),
        today=TODAY,
        products=PRODUCTS,
        anchors=ANCHORS,
        campaigns=cdemo._campaign_dates(TODAY, TODAY - dt.timedelta(days=183)),
    )


def test_order_frames_are_deterministic_and_shaped():
    a, b = _frame(), _frame()
    assert a.equals(b)
    assert not a.equals(_frame(seed=2))
    assert a.columns == DOUYIN_COLUMNS
    assert a.height == 3_000
    assert a.get_column("子订单编号").is_unique().all()
    submit = a.get_column("订单提交时间").str.strptime(pl.Datetime("us"), cdemo._FMT)
    assert submit.max() < dt.datetime.combine(TODAY, dt.time(0, 0))
    assert submit.min() >= dt.datetime.combine(TODAY - dt.timedelta(days=183), dt.time(0, 0))
    hours = submit.dt.hour().value_counts()
    count = dict(hours.iter_rows())
    assert count.get(21, 0) > 4 * count.get(3, 0)
    # Payment follows submission by minutes, whatever the shaping moved.
    paid = a.filter(pl.col("支付完成时间") != "-").select(
        (
            pl.col("支付完成时间").str.strptime(pl.Datetime("us"), cdemo._FMT)
            - pl.col("订单提交时间").str.strptime(pl.Datetime("us"), cdemo._FMT)
        ).dt.total_seconds()
    )
    assert paid.to_series().min() >= 0 and paid.to_series().max() <= 600


def test_shape_hours_moves_every_time_of_an_order_together():
    frame = pl.DataFrame(
        {c: ["-", "-"] for c in DOUYIN_COLUMNS}
        | {
            "订单提交时间": ["2026-10-01 03:00:00", "2026-10-02 12:00:00"],
            "支付完成时间": ["2026-10-01 03:01:00", "-"],
            "发货时间": ["2026-10-01 23:00:00", "-"],
        }
    )
    out = cdemo._shape_hours(frame)
    for row in out.iter_rows(named=True):
        assert row["订单提交时间"][:10] == ("2026-10-01" if row["支付完成时间"] != "-" else "2026-10-02")
    first = out.row(0, named=True)
    fmt = cdemo._FMT
    submit = dt.datetime.strptime(first["订单提交时间"], fmt)
    assert dt.datetime.strptime(first["支付完成时间"], fmt) - submit == dt.timedelta(minutes=1)
    assert dt.datetime.strptime(first["发货时间"], fmt) - submit == dt.timedelta(hours=20)
    assert out.row(1, named=True)["支付完成时间"] == "-"


@pytest.mark.parametrize(
    ("convert", "kind"),
    [(cdemo.taobao_lines_frame, "taobao-order-lines"), (cdemo.kuaishou_frame, "kuaishou-orders")],
)
def test_platform_layouts_are_recognised_by_their_kinds(convert, kind):
    cls = import_kind_get(kind)
    if cls is None:
        pytest.skip(f"{kind} not registered")
    out = convert(_frame(200))
    assert out.height == 200
    labels = {}
    for f in cls.fields:
        for label in (f.label, *f.aliases):
            labels[str(label)] = f.name
    known = {labels[c] for c in out.columns if c in labels}
    required = {f.name for f in cls.fields if f.required}
    assert required <= known
    assert {"merchant_code", "sub_order_no", "paid_at"} <= known
    # No spreadsheet quirk survives the conversion in the ID columns.
    for col in out.columns:
        if col in ("子订单编号", "主订单编号", "子订单号", "订单号"):
            assert not out.get_column(col).str.contains("\t").any()


def test_campaign_dates_cover_the_past_six_months_and_what_is_next():
    got = cdemo._campaign_dates(TODAY, TODAY - dt.timedelta(days=183))
    names = [n for _k, n, _s, _e, _w in got]
    assert names == ["2026·618年中大促", "2026双11全球狂欢季", "2026双12年终盛典", "2027年货节"]
    assert all(s <= e for _k, _n, s, e, _w in got)
    # Nothing starting more than 75 days ahead, nothing that ended before the orders begin.
    assert all(s <= TODAY + dt.timedelta(days=75) for _k, _n, s, _e, _w in got)


def test_generic_path_imports_the_douyin_layout_into_another_platform(org, settings, tmp_path):
    """The fallback for a platform without its own kind: the generic ``orders`` kind with a saved
    mapping of the Douyin headers."""
    from tests.commerce.factories import make_shop

    settings.DATA_DIR = tmp_path / "data"
    shop = make_shop(platform="kuaishou", name="快手测试店")
    run = cdemo._import_generic(None, shop, _frame(300), tmp_path / "orders.csv")
    assert (run.kind, run.status, run.rows_read, run.rows_inserted) == ("orders", "succeeded", 300, 300)
    assert run.mapping is not None and run.mapping.columns["主订单编号"] == "order_no"
    lines = OrderLine.objects.filter(shop=shop)
    assert lines.count() == 300
    assert not lines.filter(anchor_platform_id="").exists()
    assert not lines.filter(paid_at__isnull=True, status="completed").exists()
