"""The route walk shared by the scale benchmark (``bench/run_scale_walk.py``) and the query-plan test
(``tests/test_query_plans.py``): every GET route of the URL conf and every GET operation of the
OpenAPI schema, with real IDs from the data for their parameters, as every demo persona; the SQL
each request issues; and the plans of those queries checked for sorts and scans of the large tables.

Needs Django set up (``django.setup()`` or pytest-django)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

# Routes that are not pages or reads: GET on them would log out, or they serve the browsable docs.
SKIP_ROUTES = frozenset({"accounts/logout/", "i18n/setlang/", "jsi18n/", "api/docs/"})
# Generated once per process from the code, not from the data: timed, but not walked per persona.
ONE_PERSONA_ROUTES = frozenset({"api/schema/"})

# The URL segment before a parameter names its model; these are the segments that do not (``app:``
# for a segment of one app only).
SEGMENT_MODELS = {
    "units": ("org.department", "code"),
    "staff": ("org.staff", "pk"),
    "meetings": ("org.meeting", "pk"),
    "resolutions": ("org.resolution", "pk"),
    "documents": ("org.resolutiondocument", "pk"),
    "actions": ("org.actionitem", "pk"),
    "action-items": ("org.actionitem", "pk"),
    "jobs": ("core.importrun", "pk"),
    "imports": ("core.importrun", "pk"),
    "selection/meetings": ("sourcing.selectionmeeting", "pk"),
    "selection-meetings": ("sourcing.selectionmeeting", "pk"),
    "pipeline": ("sourcing.product", "pk"),
    "deals/product": ("sourcing.product", "pk"),
    "deals/merchant": ("sourcing.merchant", "pk"),
    "products": ("sourcing.product", "pk"),
    "blocklist": ("quality.block", "pk"),
    "blocks": ("quality.block", "pk"),
    "items": ("quality.inspectionitemresult", "pk"),
    "commerce:anchors": ("commerce.anchoraccount", "pk"),
    "ad-spend": ("commerce.adspend", "pk"),
    "aftersales": ("commerce.aftersale", "pk"),
    "kinds": (None, "douyin-orders"),
    "new": (None, "douyin-orders"),
}


@dataclass
class Route:
    """One GET route: its pattern (``org/staff/<int:pk>/``), where it came from (the URL conf, the
    OpenAPI schema or both) and, once filled, the path walked."""

    pattern: str
    sources: set[str] = field(default_factory=set)
    path: str | None = None
    skipped: str = ""


def _url_patterns(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _url_patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _normalise(pattern: str) -> str:
    """OpenAPI ``/api/v1/org/staff/{id}/`` and the URL conf's ``api/v1/org/staff/<int:pk>/`` →
    ``api/v1/org/staff/<id>/``."""
    pattern = pattern.lstrip("/")
    pattern = re.sub(r"\{(\w+)\}", r"<\1>", pattern)
    pattern = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", pattern)
    return pattern.replace("<pk>", "<id>")  # the schema calls the primary key ``id``


def openapi_get_paths() -> list[str]:
    """The paths of the OpenAPI schema that have a GET operation."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [p for p, ops in schema["paths"].items() if "get" in ops]


def routes() -> list[Route]:
    """Every GET route of the URL conf and of the OpenAPI schema, by normalised pattern."""
    out: dict[str, Route] = {}
    for pattern in _url_patterns(get_resolver().url_patterns):
        if pattern.startswith("^") or "(?P" in pattern:
            continue  # regular-expression routes (static files, admin) are not pages of the app
        out.setdefault(_normalise(pattern), Route(_normalise(pattern))).sources.add("urls")
    for path in openapi_get_paths():
        out.setdefault(_normalise(path), Route(_normalise(path))).sources.add("openapi")
    return [r for key, r in sorted(out.items()) if key not in SKIP_ROUTES]


def _model_for(segment: str, app_hint: str):
    """The model a URL segment names (``orders`` in the commerce app → ``commerce.order``)."""
    names = [segment.replace("-", "")]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", "")):
        if names[0].endswith(suffix):
            names.append(names[0][: -len(suffix)] + repl)
    models = list(apps.get_models())
    for name in names:
        for m in models:
            if m._meta.model_name == name and m._meta.app_label == app_hint:
                return m
    for name in names:
        for m in models:
            if m._meta.model_name == name:
                return m
    return None


class Ids:
    """Real values for route parameters: for each model the newest row (or a chosen one, see
    ``choose``), cached."""

    def __init__(self, choose: dict[str, callable] | None = None):
        self.choose = choose or {}
        self.cache: dict[tuple[str, str], str | None] = {}

    def value(self, label: str, attr: str) -> str | None:
        key = (label, attr)
        if key not in self.cache:
            if label in self.choose:
                value = self.choose[label]()
            else:
                try:
                    model: type[Model] = apps.get_model(label)
                except LookupError:
                    model = None
                value = model and model.objects.order_by("-pk").values_list(attr, flat=True).first()
            self.cache[key] = None if value is None else str(value)
        return self.cache[key]


def fill(route: Route, ids: Ids) -> Route:
    """Sets ``route.path`` with real values for its parameters, or ``route.skipped`` with why not."""
    parts = route.pattern.split("/")
    app_hint = parts[2] if parts[:2] == ["api", "v1"] and len(parts) > 2 else parts[0]
    out = []
    for i, part in enumerate(parts):
        m = re.fullmatch(r"<(\w+)>", part)
        if not m:
            out.append(part)
            continue
        two = "/".join(parts[max(0, i - 2) : i])
        one = parts[i - 1] if i else ""
        if route.pattern.startswith("audit/history/"):
            value = "commerce.order" if m.group(1) == "object_type" else ids.value("commerce.order", "pk")
        elif any(k in SEGMENT_MODELS for k in (two, f"{app_hint}:{one}", one)):
            key = next(k for k in (two, f"{app_hint}:{one}", one) if k in SEGMENT_MODELS)
            label, attr = SEGMENT_MODELS[key]
            value = attr if label is None else ids.value(label, attr)
        else:
            model = _model_for(one, app_hint)
            value = ids.value(model._meta.label_lower, "pk") if model is not None else None
        if value is None:
            route.skipped = f"no value for <{m.group(1)}>"
            return route
        out.append(value)
    route.path = "/" + "/".join(out)
    return route


def personas() -> list:
    """The demo's users: the superuser and every demo login (``liveops.org.demo.DEMO_LOGINS``, the
    QC inspector), those that exist."""
    from django.contrib.auth import get_user_model

    from liveops.org.demo import DEMO_LOGINS
    from liveops.sourcing.demo import QC_LOGIN

    names = ["admin", *DEMO_LOGINS, QC_LOGIN]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    return [users[n] for n in names if n in users]


# Plans ------------------------------------------------------------------------------------------


def _tables_in(sql: str, tables: list[str]) -> list[str]:
    return [t for t in tables if re.search(rf'\b"?{t}"?\b', sql)]


def explain(sql: str) -> str | dict:
    """The plan of one captured query (its parameters already inlined by the capture): SQLite's
    ``EXPLAIN QUERY PLAN`` as text, PostgreSQL's ``EXPLAIN (FORMAT JSON)``, the latter with sequential
    scans and sorts disabled so that a small test table's cheap scan does not hide a missing index."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SAVEPOINT plan_check")
        try:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT plan_check")
            cursor.execute("RELEASE SAVEPOINT plan_check")
        return json.loads(plan) if isinstance(plan, str) else plan


def _pg_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _pg_nodes(child)


def plan_problems(sql: str, plan, large_tables: list[str]) -> list[str]:
    """What in ``plan`` sorts or scans one of ``large_tables``: SQLite ``SCAN <table>`` and ``USE TEMP
    B-TREE`` (when the query reads a large table); PostgreSQL ``Seq Scan`` on a large table and
    ``Sort`` nodes above one."""
    problems: list[str] = []
    if isinstance(plan, str):
        touched = _tables_in(sql, large_tables)
        if not touched:
            return []
        aliases = set(touched)
        # SQLite names a table by its alias in the plan: "FROM commerce_order U0" → SCAN U0.
        for t in touched:
            aliases |= set(re.findall(rf'"?{t}"?\s+(?:AS\s+)?"?(\w+)"?', sql))
        for line in plan.splitlines():
            scan = re.match(r"\s*SCAN (\w+)", line)
            if (scan and scan.group(1) in aliases) or "USE TEMP B-TREE" in line:
                problems.append(line.strip())
        return problems
    for root in plan:
        for node in _pg_nodes(root["Plan"]):
            kind = node.get("Node Type", "")
            relation = node.get("Relation Name", "")
            if kind == "Seq Scan" and relation in large_tables:
                problems.append(f"Seq Scan on {relation}")
            if kind in ("Sort", "Incremental Sort"):
                below = {n.get("Relation Name") for n in _pg_nodes(node)}
                hit = sorted(below & set(large_tables))
                if hit:
                    problems.append(f"{kind} over {', '.join(hit)} ({node.get('Sort Key')})")
    return problems


def timed_get(client, path: str, *, capture: bool = False):
    """One GET through ``client``: (status, milliseconds, captured queries or None)."""
    if capture:
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            ms = (time.perf_counter() - t0) * 1000
        return response.status_code, ms, list(ctx.captured_queries)
    t0 = time.perf_counter()
    response = client.get(path)
    return response.status_code, (time.perf_counter() - t0) * 1000, None
