"""Recording the governance register in the browser: meetings, proposals, votes, action items,
documents, and org-tree changes that need a board resolution (GOV-BD-5)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liveops.core.models import AuditEntry
from liveops.org import services
from liveops.org.models import (
    ActionItem,
    Department,
    GovernanceBody,
    Meeting,
    OrgChange,
    Resolution,
    ResolutionDocument,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(personas):
    return services.meeting_create(
        actor=personas["admin"],
        body=GovernanceBody.objects.get(kind="board"),
        title="董事会第1次会议",
        held_at=timezone.now(),
    )


@pytest.fixture
def org_resolution(personas, meeting):
    res = services.resolution_propose(
        actor=personas["admin"],
        meeting=meeting,
        number="BD-ORG-1",
        title="组织架构调整",
        topic="org_structure",
    )
    return services.resolution_decide(actor=personas["admin"], resolution=res, votes_for=5, votes_against=0)


def test_gm_records_meeting_proposal_vote_and_action(client_for, personas):
    c = client_for("gm")
    board = GovernanceBody.objects.get(kind="board")
    r = c.post(
        "/org/governance/meetings/new/",
        {
            "body": board.pk,
            "meeting_type": "regular",
            "title": "董事会临时会议",
            "held_at": "2026-11-20T14:00",
            "agenda": "1. 议案",
        },
    )
    assert r.status_code == 302
    m = Meeting.objects.get(title="董事会临时会议")
    r = c.post(
        f"/org/governance/meetings/{m.pk}/propose/",
        {"number": "BD-2026-900", "title": "新议案", "topic": "general"},
    )
    res = Resolution.objects.get(number="BD-2026-900")
    assert r.status_code == 302 and res.outcome == "proposed"
    r = c.post(
        f"/org/governance/resolutions/{res.pk}/vote/",
        {"votes_for": 3, "votes_against": 1, "votes_abstain": 0},
    )
    res.refresh_from_db()
    assert res.outcome == "passed" and res.votes_for == 3
    ec = Department.objects.get(code="EC")
    r = c.post(
        f"/org/governance/resolutions/{res.pk}/actions/new/",
        {"title": "落实", "department": ec.pk, "due_on": "2026-12-31"},
    )
    assert r.status_code == 302
    assert ActionItem.objects.filter(resolution=res, department=ec).exists()
    assert AuditEntry.objects.filter(
        object_type="org.resolution", object_id=str(res.pk), verb="pass"
    ).exists()


def test_vote_form_shows_field_errors(client_for, meeting, personas):
    res = services.resolution_propose(actor=personas["admin"], meeting=meeting, number="BD-X", title="x")
    r = client_for("gm").post(
        f"/org/governance/resolutions/{res.pk}/vote/", {"votes_for": -1, "votes_against": "abc"}
    )
    assert r.status_code == 200
    assert r.context["form"].errors["votes_for"] and r.context["form"].errors["votes_against"]
    res.refresh_from_db()
    assert res.outcome == "proposed"


def test_action_item_on_unpassed_resolution_refused_with_message(client_for, meeting, personas):
    res = services.resolution_propose(actor=personas["admin"], meeting=meeting, number="BD-Y", title="y")
    ec = Department.objects.get(code="EC")
    r = client_for("gm").post(
        f"/org/governance/resolutions/{res.pk}/actions/new/",
        {"title": "t", "department": ec.pk, "due_on": "2026-12-31"},
    )
    assert r.status_code == 200 and r.context["form"].errors
    assert not ActionItem.objects.filter(resolution=res).exists()


def test_document_upload_and_permission_checked_download(client_for, org_resolution):
    c = client_for("gm")
    f = SimpleUploadedFile("预算.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    r = c.post(
        f"/org/governance/resolutions/{org_resolution.pk}/documents/new/", {"title": "预算草案", "file": f}
    )
    assert r.status_code == 302
    doc = ResolutionDocument.objects.get(resolution=org_resolution)
    assert b"".join(c.get(f"/org/governance/documents/{doc.pk}/").streaming_content) == b"%PDF-1.4 demo"
    assert client_for("member").get(f"/org/governance/documents/{doc.pk}/").status_code == 403
    assert client_for("auditor").get(f"/org/governance/documents/{doc.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["member", "manager", "auditor", "outsider", "other"])
def test_register_writes_refused_for_non_governance_personas(client_for, persona, meeting):
    c = client_for(persona)
    assert c.post("/org/governance/meetings/new/", {"title": "x"}).status_code == 403
    assert (
        c.post(
            f"/org/governance/meetings/{meeting.pk}/propose/",
            {"number": "Z", "title": "z", "topic": "general"},
        ).status_code
        == 403
    )
    assert not Resolution.objects.filter(number="Z").exists()


def test_unit_rename_needs_org_resolution(client_for, org_resolution, personas):
    c = client_for("gm")
    ec = Department.objects.get(code="EC")
    # Without a resolution the form refuses and nothing changes.
    r = c.post(
        "/org/units/EC/change/",
        {"name_zh": "电商运营一部", "name_en": "E-commerce ops 1", "parent": ec.parent_id, "is_active": "on"},
    )
    assert r.status_code == 200 and "resolution" in r.context["form"].errors
    ec.refresh_from_db()
    assert ec.name_zh == "电商运营部"
    r = c.post(
        "/org/units/EC/change/",
        {
            "name_zh": "电商运营一部",
            "name_en": "E-commerce ops 1",
            "parent": ec.parent_id,
            "is_active": "on",
            "resolution": org_resolution.pk,
        },
    )
    assert r.status_code == 302
    ec.refresh_from_db()
    assert ec.name_zh == "电商运营一部"
    change = OrgChange.objects.get(department=ec)
    assert change.resolution == org_resolution and change.kind == "rename"


def test_unit_create_under_centre(client_for, org_resolution):
    r = client_for("gm").post(
        "/org/units/LC/new/",
        {
            "code": "LIVE2",
            "kind": "department",
            "name_zh": "直播二部",
            "name_en": "Live 2",
            "resolution": org_resolution.pk,
        },
    )
    assert r.status_code == 302
    d = Department.objects.get(code="LIVE2")
    assert d.parent.code == "LC" and OrgChange.objects.filter(department=d, kind="create").exists()


def test_unit_change_refused_for_hr_without_governance_rights(client_for, org_resolution):
    # HR changes staff, not the org structure: that is the board's decision carried out by executives.
    assert client_for("hr").get("/org/units/EC/change/").status_code == 403
    assert client_for("manager").get("/org/units/EC/change/").status_code == 403


def test_unit_move_under_own_child_refused(client_for, org_resolution):
    ec = Department.objects.get(code="EC")
    lc = Department.objects.get(code="LC")
    r = client_for("gm").post(
        "/org/units/LC/change/",
        {
            "name_zh": lc.name_zh,
            "name_en": lc.name_en,
            "parent": ec.pk,
            "is_active": "on",
            "resolution": org_resolution.pk,
        },
    )
    assert r.status_code == 200 and r.context["form"].errors
    lc.refresh_from_db()
    assert lc.parent.code == "GM"
