"""The audit log: what services write, that it cannot be changed, request ids, the audit page and history tabs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from liveops.core.audit import audit_log
from liveops.core.masking import personal_digest
from liveops.core.models import AuditAction, AuditEntry, Role
from liveops.core.services import api_token_create, api_token_revoke, role_capability_add, role_grant
from liveops.org import services
from liveops.org.models import Department, GovernanceBody, Position


def entries_for(instance, action=None):
    qs = AuditEntry.objects.filter(
        object_type=f"{instance._meta.app_label}.{instance._meta.model_name}", object_id=str(instance.pk)
    )
    return qs.filter(action=action) if action else qs


def test_staff_create_logs_after_snapshot_without_secrets(personas):
    ec = Department.objects.get(code="EC")
    st = services.staff_create(
        actor=personas["admin"], employee_no="A1", name="李雷", department=ec, phone="13700137000"
    )
    entry = entries_for(st, AuditAction.CREATE).get()
    assert entry.actor == personas["admin"] and entry.actor_label == "admin"
    assert entry.changes["after"]["employee_no"] == "A1"
    assert entry.changes["after"]["department"] == ec.pk
    assert entry.object_repr == str(st)


def test_staff_update_logs_only_changed_fields(personas, colleague):
    services.staff_update(
        actor=personas["manager"],
        staff=colleague,
        data={"phone": "13900000000", "address": colleague.address, "name": colleague.name},
    )
    entry = entries_for(colleague, AuditAction.UPDATE).get()
    # The phone is personal: the log keeps a keyed digest of each value, not the number.
    assert entry.changes == {
        "before": {"phone": personal_digest("13800138000")},
        "after": {"phone": personal_digest("13900000000")},
    }
    # Nothing changed: nothing logged.
    services.staff_update(actor=personas["manager"], staff=colleague, data={"phone": "13900000000"})
    assert entries_for(colleague, AuditAction.UPDATE).count() == 1


def test_staff_rename_logs_name_and_search_columns(personas, colleague):
    services.staff_update(actor=personas["manager"], staff=colleague, data={"name": "王芳"})
    entry = entries_for(colleague, AuditAction.UPDATE).get()
    assert set(entry.changes["after"]) == {"name", "name_pinyin", "name_initials"}
    assert entry.changes["after"]["name_initials"] == "wf"


def test_staff_deactivate_logs_staff_and_login(personas):
    member = personas["member"]
    st = member.staff
    services.staff_deactivate(actor=personas["admin"], staff=st)
    assert entries_for(st, AuditAction.UPDATE).get().changes == {
        "before": {"is_active": True},
        "after": {"is_active": False},
    }
    assert entries_for(member, AuditAction.UPDATE).get().changes["after"] == {"is_active": False}


def test_governance_services_log_before_and_after(personas, gov):
    decided = entries_for(gov.org_res, AuditAction.UPDATE).get()
    assert (
        decided.changes["before"]["outcome"] == "proposed" and decided.changes["after"]["outcome"] == "passed"
    )
    assert decided.changes["after"]["votes_for"] == 5
    assert entries_for(gov.org_res, AuditAction.ACTION).get().verb == "pass"
    assert entries_for(gov.rejected, AuditAction.ACTION).get().verb == "reject"
    assert entries_for(gov.meeting, AuditAction.CREATE).exists()
    assert entries_for(gov.overdue, AuditAction.CREATE).exists()
    plan_created = entries_for(gov.plan, AuditAction.CREATE).get()
    assert plan_created.changes["after"]["gmv_target"] == "1000000.50"  # money as exact text, never a float

    services.action_item_set_status(actor=personas["member"], item=gov.overdue, status="in_progress")
    change = entries_for(gov.overdue, AuditAction.UPDATE).get()
    assert change.changes == {"before": {"status": "open"}, "after": {"status": "in_progress"}}

    services.plan_submit(actor=personas["gm"], plan=gov.plan)
    services.plan_approve(actor=personas["admin"], plan=gov.plan, resolution=gov.plan_res)
    verbs = list(entries_for(gov.plan, AuditAction.ACTION).order_by("id").values_list("verb", flat=True))
    assert verbs == ["submit", "approve"]
    approved = entries_for(gov.plan, AuditAction.UPDATE).order_by("id").last()
    assert approved.changes["after"] == {"resolution": gov.plan_res.pk, "status": "approved"}


def test_department_changes_logged(personas, gov):
    lc = Department.objects.get(code="LC")
    dept = services.department_create(
        actor=personas["admin"],
        code="LX",
        kind="department",
        name_zh="新部门",
        name_en="New",
        parent=lc,
        resolution=gov.org_res,
    )
    assert entries_for(dept, AuditAction.CREATE).exists()
    services.department_update(
        actor=personas["admin"], department=dept, resolution=gov.org_res, data={"name_zh": "改名部门"}
    )
    assert entries_for(dept, AuditAction.UPDATE).get().changes == {
        "before": {"name_zh": "新部门"},
        "after": {"name_zh": "改名部门"},
    }


def test_core_services_log(personas):
    token, _key = api_token_create(actor=personas["member"], name="t")
    created = entries_for(token, AuditAction.CREATE).get()
    assert "key_hash" not in created.changes["after"]
    api_token_revoke(actor=personas["member"], token_id=token.pk)
    assert entries_for(token, AuditAction.ACTION).get().verb == "revoke"
    role = Role.objects.create(code="r-test", name_zh="测试", name_en="Test")
    rc = role_capability_add(actor=personas["admin"], role=role, capability="org.view")
    assert entries_for(rc, AuditAction.CREATE).exists()
    grant = role_grant(
        actor=personas["admin"], role=role, scope="department", position=Position.objects.get(code="qc-head")
    )
    assert entries_for(grant, AuditAction.CREATE).get().changes["after"]["scope"] == "department"


def test_question_file_logged(personas, gov):
    q = services.question_file(actor=personas["auditor"], resolution=gov.org_res, text="为何调整？")
    assert entries_for(q, AuditAction.CREATE).get().actor == personas["auditor"]


def test_audit_entry_cannot_be_updated_or_deleted_by_model(db):
    entry = audit_log(
        actor=None, action=AuditAction.ACTION, verb="test", object_type_label="x.y", object_id="1"
    )
    assert entry.actor_label == "system"
    entry.verb = "changed"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).verb == "test"


def test_audit_entry_raw_update_refused_by_database(db):
    entry = audit_log(
        actor=None, action=AuditAction.ACTION, verb="test", object_type_label="x.y", object_id="1"
    )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET verb = %s WHERE id = %s", ["forged", entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(verb="forged")
    assert AuditEntry.objects.get(pk=entry.pk).verb == "test"


def test_audit_entry_raw_delete_refused_on_postgresql(db):
    """PostgreSQL also refuses deletes (SQLite allows them: its test teardown deletes rows)."""
    entry = audit_log(
        actor=None, action=AuditAction.ACTION, verb="test", object_type_label="x.y", object_id="1"
    )
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_request_id_recorded(client_for, colleague):
    c = client_for("manager")
    c.post(
        reverse("staff-detail", args=[colleague.pk]),
        {
            "name": "新名字",
            "department": colleague.department_id,
            "position": colleague.position_id,
            "phone": colleague.phone,
            "id_number": colleague.id_number,
            "address": colleague.address,
        },
        HTTP_X_REQUEST_ID="req-abc-123",
    )
    entry = entries_for(colleague, AuditAction.UPDATE).get()
    assert entry.request_id == "req-abc-123"
    assert entry.ip_address == "127.0.0.1"


def test_request_id_generated_and_unsafe_ids_replaced(client_for, colleague):
    c = client_for("manager")
    response = c.get(reverse("staff-detail", args=[colleague.pk]), HTTP_X_REQUEST_ID="bad id; drop")
    rid = response["X-Request-ID"]
    assert rid != "bad id; drop" and len(rid) == 36
    assert entries_for(colleague, AuditAction.VIEW_PERSONAL).get().request_id == rid
    assert c.get("/", HTTP_X_REQUEST_ID="ok-1")["X-Request-ID"] == "ok-1"


@pytest.fixture
def log_rows(db):
    rows = [
        audit_log(
            actor=None, action=AuditAction.ACTION, verb=f"v{i}", object_type_label="t.thing", object_id=str(i)
        )
        for i in range(60)
    ]
    rows += [
        audit_log(actor=None, action=AuditAction.DELETE, object_type_label="t.other", object_id=str(i))
        for i in range(3)
    ]
    return rows


def test_audit_page_filters(client_for, log_rows):
    c = client_for("auditor")
    deletes = c.get(reverse("audit"), {"action": "delete"}).context["page"].entries
    assert len(deletes) == 3 and {e.action for e in deletes} == {"delete"}
    things = c.get(reverse("audit"), {"object_type": "t.thing"}).context["page"]
    assert {e.object_type for e in things.entries} == {"t.thing"}
    assert len(things.entries) == 50
    none = c.get(reverse("audit"), {"object_type": "t.thing", "action": "delete"}).context["page"].entries
    assert none == []
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert c.get(reverse("audit"), {"from": tomorrow}).context["page"].entries == []
    assert c.get(reverse("audit"), {"from": "garbage", "to": "2020-13-45"}).status_code == 200


def test_audit_page_keyset(client_for, log_rows):
    c = client_for("auditor")
    first = c.get(reverse("audit"), {"object_type": "t.thing"}).context["page"]
    ids = [e.id for e in first.entries]
    assert ids == sorted(ids, reverse=True)
    assert first.next_before == ids[-1]
    second = c.get(reverse("audit"), {"object_type": "t.thing", "before": first.next_before}).context["page"]
    assert len(second.entries) == 10 and second.next_before is None
    assert all(e.id < ids[-1] for e in second.entries)
    all_ids = ids + [e.id for e in second.entries]
    assert sorted(all_ids) == sorted(r.id for r in log_rows if r.object_type == "t.thing")
    htmx = c.get(
        reverse("audit"), {"object_type": "t.thing", "before": first.next_before}, HTTP_HX_REQUEST="true"
    )
    assert [t.name for t in htmx.templates][0] == "core/_audit_rows.html"


def test_audit_api_for_auditor_only(client_for, log_rows):
    assert client_for("manager").get("/api/v1/audit/").status_code == 403
    body = client_for("auditor").get("/api/v1/audit/?action=delete").json()
    assert {r["action"] for r in body["results"]} == {"delete"} and len(body["results"]) == 3


def test_history_tab(client_for, colleague, personas):
    services.staff_update(actor=personas["admin"], staff=colleague, data={"phone": "13900000001"})
    url = reverse("object-history", args=["org.staff", colleague.pk])
    for persona in ("manager", "auditor", "member", "hr", "admin"):
        response = client_for(persona).get(url)
        assert response.status_code == 200, persona
        assert [e.action for e in response.context["entries"]] == ["update"]
    for persona in ("other", "outsider"):
        assert client_for(persona).get(url).status_code == 404, persona
    assert (
        client_for("manager").get(reverse("object-history", args=["org.staff", "999999"])).status_code == 404
    )
    assert (
        client_for("manager").get(reverse("object-history", args=["core.apitoken", "1"])).status_code == 404
    )


def test_history_of_resolution_needs_governance(client_for, gov):
    url = reverse("object-history", args=["org.resolution", gov.org_res.pk])
    assert client_for("gm").get(url).status_code == 200
    assert client_for("member").get(url).status_code == 404


def test_money_in_plan_log_is_exact(personas):
    plan = services.plan_create(
        actor=personas["admin"], kind="budget", year=2030, title="预算", cost_budget=Decimal("0.10")
    )
    assert entries_for(plan, AuditAction.CREATE).get().changes["after"]["cost_budget"] == "0.10"
    assert GovernanceBody.objects.count() == 3
