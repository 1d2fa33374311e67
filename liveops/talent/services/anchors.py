"""Anchor profiles (AC-2): created and changed by brokerage staff (``talent.change`` over the
profile's department, or the profile's own broker), every change audited with before and after."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from liveops.commerce.models import AnchorAccount
from liveops.core.access import access_for
from liveops.core.audit import audit_action, model_create, model_update
from liveops.core.errors import DomainError, NotAllowed
from liveops.org.models import Department, Staff
from liveops.talent.models import AnchorProfile

EDITABLE = (
    "stage_name",
    "real_name",
    "phone",
    "id_number",
    "broker",
    "status",
    "category_focus",
    "tags",
    "staff",
)


def _require_change(actor, profile: AnchorProfile | None, department_id: int) -> None:
    access = access_for(actor)
    if access.reaches_department("talent.change", department_id):
        return
    # A broker (own-records scope) changes the anchors they manage.
    if (
        profile is not None
        and access.can("talent.change")
        and profile.broker_id is not None
        and profile.broker.user_id == access.user_id
    ):
        return
    raise NotAllowed(_("You are not allowed to do this."))


def _clean_tags(tags) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.replace("，", ",").split(",")
    return [t.strip() for t in tags if str(t).strip()][:30]


@transaction.atomic
def anchor_create(
    *,
    actor,
    stage_name: str,
    department: Department | None = None,
    real_name: str = "",
    phone: str = "",
    id_number: str = "",
    broker: Staff | None = None,
    staff: Staff | None = None,
    status: str = AnchorProfile.Status.TRAINEE,
    category_focus: str = "",
    tags: list[str] | str | None = None,
    accounts: list[AnchorAccount] | None = None,
) -> AnchorProfile:
    """Create an anchor profile (in the brokerage department unless another is named)."""
    department = department or Department.objects.get(code="AB")
    _require_change(actor, None, department.pk)
    if not stage_name.strip():
        raise DomainError(_("Enter the stage name."), fields={"stage_name": [_("A value is required.")]})
    profile = model_create(
        actor=actor,
        model=AnchorProfile,
        stage_name=stage_name.strip(),
        department=department,
        real_name=real_name,
        phone=phone,
        id_number=id_number,
        broker=broker,
        staff=staff,
        status=status,
        category_focus=category_focus,
        tags=_clean_tags(tags),
    )
    if accounts:
        anchor_accounts_set(actor=actor, profile=profile, accounts=accounts)
    return profile


@transaction.atomic
def anchor_update(*, actor, profile: AnchorProfile, **data) -> AnchorProfile:
    """Change the editable fields of a profile; only changed fields are logged."""
    _require_change(actor, profile, profile.department_id)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "tags" in data:
        data["tags"] = _clean_tags(data["tags"])
    model_update(actor=actor, instance=profile, data=data)
    return profile


@transaction.atomic
def anchor_accounts_set(*, actor, profile: AnchorProfile, accounts: list[AnchorAccount]) -> AnchorProfile:
    """Set the platform accounts (account matrix) of a profile."""
    _require_change(actor, profile, profile.department_id)
    before = sorted(profile.accounts.values_list("id", flat=True))
    profile.accounts.set(accounts)
    after = sorted(a.pk for a in accounts)
    if before != after:
        audit_action(
            actor=actor, instance=profile, verb="accounts_set", details={"before": before, "after": after}
        )
    return profile
