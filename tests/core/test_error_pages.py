"""403 and 404 answer in the site's layout and language; a refusal is logged as one line."""

from __future__ import annotations

import logging
import sys

import pytest
from django.conf import settings

from liveops.core.logging import ClientErrorsOneLine


@pytest.mark.django_db
def test_forbidden_page_is_translated_and_has_the_navigation(client_for):
    response = client_for("member").get("/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您无权打开此页面" in html
    assert 'data-status="403"' in html
    assert 'id="site-nav' in html  # the layout's navigation, not Django's bare page
    assert "403 Forbidden" not in html


@pytest.mark.django_db
def test_not_found_page_is_translated_and_has_the_navigation(client_for):
    response = client_for("member").get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert 'id="site-nav' in html
    assert "The requested resource was not found" not in html


@pytest.mark.django_db
def test_not_found_page_for_an_anonymous_visitor(client):
    response = client.get("/no-such-page/")
    assert response.status_code in (302, 404)  # deny by default may send a stranger to the login first
    if response.status_code == 404:
        assert "页面不存在" in response.content.decode()


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("refused")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), exc_info
    )
    record.status_code = status
    return record


def test_client_errors_are_logged_as_one_line_and_server_errors_keep_their_traceback():
    one_line = ClientErrorsOneLine()
    formatter = logging.Formatter()
    forbidden = _record(403)
    assert one_line.filter(forbidden)
    assert formatter.format(forbidden) == "Forbidden: /x/"
    failure = _record(500)
    assert one_line.filter(failure)
    assert "Traceback" in formatter.format(failure)


def test_the_console_handler_uses_the_one_line_filter():
    handler = settings.LOGGING["handlers"]["console"]
    assert "client_errors_one_line" in handler["filters"]
    assert (
        settings.LOGGING["filters"]["client_errors_one_line"]["()"]
        == "liveops.core.logging.ClientErrorsOneLine"
    )
