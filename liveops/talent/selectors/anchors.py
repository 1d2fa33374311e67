"""Reads of anchor profiles, scoped: ``talent.view`` over the profile's department; a broker (own
scope) sees the anchors they manage; an anchor always sees their own profile."""

from __future__ import annotations

import datetime as dt

from django.db.models import BigIntegerField, F, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from liveops.commerce.models import OrderLine
from liveops.core.access import ALL, Access
from liveops.talent.models import AnchorProfile


def mask_name(value: str) -> str:
    """A real name masked on the server: the family name and stars (张**)."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


def _visible(access: Access) -> Q | None:
    """The condition on AnchorProfile for this actor; None when nothing is visible."""
    own = Q(staff__user_id=access.user_id) if access.user_id is not None else None
    if access.can("talent.view"):
        ids = access.department_ids("talent.view")
        if ids is ALL:
            return Q()
        cond = Q(department_id__in=ids) if ids else Q(pk__in=[])
        if access.user_id is not None:
            cond |= Q(broker__user_id=access.user_id)
        return cond | own if own is not None else cond
    return own


def anchor_list(
    *, access: Access, status: str = "", q: str = "", with_gmv: bool = True
) -> QuerySet[AnchorProfile]:
    """Profiles the actor may see, with ``gmv_30d_fen``: the paid amount of the last 30 days' order
    lines of the profile's platform accounts (one correlated sum per row, read through the
    (anchor account, day) index)."""
    cond = _visible(access)
    qs = AnchorProfile.objects.select_related("broker").prefetch_related("accounts")
    if cond is None:
        return qs.none()
    qs = qs.filter(cond)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(stage_name__icontains=q) | Q(accounts__platform_anchor_id=q)).distinct()
    if with_gmv:
        since = timezone.localdate() - dt.timedelta(days=30)
        gmv = (
            OrderLine.objects.filter(
                anchor_account_id__in=AnchorProfile.accounts.through.objects.filter(
                    anchorprofile_id=OuterRef(OuterRef("pk"))
                ).values("anchoraccount_id"),
                day__gt=since,
            )
            .order_by()
            .values(total=Func(F("amount_paid_fen"), function="SUM"))
        )
        qs = qs.annotate(gmv_30d_fen=Coalesce(Subquery(gmv, output_field=BigIntegerField()), Value(0)))
    return qs.order_by("stage_name", "id")


def anchor_get(*, access: Access, pk: int) -> AnchorProfile | None:
    return anchor_list(access=access).filter(pk=pk).first()
