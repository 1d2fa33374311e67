from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "liveops.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from liveops.core import signals  # noqa: F401  (login/logout audit receivers)
        from liveops.core.api import schema  # noqa: F401  (OpenAPI description of token auth)
