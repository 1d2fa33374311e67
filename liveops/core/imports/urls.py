"""Routes of the background-jobs pages (mounted at ``/jobs/``). Each registered import kind also gets
its own upload route ``import-<code>`` (e.g. ``import-staff``) so the menu can link to it."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.core.imports import views
from liveops.core.imports.registry import import_kinds
from liveops.core.navigation import TOOLS, nav_register

urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("<int:pk>/rejects.csv", views.job_rejects, name="job-rejects"),
    path("new/<slug:kind>/", views.import_new, name="import-new"),
] + [
    path(f"import/{kind.code}/", views.import_new_for(kind), name=f"import-{kind.code}")
    for kind in import_kinds()
]

if not any(t.url_name == "jobs" for t in TOOLS):
    # Everyone signed in may open it: it lists their own runs and the import kinds their roles may
    # use, so it is where every department's imports start (``core.jobs_view`` widens it to all runs).
    nav_register(
        unit="",
        label=_("Imports and background jobs"),
        url_name="jobs",
        capability="authenticated",
        icon="upload",
    )
