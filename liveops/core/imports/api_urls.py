"""Routes of the imports API, mounted at ``/api/v1/imports/``."""

from django.urls import path

from liveops.core.imports import api
from liveops.core.imports.registry import import_kinds

urlpatterns = [
    path("", api.ImportRunListCreate.as_view(), name="api-import-runs"),
    path("<int:pk>/", api.ImportRunDetail.as_view(), name="api-import-run"),
] + [
    path(f"kinds/{kind.code}/", api.kind_upload_view(kind.code).as_view(), name=f"api-import-{kind.code}")
    for kind in import_kinds()
]
