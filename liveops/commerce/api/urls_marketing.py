"""API of e-commerce operations: marketing. Mounted at ``/api/v1/commerce/``."""

from django.urls import path

from liveops.commerce.api import marketing as views

urlpatterns = [
    path("campaigns/", views.CampaignListCreate.as_view(), name="api-commerce-campaigns"),
    path("campaigns/<int:pk>/", views.CampaignDetail.as_view(), name="api-commerce-campaign"),
    path("budgets/", views.BudgetListCreate.as_view(), name="api-commerce-budgets"),
    path("budgets/overspent/", views.BudgetOverspentList.as_view(), name="api-commerce-budgets-overspent"),
    path("budgets/<int:pk>/", views.BudgetDetail.as_view(), name="api-commerce-budget"),
    path("ad-spend/", views.AdSpendListCreate.as_view(), name="api-commerce-ad-spend"),
    path("roi/", views.RoiByShop.as_view(), name="api-commerce-roi"),
    path("kpis/", views.KpiListCreate.as_view(), name="api-commerce-kpis"),
    path("kpi-targets/", views.KpiTargetListCreate.as_view(), name="api-commerce-kpi-targets"),
    path("kpi-measurements/", views.KpiMeasurementListCreate.as_view(), name="api-commerce-kpi-measurements"),
    path("kpi-tracking/", views.KpiTracking.as_view(), name="api-commerce-kpi-tracking"),
    path("lifecycle/", views.LifecycleList.as_view(), name="api-commerce-lifecycle"),
    path("product-performance/", views.ProductPerformance.as_view(), name="api-commerce-product-performance"),
]
