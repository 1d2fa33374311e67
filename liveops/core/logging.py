"""Logging filters.

Django logs a refused request (``PermissionDenied`` → 403) with the exception's traceback. A refusal
is the permission system working, not a fault: one line (status, path) is enough, and hundreds of
tracebacks per session bury the real errors. Server errors (5xx) keep their tracebacks.
"""

from __future__ import annotations

import logging


class ClientErrorsOneLine(logging.Filter):
    """Drop the traceback of 4xx records of ``django.request``; keep the line itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
