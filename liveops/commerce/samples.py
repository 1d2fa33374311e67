"""Synthetic 抖店 order exports in the real layout (all 65 columns, in the back office's order) and
with its real quirks: UTF-8 with BOM, IDs written as ``"\\t6917…"``, ``-`` for empty, thousands
separators in some amounts, platform-encrypted contacts (``##…``/``$$…``), and buyer notes with a
line break inside a quoted field.

Used by the demo company (whose orders go through the real importer), the benchmark (a million
lines) and the tests. Generation is columnar (polars) and deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

DOUYIN_COLUMNS = [
    "主订单编号", "子订单编号", "选购商品", "商品规格", "商品数量", "商品ID", "商家编码", "商品单价", "订单应付金额", "运费",
    "优惠总金额", "平台优惠", "商家优惠", "达人优惠", "商家改价", "支付优惠", "红包抵扣", "支付方式", "手续费", "收件人",
    "收件人手机号", "省", "市", "区", "街道", "详细地址", "是否修改过地址", "买家留言", "订单提交时间", "旗帜颜色", "商家备注",
    "订单完成时间", "支付完成时间", "APP渠道", "流量来源", "订单状态", "承诺发货时间", "订单类型", "鲁班落地页ID", "达人ID",
    "达人昵称", "所属门店ID", "售后状态", "取消原因", "预约发货时间", "仓库ID", "仓库名称", "是否安心购", "广告渠道", "流量类型",
    "流量体裁", "流量渠道", "发货主体", "发货主体明细", "发货时间", "降价类优惠", "平台实际优惠", "商家实际优惠", "达人实际优惠",
    "预计送达时间", "是否平台仓自流转", "车型", "预约送达时间", "建议发货时间（起）", "建议发货时间（止）",
]  # fmt: skip

PLACES = [
    ("广东省", "广州市", "天河区"), ("浙江省", "杭州市", "西湖区"), ("江苏省", "南京市", "鼓楼区"), ("上海市", "上海市", "浦东新区"),
    ("北京市", "北京市", "朝阳区"), ("山东省", "济南市", "历下区"), ("河南省", "郑州市", "金水区"), ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"), ("湖南省", "长沙市", "岳麓区"), ("福建省", "厦门市", "思明区"), ("安徽省", "合肥市", "蜀山区"),
    ("河北省", "石家庄市", "长安区"), ("辽宁省", "沈阳市", "和平区"), ("陕西省", "西安市", "雁塔区"), ("重庆市", "重庆市", "渝中区"),
    ("江西省", "南昌市", "红谷滩区"), ("广西壮族自治区", "南宁市", "青秀区"), ("云南省", "昆明市", "五华区"), ("天津市", "天津市", "南开区"),
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
]
SOURCES = ["精选联盟", "直播", "短视频", "商品卡", "搜索"]


@dataclass(frozen=True)
class SampleProduct:
    """A product as the platform knows it: its ID there, the shop's 商家编码, title, spec and price."""

    platform_product_id: str
    merchant_code: str
    title: str
    spec: str
    price_fen: int


@dataclass(frozen=True)
class SampleAnchor:
    anchor_id: str
    nickname: str


def _rand(seed: int, salt: int, modulo: int, base: str = "__i") -> pl.Expr:
    return (pl.col(base).hash(seed * 1000 + salt) % modulo).cast(pl.Int64)


def _yuan(fen: pl.Expr, thousands: pl.Expr) -> pl.Expr:
    """Fen → ``"1234.50"``, or ``"1,234.50"`` where ``thousands`` holds (as some exports write it)."""
    whole = (fen // 100).cast(pl.String)
    cents = (fen % 100).cast(pl.String).str.zfill(2)
    grouped = pl.when(fen >= 100_000).then(
        pl.concat_str(
            [
                (fen // 100_000).cast(pl.String),
                pl.lit(","),
                ((fen // 100) % 1000).cast(pl.String).str.zfill(3),
            ]
        )
    )
    return pl.concat_str(
        [pl.when(thousands).then(grouped).otherwise(whole).fill_null(whole), pl.lit("."), cents]
    )


def douyin_export_frame(
    *,
    lines: int,
    start: dt.datetime,
    days: int,
    products: list[SampleProduct],
    anchors: list[SampleAnchor],
    seed: int = 1,
    order_base: int = 6_917_926_700_000_000_000,
    encrypted_share: int = 80,
    now: dt.datetime | None = None,
) -> pl.DataFrame:
    """``lines`` sub-orders spread evenly over ``days`` from ``start`` (local time, naive), about
    1.25 lines per order, as the string columns of a 抖店 export. ``encrypted_share`` percent of the
    orders carry platform-encrypted contacts (as recent exports do); the rest are clear text."""
    n = lines
    span = days * 86_400
    now = now or (start + dt.timedelta(days=days + 10))
    f = pl.DataFrame({"__i": pl.int_range(0, n, eager=True, dtype=pl.Int64)})
    # Every fifth line or so continues the order of the line before it.
    f = f.with_columns(
        (pl.col("__i") - ((_rand(seed, 1, 5) == 0) & (pl.col("__i") > 0)).cast(pl.Int64)).alias("__o")
    )
    o = lambda salt, m: _rand(seed, salt, m, "__o")  # noqa: E731  per-order randomness
    f = f.with_columns(
        (pl.lit(start) + pl.duration(seconds=(pl.col("__o") * span // max(n, 1)) + o(2, 60))).alias(
            "__submit"
        ),
        o(3, 100).alias("__state"),
        o(4, len(PLACES)).alias("__place"),
        o(5, len(anchors)).alias("__anchor"),
        o(6, len(SOURCES)).alias("__source"),
        _rand(seed, 7, len(products)).alias("__product"),
        (_rand(seed, 8, 10) // 7 + 1).alias("__qty"),
        o(9, 100).alias("__enc"),
        o(10, len(SURNAMES)).alias("__sur"),
        o(11, len(GIVEN)).alias("__given"),
        o(12, 90_000_000).alias("__phone"),
        (o(13, 290) + 10).alias("__paydelay"),
        _rand(seed, 14, 100).alias("__disc"),
        o(15, 100).alias("__note"),
    )
    price = pl.col("__product").replace_strict(list(range(len(products))), [p.price_fen for p in products])
    f = f.with_columns(price.alias("__price"))
    f = f.with_columns(
        (pl.col("__price") * pl.col("__qty")).alias("__gross"),
        pl.when(pl.col("__disc") < 30).then(pl.col("__price") // 20).otherwise(0).alias("__dp"),
        pl.when(pl.col("__disc") % 3 == 0).then(500).otherwise(0).alias("__dm"),
        pl.when(pl.col("__disc") % 7 == 0).then(300).otherwise(0).alias("__da"),
    )
    f = f.with_columns(
        (pl.col("__dp") + pl.col("__dm") + pl.col("__da"))
        .clip(upper_bound=pl.col("__gross") - 1)
        .alias("__dt")
    )
    f = f.with_columns((pl.col("__gross") - pl.col("__dt")).alias("__due"))
    # Order states: 3 % never paid (closed), 6 % paid then refunded and closed, then by age.
    age_days = (pl.lit(now) - pl.col("__submit")).dt.total_days()
    state = (
        pl.when(pl.col("__state") < 3)
        .then(pl.lit("unpaid_closed"))
        .when(pl.col("__state") < 9)
        .then(pl.lit("refunded"))
        .when(age_days < 1)
        .then(pl.lit("paid"))
        .when(age_days < 4)
        .then(pl.lit("shipped"))
        .otherwise(pl.lit("completed"))
    )
    f = f.with_columns(state.alias("__st"))
    paid = pl.col("__st") != "unpaid_closed"
    pay_at = pl.when(paid).then(pl.col("__submit") + pl.duration(seconds=pl.col("__paydelay")))
    ship_at = pl.when(pl.col("__st").is_in(["shipped", "completed"])).then(
        pl.col("__submit") + pl.duration(hours=20)
    )
    finish_at = (
        pl.when(pl.col("__st") == "completed")
        .then(pl.col("__submit") + pl.duration(days=6))
        .when(pl.col("__st").is_in(["refunded", "unpaid_closed"]))
        .then(pl.col("__submit") + pl.duration(hours=30))
    )
    fmt = "%Y-%m-%d %H:%M:%S"
    place = lambda k: pl.col("__place").replace_strict(list(range(len(PLACES))), [p[k] for p in PLACES])  # noqa: E731
    encrypted = pl.col("__enc") < encrypted_share
    clear_name = pl.concat_str(
        [
            pl.col("__sur").replace_strict(list(range(len(SURNAMES))), list(SURNAMES)),
            pl.col("__given").replace_strict(list(range(len(GIVEN))), GIVEN),
        ]
    )
    order_no = (pl.lit(order_base) + pl.col("__o") * 10).cast(pl.String)
    sub_no = (pl.lit(order_base) + pl.col("__i") * 10 + 1).cast(pl.String)
    thousands = pl.col("__i") % 2 == 0
    products_idx = list(range(len(products)))
    status_text = pl.col("__st").replace_strict(
        {
            "unpaid_closed": "已关闭",
            "refunded": "已关闭",
            "paid": "待发货",
            "shipped": "已发货",
            "completed": "已完成",
        }
    )
    out = f.select(
        pl.concat_str([pl.lit("\t"), order_no]).alias("主订单编号"),
        pl.concat_str([pl.lit("\t"), sub_no]).alias("子订单编号"),
        pl.col("__product").replace_strict(products_idx, [p.title for p in products]).alias("选购商品"),
        pl.col("__product").replace_strict(products_idx, [p.spec or "-" for p in products]).alias("商品规格"),
        pl.col("__qty").cast(pl.String).alias("商品数量"),
        pl.concat_str(
            [
                pl.lit("\t"),
                pl.col("__product").replace_strict(products_idx, [p.platform_product_id for p in products]),
            ]
        ).alias("商品ID"),
        pl.col("__product")
        .replace_strict(products_idx, [p.merchant_code or "-" for p in products])
        .alias("商家编码"),
        _yuan(pl.col("__price"), thousands).alias("商品单价"),
        _yuan(pl.col("__due"), thousands).alias("订单应付金额"),
        pl.lit("0.00").alias("运费"),
        _yuan(pl.col("__dt"), thousands).alias("优惠总金额"),
        _yuan(pl.col("__dp"), thousands).alias("平台优惠"),
        _yuan(pl.col("__dm"), thousands).alias("商家优惠"),
        _yuan(pl.col("__da"), thousands).alias("达人优惠"),
        pl.lit("0.00").alias("商家改价"),
        pl.lit("0.00").alias("支付优惠"),
        pl.lit("0.00").alias("红包抵扣"),
        pl.when(paid).then(pl.lit("抖音支付")).otherwise(pl.lit("-")).alias("支付方式"),
        pl.lit("0.00").alias("手续费"),
        pl.when(encrypted)
        .then(pl.concat_str([pl.lit("##"), pl.col("__o").hash(seed + 21).cast(pl.String)]))
        .otherwise(clear_name)
        .alias("收件人"),
        pl.when(encrypted)
        .then(pl.concat_str([pl.lit("$$"), pl.col("__o").hash(seed + 22).cast(pl.String)]))
        .otherwise(pl.concat_str([pl.lit("1"), (pl.col("__phone") + 3_010_000_000).cast(pl.String)]))
        .alias("收件人手机号"),
        place(0).alias("省"),
        place(1).alias("市"),
        place(2).alias("区"),
        pl.lit("-").alias("街道"),
        pl.when(encrypted)
        .then(pl.concat_str([pl.lit("##"), pl.col("__o").hash(seed + 23).cast(pl.String)]))
        .otherwise(
            pl.concat_str([pl.lit("幸福路"), (pl.col("__phone") % 300 + 1).cast(pl.String), pl.lit("号")])
        )
        .alias("详细地址"),
        pl.lit("否").alias("是否修改过地址"),
        pl.when(pl.col("__note") == 0)
        .then(pl.lit("请尽快发货\n谢谢"))
        .when(pl.col("__note") == 1)
        .then(pl.lit("送人的, 不要放发票"))
        .otherwise(pl.lit("-"))
        .alias("买家留言"),
        pl.col("__submit").dt.strftime(fmt).alias("订单提交时间"),
        pl.lit("-").alias("旗帜颜色"),
        pl.lit("-").alias("商家备注"),
        finish_at.dt.strftime(fmt).fill_null("-").alias("订单完成时间"),
        pay_at.dt.strftime(fmt).fill_null("-").alias("支付完成时间"),
        pl.lit("抖音").alias("APP渠道"),
        pl.col("__source").replace_strict(list(range(len(SOURCES))), SOURCES).alias("流量来源"),
        status_text.alias("订单状态"),
        (pl.col("__submit") + pl.duration(hours=48)).dt.strftime(fmt).alias("承诺发货时间"),
        pl.lit("普通订单").alias("订单类型"),
        pl.lit("-").alias("鲁班落地页ID"),
        pl.concat_str(
            [
                pl.lit("\t"),
                pl.col("__anchor").replace_strict(list(range(len(anchors))), [a.anchor_id for a in anchors]),
            ]
        ).alias("达人ID"),
        pl.col("__anchor")
        .replace_strict(list(range(len(anchors))), [a.nickname for a in anchors])
        .alias("达人昵称"),
        pl.lit("-").alias("所属门店ID"),
        pl.when(pl.col("__st") == "refunded")
        .then(pl.lit("退款成功"))
        .otherwise(pl.lit("-"))
        .alias("售后状态"),
        pl.when(pl.col("__st") == "refunded")
        .then(pl.lit("主品订单售后完成"))
        .when(pl.col("__st") == "unpaid_closed")
        .then(pl.lit("超时未支付"))
        .otherwise(pl.lit("-"))
        .alias("取消原因"),
        pl.lit("-").alias("预约发货时间"),
        pl.lit("-").alias("仓库ID"),
        pl.lit("-").alias("仓库名称"),
        pl.lit("否").alias("是否安心购"),
        pl.lit("-").alias("广告渠道"),
        pl.lit("-").alias("流量类型"),
        pl.lit("直播").alias("流量体裁"),
        pl.lit("-").alias("流量渠道"),
        pl.lit("商家").alias("发货主体"),
        pl.lit("-").alias("发货主体明细"),
        ship_at.dt.strftime(fmt).fill_null("-").alias("发货时间"),
        pl.lit("0.00").alias("降价类优惠"),
        _yuan(pl.col("__dp"), thousands).alias("平台实际优惠"),
        _yuan(pl.col("__dm"), thousands).alias("商家实际优惠"),
        _yuan(pl.col("__da"), thousands).alias("达人实际优惠"),
        pl.lit("-").alias("预计送达时间"),
        pl.lit("否").alias("是否平台仓自流转"),
        pl.lit("-").alias("车型"),
        pl.lit("-").alias("预约送达时间"),
        pl.lit("-").alias("建议发货时间（起）"),
        pl.lit("-").alias("建议发货时间（止）"),
    )
    assert out.columns == DOUYIN_COLUMNS
    return out


def export_write(frame: pl.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` as the back office does: CSV, UTF-8 with BOM, every field quoted."""
    path = Path(path)
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        frame.write_csv(fh, quote_style="always")
    return path
