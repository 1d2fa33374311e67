"""The line-up (排品, LS-3, LC-4): the ordered products of a session."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Mechanic(models.TextChoices):
    """In-stream mechanics (LS-2) a product slot may use."""

    COUPON = "coupon", _("Coupon")
    FLASH_SALE = "flash_sale", _("Flash sale")
    LUCKY_BAG = "lucky_bag", _("Lucky bag")
    GIFT = "gift", _("Gift")


class LineupItem(models.Model):
    """One product on a session's line-up, in order: the live price (defaulting to the approved deal's),
    the stock allotted, the mechanics, the selling points and the planned time slot. Every item passed
    ``quality.gates`` and had an approved deal in force when it was added."""

    session = models.ForeignKey(
        "live.LiveSession", on_delete=models.CASCADE, related_name="lineup", verbose_name=_("session")
    )
    position = models.PositiveIntegerField(verbose_name=_("order"))
    product = models.ForeignKey(
        "sourcing.Product", on_delete=models.PROTECT, related_name="lineup_items", verbose_name=_("product")
    )
    deal = models.ForeignKey(
        "sourcing.Deal", on_delete=models.PROTECT, related_name="lineup_items", verbose_name=_("deal")
    )
    live_price = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("live price (CNY)"))
    stock_allotted = models.PositiveIntegerField(default=0, verbose_name=_("stock allotted"))
    mechanics = models.JSONField(default=list, blank=True, verbose_name=_("mechanics"))
    selling_points = models.TextField(blank=True, verbose_name=_("selling points"))
    slot = models.CharField(
        max_length=20, blank=True, verbose_name=_("time slot"), help_text=_("e.g. 20:15-20:30")
    )

    class Meta:
        verbose_name = _("line-up item")
        verbose_name_plural = _("line-up items")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="lineup_position_unique"),
            models.UniqueConstraint(fields=["session", "product"], name="lineup_product_unique"),
            models.CheckConstraint(condition=Q(live_price__gte=0), name="lineup_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.product}"

    @property
    def warnings(self) -> list[str]:
        """What a manager should look at twice: a price under the deal's, stock beyond the guarantee."""
        from django.utils.translation import gettext as _g

        out = []
        if self.deal_id and self.live_price < self.deal.live_price:
            out.append(
                _g("Live price %(price)s is below the deal price %(deal)s.")
                % {"price": self.live_price, "deal": self.deal.live_price}
            )
        if self.deal_id and self.deal.guaranteed_stock and self.stock_allotted > self.deal.guaranteed_stock:
            out.append(
                _g("Stock allotted %(stock)s exceeds the guaranteed stock %(guaranteed)s.")
                % {"stock": self.stock_allotted, "guaranteed": self.deal.guaranteed_stock}
            )
        return out
