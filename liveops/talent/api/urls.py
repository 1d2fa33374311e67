from django.urls import path

from liveops.talent.api import views

urlpatterns = [
    path("anchors/", views.AnchorList.as_view(), name="api-talent-anchors"),
    path("anchors/<int:pk>/", views.AnchorDetail.as_view(), name="api-talent-anchor"),
]
