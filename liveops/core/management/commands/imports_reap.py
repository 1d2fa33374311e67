"""``manage.py imports_reap``: end the import runs whose worker died, and remove their scratch files."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from liveops.core.imports.liveness import import_runs_reap


class Command(BaseCommand):
    """End as failed every queued or running import run whose process died (or whose task ended
    without running it), releasing its shop lock; remove dead processes' scratch files. The worker
    (``liveops worker``) runs it when it starts."""

    help = "End import runs whose worker died (they stay 'running' otherwise) and remove their scratch files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help='print {"ended": [run ids]}')

    def handle(self, *args, **opts):
        ended = import_runs_reap()
        if opts["json"]:
            self.stdout.write(json.dumps({"ended": ended}))
        elif ended:
            self.stdout.write(
                f"ended {len(ended)} import run(s) of a dead worker: {', '.join(map(str, ended))}"
            )
