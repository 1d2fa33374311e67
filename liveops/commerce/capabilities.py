"""Capabilities of e-commerce operations (电商运营部) and the live centre's budget control (LC-3)."""

from django.utils.translation import gettext_lazy as _

from liveops.core.capabilities import capability_register

capability_register("commerce.view", _("View shops, orders, after-sales and dashboards"), "view")
capability_register("commerce.import", _("Import orders, after-sales, settlements and ad spend"), "change")
capability_register("commerce.change", _("Manage shops, product mappings, campaigns and ad spend"), "change")
capability_register("commerce.manage", _("Set budgets and KPI targets"), "approve")
capability_register("commerce.export", _("Export orders and reports"), "export")
capability_register(
    "commerce.view_personal", _("See buyers' names, phones and addresses unmasked"), "personal"
)
