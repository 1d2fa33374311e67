"""API of e-commerce operations: aftersales. Mounted at ``/api/v1/commerce/``."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
