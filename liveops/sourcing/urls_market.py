"""Market intelligence pages (LC-2, MC-3), mounted at ``/sourcing/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.core.navigation import TOOLS, nav_register
from liveops.sourcing.views import market as views

urlpatterns = [
    path("market/", views.market_dashboard, name="market-dashboard"),
]

# Competitor intelligence belongs to both the recruitment centre (MC-3: product cycles and price
# trends) and the live operations centre (LC-2: competitor assortment and pricing).
for _unit in ("MC", "LC"):
    if not any(t.url_name == "market-dashboard" and t.unit == _unit for t in TOOLS):
        nav_register(
            unit=_unit,
            label=_("Market intelligence"),
            url_name="market-dashboard",
            capability="sourcing.view",
            icon="graph-up-arrow",
        )
