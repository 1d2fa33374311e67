"""Navigation that follows the org chart. Apps register their tools under the unit that owns them
(``nav_register``); the menu shows centre → department → tools, each tool only to users holding its
capability."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from liveops.core.access import access_for
from liveops.core.directory import directory


@dataclass(frozen=True)
class Tool:
    unit: str  # department code, or "" for company-wide tools
    label: object
    url_name: str
    capability: str
    icon: str = "circle"


TOOLS: list[Tool] = []


def nav_register(*, unit: str, label, url_name: str, capability: str, icon: str = "circle") -> None:
    TOOLS.append(Tool(unit=unit, label=label, url_name=url_name, capability=capability, icon=icon))


def _url(tool: Tool) -> str | None:
    try:
        return reverse(tool.url_name)
    except NoReverseMatch:
        return None


def navigation_for(request) -> dict:
    """Company tools plus the centre → department tree, each with the tools this user may open."""
    cached = getattr(request, "_liveops_nav", None)
    if cached is not None:
        return cached
    access = access_for(request.user)
    visible = [t for t in TOOLS if t.capability == "authenticated" or access.can(t.capability)]
    company = [{"label": t.label, "url": _url(t), "icon": t.icon} for t in visible if not t.unit]
    by_unit: dict[str, list[dict]] = {}
    for t in visible:
        if t.unit:
            by_unit.setdefault(t.unit, []).append({"label": t.label, "url": _url(t), "icon": t.icon})
    units = directory().units()
    from liveops.core.i18n import pick

    by_id = {u["id"]: u for u in units}
    centres = []
    for u in units:
        if u["kind"] in ("centre", "office", "body") or (
            u["kind"] == "department" and by_id.get(u["parent_id"], {}).get("kind") != "centre"
        ):
            children = [
                {
                    "code": c["code"],
                    "id": c["id"],
                    "name": pick(c["name_zh"], c["name_en"]),
                    "tools": by_unit.get(c["code"], []),
                }
                for c in units
                if c["parent_id"] == u["id"] and c["kind"] == "department" and u["kind"] == "centre"
            ]
            centres.append(
                {
                    "code": u["code"],
                    "id": u["id"],
                    "kind": u["kind"],
                    "name": pick(u["name_zh"], u["name_en"]),
                    "tools": by_unit.get(u["code"], []),
                    "departments": children,
                }
            )
    nav = {"company": company, "units": centres}
    request._liveops_nav = nav
    return nav
