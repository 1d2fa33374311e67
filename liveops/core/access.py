"""Who may do what, and over which departments.

A user's capabilities come from role grants on the positions they hold and on the user directly.
Each grant carries a data scope (own records, own department, department subtree, whole company)
anchored at the department of the position (or of the user's primary position for direct grants).
``Access`` answers two questions for the rest of the code: may this user use a capability at all,
and which departments' records does it reach. Everything not granted is denied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from liveops.core.directory import directory
from liveops.core.models import SCOPE_RANK, DataScope, RoleCapability, RoleGrant

ALL = None  # department_ids() returns ALL when the scope is the whole company


@dataclass
class Access:
    """The resolved grants of one user: capability → set of (scope, anchor department id)."""

    user_id: int | None
    is_superuser: bool = False
    grants: dict[str, set[tuple[str, int | None]]] = field(default_factory=dict)
    staff_department_id: int | None = None
    # department_ids() per capability, memoised for the life of this object (one request).
    _department_cache: dict[str, set[int] | None] = field(default_factory=dict, repr=False)

    def can(self, capability: str) -> bool:
        return self.is_superuser or capability in self.grants

    def widest_scope(self, capability: str) -> str | None:
        if self.is_superuser:
            return DataScope.COMPANY
        scopes = [s for s, _ in self.grants.get(capability, ())]
        return max(scopes, key=lambda s: SCOPE_RANK[s]) if scopes else None

    def department_ids(self, capability: str) -> set[int] | None:
        """Departments whose records this capability reaches; ``ALL`` (None) for the whole company,
        an empty set when it reaches no department (own records only, or nothing)."""
        if self.is_superuser:
            return ALL
        if capability in self._department_cache:
            return self._department_cache[capability]
        self._department_cache[capability] = result = self._resolve_department_ids(capability)
        return result

    def _resolve_department_ids(self, capability: str) -> set[int] | None:
        ids: set[int] = set()
        for scope, dept_id in self.grants.get(capability, ()):
            if scope == DataScope.COMPANY:
                return ALL
            if dept_id is None:
                continue
            if scope == DataScope.DEPARTMENT:
                ids.add(dept_id)
            elif scope == DataScope.SUBTREE:
                ids |= directory().department_subtree_ids(dept_id)
        return ids

    def reaches_department(self, capability: str, department_id: int | None) -> bool:
        ids = self.department_ids(capability)
        if ids is ALL:
            return self.can(capability)
        return department_id is not None and department_id in ids


def access_for(user) -> Access:
    """Resolve (and cache on the user object for this request) the grants of ``user``."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Access(user_id=None)
    cached = getattr(user, "_liveops_access", None)
    if cached is not None:
        return cached
    access = Access(user_id=user.pk, is_superuser=user.is_superuser)
    placement = directory().placement_for(user.pk)
    position_ids: list[int] = []
    if placement is not None:
        access.staff_department_id = placement.department_id
        position_ids = list(placement.position_ids)
    grants = list(
        RoleGrant.objects.filter(user=user).values_list("role_id", "scope", "position__department_id")
    ) + list(
        RoleGrant.objects.filter(position_id__in=position_ids).values_list(
            "role_id", "scope", "position__department_id"
        )
    )
    role_ids = {g[0] for g in grants}
    caps_by_role: dict[int, list[str]] = {}
    for role_id, cap in RoleCapability.objects.filter(role_id__in=role_ids).values_list(
        "role_id", "capability"
    ):
        caps_by_role.setdefault(role_id, []).append(cap)
    for role_id, scope, dept_id in grants:
        anchor = dept_id if dept_id is not None else access.staff_department_id
        for cap in caps_by_role.get(role_id, ()):
            access.grants.setdefault(cap, set()).add((scope, anchor))
    user._liveops_access = access
    return access


def scope_queryset(
    queryset,
    *,
    access: Access,
    capability: str,
    department_field: str = "department_id",
    owner_field: str | None = None,
):
    """Filter ``queryset`` to the rows ``capability`` reaches for this actor. Deny by default:
    no grant means an empty queryset."""
    if not access.can(capability):
        return queryset.none()
    ids = access.department_ids(capability)
    if ids is ALL:
        return queryset
    from django.db.models import Q

    condition = Q(**{f"{department_field}__in": ids}) if ids else Q(pk__in=[])
    if owner_field and access.user_id is not None:
        condition |= Q(**{owner_field: access.user_id})
    return queryset.filter(condition)
