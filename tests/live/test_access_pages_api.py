"""Who sees which sessions (live staff, manager, anchor on a published session, another department,
an outsider), the pages, and the sessions API (items exactly as promised, filters, gpm)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from liveops.core.access import access_for
from liveops.live.models import LiveSession
from liveops.live.selectors.sessions import session_list
from liveops.live.services import sessions
from tests.live.conftest import at

pytestmark = pytest.mark.django_db

ITEM_KEYS = {
    "id",
    "account",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "gmv",
    "paid_amount",
    "watch_ucnt",
    "watch_cnt",
    "buyers",
    "new_fans",
    "gpm",
}


@pytest.fixture
def week(live):
    staff = live.people["staff"]
    s1 = sessions.session_create(
        actor=staff,
        account=live.acc1,
        planned_start=at(live.day, 20),
        planned_end=at(live.day, 23),
        studio=live.r1,
        anchors=[live.a1],
        target_gmv="50000",
    )
    s2 = sessions.session_create(
        actor=staff,
        account=live.acc2,
        planned_start=at(live.day, 10),
        planned_end=at(live.day, 12),
        studio=live.r2,
        anchors=[live.a2],
    )
    return s1, s2


def client(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def visible(live, who) -> set[int]:
    return set(session_list(access=access_for(live.people[who])).values_list("pk", flat=True))


def test_scope_by_persona(live, week):
    s1, s2 = week
    assert visible(live, "staff") == {s1.pk, s2.pk}
    assert visible(live, "manager") == {s1.pk, s2.pk}
    assert visible(live, "other") == set()
    assert visible(live, "outsider") == set()
    # The anchor sees their session once it is published, not before, and not the others'.
    assert visible(live, "anchor") == set()
    sessions.sessions_publish(actor=live.people["manager"], sessions=[s1, s2])
    assert visible(live, "anchor") == {s1.pk}
    assert visible(live, "broker") == set()


def test_schedule_page_and_calendar(live, week):
    s1, s2 = week
    url = reverse("live-schedule") + f"?week={live.day.isoformat()}"
    r = client(live.people["staff"]).get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="session-{s1.pk}"' in html and f'id="session-{s2.pk}"' in html
    r = client(live.people["staff"]).get(url + f"&studio={live.r1.pk}", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert f'id="session-{s2.pk}"' not in r.content.decode()
    assert client(live.people["other"]).get(url).status_code == 403
    assert client(live.people["outsider"]).get(url).status_code == 403
    assert client(None).get(url).status_code == 302
    # The anchor's page shows only their own published sessions.
    sessions.sessions_publish(actor=live.people["manager"], sessions=[s1])
    html = client(live.people["anchor"]).get(url).content.decode()
    assert f'id="session-{s1.pk}"' in html and f'id="session-{s2.pk}"' not in html


def test_session_form_refuses_double_booking_naming_the_clash(live, week):
    s1, _s2 = week
    data = {
        "account": live.acc2.pk,
        "studio": live.r1.pk,
        "planned_start": at(live.day, 21).strftime("%Y-%m-%dT%H:%M"),
        "planned_end": at(live.day, 22).strftime("%Y-%m-%dT%H:%M"),
    }
    r = client(live.people["staff"]).post(reverse("live-session-new"), data)
    assert r.status_code == 200
    assert f"#{s1.pk}" in r.content.decode() and "1号直播间" in r.content.decode()
    assert LiveSession.objects.count() == 2
    data["studio"] = live.r2.pk
    data["planned_start"] = at(live.day, 13).strftime("%Y-%m-%dT%H:%M")
    data["planned_end"] = at(live.day, 14).strftime("%Y-%m-%dT%H:%M")
    r = client(live.people["staff"]).post(reverse("live-session-new"), data)
    assert r.status_code == 302 and LiveSession.objects.count() == 3


def test_publish_and_copy_pages(live, week):
    post = {"week": live.day.isoformat()}
    assert client(live.people["staff"]).post(reverse("live-schedule-publish"), post).status_code == 403
    r = client(live.people["manager"]).post(reverse("live-schedule-publish"), post)
    assert r.status_code == 302
    assert set(LiveSession.objects.values_list("status", flat=True)) == {"published"}
    r = client(live.people["staff"]).post(reverse("live-schedule-copy"), post)
    assert r.status_code == 302
    assert LiveSession.objects.filter(status="draft").count() == 2


def test_ical_of_own_schedule(live, week):
    s1, _ = week
    sessions.sessions_publish(actor=live.people["manager"], sessions=[s1])
    r = client(live.people["anchor"]).get(reverse("live-schedule-ical"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    body = r.content.decode()
    assert body.count("BEGIN:VEVENT") == 1 and f"UID:live-session-{s1.pk}@liveops" in body


def test_session_detail_review_and_export(live, week):
    s1, _ = week
    LiveSession.objects.filter(pk=s1.pk).update(
        gmv=Decimal("61045.30"),
        watch_cnt=21254,
        watch_ucnt=15093,
        buyers=1513,
        actual_start=at(live.day, 20),
        actual_end=at(live.day, 23),
    )
    staff = client(live.people["staff"])
    assert staff.get(reverse("live-session", args=[s1.pk])).status_code == 200
    review = staff.get(reverse("live-session-review", args=[s1.pk]))
    html = review.content.decode()
    # GPM: 61045.30 × 1000 ÷ 21254 = 2872.18 (however the locale groups thousands).
    assert review.status_code == 200 and "2872.18" in html.replace(",", "")
    assert 'id="funnel-impressions_ucnt"' in html and "–" in html
    export = staff.get(reverse("live-lineup-export", args=[s1.pk]))
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    assert client(live.people["other"]).get(reverse("live-session-review", args=[s1.pk])).status_code == 403
    assert client(live.people["anchor"]).get(reverse("live-session-review", args=[s1.pk])).status_code == 404
    assert staff.get(reverse("live-accounts")).status_code == 200


def test_sessions_api(live, week):
    s1, s2 = week
    LiveSession.objects.filter(pk=s1.pk).update(
        gmv=Decimal("61045.30"), watch_cnt=21254, paid_amount=Decimal("59847.17")
    )
    c = client(live.people["staff"])
    r = c.get("/api/v1/live/sessions/")
    assert r.status_code == 200
    body = r.json()
    assert {"next", "previous", "results"} <= set(body)
    items = {i["id"]: i for i in body["results"]}
    assert set(items) == {s1.pk, s2.pk}
    assert set(items[s1.pk]) == ITEM_KEYS
    assert items[s1.pk]["gmv"] == "61045.30" and items[s1.pk]["gpm"] == "2872.18"
    assert items[s1.pk]["paid_amount"] == "59847.17"
    assert items[s2.pk]["gmv"] is None and items[s2.pk]["gpm"] is None and items[s2.pk]["buyers"] is None
    later = (live.day + dt.timedelta(days=1)).isoformat()
    assert c.get(f"/api/v1/live/sessions/?start={later}").json()["results"] == []
    assert len(c.get(f"/api/v1/live/sessions/?start={live.day}&end={live.day}").json()["results"]) == 2
    assert c.get("/api/v1/live/sessions/?start=not-a-date").status_code == 400
    assert c.get("/api/v1/live/sessions/?start=0001-01-01").status_code == 400
    assert c.get("/api/v1/live/sessions/?end=9999-12-31").status_code == 400
    assert client(live.people["other"]).get("/api/v1/live/sessions/").status_code == 403
    assert client(live.people["anchor"]).get("/api/v1/live/sessions/").json()["results"] == []
    assert c.get(f"/api/v1/live/sessions/{s1.pk}/").json()["id"] == s1.pk
