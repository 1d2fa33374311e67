"""The e-commerce demo (issue 4): four shops of the EC department on three platforms, six months of
orders (about 300,000 lines by default), their after-sales cases and fund movements, the marketing
calendar (618, 双11, 双12, 年货节…) with budgets and ad spend (千川, 直通车, 磁力金牛).

Orders go through the real import path: each shop's orders are written as the platform exports them
(``liveops.commerce.samples.douyin_export_frame`` for Douyin, converted to the Taobao line-item and
Kuaishou layouts for the other shops) and imported with ``import_start(..., run_now=True)``, so
attribution (anchors, library SKUs by 商家编码), rollups, the audit log and the import history are
what a real company would have. The products are the demo library's approved products (their SKU
codes are the 商家编码 of the listings, so they attribute without any mapping) plus a few listings
the library does not know (gift boxes, lucky bags), which wait in the unmatched queue.

Deterministic for a seed and reference date. Called once from ``liveops.org.demo.demo_build`` after
the sourcing demo; does nothing when shops exist. ``lines`` scales the volume (tests use a few
thousand)."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from liveops.commerce.models import AnchorAccount, Shop
from liveops.commerce.samples import SampleAnchor, SampleProduct, douyin_export_frame, export_write
from liveops.core.imports.registry import import_kind_get
from liveops.org.models import Department, Staff

log = logging.getLogger(__name__)

DEFAULT_LINES = 300_000
_FMT = "%Y-%m-%d %H:%M:%S"
# Share of the shops' lines that fall in campaign windows on top of the everyday trade.
_CAMPAIGN_SHARE = 0.25


@dataclass(frozen=True)
class DemoShop:
    key: str
    platform: str
    name: str
    platform_shop_id: str
    share: float  # of all lines
    staff_anchors: int  # how many of the company's own anchors stream for it
    external_anchors: tuple[tuple[str, str], ...]  # (达人ID, nickname) of affiliates (精选联盟 …)
    ad_channel: str
    order_base: int


SHOPS = (
    DemoShop(
        "dy-main",
        "douyin",
        "澜星抖音旗舰店",
        "DY88650321",
        0.45,
        4,
        (
            ("71930021", "美妆情报局"),
            ("71930022", "零食大王阿飞"),
            ("71930023", "居家好物小铺"),
            ("71930024", "宝妈选品官"),
        ),
        "qianchuan",
        6_917_926_000_000_000_000,
    ),
    DemoShop(
        "dy-second",
        "douyin",
        "澜星好物专营店",
        "DY88650877",
        0.20,
        2,
        (("71930031", "省钱小能手"), ("71930032", "深夜食堂阿杰"), ("71930033", "护肤成分党")),
        "qianchuan",
        6_917_940_000_000_000_000,
    ),
    DemoShop(
        "tmall", "taobao", "澜星天猫旗舰店", "TM2208831", 0.22, 0, (), "zhitongche", 3_841_000_000_000_000
    ),
    DemoShop(
        "ks",
        "kuaishou",
        "澜星快手小店",
        "KS5530218",
        0.13,
        2,
        (("3x8kq2d9", "快手好物推荐官"),),
        "cixi",
        2_410_000_000_000_000,
    ),
)
# The company's own anchors (主播经纪部): name and Douyin nickname of their accounts. Linked to the
# staff holding the 主播 position, in order of employee number, where the company has such staff.
ANCHOR_STAFF = (
    ("林小满", "小满直播间"),
    ("陈阿强", "阿强好物"),
    ("苏甜甜", "甜甜的美妆间"),
    ("周一鸣", "一鸣严选"),
)
# Listings the library does not know: the unmatched queue's content.
UNMATCHED = (
    ("ZP-FD-2026", "直播间福袋 随机好物", "福袋"),
    ("GIFT-BOX-01", "新春礼盒（赠品组合）", "礼盒装"),
    ("", "主播推荐 限量款（未填编码）", "默认"),
)
# Campaign templates: (kind, name, (month, day) start, (month, day) end, traffic weight).
CAMPAIGNS = (
    ("womens_day", "{y}三八女王节", (3, 1), (3, 8), 1.0),
    ("618", "{y}·618年中大促", (5, 26), (6, 18), 2.0),
    ("double11", "{y}双11全球狂欢季", (10, 20), (11, 11), 3.0),
    ("double12", "{y}双12年终盛典", (12, 1), (12, 12), 1.2),
    ("new_year", "{y}年货节", (1, 5), (1, 20), 1.5),
)
# Relative order volume per hour of the day (evening live sessions dominate).
_HOUR_WEIGHTS = [2, 1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 10, 9, 7, 6, 6, 7, 9, 14, 18, 20, 16, 8]
_AFTERSALE_REASONS = ["不想要了", "商品与描述不符", "质量问题", "发错货", "效果不好", "包装破损", "拍错/多拍"]


def _kind(code: str):
    """The registered import kind ``code``, or None. The after-sales, settlement and ad-spend kinds
    live in modules of their own; importing them registers them."""
    for module in ("liveops.commerce.importers_aftersales", "liveops.commerce.importers_adspend"):
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    return import_kind_get(code)


def commerce_demo_build(
    *, seed: int = 2026, today: dt.date | None = None, lines: int | None = None, months: int = 6
) -> dict:
    """Build the e-commerce demo (once: nothing happens when shops exist). Needs the demo company and
    the sourcing demo (for the library's products); without approved products every listing is
    unmatched. ``lines``: order lines in all (default ``settings.LIVEOPS_DEMO_ORDER_LINES``, else
    300,000). Returns counts and the seconds each part took."""
    if Shop.objects.exists():
        return {"created": 0}
    if lines is None:
        lines = int(getattr(settings, "LIVEOPS_DEMO_ORDER_LINES", DEFAULT_LINES))
    today = today or timezone.localdate()
    rng = random.Random(f"commerce-demo-{seed}")
    timings: dict[str, float] = {}
    t_all, cpu_all = time.perf_counter(), time.process_time()
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    ec = Department.objects.get(code="EC")
    first_day = today - dt.timedelta(days=round(months * 30.5))
    with transaction.atomic():
        shops = _shops(admin, ec)
        anchors = _anchors()
    catalogue = _catalogue()
    campaigns = _campaign_dates(today, first_day)
    result: dict = {"shops": len(shops), "library_skus": len(catalogue)}
    runs: list[int] = []
    with tempfile.TemporaryDirectory(prefix="liveops-commerce-demo-") as tmp:
        folder = Path(tmp)
        for n, spec in enumerate(SHOPS):
            t0 = time.perf_counter()
            shop = shops[spec.key]
            frame = _orders_frame(
                spec,
                seed=seed + n,
                lines=max(1, round(lines * spec.share)),
                first_day=first_day,
                today=today,
                products=_listings(spec, catalogue),
                anchors=anchors[spec.key],
                campaigns=campaigns,
            )
            run = _import_orders(admin, spec, shop, frame, folder)
            if run.status != "succeeded":
                raise RuntimeError(
                    f"commerce demo: the {run.kind} import into {shop.name} failed: {run.error}"
                )
            runs.append(run.pk)
            result[f"orders_{spec.key}"] = _run_summary(run)
            timings[f"orders_{spec.key}_s"] = time.perf_counter() - t0
            if spec.platform == "douyin":
                t0 = time.perf_counter()
                result[f"aftersales_{spec.key}"] = _aftersales(admin, shop, frame, today, folder)
                result[f"settlements_{spec.key}"] = _settlements(admin, shop, frame, today, folder)
                timings[f"aftersales_settlements_{spec.key}_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    result["marketing"] = _marketing(admin, rng, today, first_day, shops, campaigns)
    timings["marketing_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    result["lifecycle"] = _lifecycle(today)
    timings["lifecycle_s"] = time.perf_counter() - t0
    timings["total_s"] = time.perf_counter() - t_all
    # CPU time of this process: on a machine shared with other work, wall time alone misleads.
    timings["total_cpu_s"] = time.process_time() - cpu_all
    result["import_runs"] = runs
    result["timings"] = {k: round(v, 2) for k, v in timings.items()}
    result["created"] = 1
    log.info("commerce demo: %s", result)
    return result


# Shops and anchors ------------------------------------------------------------------------------


def _shops(admin, ec: Department) -> dict[str, Shop]:
    from liveops.commerce.services.shops import shop_create

    return {
        s.key: shop_create(
            actor=admin, platform=s.platform, name=s.name, department=ec, platform_shop_id=s.platform_shop_id
        )
        for s in SHOPS
    }


def _anchor_staff() -> list[Staff]:
    """The company's own anchors: staff holding the 主播 position (none in a company without them)."""
    return list(
        Staff.objects.filter(position__code="ab-anchor", is_active=True).order_by("employee_no")[
            : len(ANCHOR_STAFF)
        ]
    )


def _anchors() -> dict[str, list[SampleAnchor]]:
    """Anchor accounts per shop: the company's own anchors (one account per platform, linked to their
    staff record where the company has anchors on its staff) and affiliate 达人 of the platform.
    Frequent streamers appear more than once in the list, so they carry more of the orders."""
    staff = _anchor_staff()
    accounts: list[AnchorAccount] = []
    per_platform: dict[str, list[SampleAnchor]] = {}
    for platform, prefix in (("douyin", "7192"), ("kuaishou", "ks")):
        own = []
        for i, (zh, nick) in enumerate(ANCHOR_STAFF):
            st = staff[i] if i < len(staff) else None
            anchor_id = f"{prefix}{1000 + i:04d}" if platform == "douyin" else f"{prefix}lx{i:03d}"
            person = st.name if st is not None else zh
            name = (
                (f"{person}直播间" if st is not None else nick)
                if platform == "douyin"
                else f"{person}（快手）"
            )
            accounts.append(
                AnchorAccount(platform=platform, platform_anchor_id=anchor_id, nickname=name, staff=st)
            )
            own.append(SampleAnchor(anchor_id, name))
        per_platform[platform] = own
    out: dict[str, list[SampleAnchor]] = {}
    for spec in SHOPS:
        own = per_platform.get(spec.platform, [])[: spec.staff_anchors]
        external = [SampleAnchor(a, n) for a, n in spec.external_anchors]
        for a in external:
            accounts.append(
                AnchorAccount(platform=spec.platform, platform_anchor_id=a.anchor_id, nickname=a.nickname)
            )
        # The company's anchors stream most: three times the weight of an affiliate.
        out[spec.key] = own * 3 + external
    AnchorAccount.objects.bulk_create(accounts, ignore_conflicts=True)
    return out


# Products ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    product_id: int | None
    code: str
    title: str
    spec: str
    price_fen: int


def _catalogue() -> list[_Item]:
    """The library's approved products, one item per SKU with a code (the listing's 商家编码)."""
    from liveops.sourcing.models import PipelineStage, Sku

    skus = (
        Sku.objects.filter(product__stage=PipelineStage.APPROVED)
        .exclude(sku_code="")
        .order_by("product_id", "pk")
        .values_list("product_id", "sku_code", "product__title", "spec", "price")
    )
    return [
        _Item(pid, code, title, spec or "", max(100, int(price * 100)))
        for pid, code, title, spec, price in skus
        if price is not None
    ]


def _listings(spec: DemoShop, catalogue: list[_Item]) -> list[SampleProduct]:
    """What ``spec``'s shop lists: most of the library's approved SKUs (a popular few appear several
    times, so they sell more) and the unmatched listings."""
    sub = random.Random(f"{spec.key}-{len(catalogue)}")
    items = [i for i in catalogue if sub.random() < 0.7] or list(catalogue)
    weighted: list[_Item] = []
    for k, item in enumerate(items):
        weighted += [item] * (8 if k % 37 == 0 else 3 if k % 7 == 0 else 1)
    prefix = {"douyin": "35", "taobao": "6", "kuaishou": "2"}[spec.platform]
    shop_no = SHOPS.index(spec) + 1
    out = [
        SampleProduct(
            f"{prefix}{shop_no}{(item.product_id or 0):09d}{n % 100:02d}",
            item.code,
            item.title,
            item.spec,
            item.price_fen,
        )
        for n, item in enumerate(weighted)
    ]
    for k, (code, title, spec_text) in enumerate(UNMATCHED):
        out.append(SampleProduct(f"{prefix}{shop_no}9999999{k:04d}", code, title, spec_text, 990 + 1000 * k))
    return out


# Orders -----------------------------------------------------------------------------------------


def _campaign_dates(today: dt.date, first_day: dt.date) -> list[tuple[str, str, dt.date, dt.date, float]]:
    """Campaigns from ``first_day`` until ~2.5 months ahead: (kind, name, start, end, weight)."""
    out = []
    for year in (today.year - 1, today.year, today.year + 1):
        for kind, name, (m1, d1), (m2, d2), weight in CAMPAIGNS:
            start, end = dt.date(year, m1, d1), dt.date(year, m2, d2)
            if end >= first_day and start <= today + dt.timedelta(days=75):
                out.append((kind, name.format(y=year), start, end, weight))
    return sorted(out, key=lambda c: c[2])


def _orders_frame(
    spec: DemoShop,
    *,
    seed: int,
    lines: int,
    first_day: dt.date,
    today: dt.date,
    products: list[SampleProduct],
    anchors: list[SampleAnchor],
    campaigns: list,
) -> pl.DataFrame:
    """The shop's orders as one 抖店-layout frame: everyday trade over the whole period plus extra
    orders in the past campaign windows, with submit times shaped to the day's live sessions."""
    now = dt.datetime.combine(today, dt.time(0, 0))
    past = [(s, min(e, today - dt.timedelta(days=1)), w) for _k, _n, s, e, w in campaigns if s < today]
    past = [(max(s, first_day), e, w) for s, e, w in past if e >= first_day]
    extra = round(lines * _CAMPAIGN_SHARE) if past else 0
    parts = [(first_day, (today - first_day).days, lines - extra)]
    weights = sum(w for _s, _e, w in past) or 1
    for s, e, w in past:
        parts.append((s, (e - s).days + 1, round(extra * w / weights)))
    frames = []
    for k, (start, days, n) in enumerate(parts):
        if n <= 0 or days <= 0:
            continue
        frames.append(
            douyin_export_frame(
                lines=n,
                start=dt.datetime.combine(start, dt.time(0, 0)),
                days=days,
                products=products,
                anchors=anchors or [SampleAnchor("-", "-")],
                seed=seed * 10 + k,
                order_base=spec.order_base + k * 10_000_000_000,
                now=now,
            )
        )
    frame = _shape_hours(pl.concat(frames))
    if not anchors:
        frame = frame.with_columns(pl.lit("-").alias("达人ID"), pl.lit("-").alias("达人昵称"))
    return frame


_TIME_COLUMNS = ("订单提交时间", "订单完成时间", "支付完成时间", "承诺发货时间", "发货时间")


def _shape_hours(frame: pl.DataFrame) -> pl.DataFrame:
    """Move each order's times within its day so submissions follow ``_HOUR_WEIGHTS`` (the generator
    spreads them evenly); every time of the order moves by the same amount."""
    total = sum(_HOUR_WEIGHTS)
    cdf = [0.0]
    for w in _HOUR_WEIGHTS:
        cdf.append(cdf[-1] + w / total)
    submit = pl.col("订单提交时间").str.strptime(pl.Datetime("us"), _FMT)
    u = (submit - submit.dt.truncate("1d")).dt.total_seconds() / 86_400
    f = frame.with_columns(submit.alias("__s"), u.alias("__u"))
    hour = (pl.Series(cdf[1:-1]).search_sorted(f.get_column("__u"), side="right")).cast(pl.Int64)
    f = f.with_columns(hour.alias("__h"))
    starts = pl.col("__h").replace_strict(list(range(24)), cdf[:-1], return_dtype=pl.Float64)
    widths = pl.col("__h").replace_strict(
        list(range(24)), [w / total for w in _HOUR_WEIGHTS], return_dtype=pl.Float64
    )
    seconds = (pl.col("__h") * 3600 + ((pl.col("__u") - starts) / widths * 3600).clip(0, 3599)).cast(pl.Int64)
    shifted = pl.col("__s").dt.truncate("1d") + pl.duration(seconds=seconds)
    f = f.with_columns((shifted - pl.col("__s")).alias("__delta"))
    return f.with_columns(
        [
            pl.when(pl.col(c) == "-")
            .then(pl.lit("-"))
            .otherwise(
                (
                    pl.col(c).str.strptime(pl.Datetime("us"), _FMT, strict=False) + pl.col("__delta")
                ).dt.strftime(_FMT)
            )
            .alias(c)
            for c in _TIME_COLUMNS
        ]
    ).drop("__s", "__u", "__h", "__delta")


def _import_orders(admin, spec: DemoShop, shop: Shop, frame: pl.DataFrame, folder: Path):
    """Write the shop's export in its platform's layout and import it with the platform's kind (the
    Douyin layout through the generic ``orders`` kind when the platform's kind is not there)."""
    from liveops.core.imports.services import import_start

    options = {"shop": str(shop.pk)}
    if spec.platform == "douyin":
        path = export_write(frame, folder / f"{spec.key}-orders.csv")
        kind = "douyin-orders"
    elif spec.platform == "taobao" and import_kind_get("taobao-order-lines"):
        path = _write_csv(taobao_lines_frame(frame), folder / f"{spec.key}-ExportOrderDetailList.csv")
        kind = "taobao-order-lines"
    elif spec.platform == "kuaishou" and import_kind_get("kuaishou-orders"):
        path = _write_csv(kuaishou_frame(frame), folder / f"{spec.key}-kuaishou.csv")
        kind = "kuaishou-orders"
    else:
        log.warning(
            "commerce demo: no %s order kind; importing %s through the generic path", spec.platform, spec.key
        )
        return _import_generic(admin, shop, frame, folder / f"{spec.key}-orders.csv")
    return import_start(actor=admin, kind=kind, file=path, file_name=path.name, options=options, run_now=True)


def _write_csv(frame: pl.DataFrame, path: Path) -> Path:
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        frame.write_csv(fh)
    return path


def _import_generic(admin, shop: Shop, frame: pl.DataFrame, path: Path):
    """The generic ``orders`` kind, with a saved column mapping of the Douyin layout's headers."""
    from liveops.core.imports.services import import_start
    from liveops.core.models import ColumnMapping

    kind, douyin = import_kind_get("orders"), import_kind_get("douyin-orders")
    if kind is None:
        raise RuntimeError(f"commerce demo: no import kind for {shop.get_platform_display()} orders")
    export_write(frame, path)
    names = {f.name for f in kind.fields}
    columns = {
        str(f.label): f.name for f in douyin.fields if f.name in names and str(f.label) in frame.columns
    }
    mapping, _created = ColumnMapping.objects.get_or_create(
        kind=kind.code, name=f"抖店订单导出格式（{shop.name}）", defaults={"columns": columns}
    )
    return import_start(
        actor=admin,
        kind=kind.code,
        file=path,
        file_name=path.name,
        mapping=mapping,
        options={"shop": str(shop.pk)},
        run_now=True,
    )


def _digits(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars("\t'")


def taobao_lines_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The Taobao line-item export (子订单编号, 主订单编号, 商品标题 … 商家备注) of the same orders."""
    status = (
        pl.when(pl.col("售后状态") == "退款成功")
        .then(pl.lit("交易关闭"))
        .when(pl.col("订单状态") == "已完成")
        .then(pl.lit("交易成功"))
        .when(pl.col("订单状态") == "已发货")
        .then(pl.lit("卖家已发货，等待买家确认"))
        .when(pl.col("订单状态") == "待发货")
        .then(pl.lit("买家已付款，等待卖家发货"))
        .otherwise(pl.lit("交易关闭"))
    )
    paid = pl.col("支付完成时间") != "-"
    due = pl.col("订单应付金额").str.replace_all(",", "")
    return frame.select(
        _digits("子订单编号").alias("子订单编号"),
        _digits("主订单编号").alias("主订单编号"),
        pl.col("选购商品").alias("商品标题"),
        pl.col("商品单价").str.replace_all(",", "").alias("商品价格"),
        pl.col("商品数量").alias("购买数量"),
        pl.concat_str([pl.lit("规格:"), pl.col("商品规格")]).alias("商品属性"),
        pl.lit("").alias("套餐信息"),
        status.alias("订单状态"),
        pl.col("商家编码").replace("-", "").alias("商家编码"),
        due.alias("买家应付货款"),
        # Net of refunds, as Taobao writes it: a refunded line shows 0 paid and its refund.
        pl.when(paid & (pl.col("售后状态") != "退款成功"))
        .then(due)
        .otherwise(pl.lit("0.00"))
        .alias("买家实付金额"),
        pl.when(pl.col("售后状态") == "退款成功")
        .then(pl.lit("退款成功"))
        .otherwise(pl.lit("无退款申请"))
        .alias("退款状态"),
        pl.when(pl.col("售后状态") == "退款成功").then(due).otherwise(pl.lit("0")).alias("退款金额"),
        pl.col("订单提交时间").alias("订单创建时间"),
        pl.col("支付完成时间").replace("-", "").alias("订单付款时间"),
        _digits("商品ID").alias("商品ID"),
        pl.lit("").alias("商家备注"),
    )


def kuaishou_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A Kuaishou 快手小店 order export (the aliases tools use) of the same orders."""
    status = (
        pl.when(pl.col("订单状态") == "已完成")
        .then(pl.lit("交易成功"))
        .when(pl.col("订单状态") == "已发货")
        .then(pl.lit("已发货"))
        .when(pl.col("订单状态") == "待发货")
        .then(pl.lit("待发货"))
        .otherwise(pl.lit("交易关闭"))
    )
    return frame.select(
        _digits("主订单编号").alias("订单号"),
        _digits("子订单编号").alias("子订单号"),
        pl.col("选购商品").alias("商品名称"),
        pl.col("商品规格").alias("商品规格"),
        pl.col("商品数量").alias("商品数量"),
        _digits("商品ID").alias("商品ID"),
        pl.col("商家编码").alias("商家编码"),
        pl.col("商品单价").str.replace_all(",", "").alias("商品单价"),
        pl.col("订单应付金额").str.replace_all(",", "").alias("实付款"),
        status.alias("订单状态"),
        pl.col("售后状态").alias("售后状态"),
        pl.col("订单提交时间").alias("下单时间"),
        pl.col("支付完成时间").alias("支付时间"),
        pl.col("发货时间").alias("发货时间"),
        pl.col("省"),
        pl.col("市"),
        pl.col("区"),
        pl.col("收件人").alias("收货人"),
        pl.col("收件人手机号").alias("收货人电话"),
        pl.col("详细地址").alias("收货地址"),
        _digits("达人ID").alias("主播ID"),
        pl.col("达人昵称").alias("主播昵称"),
        pl.col("流量来源").alias("流量来源"),
    )


# After-sales and fund movements -----------------------------------------------------------------


def _import_into_shop(admin, kind: str, shop: Shop, frame: pl.DataFrame, path: Path):
    """Write ``frame`` as the platform would export it and import it into ``shop`` as ``admin``."""
    from liveops.core.imports.services import import_start

    export_write(frame, path)
    return import_start(
        actor=admin, kind=kind, file=path, file_name=path.name, options={"shop": str(shop.pk)}, run_now=True
    )


def _run_summary(run) -> dict:
    """What the demo reports of an import run."""
    return {
        "kind": run.kind,
        "status": run.status,
        "read": run.rows_read,
        "inserted": run.rows_inserted,
        "rejected": run.rows_rejected,
    }


def _aftersales(
    admin, shop: Shop, frame: pl.DataFrame, today: dt.date, folder: Path, window: int = 60
) -> dict:
    """After-sales cases of the last ``window`` days: every refunded line (退款成功), and on recent
    completed lines some cases still open or closed without refund. Through the ``douyin-aftersales`` kind when it is registered."""
    if _kind("douyin-aftersales") is None:
        log.info("commerce demo: no douyin-aftersales kind; no after-sales cases")
        return {"skipped": True}

    lines = frame.select(
        _digits("主订单编号").alias("order_no"),
        _digits("子订单编号").alias("sub_no"),
        pl.col("订单应付金额").str.replace_all(",", "").alias("due"),
        pl.col("订单提交时间").str.strptime(pl.Datetime("us"), _FMT).alias("submit"),
        pl.col("售后状态").alias("after"),
        pl.col("订单状态").alias("status"),
    ).with_row_index("__n")
    # The back office exports after-sales by application date; the demo holds the last
    # ``window`` days (older refunds show in the order export's 售后状态 all the same).
    since = dt.datetime.combine(today - dt.timedelta(days=window), dt.time(0, 0))
    recent = dt.datetime.combine(today - dt.timedelta(days=20), dt.time(0, 0))
    pick = (pl.col("__n").hash(shop.pk) % 100).cast(pl.Int64)
    refunded = lines.filter((pl.col("after") == "退款成功") & (pl.col("submit") >= since)).with_columns(
        pl.lit("refunded").alias("__case")
    )
    others = lines.filter(
        (pl.col("after") != "退款成功")
        & pl.col("status").is_in(["已完成", "已发货"])
        & (pl.col("submit") >= recent)
    ).filter(pick < 4)
    others = others.with_columns(
        pl.when(pick < 2).then(pl.lit("open")).otherwise(pl.lit("closed")).alias("__case")
    )
    cases = pl.concat([refunded, others])
    reasons = pl.col("__n").hash(7) % len(_AFTERSALE_REASONS)
    applied = pl.col("submit") + pl.duration(hours=26)
    fmt = lambda e: e.dt.strftime(_FMT)  # noqa: E731
    done = pl.col("__case") == "refunded"
    out = cases.select(
        pl.concat_str([pl.lit("\t"), pl.lit("7"), pl.col("sub_no").str.slice(1)]).alias("售后单号"),
        pl.concat_str([pl.lit("\t"), pl.col("order_no")]).alias("订单号"),
        pl.concat_str([pl.lit("\t"), pl.col("sub_no")]).alias("子订单号"),
        pl.when(pl.col("__n") % 3 == 0)
        .then(pl.lit("退货退款"))
        .otherwise(pl.lit("仅退款"))
        .alias("售后类型"),
        pl.when(done)
        .then(pl.lit("退款成功"))
        .when(pl.col("__case") == "open")
        .then(pl.lit("待商家处理"))
        .otherwise(pl.lit("售后关闭"))
        .alias("售后状态"),
        fmt(applied).alias("售后申请时间"),
        reasons.replace_strict(list(range(len(_AFTERSALE_REASONS))), _AFTERSALE_REASONS).alias("售后原因"),
        pl.lit("-").alias("售后原因标签"),
        pl.when(done | (pl.col("__case") == "open"))
        .then(pl.col("due"))
        .otherwise(pl.lit("0.00"))
        .alias("退款金额"),
        pl.lit("-").alias("退货物流单号"),
        pl.lit("-").alias("退货发货时间"),
        pl.when(done)
        .then(fmt(applied + pl.duration(hours=2)))
        .otherwise(pl.lit("-"))
        .alias("同意售后申请时间"),
        pl.when(done).then(fmt(applied + pl.duration(hours=3))).otherwise(pl.lit("-")).alias("商家退款时间"),
        pl.when(done).then(fmt(applied + pl.duration(hours=4))).otherwise(pl.lit("-")).alias("用户到账时间"),
        pl.when(pl.col("__case") == "closed")
        .then(fmt(applied + pl.duration(hours=30)))
        .otherwise(pl.lit("-"))
        .alias("售后关闭时间"),
        pl.lit("-").alias("仲裁状态"),
        pl.lit("-").alias("纠纷责任方"),
        pl.when(pl.col("__case") != "open")
        .then(fmt(applied + pl.duration(hours=30)))
        .otherwise(pl.lit("-"))
        .alias("售后完结时间"),
        pl.when(pl.col("__case") == "closed")
        .then(pl.lit("买家撤销申请"))
        .otherwise(pl.lit("-"))
        .alias("用户售后说明"),
        pl.lit("-").alias("售后备注"),
    )
    return _run_summary(
        _import_into_shop(admin, "douyin-aftersales", shop, out, folder / f"{shop.pk}-aftersales.csv")
    )


def _settlements(
    admin, shop: Shop, frame: pl.DataFrame, today: dt.date, folder: Path, days: int = 14
) -> dict:
    """Fund movements (动账明细) of the last ``days`` days: settled completed lines (入账, with the
    platform service fee and the affiliate commission) and refunds (出账)."""
    if _kind("douyin-settlements") is None:
        log.info("commerce demo: no douyin-settlements kind; no fund movements")
        return {"skipped": True}

    since = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(0, 0))
    f = frame.select(
        _digits("主订单编号").alias("order_no"),
        _digits("子订单编号").alias("sub_no"),
        (pl.col("订单应付金额").str.replace_all(",", "").str.replace(r"\.", "").cast(pl.Int64)).alias("due"),
        (pl.col("平台优惠").str.replace_all(",", "").str.replace(r"\.", "").cast(pl.Int64)).alias("subsidy"),
        pl.col("订单完成时间").str.strptime(pl.Datetime("us"), _FMT, strict=False).alias("done"),
        pl.col("售后状态").alias("after"),
        pl.col("达人ID").str.strip_chars("\t").alias("anchor"),
    )
    own = {a.platform_anchor_id for a in AnchorAccount.objects.filter(platform="douyin", staff__isnull=False)}
    f = f.filter(
        pl.col("done").is_not_null()
        & (pl.col("done") >= since)
        & (pl.col("done") < pl.lit(dt.datetime.combine(today, dt.time(0, 0))))
    )
    fee = pl.col("due") * 5 // 100
    commission = pl.when(pl.col("anchor").is_in(list(own))).then(0).otherwise(pl.col("due") * 15 // 100)
    refunded = pl.col("after") == "退款成功"
    settled_in = pl.col("due") + pl.col("subsidy") - fee - commission
    yuan = lambda e: pl.format("{}.{}", e // 100, (e % 100).cast(pl.String).str.zfill(2))  # noqa: E731
    out = f.select(
        (pl.col("done") + pl.duration(days=1)).dt.strftime(_FMT).alias("动账时间"),
        pl.concat_str([pl.lit("\t"), pl.lit("DZ"), pl.col("sub_no")]).alias("动帐流水号"),
        pl.when(refunded).then(pl.lit("出账")).otherwise(pl.lit("入账")).alias("动账方向"),
        pl.when(refunded).then(yuan(pl.col("due"))).otherwise(yuan(settled_in)).alias("动账金额"),
        pl.lit("聚合账户").alias("动账账户"),
        pl.when(refunded).then(pl.lit("订单退款")).otherwise(pl.lit("订单结算")).alias("动账场景"),
        pl.lit("订单").alias("计费类型"),
        pl.concat_str([pl.lit("\t"), pl.col("sub_no")]).alias("子订单号"),
        pl.concat_str([pl.lit("\t"), pl.col("order_no")]).alias("订单号"),
        pl.when(refunded).then(pl.lit("0.00")).otherwise(yuan(pl.col("due"))).alias("订单实付应结"),
        pl.lit("0.00").alias("运费实付"),
        pl.when(refunded).then(pl.lit("0.00")).otherwise(yuan(pl.col("subsidy"))).alias("实际平台补贴"),
        pl.when(refunded).then(yuan(pl.col("due"))).otherwise(pl.lit("0.00")).alias("订单退款"),
        pl.when(refunded).then(pl.lit("0.00")).otherwise(yuan(fee)).alias("平台服务费"),
        pl.when(refunded).then(pl.lit("0.00")).otherwise(yuan(commission)).alias("佣金"),
        pl.lit("0.00").alias("招商服务费"),
        pl.lit("0.00").alias("站外推广费"),
        pl.lit("-").alias("备注"),
    )
    if out.height == 0:
        return {"rows": 0}
    return _run_summary(
        _import_into_shop(admin, "douyin-settlements", shop, out, folder / f"{shop.pk}-settlements.csv")
    )


# Marketing --------------------------------------------------------------------------------------


def _marketing(admin, rng, today, first_day, shops: dict[str, Shop], campaigns) -> dict:
    """Campaigns on the calendar (past, running, upcoming), their budgets and the shops' monthly
    ad budgets, and daily ad spend per shop through the ``ad-spend`` import."""
    try:
        from liveops.commerce.services import marketing
    except ImportError:
        log.info("commerce demo: no marketing services; no campaigns, budgets or ad spend")
        return {"skipped": True}
    from liveops.commerce.models import DailyShopRollup
    from liveops.sourcing.models import PipelineStage, Product

    User = get_user_model()
    owner = User.objects.filter(username="ec-head").first() or admin
    out = {"campaigns": 0, "budgets": 0, "ad_spend_rows": 0}
    all_shops = list(shops.values())
    hits = list(Product.objects.filter(stage=PipelineStage.APPROVED).order_by("pk")[:12])
    made = []
    if hasattr(marketing, "campaign_create"):
        for kind, name, start, end, weight in campaigns:
            status = "finished" if end < today else "running" if start <= today else "planned"
            goal = int(weight * 3_000_000 * 100)  # CNY 3 m per unit of weight, in fen
            made.append(
                marketing.campaign_create(
                    actor=admin,
                    name=name,
                    kind=kind,
                    starts_on=start,
                    ends_on=end,
                    status=status,
                    goal_gmv_fen=goal,
                    goals=f"目标GMV {goal // 100 // 10_000}万元；主推品{len(hits)}款；直播间加场。",
                    department=shops["dy-main"].department,
                    shops=all_shops,
                    products=hits,
                    owner=owner,
                )
            )
        out["campaigns"] = len(made)
    # Ad spend: about 8 % of each shop's daily GMV, more on campaign days, two plans per shop.
    gmv = {
        (s, d): g
        for s, d, g in DailyShopRollup.objects.filter(shop__in=all_shops).values_list(
            "shop_id", "day", "gmv_fen"
        )
    }
    spend_rows = []
    for spec in SHOPS:
        shop = shops[spec.key]
        day = first_day
        while day < today:
            base = gmv.get((shop.pk, day), 0)
            boost = 1.6 if any(s <= day <= e for _k, _n, s, e, _w in campaigns) else 1.0
            for plan_no, (plan, share) in enumerate((("直播间成交", 0.6), ("商品推广", 0.4))):
                spend = int(base * 0.08 * share * boost * rng.uniform(0.8, 1.2))
                if spend <= 0:
                    continue
                shows = spend // 3 + rng.randint(0, 500)
                spend_rows.append(
                    {
                        "shop": shop.pk,
                        "日期": day.isoformat(),
                        "渠道": spec.ad_channel,
                        "计划ID": f"{spec.platform_shop_id}-{plan_no + 1}",
                        "计划名称": f"{shop.name}-{plan}",
                        "消耗": f"{spend // 100}.{spend % 100:02d}",
                        "展示数": str(shows),
                        "点击数": str(shows // rng.randint(25, 60)),
                        "成交金额": f"{int(spend * rng.uniform(2.5, 4.5)) // 100}.00",
                    }
                )
            day += dt.timedelta(days=1)
    if spend_rows and hasattr(marketing, "ad_spend_import") and _kind("ad-spend"):
        table = pl.DataFrame(spend_rows)
        with tempfile.TemporaryDirectory(prefix="liveops-demo-ads-") as tmp:
            for spec in SHOPS:
                shop = shops[spec.key]
                rows = table.filter(pl.col("shop") == shop.pk).drop("shop")
                if rows.height == 0:
                    continue
                path = _write_csv(rows, Path(tmp) / f"{spec.key}-ads.csv")
                run = marketing.ad_spend_import(
                    actor=admin, file=path, file_name=path.name, options={"shop": str(shop.pk)}, run_now=True
                )
                out["ad_spend_rows"] += run.rows_inserted
    elif spend_rows:
        log.info("commerce demo: no ad-spend import; no ad spend")
    if hasattr(marketing, "budget_create"):
        from liveops.commerce.models import AdSpend

        budgets = 0
        for c in made:
            for spec in SHOPS:
                shop = shops[spec.key]
                spent = sum(
                    AdSpend.objects.filter(shop=shop, day__gte=c.starts_on, day__lte=c.ends_on).values_list(
                        "spend_fen", flat=True
                    )
                )
                # Past campaigns: budgets the spend stayed within, except 双11 on the main shop
                # (overspent: the alert fired); upcoming ones: planned amounts.
                if c.starts_on > today:
                    amount = 20_000_000 if spec.key == "dy-main" else 5_000_000
                elif c.kind == "double11" and spec.key == "dy-main":
                    amount = max(100, int(spent * 0.9))
                else:
                    amount = max(100_000, int(spent * 1.15))
                marketing.budget_create(
                    actor=admin,
                    amount_fen=amount,
                    campaign=c,
                    shop=shop,
                    channel=spec.ad_channel,
                    note=f"{c.name} {shop.name}投放预算",
                )
                budgets += 1
        month_start = today.replace(day=1)
        month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for spec in SHOPS:
            shop = shops[spec.key]
            spent = sum(
                AdSpend.objects.filter(shop=shop, day__gte=month_start).values_list("spend_fen", flat=True)
            )
            days_gone = max(1, (today - month_start).days)
            marketing.budget_create(
                actor=admin,
                # The month's pace so far, with a fifth to spare.
                amount_fen=max(100_000, int(spent * month_end.day / days_gone * 1.2)),
                period_start=month_start,
                period_end=month_end,
                shop=shop,
                channel=spec.ad_channel,
                note=f"{month_start:%Y-%m} {shop.name}月度投放预算",
            )
            budgets += 1
        out["budgets"] = budgets
    out.update(_kpis(admin, rng, today, all_shops, gmv))
    return out


def _kpis(admin, rng, today: dt.date, shops: list[Shop], gmv: dict) -> dict:
    """The default KPIs with monthly targets (company and each shop) for the last, current and next
    month, set from each shop's pace with some stretch, and 30 days of entered visitor counts, so
    the KPI page compares actuals with targets and the measurement form has KPIs to choose."""
    from liveops.commerce.models import Kpi
    from liveops.commerce.services import kpis as kpi_services

    kpi_services.kpi_defaults_ensure()
    by_code = {k.code: k for k in Kpi.objects.filter(code__in=["gmv", "orders", "refund-rate", "visitors"])}
    months = []
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _ in range(3):
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        months.append((start, end))
        start = end + dt.timedelta(days=1)
    targets = 0
    for month_start, month_end in months:
        company_gmv = 0
        for shop in shops:
            # Last 30 days' GMV as the pace, scaled to the month, with a 10-20 % stretch.
            pace = sum(gmv.get((shop.pk, today - dt.timedelta(days=d)), 0) for d in range(1, 31))
            goal = int(pace / 30 * month_end.day * rng.uniform(1.1, 1.2)) // 100 * 100
            company_gmv += goal
            if goal > 0:
                kpi_services.kpi_target_set(
                    actor=admin,
                    kpi=by_code["gmv"],
                    period_start=month_start,
                    period_end=month_end,
                    target=goal,
                    shop=shop,
                )
                targets += 1
            kpi_services.kpi_target_set(
                actor=admin,
                kpi=by_code["refund-rate"],
                period_start=month_start,
                period_end=month_end,
                target="8",
                shop=shop,
            )
            targets += 1
        if company_gmv > 0:
            kpi_services.kpi_target_set(
                actor=admin,
                kpi=by_code["gmv"],
                period_start=month_start,
                period_end=month_end,
                target=company_gmv,
            )
            targets += 1
    measurements = 0
    for shop in shops:
        for d in range(1, 31):
            day = today - dt.timedelta(days=d)
            orders_gmv = gmv.get((shop.pk, day), 0)
            if orders_gmv <= 0:
                continue
            # Visitors: about one paying visitor in 40, as the back office shows them.
            visitors = int(orders_gmv / 100 / 120 * 40 * rng.uniform(0.8, 1.2)) + rng.randint(50, 300)
            kpi_services.kpi_measurement_record(
                actor=admin, kpi=by_code["visitors"], day=day, value=visitors, shop=shop
            )
            measurements += 1
    return {"kpi_targets": targets, "kpi_measurements": measurements}


def _lifecycle(today: dt.date) -> dict:
    """Lifecycle tags (new, rising, hit, long tail, clearance) from the imported sales, if the service
    is there."""
    try:
        from liveops.commerce.services.lifecycle import lifecycle_recompute
    except ImportError:
        log.info("commerce demo: no lifecycle service; no lifecycle tags")
        return {"skipped": True}
    return lifecycle_recompute(as_of=today)
