from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.core import views
from liveops.core.navigation import nav_register

urlpatterns = [
    path("", views.audit_list, name="audit"),
    path("history/<str:object_type>/<str:object_id>/", views.object_history, name="object-history"),
    path("duties/", views.duty_coverage, name="duty-coverage"),
    path("roles/", views.roles, name="roles"),
]

nav_register(
    unit="",
    label=_("Duty coverage"),
    url_name="duty-coverage",
    capability="authenticated",
    icon="check2-square",
)
nav_register(
    unit="", label=_("Audit log"), url_name="audit", capability="core.audit_view", icon="journal-text"
)
nav_register(
    unit="IT", label=_("Audit log"), url_name="audit", capability="core.audit_view", icon="journal-text"
)
nav_register(
    unit="IT", label=_("Roles and access"), url_name="roles", capability="core.admin", icon="shield-lock"
)
nav_register(
    unit="GOV-SV",
    label=_("Roles and access"),
    url_name="roles",
    capability="core.audit_view",
    icon="shield-lock",
)
