"""Pages of the merchant and product library, credentials, categories and the category plan."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.core.history import history_register
from liveops.core.navigation import TOOLS, nav_register
from liveops.sourcing.views import library as views

urlpatterns = [
    path("merchants/", views.merchant_list, name="sourcing-merchant-list"),
    path("merchants/new/", views.merchant_create, name="sourcing-merchant-create"),
    path("merchants/<int:pk>/", views.merchant_detail, name="sourcing-merchant-detail"),
    path("merchants/<int:pk>/edit/", views.merchant_edit, name="sourcing-merchant-edit"),
    path("merchants/<int:pk>/contacts/", views.merchant_contact_add, name="sourcing-merchant-contact-add"),
    path("merchants/<int:pk>/log/", views.merchant_log_add, name="sourcing-merchant-log-add"),
    path("merchants/<int:pk>/brands/", views.merchant_brand_add, name="sourcing-merchant-brand-add"),
    path(
        "merchants/<int:pk>/credentials/",
        views.merchant_credential_add,
        name="sourcing-merchant-credential-add",
    ),
    path("credentials/expiring/", views.credential_expiry, name="sourcing-credential-expiry"),
    path("credentials/<int:pk>/verify/", views.credential_verify, name="sourcing-credential-verify"),
    path("credentials/<int:pk>/file/", views.credential_file, name="sourcing-credential-file"),
    path("products/", views.product_list, name="sourcing-product-list"),
    path("products/new/", views.product_create, name="sourcing-product-create"),
    path("products/<int:pk>/", views.product_detail, name="sourcing-product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="sourcing-product-edit"),
    path("products/<int:pk>/skus/", views.product_sku_add, name="sourcing-product-sku-add"),
    path("products/<int:pk>/prices/", views.product_price_add, name="sourcing-product-price-add"),
    path("categories/", views.category_list, name="sourcing-categories"),
    path("categories/new/", views.category_edit, name="sourcing-category-create"),
    path("categories/<int:pk>/edit/", views.category_edit, name="sourcing-category-edit"),
    path("plan/", views.plan_view, name="sourcing-plan"),
]

_TOOLS = [
    ("MR", _("Merchants"), "sourcing-merchant-list", "sourcing.view", "shop"),
    ("MR", _("Products"), "sourcing-product-list", "sourcing.view", "box-seam"),
    ("MR", _("Category plan"), "sourcing-plan", "sourcing.view", "bullseye"),
    ("MR", _("Credentials expiry"), "sourcing-credential-expiry", "sourcing.view", "calendar-x"),
    ("MC", _("Category plan"), "sourcing-plan", "sourcing.view", "bullseye"),
    ("MC", _("Categories and standards"), "sourcing-categories", "sourcing.view", "diagram-2"),
    ("QC", _("Credentials expiry"), "sourcing-credential-expiry", "sourcing.view", "calendar-x"),
]
for unit, label, url_name, capability, icon in _TOOLS:
    if not any(t.unit == unit and t.url_name == url_name for t in TOOLS):
        nav_register(unit=unit, label=label, url_name=url_name, capability=capability, icon=icon)

history_register("sourcing.merchant", views.history_check_merchant)
history_register("sourcing.product", views.history_check_product)
