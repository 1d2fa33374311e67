"""Imports API (``/api/v1/imports/``): list and read import runs (everyone their own, ``core.jobs_view``
all of them), and upload a file to start a run, generically (``kind`` field) or per kind
(``/api/v1/imports/kinds/<code>/``, which declares the duties that kind serves)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.core.access import Access, access_for
from liveops.core.errors import DomainError
from liveops.core.imports import services
from liveops.core.imports.registry import import_kind_get, import_kinds
from liveops.core.models import ColumnMapping, ImportOutcome, ImportRun


class ImportRunSerializer(serializers.ModelSerializer):
    """An import run with its progress, counts and where to download its rejects."""

    percent = serializers.IntegerField(
        read_only=True, help_text="0–100, moving during the run; 100 only once it has succeeded"
    )
    outcome = serializers.ChoiceField(
        choices=ImportOutcome.choices,
        read_only=True,
        help_text="The status with rejects taken into account: a finished run with rejected rows is "
        "succeeded_with_rejects, one whose every row was rejected is all_rejected",
    )
    outcome_label = serializers.CharField(
        source="get_outcome_display", read_only=True, help_text="The outcome in the user's language"
    )
    inserted = serializers.IntegerField(source="rows_inserted", read_only=True)
    updated = serializers.IntegerField(source="rows_updated", read_only=True)
    unchanged = serializers.IntegerField(source="rows_unchanged", read_only=True)
    rejected = serializers.IntegerField(source="rows_rejected", read_only=True)
    started_by = serializers.SerializerMethodField()
    mapping = serializers.SerializerMethodField()
    rejects_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "file_name",
            "file_sha256",
            "status",
            "outcome",
            "outcome_label",
            "percent",
            "progress_done",
            "progress_total",
            "rows_read",
            "inserted",
            "updated",
            "unchanged",
            "rejected",
            "rejects_url",
            "error",
            "mapping",
            "started_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_started_by(self, run: ImportRun) -> str | None:
        return run.created_by.get_username() if run.created_by_id and run.created_by else None

    def get_mapping(self, run: ImportRun) -> str | None:
        return run.mapping.name if run.mapping_id and run.mapping else None

    def get_rejects_url(self, run: ImportRun) -> str | None:
        if not run.rejects_path:
            return None
        url = reverse("job-rejects", args=[run.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


def _described_options(kind) -> dict[str, Any]:
    """The kind's option form fields, for describing them (offered to nobody: no database read)."""
    return kind.option_fields(Access(user_id=None))


def _option_api_field(name: str, field, *, required: bool, kinds: list[str] | None = None):
    """The API field of an import option. The value is checked against the caller's own choices by
    ``services.import_options_clean`` (the rule of the upload page); this only describes it."""
    from django import forms

    if isinstance(field, forms.ModelChoiceField):
        model = field.queryset.model._meta.model_name
        text = f"ID or name of the {model}, one you may choose (as on the upload page)"
        api_field = serializers.CharField
        extra = {}
    elif isinstance(field, forms.ChoiceField):
        text = f"Option {name}"
        api_field = serializers.ChoiceField
        extra = {"choices": [(value, label) for value, label in field.choices if value != ""]}
    else:
        text = f"Option {name}"
        api_field = serializers.CharField
        extra = {}
    if kinds:
        text += f" (import kinds {', '.join(kinds)})"
    if not required:
        extra["allow_blank"] = True
    return api_field(required=required, help_text=text + ".", **extra)


class KindUploadSerializer(serializers.Serializer):
    """A file (CSV or XLSX), optionally the name of a saved column mapping, and the kind's options
    (e.g. ``shop``: what the upload page asks besides the file)."""

    kind_code: ClassVar[str] = ""

    file = serializers.FileField()
    mapping = serializers.CharField(
        required=False, allow_blank=True, help_text="Name of a saved column-mapping template"
    )

    def get_fields(self):
        fields = super().get_fields()
        kind = import_kind_get(self.kind_code) if self.kind_code else None
        if kind is not None:
            for name, field in _described_options(kind).items():
                fields[name] = _option_api_field(name, field, required=field.required)
        return fields

    def option_values(self) -> dict:
        """The submitted options (option name → text), for ``services.import_options_clean``."""
        return {k: self.validated_data[k] for k in self.option_names if k in self.validated_data}

    @property
    def option_names(self) -> list[str]:
        return [k for k in self.fields if k not in ("file", "mapping", "kind")]


class ImportUploadSerializer(KindUploadSerializer):
    """Generic upload: the import kind, the file, optionally a saved column mapping, and the options
    of that kind (e.g. ``shop`` for order, after-sales, settlement and ad-spend files)."""

    # A plain string, not an enum: kinds register at start-up and the schema must not depend on when
    # it is generated. Unknown kinds are refused by validation.
    kind = serializers.CharField(max_length=40, help_text="Import kind, e.g. staff")

    def get_fields(self):
        fields = super().get_fields()
        # Every option of any kind, optional here: which ones a kind needs is checked with the kind.
        by_name: dict[str, tuple[Any, list[str]]] = {}
        for kind in import_kinds():
            for name, field in _described_options(kind).items():
                by_name.setdefault(name, (field, []))[1].append(kind.code)
        for name, (field, codes) in sorted(by_name.items()):
            if name not in fields:
                fields[name] = _option_api_field(name, field, required=False, kinds=codes)
        return fields

    def validate_kind(self, value: str) -> str:
        if import_kind_get(value) is None:
            raise serializers.ValidationError(_("Unknown import kind."))
        return value


def kind_upload_serializer(code: str) -> type[KindUploadSerializer]:
    """The upload serializer of one kind: ``KindUploadSerializer`` itself for kinds without options,
    otherwise a subclass (its own schema component) that declares them."""
    kind = import_kind_get(code)
    if kind is None or not _described_options(kind):
        return KindUploadSerializer
    name = "".join(p.capitalize() for p in code.replace("-", "_").split("_")) + "UploadSerializer"
    doc = f"Upload for {code}: the file (CSV or XLSX), optionally a saved column mapping, and the options."
    return type(name, (KindUploadSerializer,), {"kind_code": code, "__doc__": doc})


def _start(request, kind: str, data: dict, options: dict) -> Response:
    # The options are checked before anything is stored: the caller's capability first (403), then
    # each option against what the caller may choose, as on the upload page (400 naming the option).
    clean = services.import_options_clean(actor=request.user, kind=kind, values=options)
    mapping = None
    if data.get("mapping"):
        mapping = ColumnMapping.objects.filter(kind=kind, name=data["mapping"]).first()
        if mapping is None:
            raise DomainError(
                _("Unknown column mapping."),
                code="invalid",
                fields={"mapping": [_("No saved mapping with this name.")]},
            )
    upload = data["file"]
    run = services.import_start(
        actor=request.user,
        kind=kind,
        file=upload,
        file_name=upload.name,
        mapping=mapping,
        options=clean or None,
    )
    return Response(
        ImportRunSerializer(run, context={"request": request}).data, status=status.HTTP_201_CREATED
    )


class ImportRunListCreate(generics.ListAPIView):
    """Import runs the caller may see, newest first. POST uploads a file and starts a run in the background."""

    capability = "authenticated"
    write_capability = "authenticated"  # the kind's own capability is checked by the service
    feature = gettext_noop("Imports API")
    serializer_class = ImportRunSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["kind", "status"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return services.import_run_list(access=access_for(self.request.user))

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportRunSerializer})
    def post(self, request):
        ser = ImportUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        # Options the chosen kind does not take are refused by name when they carry a value.
        return _start(request, ser.validated_data["kind"], ser.validated_data, ser.option_values())


class ImportRunDetail(generics.RetrieveAPIView):
    """One import run: status, progress percent, counts, rejects URL. Poll it until it has finished."""

    capability = "authenticated"
    feature = gettext_noop("Imports API")
    serializer_class = ImportRunSerializer

    def get_queryset(self):
        return services.import_run_list(access=access_for(self.request.user))


class KindUploadView(APIView):
    """Upload a file for one import kind and start a run in the background. Subclassed per kind."""

    capability = "authenticated"
    write_capability = "authenticated"
    parser_classes = [MultiPartParser, FormParser]
    kind_code = ""
    serializer_class = KindUploadSerializer

    @extend_schema(request=KindUploadSerializer, responses={201: ImportRunSerializer})
    def post(self, request):
        ser = self.serializer_class(data=request.data)
        ser.is_valid(raise_exception=True)
        return _start(request, self.kind_code, ser.validated_data, ser.option_values())


def kind_upload_view(code: str) -> type[KindUploadView]:
    """A ``KindUploadView`` subclass for one kind, carrying its capability, duties and options."""
    kind = import_kind_get(code)
    name = "".join(p.capitalize() for p in code.replace("-", "_").split("_")) + "ImportUpload"
    serializer_class = kind_upload_serializer(code)

    @extend_schema(request=serializer_class, responses={201: ImportRunSerializer})
    def post(self, request):
        return KindUploadView.post(self, request)

    attrs = {
        "kind_code": code,
        "serializer_class": serializer_class,
        "post": post,
        "write_capability": kind.capability,
        "duties": tuple(kind.duties),
        "feature": f"{code.capitalize()} import API",
        "__doc__": f"Upload a {code} file (CSV or XLSX) and start importing it in the background.",
    }
    return type(name, (KindUploadView,), attrs)
