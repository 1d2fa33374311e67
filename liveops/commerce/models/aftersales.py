"""After-sales cases and settlement (fund-movement) rows imported from the platforms, linked to the
order lines they concern.

Both are imported per shop (``douyin-aftersales``, ``douyin-settlements``) and linked to the order line
of the same shop by sub-order number (or by order number when the order has a single line). Their
figures are rolled onto the lines (``OrderLine.refund_fen``, ``platform_fee_fen``, ``commission_fen``,
``promotion_fee_fen``, ``aftersale_state``) and from there into the daily rollups that refund rates
and QC scorecards read. Rows that arrive before their order wait unlinked and are linked when the
order is imported."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liveops.commerce.models.orders import AfterSaleState


class AfterSale(models.Model):
    """An after-sales case (售后单) of the platform: refund only, return and refund, exchange…"""

    shop = models.ForeignKey("commerce.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    aftersale_no = models.CharField(max_length=40, verbose_name=_("after-sales number"))
    order_no = models.CharField(max_length=40, blank=True, verbose_name=_("order number"))
    sub_order_no = models.CharField(
        max_length=40, blank=True, db_index=True, verbose_name=_("sub-order number")
    )
    line = models.ForeignKey(
        "commerce.OrderLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aftersales",
        verbose_name=_("order line"),
    )
    kind = models.CharField(max_length=40, blank=True, verbose_name=_("type"))
    status_text = models.CharField(max_length=40, blank=True, verbose_name=_("platform status"))
    # Normalised from the platform status and the times: refunded (money went back), closed without
    # refund (withdrawn, refused, exchanged), or still in progress. ``none`` is never used here.
    state = models.CharField(
        max_length=12,
        choices=AfterSaleState.choices,
        default=AfterSaleState.IN_PROGRESS,
        verbose_name=_("status"),
    )
    applied_at = models.DateTimeField(null=True, blank=True, verbose_name=_("applied"))
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))
    reason_tag = models.CharField(max_length=100, blank=True, verbose_name=_("reason tag"))
    refund_fen = models.BigIntegerField(default=0, verbose_name=_("refund (fen)"))
    return_tracking_no = models.CharField(max_length=60, blank=True, verbose_name=_("return tracking number"))
    return_shipped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("return shipped"))
    agreed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("agreed"))
    merchant_refunded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("refunded by merchant"))
    buyer_received_at = models.DateTimeField(null=True, blank=True, verbose_name=_("refund received"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed"))
    arbitration_status = models.CharField(max_length=40, blank=True, verbose_name=_("arbitration"))
    responsible_party = models.CharField(max_length=40, blank=True, verbose_name=_("responsible party"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed"))
    buyer_explanation = models.CharField(max_length=500, blank=True, verbose_name=_("buyer's explanation"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))
    row_hash = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")
        constraints = [
            models.UniqueConstraint(fields=["shop", "aftersale_no"], name="aftersale_no_unique_per_shop"),
            models.CheckConstraint(condition=Q(refund_fen__gte=0), name="aftersale_refund_not_negative"),
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        AfterSaleState.IN_PROGRESS.value,
                        AfterSaleState.REFUNDED.value,
                        AfterSaleState.CLOSED.value,
                    ]
                ),
                name="aftersale_state_known",
            ),
        ]
        # Quality return rates read a period of cases by application time.
        indexes = [models.Index(fields=["shop", "applied_at"], name="aftersale_shop_applied")]

    def __str__(self) -> str:
        return self.aftersale_no


class SettlementEntry(models.Model):
    """One fund movement (动账) or settlement row (结算明细) of a shop's platform account: what the
    platform paid or charged, split into refund, service fee, commission and promotion fees.

    ``amount_fen`` is signed: money into the account is positive, money out negative, whatever the
    export wrote (the newer 动账 export gives a direction and a positive amount; the older 结算明细 a
    signed 结算金额 = income + expenses). The split columns are kept as the export wrote them; lines
    take their absolute sums. Older exports have no entry number: the key is built from the
    sub-order number, the settlement time and the settlement type (``S:<sub-order>:<time>:<type>``)."""

    class Direction(models.TextChoices):
        IN = "in", _("Income")
        OUT = "out", _("Expense")

    shop = models.ForeignKey("commerce.Shop", on_delete=models.PROTECT, related_name="+", db_index=False)
    entry_no = models.CharField(max_length=80, verbose_name=_("entry number"))
    occurred_at = models.DateTimeField(null=True, blank=True, verbose_name=_("time"))
    direction = models.CharField(
        max_length=10, blank=True, choices=Direction.choices, verbose_name=_("direction")
    )
    amount_fen = models.BigIntegerField(default=0, verbose_name=_("amount (fen)"))
    account = models.CharField(max_length=40, blank=True, verbose_name=_("account"))
    scene = models.CharField(max_length=60, blank=True, verbose_name=_("scene"))
    billing_type = models.CharField(max_length=60, blank=True, verbose_name=_("billing type"))
    order_no = models.CharField(max_length=40, blank=True, verbose_name=_("order number"))
    sub_order_no = models.CharField(
        max_length=40, blank=True, db_index=True, verbose_name=_("sub-order number")
    )
    line = models.ForeignKey(
        "commerce.OrderLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="settlements",
        verbose_name=_("order line"),
    )
    order_paid_fen = models.BigIntegerField(default=0, verbose_name=_("order paid (fen)"))
    freight_fen = models.BigIntegerField(default=0, verbose_name=_("freight (fen)"))
    platform_subsidy_fen = models.BigIntegerField(default=0, verbose_name=_("platform subsidy (fen)"))
    refund_fen = models.BigIntegerField(default=0, verbose_name=_("refund (fen)"))
    platform_fee_fen = models.BigIntegerField(default=0, verbose_name=_("platform service fee (fen)"))
    commission_fen = models.BigIntegerField(default=0, verbose_name=_("commission (fen)"))
    merchant_service_fee_fen = models.BigIntegerField(
        default=0, verbose_name=_("recruitment service fee (fen)")
    )
    promotion_fee_fen = models.BigIntegerField(default=0, verbose_name=_("off-site promotion fee (fen)"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    row_hash = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("settlement entry")
        verbose_name_plural = _("settlement entries")
        constraints = [
            models.UniqueConstraint(fields=["shop", "entry_no"], name="settlement_entry_unique_per_shop"),
        ]
        # The settlement page totals a shop's period.
        indexes = [models.Index(fields=["shop", "occurred_at"], name="settlement_shop_time")]

    def __str__(self) -> str:
        return self.entry_no
