from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.core.history import history_register
from liveops.core.navigation import nav_register
from liveops.org import views

urlpatterns = [
    path("", views.org_chart, name="org-chart"),
    path("units/<slug:code>/", views.department_detail, name="department-detail"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("units/<slug:code>/change/", views.unit_change, name="unit-change"),
    path("units/<slug:code>/new/", views.unit_create, name="unit-create"),
    path("governance/", views.governance_register, name="governance"),
    path("governance/meetings/new/", views.meeting_create, name="meeting-create"),
    path("governance/meetings/<int:pk>/propose/", views.resolution_propose, name="resolution-propose"),
    path("governance/resolutions/<int:pk>/vote/", views.resolution_vote, name="resolution-vote"),
    path("governance/resolutions/<int:pk>/actions/new/", views.action_item_create, name="action-item-create"),
    path(
        "governance/resolutions/<int:pk>/documents/new/",
        views.resolution_document_add,
        name="resolution-document-add",
    ),
    path("governance/documents/<int:pk>/", views.resolution_document_download, name="resolution-document"),
    path("governance/meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("governance/resolutions/<int:pk>/", views.resolution_detail, name="resolution-detail"),
    path("governance/actions/", views.action_items, name="action-items"),
    path("governance/actions/<int:pk>/status/", views.action_item_status, name="action-item-status"),
    path("governance/plans/", views.plans, name="plans"),
    path("governance/statements/", views.statements, name="statements"),
    path("governance/contracts/", views.contracts, name="contracts"),
    path("governance/appointments/", views.appointments, name="appointments"),
]

nav_register(unit="", label=_("Org chart"), url_name="org-chart", capability="org.view", icon="diagram-3")
nav_register(
    unit="", label=_("Governance register"), url_name="governance", capability="governance.view", icon="bank"
)
nav_register(
    unit="",
    label=_("Resolution follow-up"),
    url_name="action-items",
    capability="org.view",
    icon="list-check",
)
nav_register(
    unit="GM",
    label=_("Plans and budgets"),
    url_name="plans",
    capability="governance.view",
    icon="clipboard-data",
)
nav_register(
    unit="GOV-BD",
    label=_("Governance register"),
    url_name="governance",
    capability="governance.view",
    icon="bank",
)
nav_register(
    unit="GOV-SV",
    label=_("Governance register"),
    url_name="governance",
    capability="governance.view",
    icon="bank",
)
nav_register(
    unit="GOV-CH",
    label=_("Financial statements"),
    url_name="statements",
    capability="governance.view",
    icon="graph-up",
)
nav_register(
    unit="GOV-CH",
    label=_("Contract register"),
    url_name="contracts",
    capability="governance.view",
    icon="pen",
)
nav_register(
    unit="GOV-CH",
    label=_("Senior appointments"),
    url_name="appointments",
    capability="governance.view",
    icon="person-badge",
)
nav_register(
    unit="FIN",
    label=_("Financial statements"),
    url_name="statements",
    capability="governance.view",
    icon="graph-up",
)
nav_register(unit="HR", label=_("Staff"), url_name="staff-list", capability="org.view", icon="people")

history_register("org.staff", views._history_check_staff)
history_register("org.resolution", views._history_check_governance)
