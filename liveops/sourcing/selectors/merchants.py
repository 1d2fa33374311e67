"""Reads of the merchant library, scoped to the actor (``sourcing.view`` over the merchant's
department; QC and executives read company-wide through their roles)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum

from liveops.core.access import Access, scope_queryset
from liveops.core.pinyin import pinyin_full
from liveops.sourcing.models import Merchant, PipelineStage

MERCHANT_SORTS = {
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "level": ("level", "name_pinyin", "id"),
    "city": ("city", "name_pinyin", "id"),
}


def merchant_list(
    *,
    access: Access,
    search: str = "",
    kind: str = "",
    level: str = "",
    status: str = "",
    category: str = "",
    sort: str = "name",
) -> QuerySet[Merchant]:
    """Merchants the actor may see. ``search`` matches the Chinese name, the USCC, the full pinyin or
    the pinyin initials (``zrt`` finds 自然堂); filters by kind, level, status and category code."""
    qs = scope_queryset(Merchant.objects.all(), access=access, capability="sourcing.view")
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(categories__code=category)
    s = (search or "").strip()
    if s:
        cond = Q(name__icontains=s) | Q(uscc=s.upper())
        if s.isascii():
            low = s.lower().replace(" ", "")
            cond |= Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low)
        else:
            cond |= Q(name_pinyin__startswith=pinyin_full(s))
        qs = qs.filter(cond)
    return qs.select_related("department", "owner").order_by(
        *MERCHANT_SORTS.get(sort, MERCHANT_SORTS["name"])
    )


def merchant_get(*, access: Access, pk: int) -> Merchant | None:
    return merchant_list(access=access).filter(pk=pk).first()


def merchant_can_change(*, access: Access, merchant: Merchant) -> bool:
    return access.reaches_department("sourcing.change", merchant.department_id)


def can_see_personal(*, access: Access, merchant: Merchant) -> bool:
    """Contacts' phone and WeChat in clear: ``sourcing.view_personal`` over the merchant's department."""
    return access.reaches_department("sourcing.view_personal", merchant.department_id)


def merchant_performance(*, merchant: Merchant) -> dict:
    """MR-6: the merchant's products by pipeline stage, samples and their cost, and its QC record
    (inspection pass rate, defects). Sales figures come once orders are imported."""
    from liveops.quality.models import Defect, Inspection

    by_stage = dict(merchant.products.values_list("stage").annotate(n=Count("id")))
    stages = [(value, label, by_stage.get(value, 0)) for value, label in PipelineStage.choices]
    cost = ExpressionWrapper(
        F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    samples = merchant.samples.aggregate(n=Count("id"), units=Sum("quantity"), cost=Sum(cost))
    results = dict(
        Inspection.objects.filter(product__merchant=merchant)
        .exclude(result=Inspection.Result.PENDING)
        .values_list("result")
        .annotate(n=Count("id"))
    )
    passed, failed = results.get(Inspection.Result.PASSED, 0), results.get(Inspection.Result.FAILED, 0)
    decided = passed + failed
    defects = Defect.objects.filter(merchant=merchant)
    by_severity = dict(defects.values_list("severity").annotate(n=Count("id")))
    return {
        "stages": stages,
        "products_total": sum(by_stage.values()),
        "samples": samples["n"] or 0,
        "sample_units": samples["units"] or 0,
        "sample_cost": Decimal(samples["cost"] or 0).quantize(Decimal("0.01")),
        "inspections_passed": passed,
        "inspections_failed": failed,
        "pass_rate": (Decimal(passed * 100) / decided).quantize(Decimal("0.1")) if decided else None,
        "defects_total": sum(by_severity.values()),
        "defects_open": defects.exclude(status=Defect.Status.CLOSED).count(),
        "defects_by_severity": [
            (value, label, by_severity.get(value, 0)) for value, label in Defect.Severity.choices
        ],
    }
