"""Pages of the import framework: background jobs (list, detail with a live progress bar, rejects
download) and the upload form with its column-mapping step. Server-rendered; htmx polls progress."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.core import storage as file_storage
from liveops.core.duties import serves
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.imports import services
from liveops.core.imports.registry import ImportKind, import_kind_get, import_kinds
from liveops.core.models import ColumnMapping, ImportRun, ImportStatus
from liveops.core.permissions import capability_required, login_only

_SESSION_KEY = "liveops_import_staged"
_MAX_STAGED = 20
_ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)


_OPTION_PREFIX = "opt_"


class UploadForm(forms.Form):
    """Step 1: the file, optionally a saved column-mapping template, and the kind's own choices
    (``ImportKind.option_fields``, e.g. the shop), offered as far as the user's access reaches."""

    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))
    mapping = forms.ModelChoiceField(
        queryset=ColumnMapping.objects.none(),
        required=False,
        label=gettext_lazy("Saved column mapping"),
        empty_label=gettext_lazy("None: match columns by their headers"),
    )
    map_columns = forms.BooleanField(
        required=False, label=gettext_lazy("Let me check how columns are matched before importing")
    )

    def __init__(self, *args, kind: type[ImportKind], access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = services.mapping_list(kind=kind.code)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"
        self.option_names = []
        for name, field in kind.option_fields(access).items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            # One choice only: take it (the empty choice would be one more click for nothing).
            if isinstance(field, forms.ModelChoiceField) and field.required and field.queryset.count() == 1:
                field.empty_label = None
            self.fields[_OPTION_PREFIX + name] = field
            self.option_names.append(name)

    def option_rows(self) -> list[tuple[forms.BoundField, bool]]:
        """(bound field, whether it offers nothing to choose) of each option."""
        rows = []
        for name in self.option_names:
            bf = self[_OPTION_PREFIX + name]
            nothing = isinstance(bf.field, forms.ModelChoiceField) and not bf.field.queryset.exists()
            css = bf.field.widget.attrs.get("class", "")
            if bf.errors and "is-invalid" not in css:
                bf.field.widget.attrs["class"] = f"{css} is-invalid".strip()
            rows.append((bf, nothing))
        return rows

    def options(self) -> dict:
        """The chosen options, JSON-ready (a model instance as its primary key), by option name."""
        values = {}
        for name in self.option_names:
            value = self.cleaned_data.get(_OPTION_PREFIX + name)
            if value is None or value == "":
                continue
            values[name] = value.pk if hasattr(value, "pk") else value
        return values

    def options_display(self) -> list[tuple[str, str]]:
        """(label, chosen value as shown) of each option, to repeat them on the mapping step."""
        return [
            (str(self.fields[_OPTION_PREFIX + n].label), str(self.cleaned_data[_OPTION_PREFIX + n]))
            for n in self.option_names
            if self.cleaned_data.get(_OPTION_PREFIX + n) not in (None, "")
        ]


class MappingForm(forms.Form):
    """Step 2: for each target field, which column of the file holds it; optionally save as a template."""

    token = forms.CharField(widget=forms.HiddenInput)
    save_as = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Save as template"),
        help_text=gettext_lazy("Give a name to reuse this mapping for files with the same columns."),
    )

    def __init__(
        self,
        *args,
        kind: type[ImportKind],
        headers: list[str],
        initial_columns: dict[str, int] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [("", _("(not in this file)"))] + [(h, h) for h in dict.fromkeys(h for h in headers if h)]
        for f in kind.fields:
            initial = ""
            if initial_columns and f.name in initial_columns:
                initial = headers[initial_columns[f.name]]
            self.fields[f"map_{f.name}"] = forms.ChoiceField(
                label=f.label,
                choices=choices,
                required=f.required,
                initial=initial,
            )

    def field_rows(self):
        return [(f, self[f"map_{f.name}"]) for f in self.kind.fields]

    def clean(self):
        data = super().clean()
        used: dict[str, str] = {}
        for f in self.kind.fields:
            header = data.get(f"map_{f.name}")
            if header and header in used:
                self.add_error(
                    f"map_{f.name}", _("This column is already used for %(field)s.") % {"field": used[header]}
                )
            elif header:
                used[header] = str(f.label)
        return data

    def columns(self) -> dict[str, str]:
        """Source header → target field."""
        return {
            self.cleaned_data[f"map_{f.name}"]: f.name
            for f in self.kind.fields
            if self.cleaned_data.get(f"map_{f.name}")
        }


def _visible_kinds(access) -> list[type[ImportKind]]:
    return [k for k in import_kinds() if access.can(k.capability)]


@login_only
def job_list(request):
    """Import runs: everyone sees their own; ``core.jobs_view`` sees all."""
    runs = services.import_run_list(access=request.access).order_by("-id")[:200]
    return render(request, "imports/job_list.html", {"runs": runs, "kinds": _visible_kinds(request.access)})


def _run_or_404(request, pk: int) -> ImportRun:
    run = services.import_run_get(access=request.access, pk=pk)
    if run is None:
        raise Http404
    return run


def _kind_label(run: ImportRun) -> str:
    kind = import_kind_get(run.kind)
    return str(kind.label) if kind else run.kind


@login_only
def job_detail(request, pk: int):
    run = _run_or_404(request, pk)
    return render(
        request,
        "imports/job_detail.html",
        {"run": run, "kind_label": _kind_label(run), "active": run.status in _ACTIVE},
    )


@login_only
def job_progress(request, pk: int):
    """The progress fragment; it keeps polling itself (htmx, every second) while the run is active."""
    run = _run_or_404(request, pk)
    return render(request, "imports/_progress.html", {"run": run, "active": run.status in _ACTIVE})


@login_only
def job_rejects(request, pk: int):
    """Download the rejects report of a run (CSV, UTF-8 with BOM)."""
    run = _run_or_404(request, pk)
    if not run.rejects_path:
        raise Http404
    # Only files inside the imports storage (local folder or shared store), streamed from it.
    handle = file_storage.open_stored(run.rejects_path)
    if handle is None:
        raise Http404
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"rejects-{run.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )


def _remember(
    request, token: str, file_name: str, kind: str, options: dict | None = None, shown: list | None = None
) -> None:
    """Remember a staged file for the mapping step, with the options chosen with it (the shop…)."""
    staged = request.session.get(_SESSION_KEY, {})
    while len(staged) >= _MAX_STAGED:
        old = next(iter(staged))
        services.import_staged_discard(old)
        staged.pop(old)
    staged[token] = {"file_name": file_name, "kind": kind, "options": options or {}, "shown": shown or []}
    request.session[_SESSION_KEY] = staged


def _forget(request, token: str) -> None:
    staged = request.session.get(_SESSION_KEY, {})
    staged.pop(token, None)
    request.session[_SESSION_KEY] = staged
    services.import_staged_discard(token)


def _start(
    request, kind: type[ImportKind], token: str, *, mapping: ColumnMapping | None, columns: dict | None
):
    staged = request.session.get(_SESSION_KEY, {}).get(token)
    path = services.import_staged_path(token)
    options = dict(staged.get("options") or {})
    if columns:
        options["columns"] = columns
    run = services.import_start(
        actor=request.user,
        kind=kind.code,
        file=path,
        file_name=staged["file_name"],
        mapping=mapping,
        options=options or None,
    )
    _forget(request, token)
    return redirect("job-detail", pk=run.pk)


def _import_new(request, kind_code: str):
    kind = import_kind_get(kind_code)
    if kind is None:
        raise Http404
    if not request.access.can(kind.capability):
        raise PermissionDenied
    context = {"kind": kind}
    try:
        if request.method == "POST" and request.POST.get("step") == "map":
            token = request.POST.get("token", "")
            staged = request.session.get(_SESSION_KEY, {}).get(token)
            path = services.import_staged_path(token)
            if staged is None or staged.get("kind") != kind.code or path is None:
                raise DomainError(_("The uploaded file has expired. Upload it again."))
            with services.open_table(path) as reader:
                headers = reader.headers
            form = MappingForm(request.POST, kind=kind, headers=headers)
            if form.is_valid():
                columns = form.columns()
                mapping = None
                if form.cleaned_data["save_as"]:
                    mapping = services.mapping_save(
                        actor=request.user, kind=kind.code, name=form.cleaned_data["save_as"], columns=columns
                    )
                return _start(request, kind, token, mapping=mapping, columns=None if mapping else columns)
            return render(
                request,
                "imports/import_map.html",
                {**context, "form": form, "file_name": staged["file_name"], "shown": staged.get("shown")},
            )
        form = UploadForm(request.POST or None, request.FILES or None, kind=kind, access=request.access)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            mapping = form.cleaned_data["mapping"]
            token, stored = services.import_stage(
                actor=request.user, kind=kind.code, file=upload, file_name=upload.name
            )
            _remember(request, token, upload.name, kind.code, form.options(), form.options_display())
            try:
                match = services.import_inspect(
                    kind=kind.code, path=stored.path, columns=mapping.columns if mapping else None
                )
            except DomainError:
                _forget(request, token)
                raise
            if match.ok and not form.cleaned_data["map_columns"]:
                return _start(request, kind, token, mapping=mapping, columns=None)
            map_form = MappingForm(
                initial={"token": token}, kind=kind, headers=match.headers, initial_columns=match.columns
            )
            return render(
                request,
                "imports/import_map.html",
                {
                    **context,
                    "form": map_form,
                    "file_name": upload.name,
                    "missing": match.missing_required,
                    "shown": form.options_display(),
                },
            )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        # Keep what was chosen (the shop…): only the file has to be given again.
        chosen = {k: v for k, v in request.POST.items() if k.startswith(_OPTION_PREFIX)}
        form = UploadForm(kind=kind, access=request.access, initial=chosen)
        context["error"] = str(exc.message)
    return render(request, "imports/import_new.html", {**context, "form": form})


@login_only
def import_new(request, kind: str):
    """Upload a file for any import kind (the kind's capability is checked inside)."""
    return _import_new(request, kind)


def import_new_for(kind: type[ImportKind]):
    """The upload page of one kind, as its own route: declares the kind's capability and duties."""

    def view(request):
        return _import_new(request, kind.code)

    view.__name__ = f"import_new_{kind.code}"
    view.__doc__ = f"Upload a {kind.code} file."
    wrapped = capability_required(kind.capability)(view)
    return serves(*kind.duties, feature=kind.label)(wrapped) if kind.duties else wrapped
