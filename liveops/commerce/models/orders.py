"""Shops, orders and order lines, and the tables that attribute lines to anchors and products."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    TAOBAO = "taobao", _("Taobao / Tmall")
    WECHAT = "wechat", _("WeChat Channels")


class LineStatus(models.TextChoices):
    """Order line status, normalised across platforms (the platform's own words stay in ``status_text``)."""

    UNPAID = "unpaid", _("Awaiting payment")
    PAID = "paid", _("Paid, awaiting shipment")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    OTHER = "other", _("Other")


class AfterSaleState(models.TextChoices):
    """After-sales state of a line, normalised (raw text in ``aftersale_text``)."""

    NONE = "none", _("None")
    IN_PROGRESS = "in_progress", _("In progress")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", _("Closed without refund")


class Shop(models.Model):
    """A shop (店铺) on one platform, run by one department. Orders are imported into a shop, and
    staff see the orders of the shops their department runs."""

    platform = models.CharField(max_length=12, choices=Platform.choices, verbose_name=_("platform"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    platform_shop_id = models.CharField(max_length=40, blank=True, verbose_name=_("platform shop ID"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="shops", verbose_name=_("department")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    # When each data source last brought rows (orders, after-sales, settlements, ad spend): platform
    # data for the last hours is incomplete, so dashboards say how fresh their figures are.
    orders_updated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("orders last imported"))
    aftersales_updated_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("after-sales last imported")
    )
    settlements_updated_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("settlements last imported")
    )
    # Set by every rollup refresh: dashboards show it, and key their cached figures on it.
    rollups_updated_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("figures last computed")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["platform", "name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "name"], name="shop_name_unique_per_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"


class AnchorAccount(models.Model):
    """An anchor's account on a platform (达人ID and nickname as the platform writes them). Lines
    are linked to it on import; the talent module links it to the anchor's profile."""

    platform = models.CharField(max_length=12, choices=Platform.choices, verbose_name=_("platform"))
    platform_anchor_id = models.CharField(max_length=40, verbose_name=_("anchor ID (达人ID)"))
    nickname = models.CharField(max_length=100, blank=True, verbose_name=_("nickname"))
    staff = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="anchor_accounts",
        verbose_name=_("anchor (staff)"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("anchor account")
        verbose_name_plural = _("anchor accounts")
        ordering = ["platform", "nickname"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_anchor_id"], name="anchor_account_unique"),
        ]

    def __str__(self) -> str:
        return self.nickname or self.platform_anchor_id


class AttributionRule(models.Model):
    """Maps what a platform calls a product (its product ID, or the 商家编码 the shop typed) to a
    product and SKU of the library. Made once by staff from the unmatched queue; it then applies to
    every past and future line with that key."""

    class KeyKind(models.TextChoices):
        PRODUCT_ID = "product_id", _("Platform product ID")
        MERCHANT_CODE = "merchant_code", _("Merchant code (商家编码)")

    platform = models.CharField(max_length=12, choices=Platform.choices, verbose_name=_("platform"))
    key_kind = models.CharField(max_length=16, choices=KeyKind.choices, verbose_name=_("matched on"))
    key_value = models.CharField(max_length=60, verbose_name=_("value"))
    product = models.ForeignKey(
        "sourcing.Product",
        on_delete=models.CASCADE,
        related_name="attribution_rules",
        verbose_name=_("product"),
    )
    sku = models.ForeignKey(
        "sourcing.Sku",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("SKU"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("product mapping")
        verbose_name_plural = _("product mappings")
        ordering = ["platform", "key_kind", "key_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "key_kind", "key_value"], name="attribution_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_kind_display()} {self.key_value}"


class Order(models.Model):
    """A platform order (主订单) in a shop: the buyer, where it goes, and its totals. Buyer name,
    phone and address are personal data: stored masked, with the clear text sealed (encrypted with
    the server's data key) in ``contact_sealed``; values the platform already encrypted (``##…``,
    ``$$…``) are kept as they are and flagged."""

    # No index of its own: (shop, order number) and (shop, paid) lead with the shop.
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="orders", db_index=False, verbose_name=_("shop")
    )
    order_no = models.CharField(max_length=40, verbose_name=_("order number"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid"))
    line_count = models.PositiveIntegerField(default=0, verbose_name=_("lines"))
    amount_paid_fen = models.BigIntegerField(default=0, verbose_name=_("amount paid (fen)"))
    buyer_key = models.CharField(max_length=32, blank=True, editable=False)
    buyer_name_masked = models.CharField(max_length=120, blank=True, verbose_name=_("buyer"))
    buyer_phone_masked = models.CharField(max_length=120, blank=True, verbose_name=_("phone"))
    buyer_address_masked = models.CharField(max_length=300, blank=True, verbose_name=_("address"))
    contact_sealed = models.TextField(blank=True, editable=False)
    contact_platform_encrypted = models.BooleanField(
        default=False, verbose_name=_("encrypted by the platform")
    )
    province = models.CharField(max_length=20, blank=True, verbose_name=_("province"))
    city = models.CharField(max_length=40, blank=True, verbose_name=_("city"))
    district = models.CharField(max_length=40, blank=True, verbose_name=_("district"))
    buyer_note = models.CharField(max_length=500, blank=True, verbose_name=_("buyer's note"))
    row_hash = models.CharField(max_length=20, blank=True, editable=False)

    # The buyer's contact (masked, sealed, and the buyer's digest): kept only as digests in the audit
    # trail (core.masking), like every model's personal fields.
    PERSONAL_FIELDS = (
        "buyer_name_masked",
        "buyer_phone_masked",
        "buyer_address_masked",
        "buyer_key",
        "contact_sealed",
    )

    class Meta:
        verbose_name = _("customer order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["shop", "order_no"], name="order_no_unique_per_shop"),
            models.CheckConstraint(
                condition=Q(amount_paid_fen__gte=0), name="order_amount_paid_not_negative"
            ),
        ]
        indexes = [
            # With the id, the keyset (paid_at, id) of the order list follows the index on PostgreSQL
            # too (SQLite keeps the rowid in every index).
            models.Index(fields=["shop", "paid_at", "id"], name="order_shop_paid"),
            # Lists newest first (by id) walk this per shop and merge, instead of sorting every order
            # of the visible shops (commerce.selectors.orders.newest_first).
            models.Index(fields=["shop", "id"], name="order_shop_id"),
        ]

    def __str__(self) -> str:
        return self.order_no


class OrderLine(models.Model):
    """One sub-order (子订单) as the platform exported it, with the links attribution made: anchor
    account, product and SKU of the library, merchant, and live session. Keyed on
    (shop, sub-order number), so importing the same export again changes nothing."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("customer order")
    )
    # No separate index on the FKs below: (shop, sub-order) and (shop, day) lead with the shop, and
    # pages read rollups rather than lines; every index costs time on million-line imports.
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("shop")
    )
    sub_order_no = models.CharField(max_length=40, verbose_name=_("sub-order number"))
    product_title = models.CharField(
        max_length=300, blank=True, verbose_name=_("product (as on the platform)")
    )
    sku_spec = models.CharField(max_length=200, blank=True, verbose_name=_("specification"))
    platform_product_id = models.CharField(max_length=40, blank=True, verbose_name=_("platform product ID"))
    merchant_code = models.CharField(max_length=60, blank=True, verbose_name=_("merchant code (商家编码)"))
    quantity = models.PositiveIntegerField(default=1, verbose_name=_("quantity"))
    unit_price_fen = models.BigIntegerField(default=0, verbose_name=_("unit price (fen)"))
    amount_due_fen = models.BigIntegerField(default=0, verbose_name=_("amount due (fen)"))
    freight_fen = models.BigIntegerField(default=0, verbose_name=_("freight (fen)"))
    discount_total_fen = models.BigIntegerField(default=0, verbose_name=_("discounts (fen)"))
    discount_platform_fen = models.BigIntegerField(default=0, verbose_name=_("platform discount (fen)"))
    discount_merchant_fen = models.BigIntegerField(default=0, verbose_name=_("merchant discount (fen)"))
    discount_anchor_fen = models.BigIntegerField(default=0, verbose_name=_("anchor discount (fen)"))
    amount_paid_fen = models.BigIntegerField(default=0, verbose_name=_("amount paid (fen)"))
    status = models.CharField(max_length=12, choices=LineStatus.choices, verbose_name=_("status"))
    status_text = models.CharField(max_length=40, blank=True, verbose_name=_("platform status"))
    aftersale_state = models.CharField(
        max_length=12,
        choices=AfterSaleState.choices,
        default=AfterSaleState.NONE,
        verbose_name=_("after-sales"),
    )
    aftersale_text = models.CharField(
        max_length=40, blank=True, verbose_name=_("platform after-sales status")
    )
    traffic_source = models.CharField(max_length=40, blank=True, verbose_name=_("traffic source"))
    app_channel = models.CharField(max_length=40, blank=True, verbose_name=_("app channel"))
    order_type = models.CharField(max_length=40, blank=True, verbose_name=_("order type"))
    province = models.CharField(max_length=20, blank=True, verbose_name=_("province"))
    anchor_platform_id = models.CharField(max_length=40, blank=True, verbose_name=_("anchor ID (达人ID)"))
    anchor_nickname = models.CharField(max_length=100, blank=True, verbose_name=_("anchor nickname"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid"))
    shipped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("shipped"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished"))
    # Local (Asia/Shanghai) calendar day of payment, else of submission: the day rollups count it on.
    day = models.DateField(verbose_name=_("day"))
    buyer_key = models.CharField(max_length=32, blank=True, editable=False)
    # Attribution (nullable: a line that matched nothing waits in the unmatched queue).
    anchor_account = models.ForeignKey(
        AnchorAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lines",
        db_index=False,
        verbose_name=_("anchor"),
    )
    product = models.ForeignKey(
        "sourcing.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("product"),
    )
    sku = models.ForeignKey(
        "sourcing.Sku",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("SKU"),
    )
    merchant = models.ForeignKey(
        "sourcing.Merchant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("merchant"),
    )
    # The live session the line was sold in; set by ``attribution_session_apply`` once the live module
    # exists (an integer until then, so orders import before sessions do).
    session_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("live session"))
    # From after-sales and settlement imports.
    refund_fen = models.BigIntegerField(default=0, verbose_name=_("refunded (fen)"))
    platform_fee_fen = models.BigIntegerField(default=0, verbose_name=_("platform service fee (fen)"))
    commission_fen = models.BigIntegerField(default=0, verbose_name=_("commission (fen)"))
    promotion_fee_fen = models.BigIntegerField(default=0, verbose_name=_("promotion fees (fen)"))
    # Fingerprint of the imported fields: a re-import compares 16 characters instead of 30 columns.
    row_hash = models.CharField(max_length=20, blank=True, editable=False)
    # Fingerprint of the file's fields as last imported (before any parsing): a re-import skips the
    # orders whose rows are all unchanged without parsing or deriving them again.
    source_hash = models.CharField(max_length=20, blank=True, editable=False)
    import_run_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["shop", "sub_order_no"], name="sub_order_no_unique_per_shop"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="line_quantity_not_negative"),
            models.CheckConstraint(condition=Q(amount_paid_fen__gte=0), name="line_amount_paid_not_negative"),
            models.CheckConstraint(condition=Q(refund_fen__gte=0), name="line_refund_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=[c.value for c in LineStatus]), name="line_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "day"], name="line_shop_day"),
            # Partial indexes: only the rows they are for get an entry, so a million matched lines
            # cost nothing here. The unmatched queue and a new mapping read the unmatched lines by key;
            # the live module reads a session's lines.
            models.Index(
                fields=["platform_product_id"],
                condition=Q(product__isnull=True),
                name="line_unmatched_product_id",
            ),
            models.Index(
                fields=["merchant_code"], condition=Q(product__isnull=True), name="line_unmatched_code"
            ),
            models.Index(fields=["session_id"], condition=Q(session_id__isnull=False), name="line_session"),
            # The unmatched queue, per shop: every column it reads is in the index (id for the title
            # of a key), so it never touches the table, and the key order serves its GROUP BY.
            models.Index(
                fields=["shop", "platform_product_id", "merchant_code", "amount_paid_fen", "id"],
                condition=Q(product__isnull=True),
                name="line_unmatched_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.sub_order_no
