"""Quality control: versioned inspection checklists per category, inspections of samples and inbound
batches with a result per checklist item, the defects register with corrective and preventive actions
(CAPA), the blocklist, and merchant scorecards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Checklist(models.Model):
    """An inspection checklist for a category, in numbered versions; one active version per category (QC-1)."""

    category = models.ForeignKey(
        "sourcing.Category", on_delete=models.PROTECT, related_name="checklists", verbose_name=_("category")
    )
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    is_active = models.BooleanField(default=True, verbose_name=_("in use"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["category__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["category", "version"], name="checklist_version_unique"),
            models.UniqueConstraint(
                fields=["category"], condition=Q(is_active=True), name="one_active_checklist_per_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ChecklistItem(models.Model):
    """One check of a checklist; a failed critical item fails the whole inspection."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=300, verbose_name=_("check"))
    is_critical = models.BooleanField(default=True, verbose_name=_("critical"))

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class Inspection(models.Model):
    """An inspection of a sample or an inbound batch against a checklist version (QC-2)."""

    class Kind(models.TextChoices):
        SAMPLE = "sample", _("Sample")
        INBOUND = "inbound", _("Inbound batch")

    class Result(models.TextChoices):
        PENDING = "pending", _("In progress")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SAMPLE, verbose_name=_("kind"))
    product = models.ForeignKey(
        "sourcing.Product", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("product")
    )
    sample = models.ForeignKey(
        "sourcing.Sample",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("sample"),
    )
    batch_no = models.CharField(max_length=40, blank=True, verbose_name=_("batch number"))
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("checklist")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    inspected_at = models.DateTimeField(default=timezone.now, verbose_name=_("inspected at"))
    result = models.CharField(
        max_length=8, choices=Result.choices, default=Result.PENDING, db_index=True, verbose_name=_("result")
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="sample") | Q(sample__isnull=False), name="sample_inspection_has_sample"
            ),
            models.CheckConstraint(
                condition=~Q(kind="inbound") | ~Q(batch_no=""), name="inbound_inspection_has_batch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.get_result_display()}"


class InspectionItemResult(models.Model):
    """Pass or fail of one checklist item in one inspection, with a note and a photo."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="item_results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(verbose_name=_("passed"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    photo = models.FileField(upload_to="inspections/%Y/", blank=True, verbose_name=_("photo"))

    class Meta:
        verbose_name = _("inspection item result")
        verbose_name_plural = _("inspection item results")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="one_result_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.passed}"


class Defect(models.Model):
    """A quality problem found on a product (QC-2, QC-4), with its corrective actions."""

    class Severity(models.TextChoices):
        CRITICAL = "critical", _("Critical")
        MAJOR = "major", _("Major")
        MINOR = "minor", _("Minor")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_CAPA = "in_capa", _("Corrective action under way")
        CLOSED = "closed", _("Closed")

    product = models.ForeignKey(
        "sourcing.Product", on_delete=models.PROTECT, related_name="defects", verbose_name=_("product")
    )
    merchant = models.ForeignKey(
        "sourcing.Merchant", on_delete=models.PROTECT, related_name="defects", verbose_name=_("merchant")
    )
    inspection = models.ForeignKey(
        Inspection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="defects",
        verbose_name=_("inspection"),
    )
    severity = models.CharField(max_length=8, choices=Severity.choices, verbose_name=_("severity"))
    description = models.TextField(verbose_name=_("description"))
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    found_on = models.DateField(default=timezone.localdate, verbose_name=_("found on"))
    closed_on = models.DateField(null=True, blank=True, verbose_name=_("closed on"))

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False), name="defect_closed_has_date"
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


class CorrectiveAction(models.Model):
    """A corrective or preventive action (CAPA) on a defect, with owner, due date and follow-up."""

    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", _("Corrective")
        PREVENTIVE = "preventive", _("Preventive")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        VERIFIED = "verified", _("Verified effective")

    defect = models.ForeignKey(Defect, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    action = models.TextField(verbose_name=_("action"))
    owner = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(verbose_name=_("due date"))
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    follow_up = models.TextField(blank=True, verbose_name=_("follow-up"))

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.action[:60]


class Block(models.Model):
    """A merchant or product on the blocklist (QC-4). While a block is active (not lifted) the target
    can never be approved or put on a live line-up. Lifting needs a manager's approval."""

    merchant = models.ForeignKey(
        "sourcing.Merchant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blocks",
        verbose_name=_("merchant"),
    )
    product = models.ForeignKey(
        "sourcing.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blocks",
        verbose_name=_("product"),
    )
    reason = models.TextField(verbose_name=_("reason"))
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("blocked by")
    )
    blocked_at = models.DateTimeField(default=timezone.now, verbose_name=_("blocked at"))
    lifted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lifted at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lift approved by"),
    )
    lift_reason = models.TextField(blank=True, verbose_name=_("reason for lifting"))

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocklist")
        ordering = ["-blocked_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(merchant__isnull=False) & Q(product__isnull=True))
                | (Q(merchant__isnull=True) & Q(product__isnull=False)),
                name="block_merchant_xor_product",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_by__isnull=False),
                name="block_lift_has_approver",
            ),
            models.UniqueConstraint(
                fields=["merchant"],
                condition=Q(lifted_at__isnull=True, merchant__isnull=False),
                name="one_active_block_per_merchant",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(lifted_at__isnull=True, product__isnull=False),
                name="one_active_block_per_product",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant or self.product}: {self.reason[:40]}"


class Scorecard(models.Model):
    """A merchant's scores for a period (QC-6): quality, compliance, after-sales and delivery (0-100),
    their weighted total, and whether it fell below the threshold."""

    merchant = models.ForeignKey(
        "sourcing.Merchant", on_delete=models.CASCADE, related_name="scorecards", verbose_name=_("merchant")
    )
    period = models.CharField(max_length=7, verbose_name=_("period"), help_text=_("YYYY-MM"))
    quality = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("quality"))
    compliance = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("compliance"))
    after_sales = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, verbose_name=_("after-sales")
    )
    delivery = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, verbose_name=_("delivery")
    )
    total = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("total"))
    flagged = models.BooleanField(default=False, verbose_name=_("below threshold"))
    details = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("merchant scorecard")
        verbose_name_plural = _("merchant scorecards")
        ordering = ["-period", "total"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "period"], name="scorecard_unique_period"),
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(total__lte=100), name="scorecard_total_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.period}: {self.total}"
