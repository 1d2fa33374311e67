from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "liveops.commerce"
    label = "commerce"
    verbose_name = _("E-commerce operations")

    def ready(self) -> None:
        from liveops.commerce import capabilities, signals  # noqa: F401
