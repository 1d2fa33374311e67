"""core sits below the domain apps: it imports none of them and reaches the org chart through the
directory interface that the org app registers."""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.core.exceptions import ImproperlyConfigured

import liveops
from liveops.core import directory as directory_module

CORE = pathlib.Path(liveops.__file__).parent / "core"
DOMAIN_APPS = {p.name for p in CORE.parent.iterdir() if (p / "apps.py").exists()} - {"core"}


def _imported_modules(path: pathlib.Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def test_core_imports_no_domain_app():
    assert {"org", "commerce"} <= DOMAIN_APPS  # the check below looks at real app names
    offenders = []
    for path in CORE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for line, module in _imported_modules(path):
            parts = module.split(".")
            if len(parts) >= 2 and parts[0] == "liveops" and parts[1] in DOMAIN_APPS:
                offenders.append(f"{path.relative_to(CORE.parent)}:{line} imports {module}")
    assert offenders == []


def test_missing_directory_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(directory_module, "_directory", None)
    with pytest.raises(ImproperlyConfigured):
        directory_module.directory()


def test_org_directory_places_staff_and_lists_duties(personas):
    from liveops.org.models import Duty, Staff

    d = directory_module.directory()
    staff = Staff.objects.select_related("position").get(user=personas["member"])
    placement = d.placement_for(personas["member"].pk)
    assert placement == directory_module.Placement(
        department_id=staff.position.department_id, position_ids=(staff.position_id,)
    )
    assert [row["code"] for row in d.duties()] == list(
        Duty.objects.order_by("sort_order").values_list("code", flat=True)
    )
    assert d.placement_for(personas["outsider"].pk) is None
    assert d.position_get("abc") is None
    assert d.position_get(str(staff.position_id)) == staff.position
