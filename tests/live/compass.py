"""Compass live-session list exports for tests, written as users download them."""

from __future__ import annotations

import csv
from pathlib import Path

BASE = [
    "店铺名称",
    "店铺ID",
    "主播头像",
    "主播昵称",
    "主播抖音号",
    "直播开始时间",
    "直播结束时间",
    "直播时长(分钟)",
    "直播间曝光人数",
    "直播间曝光次数",
    "直播间观看人数",
    "单小时观看人数",
    "直播间观看次数",
    "最高在线人数",
    "平均在线人数",
    "人均观看时长(分钟)",
    "评论次数",
    "新加直播团人数",
    "新增粉丝数",
    "取关粉丝数",
    "观看老粉占比",
    "带货商品数",
    "直播间商品曝光人数",
    "直播间商品点击人数",
    "直播间商品曝光次数",
    "直播间商品点击次数",
    "直播间成交订单数",
    "直播间成交金额",
    "直播间用户支付金额",
    "单小时用户支付金额",
    "直播间成交件数",
    "直播间成交人数",
    "直播间退款订单数",
    "直播间退款金额",
    "直播间退款人数",
    "预估佣金支出",
    "商品曝光-点击率(次数)",
    "商品曝光-点击率(人数)",
    "商品点击-成交率(次数)",
    "商品点击-成交率(人数)",
    "观看-成交率(次数)",
    "观看-成交率(人数)",
    "预售订单数",
    "预售全款金额",
    "新加购物团人数",
    "直播间投放消耗",
    "净成交金额",
    "净成交订单数",
    "1小时退款金额",
    "1小时退款订单数",
    "1小时退款率",
]
NEW_EXTRA = ["消费券引导支付金额", "消费券引导支付占比", "消费券补贴金额", "消费券使用量"]


def headers(*, new: bool = True) -> list[str]:
    if not new:
        return list(BASE)
    h = list(BASE)
    h.insert(h.index("直播间观看次数") + 1, "直播激励观看次数")
    return h + NEW_EXTRA


def row(**values) -> dict:
    """A realistic row (the one of live-metrics.md), overridable by header."""
    out = {
        "店铺名称": "直播抖店",
        "店铺ID": "DY1",
        "主播头像": "https://p.example/a.jpg",
        "主播昵称": "澜星美妆号",
        "主播抖音号": "lanxing01",
        "直播开始时间": "2026/09/07 08:55:37",
        "直播结束时间": "2026/09/08 00:55:37",
        "直播时长(分钟)": "960",
        "直播间曝光人数": "182584",
        "直播间曝光次数": "250000",
        "直播间观看人数": "15093",
        "直播间观看次数": "21254",
        "最高在线人数": "75",
        "平均在线人数": "24",
        "人均观看时长(分钟)": "1.07",
        "评论次数": "660",
        "新增粉丝数": "518",
        "取关粉丝数": "40",
        "观看老粉占比": "0.2100",
        "直播间商品曝光人数": "9000",
        "直播间商品点击人数": "3000",
        "直播间成交订单数": "1600",
        "直播间成交金额": "61,045.30",
        "直播间用户支付金额": "59847.17",
        "直播间成交件数": "1700",
        "直播间成交人数": "1513",
        "直播间退款金额": "14603.08",
        "直播间投放消耗": "24052.43",
        "净成交金额": "46442.22",
        "1小时退款率": "0.1725",
    }
    out.update(values)
    return out


def write(path: Path, rows: list[dict], *, new: bool = True, drop: tuple[str, ...] = ()) -> Path:
    cols = [h for h in headers(new=new) if h not in drop]
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "-") for c in cols])
    return path
