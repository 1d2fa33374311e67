"""Live API: sessions. Thin: the selector scopes, the filter narrows by local dates."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import generics, serializers

from liveops.live.api.serializers import SessionSerializer
from liveops.live.models import LiveSession
from liveops.live.selectors import sessions as selectors

FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


class SessionFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(method="filter_start", label="first local day (YYYY-MM-DD)")
    end = django_filters.DateFilter(method="filter_end", label="last local day (YYYY-MM-DD)")

    class Meta:
        model = LiveSession
        fields = ["start", "end"]

    def _bound(self, value, *, after: bool):
        # Dates far outside any session (year 1, 9999) would overflow when converted to UTC: a 400.
        if not (FIRST_DAY <= value <= LAST_DAY):
            raise serializers.ValidationError(
                {"start" if after else "end": [_("Enter a date between 2000-01-01 and 2099-12-31.")]}
            )
        day = value if after else value + dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())

    def filter_start(self, qs, name, value):
        b = self._bound(value, after=True)
        return qs.filter(Q(planned_start__gte=b) | Q(planned_start__isnull=True, actual_start__gte=b))

    def filter_end(self, qs, name, value):
        b = self._bound(value, after=False)
        return qs.filter(Q(planned_start__lt=b) | Q(planned_start__isnull=True, actual_start__lt=b))


class SessionList(generics.ListAPIView):
    """Live sessions the caller may see, with their figures when known (null when not);
    ``?start=&end=`` are local dates of the session's (planned, else actual) start."""

    capability = "live.view_own"
    duties = ("LS-1", "LS-2")
    feature = gettext_noop("Live sessions API")
    queryset = LiveSession.objects.none()
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.session_list(access=self.request.access)


class SessionDetail(generics.RetrieveAPIView):
    """One live session."""

    capability = "live.view_own"
    duties = ("LS-1", "LS-2")
    feature = gettext_noop("Live sessions API")
    queryset = LiveSession.objects.none()
    serializer_class = SessionSerializer

    def get_queryset(self):
        return selectors.session_list(access=self.request.access)
