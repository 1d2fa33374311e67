"""Capabilities of merchant recruitment and product selection (招商中心 / 直播招商部)."""

from django.utils.translation import gettext_lazy as _

from liveops.core.capabilities import capability_register

capability_register("sourcing.view", _("View merchants, products, deals and samples"), "view")
capability_register("sourcing.change", _("Manage merchants, products, deals and samples"), "change")
capability_register("sourcing.approve", _("Approve deals and selection decisions"), "approve")
capability_register("sourcing.export", _("Export merchants and products"), "export")
capability_register("sourcing.view_personal", _("See merchant contacts' personal data unmasked"), "personal")
capability_register("sourcing.import", _("Import merchants, products, credentials and market data"), "change")
