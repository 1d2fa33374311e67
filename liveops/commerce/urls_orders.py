"""Pages of e-commerce operations: shops and attribution. Mounted at ``/commerce/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.commerce.views import attribution as views
from liveops.core.navigation import TOOLS, nav_register

urlpatterns = [
    path("shops/new/", views.shop_new, name="commerce-shop-new"),
    path("attribution/unmatched/", views.unmatched, name="commerce-unmatched"),
    path("attribution/rules/", views.rules, name="commerce-rules"),
]

if not any(t.url_name == "commerce-unmatched" for t in TOOLS):
    nav_register(
        unit="EC",
        label=_("Unmatched order lines"),
        url_name="commerce-unmatched",
        capability="commerce.view",
        icon="link-45deg",
    )
