"""API of e-commerce operations: shops, dashboards, anchor and product sales, orders. Mounted at
``/api/v1/commerce/``."""

from django.urls import path

from liveops.commerce.api import dashboards as views

urlpatterns = [
    path("shops/", views.ShopList.as_view(), name="api-commerce-shops"),
    path("shops/<int:pk>/daily/", views.ShopDailyFigures.as_view(), name="api-commerce-shop-daily"),
    path("dashboard/figures/", views.DashboardFigures.as_view(), name="api-commerce-figures"),
    path("dashboard/breakdown/", views.DashboardBreakdown.as_view(), name="api-commerce-breakdown"),
    path("anchors/<int:pk>/sales/", views.AnchorSales.as_view(), name="api-commerce-anchor-sales"),
    path("products/<int:pk>/sales/", views.ProductSales.as_view(), name="api-commerce-product-sales"),
    path("orders/", views.OrderList.as_view(), name="api-commerce-orders"),
    path("orders/<int:pk>/", views.OrderDetail.as_view(), name="api-commerce-order"),
    path("orders/<int:pk>/contact/", views.OrderContact.as_view(), name="api-commerce-order-contact"),
]
