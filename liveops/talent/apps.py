from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "liveops.talent"
    label = "talent"
    verbose_name = _("Anchor incubation")

    def ready(self) -> None:
        from liveops.talent import capabilities  # noqa: F401
