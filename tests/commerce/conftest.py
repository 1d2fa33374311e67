"""Fixtures of the e-commerce tests: a Douyin shop of the EC department, sample exports."""

from __future__ import annotations

import datetime as dt

import pytest

from liveops.commerce.samples import SampleAnchor, SampleProduct, douyin_export_frame, export_write
from tests.commerce.factories import make_shop


@pytest.fixture
def shops(org):
    """Shops to choose from when starting an order import: two Douyin shops and a Taobao one of EC,
    and a Douyin shop of the live-stream centre (LC) that EC staff may not choose."""
    return {
        "douyin": make_shop(platform="douyin", name="抖音旗舰店"),
        "douyin2": make_shop(platform="douyin", name="抖音二店"),
        "taobao": make_shop(platform="taobao", name="天猫店"),
        "elsewhere": make_shop(platform="douyin", name="直播中心抖店", department_code="LC"),
    }


@pytest.fixture
def douyin_shop(org):
    return make_shop(platform="douyin", name="抖音旗舰店")


SAMPLE_PRODUCTS = [
    SampleProduct("3580000000000000001", "SKU-A1", "玻尿酸补水面膜 10片装", "10片", 9900),
    SampleProduct("3580000000000000002", "SKU-B2", "氨基酸洗面奶", "120ml", 5990),
    SampleProduct("3580000000000000003", "", "无编码赠品礼盒", "", 129900),
]
SAMPLE_ANCHORS = [SampleAnchor("71000001", "小美直播间"), SampleAnchor("71000002", "阿强好物")]


@pytest.fixture
def douyin_file(imp_data):
    """A 400-line 抖店 export (BOM, tab-prefixed IDs, thousands separators, a note with a newline)."""

    def make(lines: int = 400, *, name: str = "orders.csv", now: dt.datetime | None = None, **kwargs):
        frame = douyin_export_frame(
            lines=lines,
            start=dt.datetime(2026, 10, 1, 8, 0, 0),
            days=10,
            products=SAMPLE_PRODUCTS,
            anchors=SAMPLE_ANCHORS,
            now=now or dt.datetime(2026, 11, 1),
            **kwargs,
        )
        return export_write(frame, imp_data / name), frame

    return make
