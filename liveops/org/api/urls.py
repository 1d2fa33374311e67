from django.urls import path

from liveops.org.api import views

urlpatterns = [
    path("departments/", views.DepartmentList.as_view(), name="api-departments"),
    path("duties/", views.DutyList.as_view(), name="api-duties"),
    path("staff/", views.StaffListCreate.as_view(), name="api-staff"),
    path("staff/<int:pk>/", views.StaffDetail.as_view(), name="api-staff-detail"),
    path("meetings/", views.MeetingList.as_view(), name="api-meetings"),
    path("resolutions/", views.ResolutionList.as_view(), name="api-resolutions"),
    path("action-items/", views.ActionItemList.as_view(), name="api-action-items"),
    path("action-items/<int:pk>/status/", views.ActionItemStatus.as_view(), name="api-action-item-status"),
    path("plans/", views.PlanList.as_view(), name="api-plans"),
]
