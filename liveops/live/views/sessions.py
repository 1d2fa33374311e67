"""A session's page (plan, people, line-up), the line-up actions and export, and the review (复盘)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liveops.core.audit import audit_log
from liveops.core.duties import serves
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.exports import export_response
from liveops.core.forms import form_service_call, int_or_none
from liveops.core.models import AuditAction
from liveops.core.permissions import capability_required
from liveops.live import forms
from liveops.live.models import LineupItem, LiveSession, Mechanic
from liveops.live.selectors import review as review_sel
from liveops.live.selectors import sessions as sel
from liveops.live.services import lineups as lineup_svc
from liveops.live.services import sessions as svc
from liveops.live.views.common import require


def _session(request, pk: int) -> LiveSession:
    session = sel.session_get(access=request.access, pk=pk)
    if session is None:
        raise Http404
    return session


def _lineup_context(request, session: LiveSession, form=None) -> dict:
    can_change = sel.session_can_change(access=request.access, session=session)
    items = list(session.lineup.select_related("product", "deal", "product__merchant").order_by("position"))
    previous = (
        sel.session_list(access=request.access, account_id=session.account_id)
        .exclude(pk=session.pk)
        .filter(lineup__isnull=False)
        .distinct()
        .order_by("-planned_start")[:10]
        if can_change
        else []
    )
    return {
        "session": session,
        "items": items,
        "can_change": can_change,
        "form": form if form is not None else (forms.LineupAddForm() if can_change else None),
        "previous_sessions": previous,
        "mechanic_labels": dict(Mechanic.choices),
    }


@serves("LS-1", "LS-3", "LC-4", feature=gettext_noop("A session: plan, people and line-up (排品)"))
@capability_required("live.view", "live.view_own")
def session_detail(request, pk: int):
    session = _session(request, pk)
    context = _lineup_context(request, session)
    context.update(
        {
            "can_publish": request.access.reaches_department("live.approve", session.department_id),
            "anchors": list(session.anchors.all()),
        }
    )
    return render(request, "live/session_detail.html", context)


def _lineup_response(request, session, form=None):
    if request.htmx:
        return render(request, "live/_lineup.html", _lineup_context(request, session, form))
    return redirect("live-session", pk=session.pk)


@serves("LS-3", feature=gettext_noop("Add a product to a line-up through the quality gate"))
@capability_required("live.change")
def lineup_add(request, pk: int):
    session = _session(request, pk)
    if request.method != "POST":
        raise Http404
    form = forms.LineupAddForm(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        item = form_service_call(
            form,
            lambda: lineup_svc.lineup_add(
                actor=request.user,
                session=session,
                product=cd["product"],
                live_price=cd["live_price"],
                stock_allotted=cd["stock_allotted"] or 0,
                mechanics=cd["mechanics"],
                selling_points=cd["selling_points"],
                slot=cd["slot"],
            ),
        )
        if item is not None:
            for warning in item.warnings:
                messages.warning(request, warning)
            if not request.htmx:
                messages.success(request, _("Added to the line-up."))
            return _lineup_response(request, session)
    if not request.htmx:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return _lineup_response(request, session, form)


def _item(request, pk: int, item_pk: int) -> tuple[LiveSession, LineupItem]:
    session = _session(request, pk)
    if request.method != "POST":
        raise Http404
    return session, get_object_or_404(LineupItem, pk=item_pk, session=session)


@serves("LS-3", feature=gettext_noop("Edit a line-up item"))
@capability_required("live.change")
def lineup_item(request, pk: int, item_pk: int):
    session, item = _item(request, pk, item_pk)
    action = request.POST.get("action", "")
    try:
        if action == "remove":
            lineup_svc.lineup_remove(actor=request.user, item=item)
        elif action in ("up", "down"):
            lineup_svc.lineup_move(actor=request.user, item=item, up=action == "up")
        else:
            price = request.POST.get("live_price", "").strip()
            stock = int_or_none(request.POST.get("stock_allotted"))
            from decimal import Decimal, InvalidOperation

            try:
                price_value = Decimal(price) if price else item.live_price
            except InvalidOperation:
                raise DomainError(_("Not an amount."), fields={"live_price": [_("Not an amount.")]}) from None
            lineup_svc.lineup_update(
                actor=request.user,
                item=item,
                live_price=price_value,
                stock_allotted=stock if stock is not None else item.stock_allotted,
                slot=request.POST.get("slot", item.slot)[:20],
                mechanics=[m for m in request.POST.getlist("mechanics") if m]
                if "mechanics_sent" in request.POST
                else item.mechanics,
            )
            for warning in LineupItem.objects.select_related("deal").get(pk=item.pk).warnings:
                messages.warning(request, warning)
    except NotAllowed:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return _lineup_response(request, session)


@serves("LS-3", feature=gettext_noop("Copy a line-up from a previous session"))
@capability_required("live.change")
def lineup_copy(request, pk: int):
    session = _session(request, pk)
    if request.method != "POST":
        raise Http404
    source = sel.session_get(access=request.access, pk=int_or_none(request.POST.get("source")) or 0)
    if source is None:
        messages.error(request, _("Choose a session to copy from."))
        return _lineup_response(request, session)
    try:
        copied, skipped = lineup_svc.lineup_copy_from(actor=request.user, session=session, source=source)
    except NotAllowed:
        raise Http404 from None
    messages.success(request, _("%(n)s products copied.") % {"n": len(copied)})
    for reason in skipped:
        messages.warning(request, reason)
    return _lineup_response(request, session)


@serves("LS-3", feature=gettext_noop("Line-up export (XLSX)"))
@capability_required("live.export")
def lineup_export(request, pk: int):
    session = _session(request, pk)
    items = session.lineup.select_related("product", "deal").order_by("position")
    labels = dict(Mechanic.choices)
    header = [
        _("Order"),
        _("Product"),
        _("Live price (CNY)"),
        _("Deal price (CNY)"),
        _("Stock allotted"),
        _("Guaranteed stock"),
        _("Mechanics"),
        _("Selling points"),
        _("Time slot"),
        _("Warnings"),
    ]
    rows = [
        [
            i.position,
            i.product.title,
            i.live_price,
            i.deal.live_price,
            i.stock_allotted,
            i.deal.guaranteed_stock,
            "、".join(str(labels.get(m, m)) for m in i.mechanics),
            i.selling_points,
            i.slot,
            " ".join(i.warnings),
        ]
        for i in items
    ]
    audit_log(
        actor=request.user,
        action=AuditAction.ACTION,
        verb="export",
        object_type_label="live.lineup",
        object_repr=f"line-up of session {session.pk} ({len(rows)})",
        changes={"format": "xlsx", "session": session.pk},
    )
    return export_response(fmt="xlsx", filename=f"lineup-{session.pk}", header=header, rows=rows)


def _local_dt(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@serves("LS-2", feature=gettext_noop("Record a session's actual times and link its order lines"))
@capability_required("live.change")
def session_actuals(request, pk: int):
    session = _session(request, pk)
    if request.method != "POST":
        raise Http404
    start, end = (
        _local_dt(request.POST.get("actual_start", "")),
        _local_dt(request.POST.get("actual_end", "")),
    )
    if start is None or end is None:
        messages.error(request, _("Enter the actual start and end."))
        return redirect("live-session", pk=session.pk)
    try:
        n = svc.session_actuals_set(actor=request.user, session=session, actual_start=start, actual_end=end)
    except NotAllowed:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Times saved; %(n)s order lines linked to the session.") % {"n": n})
    return redirect("live-session", pk=session.pk)


@serves(
    "LS-2",
    "LS-4",
    feature=gettext_noop("Session review (复盘): funnel, figures against target and median, products"),
)
@capability_required("live.view", "live.view_own")
def session_review(request, pk: int):
    session = _session(request, pk)
    review = review_sel.session_review(session=session)
    return render(request, "live/review.html", {"session": session, "review": review})


@serves(
    "LS-1",
    "LC-1",
    feature=gettext_noop("Live accounts and rooms across platforms; imported sessions to resolve"),
)
@capability_required("live.view")
def accounts(request):
    access = request.access
    require(access, "live.view")
    today = timezone.localdate()
    account_rows = list(sel.account_list(access=access))
    upcoming = (
        sel.session_list(access=access, start=today, end=today + dt.timedelta(days=7))
        .exclude(planned_start__isnull=True)
        .order_by("planned_start")
    )
    by_account: dict[int, list] = {}
    for s in upcoming[:500]:
        by_account.setdefault(s.account_id, []).append(s)
    from django.db.models import Count, Sum

    month = (
        sel.session_list(access=access, start=today - dt.timedelta(days=30), end=today)
        .order_by()
        .values("account_id")
        .annotate(n=Count("pk"), gmv_total=Sum("gmv"))
    )
    figures = {r["account_id"]: r for r in month}
    return render(
        request,
        "live/accounts.html",
        {
            "accounts": [
                {"account": a, "upcoming": by_account.get(a.pk, []), "month": figures.get(a.pk)}
                for a in account_rows
            ],
            "studios": sel.studio_list(access=access).prefetch_related("checklist"),
            "unmatched": sel.unmatched_sessions(access=access)[:100],
        },
    )
