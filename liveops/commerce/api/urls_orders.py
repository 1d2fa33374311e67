"""API of e-commerce operations: attribution. Mounted at ``/api/v1/commerce/``."""

from django.urls import path

from liveops.commerce.api import attribution as views

urlpatterns = [
    path("attribution/unmatched/", views.UnmatchedList.as_view(), name="api-commerce-unmatched"),
    path("attribution/rules/", views.RuleListCreate.as_view(), name="api-commerce-rules"),
]
