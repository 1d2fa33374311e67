"""Reads of the selection pipeline: the board (counts per stage in one GROUP BY query, the oldest
cards of each column), the list with time spent in each stage, selection meetings and their scores,
the printable selection report, and whether a product may go on a live line-up."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from liveops.core.access import Access, scope_queryset
from liveops.sourcing.models import (
    Credential,
    Deal,
    PipelineEvent,
    PipelineStage,
    Product,
    SelectionMeeting,
    SelectionReview,
)
from liveops.sourcing.services.pipeline import allowed_moves, latest_inspection

STAGES = list(PipelineStage)
# Cards per column: the ones longest in the stage. The list view has them all; rendering cards is
# what the board page spends its time on (docs/benchmarks.md), so the board stays short.
BOARD_CARDS = 12


def product_pipeline_list(
    *,
    access: Access,
    stage: str = "",
    merchant_id: int | None = None,
    category_id: int | None = None,
    search: str = "",
) -> QuerySet[Product]:
    """Products in the pipeline the actor may see, scoped by department."""
    qs = scope_queryset(
        Product.objects.select_related("merchant", "category"), access=access, capability="sourcing.view"
    )
    if stage:
        qs = qs.filter(stage=stage)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if search:
        s = search.strip()
        qs = qs.filter(
            Q(title__icontains=s)
            | Q(title_pinyin__icontains=s.lower())
            | Q(title_initials__icontains=s.lower())
            | Q(merchant__name__icontains=s)
        )
    return qs


def product_get(*, access: Access, pk: int) -> Product | None:
    return product_pipeline_list(access=access).filter(pk=pk).first()


def stage_counts(*, access: Access, **filters) -> dict[str, int]:
    """Number of products per stage: one GROUP BY query."""
    rows = product_pipeline_list(access=access, **filters).order_by().values("stage").annotate(n=Count("id"))
    counts = {s.value: 0 for s in STAGES}
    for r in rows:
        counts[r["stage"]] = r["n"]
    return counts


@dataclass
class Card:
    product: Product
    days_in_stage: int
    moves: list[tuple[str, str]] = field(default_factory=list)


def _card(product: Product, now: dt.datetime) -> Card:
    moves = [(s, str(PipelineStage(s).label)) for s in allowed_moves(product.stage)]
    return Card(product=product, days_in_stage=max((now - product.stage_entered_at).days, 0), moves=moves)


def pipeline_board(*, access: Access, per_column: int = BOARD_CARDS, **filters) -> list[dict]:
    """One column per stage: the count (one GROUP BY for all columns) and the ``per_column`` products
    longest in that stage — one query per column walking the index ``product_board_idx``
    (stage, stage_entered_at, id) in order, no sort, with the merchant joined (never one query per
    card); a card shows title, merchant, days in stage and score, so nothing else is loaded."""
    counts = stage_counts(access=access, **filters)
    base = (
        product_pipeline_list(access=access, **filters)
        .select_related(None)
        .select_related("merchant")
        .only("id", "title", "stage", "stage_entered_at", "score", "department_id", "merchant__name")
    )
    now = timezone.now()
    columns = []
    for stage in STAGES:
        cards = []
        if counts[stage.value]:
            cards = [
                _card(p, now)
                for p in base.filter(stage=stage.value).order_by("stage_entered_at", "id")[:per_column]
            ]
        columns.append(
            {"stage": stage.value, "label": stage.label, "count": counts[stage.value], "cards": cards}
        )
    return columns


def time_in_stages(
    products: list[Product], *, now: dt.datetime | None = None
) -> dict[int, dict[str, dt.timedelta]]:
    """For each product, the total time spent in each stage, from its pipeline events (one query).
    Time before the first event counts for the stage the first event left, from ``created_at``."""
    now = now or timezone.now()
    by_product: dict[int, list[PipelineEvent]] = defaultdict(list)
    ids = [p.pk for p in products]
    for ev in PipelineEvent.objects.filter(product_id__in=ids).order_by("product_id", "at", "id"):
        by_product[ev.product_id].append(ev)
    out: dict[int, dict[str, dt.timedelta]] = {}
    for p in products:
        spent: dict[str, dt.timedelta] = defaultdict(dt.timedelta)
        events = by_product.get(p.pk, [])
        stage, since = (
            (events[0].from_stage or PipelineStage.CANDIDATE, p.created_at)
            if events
            else (p.stage, p.stage_entered_at)
        )
        for ev in events:
            spent[stage] += max(ev.at - since, dt.timedelta(0))
            stage, since = ev.to_stage, ev.at
        spent[stage] += max(now - since, dt.timedelta(0))
        out[p.pk] = dict(spent)
    return out


def pipeline_events(*, product: Product) -> QuerySet[PipelineEvent]:
    return PipelineEvent.objects.filter(product=product).select_related("by").order_by("at", "id")


def product_available_for_lineup(product: Product, *, day: dt.date | None = None) -> bool:
    """May ``product`` go on a live line-up? Approved at a selection meeting and nothing from the
    quality gate (block, missing/expired/unverified credential, broken authorisation chain)."""
    if product.stage != PipelineStage.APPROVED:
        return False
    from liveops.quality.gates import approval_blockers

    return not approval_blockers(product=product, day=day)


# Selection meetings ----------------------------------------------------------------------------


def selection_meeting_list(*, access: Access) -> QuerySet[SelectionMeeting]:
    """Meetings are company-wide events: anyone who reads the product library sees them; the
    products and scores on them are scoped by department."""
    if not access.can("sourcing.view"):
        return SelectionMeeting.objects.none()
    return (
        SelectionMeeting.objects.select_related("chair")
        .annotate(n_products=Count("reviews__product", distinct=True))
        .order_by("-held_at", "-id")
    )


def selection_meeting_products(*, access: Access, meeting: SelectionMeeting) -> list[dict]:
    """Products on the meeting: those waiting at the meeting stage and those already scored at it,
    each with its reviews and the average scores (MC-2 product pool with scores)."""
    scored_ids = set(SelectionReview.objects.filter(meeting=meeting).values_list("product_id", flat=True))
    qs = product_pipeline_list(access=access).filter(Q(stage=PipelineStage.MEETING) | Q(pk__in=scored_ids))
    products = list(qs.order_by("stage_entered_at", "id")[:200])
    reviews: dict[int, list[SelectionReview]] = defaultdict(list)
    for r in SelectionReview.objects.filter(meeting=meeting, product__in=products).select_related(
        "reviewer", "reviewer__staff"
    ):
        reviews[r.product_id].append(r)
    rows = []
    for p in products:
        rs = reviews.get(p.pk, [])
        rows.append({"product": p, "reviews": rs, **_averages(rs)})
    return rows


def _averages(reviews) -> dict:
    if not reviews:
        return {
            "avg_quality": None,
            "avg_price": None,
            "avg_demand": None,
            "votes_approve": 0,
            "votes_reject": 0,
        }
    n = len(reviews)
    return {
        "avg_quality": round(sum(r.score_quality for r in reviews) / n, 2),
        "avg_price": round(sum(r.score_price for r in reviews) / n, 2),
        "avg_demand": round(sum(r.score_demand for r in reviews) / n, 2),
        "votes_approve": sum(1 for r in reviews if r.vote == "approve"),
        "votes_reject": sum(1 for r in reviews if r.vote == "reject"),
    }


# Selection report (MC-4) -----------------------------------------------------------------------


def _credentials_for(product: Product) -> list[Credential]:
    """The merchant's own credentials that count for this product, and every brand authorisation
    held along the chain for its brand."""
    qs = Credential.objects.filter(
        Q(merchant_id=product.merchant_id) & (Q(product__isnull=True) | Q(product=product))
    )
    if product.brand_id:
        qs = qs | Credential.objects.filter(
            brand_id=product.brand_id, kind=Credential.Kind.BRAND_AUTHORISATION
        )
    return list(
        qs.select_related("merchant", "brand", "grantor").distinct().order_by("kind", "expires_on", "id")
    )


def selection_report(*, product: Product, day: dt.date | None = None) -> dict:
    """Everything a manager signs off on for one product: deal terms and contracts, credentials and
    their validity, the latest QC result, the category's standards (GB numbers), reviewers' scores,
    the decision, and what the quality gate says today."""
    from liveops.quality.gates import approval_blockers

    day = day or timezone.localdate()
    deal = Deal.objects.filter(product=product, status=Deal.Status.APPROVED).first() or (
        Deal.objects.filter(product=product).order_by("-version").first()
    )
    credentials = [
        {
            "credential": c,
            "valid": c.is_valid_on(day),
            "expired": c.expires_on is not None and c.expires_on < day,
        }
        for c in _credentials_for(product)
    ]
    reviews = list(
        SelectionReview.objects.filter(product=product)
        .select_related("meeting", "reviewer", "reviewer__staff")
        .order_by("meeting__held_at", "id")
    )
    decision = (
        PipelineEvent.objects.filter(
            product=product, to_stage__in=[PipelineStage.APPROVED, PipelineStage.REJECTED]
        )
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
    standards = [line.strip() for line in (product.category.standards or "").splitlines() if line.strip()]
    avg = SelectionReview.objects.filter(product=product).aggregate(
        q=Avg("score_quality"), p=Avg("score_price"), d=Avg("score_demand")
    )
    return {
        "product": product,
        "deal": deal,
        "contracts": list(deal.contracts.order_by("id")) if deal else [],
        "credentials": credentials,
        "inspection": latest_inspection(product),
        "standards": standards,
        "reviews": reviews,
        "averages": avg,
        "decision": decision,
        "blockers": approval_blockers(product=product, day=day),
        "available_for_lineup": product_available_for_lineup(product, day=day),
        "day": day,
    }
