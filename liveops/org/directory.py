"""The org app's answer to core's directory interface (``liveops.core.directory``).

Registered in ``OrgConfig.ready`` so that core, which imports no domain app, can resolve access,
draw the navigation and list duties from the org chart that this app owns.
"""

from __future__ import annotations

from typing import Any

from liveops.core.directory import Placement
from liveops.core.forms import int_or_none


class OrgDirectory:
    """Departments, staff placement, duties and positions, read from the org app's tables."""

    def department_subtree_ids(self, department_id: int) -> set[int]:
        from liveops.org.selectors import department_subtree_ids

        return department_subtree_ids(department_id)

    def placement_for(self, user_id: int) -> Placement | None:
        from liveops.org.models import Staff

        staff = Staff.objects.filter(user_id=user_id, is_active=True).select_related("position").first()
        if staff is None:
            return None
        department_id = staff.position.department_id if staff.position else staff.department_id
        return Placement(department_id=department_id, position_ids=tuple(staff.positions_held_ids()))

    def units(self) -> list[dict[str, Any]]:
        from liveops.org.models import Department

        return list(
            Department.objects.filter(is_active=True)
            .order_by("sort_order")
            .values("id", "code", "kind", "name_zh", "name_en", "parent_id")
        )

    def duties(self) -> list[dict[str, Any]]:
        from liveops.org.selectors import duty_list

        return [
            {
                "code": duty.code,
                "title": duty.title,
                "department_code": duty.department.code,
                "department_name": duty.department.name,
                "provides_en": duty.provides_en,
            }
            for duty in duty_list()
        ]

    def positions(self):
        from liveops.org.models import Position

        return Position.objects.select_related("department").order_by("department__sort_order", "code")

    def position_get(self, position_id: Any):
        from liveops.org.models import Position

        pk = int_or_none(position_id)
        return Position.objects.filter(pk=pk).first() if pk is not None else None

    def home_panels(self, *, request) -> dict[str, Any]:
        from liveops.org import selectors as org_selectors

        access = request.access
        return {
            "counts": org_selectors.department_counts(),
            "my_actions": org_selectors.action_item_list(access=access)
            .filter(owner__user=request.user)
            .exclude(status__in=["done", "cancelled"])[:10],
            "overdue": org_selectors.action_item_list(access=access, overdue_only=True)[:10],
        }
