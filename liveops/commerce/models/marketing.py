"""The marketing side of e-commerce operations: the activity calendar with campaigns and budgets,
ad spend per channel, KPIs with targets and measurements, and product lifecycle tags."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AdChannel(models.TextChoices):
    QIANCHUAN = "qianchuan", _("Qianchuan (巨量千川)")
    ZHITONGCHE = "zhitongche", _("Zhitongche (直通车)")
    YINLI = "yinli", _("Yinli Mofang (引力魔方)")
    CIXI = "cixi", _("Kuaishou Cixi (磁力金牛)")
    DOU_PLUS = "douplus", _("DOU+")
    OTHER = "other", _("Other")


class Campaign(models.Model):
    """A marketing campaign on the activity calendar (618, 双11, 年货节…): dates, goals, the shops,
    products and live sessions it covers (EC-2, EC-3)."""

    class Kind(models.TextChoices):
        C618 = "618", _("618")
        DOUBLE11 = "double11", _("Double 11 (双11)")
        DOUBLE12 = "double12", _("Double 12 (双12)")
        NEW_YEAR = "new_year", _("New Year festival (年货节)")
        WOMENS_DAY = "womens_day", _("Women's day (38节)")
        BRAND_DAY = "brand_day", _("Brand day")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(max_length=120, verbose_name=_("name"))
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER, verbose_name=_("kind"))
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PLANNED, verbose_name=_("status")
    )
    goal_gmv_fen = models.BigIntegerField(default=0, verbose_name=_("GMV goal (fen)"))
    goals = models.TextField(blank=True, verbose_name=_("goals and plan"))
    shops = models.ManyToManyField(
        "commerce.Shop", blank=True, related_name="campaigns", verbose_name=_("shops")
    )
    products = models.ManyToManyField(
        "sourcing.Product", blank=True, related_name="campaigns", verbose_name=_("products")
    )
    # Live sessions arrive with the live module; until then their IDs are kept here.
    session_ids = models.JSONField(default=list, blank=True, verbose_name=_("live sessions"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_dates_in_order"),
            models.CheckConstraint(condition=Q(goal_gmv_fen__gte=0), name="campaign_goal_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Budget(models.Model):
    """A marketing or ad budget for a period, per campaign and/or channel and shop (LC-3, EC-3).
    Set by managers; ad spend is compared with it and an alert fires when spend passes it.

    Its scope is the ad spend of days within ``period_start``…``period_end`` that is linked to
    ``campaign`` (when set), of ``shop`` (when set; with neither shop nor campaign: of every shop of
    ``department``) and on ``channel`` (when set)."""

    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="budgets",
        verbose_name=_("campaign"),
    )
    shop = models.ForeignKey(
        "commerce.Shop",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shop"),
    )
    channel = models.CharField(
        max_length=12, choices=AdChannel.choices, blank=True, verbose_name=_("channel")
    )
    period_start = models.DateField(verbose_name=_("from"))
    period_end = models.DateField(verbose_name=_("to"))
    amount_fen = models.BigIntegerField(verbose_name=_("amount (fen)"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)
    # When spend in the budget's scope first passed its amount (the overspend alert fired, once);
    # cleared when a manager raises the amount above the spend again, so a new pass alerts again.
    overspent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("overspent since"))

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="budget_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="budget_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        parts = [str(p) for p in (self.campaign, self.shop) if p is not None]
        if self.channel:
            parts.append(self.get_channel_display())
        scope = " · ".join(parts) or str(_("all shops"))
        return f"{scope} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class AdSpend(models.Model):
    """Spend of one ad plan on one channel on one day (千川, 直通车…), imported or entered."""

    shop = models.ForeignKey(
        "commerce.Shop", on_delete=models.PROTECT, related_name="+", verbose_name=_("shop")
    )
    channel = models.CharField(max_length=12, choices=AdChannel.choices, verbose_name=_("channel"))
    day = models.DateField(verbose_name=_("day"))
    plan_id = models.CharField(max_length=60, blank=True, default="", verbose_name=_("plan ID"))
    plan_name = models.CharField(max_length=200, blank=True, verbose_name=_("plan"))
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ad_spend",
        verbose_name=_("campaign"),
    )
    spend_fen = models.BigIntegerField(verbose_name=_("spend (fen)"))
    impressions = models.PositiveBigIntegerField(default=0, verbose_name=_("impressions"))
    clicks = models.PositiveBigIntegerField(default=0, verbose_name=_("clicks"))
    platform_gmv_fen = models.BigIntegerField(default=0, verbose_name=_("GMV reported by the platform (fen)"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now, verbose_name=_("recorded"))
    import_run_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ad spend")
        verbose_name_plural = _("ad spend")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "channel", "day", "plan_id"], name="ad_spend_unique"),
            models.CheckConstraint(condition=Q(spend_fen__gte=0), name="ad_spend_not_negative"),
            models.CheckConstraint(
                condition=Q(platform_gmv_fen__gte=0), name="ad_spend_platform_gmv_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.plan_name or self.plan_id} {self.day:%Y-%m-%d}"


class Kpi(models.Model):
    """A KPI definition (EC-4): computed from the rollups (GMV, conversion, average order value,
    refund rate…) or entered/imported (traffic, member sign-up rate, page CTR…), with a direction.

    Values of targets and measurements are stored in the KPI's unit: whole fen for amounts, percent
    points for percentages (3.5 means 3.5 %), plain numbers for counts and ratios."""

    class Unit(models.TextChoices):
        COUNT = "count", _("Count")
        PERCENT = "percent", _("Percent")
        FEN = "fen", _("Amount (CNY)")
        RATIO = "ratio", _("Ratio")

    class Metric(models.TextChoices):
        """What a computed KPI is read from (the shop's daily rollups)."""

        GMV = "gmv", _("GMV")
        ORDERS = "orders", _("Paid orders")
        AOV = "aov", _("Average order value")
        BUYERS = "buyers", _("Buyers")
        PAYMENT_CONVERSION = "payment_conversion", _("Payment conversion (paid / submitted orders)")
        REFUND_RATE = "refund_rate", _("Refund rate (refunded / paid lines)")

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=80, verbose_name=_("name"))
    unit = models.CharField(max_length=8, choices=Unit.choices, verbose_name=_("unit"))
    higher_is_better = models.BooleanField(default=True, verbose_name=_("higher is better"))
    # A metric computed from rollups ("gmv", "payment_conversion", …) or "" for entered values.
    metric = models.CharField(
        max_length=40, blank=True, choices=Metric.choices, verbose_name=_("computed from")
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class KpiTarget(models.Model):
    """A KPI's target for a period, for one shop or the whole company (``shop`` empty)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets", verbose_name=_("KPI"))
    shop = models.ForeignKey(
        "commerce.Shop",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shop"),
    )
    period_start = models.DateField(verbose_name=_("from"))
    period_end = models.DateField(verbose_name=_("to"))
    target = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("target"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="kpi_target_period_in_order"
            ),
            models.CheckConstraint(condition=Q(target__gte=0), name="kpi_target_not_negative"),
            # One target per KPI, shop and period; NULL shops are distinct in SQL, hence two.
            models.UniqueConstraint(
                fields=["kpi", "shop", "period_start", "period_end"],
                condition=Q(shop__isnull=False),
                name="kpi_target_unique_shop",
            ),
            models.UniqueConstraint(
                fields=["kpi", "period_start", "period_end"],
                condition=Q(shop__isnull=True),
                name="kpi_target_unique_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class KpiMeasurement(models.Model):
    """A measured value of an entered/imported KPI for a shop on a day (traffic, CTR, sign-ups…)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("KPI"))
    shop = models.ForeignKey(
        "commerce.Shop",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shop"),
    )
    day = models.DateField(verbose_name=_("day"))
    value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("value"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "shop", "day"], name="kpi_measurement_unique"),
            models.UniqueConstraint(
                fields=["kpi", "day"], condition=Q(shop__isnull=True), name="kpi_measurement_unique_total"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="kpi_measurement_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.day:%Y-%m-%d}"


class ProductLifecycle(models.Model):
    """A product's lifecycle tag computed from its sales (EC-5): new, rising, hit (爆款), long-tail
    or clearance, with the figures that decided it."""

    class Tag(models.TextChoices):
        NEW = "new", _("New")
        RISING = "rising", _("Rising")
        HIT = "hit", _("Hit (爆款)")
        LONG_TAIL = "long_tail", _("Long tail")
        CLEARANCE = "clearance", _("Clearance")

    product = models.OneToOneField(
        "sourcing.Product", on_delete=models.CASCADE, related_name="lifecycle", verbose_name=_("product")
    )
    tag = models.CharField(max_length=10, choices=Tag.choices, verbose_name=_("lifecycle"))
    since = models.DateField(default=timezone.localdate, verbose_name=_("since"))
    computed_at = models.DateTimeField(default=timezone.now, verbose_name=_("computed"))
    metrics = models.JSONField(default=dict, blank=True, verbose_name=_("figures"))

    class Meta:
        verbose_name = _("product lifecycle")
        verbose_name_plural = _("product lifecycles")
        indexes = [models.Index(fields=["tag"], name="lifecycle_tag")]

    def __str__(self) -> str:
        return self.get_tag_display()
