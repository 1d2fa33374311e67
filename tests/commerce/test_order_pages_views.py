"""Order pages: the list (filters, keyset paging, no count of the lines), the order with its lines,
attribution and fees, and the buyer's contact: masked, revealed only with
``commerce.view_personal`` over the shop's department (POST with CSRF), every reveal logged."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liveops.commerce.models import Order
from liveops.commerce.selectors import orders as sel
from liveops.core.access import access_for
from liveops.core.models import AuditAction, AuditEntry
from tests.commerce import test_dashboards_data as world
from tests.commerce.test_dashboards_data import D2

pytestmark = pytest.mark.django_db
dash = world.dash  # the shared fixture

EXPECTED = {"member": 200, "manager": 200, "auditor": 200, "admin": 200, "other": 403, "outsider": 403}


def listed(response) -> list[str]:
    return [o.order_no for o, _st in response.context["rows"]]


@pytest.mark.parametrize(("who", "expected"), EXPECTED.items())
def test_page_matrix(dash, client_for, who, expected):
    c = client_for(who)
    assert c.get(reverse("commerce-order-list")).status_code == expected
    assert c.get(reverse("commerce-order-detail", args=[dash.order_a.pk])).status_code == expected


def test_anonymous_is_sent_to_login(dash, client_for):
    for url in (reverse("commerce-order-list"), reverse("commerce-order-detail", args=[dash.order_a.pk])):
        response = client_for(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_shows_paid_orders_of_visible_shops_newest_payment_first(dash, client_for):
    r = client_for("member").get(reverse("commerce-order-list"))
    assert listed(r) == [
        dash.order_e.order_no,
        dash.order_d.order_no,
        dash.order_b.order_no,
        dash.order_a.order_no,
    ]
    html = r.content.decode()
    assert "张**" in html and "张三丰" not in html
    auditor = client_for("auditor").get(reverse("commerce-order-list"))
    assert dash.order_f.order_no in listed(auditor)
    # Another department's shop: not a choice for the member, so nothing is listed.
    r = client_for("member").get(reverse("commerce-order-list"), {"shop": dash.ls.pk})
    assert listed(r) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "closed"}, ["order_b"]),
        ({"aftersale": "refunded"}, ["order_b"]),
        ({"aftersale": "any"}, ["order_b"]),
        ({"status": "shipped"}, ["order_e"]),
        ({"status": "unpaid"}, ["order_c"]),
        ({"date_from": D2.isoformat(), "date_to": D2.isoformat()}, ["order_d"]),
        ({"ordering": "new"}, ["order_e", "order_d", "order_c", "order_b", "order_a"]),
    ],
)
def test_list_filters(dash, client_for, params, expected):
    r = client_for("member").get(reverse("commerce-order-list"), params)
    assert listed(r) == [getattr(dash, name).order_no for name in expected]


def test_search_by_order_and_sub_order_number(dash, client_for):
    c = client_for("member")
    assert listed(c.get(reverse("commerce-order-list"), {"q": dash.order_d.order_no})) == [
        dash.order_d.order_no
    ]
    r = c.get(reverse("commerce-order-list"), {"q": dash.line_a1.sub_order_no})
    assert listed(r) == [dash.order_a.order_no]
    # Another shop's order number finds nothing for the member.
    assert listed(c.get(reverse("commerce-order-list"), {"q": dash.order_f.order_no})) == []


def test_bad_dates_are_reported(dash, client_for):
    r = client_for("member").get(
        reverse("commerce-order-list"), {"date_from": "2026-03-05", "date_to": "2026-03-01"}
    )
    assert 'id="order-errors"' in r.content.decode()


@pytest.mark.parametrize("ordering", ["paid", "new"])
def test_keyset_pages_cover_every_order_once(dash, personas, ordering):
    access = access_for(personas["auditor"])
    filters = sel.OrderFilters(ordering=ordering)
    seen, cursor = [], ""
    for _ in range(10):
        page, cursor = sel.order_page(access=access, filters=filters, cursor=cursor, size=2)
        seen += [o.pk for o in page]
        if not cursor:
            break
    expected = Order.objects.all() if ordering == "new" else Order.objects.filter(paid_at__isnull=False)
    assert sorted(seen) == sorted(expected.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))
    if ordering == "paid":
        times = [Order.objects.get(pk=pk).paid_at for pk in seen]
        assert times == sorted(times, reverse=True)


def test_bad_cursor_starts_over(dash, personas):
    access = access_for(personas["member"])
    page, _next = sel.order_page(access=access, filters=sel.OrderFilters(), cursor="not-a-cursor!")
    assert len(page) == 4


def test_list_pages_without_counting(dash, client_for, monkeypatch):
    monkeypatch.setattr(sel, "PAGE_SIZE", 3)
    c = client_for("member")
    with CaptureQueriesContext(connection) as ctx:
        first = c.get(reverse("commerce-order-list"))
    assert "count(" not in "\n".join(q["sql"] for q in ctx.captured_queries).lower()
    assert len(listed(first)) == 3 and first.context["next_query"]
    second = c.get(reverse("commerce-order-list") + "?" + first.context["next_query"])
    assert listed(second) == [dash.order_a.order_no] and not second.context["next_query"]
    # htmx asks for the rows only.
    rows = c.get(reverse("commerce-order-list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="order-rows")
    assert "<table" not in rows.content.decode()


def test_detail_shows_lines_attribution_fees_masked(dash, client_for):
    r = client_for("member").get(reverse("commerce-order-detail", args=[dash.order_a.pk]))
    html = r.content.decode()
    assert len(r.context["lines"]) == 2 and r.context["totals"]["amount_paid_fen"] == 15000
    assert "小美直播间" in html and "玻尿酸补水面膜" in html and "测试品牌方" in html
    assert reverse("commerce-anchor-detail", args=[dash.a1.pk]) in html
    assert "138****5678" in html and "13812345678" not in html
    assert 'id="reveal"' not in html  # the operator may not unmask
    refunded = client_for("member").get(reverse("commerce-order-detail", args=[dash.order_b.pk]))
    assert refunded.context["totals"]["refund_fen"] == 20000
    assert "##AbCdEf" in refunded.content.decode()
    assert refunded.context["order"].contact_platform_encrypted


def test_detail_of_another_departments_order_is_not_found(dash, client_for):
    assert (
        client_for("member").get(reverse("commerce-order-detail", args=[dash.order_f.pk])).status_code == 404
    )
    assert (
        client_for("manager").get(reverse("commerce-order-detail", args=[dash.order_f.pk])).status_code == 404
    )
    assert (
        client_for("auditor").get(reverse("commerce-order-detail", args=[dash.order_f.pk])).status_code == 200
    )


def test_manager_reveals_the_contact_and_the_view_is_logged(dash, client_for):
    c = client_for("manager", enforce_csrf=True)
    detail = c.get(reverse("commerce-order-detail", args=[dash.order_a.pk]))
    assert 'id="reveal"' in detail.content.decode()
    token = (
        detail.cookies["csrftoken"].value if "csrftoken" in detail.cookies else c.cookies["csrftoken"].value
    )
    url = reverse("commerce-order-contact", args=[dash.order_a.pk])
    assert c.post(url).status_code == 403  # no CSRF token
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()
    r = c.post(url, {"csrfmiddlewaretoken": token})
    html = r.content.decode()
    assert r.status_code == 200 and "张三丰" in html and "13812345678" in html and "文三路1号" in html
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_PERSONAL)
    assert (entry.object_type, entry.object_id, entry.actor) == (
        "commerce.order",
        str(dash.order_a.pk),
        detail.wsgi_request.user,
    )
    assert entry.changes["fields"] == ["name", "phone", "address"]
    # Through htmx: only the contact block comes back; another log line.
    partial = c.post(url, {"csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "张三丰" in partial.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL).count() == 2


@pytest.mark.parametrize("who", ["member", "auditor", "other", "outsider"])
def test_reveal_needs_the_capability(dash, client_for, who):
    r = client_for(who).post(reverse("commerce-order-contact", args=[dash.order_a.pk]))
    assert r.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_reveal_is_post_only_and_scoped(dash, client_for):
    c = client_for("manager")
    assert c.get(reverse("commerce-order-contact", args=[dash.order_a.pk])).status_code == 405
    # The EC manager's capability does not reach the LS shop.
    assert c.post(reverse("commerce-order-contact", args=[dash.order_f.pk])).status_code == 404


def test_platform_encrypted_contact_is_labelled_and_not_logged(dash, client_for):
    r = client_for("manager").post(reverse("commerce-order-contact", args=[dash.order_b.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and "##AbCdEf" in html and "$$1a2b3c" in html
    assert r.context["contact"]["name"]["platform_encrypted"] is True
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()
