"""Pages of e-commerce operations: marketing. Mounted at ``/commerce/``.

The calendar, KPIs and product lifecycle belong to 电商运营部 (EC-2..5); budgets, ad spend and the
product performance table to the live operations centre (LC-3, LC-4)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.commerce.views import marketing as views
from liveops.core.navigation import TOOLS, nav_register

urlpatterns = [
    path("campaigns/", views.campaign_calendar, name="commerce-campaign-calendar"),
    path("campaigns/list/", views.campaign_list, name="commerce-campaigns"),
    path("campaigns/new/", views.campaign_create, name="commerce-campaign-new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="commerce-campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="commerce-campaign-edit"),
    path("budgets/", views.budgets, name="commerce-budgets"),
    path("budgets/<int:pk>/", views.budget_edit, name="commerce-budget"),
    path("ad-spend/", views.ad_spend, name="commerce-ad-spend"),
    path("ad-spend/<int:pk>/delete/", views.ad_spend_delete, name="commerce-ad-spend-delete"),
    path("kpis/", views.kpis, name="commerce-kpis"),
    path("kpis/setup/", views.kpi_setup, name="commerce-kpi-setup"),
    path("kpis/measurements/", views.kpi_measurements, name="commerce-kpi-measurements"),
    path("lifecycle/", views.lifecycle, name="commerce-lifecycle"),
    path("product-performance/", views.product_performance, name="commerce-product-performance"),
]

_TOOLS = [
    ("EC", _("Marketing calendar"), "commerce-campaign-calendar", "calendar3"),
    ("EC", _("KPIs"), "commerce-kpis", "speedometer2"),
    ("EC", _("Product lifecycle"), "commerce-lifecycle", "arrow-repeat"),
    ("LC", _("Budgets and ROI"), "commerce-budgets", "piggy-bank"),
    ("LC", _("Ad spend"), "commerce-ad-spend", "megaphone"),
    ("LC", _("Product performance"), "commerce-product-performance", "table"),
]
for _unit, _label, _url_name, _icon in _TOOLS:
    if not any(t.url_name == _url_name and t.unit == _unit for t in TOOLS):
        nav_register(unit=_unit, label=_label, url_name=_url_name, capability="commerce.view", icon=_icon)
