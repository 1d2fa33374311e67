"""Anchor profiles: services audited, masking, the scope (brokers see their own anchors, an anchor
their own profile, live staff all, another department and an outsider nothing), and the API items
exactly as promised, with the last 30 days' GMV of the profile's platform accounts."""

from __future__ import annotations

import pytest
from django.test import Client

from liveops.commerce.models import AnchorAccount
from liveops.core.access import access_for
from liveops.core.errors import NotAllowed
from liveops.core.models import AuditEntry
from liveops.talent.selectors import anchor_list, mask_name
from liveops.talent.services import anchor_accounts_set, anchor_create, anchor_update
from tests.commerce.factories import make_line

pytestmark = pytest.mark.django_db

ITEM_KEYS = {"id", "stage_name", "broker", "status", "grade", "accounts", "gmv_30d"}


def seen(live, who) -> set[int]:
    return set(anchor_list(access=access_for(live.people[who])).values_list("pk", flat=True))


def test_scope_two_brokers_anchor_and_others(live):
    assert seen(live, "broker") == {live.a1.pk}
    assert seen(live, "broker2") == {live.a2.pk}
    assert seen(live, "anchor") == {live.a1.pk}
    assert seen(live, "staff") == {live.a1.pk, live.a2.pk}
    assert seen(live, "other") == set()
    assert seen(live, "outsider") == set()


def test_services_audited_and_scoped(live):
    p = anchor_create(actor=live.people["admin"], stage_name="新人", phone="13800001111", tags="美妆，护肤")
    assert p.tags == ["美妆", "护肤"] and p.department.code == "AB"
    anchor_update(actor=live.people["broker"], profile=live.a1, status="paused")
    live.a1.refresh_from_db()
    assert live.a1.status == "paused"
    with pytest.raises(NotAllowed):
        anchor_update(actor=live.people["broker"], profile=live.a2, status="left")
    with pytest.raises(NotAllowed):
        anchor_update(actor=live.people["staff"], profile=live.a2, status="left")
    assert AuditEntry.objects.filter(object_type="talent.anchorprofile", object_id=str(live.a1.pk)).exists()


def test_mask_name():
    assert mask_name("王小美") == "王**" and mask_name("") == ""


def test_api_items_and_gmv(live):
    account = AnchorAccount.objects.create(
        platform="douyin", platform_anchor_id="71000001", nickname="小美直播间"
    )
    anchor_accounts_set(actor=live.people["admin"], profile=live.a1, accounts=[account])
    make_line(live.shop, anchor_account=account, amount_paid_fen=12345)
    make_line(live.shop, anchor_account=account, amount_paid_fen=100)
    c = Client()
    c.force_login(live.people["broker"])
    r = c.get("/api/v1/talent/anchors/")
    assert r.status_code == 200
    items = r.json()["results"]
    assert [i["id"] for i in items] == [live.a1.pk]
    item = items[0]
    assert set(item) == ITEM_KEYS
    assert item["gmv_30d"] == "124.45" and item["grade"] is None and item["status"] == "active"
    assert item["accounts"] == [{"platform": "douyin", "platform_anchor_id": "71000001"}]
    assert item["broker"]["id"] == live.a1.broker_id
    assert c.get(f"/api/v1/talent/anchors/{live.a1.pk}/").status_code == 200
    assert c.get(f"/api/v1/talent/anchors/{live.a2.pk}/").status_code == 404
    other = Client()
    other.force_login(live.people["other"])
    assert other.get("/api/v1/talent/anchors/").status_code == 403
