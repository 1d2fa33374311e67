"""Org chart and governance: departments (the tree of the company), their duties, positions and
staff, and the governance register (bodies, meetings, resolutions, action items, plans)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liveops.core.i18n import pick


class UnitKind(models.TextChoices):
    BODY = "body", _("Governance body")
    OFFICE = "office", _("Executive office")
    CENTRE = "centre", _("Centre")
    DEPARTMENT = "department", _("Department")


class Department(models.Model):
    """A unit of the org tree: a governance body, an executive office, a centre or a department.
    ``code`` is the stable short name used by the duty map (LC, EC, MR…)."""

    code = models.SlugField(max_length=20, unique=True, verbose_name=_("code"))
    kind = models.CharField(max_length=12, choices=UnitKind.choices, verbose_name=_("kind"))
    name_zh = models.CharField(max_length=60, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=80, verbose_name=_("name (English)"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("reports to"),
    )
    summary_zh = models.TextField(blank=True, verbose_name=_("summary (Chinese)"))
    summary_en = models.TextField(blank=True, verbose_name=_("summary (English)"))
    sort_order = models.PositiveIntegerField(default=0, verbose_name=_("order"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="department_not_own_parent"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in UnitKind]), name="department_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)

    @property
    def summary(self) -> str:
        return pick(self.summary_zh, self.summary_en)


class Duty(models.Model):
    """One duty of the duty map (``GOV-BD-5``, ``EC-3``…) held by a department, in our own words."""

    code = models.CharField(max_length=20, primary_key=True, verbose_name=_("duty ID"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="duties", verbose_name=_("department")
    )
    title_zh = models.CharField(max_length=200, verbose_name=_("duty (Chinese)"))
    title_en = models.CharField(max_length=300, verbose_name=_("duty (English)"))
    provides_en = models.TextField(blank=True, verbose_name=_("what the platform provides"))
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return pick(self.title_zh, self.title_en)


class Position(models.Model):
    """A post in a department (e.g. 直播招商部经理). Staff hold positions; roles are granted to positions.
    ``reports_to`` draws the reporting lines."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="positions", verbose_name=_("department")
    )
    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    title_zh = models.CharField(max_length=60, verbose_name=_("title (Chinese)"))
    title_en = models.CharField(max_length=80, verbose_name=_("title (English)"))
    is_manager = models.BooleanField(default=False, verbose_name=_("head of unit"))
    reports_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("reports to"),
    )
    headcount_plan = models.PositiveIntegerField(default=1, verbose_name=_("planned headcount"))

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["department__sort_order", "-is_manager", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(reports_to=F("id")), name="position_not_own_manager"),
            models.UniqueConstraint(
                fields=["department"], condition=Q(is_manager=True), name="one_head_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_zh, self.title_en)


class Staff(models.Model):
    """A person employed by the company, in one primary position. Phone, ID number and address are
    personal data: shown masked unless the viewer holds ``org.view_personal`` over the department."""

    employee_no = models.CharField(max_length=20, unique=True, verbose_name=_("employee number"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name=_("login"),
    )
    name = models.CharField(max_length=60, verbose_name=_("name"))
    name_en = models.CharField(max_length=80, blank=True, verbose_name=_("English name"))
    name_pinyin = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    name_initials = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff", verbose_name=_("department")
    )
    position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
        verbose_name=_("position"),
    )
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
        verbose_name=_("line manager"),
    )
    email = models.EmailField(blank=True, verbose_name=_("email"))
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("mobile phone"))
    id_number = models.CharField(max_length=18, blank=True, verbose_name=_("ID number"))
    address = models.CharField(max_length=200, blank=True, verbose_name=_("address"))
    hired_on = models.DateField(null=True, blank=True, verbose_name=_("hired on"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    updated_at = models.DateTimeField(auto_now=True)

    PERSONAL_FIELDS = ("phone", "id_number", "address")

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["department__sort_order", "employee_no"]
        indexes = [models.Index(fields=["department", "is_active"], name="staff_dept_active_idx")]
        constraints = [models.CheckConstraint(condition=~Q(manager=F("id")), name="staff_not_own_manager")]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

    def positions_held_ids(self) -> list[int]:
        return [self.position_id] if self.position_id else []


class GovernanceBody(models.Model):
    """Shareholders' meeting, board of directors or supervisory board (linked to its org unit)."""

    class Kind(models.TextChoices):
        SHAREHOLDERS = "shareholders", _("Shareholders' meeting")
        BOARD = "board", _("Board of directors")
        SUPERVISORY = "supervisory", _("Supervisory board")

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True, verbose_name=_("kind"))
    unit = models.OneToOneField(
        Department, on_delete=models.PROTECT, related_name="governance_body", verbose_name=_("org unit")
    )
    members = models.ManyToManyField(
        Staff, blank=True, related_name="governance_bodies", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")

    def __str__(self) -> str:
        return self.unit.name


class Meeting(models.Model):
    """A meeting of a governance body (regular or extraordinary) with attendees and agenda."""

    class Type(models.TextChoices):
        REGULAR = "regular", _("Regular")
        EXTRAORDINARY = "extraordinary", _("Extraordinary")

    body = models.ForeignKey(
        GovernanceBody, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body")
    )
    meeting_type = models.CharField(
        max_length=20, choices=Type.choices, default=Type.REGULAR, verbose_name=_("type")
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    held_at = models.DateTimeField(verbose_name=_("date and time"))
    location = models.CharField(max_length=100, blank=True, verbose_name=_("place"))
    agenda = models.TextField(blank=True, verbose_name=_("agenda"))
    attendees = models.ManyToManyField(
        Staff, blank=True, related_name="meetings_attended", verbose_name=_("attendees")
    )
    minutes = models.TextField(blank=True, verbose_name=_("minutes"))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return self.title


class Resolution(models.Model):
    """A proposal put to a meeting and, once voted, its resolution: votes and outcome.
    Votes can only be recorded once the outcome is decided (constraint)."""

    class Outcome(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PASSED = "passed", _("Passed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Topic(models.TextChoices):
        GENERAL = "general", _("General")
        BUDGET = "budget", _("Budget and final accounts")
        APPOINTMENT = "appointment", _("Appointment or dismissal")
        ORG_STRUCTURE = "org_structure", _("Org structure")
        ARTICLES = "articles", _("Articles of association")
        INVESTMENT = "investment", _("Investment")
        PROFIT = "profit", _("Profit distribution")
        PLAN = "plan", _("Plans and targets")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("meeting")
    )
    number = models.CharField(max_length=30, unique=True, verbose_name=_("number"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    topic = models.CharField(
        max_length=20, choices=Topic.choices, default=Topic.GENERAL, verbose_name=_("topic")
    )
    proposal = models.TextField(blank=True, verbose_name=_("proposal"))
    proposed_by = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    votes_for = models.PositiveIntegerField(default=0, verbose_name=_("for"))
    votes_against = models.PositiveIntegerField(default=0, verbose_name=_("against"))
    votes_abstain = models.PositiveIntegerField(default=0, verbose_name=_("abstain"))
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, default=Outcome.PROPOSED, verbose_name=_("outcome")
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided"))

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-meeting__held_at", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    outcome="proposed", votes_for=0, votes_against=0, votes_abstain=0, decided_at__isnull=True
                )
                | (~Q(outcome="proposed") & Q(decided_at__isnull=False)),
                name="resolution_votes_only_when_decided",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="passed") | Q(votes_for__gt=F("votes_against")),
                name="resolution_passed_has_majority",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def passed_by_board(self) -> bool:
        """Whether this is a passed resolution of the board: what approvals of plans, accounts,
        large contracts and org changes require."""
        return self.outcome == self.Outcome.PASSED and self.meeting.body.kind == GovernanceBody.Kind.BOARD


class ResolutionDocument(models.Model):
    """A document attached to a resolution (proposal text, budget, contract draft…)."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200, verbose_name=_("title"))
    file = models.FileField(upload_to="governance/%Y/", verbose_name=_("file"))
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resolution document")
        verbose_name_plural = _("resolution documents")

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    """Follow-up of a resolution (GOV-CH-3, GM-2): an owner down the org tree, a due date and a status."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    resolution = models.ForeignKey(
        Resolution, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("resolution")
    )
    title = models.CharField(max_length=200, verbose_name=_("action"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("department")
    )
    owner = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(verbose_name=_("due date"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("completed on"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_on__isnull=False), name="action_done_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in (self.Status.OPEN, self.Status.IN_PROGRESS) and self.due_on < timezone.localdate()
        )


class SupervisoryQuestion(models.Model):
    """A question or motion filed by the supervisory board against a resolution (GOV-SV-4, GOV-SV-5)."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        MOTION = "motion", _("Motion")

    resolution = models.ForeignKey(
        Resolution, on_delete=models.PROTECT, related_name="questions", verbose_name=_("resolution")
    )
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.QUESTION, verbose_name=_("kind")
    )
    text = models.TextField(verbose_name=_("text"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(default=timezone.now, verbose_name=_("filed"))
    answer = models.TextField(blank=True, verbose_name=_("answer"))

    class Meta:
        verbose_name = _("supervisory question")
        verbose_name_plural = _("supervisory questions")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return self.text[:60]


class Plan(models.Model):
    """An annual plan, budget or target set by the general manager (GM-3) that goes for approval:
    draft → submitted → approved by the board (with the passing resolution on record) or returned."""

    class Kind(models.TextChoices):
        ANNUAL_PLAN = "annual_plan", _("Annual business plan")
        BUDGET = "budget", _("Annual budget")
        TARGETS = "targets", _("Revenue targets")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the board")
        APPROVED = "approved", _("Approved by the board")
        RETURNED = "returned", _("Returned for rework")

    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    year = models.PositiveIntegerField(verbose_name=_("year"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    # 15 significant digits at most (up to 9,999,999,999,999.99 CNY): SQLite keeps NUMERIC values as
    # 8-byte floats, exact only to 15 digits; a 16th digit would be rounded or fail to read back.
    gmv_target = models.DecimalField(
        max_digits=15, decimal_places=2, default=0, verbose_name=_("GMV target (CNY)")
    )
    cost_budget = models.DecimalField(
        max_digits=15, decimal_places=2, default=0, verbose_name=_("cost budget (CNY)")
    )
    body = models.TextField(blank=True, verbose_name=_("content"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    owner = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owner")
    )
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("approving resolution"),
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(resolution__isnull=False),
                name="plan_approved_has_resolution",
            ),
            models.CheckConstraint(
                condition=Q(gmv_target__gte=0) & Q(cost_budget__gte=0), name="plan_amounts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OrgChange(models.Model):
    """A change to the org tree (GOV-BD-5): what changed and the board resolution that approved it."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Unit created")
        RENAME = "rename", _("Unit renamed")
        MOVE = "move", _("Unit moved")
        CLOSE = "close", _("Unit closed")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="changes", verbose_name=_("unit")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.PROTECT,
        related_name="org_changes",
        verbose_name=_("approving resolution"),
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now, verbose_name=_("made"))

    class Meta:
        verbose_name = _("org change")
        verbose_name_plural = _("org changes")
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.department}"


class FinancialStatement(models.Model):
    """A periodic financial statement put before the chairman (GOV-CH-6), the board (final accounts,
    GOV-BD-3) and the supervisory board (GOV-SV-1): key figures, the file, and its review state."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly management accounts")
        QUARTERLY = "quarterly", _("Quarterly statements")
        ANNUAL = "annual", _("Annual final accounts")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed by the chairman")
        APPROVED = "approved", _("Approved by the board")

    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    period = models.CharField(max_length=7, verbose_name=_("period"), help_text=_("YYYY, YYYY-Qn or YYYY-MM"))
    revenue = models.DecimalField(max_digits=15, decimal_places=2, verbose_name=_("revenue (CNY)"))
    gross_profit = models.DecimalField(max_digits=15, decimal_places=2, verbose_name=_("gross profit (CNY)"))
    net_profit = models.DecimalField(max_digits=15, decimal_places=2, verbose_name=_("net profit (CNY)"))
    cash = models.DecimalField(max_digits=15, decimal_places=2, verbose_name=_("cash at end of period (CNY)"))
    file = models.FileField(upload_to="finance/statements/%Y/", blank=True, verbose_name=_("file"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_notes = models.TextField(blank=True, verbose_name=_("review notes"))
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("approving resolution"),
    )

    class Meta:
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        ordering = ["-period", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period"], name="statement_kind_period_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reviewed_by__isnull=False),
                name="statement_reviewed_has_reviewer",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(resolution__isnull=False),
                name="statement_approved_has_resolution",
            ),
            models.CheckConstraint(
                condition=Q(gross_profit__lte=F("revenue")), name="statement_gross_profit_within_revenue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class SigningAuthority(models.Model):
    """Who may sign a contract of a given amount (GOV-CH-7): from ``min_amount`` up, the position
    that signs; above the board threshold a passed board resolution is also required."""

    min_amount = models.DecimalField(
        max_digits=15, decimal_places=2, unique=True, verbose_name=_("from amount (CNY)")
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="+", verbose_name=_("signs")
    )
    needs_board_resolution = models.BooleanField(default=False, verbose_name=_("board resolution required"))

    class Meta:
        verbose_name = _("signing authority")
        verbose_name_plural = _("signing authorities")
        ordering = ["min_amount"]
        constraints = [
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="authority_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_amount}: {self.position}"


class MajorContract(models.Model):
    """A company-level contract in the contract register (GOV-CH-7), signed within the signing authority
    for its amount."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(max_length=40, unique=True, verbose_name=_("contract number"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    counterparty = models.CharField(max_length=200, verbose_name=_("counterparty"))
    amount = models.DecimalField(max_digits=15, decimal_places=2, verbose_name=_("amount (CNY)"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    signed_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signed_on = models.DateField(null=True, blank=True, verbose_name=_("signed on"))
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("approving resolution"),
    )
    file = models.FileField(upload_to="contracts/major/%Y/", blank=True, verbose_name=_("file"))

    class Meta:
        verbose_name = _("major contract")
        verbose_name_plural = _("contract register")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="major_contract_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="signed") | (Q(signed_by__isnull=False) & Q(signed_on__isnull=False)),
                name="major_contract_signed_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
