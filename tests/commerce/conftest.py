"""Fixtures of the e-commerce tests: a Douyin shop of the EC department, sample exports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from liveops.commerce.samples import SampleAnchor, SampleProduct, douyin_export_frame, export_write
from tests.commerce.factories import make_shop


@pytest.fixture
def imp_data(settings, tmp_path):
    """Stored files, rejects reports and staging in a temporary data folder; messages in English."""
    settings.DATA_DIR = tmp_path / "data"
    with translation.override("en"):
        yield tmp_path


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
