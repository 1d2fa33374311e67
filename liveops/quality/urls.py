from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.core.history import history_register
from liveops.core.navigation import nav_register
from liveops.quality import views

urlpatterns = [
    path("checklists/", views.checklists, name="quality-checklists"),
    path("checklists/<int:pk>/", views.checklist_detail, name="quality-checklist"),
    path("inspections/", views.inspections, name="quality-inspections"),
    path("inspections/<int:pk>/", views.inspection_detail, name="quality-inspection"),
    path("inspections/<int:pk>/items/<int:item_pk>/", views.inspection_item, name="quality-inspection-item"),
    path(
        "inspections/<int:pk>/items/<int:item_pk>/photo/",
        views.inspection_photo,
        name="quality-inspection-photo",
    ),
    path("defects/", views.defects, name="quality-defects"),
    path("defects/<int:pk>/", views.defect_detail, name="quality-defect"),
    path("blocklist/", views.blocklist, name="quality-blocklist"),
    path("blocklist/<int:pk>/lift/", views.block_lift, name="quality-block-lift"),
    path("scorecards/", views.scorecard_page, name="quality-scorecards"),
]

nav_register(
    unit="QC",
    label=_("Inspection checklists"),
    url_name="quality-checklists",
    capability="quality.view",
    icon="card-checklist",
)
nav_register(
    unit="QC",
    label=_("Inspections"),
    url_name="quality-inspections",
    capability="quality.view",
    icon="search",
)
nav_register(
    unit="QC", label=_("Defects and CAPA"), url_name="quality-defects", capability="quality.view", icon="bug"
)
nav_register(
    unit="QC",
    label=_("Blocklist"),
    url_name="quality-blocklist",
    capability="quality.view",
    icon="slash-circle",
)
nav_register(
    unit="QC",
    label=_("Merchant scorecards"),
    url_name="quality-scorecards",
    capability="quality.view",
    icon="bar-chart",
)

for _object_type, _check in views.HISTORY_CHECKS.items():
    history_register(_object_type, _check)
