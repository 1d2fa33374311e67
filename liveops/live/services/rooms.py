"""Rooms (studios) with their checklists, and live accounts (LS-1, LC-1, IT-4)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from liveops.commerce.models import Shop
from liveops.core.audit import audit_action, model_create, model_update
from liveops.core.errors import Conflict, DomainError
from liveops.live.models import LiveAccount, Studio, StudioChecklistItem
from liveops.live.services.common import require
from liveops.org.models import Department


@transaction.atomic
def studio_create(
    *, actor, name: str, department: Department, location: str = "", checklist: list[tuple[str, str]] = ()
) -> Studio:
    """A room, with its checklist items as (kind, label)."""
    require(actor, "live.change", department.pk)
    if Studio.objects.filter(name=name.strip()).exists():
        raise Conflict(_("A room called “%(name)s” exists.") % {"name": name}, fields={"name": [_("Taken.")]})
    studio = model_create(
        actor=actor, model=Studio, name=name.strip(), department=department, location=location
    )
    for order, (kind, label) in enumerate(checklist):
        model_create(
            actor=actor, model=StudioChecklistItem, studio=studio, kind=kind, label=label, sort_order=order
        )
    return studio


@transaction.atomic
def account_create(
    *,
    actor,
    platform: str,
    name: str,
    department: Department,
    platform_account_id: str = "",
    shop: Shop | None = None,
    anchors=(),
) -> LiveAccount:
    """A platform account the company streams from, linked to its shop, department and anchors."""
    require(actor, "live.change", department.pk)
    if shop is not None and shop.platform != platform:
        raise DomainError(
            _("The shop is on another platform."), fields={"shop": [_("Choose a shop on the same platform.")]}
        )
    if LiveAccount.objects.filter(platform=platform, name=name.strip()).exists():
        raise Conflict(
            _("An account called “%(name)s” exists on this platform.") % {"name": name},
            fields={"name": [_("Taken.")]},
        )
    account = model_create(
        actor=actor,
        model=LiveAccount,
        platform=platform,
        name=name.strip(),
        platform_account_id=platform_account_id.strip(),
        shop=shop,
        department=department,
    )
    if anchors:
        account.anchors.set(anchors)
        audit_action(
            actor=actor, instance=account, verb="anchors_set", details={"after": [a.pk for a in anchors]}
        )
    return account


@transaction.atomic
def account_register(
    *,
    actor,
    account: LiveAccount,
    shop: Shop | None = None,
    department: Department | None = None,
    anchors=None,
) -> LiveAccount:
    """Complete an account first seen in an import (a partner room): its shop, department and anchors;
    it then counts as registered."""
    require(actor, "live.change", account.department_id)
    if department is not None:
        require(actor, "live.change", department.pk)
    data = {"is_registered": True}
    if shop is not None:
        data["shop"] = shop
    if department is not None:
        data["department"] = department
    model_update(actor=actor, instance=account, data=data)
    if anchors is not None:
        account.anchors.set(anchors)
        audit_action(
            actor=actor, instance=account, verb="anchors_set", details={"after": [a.pk for a in anchors]}
        )
    return account
