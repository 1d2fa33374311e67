"""Pages of deals, the samples ledger, the selection pipeline and selection meetings."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.core.history import history_register
from liveops.core.navigation import nav_register
from liveops.sourcing.views import pipeline as views

urlpatterns = [
    path("deals/", views.deal_list, name="deal-list"),
    path("deals/new/", views.deal_create, name="deal-create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("deals/product/<int:pk>/", views.deal_history_product, name="deal-history-product"),
    path("deals/merchant/<int:pk>/", views.deal_history_merchant, name="deal-history-merchant"),
    path("samples/", views.sample_list, name="sample-list"),
    path("samples/new/", views.sample_create, name="sample-create"),
    path("samples/overdue/", views.sample_overdue, name="sample-overdue"),
    path("samples/<int:pk>/status/", views.sample_status, name="sample-status"),
    path("pipeline/", views.pipeline_board, name="pipeline-board"),
    path("pipeline/list/", views.pipeline_list, name="pipeline-list"),
    path("pipeline/<int:pk>/move/", views.pipeline_move, name="pipeline-move"),
    path("pipeline/<int:pk>/report/", views.selection_report, name="selection-report"),
    path("selection/meetings/", views.selection_meeting_list, name="selection-meeting-list"),
    path("selection/meetings/<int:pk>/", views.selection_meeting_detail, name="selection-meeting-detail"),
]

nav_register(
    unit="MR",
    label=_("Selection board"),
    url_name="pipeline-board",
    capability="sourcing.view",
    icon="kanban",
)
nav_register(
    unit="MR",
    label=_("Selection meetings"),
    url_name="selection-meeting-list",
    capability="sourcing.view",
    icon="people",
)
nav_register(
    unit="MR", label=_("Deals"), url_name="deal-list", capability="sourcing.view", icon="file-earmark-text"
)
nav_register(
    unit="MR", label=_("Samples"), url_name="sample-list", capability="sourcing.view", icon="box-seam"
)

history_register("sourcing.deal", views._history_check_deal)
history_register("sourcing.sample", views._history_check_sample)
