"""``liveops rollups verify|rebuild|settle|schedule``: the operators' tools for the daily rollups.

- ``verify [--shop SHOP] [--json]``: compare every rollup table with a full recomputation from the
  stored order lines; prints ``{"checked": N, "drifted": M, ...}`` with ``--json``; exit 1 on drift.
- ``rebuild [--shop SHOP]``: recompute every rollup from the stored lines.
- ``settle``: recompute the days killed or failed imports left marked.
- ``schedule``: queue the daily check if none is waiting (``liveops worker`` does it when it starts).
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from liveops.commerce.models import Shop


class Command(BaseCommand):
    """Verify, rebuild or settle the daily rollups; schedule the daily check."""

    help = "Verify the rollups against the order lines (exit 1 on drift), rebuild them, or schedule the daily check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "rebuild", "settle", "schedule"])
        parser.add_argument("--shop", default="", help="one shop (name or ID); default: every shop")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **opts):
        from liveops.commerce.services import rollups

        shop_ids = self._shops(opts["shop"])
        action = opts["action"]
        if action == "verify":
            result = rollups.rollups_verify(shop_ids=shop_ids)
            result.pop("drifted_days", None)
            if opts["json"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
            else:
                self.stdout.write(
                    _("%(checked)s rollup rows checked in %(shops)s shops, %(drifted)s drifted.")
                    % {"checked": result["checked"], "shops": result["shops"], "drifted": result["drifted"]}
                )
                for d in result["details"]:
                    self.stdout.write(
                        f"  {d['table']} shop={d['shop']} day={d['day']} {d['key'] or ''} {d['field']}: "
                        f"{_('stored')} {d['stored']}, {_('recomputed')} {d['recomputed']}"
                    )
            if result["drifted"]:
                sys.exit(1)
            return
        if action == "rebuild":
            done = rollups.rollups_rebuild(shop_ids=shop_ids)
            out = {"shops": len(done), "days": sum(done.values())}
        elif action == "settle":
            settled = rollups.rollups_settle(shop_ids=shop_ids)
            out = {"shops": len(settled), "days": sum(len(d) for d in settled.values())}
        else:
            from liveops.commerce.tasks import rollups_schedule_ensure

            out = {"queued": rollups_schedule_ensure()}
        if opts["json"]:
            self.stdout.write(json.dumps(out))
        elif action == "schedule":
            self.stdout.write(
                _("Daily rollup check queued.") if out["queued"] else _("Daily rollup check already queued.")
            )
        else:
            self.stdout.write(_("%(days)s days recomputed in %(shops)s shops.") % out)

    def _shops(self, value: str) -> list[int] | None:
        if not value:
            return None
        shop = Shop.objects.filter(pk=int(value)).first() if value.isdigit() else None
        shop = shop or Shop.objects.filter(name=value).first()
        if shop is None:
            raise CommandError(_("No shop named “%(name)s”.") % {"name": value})
        return [shop.pk]
