"""Daily rollups of order lines, kept up to date by every import that touches lines. Dashboards read
these, never the lines: a month of a shop is 30 rows, not hundreds of thousands.

Which time a figure uses: ``day`` is the local (Asia/Shanghai) day of payment (支付时间) for paid
lines, and of submission (下单时间) for lines never paid; ``orders_submitted`` counts by submission
day. Refunds are counted on the day the line was paid, so a day's refund rate compares like with like."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DailyShopRollup(models.Model):
    """One shop on one day: GMV, paid orders and lines, units, distinct buyers, refunds."""

    shop = models.ForeignKey("commerce.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(verbose_name=_("day"))
    gmv_fen = models.BigIntegerField(default=0, verbose_name=_("GMV (fen)"))
    orders_paid = models.PositiveIntegerField(default=0, verbose_name=_("paid orders"))
    lines_paid = models.PositiveIntegerField(default=0, verbose_name=_("paid lines"))
    units = models.PositiveIntegerField(default=0, verbose_name=_("units"))
    buyers = models.PositiveIntegerField(default=0, verbose_name=_("buyers"))
    orders_submitted = models.PositiveIntegerField(default=0, verbose_name=_("submitted orders"))
    refund_fen = models.BigIntegerField(default=0, verbose_name=_("refunded (fen)"))
    refund_lines = models.PositiveIntegerField(default=0, verbose_name=_("refunded lines"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("daily shop figures")
        verbose_name_plural = _("daily shop figures")
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="daily_shop_rollup_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"


class DailyDimensionRollup(models.Model):
    """One shop on one day broken down by one dimension: hour of payment, province, traffic source,
    anchor account, product, SKU or merchant. ``key`` is the value (an ID for linked objects,
    ``""`` for lines the dimension does not know)."""

    class Dimension(models.TextChoices):
        HOUR = "hour", _("Hour")
        PROVINCE = "province", _("Province")
        SOURCE = "source", _("Traffic source")
        ANCHOR = "anchor", _("Anchor")
        PRODUCT = "product", _("Product")
        MERCHANT = "merchant", _("Merchant")

    shop = models.ForeignKey("commerce.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(verbose_name=_("day"))
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=60, blank=True)
    gmv_fen = models.BigIntegerField(default=0)
    orders_paid = models.PositiveIntegerField(default=0)
    lines_paid = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    refund_fen = models.BigIntegerField(default=0)
    refund_lines = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily breakdown")
        verbose_name_plural = _("daily breakdowns")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "dimension", "key"], name="daily_dimension_rollup_unique"
            )
        ]
        # Anchor, product and merchant pages read one key across shops and days.
        indexes = [models.Index(fields=["dimension", "key", "day"], name="rollup_dimension_key_day")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.dimension}={self.key}"


class PeriodBuyers(models.Model):
    """Distinct buyers of a shop in a week or a month (distinct counts do not add up across days)."""

    class Grain(models.TextChoices):
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")

    shop = models.ForeignKey("commerce.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    grain = models.CharField(max_length=5, choices=Grain.choices)
    period_start = models.DateField()
    buyers = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("buyers per period")
        verbose_name_plural = _("buyers per period")
        constraints = [
            models.UniqueConstraint(fields=["shop", "grain", "period_start"], name="period_buyers_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.grain} {self.period_start}"


class RollupDirty(models.Model):
    """A shop's day whose rollups may no longer match its order lines.

    Every change to order lines writes one in the same transaction as the lines (so a committed change
    always leaves its mark, whatever happens to the process afterwards), and the refresh that
    recomputes the day from the stored lines removes exactly the marks it read (by ``id``). Marks are
    appended, never merged: a mark written while a refresh is running is not the one it removes."""

    shop = models.ForeignKey("commerce.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("day to roll up again")
        verbose_name_plural = _("days to roll up again")
        indexes = [models.Index(fields=["shop", "day"], name="rollup_dirty_shop_day")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"


class RollupCheck(models.Model):
    """One comparison of every rollup table with a recomputation from the stored order lines (the
    scheduled check or ``liveops rollups verify``): how many rows were compared, how many differed,
    the first differences, and whether the drifted days were rebuilt."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Scheduled")
        COMMAND = "command", _("Command")

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    shop = models.ForeignKey(
        "commerce.Shop", on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    checked = models.PositiveIntegerField(default=0)
    drifted = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=list, blank=True)
    repaired = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("rollup check")
        verbose_name_plural = _("rollup checks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(drifted__lte=models.F("checked")), name="rollup_check_drift_le_checked"
            )
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.drifted}/{self.checked}"
