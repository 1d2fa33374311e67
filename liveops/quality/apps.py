from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "liveops.quality"
    label = "quality"
    verbose_name = _("Quality control")

    def ready(self) -> None:
        from liveops.quality import capabilities  # noqa: F401
