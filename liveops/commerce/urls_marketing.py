"""Pages of e-commerce operations: marketing. Mounted at ``/commerce/``."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
