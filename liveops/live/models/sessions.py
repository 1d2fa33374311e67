"""The live session (场次): planned on the schedule days ahead, streamed, reviewed the next morning."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


def _count(label):
    return models.BigIntegerField(null=True, blank=True, verbose_name=label)


def _money(label):
    return models.DecimalField(**MONEY, null=True, blank=True, verbose_name=label)


def _rate(label):
    return models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, verbose_name=label)


class LiveSession(models.Model):
    """One live session of an account: its plan (room, times, people, targets), whether the schedule
    holding it is published, and the figures once known (Compass import). A figure that is not known
    is NULL, never 0: "no buyers" and "we do not know" must stay apart. A session imported without a
    plan (``planned_start`` null) waits in the unmatched list for a person to resolve.

    Double bookings (a room, an account or a person in two sessions at once) are refused by
    ``services.sessions``; on PostgreSQL an exclusion constraint also holds it for rooms and accounts
    (migration 0003)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Origin(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        IMPORTED = "imported", _("Imported, not scheduled")

    account = models.ForeignKey(
        "live.LiveAccount", on_delete=models.PROTECT, related_name="sessions", verbose_name=_("account")
    )
    # The account's department at planning time: the data scope of the session.
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="live_sessions", verbose_name=_("department")
    )
    studio = models.ForeignKey(
        "live.Studio",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("studio"),
    )
    title = models.CharField(max_length=120, blank=True, verbose_name=_("title"))
    planned_start = models.DateTimeField(null=True, blank=True, verbose_name=_("planned start"))
    planned_end = models.DateTimeField(null=True, blank=True, verbose_name=_("planned end"))
    actual_start = models.DateTimeField(null=True, blank=True, verbose_name=_("actual start"))
    actual_end = models.DateTimeField(null=True, blank=True, verbose_name=_("actual end"))
    anchors = models.ManyToManyField(
        "talent.AnchorProfile", blank=True, related_name="live_sessions", verbose_name=_("anchors")
    )
    assistant = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assistant"),
    )
    field_controller = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("field controller (场控)"),
    )
    operator = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operator"),
    )
    target_gmv = _money(_("GMV target (CNY)"))
    target_viewers = _count(_("viewers target"))
    target_orders = _count(_("orders target"))
    target_new_fans = _count(_("new fans target"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    origin = models.CharField(
        max_length=10, choices=Origin.choices, default=Origin.SCHEDULED, verbose_name=_("origin")
    )
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published"))
    published_by = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published by"),
    )
    # Figures (Compass definitions, live-metrics.md). People counts are *_ucnt, times *_cnt.
    impressions_ucnt = _count(_("impressions (people)"))
    impressions_cnt = _count(_("impressions (times)"))
    watch_ucnt = _count(_("viewers"))
    watch_cnt = _count(_("views"))
    peak_online = _count(_("peak online"))
    avg_online = _count(_("average online"))
    avg_watch_min = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, verbose_name=_("average watch time (min)")
    )
    comments = _count(_("comments"))
    new_fans = _count(_("new fans"))
    unfollows = _count(_("unfollows"))
    product_expose_ucnt = _count(_("product exposures (people)"))
    product_click_ucnt = _count(_("product clicks (people)"))
    product_expose_cnt = _count(_("product exposures (times)"))
    product_click_cnt = _count(_("product clicks (times)"))
    orders = _count(_("orders"))
    units = _count(_("units sold"))
    buyers = _count(_("buyers"))
    gmv = _money(_("GMV (CNY)"))
    paid_amount = _money(_("paid by users (CNY)"))
    refund_orders = _count(_("refunded orders"))
    refund_amount = _money(_("refunds (CNY)"))
    net_gmv = _money(_("net GMV (CNY)"))
    ad_cost = _money(_("ad spend (CNY)"))
    refund_1h_rate = _rate(_("1-hour refund rate"))
    old_fan_share = _rate(_("old-fan share of viewers"))
    figures_source = models.CharField(max_length=40, blank=True, verbose_name=_("figures from"))
    figures_updated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("figures updated"))
    # The Compass row this session's figures came from: (account, start) as the export writes them.
    compass_key = models.CharField(max_length=120, null=True, blank=True, unique=True, editable=False)
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["planned_start", "id"]
        indexes = [
            models.Index(fields=["account", "planned_start"], name="live_session_account_start"),
            models.Index(fields=["studio", "planned_start"], name="live_session_studio_start"),
            models.Index(fields=["account", "actual_start"], name="live_session_account_actual"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(planned_start__isnull=True) & Q(planned_end__isnull=True))
                | Q(planned_end__gt=F("planned_start")),
                name="live_session_planned_ordered",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="live_session_actual_ordered",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=False) | Q(actual_start__isnull=False),
                name="live_session_has_times",
            ),
            models.CheckConstraint(
                condition=(Q(target_gmv__isnull=True) | Q(target_gmv__gte=0))
                & (Q(target_viewers__isnull=True) | Q(target_viewers__gte=0))
                & (Q(target_orders__isnull=True) | Q(target_orders__gte=0))
                & (Q(target_new_fans__isnull=True) | Q(target_new_fans__gte=0)),
                name="live_session_targets_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="live_session_published_at"
            ),
        ]

    def __str__(self) -> str:
        start = self.planned_start or self.actual_start
        when = timezone.localtime(start).strftime("%Y-%m-%d %H:%M") if start else ""
        return f"#{self.pk} {self.account} {when}".strip()

    @property
    def start(self):
        return self.planned_start or self.actual_start

    @property
    def end(self):
        return self.planned_end or self.actual_end
