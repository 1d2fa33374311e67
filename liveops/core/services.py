"""Core writes: API tokens, roles and grants."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.access import access_for
from liveops.core.audit import audit_action, audit_create, audit_delete, model_create, snapshot
from liveops.core.capabilities import CAPABILITIES
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.models import ApiToken, Role, RoleCapability, RoleGrant


@transaction.atomic
def api_token_create(*, actor, name: str, user=None, expires_at=None) -> tuple[ApiToken, str]:
    """Issue a token for ``user`` (default: the actor). Returns the token and its secret, shown once."""
    owner = user or actor
    if owner.pk != actor.pk and not access_for(actor).can("core.admin"):
        raise NotAllowed(_("You are not allowed to do this."))
    key = "lo_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner, name=name, prefix=key[:10], key_hash=ApiToken.hash_key(key), expires_at=expires_at
    )
    audit_create(actor=actor, instance=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token_id: int) -> ApiToken:
    """Revoke a token: own tokens, or anyone's with ``core.admin``."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or (token.user_id != actor.pk and not access_for(actor).can("core.admin")):
        raise NotAllowed(_("You are not allowed to do this."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_action(actor=actor, instance=token, verb="revoke")
    return token


@transaction.atomic
def role_capability_add(*, actor, role: Role, capability: str) -> RoleCapability:
    """Add a capability to a role. A read-only role (the auditor) never gets one that changes data."""
    if actor is not None and not access_for(actor).can("core.admin"):
        raise NotAllowed(_("You are not allowed to do this."))
    cap = CAPABILITIES.get(capability)
    if cap is None:
        raise DomainError(
            _("Unknown capability %(cap)s.") % {"cap": capability}, fields={"capability": [_("Unknown.")]}
        )
    if role.is_read_only and not cap.is_read:
        raise DomainError(
            _("A read-only role cannot hold a capability that changes data."),
            fields={"capability": [_("Not a read capability.")]},
        )
    rc, created = RoleCapability.objects.get_or_create(role=role, capability=capability)
    if created:
        audit_create(actor=actor, instance=rc)
    return rc


@transaction.atomic
def role_grant(*, actor, role: Role, scope: str, position=None, user=None) -> RoleGrant:
    """Grant a role to a position or a user with a data scope."""
    if actor is not None and not access_for(actor).can("core.admin"):
        raise NotAllowed(_("You are not allowed to do this."))
    existing = RoleGrant.objects.filter(role=role, position=position, user=user).first()
    if existing:
        return existing
    return model_create(actor=actor, model=RoleGrant, role=role, scope=scope, position=position, user=user)


@transaction.atomic
def role_grant_revoke(*, actor, grant: RoleGrant) -> None:
    """Take a role away from a position or user (audited with the grant's values)."""
    if not access_for(actor).can("core.admin"):
        raise NotAllowed(_("You are not allowed to do this."))
    before = snapshot(grant)
    audit_delete(actor=actor, instance=grant, before=before)
    grant.delete()
