"""Shared set-up of the browser tests: Debian's Chromium driven by Playwright's sync API.

Never ``playwright install``: the browser is the distribution's /usr/bin/chromium (scripts/test
installs it). Import ``browser_page`` and ``e2e_marks`` into a test module to use them."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these, Chromium keeps trying to reach Google's hosts, which this network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

e2e_marks = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"
    ),
]


@pytest.fixture
def browser_page(monkeypatch):
    """A fresh Chromium page in a Chinese browser, plus the list of problems seen (console errors,
    page errors, failed requests, HTTP errors) for the test to assert empty."""
    # Playwright's sync API runs an asyncio loop in this thread; Django's ORM refuses to run while a
    # loop is running unless told it is safe (it is: the loop only drives the browser).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # The page language must come from the app (Chinese by default), not from the browser.
        context = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 1000})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on(
            "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        # The browser aborts its favicon request when a click navigates before it finished: not a
        # problem of the page.
        page.on(
            "requestfailed",
            lambda r: (
                None
                if r.url.endswith("/favicon.svg") and "ERR_ABORTED" in (r.failure or "")
                else problems.append(f"request failed: {r.url} {r.failure}")
            ),
        )
        page.on(
            "response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None
        )
        try:
            yield page, problems
        finally:
            # While Playwright's loop runs, Django keeps this thread's connections in a context
            # variable (asgiref's Local), apart from the ones it sees once the loop has stopped; left
            # open, the test's connection keeps the PostgreSQL test database from being dropped.
            from django.db import connections

            connections.close_all()
            context.close()
            browser.close()
