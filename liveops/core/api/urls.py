from django.urls import path

from liveops.core.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("audit/", views.AuditEntryList.as_view(), name="api-audit"),
]
