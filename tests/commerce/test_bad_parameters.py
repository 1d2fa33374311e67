"""Bad parameters get a 4xx (or are ignored), never a 500: dates at the ends of the calendar, forged
cursors, digits that are not ASCII (``"²".isdigit()`` is true but ``int("²")`` fails)."""

from __future__ import annotations

import base64
import json

import pytest

from liveops.commerce.models import Campaign
from tests.commerce import test_dashboards_data as world

pytestmark = pytest.mark.django_db
dash = world.dash  # the shared fixture


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


GETS = [
    ("/commerce/settlements/", {"date_from": "9999-12-30", "date_to": "9999-12-31"}),
    ("/commerce/settlements/", {"date_from": "0001-01-01", "date_to": "0001-01-02"}),
    ("/api/v1/commerce/aftersales/", {"applied_from": "0001-01-01"}),
    ("/api/v1/commerce/aftersales/", {"applied_to": "9999-12-31T23:59:59"}),
    ("/api/v1/commerce/settlements/", {"occurred_from": "0001-01-01"}),
    ("/api/v1/commerce/refund-rates/", {"date_to": "0001-01-01"}),
    ("/api/v1/commerce/budgets/", {"shop": "²"}),
    ("/api/v1/commerce/budgets/", {"campaign": "²"}),
    ("/api/v1/commerce/kpi-tracking/", {"shop": "²"}),
    ("/api/v1/commerce/product-performance/", {"shop": "²"}),
    ("/commerce/orders/", {"cursor": _cursor("p|0001-01-01T00:00:00+14:00|1")}),
    ("/commerce/orders/", {"cursor": _cursor("p|2026-01-01T00:00:00+08:00|99999999999999999999")}),
    ("/commerce/orders/", {"ordering": "new", "cursor": _cursor("i|99999999999999999999")}),
    ("/audit/history/commerce.order/99999999999999999999/", {}),
    ("/audit/history/commerce.order/²/", {}),
    ("/audit/history/commerce.aftersale/²/", {}),
]


@pytest.mark.parametrize(("url", "params"), GETS)
def test_bad_query_parameters_never_give_a_server_error(dash, client_for, url, params):
    client = client_for("member")
    client.raise_request_exception = False
    response = client.get(url, params)
    assert response.status_code in (200, 302, 400, 403, 404), (url, params, response.status_code)


def test_bad_dates_are_named_in_the_error(dash, client_for):
    client = client_for("member")
    response = client.get("/api/v1/commerce/settlements/", {"occurred_from": "0001-01-01"})
    assert response.status_code == 400 and "occurred_from" in response.json()["fields"]
    response = client.get("/api/v1/commerce/refund-rates/", {"date_to": "0001-01-01"})
    assert response.status_code == 400 and "date_to" in response.json()["fields"]


def test_relink_with_a_non_ascii_digit_is_not_found(dash, client_for):
    client = client_for("member")
    client.raise_request_exception = False
    assert client.post("/commerce/aftersales/relink/", {"shop": "²"}).status_code == 404


def test_campaign_at_the_end_of_the_calendar_is_refused(dash, client_for):
    """Its day-by-day figures would overflow Python's dates: refused, naming the field."""
    client = client_for("member")
    body = {"name": "远期活动", "starts_on": "9999-12-01", "ends_on": "9999-12-31", "shops": [dash.ec.pk]}
    response = client.post("/api/v1/commerce/campaigns/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert "starts_on" in response.json()["fields"]
    assert not Campaign.objects.filter(name="远期活动").exists()
