from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "liveops.org"
    label = "org"
    verbose_name = _("Organisation and governance")

    def ready(self) -> None:
        from liveops.core.directory import directory_register
        from liveops.org import capabilities, importers  # noqa: F401
        from liveops.org.directory import OrgDirectory

        directory_register(OrgDirectory())
