"""Talent API: anchor profiles. Thin: the selector scopes (a broker's token sees their own anchors)."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from rest_framework import generics

from liveops.talent import selectors
from liveops.talent.api.serializers import AnchorSerializer
from liveops.talent.models import AnchorProfile


class AnchorList(generics.ListAPIView):
    """Anchor profiles the caller may see, with their platform accounts and last 30 days' GMV."""

    capability = "talent.view"
    duties = ("AC-2",)
    feature = gettext_noop("Anchor profiles API")
    queryset = AnchorProfile.objects.none()
    serializer_class = AnchorSerializer
    filterset_fields = ["status"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.anchor_list(access=self.request.access)


class AnchorDetail(generics.RetrieveAPIView):
    """One anchor profile."""

    capability = "talent.view"
    duties = ("AC-2",)
    feature = gettext_noop("Anchor profiles API")
    queryset = AnchorProfile.objects.none()
    serializer_class = AnchorSerializer

    def get_queryset(self):
        return selectors.anchor_list(access=self.request.access)
