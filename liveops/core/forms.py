"""Form helpers every app shares: Bootstrap's compact widgets, a service's ``DomainError`` shown on the
form that caused it, and a view running a service call with its errors put on the form.

Forms only read input; services decide and write (docs/architecture.md). A service names the fields its
errors are about (``DomainError.fields``), so the form can show each error next to the input it concerns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from liveops.core.errors import DomainError, NotAllowed

T = TypeVar("T")

# Longest decimal string that always fits a signed 64-bit ID (9,223,372,036,854,775,807 has 19 digits).
_MAX_ID_DIGITS = 18


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap's small controls on every widget that has no class of its own yet."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):  # SelectMultiple included
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


class DomainErrorMixin:
    """Show a service's ``DomainError`` on the form: each error on the field it names when the form has
    that field (``domain_error_field`` maps a service's name to the form's), otherwise on top of the
    form, so no error is lost; the error's message on top when it names no field."""

    def domain_error_field(self, name: str) -> str | None:
        """The form field showing errors the service reports on ``name``; None: on top of the form."""
        return name if name in self.fields else None

    def add_domain_error(self, exc: DomainError) -> None:
        placed = False
        for name, errors in (getattr(exc, "fields", None) or {}).items():
            target = self.domain_error_field(name)
            for error in errors if isinstance(errors, list | tuple) else [errors]:
                self.add_error(target, str(error))
                placed = True
        if not placed:
            self.add_error(None, str(getattr(exc, "message", exc)))


class StyledForm(DomainErrorMixin, forms.Form):
    """A plain form with compact Bootstrap widgets that can show a service's errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


def form_service_call(form: DomainErrorMixin, call: Callable[[], T]) -> T | None:
    """Run ``call`` (a service call) for a form view. Returns its result, or None with the service's
    errors on ``form`` so the page shows the form again. A refusal by the service is a 403."""
    try:
        return call()
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        form.add_domain_error(exc)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
    return None


def int_or_none(value: object) -> int | None:
    """An ID from a query string or a form value; None for anything that is not one (signs, spaces
    inside, letters, or too many digits for the database's 64-bit IDs)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and text.isascii() and len(text) <= _MAX_ID_DIGITS else None
