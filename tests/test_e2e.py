"""Browser test: the demo company seen by the general manager in Debian's Chromium (Playwright, sync API).

One flow, so the browser starts once: log in, org chart (ECharts canvas, 6 centres / 15 departments),
a department page with its duties, the governance register with an overdue badge, duty coverage with
every duty, then the switch to English. Static files come from the live server (staticfiles finders);
any console error, page error or failed request fails the test. A screenshot of the org chart is left
at /tmp/liveops-orgchart.png for a human to look at (not committed).

Never ``playwright install``: the browser is the distribution's /usr/bin/chromium (scripts/test installs it).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from tests.e2e_support import e2e_marks

SCREENSHOT = Path(tempfile.gettempdir()) / "liveops-orgchart.png"  # /tmp/liveops-orgchart.png
pytestmark = e2e_marks


def test_general_manager_walks_through_the_company(live_server, transactional_db, browser_page):
    from liveops.core.selectors import duty_coverage
    from liveops.org.demo import DEMO_PASSWORD, demo_build
    from liveops.org.models import Duty

    demo_build()
    n_duties = Duty.objects.count()
    assert n_duties == len(duty_coverage())
    page, problems = browser_page
    url = live_server.url

    # Log in through the form.
    page.goto(f"{url}/accounts/login/?next=/org/")
    page.fill("#id_username", "gm")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form button[type=submit]:not([data-lang])")
    page.wait_for_url(f"{url}/org/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # Org chart: htmx and ECharts loaded from our own static files, the tree drawn on a canvas.
    page.wait_for_function("() => window.echarts !== undefined && window.htmx !== undefined")
    canvas = page.locator("#org-chart canvas")
    canvas.first.wait_for(state="visible")
    box = canvas.first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    assert page.evaluate("() => !!echarts.getInstanceByDom(document.getElementById('org-chart'))")
    assert re.search(r"\b6\D+15\b", page.locator("#org-summary").inner_text()), page.locator(
        "#org-summary"
    ).inner_text()
    page.wait_for_timeout(300)  # let the tree's entry animation finish before the screenshot
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Click through to a department: its duties are listed.
    page.click("#org-list a[href='/org/units/EC/']")
    page.wait_for_url(f"{url}/org/units/EC/")
    duty_ids = page.locator("#duties td.duty-id").all_inner_texts()
    assert "EC-1" in duty_ids
    assert set(duty_ids) == set(Duty.objects.filter(department__code="EC").values_list("code", flat=True))

    # Governance register: the demo year leaves action items overdue.
    page.goto(f"{url}/org/governance/")
    assert page.locator("#resolutions tbody tr").count() >= 12
    assert page.locator("#overdue li .badge.text-bg-danger").count() >= 1
    assert page.locator("#resolutions .badge.text-bg-danger[title]").count() >= 1

    # Duty coverage: one row per duty of the duty map.
    page.goto(f"{url}/audit/duties/")
    assert page.locator("#duty-table tbody tr[data-duty]").count() == n_duties

    # Switch to English with the language button.
    page.click("#lang-form button[data-lang='en']")
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.url == f"{url}/audit/duties/"
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.locator("#duty-table tbody tr[data-duty]").count() == n_duties
    page.goto(f"{url}/org/")  # the preference sticks
    assert page.locator("html").get_attribute("lang") == "en"
    assert "centres" in page.locator("#org-summary").inner_text()

    assert problems == []
