"""Persona matrix of the pages: who gets which status code, what they see, and which POSTs they may make."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liveops.core.masking import personal_digest
from liveops.core.models import AuditAction, AuditEntry
from liveops.org.models import ActionItem, Plan, Staff, SupervisoryQuestion

PERSONAS = ["member", "other", "manager", "auditor", "outsider", "hr", "gm", "admin"]
ALL = dict.fromkeys(PERSONAS, 200)
ORG_VIEW = {**ALL, "outsider": 403}
GOVERNANCE = {
    "member": 403,
    "other": 403,
    "manager": 403,
    "auditor": 200,
    "outsider": 403,
    "hr": 403,
    "gm": 200,
    "admin": 200,
}
AUDIT = {
    "member": 403,
    "other": 403,
    "manager": 403,
    "auditor": 200,
    "outsider": 403,
    "hr": 403,
    "gm": 403,
    "admin": 200,
}

MATRIX = {
    "home": (lambda f: reverse("home"), ALL),
    "org-chart": (lambda f: reverse("org-chart"), ORG_VIEW),
    "department-ec": (lambda f: reverse("department-detail", args=["EC"]), ORG_VIEW),
    "staff-list": (lambda f: reverse("staff-list"), ORG_VIEW),
    # An EC colleague: visible in EC (member, manager), company-wide (auditor, HR, GM via subtree, admin).
    "staff-detail-ec": (
        lambda f: reverse("staff-detail", args=[f["colleague"].pk]),
        {**ORG_VIEW, "other": 404},
    ),
    "governance": (lambda f: reverse("governance"), GOVERNANCE),
    "meeting": (lambda f: reverse("meeting-detail", args=[f["gov"].meeting.pk]), GOVERNANCE),
    "resolution": (lambda f: reverse("resolution-detail", args=[f["gov"].org_res.pk]), GOVERNANCE),
    "action-items": (lambda f: reverse("action-items"), ALL),
    "plans": (lambda f: reverse("plans"), GOVERNANCE),
    "duty-coverage": (lambda f: reverse("duty-coverage"), ALL),
    "audit": (lambda f: reverse("audit"), AUDIT),
    "account": (lambda f: reverse("account"), ALL),
}


@pytest.fixture
def setup(gov, colleague, client_for):
    return {"gov": gov, "colleague": colleague, "client_for": client_for}


@pytest.mark.parametrize("page", list(MATRIX))
def test_persona_matrix(setup, page):
    url_of, expected = MATRIX[page]
    url = url_of(setup)
    got = {persona: setup["client_for"](persona).get(url).status_code for persona in PERSONAS}
    assert got == expected


def test_missing_objects_are_404_not_500(setup):
    c = setup["client_for"]("admin")
    for url in (
        reverse("staff-detail", args=[999999]),
        reverse("meeting-detail", args=[999999]),
        reverse("resolution-detail", args=[999999]),
        reverse("department-detail", args=["NOPE"]),
    ):
        assert c.get(url).status_code == 404, url


def test_member_sees_only_own_department_staff(setup, personas):
    response = setup["client_for"]("member").get(reverse("staff-list"))
    staff = [st for st, _ in response.context["rows"]]
    assert {st.department.code for st in staff} == {"EC"}
    assert setup["colleague"] in staff
    assert Staff.objects.get(user=personas["other"]) not in staff


def test_other_department_sees_other_staff(setup, personas):
    response = setup["client_for"]("other").get(reverse("staff-list"))
    staff = [st for st, _ in response.context["rows"]]
    assert {st.department.code for st in staff} == {"MR"}


def test_member_sees_colleague_phone_masked(setup):
    url = reverse("staff-detail", args=[setup["colleague"].pk])
    response = setup["client_for"]("member").get(url)
    assert response.context["personal"]["phone"] == "138****8000"
    assert "138****8000" in response.content.decode()
    assert "13800138000" not in response.content.decode()
    assert "330106199001011234" not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_manager_sees_phone_unmasked_and_view_is_logged(setup, personas):
    colleague = setup["colleague"]
    response = setup["client_for"]("manager").get(reverse("staff-detail", args=[colleague.pk]))
    assert "13800138000" in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_PERSONAL, object_id=str(colleague.pk))
    assert entry.actor_id == personas["manager"].pk
    assert entry.object_type == "org.staff"


def test_auditor_reads_masked(setup):
    response = setup["client_for"]("auditor").get(reverse("staff-detail", args=[setup["colleague"].pk]))
    assert response.context["personal"]["phone"] == "138****8000"
    assert response.context["form"] is None


def test_manager_edits_staff_and_change_is_audited(setup, personas):
    colleague = setup["colleague"]
    c = setup["client_for"]("manager")
    data = {
        "name": colleague.name,
        "department": colleague.department_id,
        "position": colleague.position_id,
        "phone": "13900139000",
        "id_number": colleague.id_number,
        "address": colleague.address,
        "email": "",
        "name_en": "",
        "manager": "",
        "hired_on": "",
    }
    response = c.post(reverse("staff-detail", args=[colleague.pk]), data)
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.phone == "13900139000"
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="org.staff", object_id=str(colleague.pk)
    ).get()
    # Personal fields are kept in the audit trail as digests: enough to tell the value changed.
    assert entry.changes == {
        "before": {"phone": personal_digest("13800138000")},
        "after": {"phone": personal_digest("13900139000")},
    }


def test_invalid_staff_edit_shows_errors(setup):
    colleague = setup["colleague"]
    c = setup["client_for"]("manager")
    response = c.post(
        reverse("staff-detail", args=[colleague.pk]),
        {"name": "", "department": colleague.department_id, "phone": "123"},
    )
    assert response.status_code == 200
    assert {"name", "phone"} <= set(response.context["form"].errors)
    colleague.refresh_from_db()
    assert colleague.phone == "13800138000"


@pytest.mark.parametrize("persona", ["auditor", "member", "other"])
def test_read_only_personas_cannot_edit_staff(setup, persona):
    colleague = setup["colleague"]
    response = setup["client_for"](persona).post(
        reverse("staff-detail", args=[colleague.pk]), {"name": "改名", "department": colleague.department_id}
    )
    assert response.status_code in (403, 404)
    colleague.refresh_from_db()
    assert colleague.name == "测试同事"


@pytest.mark.parametrize("persona", ["auditor", "member", "manager"])
def test_plan_posts_refused_without_governance_rights(setup, persona):
    plan = setup["gov"].plan
    response = setup["client_for"](persona).post(reverse("plans"), {"plan": plan.pk, "action": "submit"})
    assert response.status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_gm_submits_plan_from_page(setup):
    plan = setup["gov"].plan
    response = setup["client_for"]("gm").post(reverse("plans"), {"plan": plan.pk, "action": "submit"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED


def test_auditor_cannot_change_action_status(setup):
    item = setup["gov"].overdue
    response = setup["client_for"]("auditor").post(
        reverse("action-item-status", args=[item.pk]), {"status": "done"}
    )
    assert response.status_code in (403, 404)
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_other_department_cannot_see_or_change_action(setup):
    item = setup["gov"].overdue
    response = setup["client_for"]("other").post(
        reverse("action-item-status", args=[item.pk]), {"status": "done"}
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_owner_moves_own_action_item(setup):
    item = setup["gov"].overdue
    response = setup["client_for"]("member").post(
        reverse("action-item-status", args=[item.pk]), {"status": "done"}
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.completed_on is not None


def test_action_status_get_is_404(setup):
    assert (
        setup["client_for"]("admin")
        .get(reverse("action-item-status", args=[setup["gov"].overdue.pk]))
        .status_code
        == 404
    )


def test_auditor_files_question(setup, personas):
    res = setup["gov"].org_res
    response = setup["client_for"]("auditor").post(
        reverse("resolution-detail", args=[res.pk]), {"kind": "question", "text": "预算依据？"}
    )
    assert response.status_code == 302
    q = SupervisoryQuestion.objects.get(resolution=res)
    assert q.filed_by == personas["auditor"] and q.text == "预算依据？"
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE,
        object_type="org.supervisoryquestion",
        object_id=str(q.pk),
        actor=personas["auditor"],
    ).exists()


def test_gm_cannot_file_question(setup):
    res = setup["gov"].org_res
    response = setup["client_for"]("gm").post(
        reverse("resolution-detail", args=[res.pk]), {"kind": "question", "text": "x"}
    )
    assert response.status_code == 404
    assert not SupervisoryQuestion.objects.exists()


def test_action_items_scoped(setup):
    gov = setup["gov"]
    member_items = set(setup["client_for"]("member").get(reverse("action-items")).context["items"])
    other_items = set(setup["client_for"]("other").get(reverse("action-items")).context["items"])
    gm_items = set(setup["client_for"]("gm").get(reverse("action-items")).context["items"])
    outsider_items = set(setup["client_for"]("outsider").get(reverse("action-items")).context["items"])
    assert member_items == {gov.overdue}
    assert other_items == {gov.later}
    assert gm_items == {gov.overdue, gov.later}
    assert outsider_items == set()
    overdue = set(setup["client_for"]("gm").get(reverse("action-items") + "?overdue=1").context["items"])
    assert overdue == {gov.overdue}


def test_governance_register_lists_both_outcomes(setup):
    response = setup["client_for"]("auditor").get(reverse("governance"))
    outcomes = {r.outcome for r in response.context["resolutions"]}
    assert {"passed", "rejected", "proposed"} <= outcomes
    assert list(response.context["overdue"]) == [setup["gov"].overdue]
