"""The schedule (排班, LS-1, LS-5): sessions planned, checked for double bookings, copied week to
week, published; actual times recorded and the session's order lines linked.

Double bookings. A room, an account or a person (an anchor, the assistant, the field controller, the
operator) cannot be in two sessions whose planned windows overlap; windows are half-open, so a session
may start when the previous one ends. The check runs in the service, after locking the rows of the
room, the account and the people with ``select_for_update``: two bookings of the same resource wait
for each other, so the second one sees the first. On PostgreSQL an exclusion constraint (migration
0003) also refuses a room or an account booked twice, whatever writes the row; people are on a
session through several columns and a many-to-many table, which no single constraint can state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.audit import audit_action, model_create, model_update
from liveops.core.errors import Conflict, DomainError
from liveops.live.models import LiveAccount, LiveSession, Studio
from liveops.live.services.common import require
from liveops.org.models import Staff
from liveops.talent.models import AnchorProfile

STAFF_ROLES = ("assistant", "field_controller", "operator")
TARGETS = ("target_gmv", "target_viewers", "target_orders", "target_new_fans")


def _when(session: LiveSession) -> str:
    start, end = timezone.localtime(session.planned_start), timezone.localtime(session.planned_end)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _clash_message(what: str, other: LiveSession) -> str:
    return _("%(what)s is already booked in session #%(id)s (%(account)s, %(when)s).") % {
        "what": what,
        "id": other.pk,
        "account": other.account.name,
        "when": _when(other),
    }


def _check_window(start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start is None or end is None:
        raise DomainError(
            _("Enter the planned start and end."), fields={"planned_start": [_("A value is required.")]}
        )
    if end <= start:
        raise DomainError(
            _("The session must end after it starts."), fields={"planned_end": [_("Before the start.")]}
        )
    if end - start > dt.timedelta(hours=24):
        raise DomainError(
            _("A session lasts at most 24 hours."),
            fields={"planned_end": [_("More than 24 hours after the start.")]},
        )


def booking_clashes(
    *,
    start: dt.datetime,
    end: dt.datetime,
    account: LiveAccount,
    studio: Studio | None,
    anchors: list[AnchorProfile],
    staff: dict[str, Staff | None],
    exclude_id: int | None = None,
) -> dict[str, list[str]]:
    """Every double booking of this plan, as field → messages naming the other session (empty when
    none). Locks the rows of the room, the account and the people first (see the module doc)."""
    LiveAccount.objects.select_for_update().filter(pk=account.pk).first()
    if studio is not None:
        Studio.objects.select_for_update().filter(pk=studio.pk).first()
    anchor_ids = sorted(a.pk for a in anchors)
    staff_ids = sorted({s.pk for s in staff.values() if s is not None})
    if anchor_ids:
        list(AnchorProfile.objects.select_for_update().filter(pk__in=anchor_ids).order_by("pk").values("pk"))
    if staff_ids:
        list(Staff.objects.select_for_update().filter(pk__in=staff_ids).order_by("pk").values("pk"))
    overlapping = (
        LiveSession.objects.filter(planned_start__lt=end, planned_end__gt=start)
        .exclude(pk=exclude_id)
        .select_related("account")
        .order_by("planned_start", "pk")
    )
    out: dict[str, list[str]] = {}
    if studio is not None:
        other = overlapping.filter(studio=studio).first()
        if other:
            out["studio"] = [_clash_message(_("Room %(name)s") % {"name": studio.name}, other)]
    other = overlapping.filter(account=account).first()
    if other:
        out["account"] = [_clash_message(_("Account %(name)s") % {"name": account.name}, other)]
    for anchor in sorted(anchors, key=lambda a: a.pk):
        other = overlapping.filter(anchors=anchor).first()
        if other:
            out.setdefault("anchors", []).append(
                _clash_message(_("Anchor %(name)s") % {"name": anchor.stage_name}, other)
            )
    for role, person in staff.items():
        if person is None:
            continue
        other = overlapping.filter(
            Q(assistant=person) | Q(field_controller=person) | Q(operator=person)
        ).first()
        if other:
            out.setdefault(role, []).append(_clash_message(person.name, other))
    return out


def _refuse_clashes(clashes: dict[str, list[str]]) -> None:
    if clashes:
        first = next(iter(clashes.values()))[0]
        raise Conflict(first, code="double_booking", fields=clashes)


def _clean_targets(values: dict) -> dict:
    out = {}
    for key in TARGETS:
        if key not in values:
            continue
        value = values[key]
        if value in ("", None):
            out[key] = None
            continue
        value = Decimal(str(value)) if key == "target_gmv" else int(value)
        if value < 0:
            raise DomainError(_("Targets cannot be negative."), fields={key: [_("Must be zero or more.")]})
        out[key] = value
    return out


@transaction.atomic
def session_create(
    *,
    actor,
    account: LiveAccount,
    planned_start: dt.datetime,
    planned_end: dt.datetime,
    studio: Studio | None = None,
    anchors: list[AnchorProfile] | tuple = (),
    assistant: Staff | None = None,
    field_controller: Staff | None = None,
    operator: Staff | None = None,
    title: str = "",
    notes: str = "",
    **targets,
) -> LiveSession:
    """Plan a session (a draft until a manager publishes the week). Refused, naming the other session,
    when the room, the account or a person is already booked then."""
    require(actor, "live.change", account.department_id)
    _check_window(planned_start, planned_end)
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise TypeError(f"unknown arguments: {sorted(unknown)}")
    anchors = list(anchors)
    staff = {"assistant": assistant, "field_controller": field_controller, "operator": operator}
    _refuse_clashes(
        booking_clashes(
            start=planned_start, end=planned_end, account=account, studio=studio, anchors=anchors, staff=staff
        )
    )
    session = model_create(
        actor=actor,
        model=LiveSession,
        account=account,
        department_id=account.department_id,
        studio=studio,
        title=title,
        notes=notes,
        planned_start=planned_start,
        planned_end=planned_end,
        **staff,
        **_clean_targets(targets),
    )
    if anchors:
        session.anchors.set(anchors)
        audit_action(
            actor=actor, instance=session, verb="anchors_set", details={"after": [a.pk for a in anchors]}
        )
    return session


EDITABLE = ("studio", "title", "notes", "planned_start", "planned_end", *STAFF_ROLES, *TARGETS)


@transaction.atomic
def session_update(
    *, actor, session: LiveSession, anchors: list[AnchorProfile] | None = None, **data
) -> LiveSession:
    """Change a session's plan; the double-booking check runs again on the new plan."""
    require(actor, "live.change", session.department_id)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    data.update(_clean_targets(data))
    start = data.get("planned_start", session.planned_start)
    end = data.get("planned_end", session.planned_end)
    _check_window(start, end)
    new_anchors = list(anchors) if anchors is not None else list(session.anchors.all())
    staff = {role: data.get(role, getattr(session, role)) for role in STAFF_ROLES}
    _refuse_clashes(
        booking_clashes(
            start=start,
            end=end,
            account=session.account,
            studio=data.get("studio", session.studio),
            anchors=new_anchors,
            staff=staff,
            exclude_id=session.pk,
        )
    )
    model_update(actor=actor, instance=session, data=data)
    if anchors is not None:
        before = sorted(session.anchors.values_list("pk", flat=True))
        after = sorted(a.pk for a in new_anchors)
        if before != after:
            session.anchors.set(new_anchors)
            audit_action(
                actor=actor, instance=session, verb="anchors_set", details={"before": before, "after": after}
            )
    return session


@transaction.atomic
def sessions_publish(*, actor, sessions) -> int:
    """Publish draft sessions (a week of a room, an account or the department): managers only
    (``live.approve`` over each session's department). The people on them then see them."""
    drafts = list(
        LiveSession.objects.select_for_update()
        .filter(pk__in=[s.pk for s in sessions], status=LiveSession.Status.DRAFT)
        .order_by("pk")
    )
    for session in drafts:
        require(actor, "live.approve", session.department_id)
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    for session in drafts:
        model_update(
            actor=actor,
            instance=session,
            data={"status": LiveSession.Status.PUBLISHED, "published_at": now, "published_by": user},
        )
    return len(drafts)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


@transaction.atomic
def schedule_copy_week(*, actor, sessions, target_week: dt.date) -> list[LiveSession]:
    """Copy planned sessions (one week's, as the calendar shows them) into the week starting on
    ``target_week``, same weekday and time, as drafts with the same room, people and targets. All or
    nothing: a double booking in the target week refuses the copy, naming the clash."""
    sessions = [s for s in sessions if s.planned_start is not None]
    if not sessions:
        raise DomainError(_("There is nothing to copy in that week."))
    source = week_start(timezone.localtime(sessions[0].planned_start).date())
    target_week = week_start(target_week)
    shift = target_week - source
    if shift == dt.timedelta(0):
        raise DomainError(_("Choose another week to copy to."), fields={"target_week": [_("Same week.")]})
    created = []
    for s in sorted(sessions, key=lambda s: (s.planned_start, s.pk)):
        try:
            created.append(
                session_create(
                    actor=actor,
                    account=s.account,
                    planned_start=s.planned_start + shift,
                    planned_end=s.planned_end + shift,
                    studio=s.studio,
                    anchors=list(s.anchors.all()),
                    assistant=s.assistant,
                    field_controller=s.field_controller,
                    operator=s.operator,
                    title=s.title,
                    **{k: getattr(s, k) for k in TARGETS},
                )
            )
        except Conflict as exc:
            raise Conflict(
                _("Copying session #%(id)s: %(reason)s") % {"id": s.pk, "reason": exc.message},
                code="double_booking",
                fields=exc.fields,
            ) from exc
    return created


def session_shops_and_accounts(session: LiveSession) -> tuple[list[int], list[int]]:
    """The shop of the session's account and the platform accounts of its anchors: whose order lines
    in the session's window are the session's."""
    shop_ids = [session.account.shop_id] if session.account.shop_id else []
    anchor_account_ids = sorted(
        AnchorProfile.accounts.through.objects.filter(
            anchorprofile_id__in=session.anchors.values("pk")
        ).values_list("anchoraccount_id", flat=True)
    )
    return shop_ids, anchor_account_ids


def session_attribute_lines(*, actor, session: LiveSession) -> int:
    """Link the order lines submitted during the session (its actual times) to it, through
    ``commerce.attribution_session_apply``. Returns the number of lines linked (0 when the times
    or the shop are not known)."""
    from liveops.commerce.services.attribution import attribution_session_apply

    if (
        session.actual_start is None
        or session.actual_end is None
        or session.actual_end <= session.actual_start
    ):
        return 0
    shop_ids, anchor_account_ids = session_shops_and_accounts(session)
    if not shop_ids and not anchor_account_ids:
        return 0
    return attribution_session_apply(
        actor=actor,
        session_id=session.pk,
        starts_at=session.actual_start,
        ends_at=session.actual_end,
        # The anchors' accounts when known: a shop may run several rooms at once, and its whole
        # window would take the other rooms' lines too.
        shop_ids=None if anchor_account_ids else shop_ids,
        anchor_account_ids=anchor_account_ids or None,
    )


@transaction.atomic
def session_actuals_set(
    *, actor, session: LiveSession, actual_start: dt.datetime, actual_end: dt.datetime
) -> int:
    """Record when the session really ran, and link its order lines. Returns the lines linked."""
    require(actor, "live.change", session.department_id)
    if actual_end <= actual_start:
        raise DomainError(
            _("The session must end after it starts."), fields={"actual_end": [_("Before the start.")]}
        )
    model_update(actor=actor, instance=session, data={"actual_start": actual_start, "actual_end": actual_end})
    return session_attribute_lines(actor=actor, session=session)
