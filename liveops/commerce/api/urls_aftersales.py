"""API of e-commerce operations: after-sales, settlements and refund rates. Mounted at ``/api/v1/commerce/``."""

from django.urls import path

from liveops.commerce.api import aftersales as views

urlpatterns = [
    path("aftersales/", views.AfterSaleList.as_view(), name="api-commerce-aftersales"),
    path("aftersales/<int:pk>/", views.AfterSaleDetail.as_view(), name="api-commerce-aftersale"),
    path("settlements/", views.SettlementList.as_view(), name="api-commerce-settlements"),
    path("refund-rates/", views.RefundRates.as_view(), name="api-commerce-refund-rates"),
]
