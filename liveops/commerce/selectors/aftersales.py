"""Reads of after-sales cases, settlement rows and refund rates, scoped to the shops the actor sees.

Refund rates come from the daily rollups, never from the lines: refunded amount / paid amount
(``refund_fen / gmv_fen``) and refunded lines / paid lines, counted on the day the line was paid, so a
period's rate compares the refunds of the sales made in it with those sales. Lists are keyset
paginated on the id (newest first) and never count their table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from liveops.commerce.models import AfterSale, DailyDimensionRollup, DailyShopRollup, SettlementEntry, Shop
from liveops.commerce.selectors.shops import shop_ids_visible
from liveops.core.access import Access

PAGE_SIZE = 50
DIMENSIONS = ("shop", "merchant", "product")
# After-sales reasons that speak of the goods themselves (QC-5), as Douyin's reason texts and tags word them.
QUALITY_REASON_RE = (
    r"质量|破损|瑕疵|做工|假货|假冒|非正品|过敏|变质|过期|异味|损坏|故障|褪色|起球|开线|描述不符|与描述不一致"
)
DEFAULT_QUALITY_RETURN_ALERT = Decimal("5")
_CENT = Decimal("0.01")


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RefundRate:
    """A key's (shop, merchant or product id, as text) paid and refunded figures over a period."""

    key: str
    gmv_fen: int
    refund_fen: int
    lines_paid: int
    refund_lines: int
    label: str = ""

    @property
    def rate(self) -> Decimal | None:
        """Refunded amount as a percentage of the paid amount (2 decimals); None without sales."""
        return _pct(self.refund_fen, self.gmv_fen)

    @property
    def line_rate(self) -> Decimal | None:
        """Refunded lines as a percentage of paid lines."""
        return _pct(self.refund_lines, self.lines_paid)


def _rates(
    *,
    dimension: str,
    date_from: dt.date,
    date_to: dt.date,
    shop_ids: list[int] | None,
    keys: list[str] | None = None,
) -> list[RefundRate]:
    """Grouped sums over the rollups; ``shop_ids`` None means every shop (trusted callers)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    sums = {
        "gmv": Sum("gmv_fen"),
        "refund": Sum("refund_fen"),
        "lines": Sum("lines_paid"),
        "refund_n": Sum("refund_lines"),
    }
    if dimension == "shop":
        qs = DailyShopRollup.objects.filter(day__gte=date_from, day__lte=date_to)
        if shop_ids is not None:
            qs = qs.filter(shop_id__in=shop_ids)
        if keys is not None:
            qs = qs.filter(shop_id__in=[int(k) for k in keys if str(k).isdigit()])
        rows = qs.values("shop_id").annotate(**sums).values_list("shop_id", *sums)
    else:
        qs = DailyDimensionRollup.objects.filter(
            dimension=dimension, day__gte=date_from, day__lte=date_to
        ).exclude(key="")
        if shop_ids is not None:
            qs = qs.filter(shop_id__in=shop_ids)
        if keys is not None:
            qs = qs.filter(key__in=[str(k) for k in keys])
        rows = qs.values("key").annotate(**sums).values_list("key", *sums)
    out = [
        RefundRate(
            key=str(k),
            gmv_fen=int(g or 0),
            refund_fen=int(r or 0),
            lines_paid=int(n or 0),
            refund_lines=int(rn or 0),
        )
        for k, g, r, n, rn in rows
    ]
    return sorted(out, key=lambda x: (-x.gmv_fen, x.key))


def refund_rates(
    *,
    access: Access,
    dimension: str,
    date_from: dt.date,
    date_to: dt.date,
    shop_id: int | None = None,
    keys: list[str] | None = None,
    limit: int = 200,
    with_labels: bool = True,
) -> list[RefundRate]:
    """Refund rates per shop, merchant or product over [date_from, date_to] (days of payment), over
    the shops the actor sees (or one of them), biggest GMV first; ``label`` names the key."""
    visible = shop_ids_visible(access=access)
    if shop_id is not None:
        visible = [s for s in visible if s == shop_id]
    if not visible:
        return []
    rows = _rates(dimension=dimension, date_from=date_from, date_to=date_to, shop_ids=visible, keys=keys)[
        :limit
    ]
    return _labelled(dimension, rows) if with_labels else rows


def _labelled(dimension: str, rows: list[RefundRate]) -> list[RefundRate]:
    ids = [int(r.key) for r in rows if r.key.isdigit()]
    if dimension == "shop":
        names = dict(Shop.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif dimension == "merchant":
        from liveops.sourcing.models import Merchant

        names = dict(Merchant.objects.filter(pk__in=ids).values_list("pk", "name"))
    else:
        from liveops.sourcing.models import Product

        names = dict(Product.objects.filter(pk__in=ids).values_list("pk", "title"))
    return [
        RefundRate(
            key=r.key,
            gmv_fen=r.gmv_fen,
            refund_fen=r.refund_fen,
            lines_paid=r.lines_paid,
            refund_lines=r.refund_lines,
            label=names.get(int(r.key), r.key) if r.key.isdigit() else r.key,
        )
        for r in rows
    ]


def merchants_with_sales(*, date_from: dt.date, date_to: dt.date):
    """Merchants (of the library, still on file) with lines paid in the period, in any shop: a
    queryset to use as a subquery (``pk__in=...values("pk")``)."""
    from liveops.sourcing.models import Merchant

    sold = DailyDimensionRollup.objects.filter(
        dimension="merchant",
        day__gte=date_from,
        day__lte=date_to,
        lines_paid__gt=0,
        key=Cast(OuterRef("pk"), output_field=CharField()),
    )
    return Merchant.objects.filter(Exists(sold))


def merchant_refund_rates(*, date_from: dt.date, date_to: dt.date) -> dict[int, RefundRate]:
    """The refund rate of every merchant with lines paid in the period, across all shops, by merchant
    id. For computed scores (QC-6 scorecards, run by the system or by QC staff): a company-wide figure
    per merchant, not a view of any shop's orders. Two queries, whatever the number of merchants."""
    rows = _rates(dimension="merchant", date_from=date_from, date_to=date_to, shop_ids=None)
    on_file = set(merchants_with_sales(date_from=date_from, date_to=date_to).values_list("pk", flat=True))
    return {int(r.key): r for r in rows if r.key.isdigit() and int(r.key) in on_file and r.lines_paid}


def quality_return_alert() -> Decimal:
    """Quality returns per 100 paid lines above which a product or merchant is flagged (QC-5)."""
    return Decimal(str(getattr(settings, "LIVEOPS_QUALITY_RETURN_ALERT", DEFAULT_QUALITY_RETURN_ALERT)))


@dataclass(frozen=True)
class QualityReturns:
    """After-sales cases for quality reasons of a merchant or product in a period, against its paid lines."""

    key: str
    label: str
    cases: int
    lines_paid: int
    refund_rate: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        return _pct(self.cases, self.lines_paid)

    @property
    def flagged(self) -> bool:
        return self.rate is not None and self.rate > quality_return_alert()


def quality_returns(
    *, by: str, date_from: dt.date, date_to: dt.date, limit: int = 30
) -> list[QualityReturns]:
    """Per merchant or product (``by``), the after-sales cases applied for in the period whose reason
    or reason tag speaks of the goods (quality, damage, counterfeit, not as described…), against the
    lines paid in the period (rollups); highest rate first. Company-wide aggregates for QC (QC-5)."""
    if by not in ("merchant", "product"):
        raise ValueError(f"unknown grouping {by!r}")
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    field = f"line__{by}_id"
    cases = dict(
        AfterSale.objects.filter(applied_at__gte=start, applied_at__lt=end, **{f"{field}__isnull": False})
        .filter(Q(reason__regex=QUALITY_REASON_RE) | Q(reason_tag__regex=QUALITY_REASON_RE))
        .values(field)
        .annotate(n=Count("id"))
        .values_list(field, "n")
    )
    if not cases:
        return []
    keys = [str(k) for k in cases]
    rates = {
        r.key: r
        for r in _labelled(
            by, _rates(dimension=by, date_from=date_from, date_to=date_to, shop_ids=None, keys=keys)
        )
    }
    missing = [int(k) for k in keys if k not in rates]
    labels = {r.key: r.label for r in rates.values()}
    if missing:
        labels.update(
            {
                r.key: r.label
                for r in _labelled(
                    by,
                    [
                        RefundRate(key=str(m), gmv_fen=0, refund_fen=0, lines_paid=0, refund_lines=0)
                        for m in missing
                    ],
                )
            }
        )
    out = [
        QualityReturns(
            key=str(k),
            label=labels.get(str(k), str(k)),
            cases=n,
            lines_paid=rates[str(k)].lines_paid if str(k) in rates else 0,
            refund_rate=rates[str(k)].rate if str(k) in rates else None,
        )
        for k, n in cases.items()
    ]
    out.sort(key=lambda r: (-(r.rate if r.rate is not None else Decimal(10**6)), -r.cases, r.key))
    return out[:limit]


# After-sales cases --------------------------------------------------------------------------------


@dataclass
class Page:
    rows: list
    next_before: int | None


def aftersales_visible(*, access: Access, shop_id: int | None = None) -> QuerySet[AfterSale]:
    """Cases of the shops the actor sees (or of one of them)."""
    ids = shop_ids_visible(access=access)
    if shop_id is not None:
        ids = [s for s in ids if s == shop_id]
    return AfterSale.objects.filter(shop_id__in=ids)


def aftersale_page(
    *,
    access: Access,
    shop_id: int | None = None,
    kind: str = "",
    state: str = "",
    reason_tag: str = "",
    number: str = "",
    before_id: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of cases, newest first; filters by shop, type, status, reason tag and an exact
    after-sales, order or sub-order number."""
    qs = aftersales_visible(access=access, shop_id=shop_id).select_related("shop", "line")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if reason_tag:
        qs = qs.filter(reason_tag=reason_tag)
    if number:
        qs = qs.filter(Q(aftersale_no=number) | Q(sub_order_no=number) | Q(order_no=number))
    if before_id:
        qs = qs.filter(id__lt=before_id)
    rows = list(qs.order_by("-id")[: size + 1])
    return Page(rows=rows[:size], next_before=rows[size - 1].id if len(rows) > size else None)


def aftersale_get(*, access: Access, pk: int) -> AfterSale | None:
    return (
        aftersales_visible(access=access)
        .select_related("shop", "line", "line__order", "line__product", "line__merchant")
        .filter(pk=pk)
        .first()
    )


def aftersales_of_line(*, access: Access, line_id: int) -> list[AfterSale]:
    """Every case of one order line (for the order pages)."""
    return list(aftersales_visible(access=access).filter(line_id=line_id).order_by("-id")[:50])


# Settlements -------------------------------------------------------------------------------------


def _local_range(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(date_from, dt.time.min, tzinfo=tz),
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def settlements_visible(*, access: Access, shop_id: int | None = None) -> QuerySet[SettlementEntry]:
    ids = shop_ids_visible(access=access)
    if shop_id is not None:
        ids = [s for s in ids if s == shop_id]
    return SettlementEntry.objects.filter(shop_id__in=ids)


def settlement_page(
    *,
    access: Access,
    shop_id: int | None,
    date_from: dt.date,
    date_to: dt.date,
    billing_type: str = "",
    before_id: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of a shop's settlement rows in the period (local days), newest first."""
    start, end = _local_range(date_from, date_to)
    qs = settlements_visible(access=access, shop_id=shop_id).filter(
        occurred_at__gte=start, occurred_at__lt=end
    )
    if billing_type:
        qs = qs.filter(billing_type=billing_type)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    rows = list(qs.select_related("line").order_by("-id")[: size + 1])
    return Page(rows=rows[:size], next_before=rows[size - 1].id if len(rows) > size else None)


FEE_FIELDS = (
    "order_paid_fen",
    "freight_fen",
    "platform_subsidy_fen",
    "refund_fen",
    "platform_fee_fen",
    "commission_fen",
    "merchant_service_fee_fen",
    "promotion_fee_fen",
)


def settlement_totals(*, access: Access, shop_id: int | None, date_from: dt.date, date_to: dt.date) -> dict:
    """Totals of a shop's settlement rows in the period: income, expense and net of the amounts,
    each fee type, and the same per billing type (at most 30 types, largest net first)."""
    start, end = _local_range(date_from, date_to)
    qs = settlements_visible(access=access, shop_id=shop_id).filter(
        occurred_at__gte=start, occurred_at__lt=end
    )
    sums = {
        "entries": Count("id"),
        "income_fen": Sum("amount_fen", filter=Q(amount_fen__gt=0)),
        "expense_fen": Sum("amount_fen", filter=Q(amount_fen__lt=0)),
        "net_fen": Sum("amount_fen"),
        **{f: Sum(f) for f in FEE_FIELDS},
    }
    total = {k: int(v or 0) for k, v in qs.aggregate(**sums).items()}
    by_type = [
        {k: (v if k == "billing_type" else int(v or 0)) for k, v in row.items()}
        for row in qs.values("billing_type").annotate(**sums).order_by("-net_fen")[:30]
    ]
    return {"total": total, "by_type": by_type}
