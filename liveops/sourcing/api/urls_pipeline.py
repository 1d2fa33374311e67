from django.urls import path

from liveops.sourcing.api import views_pipeline as views

urlpatterns = [
    path("deals/", views.DealListCreate.as_view(), name="api-deals"),
    path("deals/<int:pk>/", views.DealDetail.as_view(), name="api-deal-detail"),
    path("deals/<int:pk>/submit/", views.DealSubmit.as_view(), name="api-deal-submit"),
    path("deals/<int:pk>/approve/", views.DealApprove.as_view(), name="api-deal-approve"),
    path("deals/<int:pk>/reject/", views.DealReject.as_view(), name="api-deal-reject"),
    path("deals/<int:pk>/revise/", views.DealRevise.as_view(), name="api-deal-revise"),
    path("samples/", views.SampleListCreate.as_view(), name="api-samples"),
    path("samples/overdue/", views.SampleOverdue.as_view(), name="api-samples-overdue"),
    path("samples/costs/", views.SampleCosts.as_view(), name="api-samples-costs"),
    path("samples/<int:pk>/status/", views.SampleStatus.as_view(), name="api-sample-status"),
    path("pipeline/board/", views.PipelineBoard.as_view(), name="api-pipeline-board"),
    path("products/<int:pk>/move/", views.ProductMove.as_view(), name="api-product-move"),
    path("selection-meetings/", views.SelectionMeetingListCreate.as_view(), name="api-selection-meetings"),
    path(
        "selection-meetings/<int:pk>/",
        views.SelectionMeetingDetail.as_view(),
        name="api-selection-meeting-detail",
    ),
    path(
        "selection-meetings/<int:pk>/reviews/",
        views.SelectionReviewCreate.as_view(),
        name="api-selection-reviews",
    ),
    path("selection-meetings/<int:pk>/decide/", views.SelectionDecide.as_view(), name="api-selection-decide"),
]
