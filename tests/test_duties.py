"""Duty coverage: the template matches the shared duty map, declared features are real routes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import resolve, reverse

from liveops.core.duties import collect_features
from liveops.core.selectors import duty_coverage
from liveops.org import template_data as T

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DUTY_MAP = PROJECT_ROOT.parent / "shared" / "seed" / "duty-map.md"
TEMPLATE_IDS = {d.code for d in T.DUTIES}

# Chairman duties with no feature yet: investment/annual-plan leadership, senior-manager pay, the
# financial-statement dashboard and the contract register. Listed so the test fails once one is covered
# (shrink the list) or once another duty loses its feature.
KNOWN_OPEN: set[str] = set()  # every governance duty is served now


def expand(cell: str) -> list[str]:
    """``GOV-SH-1..8`` → GOV-SH-1 … GOV-SH-8; ``EC-1`` → [EC-1]."""
    m = re.fullmatch(r"([A-Z]+(?:-[A-Z]+)*)-(\d+)\.\.(\d+)", cell)
    if m:
        return [f"{m.group(1)}-{i}" for i in range(int(m.group(2)), int(m.group(3)) + 1)]
    return [cell]


def duty_map_ids() -> set[str]:
    if not DUTY_MAP.exists():
        pytest.skip(f"shared duty map not found at {DUTY_MAP} (../shared/ is provided next to the project)")
    ids: set[str] = set()
    for line in DUTY_MAP.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*([A-Z]+(?:-[A-Z]+)*-\d+(?:\.\.\d+)?)\s*\|", line)
        if m:
            ids.update(expand(m.group(1)))
    return ids


def test_expand_ranges():
    assert expand("GOV-SH-1..8") == [f"GOV-SH-{i}" for i in range(1, 9)]
    assert expand("KOL-3") == ["KOL-3"]


def test_template_matches_duty_map():
    ids = duty_map_ids()
    assert len(ids) > 100
    assert TEMPLATE_IDS - ids == set(), "duties in the template but not in duty-map.md"
    assert ids - TEMPLATE_IDS == set(), "duties in duty-map.md missing from the template"


def test_template_duty_ids_unique_and_units_exist():
    codes = [d.code for d in T.DUTIES]
    assert len(codes) == len(set(codes))
    units = {u.code for u in T.UNITS}
    assert all(d.unit in units for d in T.DUTIES)
    assert all(d.title_zh and d.title_en for d in T.DUTIES)


def test_declared_features_name_template_duties():
    features = collect_features()
    assert features
    unknown = sorted({f.duty_id for f in features} - TEMPLATE_IDS)
    assert unknown == []
    for f in features:
        assert f.kind in ("page", "api")
        assert f.url_name, f
        if "<" in f.route:
            assert reverse(f.url_name, kwargs=resolve_kwargs(f.route))
        else:
            assert resolve(f.route).url_name == f.url_name


def resolve_kwargs(route: str) -> dict:
    return {
        m.group(2): (1 if m.group(1) == "int" else "EC") for m in re.finditer(r"<(?:(\w+):)?(\w+)>", route)
    }


def test_declared_pages_answer_for_superuser(client_for):
    routes = sorted({f.route for f in collect_features() if f.kind == "page" and "<" not in f.route})
    assert "/org/" in routes and "/org/governance/" in routes
    c = client_for("admin")
    for route in routes:
        assert c.get(route).status_code == 200, route


def test_declared_api_routes_answer_for_superuser(client_for):
    routes = sorted({f.route for f in collect_features() if f.kind == "api" and "<" not in f.route})
    assert "/api/v1/org/staff/" in routes
    c = client_for("admin")
    for route in routes:
        assert c.get(route).status_code in (200, 405), route  # 405: a POST-only endpoint


def test_governance_and_key_duties_covered(org):
    rows = {r["id"]: r for r in duty_coverage()}
    expected = {code for code in TEMPLATE_IDS if code.startswith("GOV-")} | {"GM-2", "GM-3", "HR-1"}
    uncovered = {code for code in expected if not rows[code]["covered"]}
    assert uncovered == KNOWN_OPEN, uncovered
    for code in expected - KNOWN_OPEN:
        assert rows[code]["features"], code


def test_coverage_page_and_filters(client_for):
    c = client_for("member")
    response = c.get(reverse("duty-coverage"))
    summary = response.context["summary"]
    assert summary["total"] == len(TEMPLATE_IDS)
    assert summary["covered"] + summary["open"] == summary["total"]
    covered = c.get(reverse("duty-coverage"), {"status": "covered"}).context["rows"]
    open_ = c.get(reverse("duty-coverage"), {"status": "open"}).context["rows"]
    assert len(covered) == summary["covered"] and all(r["covered"] for r in covered)
    assert len(open_) == summary["open"] and not any(r["covered"] for r in open_)
