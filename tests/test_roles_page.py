"""Roles and access page (IT administers, the auditor reads): granting and revoking are audited and
take effect at once."""

from __future__ import annotations

import pytest

from liveops.core.access import access_for
from liveops.core.models import AuditEntry, Role, RoleGrant
from liveops.org.models import Position
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("auditor", 200), ("member", 403), ("manager", 403), ("outsider", 403), ("gm", 403)],
)
def test_roles_page_per_persona(client_for, persona, status):
    assert client_for(persona).get("/audit/roles/").status_code == status


def test_it_head_grants_and_revokes_a_role(client_for, personas):
    it_head = make_person("it-head", "ithead")
    c = client_for(None)
    c.force_login(it_head)
    role = Role.objects.get(code="hr")
    position = Position.objects.get(code="ec-shop-operator")
    r = c.post("/audit/roles/", {"role": role.pk, "position": position.pk, "scope": "department"})
    assert r.status_code == 302
    grant = RoleGrant.objects.get(role=role, position=position)
    member = personas["member"]
    assert access_for(type(member).objects.get(pk=member.pk)).can("org.import")
    assert AuditEntry.objects.filter(
        object_type="core.rolegrant", object_id=str(grant.pk), action="create"
    ).exists()
    r = c.post("/audit/roles/", {"action": "revoke", "grant": grant.pk})
    assert r.status_code == 302 and not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert not access_for(type(member).objects.get(pk=member.pk)).can("org.import")
    assert AuditEntry.objects.filter(
        object_type="core.rolegrant", object_id=str(grant.pk), action="delete"
    ).exists()


def test_auditor_reads_but_cannot_grant(client_for):
    role = Role.objects.get(code="hr")
    position = Position.objects.get(code="ec-shop-operator")
    r = client_for("auditor").post(
        "/audit/roles/", {"role": role.pk, "position": position.pk, "scope": "company"}
    )
    assert r.status_code == 403
    assert not RoleGrant.objects.filter(role=role, position=position).exists()


def test_bad_scope_refused_with_message(client_for):
    role = Role.objects.get(code="hr")
    position = Position.objects.get(code="ec-shop-operator")
    r = client_for("admin").post(
        "/audit/roles/", {"role": role.pk, "position": position.pk, "scope": "galaxy"}, follow=True
    )
    assert r.status_code == 200
    assert not RoleGrant.objects.filter(role=role, position=position).exists()
    assert any("scope" in str(m).lower() or "范围" in str(m) for m in r.context["messages"])
