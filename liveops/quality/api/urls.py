from django.urls import path

from liveops.quality.api import views

urlpatterns = [
    path("inspections/", views.InspectionList.as_view(), name="api-quality-inspections"),
    path("inspections/<int:pk>/", views.InspectionDetail.as_view(), name="api-quality-inspection"),
    path("defects/", views.DefectListCreate.as_view(), name="api-quality-defects"),
    path("blocks/", views.BlockList.as_view(), name="api-quality-blocks"),
    path("blocks/<int:pk>/lift/", views.BlockLift.as_view(), name="api-quality-block-lift"),
    path("scorecards/", views.ScorecardList.as_view(), name="api-quality-scorecards"),
]
