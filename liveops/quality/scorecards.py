"""Merchant scorecards per period (QC-6).

For every merchant with quality activity in the period (a completed inspection of one of its
products, or a defect found on one) or with order lines paid in it:

- quality     = inspection pass rate in the period (0-100; 100 when nothing was inspected) minus
                defect penalties (critical 20, major 10, minor 3), floored at 0;
- compliance  = share of the merchant's required credential kinds held valid and verified at the end
                of the period (or today, for the running month), 0-100;
- after_sales = 100 minus the refund rate in percent (refunded amount / paid amount of the
                merchant's order lines paid in the period, all shops, from the daily rollups of
                e-commerce operations; by lines when nothing was paid for), floored at 0; empty when
                the merchant sold nothing in the period;
- delivery stays empty until shipping data is imported;
- total       = weighted mean of the components that exist, the weights renormalised over them;
- flagged     = total below ``settings.LIVEOPS_SCORECARD_THRESHOLD`` (default 70).

Everything is computed with grouped aggregate queries (one per source, not one per merchant) and
written with one upsert on (merchant, period).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.commerce.selectors.aftersales import merchant_refund_rates, merchants_with_sales
from liveops.core.access import access_for
from liveops.core.audit import audit_log
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.models import AuditAction
from liveops.quality.gates import required_kinds
from liveops.quality.models import Defect, Inspection, Scorecard
from liveops.sourcing.models import Category, Credential, Merchant, Product

WEIGHTS: dict[str, Decimal] = {
    "quality": Decimal("0.5"),
    "compliance": Decimal("0.3"),
    "after_sales": Decimal("0.1"),
    "delivery": Decimal("0.1"),
}
PENALTIES: dict[str, Decimal] = {
    Defect.Severity.CRITICAL: Decimal(20),
    Defect.Severity.MAJOR: Decimal(10),
    Defect.Severity.MINOR: Decimal(3),
}
DEFAULT_THRESHOLD = Decimal(70)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def threshold() -> Decimal:
    return Decimal(str(getattr(settings, "LIVEOPS_SCORECARD_THRESHOLD", DEFAULT_THRESHOLD)))


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a "YYYY-MM" period."""
    m = PERIOD_RE.match(period or "")
    if not m:
        raise DomainError(
            _("Give the period as YYYY-MM."),
            code="invalid_period",
            fields={"period": [_("Use the form YYYY-MM.")]},
        )
    year, month = int(m.group(1)), int(m.group(2))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def quality_score(
    *, inspected: int, passed: int, critical: int = 0, major: int = 0, minor: int = 0
) -> Decimal:
    """Pass rate (100 with no inspection) minus defect penalties, floored at 0, 2 decimals."""
    rate = HUNDRED * passed / inspected if inspected else HUNDRED
    penalty = critical * PENALTIES["critical"] + major * PENALTIES["major"] + minor * PENALTIES["minor"]
    return _q(max(Decimal(0), Decimal(rate) - penalty))


def compliance_score(*, required: int, valid: int) -> Decimal:
    """Share of required credential kinds held valid (100 when all are, or when none is required)."""
    return _q(HUNDRED * valid / required) if required else HUNDRED


def after_sales_score(
    *, refund_fen: int, gmv_fen: int, refund_lines: int = 0, lines_paid: int = 0
) -> Decimal | None:
    """100 minus the refund rate in percent (by amount; by lines when nothing was paid for), floored
    at 0, 2 decimals; None without paid lines."""
    if gmv_fen > 0:
        rate = HUNDRED * Decimal(refund_fen) / Decimal(gmv_fen)
    elif lines_paid > 0:
        rate = HUNDRED * Decimal(refund_lines) / Decimal(lines_paid)
    else:
        return None
    return _q(max(Decimal(0), HUNDRED - rate))


def weighted_total(components: dict[str, Decimal | None]) -> Decimal:
    """Weighted mean of the components present (not None), weights renormalised over them."""
    present = {k: v for k, v in components.items() if v is not None}
    weight = sum((WEIGHTS[k] for k in present), Decimal(0))
    if not weight:
        return Decimal(0)
    return _q(sum((WEIGHTS[k] * Decimal(v) for k, v in present.items()), Decimal(0)) / weight)


def _local_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min), tz)
    return start, end


@transaction.atomic
def scorecard_compute(*, period: str, actor=None, today: dt.date | None = None) -> int:
    """Compute (or recompute) the scorecards of ``period`` for every merchant with activity in it.
    ``actor`` None means the system (a scheduled job); a person needs ``quality.change``.
    Returns the number of scorecards written."""
    if actor is not None and not access_for(actor).can("quality.change"):
        raise NotAllowed(_("You are not allowed to do this."))
    first, last = period_bounds(period)
    start, end = _local_range(first, last)
    day = min(last, today or timezone.localdate())

    completed = Inspection.objects.filter(inspected_at__gte=start, inspected_at__lt=end).exclude(
        result=Inspection.Result.PENDING
    )
    defects = Defect.objects.filter(found_on__gte=first, found_on__lte=last)

    inspections_by_merchant = {
        row["product__merchant_id"]: row
        for row in completed.values("product__merchant_id").annotate(
            total=Count("id"), passed=Count("id", filter=Q(result=Inspection.Result.PASSED))
        )
    }
    defects_by_merchant = {
        row["merchant_id"]: row
        for row in defects.values("merchant_id").annotate(
            critical=Count("id", filter=Q(severity=Defect.Severity.CRITICAL)),
            major=Count("id", filter=Q(severity=Defect.Severity.MAJOR)),
            minor=Count("id", filter=Q(severity=Defect.Severity.MINOR)),
        )
    }
    refunds = merchant_refund_rates(date_from=first, date_to=last)
    merchant_ids = set(inspections_by_merchant) | set(defects_by_merchant) | set(refunds)
    if not merchant_ids:
        audit_log(
            actor=actor,
            action=AuditAction.ACTION,
            verb="compute",
            object_type_label="quality.scorecard",
            object_repr=f"scorecards {period}",
            changes={"period": period, "merchants": 0},
        )
        return 0

    # The same set as a subquery, so no query carries thousands of parameters.
    active = Merchant.objects.filter(
        Exists(completed.filter(product__merchant_id=OuterRef("pk")))
        | Exists(defects.filter(merchant_id=OuterRef("pk")))
        | Q(pk__in=merchants_with_sales(date_from=first, date_to=last).values("pk"))
    ).values("pk")

    # Required kinds: the business licence plus what the categories of the merchant's products name.
    kinds_by_category = {c.pk: required_kinds(c) for c in Category.objects.select_related("parent")}
    required: dict[int, set[str]] = {mid: set(required_kinds(None)) for mid in merchant_ids}
    for row in Product.objects.filter(merchant_id__in=active).values("merchant_id", "category_id").distinct():
        required[row["merchant_id"]].update(kinds_by_category.get(row["category_id"], ()))
    valid: dict[int, set[str]] = {mid: set() for mid in merchant_ids}
    valid_rows = (
        Credential.objects.filter(merchant_id__in=active, verification=Credential.Verification.VERIFIED)
        .filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
            Q(issued_on__isnull=True) | Q(issued_on__lte=day),
        )
        .values("merchant_id", "kind")
        .distinct()
    )
    for row in valid_rows:
        valid[row["merchant_id"]].add(row["kind"])

    limit, now, cards = threshold(), timezone.now(), []
    for mid in merchant_ids:
        ins = inspections_by_merchant.get(mid, {"total": 0, "passed": 0})
        dfx = defects_by_merchant.get(mid, {"critical": 0, "major": 0, "minor": 0})
        need = required[mid]
        have = need & valid[mid]
        sold = refunds.get(mid)
        components = {
            "quality": quality_score(
                inspected=ins["total"],
                passed=ins["passed"],
                critical=dfx["critical"],
                major=dfx["major"],
                minor=dfx["minor"],
            ),
            "compliance": compliance_score(required=len(need), valid=len(have)),
            "after_sales": None
            if sold is None
            else after_sales_score(
                refund_fen=sold.refund_fen,
                gmv_fen=sold.gmv_fen,
                refund_lines=sold.refund_lines,
                lines_paid=sold.lines_paid,
            ),
            "delivery": None,  # filled in once orders are imported
        }
        total = weighted_total(components)
        present = [k for k, v in components.items() if v is not None]
        cards.append(
            Scorecard(
                merchant_id=mid,
                period=period,
                total=total,
                flagged=total < limit,
                computed_at=now,
                **components,
                details={
                    "inspections": ins["total"],
                    "passed": ins["passed"],
                    "defects": {"critical": dfx["critical"], "major": dfx["major"], "minor": dfx["minor"]},
                    "required_credentials": sorted(need),
                    "missing_credentials": sorted(need - have),
                    "sales": None
                    if sold is None
                    else {
                        "gmv_fen": sold.gmv_fen,
                        "refund_fen": sold.refund_fen,
                        "lines_paid": sold.lines_paid,
                        "refund_lines": sold.refund_lines,
                        "refund_rate": None if sold.rate is None else str(sold.rate),
                    },
                    "weights": {k: str(WEIGHTS[k]) for k in present},
                    "threshold": str(limit),
                    "as_of": day.isoformat(),
                },
            )
        )
    Scorecard.objects.bulk_create(
        cards,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["merchant", "period"],
        update_fields=[
            "quality",
            "compliance",
            "after_sales",
            "delivery",
            "total",
            "flagged",
            "details",
            "computed_at",
        ],
    )
    audit_log(
        actor=actor,
        action=AuditAction.ACTION,
        verb="compute",
        object_type_label="quality.scorecard",
        object_repr=f"scorecards {period}",
        changes={"period": period, "merchants": len(cards), "flagged": sum(1 for c in cards if c.flagged)},
    )
    return len(cards)
