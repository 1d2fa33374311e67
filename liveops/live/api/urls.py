from django.urls import path

from liveops.live.api import views

urlpatterns = [
    path("sessions/", views.SessionList.as_view(), name="api-live-sessions"),
    path("sessions/<int:pk>/", views.SessionDetail.as_view(), name="api-live-session"),
]
