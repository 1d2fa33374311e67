"""Browser test: the EC manager opens the shop dashboard (ECharts drawn from our static files, no
console error), switches to weeks, follows an anchor and a product, then opens an order and shows
the buyer's contact through htmx. Screenshots are left at /tmp/liveops-shop-dashboard.png and
/tmp/liveops-order.png for a human to look at (not committed)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.commerce import test_dashboards_data as world
from tests.commerce.test_dashboards_data import D1, D3
from tests.conftest import PASSWORD
from tests.e2e_support import e2e_marks

pytestmark = e2e_marks
dash = world.dash  # the shared fixture
SHOTS = Path(tempfile.gettempdir())


def test_manager_reads_the_dashboard_and_an_order(
    live_server, transactional_db, dash, personas, browser_page
):
    from liveops.core.models import AuditAction, AuditEntry

    page, problems = browser_page
    url = live_server.url
    page.goto(f"{url}/accounts/login/?next=/commerce/shops/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:not([data-lang])")
    page.wait_for_url(f"{url}/commerce/shops/")
    page.click(f"#shops a[href='/commerce/shops/{dash.ec.pk}/dashboard/']")
    page.wait_for_url(f"{url}/commerce/shops/{dash.ec.pk}/dashboard/")

    page.goto(f"{url}/commerce/shops/{dash.ec.pk}/dashboard/?date_from={D1}&date_to={D3}")
    page.wait_for_function("() => window.echarts !== undefined")
    for chart in ("chart-gmv", "chart-buyers", "chart-rates", "chart-hours"):
        page.locator(f"#{chart} canvas").first.wait_for(state="visible")
        assert page.evaluate(f"() => !!echarts.getInstanceByDom(document.getElementById('{chart}'))"), chart
    assert page.locator("#fig-gmv").inner_text() == "440.00"
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "liveops-shop-dashboard.png"), full_page=True)

    page.select_option("#id_grain", "week")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url("**grain=week**")
    assert page.locator("#period-table tbody tr").count() == 2

    page.click(f"#breakdown-anchor a[href^='/commerce/anchors/{dash.a1.pk}/']")
    page.locator("#chart-days canvas").first.wait_for(state="visible")
    assert "小美直播间" in page.locator("h1").inner_text()
    page.go_back()
    page.click(f"#breakdown-product a[href^='/commerce/products/{dash.p1.pk}/sales/']")
    page.locator("#chart-days canvas").first.wait_for(state="visible")

    page.goto(f"{url}/commerce/orders/")
    page.click(f"a[href='/commerce/orders/{dash.order_a.pk}/']")
    assert "138****5678" in page.locator("#buyer-contact").inner_text()
    page.click("#reveal")
    page.locator("#contact-phone").wait_for()
    assert "13812345678" in page.locator("#contact-phone").inner_text()
    page.screenshot(path=str(SHOTS / "liveops-order.png"), full_page=True)
    assert (
        AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL, object_id=str(dash.order_a.pk)).count()
        == 1
    )
    assert problems == []
