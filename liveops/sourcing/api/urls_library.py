from django.urls import path

from liveops.sourcing.api import views_library as views

urlpatterns = [
    path("merchants/", views.MerchantListCreate.as_view(), name="api-sourcing-merchants"),
    path("merchants/<int:pk>/", views.MerchantDetail.as_view(), name="api-sourcing-merchant-detail"),
    path("products/", views.ProductList.as_view(), name="api-sourcing-products"),
    path("products/<int:pk>/", views.ProductDetail.as_view(), name="api-sourcing-product-detail"),
    path("credentials/", views.CredentialList.as_view(), name="api-sourcing-credentials"),
    path(
        "credentials/<int:pk>/verify/",
        views.CredentialVerify.as_view(),
        name="api-sourcing-credential-verify",
    ),
    path("categories/", views.CategoryList.as_view(), name="api-sourcing-categories"),
]
