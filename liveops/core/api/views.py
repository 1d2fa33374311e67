"""Core API: the caller's own identity and capabilities, and the audit log (auditors)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.core.access import access_for
from liveops.core.api.serializers import AuditEntrySerializer, MeSerializer
from liveops.core.models import AuditEntry, UserPreference


class MeView(APIView):
    """Who am I, in which language, with which capabilities."""

    capability = "authenticated"

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        access = access_for(request.user)
        caps = {c: access.widest_scope(c) for c in sorted(access.grants)}
        if request.user.is_superuser:
            from liveops.core.capabilities import CAPABILITIES

            caps = {c: "company" for c in sorted(CAPABILITIES)}
        lang = (
            UserPreference.objects.filter(user=request.user).values_list("language", flat=True).first()
            or "zh-hans"
        )
        return Response(
            MeSerializer(
                {"username": request.user.get_username(), "language": lang, "capabilities": caps}
            ).data
        )


class AuditEntryList(generics.ListAPIView):
    """The audit log, newest first (keyset-paginated)."""

    capability = "core.audit_view"
    serializer_class = AuditEntrySerializer
    filterset_fields = ["action", "object_type", "object_id", "actor_label", "request_id"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return AuditEntry.objects.all()
