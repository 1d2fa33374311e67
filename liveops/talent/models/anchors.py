"""The anchor profile (主播档案, AC-2): one record per person who appears on camera."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AnchorProfile(models.Model):
    """One person who appears on camera, staff or signed talent who may not be an employee: stage name,
    real name, phone and ID number (personal data, masked unless the viewer holds
    ``talent.view_personal``), broker, status, category focus, tags and the platform accounts
    (``commerce.AnchorAccount``) whose sales are theirs. Live sessions name their anchors by profile."""

    class Status(models.TextChoices):
        TRAINEE = "trainee", _("Trainee")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        LEFT = "left", _("Left")

    # Masked in pages and the API, and kept out of the audit trail as digests.
    PERSONAL_FIELDS = ("real_name", "phone", "id_number")

    stage_name = models.CharField(max_length=60, verbose_name=_("stage name"))
    real_name = models.CharField(max_length=60, blank=True, verbose_name=_("real name"))
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("mobile phone"))
    id_number = models.CharField(max_length=18, blank=True, verbose_name=_("ID number"))
    # The staff record when the anchor is an employee (their login sees their own profile and sessions).
    staff = models.OneToOneField(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="anchor_profile",
        verbose_name=_("staff record"),
    )
    broker = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="brokered_anchors",
        verbose_name=_("broker"),
    )
    # The unit that manages the profile (scopes who sees it); the brokerage department by default.
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="anchor_profiles",
        verbose_name=_("department"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.TRAINEE, verbose_name=_("status")
    )
    category_focus = models.CharField(max_length=100, blank=True, verbose_name=_("category focus"))
    tags = models.JSONField(default=list, blank=True, verbose_name=_("tags"))
    accounts = models.ManyToManyField(
        "commerce.AnchorAccount",
        blank=True,
        related_name="anchor_profiles",
        verbose_name=_("platform accounts"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        verbose_name = _("anchor profile")
        verbose_name_plural = _("anchor profiles")
        ordering = ["stage_name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(stage_name=""), name="anchor_stage_name_not_blank"),
            models.CheckConstraint(
                condition=Q(status__in=["trainee", "active", "paused", "left"]), name="anchor_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.stage_name
