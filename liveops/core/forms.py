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
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict
from django.utils.translation import gettext as _

from liveops.core.errors import DomainError, NotAllowed

T = TypeVar("T")
F = TypeVar("F", bound=forms.BaseForm)

# Longest decimal string that always fits a signed 64-bit ID (9,223,372,036,854,775,807 has 19 digits).
_MAX_ID_DIGITS = 18

# The only value formats the browser's date and datetime inputs read (HTML's "valid date string" and
# "valid normalized local date and time string"). A value in any other format, such as zh-Hans's
# 2024/12/11, shows blank and is submitted blank, which erased dates on save (issue 14, item 2).
BROWSER_DATE_FORMAT = "%Y-%m-%d"
BROWSER_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """``<input type=date>`` whose value is always ISO (2024-12-11), whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's name
        super().__init__(attrs, format=format or BROWSER_DATE_FORMAT)


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type=datetime-local>`` whose value is always 2024-12-11T09:30, whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's name
        super().__init__(attrs, format=format or BROWSER_DATETIME_FORMAT)


def browser_date_widgets(form: forms.BaseForm) -> None:
    """Give every date and datetime input of ``form`` that the browser renders as a picker the one
    value format the browser reads (a widget built as ``forms.DateInput(attrs={"type": "date"})``
    would otherwise render the language's first input format)."""
    for field in form.fields.values():
        widget = field.widget
        kind = widget.attrs.get("type") or getattr(widget, "input_type", "")
        if isinstance(widget, forms.DateTimeInput) and kind == "datetime-local":
            widget.format = BROWSER_DATETIME_FORMAT
        elif isinstance(widget, forms.DateInput) and kind == "date":
            widget.format = BROWSER_DATE_FORMAT


_INTEGER_KEYS = ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallAutoField")


def _check_ids_first(field: forms.ModelMultipleChoiceField):
    """``field``'s ``_check_values`` refusing a value that is not an ID before the database sees it:
    Django queries ``pk__in`` with the raw values, and one too large for a 64-bit integer raised
    OverflowError (a 500) instead of the field's "not a valid value" error."""
    check = field._check_values

    def checked(values):
        # The queryset is often set after the form's __init__: look at its key only now.
        integer_key = field.queryset.model._meta.pk.get_internal_type() in _INTEGER_KEYS
        for value in values if integer_key and not field.to_field_name else ():
            if int_or_none(value) is None:
                raise ValidationError(
                    field.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": value}
                )
        return check(values)

    return checked


def guard_id_choices(form: forms.BaseForm) -> None:
    """Multiple choices of records by ID refuse a malformed ID as a field error (``_check_ids_first``)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelMultipleChoiceField):
            field._check_values = _check_ids_first(field)


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap's small controls on every widget that has no class of its own yet; date pickers
    rendered in the format the browser reads."""
    browser_date_widgets(form)
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
    form, so no error is lost; the error's message on top when it names no field.

    Its forms also render their date pickers in the one format the browser reads
    (``browser_date_widgets``) and refuse malformed IDs as field errors (``guard_id_choices``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        browser_date_widgets(self)
        guard_id_choices(self)

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


def optional_id(value: object, *, field: str) -> int | None:
    """An optional ID parameter (``?shop=3``): None when absent or blank, the ID, or a ``DomainError``
    naming ``field`` (a 400 in the API, a field error on a form) for anything else, so a malformed
    value is refused instead of silently meaning "all"."""
    if value is None or str(value).strip() == "":
        return None
    number = int_or_none(value)
    if number is None or number < 1:
        message = _("Not a valid ID.")
        raise DomainError(message, code="invalid", fields={field: [message]})
    return number


# A form posted from another page (a small "add" form on a record's page) -----------------------------
#
# Such a form posts to its own URL, which redirects back to the record's page. When the form or the
# service refuses the input, its errors must reach the page it came from at their fields (not in a
# banner with raw field names, issue 15 item 11): the data and the errors ride in the session to that
# page, which shows the form bound to them.

_SESSION_KEY = "liveops.form_errors"


def form_errors_keep(request, key: str, form: forms.BaseForm, exc: DomainError | None = None) -> None:
    """Keep ``form``'s submitted data and its errors (and those of the service's ``exc``, placed at
    the fields it names) for the next page that asks for the form ``key`` (``form_errors_restore``)."""
    if exc is not None and isinstance(form, DomainErrorMixin):
        form.add_domain_error(exc)
    data = form.data
    values = {k: data.getlist(k) for k in data} if hasattr(data, "getlist") else dict(data)
    values.pop("csrfmiddlewaretoken", None)
    errors = {name: [str(m) for m in errs] for name, errs in form.errors.items()}
    request.session[_SESSION_KEY] = {"key": key, "data": values, "errors": errors}


def form_errors_restore(request, key: str, form_class: type[F], **kwargs) -> F | None:
    """The form ``key`` as it was refused on the previous request (its data, its errors at their
    fields), or None when there is none; the form is built as ``form_class(data, **kwargs)``."""
    kept = request.session.get(_SESSION_KEY)
    if not kept or kept.get("key") != key:
        return None
    del request.session[_SESSION_KEY]
    data = QueryDict(mutable=True)
    for name, values in kept["data"].items():
        data.setlist(name, values if isinstance(values, list) else [values])
    form = form_class(data, **kwargs)
    # The errors as they were given (the service's too); validating again would lose the service's.
    form._errors = ErrorDict(
        {name: ErrorList(messages, renderer=form.renderer) for name, messages in kept["errors"].items()},
        renderer=form.renderer,
    )
    form.cleaned_data = {}
    return form
