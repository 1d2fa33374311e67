"""Studios (直播间, rooms) and the equipment checklist of each (LS-1, IT-4)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Studio(models.Model):
    """A physical live room: where a session is streamed from. A room can hold one session at a time
    (the schedule refuses double bookings)."""

    name = models.CharField(max_length=60, unique=True, verbose_name=_("name"))
    location = models.CharField(max_length=120, blank=True, verbose_name=_("location"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="studios", verbose_name=_("department")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("studio")
        verbose_name_plural = _("studios")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="studio_name_not_blank")]

    def __str__(self) -> str:
        return self.name


class StudioChecklistItem(models.Model):
    """One thing to check in a room before going live: a piece of equipment, the network, the
    lights, products and samples on hand. The go-live checklist of a session is made from these."""

    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment")
        NETWORK = "network", _("Network")
        LIGHTS = "lights", _("Lights")
        PRODUCTS = "products", _("Products and samples")

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("studio")
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    label = models.CharField(max_length=120, verbose_name=_("item"))
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["studio", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "label"], name="studio_checklist_label_unique")
        ]

    def __str__(self) -> str:
        return self.label
