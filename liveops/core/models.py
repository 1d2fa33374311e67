"""Core models shared by every area: audit log, roles and grants, API tokens, user preferences,
background import runs and saved column mappings."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liveops.core.masking import personal_scrub


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    ACTION = "action", _("Business action")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    VIEW_PERSONAL = "view_personal", _("Viewed personal data")


class AuditEntryQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # Bulk writers (imports) skip ``save``: personal fields are replaced by digests here too.
        objs = list(objs)
        for obj in objs:
            obj.changes = personal_scrub(obj.object_type, obj.changes)
        return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(models.Model):
    """One append-only line of the audit log: who did what to which object, when, with the values
    before and after. Written only by ``liveops.core.audit``; never updated or deleted (a database
    trigger refuses updates). Personal fields (the model's ``PERSONAL_FIELDS``) are never stored in
    clear, only as keyed digests (``liveops.core.masking.personal_scrub``), on every write path."""

    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(max_length=150, blank=True, verbose_name=_("actor"))
    action = models.CharField(max_length=20, choices=AuditAction.choices, verbose_name=_("action"))
    verb = models.CharField(
        max_length=60, blank=True, verbose_name=_("event"), help_text=_("Named business event, e.g. approve")
    )
    object_type = models.CharField(max_length=80, blank=True, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object id"))
    object_repr = models.CharField(max_length=200, blank=True, verbose_name=_("object"))
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("changes"))
    request_id = models.CharField(max_length=36, blank=True, verbose_name=_("request id"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
            models.Index(fields=["action", "-id"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit entries are append-only")
        self.changes = personal_scrub(self.object_type, self.changes)
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only")


class DataScope(models.TextChoices):
    """How far a grant reaches. Ordered from narrowest to widest."""

    OWN = "own", _("Own records")
    DEPARTMENT = "department", _("Own department")
    SUBTREE = "subtree", _("Department and its sub-units")
    COMPANY = "company", _("Whole company")


SCOPE_RANK = {DataScope.OWN: 0, DataScope.DEPARTMENT: 1, DataScope.SUBTREE: 2, DataScope.COMPANY: 3}


class Role(models.Model):
    """A named bundle of capabilities (see ``liveops.core.capabilities``), granted to positions or users."""

    code = models.SlugField(max_length=60, unique=True, verbose_name=_("code"))
    name_zh = models.CharField(max_length=100, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=100, verbose_name=_("name (English)"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    is_read_only = models.BooleanField(
        default=False,
        verbose_name=_("read-only"),
        help_text=_("A read-only role (the auditor) can never hold a capability that changes data."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        from liveops.core.i18n import pick

        return pick(self.name_zh, self.name_en)


class RoleCapability(models.Model):
    """One capability held by a role."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="capabilities")
    capability = models.CharField(max_length=80, verbose_name=_("capability"))

    class Meta:
        verbose_name = _("role capability")
        verbose_name_plural = _("role capabilities")
        constraints = [models.UniqueConstraint(fields=["role", "capability"], name="role_capability_unique")]

    def __str__(self) -> str:
        return f"{self.role.code}:{self.capability}"


class RoleGrant(models.Model):
    """A role given to a position (everyone holding it) or to one user, with a data scope.
    Exactly one of ``position`` and ``user`` is set (database constraint)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants", verbose_name=_("role"))
    position = models.ForeignKey(
        "org.Position",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("position"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("user"),
    )
    scope = models.CharField(
        max_length=20, choices=DataScope.choices, default=DataScope.DEPARTMENT, verbose_name=_("data scope")
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.CheckConstraint(
                condition=(Q(position__isnull=False) & Q(user__isnull=True))
                | (Q(position__isnull=True) & Q(user__isnull=False)),
                name="grant_position_xor_user",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=[s.value for s in DataScope]), name="grant_scope_valid"
            ),
            models.UniqueConstraint(
                fields=["role", "position"],
                condition=Q(position__isnull=False),
                name="grant_role_position_unique",
            ),
            models.UniqueConstraint(
                fields=["role", "user"], condition=Q(user__isnull=False), name="grant_role_user_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} → {self.position or self.user} ({self.get_scope_display()})"


class ApiToken(models.Model):
    """A per-user API token. Only a SHA-256 hash of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, verbose_name=_("name"))
    prefix = models.CharField(max_length=12, verbose_name=_("prefix"))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class UserPreference(models.Model):
    """Per-user settings: the interface language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    language = models.CharField(
        max_length=10, choices=settings.LANGUAGES, default="zh-hans", verbose_name=_("language")
    )

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class ImportOutcome(models.TextChoices):
    """``ImportRun.outcome``: the status, with a finished run's rejects taken into account."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    WITH_REJECTS = "succeeded_with_rejects", _("Done, with rejected rows")
    ALL_REJECTED = "all_rejected", _("Nothing imported: every row was rejected")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class ImportRun(models.Model):
    """One run of an importer over one file: its progress and its counts. ``rows_read`` always equals
    inserted + updated + unchanged + rejected once the run has finished (database constraint)."""

    kind = models.CharField(max_length=40, verbose_name=_("import kind"))
    file_name = models.CharField(max_length=255, verbose_name=_("file"))
    file_path = models.CharField(max_length=500, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    options = models.JSONField(default=dict, blank=True)
    mapping = models.ForeignKey(
        "ColumnMapping", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("column mapping")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("started"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished"))
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED, verbose_name=_("status")
    )
    task_id = models.CharField(max_length=64, blank=True)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    rows_read = models.PositiveBigIntegerField(default=0, verbose_name=_("rows read"))
    rows_inserted = models.PositiveBigIntegerField(default=0, verbose_name=_("inserted"))
    rows_updated = models.PositiveBigIntegerField(default=0, verbose_name=_("updated"))
    rows_unchanged = models.PositiveBigIntegerField(default=0, verbose_name=_("unchanged"))
    rows_rejected = models.PositiveBigIntegerField(default=0, verbose_name=_("rejected"))
    rejects_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True, verbose_name=_("error"))
    # What the run writes into that only one run may write into at a time (``shop:12``), or null.
    # While the run is queued or running it holds that lock (the partial unique constraint below).
    lock_key = models.CharField(max_length=80, null=True, blank=True)
    # Liveness: the process running it (``host:pid:start``) and when it last reported progress, so a
    # run whose process died can be told from one that is slow (``liveops.core.imports.liveness``).
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-id"]
        constraints = [
            # One active run per lock (per shop): a second import into the same shop is refused by
            # the database itself, whatever process starts it.
            models.UniqueConstraint(
                fields=["lock_key"],
                condition=Q(status__in=["queued", "running"]),
                name="import_one_active_run_per_lock",
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded")
                | Q(
                    rows_read=models.F("rows_inserted")
                    + models.F("rows_updated")
                    + models.F("rows_unchanged")
                    + models.F("rows_rejected")
                ),
                name="import_counts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        # A running run shows at most 99 %: its last step (links, rollups) is still to come.
        return min(99, int(self.progress_done * 100 / self.progress_total))

    @property
    def outcome(self) -> str:
        """The status as a user needs it: a finished run with rejected rows is not a plain success,
        and one whose every row was rejected imported nothing (``ImportOutcome``)."""
        if self.status != ImportStatus.SUCCEEDED or not self.rows_rejected:
            return self.status
        if self.rows_rejected >= self.rows_read:
            return ImportOutcome.ALL_REJECTED
        return ImportOutcome.WITH_REJECTS

    def get_outcome_display(self) -> str:
        return str(ImportOutcome(self.outcome).label)


class ColumnMapping(models.Model):
    """A saved column-mapping template for one import kind: source header → target field."""

    kind = models.CharField(max_length=40, verbose_name=_("import kind"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    columns = models.JSONField(default=dict, verbose_name=_("columns"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="mapping_kind_name_unique")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


class WorkerHeartbeat(models.Model):
    """A background-job worker (``liveops worker``) that is alive: it moves ``beat_at`` every few
    seconds. A job left running by a worker whose beat stopped (its node died) is put back in the
    queue for another worker (``liveops.core.workers``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    process = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id
