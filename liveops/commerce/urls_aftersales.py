"""Pages of e-commerce operations: after-sales and settlements (EC-1). Mounted at ``/commerce/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from liveops.commerce.selectors.aftersales import aftersale_get
from liveops.commerce.views import aftersales as views
from liveops.core.forms import int_or_none
from liveops.core.history import history_register
from liveops.core.navigation import TOOLS, nav_register

urlpatterns = [
    path("aftersales/", views.aftersale_list, name="commerce-aftersales"),
    path("aftersales/<int:pk>/", views.aftersale_detail, name="commerce-aftersale"),
    path("aftersales/relink/", views.aftersale_relink, name="commerce-aftersale-relink"),
    path("settlements/", views.settlement_list, name="commerce-settlements"),
]


def _registered(unit: str, url_name: str) -> bool:
    return any(t.unit == unit and t.url_name == url_name for t in TOOLS)


# After-sales belong to the shop operators (EC) and are read by customer service (CS).
for _unit in ("EC", "CS"):
    if not _registered(_unit, "commerce-aftersales"):
        nav_register(
            unit=_unit,
            label=_("After-sales"),
            url_name="commerce-aftersales",
            capability="commerce.view",
            icon="arrow-counterclockwise",
        )
if not _registered("EC", "commerce-settlements"):
    nav_register(
        unit="EC",
        label=_("Settlements"),
        url_name="commerce-settlements",
        capability="commerce.view",
        icon="cash-stack",
    )


def _aftersale_visible(access, user, object_id: str) -> bool:
    pk = int_or_none(object_id)
    return pk is not None and aftersale_get(access=access, pk=pk) is not None


history_register("commerce.aftersale", _aftersale_visible)
