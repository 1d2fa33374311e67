"""Quality API with the personas: reads for QC staff and the auditor, writes by capability."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from liveops.core.models import AuditEntry
from liveops.quality import scorecards, services
from liveops.quality.models import Block, Defect

pytestmark = pytest.mark.django_db

BASE = "/api/v1/quality/"
READERS = {"inspector": 200, "head": 200, "mc_head": 200, "auditor": 200, "ec": 403, "outsider": 403}


def api(user=None) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


@pytest.fixture
def records(world, people):
    ins = services.inspection_start(
        actor=people.inspector, product=world.product, kind="sample", sample=world.sample
    )
    for item in world.checklist.items.all():
        services.inspection_record_item(
            actor=people.inspector, inspection=ins, item=item, passed=True, note="ok"
        )
    ins = services.inspection_complete(actor=people.inspector, inspection=ins)
    defect = services.defect_create(
        actor=people.inspector, product=world.product, severity="minor", description="划痕"
    )
    block = services.block_product(actor=people.inspector, product=world.product, reason="待复检")
    scorecards.scorecard_compute(period=timezone.localtime(ins.inspected_at).strftime("%Y-%m"))
    return ins, defect, block


@pytest.mark.parametrize(("who", "expected"), READERS.items())
def test_read_matrix(people, records, who, expected):
    ins, *_ = records
    c = api(getattr(people, who))
    for path in ("inspections/", f"inspections/{ins.pk}/", "defects/", "blocks/", "scorecards/"):
        response = c.get(BASE + path)
        assert response.status_code == expected, path
        if expected == 403:
            assert set(response.json()) == {"code", "message", "fields"}


def test_anonymous_refused(records):
    for path in ("inspections/", "defects/", "blocks/", "scorecards/"):
        assert api().get(BASE + path).status_code in (401, 403)


def test_inspection_payload_and_filters(world, people, records):
    ins, *_ = records
    c = api(people.inspector)
    rows = c.get(BASE + "inspections/").json()["results"]
    assert [(r["id"], r["result"], r["merchant"], r["kind"]) for r in rows] == [
        (ins.pk, "passed", world.merchant.pk, "sample")
    ]
    assert c.get(BASE + "inspections/", {"result": "failed"}).json()["results"] == []
    assert len(c.get(BASE + "inspections/", {"merchant": world.merchant.pk}).json()["results"]) == 1
    assert c.get(BASE + "inspections/", {"product": world.product.pk + 999}).json()["results"] == []
    detail = c.get(BASE + f"inspections/{ins.pk}/").json()
    assert [i["passed"] for i in detail["items"]] == [True, True, True]
    assert c.get(BASE + "inspections/999999/").status_code == 404


def test_defect_post(world, people, records):
    body = {"product": world.product.pk, "severity": "major", "description": "漏液"}
    r = api(people.inspector).post(BASE + "defects/", body, format="json")
    assert r.status_code == 201 and r.json()["merchant"] == world.merchant.pk
    for who in ("auditor", "ec", "outsider"):
        assert api(getattr(people, who)).post(BASE + "defects/", body, format="json").status_code == 403
    r = api(people.inspector).post(BASE + "defects/", {**body, "severity": "fatal"}, format="json")
    assert r.status_code == 400 and "severity" in r.json()["fields"]
    assert Defect.objects.count() == 2


def test_block_post_and_lift(world, people, records):
    _ins, _defect, block = records
    r = api(people.inspector).post(
        BASE + "blocks/", {"merchant": world.merchant.pk, "reason": "资质造假"}, format="json"
    )
    assert r.status_code == 201 and r.json()["is_active"] is True
    # Already blocked → 409 in the API error format.
    r = api(people.inspector).post(
        BASE + "blocks/", {"product": world.product.pk, "reason": "x"}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "already_blocked"
    r = api(people.inspector).post(
        BASE + "blocks/",
        {"product": world.product.pk, "merchant": world.merchant.pk, "reason": "x"},
        format="json",
    )
    assert r.status_code == 400
    for who in ("auditor", "ec"):
        assert (
            api(getattr(people, who))
            .post(BASE + "blocks/", {"merchant": world.merchant.pk, "reason": "x"}, format="json")
            .status_code
            == 403
        )
    # Lifting: QC staff and the auditor are refused, the head of QC may.
    lift = BASE + f"blocks/{block.pk}/lift/"
    for who in ("inspector", "auditor", "ec", "outsider"):
        assert api(getattr(people, who)).post(lift, {"reason": "ok"}, format="json").status_code == 403
    assert api(people.head).post(lift, {}, format="json").status_code == 400
    r = api(people.head).post(lift, {"reason": "复检合格"}, format="json")
    assert r.status_code == 200 and r.json()["is_active"] is False and r.json()["lifted_by"] == "qc-head"
    assert AuditEntry.objects.filter(
        object_type="quality.block", object_id=str(block.pk), verb="lift"
    ).exists()
    assert api(people.head).post(lift, {"reason": "again"}, format="json").status_code == 409
    assert (
        api(people.head).post(BASE + "blocks/999999/lift/", {"reason": "x"}, format="json").status_code == 404
    )
    active = api(people.auditor).get(BASE + "blocks/", {"active": "true"}).json()["results"]
    assert [b["merchant"] for b in active] == [world.merchant.pk]
    assert Block.objects.filter(lifted_at__isnull=True).count() == 1


def test_scorecards_by_period(world, people, records):
    ins, *_ = records
    period = timezone.localtime(ins.inspected_at).strftime("%Y-%m")
    rows = api(people.auditor).get(BASE + "scorecards/", {"period": period}).json()["results"]
    assert [(r["merchant"], r["after_sales"], r["delivery"]) for r in rows] == [
        (world.merchant.pk, None, None)
    ]
    assert api(people.auditor).get(BASE + "scorecards/", {"period": "1999-01"}).json()["results"] == []
