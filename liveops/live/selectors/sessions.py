"""Reads of rooms, accounts and sessions. Scope: ``live.view`` over the record's department; anyone
else (an anchor, a session's assistant from another unit) sees the *published* sessions they are on
(``live.view_own``). No grant, nothing."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from liveops.core.access import Access, scope_queryset
from liveops.live.models import LiveAccount, LiveSession, Studio
from liveops.talent.models import AnchorProfile


def _own_condition(user_id: int) -> Q:
    on_it = Exists(AnchorProfile.objects.filter(live_sessions=OuterRef("pk"), staff__user_id=user_id))
    return (
        Q(assistant__user_id=user_id)
        | Q(field_controller__user_id=user_id)
        | Q(operator__user_id=user_id)
        | Q(on_it)
    ) & Q(status=LiveSession.Status.PUBLISHED)


def session_list(
    *,
    access: Access,
    start: dt.date | None = None,
    end: dt.date | None = None,
    account_id: int | None = None,
    studio_id: int | None = None,
    staff_id: int | None = None,
    anchor_id: int | None = None,
    own_only: bool = False,
) -> QuerySet[LiveSession]:
    """Sessions the actor may see, optionally within local dates [start, end] (by planned start, or
    actual start for sessions imported without a plan), of one account, room, staff member or anchor."""
    base = LiveSession.objects.select_related(
        "account", "studio", "assistant", "field_controller", "operator"
    )
    if own_only or not access.can("live.view"):
        if access.user_id is None or not (access.can("live.view_own") or access.can("live.view")):
            return base.none()
        qs = base.filter(_own_condition(access.user_id))
    else:
        qs = scope_queryset(base, access=access, capability="live.view")
        if access.can("live.view_own") and access.user_id is not None:
            qs = qs | base.filter(_own_condition(access.user_id))
    tz = timezone.get_current_timezone()
    if start is not None:
        after = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
        qs = qs.filter(Q(planned_start__gte=after) | Q(planned_start__isnull=True, actual_start__gte=after))
    if end is not None:
        before = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(Q(planned_start__lt=before) | Q(planned_start__isnull=True, actual_start__lt=before))
    if account_id:
        qs = qs.filter(account_id=account_id)
    if studio_id:
        qs = qs.filter(studio_id=studio_id)
    if staff_id:
        qs = qs.filter(
            Q(assistant_id=staff_id)
            | Q(field_controller_id=staff_id)
            | Q(operator_id=staff_id)
            | Q(anchors__staff_id=staff_id)
        ).distinct()
    if anchor_id:
        qs = qs.filter(anchors__id=anchor_id).distinct()
    return qs


def session_get(*, access: Access, pk: int) -> LiveSession | None:
    return session_list(access=access).filter(pk=pk).first()


def session_can_change(*, access: Access, session: LiveSession) -> bool:
    return access.reaches_department("live.change", session.department_id)


def studio_list(*, access: Access) -> QuerySet[Studio]:
    return scope_queryset(Studio.objects.all(), access=access, capability="live.view").order_by("name")


def account_list(*, access: Access, registered: bool | None = None) -> QuerySet[LiveAccount]:
    qs = scope_queryset(
        LiveAccount.objects.select_related("shop", "department").prefetch_related("anchors"),
        access=access,
        capability="live.view",
    )
    if registered is not None:
        qs = qs.filter(is_registered=registered)
    return qs.order_by("platform", "name")


def unmatched_sessions(*, access: Access) -> QuerySet[LiveSession]:
    """Imported sessions that match no scheduled one: for a person to resolve."""
    return session_list(access=access).filter(origin=LiveSession.Origin.IMPORTED).order_by("-actual_start")
