from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "liveops.sourcing"
    label = "sourcing"
    verbose_name = _("Merchant recruitment and product selection")

    def ready(self) -> None:
        from liveops.sourcing import capabilities  # noqa: F401
