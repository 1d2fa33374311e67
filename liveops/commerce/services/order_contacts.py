"""Showing a buyer's contact unmasked: only with ``commerce.view_personal`` over the shop's
department, and every view written to the audit log (``view_personal``, like staff and merchant
contacts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from liveops.commerce.contacts import contact_open
from liveops.commerce.models import Order
from liveops.core.access import Access
from liveops.core.audit import audit_log
from liveops.core.errors import NotAllowed
from liveops.core.models import AuditAction

CONTACT_FIELDS = ("name", "phone", "address")


def is_platform_encrypted(value: str) -> bool:
    """Values the platform encrypted (抖店 ``##…`` / ``$$…``): nobody here can read them."""
    return value.startswith(("##", "$$"))


def order_contact_reveal(*, actor, access: Access, order: Order) -> dict[str, dict]:
    """The buyer's name, phone and address in clear, each as ``{"value", "platform_encrypted"}``.
    Raises ``NotAllowed`` without the capability over the shop's department. Logs the view when
    there was anything to show."""
    if not access.reaches_department("commerce.view_personal", order.shop.department_id):
        raise NotAllowed(_("You may not see buyers' personal data of this shop."))
    values = contact_open(order.contact_sealed) if order.contact_sealed else {}
    masked = {
        "name": order.buyer_name_masked,
        "phone": order.buyer_phone_masked,
        "address": order.buyer_address_masked,
    }
    out = {}
    for field in CONTACT_FIELDS:
        value = values.get(field) or ""
        if not value and is_platform_encrypted(masked[field]):
            value = masked[field]  # kept as the platform wrote it
        out[field] = {"value": value, "platform_encrypted": is_platform_encrypted(value)}
    shown = [f for f in CONTACT_FIELDS if out[f]["value"] and not out[f]["platform_encrypted"]]
    if shown:
        audit_log(
            actor=actor,
            action=AuditAction.VIEW_PERSONAL,
            instance=order,
            changes={"fields": shown, "shop": order.shop_id},
        )
    return out
