"""Keyset (cursor) pagination: never counts the table, stable under inserts."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.pagination import CursorPagination

from liveops.core.errors import DomainError


class KeysetPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def get_page_size(self, request):
        """The ``page_size`` asked for, 1 to ``max_page_size``: anything else is a 400 naming the
        parameter (DRF would silently fall back to the default, so a typo went unnoticed)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        text = raw.strip()
        if (
            not (text.isascii() and text.isdigit() and len(text) <= 6)
            or not 1 <= int(text) <= self.max_page_size
        ):
            message = _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise DomainError(message, code="invalid", fields={self.page_size_query_param: [message]})
        return int(text)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {**param["schema"], "minimum": 1, "maximum": self.max_page_size}
        return params
