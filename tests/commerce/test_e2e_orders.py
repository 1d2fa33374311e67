"""Browser test of the order imports' "done when", in Debian's Chromium, as a newcomer does it.

An EC shop operator logs in, finds the Tmall order import on the background-jobs page, chooses the
department's Tmall shop, uploads the real Tmall order report (``../shared/data/tmall_order_report.csv``,
28,010 orders) and watches the progress bar to the end: every order is accounted for (rows read =
inserted + rejected), and the numbers on the page are those of the database. Then a 抖店 export with
three bad rows (a negative quantity, an impossible date, an empty sub-order number): the rest imports
and the downloaded rejects report names each line and its reason; imported again, nothing is inserted
or updated. Last, the shop dashboards, an anchor's and a product's attributed sales, whose figures must
be those of the order lines in the database.

Jobs run as the worker runs them (``import_run_task``), called by the test while the page polls the
job's progress. Any console error, page error or failed request fails the test (the rejects download
aside: the browser ends that request itself once it becomes a download).

Why the first attempt found no ``#id_shop``: the upload page prefixes every option of an import kind
with ``opt_`` (``liveops.core.imports.views.UploadForm``), so the shop select is ``#id_opt_shop``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.e2e_support import e2e_marks

pytestmark = e2e_marks

SHARED_DATA = Path(django_settings.BASE_DIR).parent / "shared" / "data"
TMALL = SHARED_DATA / "tmall_order_report.csv"
TMALL_ORDERS = 28_010
DOUYIN_LINES = 300
# Data rows (0-based) spoilt in the 抖店 export; the report counts lines from the header (line 1).
BAD_QUANTITY, BAD_DATE, NO_SUB_ORDER = 3, 5, 7
SAMPLE_START = dt.datetime(2026, 10, 1, 8, 0, 0)
SAMPLE_DAYS = 10


def _number(text: str) -> int:
    """A count or an amount as the page writes it (``28,010``, ``1,234.56``) → int (fen for amounts)."""
    digits = re.sub(r"[^\d.]", "", text)
    return int(round(float(digits) * 100)) if "." in digits else int(digits)


def _counts_on_page(page) -> dict[str, int]:
    return {
        name: _number(page.locator(f"#job-progress [data-count='{name}']").inner_text())
        for name in ("read", "inserted", "updated", "unchanged", "rejected")
    }


def _watch_progress(page) -> None:
    """Record every percentage the progress bar shows (htmx swaps the fragment once a second)."""
    page.evaluate(
        """() => {
          window.__percents = [];
          const note = () => {
            const bar = document.querySelector('#job-progress [role=progressbar]');
            if (bar) window.__percents.push(Number(bar.getAttribute('aria-valuenow')));
          };
          note();
          new MutationObserver(note).observe(
            document.querySelector('#job-progress').parentElement, {childList: true, subtree: true});
        }"""
    )


def _upload(page, url: str, *, shop, path: Path):
    """Choose the shop and the file on the upload page, send it, land on the new job's page, and run
    the job as the worker does while the page polls; returns the finished run."""
    from liveops.core.imports.tasks import import_run_task
    from liveops.core.models import ImportRun

    before = ImportRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    page.select_option("#id_opt_shop", str(shop.pk))
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/jobs/\d+/$"), timeout=60_000)
    run = ImportRun.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert run.pk > before and run.options["shop"] == shop.pk and run.status == "queued"
    # Queued: the bar stands at 0 and the fragment polls.
    page.wait_for_selector("#job-progress[hx-get] [role=progressbar][aria-valuenow='0']")
    _watch_progress(page)
    assert import_run_task.call(run.pk) == "succeeded"
    bar = page.wait_for_selector(
        "#job-progress:not([hx-get]) .progress-bar:not(.progress-bar-animated)",
        state="attached",
        timeout=30_000,
    )
    run.refresh_from_db()
    # Finished: green when every row went in, amber when some were rejected (the outcome says so).
    assert ("bg-warning" if run.rows_rejected else "bg-success") in bar.get_attribute("class")
    percents = page.evaluate("() => window.__percents")
    assert percents[0] == 0 and percents[-1] == 100, percents
    assert percents == sorted(percents), f"the bar went backwards: {percents}"
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert run.rows_read == run.rows_inserted + run.rows_updated + run.rows_unchanged + run.rows_rejected
    assert _counts_on_page(page) == {
        "read": run.rows_read,
        "inserted": run.rows_inserted,
        "updated": run.rows_updated,
        "unchanged": run.rows_unchanged,
        "rejected": run.rows_rejected,
    }
    return run


def _paid_figures(lines) -> dict[str, int]:
    """GMV, paid orders and units of order lines as the dashboards count them: lines paid in the
    period, orders counted once a day on the day of payment."""
    from django.db.models import Count, Sum

    paid = lines.filter(paid_at__isnull=False)
    sums = paid.aggregate(gmv=Sum("amount_paid_fen"), units=Sum("quantity"))
    per_day = paid.values("day").annotate(n=Count("order_id", distinct=True))
    return {"gmv": sums["gmv"] or 0, "orders": sum(r["n"] for r in per_day), "units": sums["units"] or 0}


def _figures_on_page(page, *names: str) -> dict[str, int]:
    return {name: _number(page.locator(f"#fig-{name}").inner_text()) for name in names}


def _douyin_export_with_bad_rows(folder: Path) -> Path:
    import polars as pl

    from liveops.commerce.samples import douyin_export_frame, export_write
    from tests.commerce.conftest import SAMPLE_ANCHORS, SAMPLE_PRODUCTS

    frame = douyin_export_frame(
        lines=DOUYIN_LINES,
        start=SAMPLE_START,
        days=SAMPLE_DAYS,
        products=SAMPLE_PRODUCTS,
        anchors=SAMPLE_ANCHORS,
        now=dt.datetime(2026, 11, 1),
    )
    row = pl.int_range(pl.len())

    def spoil(index: int, column: str, value: str) -> pl.Expr:
        return pl.when(row == index).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)

    frame = frame.with_columns(
        spoil(BAD_QUANTITY, "商品数量", "-1"),
        spoil(BAD_DATE, "订单提交时间", "2026-02-30 10:00:00"),
        spoil(NO_SUB_ORDER, "子订单编号", ""),
    )
    return export_write(frame, folder / "抖店订单导出.csv")


def _login(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/?next=/jobs/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]:not([data-lang])")
    page.wait_for_url(f"{url}/jobs/")


@pytest.mark.skipif(
    not TMALL.is_file(),
    reason=f"the real Tmall order report is not there ({TMALL}; ../shared/data/ is absent)",
)
def test_operator_imports_orders_and_follows_them_to_the_dashboards(
    live_server, transactional_db, browser_page, settings, tmp_path
):
    from django.utils import translation
    from django.utils.translation import gettext

    from liveops.commerce.models import AnchorAccount, Order, OrderLine
    from liveops.org.bootstrap import org_template_load
    from liveops.sourcing.models import Sku
    from tests.commerce.conftest import SAMPLE_ANCHORS
    from tests.commerce.factories import make_shop
    from tests.conftest import PASSWORD, make_person
    from tests.factories import make_merchant, make_product

    settings.DATA_DIR = tmp_path / "data"
    # Batches of 8,000 rows: the bar moves four times on the way through the Tmall file.
    settings.LIVEOPS_IMPORT_BATCH_ROWS = 8_000
    org_template_load()
    make_person("ec-shop-operator", "ecstaff", name="电商运营新人")
    tmall = make_shop(platform="taobao", name="天猫旗舰店")
    douyin = make_shop(platform="douyin", name="抖音旗舰店")
    make_shop(platform="douyin", name="直播中心抖店", department_code="LC")  # not the operator's
    # A library product whose SKU code is the export's 商家编码 SKU-A1: its lines are attributed.
    product = make_product(make_merchant(), title="玻尿酸补水面膜")
    Sku.objects.filter(product=product).update(sku_code="SKU-A1")
    douyin_path = _douyin_export_with_bad_rows(tmp_path)
    page, problems = browser_page
    url = live_server.url

    # 1. Log in; the background-jobs page offers the imports the operator may run.
    _login(page, url, "ecstaff", PASSWORD)
    page.click("a[href='/jobs/new/taobao-orders/']")
    page.wait_for_url(f"{url}/jobs/new/taobao-orders/")
    shops_offered = page.locator("#id_opt_shop option").evaluate_all("os => os.map(o => o.value)")
    assert shops_offered == [str(tmall.pk)], shops_offered  # only the department's Tmall shop

    # 2. The real Tmall file: every order accounted for, the page agrees with the database.
    run = _upload(page, url, shop=tmall, path=TMALL)
    assert run.rows_read == TMALL_ORDERS == run.rows_inserted + run.rows_rejected
    shown = _counts_on_page(page)
    assert shown["read"] == TMALL_ORDERS == shown["inserted"] + shown["rejected"]
    assert Order.objects.filter(shop=tmall).count() == run.rows_inserted
    assert OrderLine.objects.filter(shop=tmall).count() == run.rows_inserted
    assert run.file_name == TMALL.name

    # 3. A 抖店 export with three bad rows: the rest imports, the rejects report says which and why.
    page.goto(f"{url}/jobs/import/douyin-orders/")
    run = _upload(page, url, shop=douyin, path=douyin_path)
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (DOUYIN_LINES, DOUYIN_LINES - 3, 3)
    assert OrderLine.objects.filter(shop=douyin).count() == DOUYIN_LINES - 3
    with page.expect_download() as download_info:
        page.click("#job-progress a[href$='/rejects.csv']")
    download = download_info.value
    assert download.suggested_filename == f"rejects-{run.pk}.csv"
    report = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    with translation.override("zh-hans"):  # the report speaks the uploader's language
        line, column, reason = gettext("line"), gettext("column"), gettext("reason")
        expected = {
            (str(BAD_QUANTITY + 2), "商品数量"): gettext("The quantity must not be negative."),
            (str(BAD_DATE + 2), "订单提交时间"): gettext(
                "Not a possible date and time (write it as 2026-01-03 09:33:16)."
            ),
            (str(NO_SUB_ORDER + 2), "子订单编号"): gettext("A value is required."),
        }
    assert {(r[line], r[column]): r[reason] for r in report} == expected, report

    # 4. The same file again: nothing inserted, nothing updated.
    page.goto(f"{url}/jobs/import/douyin-orders/")
    again = _upload(page, url, shop=douyin, path=douyin_path)
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged, again.rows_rejected) == (
        0,
        0,
        DOUYIN_LINES - 3,
        3,
    )
    shown = _counts_on_page(page)
    assert (shown["inserted"], shown["updated"], shown["unchanged"]) == (0, 0, DOUYIN_LINES - 3)
    assert OrderLine.objects.filter(shop=douyin).count() == DOUYIN_LINES - 3

    # 5. Dashboards: the figures are those of the order lines in the database.
    def dashboard(shop, date_from: str, date_to: str) -> None:
        page.goto(f"{url}/commerce/shops/{shop.pk}/dashboard/?date_from={date_from}&date_to={date_to}")
        page.locator("#chart-gmv canvas").first.wait_for(state="visible")
        assert shop.name in page.locator("h1").inner_text()
        lines = OrderLine.objects.filter(shop=shop, day__range=(date_from, date_to))
        want = _paid_figures(lines)
        assert _figures_on_page(page, "gmv", "orders") == {"gmv": want["gmv"], "orders": want["orders"]}
        assert want["gmv"] > 0 and want["orders"] > 0

    tmall_days = OrderLine.objects.filter(shop=tmall, paid_at__isnull=False).order_by("day")
    first, last = tmall_days.first().day, tmall_days.last().day
    dashboard(tmall, first.isoformat(), last.isoformat())
    # Every paid Tmall order is in that range, and counted once.
    assert (
        _figures_on_page(page, "orders")["orders"]
        == Order.objects.filter(shop=tmall, paid_at__isnull=False).count()
    )
    sample_range = ("2026-10-01", "2026-10-31")
    dashboard(douyin, *sample_range)

    # The anchor's and the product's attributed sales, over the same days.
    query = f"date_from={sample_range[0]}&date_to={sample_range[1]}"
    anchor = AnchorAccount.objects.get(platform_anchor_id=SAMPLE_ANCHORS[0].anchor_id)
    page.goto(f"{url}/commerce/anchors/{anchor.pk}/?{query}")
    page.locator("#chart-days canvas").first.wait_for(state="visible")
    assert SAMPLE_ANCHORS[0].nickname in page.locator("h1").inner_text()
    want = _paid_figures(OrderLine.objects.filter(anchor_account=anchor, day__range=sample_range))
    assert want["gmv"] > 0
    assert _figures_on_page(page, "gmv", "orders", "units") == want
    assert douyin.name in page.locator("#by-shop").inner_text()

    page.goto(f"{url}/commerce/products/{product.pk}/sales/?{query}")
    page.locator("#chart-days canvas").first.wait_for(state="visible")
    assert product.title in page.locator("h1").inner_text()
    want = _paid_figures(OrderLine.objects.filter(product=product, day__range=sample_range))
    assert want["gmv"] > 0
    assert _figures_on_page(page, "gmv", "orders", "units") == want

    # The download is a request the browser ends itself; nothing else may have gone wrong.
    others = [p for p in problems if not (p.startswith("request failed") and "/rejects.csv" in p)]
    assert others == [], others
