"""Market intelligence API (LC-2, MC-3), mounted at ``/api/v1/sourcing/``."""

from django.urls import path

from liveops.sourcing.api import views_market as views

urlpatterns = [
    path("market/summary/", views.MarketSummary.as_view(), name="api-market-summary"),
]
