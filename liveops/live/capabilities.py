"""Capabilities of live-stream operations (直播运营部, LC centre)."""

from django.utils.translation import gettext_lazy as _

from liveops.core.capabilities import capability_register

capability_register("live.view", _("View rooms, accounts, schedules, line-ups and reviews"), "view")
capability_register("live.view_own", _("View one's own published live sessions"), "view")
capability_register("live.change", _("Manage rooms, accounts, schedules and line-ups"), "change")
capability_register("live.import", _("Import Compass live-session data"), "change")
capability_register("live.approve", _("Publish schedules and sign off reviews"), "approve")
capability_register("live.export", _("Export schedules and line-ups"), "export")
