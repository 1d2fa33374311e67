"""Browser test: every page a demo login can reach from its navigation, at a phone's size and a desktop's.

For each demo login (admin, the README's logins, the QC inspector), the test logs in, reads the links of
its navigation (``#site-nav``, built from ``core.navigation``: a new page joins the walk by being in the
navigation) and opens each page at 390 × 844 and at 1400 × 900. A page fails when

- the page body scrolls sideways (``scrollWidth > clientWidth`` of the document element);
- at 390 px the navigation is not collapsed behind the menu button, or the header wraps onto a second line;
- axe-core (from ``node_modules``, the npm registry; WCAG 2 A/AA rules) reports a serious or critical
  violation;
- the page answers with a server error or throws a JavaScript error.

Run time is bounded: a page is opened once per size, by the first login (in the order below) whose
navigation links it; every login still has its home page and its own navigation checked. Set
``LIVEOPS_LAYOUT_WALK=all`` to open every login's every page (several times longer). The walk runs on
SQLite only: the layout comes from the templates and the CSS, the same on both databases, and the walk
(about a hundred pages, twice) costs minutes; ``LIVEOPS_LAYOUT_WALK=1`` runs it on PostgreSQL too.

Never ``playwright install``: the browser is the distribution's /usr/bin/chromium (scripts/test installs it).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e_support import CHROMIUM, CHROMIUM_ARGS, e2e_marks

pytestmark = e2e_marks

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
SERIOUS = ("serious", "critical")
# The header is one line: the tallest of its buttons plus its padding (two lines would be ~80 px).
HEADER_MAX_HEIGHT = 60

# axe-core with the WCAG 2 A and AA rules; only what a user of a screen reader or a keyboard (or with
# low vision) cannot get past fails the walk. The nodes are cut to their selector to keep messages short.
_AXE_RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                     resultTypes: ['violations']});
  return r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""
_OVERFLOW = """() => {
  const d = document.documentElement;
  if (d.scrollWidth <= d.clientWidth) return null;
  // Name the widest elements sticking out, so the failure says what to fix.
  const out = [];
  for (const el of document.querySelectorAll('.site-main *')) {
    const r = el.getBoundingClientRect();
    if (r.right > d.clientWidth + 1 && !el.closest('.table-responsive, .offcanvas-lg')) {
      out.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + [...el.classList].join('.')) + ' ' + Math.round(r.right));
      if (out.length >= 3) break;
    }
  }
  return {overflow: d.scrollWidth - d.clientWidth, culprits: out};
}"""


def login_order() -> list[str]:
    """The demo logins: the general manager first (a manager's pages carry the most columns and
    buttons), then the README's order, the QC inspector, and the superuser for the pages no role reaches."""
    from liveops.org.demo import DEMO_LOGINS
    from liveops.sourcing.demo import QC_LOGIN

    return ["gm", *[name for name in DEMO_LOGINS if name != "gm"], QC_LOGIN, "admin"]


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]:not([data-lang])")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def nav_links(page, base_url: str) -> list[str]:
    """The paths linked from the navigation of the page open in ``page`` (same origin, in order, once)."""
    hrefs = page.eval_on_selector_all("#site-nav a[href]", "els => els.map(e => e.href)")
    paths: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base_url or not parts.path.startswith("/"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def check_page(page, base_url: str, path: str, *, size: dict, axe: bool = True) -> list[str]:
    """Open ``path`` at ``size``; return the problems found (empty when the page passes)."""
    problems: list[str] = []
    where = f"{path} at {size['width']} px"
    page.set_viewport_size(size)
    response = page.goto(f"{base_url}{path}", wait_until="load")
    if response is None or response.status >= 400:
        return [f"{where}: HTTP {response.status if response else '—'}"]
    page.wait_for_timeout(50)  # let layout.js wrap the tables and the charts settle to their width
    overflow = page.evaluate(_OVERFLOW)
    if overflow:
        problems.append(
            f"{where}: the page scrolls sideways by {overflow['overflow']} px ({overflow['culprits']})"
        )
    if size["width"] < 992:  # below Bootstrap's lg breakpoint
        if page.locator("#site-nav").count() and page.locator("#site-nav").is_visible():
            problems.append(f"{where}: the navigation is not collapsed")
        if page.locator("#site-nav").count() and not page.locator("#nav-toggle").is_visible():
            problems.append(f"{where}: no menu button")
        height = page.locator(".site-header").bounding_box()["height"]
        if height > HEADER_MAX_HEIGHT:
            problems.append(f"{where}: the header wraps ({height:.0f} px high)")
    if axe:
        page.add_script_tag(path=str(AXE))
        for v in page.evaluate(_AXE_RUN):
            problems.append(f"{where}: axe {v['impact']} {v['id']} ({v['help']}): {v['nodes']}")
    return problems


@pytest.fixture
def chromium(monkeypatch):
    """Debian's Chromium through Playwright's sync API; contexts are opened by the test (one per login)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            from django.db import connections

            connections.close_all()
            browser.close()


def walk_login(
    browser, base_url: str, username: str, *, walked: set[str], walk_all: bool
) -> tuple[list[str], int]:
    """Log in as ``username``, check its navigation opens and closes on a phone, and check its home page
    and each page its navigation links that no earlier login has walked (all of them with
    ``walk_all``). Returns the problems found and the number of pages opened."""
    from liveops.org.demo import DEMO_PASSWORD

    problems: list[str] = []
    # bypass_csp: axe is injected as an inline script, which the app's Content Security Policy
    # (rightly) refuses. The app's own scripts are checked under the CSP by the other browser tests.
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("pageerror", lambda e: problems.append(f"page error {e} at {page.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    opened = 0
    try:
        log_in(page, base_url, username, DEMO_PASSWORD)
        page.goto(f"{base_url}/")
        links = nav_links(page, base_url)
        if not links:
            return ["no navigation links on the home page"], 0
        # The menu button opens the navigation on a phone, and its close button closes it.
        page.set_viewport_size(PHONE)
        page.click("#nav-toggle")
        page.locator("#site-nav.show").wait_for(state="visible")
        if not page.locator("#site-nav a[href]").first.is_visible():
            problems.append("the menu button does not show the navigation's links")
        page.locator("#site-nav .btn-close").click()
        page.locator("#site-nav").wait_for(state="hidden")
        for path in ["/", *links]:
            if path in walked and path != "/" and not walk_all:
                continue
            walked.add(path)
            for size in (PHONE, DESKTOP):
                opened += 1
                problems += check_page(page, base_url, path, size=size)
    finally:
        context.close()
    return [f"{username}: {p}" for p in problems], opened


@pytest.mark.skipif(not AXE.exists(), reason="node_modules/axe-core is not installed (npm ci)")
def test_every_page_of_every_demo_login_fits_a_phone_and_passes_axe(live_server, transactional_db, chromium):
    from django.db import connection

    from liveops.org.demo import demo_build

    if connection.vendor != "sqlite" and not os.environ.get("LIVEOPS_LAYOUT_WALK"):
        # The layout is the templates' and the CSS's, the same on both databases; the walk costs
        # minutes, so CI runs it once, on SQLite (LIVEOPS_LAYOUT_WALK=1 runs it here too).
        pytest.skip("the layout walk runs on SQLite only (set LIVEOPS_LAYOUT_WALK=1 to run it here)")
    demo_build()
    walk_all = os.environ.get("LIVEOPS_LAYOUT_WALK") == "all"
    problems: list[str] = []
    walked: set[str] = set()
    opened = 0
    for username in login_order():
        found, n = walk_login(chromium, live_server.url, username, walked=walked, walk_all=walk_all)
        problems += found
        opened += n
    assert opened >= 2 * 20, f"only {opened} pages opened: is the navigation empty?"
    assert problems == [], "\n".join(problems)
