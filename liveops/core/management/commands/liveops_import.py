"""``manage.py liveops_import KIND FILE``: run an import here and now, as a user or as the system."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from liveops.core.errors import DomainError
from liveops.core.imports import services
from liveops.core.imports.registry import import_kinds
from liveops.core.models import ColumnMapping, ImportOutcome, ImportStatus


class Command(BaseCommand):
    """Import a CSV or XLSX file inline. Exit code 0 when the run succeeded, 1 when it was refused or
    failed, or every row was rejected. ``outcome`` in the JSON says whether rows were rejected."""

    help = "Import a CSV/XLSX file (e.g. liveops_import staff staff.xlsx --json). Runs inline, not in the background."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="import kind: " + ", ".join(k.code for k in import_kinds()))
        parser.add_argument("file", help="path of the CSV or XLSX file")
        parser.add_argument("--mapping", default="", help="name of a saved column-mapping template")
        parser.add_argument("--json", action="store_true", help="print one JSON object with the outcome")
        parser.add_argument("--shop", default="", help="shop the rows belong to (for shop-level imports)")
        parser.add_argument(
            "--user", default="", help="run as this user (default: the first superuser, else the system)"
        )

    def handle(self, *args, **opts):
        result = {
            "run_id": None,
            "kind": opts["kind"],
            "status": ImportStatus.REFUSED.value,
            "outcome": ImportStatus.REFUSED.value,
            "rows_read": 0,
            "inserted": 0,
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
            "rejects_path": "",
            "error": "",
        }
        try:
            actor = self._actor(opts["user"])
            mapping = None
            if opts["mapping"]:
                mapping = ColumnMapping.objects.filter(kind=opts["kind"], name=opts["mapping"]).first()
                if mapping is None:
                    raise DomainError(
                        _("No saved column mapping named “%(name)s”.") % {"name": opts["mapping"]}
                    )
            options = {"shop": opts["shop"]} if opts["shop"] else None
            run = services.import_start(
                actor=actor,
                kind=opts["kind"],
                file=opts["file"],
                file_name=opts["file"],
                mapping=mapping,
                options=options,
                run_now=True,
            )
            result.update(
                run_id=run.pk,
                status=run.status,
                outcome=run.outcome,
                rows_read=run.rows_read,
                inserted=run.rows_inserted,
                updated=run.rows_updated,
                unchanged=run.rows_unchanged,
                rejected=run.rows_rejected,
                rejects_path=run.rejects_path,
                error=run.error,
            )
        except (DomainError, OSError) as exc:
            result["error"] = str(getattr(exc, "message", exc))
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"run {result['run_id']} {result['outcome']}: read {result['rows_read']}, inserted {result['inserted']}, "
                f"updated {result['updated']}, unchanged {result['unchanged']}, rejected {result['rejected']}"
            )
            if result["rejects_path"]:
                self.stdout.write(f"rejects: {result['rejects_path']}")
        if result["status"] != ImportStatus.SUCCEEDED:
            raise CommandError(result["error"] or result["status"], returncode=1)
        if result["outcome"] == ImportOutcome.ALL_REJECTED:
            # Nothing was imported: scripts must not take it for a success.
            raise CommandError(
                _("Nothing was imported: every row was rejected (see %(path)s).")
                % {"path": result["rejects_path"]},
                returncode=1,
            )

    @staticmethod
    def _actor(username: str):
        User = get_user_model()
        if username:
            user = User.objects.filter(**{User.USERNAME_FIELD: username}, is_active=True).first()
            if user is None:
                raise DomainError(_("No active user “%(name)s”.") % {"name": username})
            return user
        return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
