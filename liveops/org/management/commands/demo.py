from django.core.management.base import BaseCommand

from liveops.org.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_build
from liveops.sourcing.demo import QC_LOGIN


class Command(BaseCommand):
    help = "Build the deterministic demo company (does nothing when staff already exist)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        result = demo_build(seed=options["seed"])
        self.stdout.write(self.style.SUCCESS(f"demo company: {result}"))
        self.stdout.write(
            f"demo logins (password {DEMO_PASSWORD}): {', '.join(['admin', *DEMO_LOGINS, QC_LOGIN])}"
        )
