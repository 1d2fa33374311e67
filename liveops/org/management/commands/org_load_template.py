from django.core.management.base import BaseCommand

from liveops.org.bootstrap import org_template_load


class Command(BaseCommand):
    help = "Load (or refresh) the default org template: units, duties, positions and built-in roles."

    def handle(self, *args, **options):
        counts = org_template_load()
        self.stdout.write(self.style.SUCCESS(f"org template: {counts}"))
