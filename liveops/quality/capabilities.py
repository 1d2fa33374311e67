"""Capabilities of quality control (直播品控部)."""

from django.utils.translation import gettext_lazy as _

from liveops.core.capabilities import capability_register

capability_register("quality.view", _("View inspections, defects, blocklist and scorecards"), "view")
capability_register("quality.change", _("Record inspections, defects, CAPA and credential checks"), "change")
capability_register("quality.block", _("Put merchants and products on the blocklist"), "change")
capability_register("quality.approve", _("Lift blocks and approve checklists"), "approve")
capability_register("quality.export", _("Export quality records"), "export")
