"""Merchant recruitment and product selection: merchants and their contacts and talks, brands,
credentials (incl. the brand authorisation chain), the category tree with its national standards,
products and SKUs with price history, the category plan, deals, samples, the selection pipeline and
its meetings, and competitor market snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liveops.core.i18n import pick

# 15 significant digits at most: SQLite keeps NUMERIC as 8-byte floats, exact to 15 digits.
MONEY = {"max_digits": 15, "decimal_places": 2}


class Category(models.Model):
    """A product category (tree). Names the national standards (GB numbers) products must meet and
    the credential kinds required before a product of this category can be approved."""

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name_zh = models.CharField(max_length=60, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=80, blank=True, verbose_name=_("name (English)"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    standards = models.TextField(
        blank=True, verbose_name=_("applicable standards"), help_text=_("GB numbers, one per line")
    )
    required_credentials = models.JSONField(
        default=list, blank=True, verbose_name=_("required credential kinds")
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=~Q(parent=F("id")), name="category_not_own_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)


class Merchant(models.Model):
    """A brand owner, distributor or factory we recruit products from (MR-1)."""

    class Kind(models.TextChoices):
        BRAND_OWNER = "brand_owner", _("Brand owner")
        DISTRIBUTOR = "distributor", _("Distributor")
        FACTORY = "factory", _("Factory")

    class Level(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic")
        KEY = "key", _("Key")
        REGULAR = "regular", _("Regular")
        TRIAL = "trial", _("Trial")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Cooperation ended")

    name = models.CharField(max_length=120, verbose_name=_("name"))
    name_pinyin = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    name_initials = models.CharField(max_length=120, blank=True, db_index=True, editable=False)
    uscc = models.CharField(
        max_length=18, null=True, blank=True, unique=True, verbose_name=_("unified social credit code")
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    level = models.CharField(
        max_length=10, choices=Level.choices, default=Level.TRIAL, verbose_name=_("cooperation level")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PROSPECT, verbose_name=_("status")
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="merchants", verbose_name=_("categories")
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    owner = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recruiter"),
    )
    city = models.CharField(max_length=60, blank=True, verbose_name=_("city"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name_pinyin"]
        indexes = [models.Index(fields=["department", "status"], name="merchant_dept_status_idx")]

    def __str__(self) -> str:
        return self.name


class MerchantContact(models.Model):
    """A person at a merchant. Phone and WeChat are personal data (masked unless allowed)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=60, verbose_name=_("name"))
    title = models.CharField(max_length=60, blank=True, verbose_name=_("job title"))
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("mobile phone"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    wechat = models.CharField(max_length=60, blank=True, verbose_name=_("WeChat"))
    is_primary = models.BooleanField(default=False, verbose_name=_("primary contact"))

    # Masked on pages and in the API; kept only as digests in the audit trail (core.masking).
    PERSONAL_FIELDS = ("phone", "wechat")

    class Meta:
        verbose_name = _("merchant contact")
        verbose_name_plural = _("merchant contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(is_primary=True), name="one_primary_contact"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MerchantLog(models.Model):
    """One entry of the communication and negotiation log with a merchant (MR-5)."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        WECHAT = "wechat", _("WeChat")
        MEETING = "meeting", _("Meeting")
        NEGOTIATION = "negotiation", _("Negotiation")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="logs")
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    summary = models.TextField(verbose_name=_("summary"))

    class Meta:
        verbose_name = _("merchant log entry")
        verbose_name_plural = _("merchant log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.summary[:60]


class Brand(models.Model):
    """A brand, owned by a brand-owner merchant; other merchants sell it through authorisation links."""

    name = models.CharField(max_length=100, unique=True, verbose_name=_("brand"))
    name_en = models.CharField(max_length=100, blank=True, verbose_name=_("English name"))
    owner = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="brands_owned",
        verbose_name=_("brand owner"),
    )
    trademark_no = models.CharField(
        max_length=40, blank=True, verbose_name=_("trademark registration number")
    )

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Credential(models.Model):
    """A licence, registration, authorisation or report held by a merchant (QC-3). A brand
    authorisation is one link of the chain: ``grantor`` authorises ``merchant`` to sell ``brand``."""

    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("Business licence")
        BRAND_REGISTRATION = "brand_registration", _("Brand registration")
        BRAND_AUTHORISATION = "brand_authorisation", _("Brand authorisation")
        TEST_REPORT = "test_report", _("Test or inspection report")
        FOOD_LICENCE = "food_licence", _("Food business licence")
        COSMETICS_FILING = "cosmetics_filing", _("Cosmetics filing (备案)")
        OTHER = "other", _("Other")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Not yet verified")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="credentials", verbose_name=_("merchant")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    number = models.CharField(max_length=60, verbose_name=_("number"))
    brand = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credentials",
        verbose_name=_("brand"),
    )
    grantor = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorisations_granted",
        verbose_name=_("authorised by"),
    )
    product = models.ForeignKey(
        "Product",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="credentials",
        verbose_name=_("product"),
    )
    file = models.FileField(upload_to="credentials/%Y/", blank=True, verbose_name=_("file"))
    issued_on = models.DateField(null=True, blank=True, verbose_name=_("issued on"))
    expires_on = models.DateField(null=True, blank=True, verbose_name=_("expires on"))
    verification = models.CharField(
        max_length=10,
        choices=Verification.choices,
        default=Verification.PENDING,
        verbose_name=_("verification"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("verified at"))

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        ordering = ["expires_on", "id"]
        indexes = [models.Index(fields=["expires_on"], name="credential_expiry_idx")]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "kind", "number"], name="credential_unique_number"),
            models.CheckConstraint(
                condition=~Q(kind="brand_authorisation")
                | (Q(brand__isnull=False) & Q(grantor__isnull=False)),
                name="authorisation_has_brand_and_grantor",
            ),
            models.CheckConstraint(condition=~Q(grantor=F("merchant")), name="authorisation_not_self"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(expires_on__gte=F("issued_on")),
                name="credential_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(verification="verified") | Q(verified_by__isnull=False),
                name="credential_verified_has_verifier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def is_valid_on(self, day) -> bool:
        return (
            self.verification == self.Verification.VERIFIED
            and (self.expires_on is None or self.expires_on >= day)
            and (self.issued_on is None or self.issued_on <= day)
        )


class PipelineStage(models.TextChoices):
    """The selection pipeline (MR-5): every product moves along these stages."""

    CANDIDATE = "candidate", _("Candidate")
    SAMPLE_REQUESTED = "sample_requested", _("Sample requested")
    SAMPLE_RECEIVED = "sample_received", _("Sample received")
    QC = "qc", _("In QC")
    MEETING = "meeting", _("Selection meeting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Product(models.Model):
    """A product (SPU) offered by a merchant, from candidate to approved for live line-ups."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="products", verbose_name=_("merchant")
    )
    brand = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("brand"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    title_pinyin = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    title_initials = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    merchant_code = models.CharField(
        max_length=60, blank=True, db_index=True, verbose_name=_("merchant code (商家编码)")
    )
    selling_points = models.TextField(blank=True, verbose_name=_("selling points"))
    target_audience = models.CharField(max_length=200, blank=True, verbose_name=_("target audience"))
    regular_price = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("regular price (CNY)"))
    competitor_price = models.DecimalField(
        **MONEY, null=True, blank=True, verbose_name=_("competitor price (CNY)")
    )
    image = models.FileField(upload_to="products/%Y/", blank=True, verbose_name=_("main image"))
    score = models.DecimalField(
        max_digits=4, decimal_places=2, null=True, blank=True, verbose_name=_("selection score")
    )
    stage = models.CharField(
        max_length=20,
        choices=PipelineStage.choices,
        default=PipelineStage.CANDIDATE,
        db_index=True,
        verbose_name=_("stage"),
    )
    stage_entered_at = models.DateTimeField(default=timezone.now, verbose_name=_("in stage since"))
    reject_reason = models.TextField(blank=True, verbose_name=_("reason for rejection"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["stage", "-stage_entered_at"], name="product_stage_idx"),
            # The selection board's column query: stage = …, ORDER BY stage_entered_at, id (no sort).
            models.Index(fields=["stage", "stage_entered_at", "id"], name="product_board_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="rejected") | ~Q(reject_reason=""), name="product_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(regular_price__isnull=True) | Q(regular_price__gte=0),
                name="product_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Sku(models.Model):
    """A sellable variant of a product, with its barcode and merchant code (商家编码)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="skus", verbose_name=_("product")
    )
    sku_code = models.CharField(max_length=60, db_index=True, verbose_name=_("merchant code (商家编码)"))
    barcode = models.CharField(max_length=20, null=True, blank=True, unique=True, verbose_name=_("barcode"))
    spec = models.CharField(max_length=120, blank=True, verbose_name=_("specification"))
    price = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("price (CNY)"))

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        constraints = [
            models.UniqueConstraint(fields=["product", "sku_code"], name="sku_code_unique_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.spec}".strip()


class ProductSearchToken(models.Model):
    """Inverted n-gram index of product titles for substring search: each distinct character bigram
    of the normalised title, plus its last character (so a one-character search finds it by a prefix
    range on ``token``). Rebuilt by ``product_tokens_rebuild`` whenever a title is written."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="search_tokens")
    token = models.CharField(max_length=4, db_index=True)

    class Meta:
        verbose_name = _("product search token")
        verbose_name_plural = _("product search tokens")
        constraints = [models.UniqueConstraint(fields=["token", "product"], name="product_token_unique")]

    def __str__(self) -> str:
        return f"{self.token} → {self.product_id}"


class PriceRecord(models.Model):
    """A price seen for a product on a day: our regular or live price, or a competitor's (MC-3)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular price")
        LIVE = "live", _("Live price")
        COMPETITOR = "competitor", _("Competitor price")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    price = models.DecimalField(**MONEY, verbose_name=_("price (CNY)"))
    recorded_on = models.DateField(default=timezone.localdate, verbose_name=_("date"))
    source = models.CharField(max_length=100, blank=True, verbose_name=_("source"))

    class Meta:
        verbose_name = _("price record")
        verbose_name_plural = _("price history")
        ordering = ["-recorded_on"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="price_record_not_negative")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.kind} {self.price}"


class PipelineEvent(models.Model):
    """A product's move from one stage to the next, for time-in-stage and the audit of decisions."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="pipeline_events")
    from_stage = models.CharField(max_length=20, choices=PipelineStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=PipelineStage.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("pipeline event")
        verbose_name_plural = _("pipeline events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.from_stage} → {self.to_stage}"


class CategoryPlan(models.Model):
    """Target number of products and brands per category per season, optionally in a price band (MC-1)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="plans", verbose_name=_("category")
    )
    season = models.CharField(
        max_length=20, verbose_name=_("season"), help_text=_("e.g. 2026Q4 or 2026-双11")
    )
    target_products = models.PositiveIntegerField(default=0, verbose_name=_("target products"))
    target_brands = models.PositiveIntegerField(default=0, verbose_name=_("target brands"))
    price_min = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("price band from"))
    price_max = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("price band to"))
    # "" for the whole category, else "min-max" from the two bounds; set by the service. Kept as text
    # so uniqueness holds on SQLite too (it cannot make NULLs equal inside a unique constraint).
    band = models.CharField(max_length=40, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("category plan")
        verbose_name_plural = _("category plans")
        ordering = ["season", "category__code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "season", "band"], name="category_plan_unique"),
            models.CheckConstraint(
                condition=Q(price_min__isnull=True)
                | Q(price_max__isnull=True)
                | Q(price_max__gte=F("price_min")),
                name="category_plan_band_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.season}"


class Deal(models.Model):
    """Negotiated terms for one product (MC-5). Approved terms are never edited: a change makes a new
    version that needs approval again, and the old one becomes superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="deals", verbose_name=_("product")
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="deals", verbose_name=_("merchant")
    )
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    live_price = models.DecimalField(**MONEY, verbose_name=_("live price (CNY)"))
    regular_price = models.DecimalField(**MONEY, verbose_name=_("regular price (CNY)"))
    commission_rate = models.DecimalField(
        max_digits=5, decimal_places=4, verbose_name=_("commission rate"), help_text=_("0.2000 = 20%")
    )
    slot_fee = models.DecimalField(**MONEY, default=0, verbose_name=_("slot fee (坑位费, CNY)"))
    guaranteed_stock = models.PositiveIntegerField(default=0, verbose_name=_("guaranteed stock"))
    exclusive = models.BooleanField(default=False, verbose_name=_("exclusive"))
    valid_from = models.DateField(verbose_name=_("valid from"))
    valid_to = models.DateField(verbose_name=_("valid to"))
    gifts = models.TextField(blank=True, verbose_name=_("gifts and coupons"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="deal_version_unique"),
            models.UniqueConstraint(
                fields=["product"], condition=Q(status="approved"), name="one_approved_deal_per_product"
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0) & Q(commission_rate__lte=1), name="deal_commission_0_1"
            ),
            models.CheckConstraint(
                condition=Q(live_price__gte=0) & Q(regular_price__gte=0) & Q(slot_fee__gte=0),
                name="deal_money_not_negative",
            ),
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="deal_window_ordered"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False),
                name="deal_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} v{self.version}"


class Contract(models.Model):
    """The signed agreement behind a deal, with its signing status."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent for signing")
        SIGNED = "signed", _("Signed")
        CANCELLED = "cancelled", _("Cancelled")

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("deal"))
    number = models.CharField(max_length=40, unique=True, verbose_name=_("contract number"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    signed_on = models.DateField(null=True, blank=True, verbose_name=_("signed on"))
    file = models.FileField(upload_to="contracts/%Y/", blank=True, verbose_name=_("file"))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False), name="contract_signed_has_date"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Sample(models.Model):
    """A sample received from a merchant: who holds it, where, what it cost, and whether it must go back."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_QC = "in_qc", _("In QC")
        IN_LIVE_ROOM = "in_live_room", _("In a live room")
        RETURNED = "returned", _("Returned")
        CONSUMED = "consumed", _("Consumed")
        LOST = "lost", _("Lost")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="samples", verbose_name=_("merchant")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="samples", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    unit_cost = models.DecimalField(**MONEY, default=0, verbose_name=_("unit cost (CNY)"))
    must_return = models.BooleanField(default=False, verbose_name=_("must be returned"))
    return_due = models.DateField(null=True, blank=True, verbose_name=_("return due"))
    holder = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("held by"),
    )
    location = models.CharField(max_length=100, blank=True, verbose_name=_("location"))
    status = models.CharField(
        max_length=14,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
        verbose_name=_("status"),
    )
    return_tracking_no = models.CharField(max_length=40, blank=True, verbose_name=_("return tracking number"))
    received_on = models.DateField(default=timezone.localdate, verbose_name=_("received on"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sample_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="sample_cost_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_tracking_no=""),
                name="sample_returned_has_tracking",
            ),
            models.CheckConstraint(
                condition=Q(must_return=False) | Q(return_due__isnull=False),
                name="sample_return_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ×{self.quantity}"


class SelectionMeeting(models.Model):
    """A selection meeting (选品会) where named reviewers score products and a manager decides."""

    title = models.CharField(max_length=200, verbose_name=_("title"))
    held_at = models.DateTimeField(verbose_name=_("date and time"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chair"),
    )

    class Meta:
        verbose_name = _("selection meeting")
        verbose_name_plural = _("selection meetings")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return self.title


class SelectionReview(models.Model):
    """One reviewer's scores for one product at a selection meeting."""

    meeting = models.ForeignKey(SelectionMeeting, on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    score_quality = models.PositiveSmallIntegerField(verbose_name=_("quality"))
    score_price = models.PositiveSmallIntegerField(verbose_name=_("price competitiveness"))
    score_demand = models.PositiveSmallIntegerField(verbose_name=_("market demand"))
    vote = models.CharField(
        max_length=8, choices=[("approve", _("Approve")), ("reject", _("Reject"))], verbose_name=_("vote")
    )
    comment = models.TextField(blank=True, verbose_name=_("comment"))

    class Meta:
        verbose_name = _("selection review")
        verbose_name_plural = _("selection reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "product", "reviewer"], name="one_review_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score_quality__range=(1, 5))
                & Q(score_price__range=(1, 5))
                & Q(score_demand__range=(1, 5)),
                name="review_scores_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.reviewer_id} {self.vote}"


class MarketSnapshot(models.Model):
    """A competitor listing seen on a day (LC-2): product, shop, price and cumulative sales."""

    platform = models.CharField(max_length=20, default="tmall", verbose_name=_("platform"))
    shop = models.CharField(max_length=100, db_index=True, verbose_name=_("shop"))
    listing_id = models.CharField(max_length=40, verbose_name=_("listing ID"))
    title = models.CharField(max_length=300, verbose_name=_("title"))
    price = models.DecimalField(**MONEY, verbose_name=_("price (CNY)"))
    sales_cumulative = models.PositiveBigIntegerField(default=0, verbose_name=_("cumulative sales"))
    comments_cumulative = models.PositiveBigIntegerField(default=0, verbose_name=_("cumulative comments"))
    day = models.DateField(db_index=True, verbose_name=_("date"))

    class Meta:
        verbose_name = _("market snapshot")
        verbose_name_plural = _("market snapshots")
        constraints = [
            models.UniqueConstraint(fields=["platform", "listing_id", "day"], name="market_snapshot_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="market_price_not_negative"),
        ]
        indexes = [models.Index(fields=["shop", "day"], name="market_shop_day_idx")]

    def __str__(self) -> str:
        return f"{self.shop} {self.listing_id} {self.day}"
