"""The review (复盘, LS-2, LS-4) of one session: the funnel by people, the headline figures against
the targets, against the account's median of its last 30 sessions and against the previous session,
and the per-product table from the order lines linked to the session.

Unknown is never zero: a figure the import did not give is None and the page says why."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liveops.commerce.models import OrderLine
from liveops.live import metrics
from liveops.live.models import LiveSession

FUNNEL = (
    ("impressions_ucnt", N_("Impressions (people)")),
    ("watch_ucnt", N_("Viewers")),
    ("product_expose_ucnt", N_("Product exposures (people)")),
    ("product_click_ucnt", N_("Product clicks (people)")),
    ("buyers", N_("Buyers")),
)
HEADLINE = (
    "gmv",
    "paid_amount",
    "gpm",
    "uv_value",
    "watch_ucnt",
    "orders",
    "buyers",
    "new_fans",
    "avg_watch_min",
    "refund_amount",
)
BASELINE_SESSIONS = 30


def figure(session: LiveSession, key: str):
    if key == "gpm":
        return metrics.gpm(session.gmv, session.watch_cnt)
    if key == "uv_value":
        return metrics.uv_value(session.gmv, session.watch_ucnt)
    return getattr(session, key)


def why_unknown(session: LiveSession, key: str) -> str:
    if session.figures_updated_at is None:
        return _("No figures imported for this session yet.")
    if key in ("gpm", "uv_value"):
        return _("Needs GMV and views (viewers for UV value), which the import did not give.")
    return _("The imported file did not give this figure (“-”).")


@dataclass
class FunnelStep:
    key: str
    label: str
    value: int | None
    rate: Decimal | None  # of the step before
    why: str = ""

    @property
    def rate_pct(self) -> Decimal | None:
        return None if self.rate is None else (self.rate * 100).quantize(Decimal("0.01"))


@dataclass
class Row:
    key: str
    value: object
    target: object = None
    median: object = None
    previous: object = None
    why: str = ""


@dataclass
class Review:
    session: LiveSession
    funnel: list[FunnelStep] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    previous: LiveSession | None = None
    baseline_count: int = 0
    products: list[dict] = field(default_factory=list)


_TARGETS = {
    "gmv": "target_gmv",
    "watch_ucnt": "target_viewers",
    "orders": "target_orders",
    "new_fans": "target_new_fans",
}


def _median(values: list):
    values = [v for v in values if v is not None]
    if not values:
        return None
    m = statistics.median(values)
    return m.quantize(Decimal("0.01")) if isinstance(m, Decimal) else m


def session_review(*, session: LiveSession) -> Review:
    """Everything the review page shows (the caller has checked the actor may see ``session``)."""
    review = Review(session=session)
    previous_value = None
    for key, label in FUNNEL:
        value = getattr(session, key)
        step = FunnelStep(
            key=key,
            label=_(label),
            value=value,
            rate=metrics.rate(value, previous_value) if review.funnel else None,
            why="" if value is not None else why_unknown(session, key),
        )
        review.funnel.append(step)
        previous_value = value
    start = session.actual_start or session.planned_start
    earlier = (
        LiveSession.objects.filter(account_id=session.account_id, figures_updated_at__isnull=False)
        .filter(Q(actual_start__lt=start))
        .exclude(pk=session.pk)
        .order_by("-actual_start")
    )
    baseline = list(earlier[:BASELINE_SESSIONS])
    review.baseline_count = len(baseline)
    review.previous = baseline[0] if baseline else None
    for key in HEADLINE:
        value = figure(session, key)
        target_field = _TARGETS.get(key)
        review.rows.append(
            Row(
                key=key,
                value=value,
                target=getattr(session, target_field) if target_field else None,
                median=_median([figure(s, key) for s in baseline]),
                previous=figure(review.previous, key) if review.previous else None,
                why="" if value is not None else why_unknown(session, key),
            )
        )
    review.products = session_products(session=session)
    return review


def session_products(*, session: LiveSession) -> list[dict]:
    """Per product, from the order lines linked to the session: orders, units, GMV, refunds, and the
    sell-through of the stock allotted on the line-up. Lines of products not in the library are
    grouped by their title."""
    lines = (
        OrderLine.objects.filter(session_id=session.pk)
        .values("product_id", "product_title")
        .annotate(
            orders=Count("order_id", distinct=True),
            units=Sum("quantity"),
            gmv_fen=Sum("amount_paid_fen"),
            refunds_fen=Sum("refund_fen"),
            refunded_lines=Count("pk", filter=Q(refund_fen__gt=0)),
        )
        .order_by("-gmv_fen")
    )
    stock = {i.product_id: i for i in session.lineup.select_related("product")}
    merged: dict[object, dict] = {}
    for row in lines:
        key = row["product_id"] or f"title:{row['product_title']}"
        item = merged.setdefault(
            key,
            {
                "product_id": row["product_id"],
                "title": stock[row["product_id"]].product.title
                if row["product_id"] in stock
                else row["product_title"],
                "orders": 0,
                "units": 0,
                "gmv": Decimal(0),
                "refunds": Decimal(0),
                "on_lineup": row["product_id"] in stock,
            },
        )
        item["orders"] += row["orders"]
        item["units"] += row["units"] or 0
        item["gmv"] += Decimal(row["gmv_fen"] or 0) / 100
        item["refunds"] += Decimal(row["refunds_fen"] or 0) / 100
    for product_id, li in stock.items():
        if product_id not in merged:
            merged[product_id] = {
                "product_id": product_id,
                "title": li.product.title,
                "orders": 0,
                "units": 0,
                "gmv": Decimal(0),
                "refunds": Decimal(0),
                "on_lineup": True,
            }
    out = sorted(merged.values(), key=lambda r: -r["gmv"])
    for r in out:
        li = stock.get(r["product_id"])
        r["stock_allotted"] = li.stock_allotted if li else None
        r["sell_through"] = metrics.rate(r["units"], li.stock_allotted) if li and li.stock_allotted else None
        r["refund_rate"] = metrics.rate(r["refunds"], r["gmv"]) if r["gmv"] else None
        r["gmv"] = r["gmv"].quantize(Decimal("0.01"))
        r["refunds"] = r["refunds"].quantize(Decimal("0.01"))
    return out
