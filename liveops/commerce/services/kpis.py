"""KPIs of e-commerce operations (EC-4): definitions, targets and measurements. Keyword-only, atomic,
audited.

- Definitions are company-wide and set by managers (``commerce.manage``). A computed KPI names the
  rollup metric it is read from (``Kpi.Metric``: GMV, paid orders, average order value, buyers,
  payment conversion, refund rate) and its unit follows from it; an entered KPI (visitors 访客数,
  page CTR, member sign-up rate…) has no metric and gets measurements.
- Targets are set by managers: ``commerce.manage`` over the shop's department, or over every shop's
  department for a company total (``shop=None``). One target per KPI, shop and period: setting it
  again replaces the value.
- Measurements of entered KPIs are recorded by staff (``commerce.change`` over the shop's
  department): one value per KPI, shop and day, replaced when recorded again.

Values are in the KPI's unit (whole fen, percent points, counts, ratios), at most 4 decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.commerce.models import Kpi, KpiMeasurement, KpiTarget, Shop
from liveops.core.audit import audit_delete, model_create, model_update
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.imports.registry import access_for_actor

# The unit each computed metric is in.
METRIC_UNITS = {
    Kpi.Metric.GMV: Kpi.Unit.FEN,
    Kpi.Metric.AOV: Kpi.Unit.FEN,
    Kpi.Metric.ORDERS: Kpi.Unit.COUNT,
    Kpi.Metric.BUYERS: Kpi.Unit.COUNT,
    Kpi.Metric.PAYMENT_CONVERSION: Kpi.Unit.PERCENT,
    Kpi.Metric.REFUND_RATE: Kpi.Unit.PERCENT,
}
MAX_VALUE = Decimal("99999999999999")  # 14 digits before the point (max_digits 18, 4 decimals)
FOUR = Decimal("0.0001")

# (code, name, unit, higher is better, metric, description): the KPIs a new company starts with.
DEFAULT_KPIS = [
    ("gmv", "成交金额 GMV", Kpi.Unit.FEN, True, Kpi.Metric.GMV, "Paid GMV of the shop (pay time)."),
    ("orders", "支付订单数 Paid orders", Kpi.Unit.COUNT, True, Kpi.Metric.ORDERS, "Orders paid (pay time)."),
    ("aov", "客单价 Average order value", Kpi.Unit.FEN, True, Kpi.Metric.AOV, "GMV / paid orders."),
    ("buyers", "成交人数 Buyers", Kpi.Unit.COUNT, True, Kpi.Metric.BUYERS, "Distinct paying buyers."),
    (
        "payment-conversion",
        "支付转化率 Payment conversion",
        Kpi.Unit.PERCENT,
        True,
        Kpi.Metric.PAYMENT_CONVERSION,
        "Paid orders / submitted orders.",
    ),
    (
        "refund-rate",
        "退款率 Refund rate",
        Kpi.Unit.PERCENT,
        False,
        Kpi.Metric.REFUND_RATE,
        "Refunded lines / paid lines (by pay day).",
    ),
    (
        "visitors",
        "访客数 Visitors",
        Kpi.Unit.COUNT,
        True,
        "",
        "Shop visitors (UV) from the platform's back office.",
    ),
    (
        "page-ctr",
        "页面点击率 Page CTR",
        Kpi.Unit.PERCENT,
        True,
        "",
        "Clicks / impressions of the shop's pages.",
    ),
    (
        "member-signup-rate",
        "会员注册率 Member sign-up rate",
        Kpi.Unit.PERCENT,
        True,
        "",
        "New members / visitors.",
    ),
    (
        "listing-favourites",
        "商品收藏加购 Listing favourites and add-to-cart",
        Kpi.Unit.COUNT,
        True,
        "",
        "Favourites plus add-to-cart of the shop's listings (listing popularity).",
    ),
]


def _access(actor):
    return access_for_actor(actor)


def _require_manage_any(actor) -> None:
    if actor is not None and not _access(actor).can("commerce.manage"):
        raise NotAllowed(_("You are not allowed to do this."))


def _require_over_shop(actor, capability: str, shop: Shop | None) -> None:
    """``capability`` over the shop's department, or over every shop's department for ``None``."""
    if actor is None:
        return
    access = _access(actor)
    if shop is not None:
        ok = access.reaches_department(capability, shop.department_id)
    else:
        departments = set(Shop.objects.values_list("department_id", flat=True))
        ok = access.can(capability) and all(access.reaches_department(capability, d) for d in departments)
    if not ok:
        raise NotAllowed(_("You are not allowed to do this."))


def _value(kpi: Kpi, value, field: str) -> Decimal:
    """A target or measurement in the KPI's unit: a number ≥ 0 with at most 4 decimals (whole fen
    for amounts)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainError(_("Not a number."), fields={field: [_("Not a number.")]}) from exc
    if not number.is_finite():
        raise DomainError(_("Not a number."), fields={field: [_("Not a number.")]})
    if number < 0:
        raise DomainError(_("Must not be negative."), fields={field: [_("Must not be negative.")]})
    if number > MAX_VALUE:
        raise DomainError(_("This value is too large."), fields={field: [_("This value is too large.")]})
    if kpi.unit == Kpi.Unit.FEN and number != number.to_integral_value():
        raise DomainError(
            _("Give a whole number of fen."), fields={field: [_("Give a whole number of fen.")]}
        )
    if number != number.quantize(FOUR):
        raise DomainError(_("At most 4 decimals."), fields={field: [_("At most 4 decimals.")]})
    return number.quantize(FOUR)


@transaction.atomic
def kpi_create(
    *,
    actor,
    code: str,
    name: str,
    unit: str = "",
    higher_is_better: bool = True,
    metric: str = "",
    description: str = "",
) -> Kpi:
    """Define a KPI (managers). A computed KPI's unit follows its metric; an entered KPI needs a unit."""
    _require_manage_any(actor)
    if metric and metric not in Kpi.Metric.values:
        raise DomainError(_("Unknown metric."), fields={"metric": [_("Unknown metric.")]})
    if metric:
        expected = METRIC_UNITS[metric]
        if unit and unit != expected:
            raise DomainError(
                _("This metric is measured in another unit."),
                fields={"unit": [_("Does not match the metric.")]},
            )
        unit = expected
    if unit not in Kpi.Unit.values:
        raise DomainError(_("Choose a unit."), fields={"unit": [_("A value is required.")]})
    code = (code or "").strip().lower()
    if Kpi.objects.filter(code=code).exists():
        raise Conflict(_("A KPI with this code exists."), fields={"code": [_("Already in use.")]})
    return model_create(
        actor=actor,
        model=Kpi,
        code=code,
        name=(name or "").strip(),
        unit=unit,
        higher_is_better=bool(higher_is_better),
        metric=metric or "",
        description=description or "",
    )


@transaction.atomic
def kpi_update(*, actor, kpi: Kpi, data: dict) -> Kpi:
    """Rename, describe, flip the direction or (de)activate a KPI (managers). Its code, unit and
    metric stay: targets and measurements already recorded are in them."""
    _require_manage_any(actor)
    allowed = {"name", "description", "higher_is_better", "is_active"}
    kpi, _changed = model_update(
        actor=actor, instance=kpi, data={k: v for k, v in data.items() if k in allowed}
    )
    return kpi


def kpi_defaults_ensure() -> list[Kpi]:
    """Create the default KPI definitions that are missing (by code), as the system. Idempotent:
    the demo and a fresh installation call it; definitions people changed are left as they are."""
    created = []
    with transaction.atomic():
        existing = set(Kpi.objects.values_list("code", flat=True))
        for code, name, unit, higher, metric, description in DEFAULT_KPIS:
            if code in existing:
                continue
            created.append(
                kpi_create(
                    actor=None,
                    code=code,
                    name=name,
                    unit=unit,
                    higher_is_better=higher,
                    metric=metric,
                    description=description,
                )
            )
    return created


@transaction.atomic
def kpi_target_set(
    *,
    actor,
    kpi: Kpi,
    period_start: dt.date,
    period_end: dt.date,
    target,
    shop: Shop | None = None,
) -> tuple[KpiTarget, bool]:
    """Set a KPI's target for a shop (or the company, ``shop=None``) and period (managers only).
    Setting the same KPI, shop and period again replaces the value. Returns (target, created)."""
    _require_over_shop(actor, "commerce.manage", shop)
    if period_start is None or period_end is None:
        raise DomainError(_("A date is required."), fields={"period_start": [_("A date is required.")]})
    if period_end < period_start:
        raise DomainError(
            _("The end date is before the start date."),
            fields={"period_end": [_("The end date is before the start date.")]},
        )
    value = _value(kpi, target, "target")
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    existing = (
        KpiTarget.objects.select_for_update()
        .filter(kpi=kpi, shop=shop, period_start=period_start, period_end=period_end)
        .first()
    )
    if existing is not None:
        row, changed = model_update(actor=actor, instance=existing, data={"target": value})
        if changed:
            KpiTarget.objects.filter(pk=row.pk).update(set_by=user, set_at=timezone.now())
        return row, False
    try:
        with transaction.atomic():
            row = model_create(
                actor=actor,
                model=KpiTarget,
                kpi=kpi,
                shop=shop,
                period_start=period_start,
                period_end=period_end,
                target=value,
                set_by=user,
            )
    except IntegrityError as exc:  # a concurrent request set it first
        raise Conflict(_("This target was just set by someone else; reload.")) from exc
    return row, True


@transaction.atomic
def kpi_target_delete(*, actor, target: KpiTarget) -> None:
    _require_over_shop(actor, "commerce.manage", target.shop)
    audit_delete(actor=actor, instance=target)
    target.delete()


@transaction.atomic
def kpi_measurement_record(
    *, actor, kpi: Kpi, day: dt.date, value, shop: Shop | None = None
) -> tuple[KpiMeasurement, bool]:
    """Record an entered KPI's value for a shop (or the company) on a day (``commerce.change`` over
    the shop's department). Computed KPIs are read from the rollups and refuse values."""
    if kpi.metric:
        raise DomainError(
            _("This KPI is computed from the orders; there is nothing to enter."),
            code="computed_kpi",
            fields={"kpi": [_("Computed from the orders.")]},
        )
    _require_over_shop(actor, "commerce.change", shop)
    if day is None:
        raise DomainError(_("A date is required."), fields={"day": [_("A date is required.")]})
    if day > timezone.localdate():
        raise DomainError(_("A day still to come."), fields={"day": [_("A day in the future.")]})
    number = _value(kpi, value, "value")
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    existing = KpiMeasurement.objects.select_for_update().filter(kpi=kpi, shop=shop, day=day).first()
    if existing is not None:
        row, _changed = model_update(actor=actor, instance=existing, data={"value": number})
        return row, False
    row = model_create(
        actor=actor, model=KpiMeasurement, kpi=kpi, shop=shop, day=day, value=number, recorded_by=user
    )
    return row, True
