"""Capabilities of the anchor incubation centre (主播孵化中心): anchor profiles and their accounts."""

from django.utils.translation import gettext_lazy as _

from liveops.core.capabilities import capability_register

capability_register("talent.view", _("View anchor profiles"), "view")
capability_register("talent.change", _("Manage anchor profiles and their platform accounts"), "change")
capability_register(
    "talent.view_personal", _("See anchors' real names, phones and ID numbers unmasked"), "personal"
)
