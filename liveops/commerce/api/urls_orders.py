"""API of e-commerce operations: orders. Mounted at ``/api/v1/commerce/``."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
