"""Browser test of the issue's "done when" in Debian's Chromium: the head of e-commerce uploads the
real Tmall order report and watches the job to the end with every order accounted for; imports a
抖店 export with bad rows and downloads the rejects; imports it again and nothing changes; opens the
shop dashboard, an anchor's and a product's attributed sales. Any console error, page error or failed
request fails the test (the rejects download aside, which is a file, not a page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.e2e_support import e2e_marks

pytestmark = e2e_marks
TMALL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tmall_order_report.csv"


def _wait_done(page, run_pk: int) -> None:
    """Run the queued job as the worker would, then let the page's poll pick up the end state."""
    from liveops.core.imports.tasks import import_run_task

    assert import_run_task.call(run_pk) == "succeeded"
    page.wait_for_selector("#job-progress .progress-bar.bg-success", timeout=15_000)


@pytest.mark.skipif(not TMALL.exists(), reason="../shared/data/tmall_order_report.csv is not there")
def test_head_of_ecommerce_imports_and_follows_orders(
    live_server, transactional_db, browser_page, settings, tmp_path
):
    import polars as pl

    from liveops.commerce.models import AnchorAccount, OrderLine
    from liveops.commerce.samples import douyin_export_frame, export_write
    from liveops.core.models import ImportRun
    from liveops.org.bootstrap import org_template_load
    from liveops.sourcing.models import Sku
    from tests.commerce.conftest import SAMPLE_ANCHORS, SAMPLE_PRODUCTS
    from tests.commerce.factories import make_shop
    from tests.conftest import PASSWORD, make_person
    from tests.factories import make_merchant, make_product

    settings.DATA_DIR = tmp_path / "data"
    org_template_load()
    make_person("ec-head", "echead", name="电商经理")
    tmall = make_shop(platform="taobao", name="天猫旗舰店")
    douyin = make_shop(platform="douyin", name="抖音旗舰店")
    product = make_product(make_merchant(), title="玻尿酸补水面膜")
    Sku.objects.filter(product=product).update(sku_code="SKU-A1")
    page, problems = browser_page
    url = live_server.url

    page.goto(f"{url}/accounts/login/?next=/jobs/import/taobao-orders/")
    page.fill("#id_username", "echead")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:not([data-lang])")
    page.wait_for_url(f"{url}/jobs/import/taobao-orders/")

    # 1. The real Tmall file: every order accounted for.
    page.select_option("#id_shop", str(tmall.pk))
    page.set_input_files("#id_file", str(TMALL))
    page.click("form button[type=submit]")
    page.wait_for_url(f"{url}/jobs/*/")
    page.wait_for_selector("#job-progress .progress")
    run = ImportRun.objects.latest("pk")
    _wait_done(page, run.pk)
    run.refresh_from_db()
    assert run.rows_read == 28_010
    assert run.rows_read == run.rows_inserted + run.rows_updated + run.rows_unchanged + run.rows_rejected
    assert str(run.rows_read) in page.inner_text("#job-progress")

    # 2. A 抖店 export with two bad rows: the rest imports, the rejects download names their lines.
    frame = douyin_export_frame(
        lines=300,
        start=dt.datetime(2026, 10, 1, 8),
        days=10,
        products=SAMPLE_PRODUCTS,
        anchors=SAMPLE_ANCHORS,
        now=dt.datetime(2026, 11, 1),
    ).with_columns(
        pl.when(pl.int_range(pl.len()) == 4)
        .then(pl.lit("-1"))
        .otherwise(pl.col("商品数量"))
        .alias("商品数量"),
        pl.when(pl.int_range(pl.len()) == 9)
        .then(pl.lit("2026-02-30 10:00:00"))
        .otherwise(pl.col("订单提交时间"))
        .alias("订单提交时间"),
    )
    path = export_write(frame, tmp_path / "抖店订单.csv")
    for attempt in (1, 2):
        page.goto(f"{url}/jobs/import/douyin-orders/")
        page.select_option("#id_shop", str(douyin.pk))
        page.set_input_files("#id_file", str(path))
        page.click("form button[type=submit]")
        page.wait_for_url(f"{url}/jobs/*/")
        run = ImportRun.objects.latest("pk")
        _wait_done(page, run.pk)
        run.refresh_from_db()
        assert (run.rows_read, run.rows_rejected) == (300, 2)
        if attempt == 1:
            assert run.rows_inserted == 298
            with page.expect_download() as download:
                page.click("a[href$='rejects.csv']")
            text = Path(download.value.path()).read_text(encoding="utf-8-sig")
            assert text.count("\n") == 3 and "商品数量" in text and "订单提交时间" in text
        else:
            # 3. The same file again: nothing changes.
            assert (run.rows_inserted, run.rows_updated, run.rows_unchanged) == (0, 0, 298)

    # 4. The shop dashboard, an anchor's sales, a product's sales.
    page.goto(f"{url}/commerce/shops/{douyin.pk}/dashboard/")
    page.wait_for_selector("canvas, svg")
    assert "抖音旗舰店" in page.inner_text("main")
    anchor = AnchorAccount.objects.get(platform_anchor_id=SAMPLE_ANCHORS[0].anchor_id)
    page.goto(f"{url}/commerce/anchors/{anchor.pk}/")
    assert SAMPLE_ANCHORS[0].nickname in page.inner_text("main")
    page.goto(f"{url}/commerce/products/{product.pk}/sales/")
    assert product.title in page.inner_text("main")
    assert OrderLine.objects.filter(product=product).exists()
    assert not problems, problems
