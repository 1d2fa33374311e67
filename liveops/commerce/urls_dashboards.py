"""Pages of e-commerce operations: shop dashboards, anchor and product sales, orders. Mounted at
``/commerce/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.commerce.selectors.orders import order_get
from liveops.commerce.views import dashboards as views
from liveops.commerce.views import order_pages
from liveops.core.forms import int_or_none
from liveops.core.history import history_register
from liveops.core.navigation import TOOLS, nav_register

urlpatterns = [
    path("shops/", views.shop_list, name="commerce-shop-list"),
    path("shops/<int:pk>/dashboard/", views.shop_dashboard, name="commerce-shop-dashboard"),
    path("dashboard/", views.company_dashboard, name="commerce-dashboard"),
    path("anchors/", views.anchor_list, name="commerce-anchor-list"),
    path("anchors/<int:pk>/", views.anchor_detail, name="commerce-anchor-detail"),
    path("products/<int:pk>/sales/", views.product_sales, name="commerce-product-sales"),
    path("orders/", order_pages.order_list, name="commerce-order-list"),
    path("orders/<int:pk>/", order_pages.order_detail, name="commerce-order-detail"),
    path("orders/<int:pk>/contact/", order_pages.order_contact, name="commerce-order-contact"),
]


def _register(unit: str, label, url_name: str, icon: str) -> None:
    if not any(t.url_name == url_name and t.unit == unit for t in TOOLS):
        nav_register(unit=unit, label=label, url_name=url_name, capability="commerce.view", icon=icon)


_register("EC", _("Shops and dashboards"), "commerce-shop-list", "shop")
_register("EC", _("Orders"), "commerce-order-list", "receipt")
_register("EC", _("Anchors' sales"), "commerce-anchor-list", "person-video3")
# The live-operations centre reads every shop (LC-1) and the product and anchor figures (LC-4).
_register("LC", _("Shop dashboard"), "commerce-dashboard", "speedometer2")
_register("LC", _("Anchors' sales"), "commerce-anchor-list", "person-video3")


def _order_history_check(access, user, object_id: str) -> bool:
    pk = int_or_none(object_id)
    return pk is not None and order_get(access=access, pk=pk) is not None


history_register("commerce.order", _order_history_check)
