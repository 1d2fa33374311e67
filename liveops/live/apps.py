from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "liveops.live"
    label = "live"
    verbose_name = _("Live-stream operations")

    def ready(self) -> None:
        from liveops.commerce.ingest import SESSION_RESOLVERS, session_resolver_register
        from liveops.live import capabilities  # noqa: F401
        from liveops.live.services.resolver import session_resolve

        # Order imports ask which session a line was sold in (once, even if ready() runs twice).
        if session_resolve not in SESSION_RESOLVERS:
            session_resolver_register(session_resolve)
