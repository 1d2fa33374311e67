"""The schedule (排班, LS-1, LS-5): a week calendar per room, account or person; the session form;
copy a week; publish; a person's schedule as iCalendar."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liveops.core.audit import audit_log
from liveops.core.duties import serves
from liveops.core.errors import DomainError
from liveops.core.forms import form_service_call, int_or_none
from liveops.core.models import AuditAction
from liveops.core.permissions import capability_required
from liveops.live import forms
from liveops.live.models import LiveSession
from liveops.live.selectors import sessions as sel
from liveops.live.services import sessions as svc
from liveops.live.views.common import parse_week
from liveops.org.models import Staff
from liveops.talent.models import AnchorProfile

FILTERS = ("studio", "account", "staff", "anchor")


def _filters(request) -> dict[str, int]:
    out = {}
    for name in FILTERS:
        value = int_or_none(request.GET.get(name) or request.POST.get(name))
        if value:
            out[name] = value
    return out


def _week_sessions(access, week: dt.date, filters: dict[str, int], *, own_only: bool = False):
    return (
        sel.session_list(
            access=access,
            start=week,
            end=week + dt.timedelta(days=6),
            account_id=filters.get("account"),
            studio_id=filters.get("studio"),
            staff_id=filters.get("staff"),
            anchor_id=filters.get("anchor"),
            own_only=own_only,
        )
        .prefetch_related("anchors")
        .order_by("planned_start", "actual_start", "pk")
    )


@serves(
    "LS-1",
    "LS-5",
    feature=gettext_noop(
        "Session schedule (排班): week calendar per room, account and person; copy and publish a week"
    ),
)
@capability_required("live.view", "live.view_own")
def schedule(request):
    access = request.access
    week = parse_week(request.GET.get("week"))
    filters = _filters(request)
    own_only = not access.can("live.view")
    sessions = list(_week_sessions(access, week, filters, own_only=own_only))
    days = []
    for i in range(7):
        day = week + dt.timedelta(days=i)
        days.append(
            {
                "date": day,
                "sessions": [s for s in sessions if timezone.localtime(s.start).date() == day],
            }
        )
    query = urlencode(filters)
    context = {
        "week": week,
        "prev_week": week - dt.timedelta(days=7),
        "next_week": week + dt.timedelta(days=7),
        "days": days,
        "filters": filters,
        "query": query,
        "own_only": own_only,
        "studios": sel.studio_list(access=access) if not own_only else [],
        "accounts": sel.account_list(access=access) if not own_only else [],
        "people": Staff.objects.filter(is_active=True, department__code__in=["LS", "LC"]).order_by("name")
        if not own_only
        else [],
        "anchors": AnchorProfile.objects.exclude(status="left").order_by("stage_name")
        if not own_only
        else [],
        "can_change": access.can("live.change"),
        "can_publish": access.can("live.approve"),
        "drafts": sum(1 for s in sessions if s.status == LiveSession.Status.DRAFT),
    }
    template = "live/_calendar.html" if request.htmx else "live/schedule.html"
    return render(request, template, context)


def _back(week: dt.date, filters: dict) -> str:
    return reverse("live-schedule") + "?" + urlencode({"week": week.isoformat(), **filters})


@capability_required("live.approve")
def schedule_publish(request):
    if request.method != "POST":
        return redirect("live-schedule")  # an action of the schedule page: its buttons post here
    week = parse_week(request.POST.get("week"))
    filters = _filters(request)
    sessions = _week_sessions(request.access, week, filters).filter(status=LiveSession.Status.DRAFT)
    try:
        n = svc.sessions_publish(actor=request.user, sessions=list(sessions))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s sessions published.") % {"n": n})
    return redirect(_back(week, filters))


@capability_required("live.change")
def schedule_copy(request):
    if request.method != "POST":
        return redirect("live-schedule")  # an action of the schedule page: its buttons post here
    week = parse_week(request.POST.get("week"))
    target = parse_week(request.POST.get("target_week") or (week + dt.timedelta(days=7)).isoformat())
    filters = _filters(request)
    sessions = [s for s in _week_sessions(request.access, week, filters) if s.planned_start is not None]
    try:
        created = svc.schedule_copy_week(actor=request.user, sessions=sessions, target_week=target)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back(week, filters))
    messages.success(request, _("%(n)s sessions copied as drafts.") % {"n": len(created)})
    return redirect(_back(target, filters))


def _ical_escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@serves("LS-5", feature=gettext_noop("A person's schedule as iCalendar"))
@capability_required("live.view", "live.view_own")
def schedule_ical(request):
    """A person's published sessions (and drafts, for live staff) for the next 90 days and the past 30,
    as an iCalendar file. ``?staff=ID`` for a colleague (needs ``live.view``); without it, one's own."""
    access = request.access
    staff_id = int_or_none(request.GET.get("staff"))
    if staff_id and access.can("live.view"):
        person = get_object_or_404(Staff, pk=staff_id)
        sessions = sel.session_list(access=access, staff_id=person.pk)
    else:
        person = Staff.objects.filter(user=request.user).first()
        sessions = sel.session_list(access=access, own_only=True)
    today = timezone.localdate()
    sessions = (
        sessions.filter(planned_start__isnull=False)
        .filter(
            planned_start__date__gte=today - dt.timedelta(days=30),
            planned_start__date__lte=today + dt.timedelta(days=90),
        )
        .order_by("planned_start")
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//LiveOps//live schedule//ZH", "CALSCALE:GREGORIAN"]
    for s in sessions[:2000]:
        where = s.studio.name if s.studio_id else ""
        title = s.title or f"{s.account.name} {_('live session')}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:live-session-{s.pk}@liveops",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{s.planned_start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{s.planned_end.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ical_escape(title)}",
            f"LOCATION:{_ical_escape(where)}",
            f"STATUS:{'CONFIRMED' if s.status == LiveSession.Status.PUBLISHED else 'TENTATIVE'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    audit_log(
        actor=request.user,
        action=AuditAction.ACTION,
        verb="export",
        object_type_label="live.schedule",
        object_repr=f"iCalendar {person.name if person else request.user.get_username()}",
        changes={"format": "ics", "staff": staff_id},
    )
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="schedule.ics"'
    return response


@serves("LS-1", feature=gettext_noop("Plan a session: room, account, people and targets"))
@capability_required("live.change")
def session_form(request, pk: int | None = None):
    access = request.access
    session = None
    if pk is not None:
        session = sel.session_get(access=access, pk=pk)
        if session is None or not sel.session_can_change(access=access, session=session):
            raise Http404
    initial = forms.SessionForm.initial_for(session) if session else {}
    if session is None and request.GET.get("account"):
        initial["account"] = int_or_none(request.GET.get("account"))
    form = forms.SessionForm(request.POST or None, access=access, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = dict(form.cleaned_data)
        anchors = list(cd.pop("anchors"))
        account = cd.pop("account")
        if session is None:
            saved = form_service_call(
                form, lambda: svc.session_create(actor=request.user, account=account, anchors=anchors, **cd)
            )
        else:
            if account.pk != session.account_id:
                form.add_error("account", _("The account of a session cannot change; plan a new session."))
                saved = None
            else:
                saved = form_service_call(
                    form,
                    lambda: svc.session_update(actor=request.user, session=session, anchors=anchors, **cd),
                )
        if saved:
            messages.success(request, _("Session saved."))
            return redirect("live-session", pk=saved.pk)
    return render(request, "live/session_form.html", {"form": form, "session": session})
