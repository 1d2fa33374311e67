from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.core.navigation import nav_register
from liveops.live.views import schedule, sessions

urlpatterns = [
    path("schedule/", schedule.schedule, name="live-schedule"),
    path("schedule/publish/", schedule.schedule_publish, name="live-schedule-publish"),
    path("schedule/copy/", schedule.schedule_copy, name="live-schedule-copy"),
    path("schedule/ical/", schedule.schedule_ical, name="live-schedule-ical"),
    path("sessions/new/", schedule.session_form, name="live-session-new"),
    path("sessions/<int:pk>/", sessions.session_detail, name="live-session"),
    path("sessions/<int:pk>/edit/", schedule.session_form, name="live-session-edit"),
    path("sessions/<int:pk>/actuals/", sessions.session_actuals, name="live-session-actuals"),
    path("sessions/<int:pk>/lineup/", sessions.lineup_add, name="live-lineup-add"),
    path("sessions/<int:pk>/lineup/copy/", sessions.lineup_copy, name="live-lineup-copy"),
    path("sessions/<int:pk>/lineup/export/", sessions.lineup_export, name="live-lineup-export"),
    path("sessions/<int:pk>/lineup/<int:item_pk>/", sessions.lineup_item, name="live-lineup-item"),
    path("sessions/<int:pk>/review/", sessions.session_review, name="live-session-review"),
    path("accounts/", sessions.accounts, name="live-accounts"),
]

nav_register(
    unit="LS", label=_("Schedule"), url_name="live-schedule", capability="live.view", icon="calendar-week"
)
nav_register(
    unit="LS",
    label=_("Accounts and rooms"),
    url_name="live-accounts",
    capability="live.view",
    icon="broadcast",
)
nav_register(
    unit="LC", label=_("Live accounts"), url_name="live-accounts", capability="live.view", icon="broadcast"
)
nav_register(
    unit="AB",
    label=_("My live sessions"),
    url_name="live-schedule",
    capability="live.view_own",
    icon="calendar-week",
)
