"""Creating and changing shops (EC-1). Keyword-only, atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from liveops.commerce.models import Shop
from liveops.core.access import access_for
from liveops.core.audit import model_create, model_update
from liveops.core.errors import NotAllowed
from liveops.org.models import Department


def _require_department(actor, department_id: int | None, capability: str = "commerce.change") -> None:
    if actor is None:
        return
    if not access_for(actor).reaches_department(capability, department_id):
        raise NotAllowed(_("You are not allowed to do this."))


@transaction.atomic
def shop_create(
    *, actor, platform: str, name: str, department: Department, platform_shop_id: str = ""
) -> Shop:
    """Open a shop of ``department`` on ``platform``; names are unique per platform."""
    _require_department(actor, department.pk)
    return model_create(
        actor=actor,
        model=Shop,
        platform=platform,
        name=name.strip(),
        department=department,
        platform_shop_id=platform_shop_id.strip(),
    )


@transaction.atomic
def shop_update(*, actor, shop: Shop, data: dict) -> Shop:
    """Change a shop's name, platform shop ID, department or active flag."""
    allowed = {"name", "platform_shop_id", "department", "is_active"}
    _require_department(actor, shop.department_id)
    if "department" in data:
        _require_department(actor, data["department"].pk)
    shop, _changed = model_update(
        actor=actor, instance=shop, data={k: v for k, v in data.items() if k in allowed}
    )
    return shop
