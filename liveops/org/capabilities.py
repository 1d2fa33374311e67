"""Capabilities of the org and governance module."""

from django.utils.translation import gettext_lazy as _

from liveops.core.capabilities import capability_register

capability_register("org.view", _("View departments, positions and staff"), "view")
capability_register("org.change", _("Change departments, positions and staff"), "change")
capability_register("org.export", _("Export staff lists"), "export")
capability_register("org.view_personal", _("See staff personal data unmasked"), "personal")
capability_register("org.import", _("Import staff"), "change")
capability_register("governance.view", _("View the governance register"), "view")
capability_register("governance.change", _("Record meetings, resolutions and action items"), "change")
capability_register("governance.approve", _("Approve plans and org changes for the board"), "approve")
capability_register("governance.question", _("File supervisory questions and motions"), "view")
capability_register("governance.export", _("Export the governance register"), "export")
