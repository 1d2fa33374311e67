"""Live accounts (直播账号): the accounts the company streams from on each platform (LS-1, LC-1)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liveops.commerce.models import Platform


class LiveAccount(models.Model):
    """A platform account a session streams from (抖音号, 快手号, 淘宝直播间, 视频号), linked to the shop
    it sells for, the department that runs it and its anchors. An account first seen in an import
    (a partner 合作 anchor's room, say) is kept under the name the platform gives it, with
    ``is_registered`` false, and listed for a person to complete or link."""

    platform = models.CharField(max_length=12, choices=Platform.choices, verbose_name=_("platform"))
    name = models.CharField(max_length=100, verbose_name=_("account name"))
    platform_account_id = models.CharField(max_length=60, blank=True, verbose_name=_("platform account ID"))
    shop = models.ForeignKey(
        "commerce.Shop",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="live_accounts",
        verbose_name=_("shop"),
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="live_accounts", verbose_name=_("department")
    )
    anchors = models.ManyToManyField(
        "talent.AnchorProfile", blank=True, related_name="live_accounts", verbose_name=_("anchors")
    )
    is_registered = models.BooleanField(default=True, verbose_name=_("registered"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("live account")
        verbose_name_plural = _("live accounts")
        ordering = ["platform", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="live_account_name_not_blank"),
            models.UniqueConstraint(
                fields=["platform", "platform_account_id"],
                condition=~Q(platform_account_id=""),
                name="live_account_platform_id_unique",
            ),
            models.UniqueConstraint(fields=["platform", "name"], name="live_account_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
