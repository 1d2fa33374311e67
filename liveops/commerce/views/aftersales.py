"""After-sales and settlement pages (EC-1; the after-sales list is also in customer service's menu):
the after-sales cases with filters and keyset paging, one case with its order line, and a shop's
settlement rows for a period with totals by fee type."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from liveops.commerce.models.orders import AfterSaleState
from liveops.commerce.selectors import aftersales as sel
from liveops.commerce.selectors.dashboards import DATE_BOUNDS
from liveops.commerce.selectors.shops import shop_get, shops_visible
from liveops.commerce.services.aftersales import aftersales_relink
from liveops.core.duties import serves
from liveops.core.errors import NotAllowed
from liveops.core.forms import DateInput, int_or_none
from liveops.core.permissions import capability_required

# What Douyin calls its after-sales types (offered as suggestions; any text filters).
KIND_SUGGESTIONS = ("仅退款", "退货退款", "换货", "补寄", "维修")
MAX_SPAN_DAYS = 366


def _small(form: forms.Form) -> None:
    for field in form.fields.values():
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else "form-control form-control-sm"
        )
        field.widget.attrs.setdefault("class", css)


class AfterSaleFilterForm(forms.Form):
    shop = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=gettext_lazy("Shop"))
    kind = forms.CharField(required=False, max_length=40, label=gettext_lazy("Type"))
    state = forms.ChoiceField(required=False, label=gettext_lazy("Status"))
    tag = forms.CharField(required=False, max_length=100, label=gettext_lazy("Reason tag"))
    number = forms.CharField(
        required=False, max_length=40, label=gettext_lazy("After-sales, order or sub-order number")
    )
    before = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [("", _("All shops")), *[(s.pk, str(s)) for s in shops]]
        self.fields["state"].choices = [
            ("", _("All statuses")),
            *[(v, lbl) for v, lbl in AfterSaleState.choices if v != AfterSaleState.NONE],
        ]
        _small(self)

    def values(self) -> dict:
        """The selector's filters (invalid values are ignored, not guessed)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "shop_id": data.get("shop"),
            "kind": (data.get("kind") or "").strip(),
            "state": data.get("state") or "",
            "reason_tag": (data.get("tag") or "").strip(),
            "number": (data.get("number") or "").strip().lstrip("'\t"),
            "before_id": data.get("before"),
        }


def _query_without(request, *names: str) -> str:
    q = request.GET.copy()
    for n in names:
        q.pop(n, None)
    return q.urlencode()


@serves("EC-1", feature=gettext_noop("After-sales cases: filters by shop, type, status and reason tag"))
@capability_required("commerce.view")
def aftersale_list(request):
    shops = list(shops_visible(access=request.access))
    form = AfterSaleFilterForm(request.GET, shops=shops)
    values = form.values()
    page = sel.aftersale_page(access=request.access, **values)
    shop_id = values["shop_id"]
    can_relink = shop_id is not None and request.access.reaches_department(
        "commerce.import", next((s.department_id for s in shops if s.pk == shop_id), None)
    )
    ctx = {
        "form": form,
        "page": page,
        "more_query": _query_without(request, "before"),
        "kinds": KIND_SUGGESTIONS,
        "can_relink": can_relink,
        "shop_id": shop_id,
    }
    template = (
        "commerce/aftersales/_aftersale_rows.html"
        if request.htmx and values["before_id"]
        else "commerce/aftersales/aftersale_list.html"
    )
    return render(request, template, ctx)


def order_url(order_id: int | None) -> str | None:
    """The order page of the order module, when it is there."""
    if not order_id:
        return None
    for name in ("commerce-order", "commerce-order-detail"):
        try:
            return reverse(name, args=[order_id])
        except NoReverseMatch:
            continue
    return None


@serves("EC-1", feature=gettext_noop("After-sales case with its order line, refund and times"))
@capability_required("commerce.view")
def aftersale_detail(request, pk: int):
    case = sel.aftersale_get(access=request.access, pk=pk)
    if case is None:
        raise Http404
    line = case.line
    return render(
        request,
        "commerce/aftersales/aftersale_detail.html",
        {
            "case": case,
            "line": line,
            "order_url": order_url(line.order_id if line else None),
            "object_type": "commerce.aftersale",
        },
    )


@capability_required("commerce.import")
@require_POST
def aftersale_relink(request):
    """Link the chosen shop's waiting cases and settlement rows (a button of the after-sales list)."""
    raw = request.POST.get("shop", "")
    pk = int_or_none(raw)
    shop = shop_get(access=request.access, pk=pk) if pk is not None else None
    if shop is None:
        raise Http404
    try:
        n = aftersales_relink(actor=request.user, shop=shop)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    messages.success(request, _("%(n)s rows linked to their order lines.") % {"n": n})
    return redirect(f"{reverse('commerce-aftersales')}?shop={shop.pk}")


class SettlementFilterForm(forms.Form):
    shop = forms.TypedChoiceField(required=True, coerce=int, label=gettext_lazy("Shop"))
    date_from = forms.DateField(
        required=False,
        label=gettext_lazy("From"),
        widget=DateInput(),
        validators=DATE_BOUNDS,
    )
    date_to = forms.DateField(
        required=False,
        label=gettext_lazy("To"),
        widget=DateInput(),
        validators=DATE_BOUNDS,
    )
    type = forms.CharField(required=False, max_length=60, label=gettext_lazy("Billing type"))
    before = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [(s.pk, str(s)) for s in shops]
        _small(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (end - start).days > MAX_SPAN_DAYS:
                self.add_error("date_to", _("Choose at most one year."))
        return data


@serves("EC-1", feature=gettext_noop("Settlement and fund-movement rows of a shop, with totals by fee type"))
@capability_required("commerce.view")
def settlement_list(request):
    shops = list(shops_visible(access=request.access))
    today = timezone.localdate()
    initial = {"shop": shops[0].pk if shops else None, "date_from": today.replace(day=1), "date_to": today}
    data = {**{k: v for k, v in initial.items() if v is not None}, **request.GET.dict()}
    form = SettlementFilterForm(data, shops=shops)
    ctx = {"form": form, "shops": shops, "page": None, "totals": None}
    if shops and form.is_valid():
        d = form.cleaned_data
        date_from: dt.date = d.get("date_from") or initial["date_from"]
        date_to: dt.date = d.get("date_to") or today
        kwargs = {"access": request.access, "shop_id": d["shop"], "date_from": date_from, "date_to": date_to}
        page = sel.settlement_page(
            **kwargs, billing_type=(d.get("type") or "").strip(), before_id=d.get("before")
        )
        ctx.update(
            page=page,
            more_query=_query_without(request, "before"),
            date_from=date_from,
            date_to=date_to,
        )
        if request.htmx and d.get("before"):
            return render(request, "commerce/aftersales/_settlement_rows.html", ctx)
        totals = sel.settlement_totals(**kwargs)
        fee_labels = [
            ("order_paid_fen", _("Order paid (to settle)")),
            ("freight_fen", _("Freight")),
            ("platform_subsidy_fen", _("Platform subsidy")),
            ("refund_fen", _("Refunds")),
            ("platform_fee_fen", _("Platform service fee")),
            ("commission_fen", _("Commission")),
            ("merchant_service_fee_fen", _("Recruitment service fee")),
            ("promotion_fee_fen", _("Off-site promotion fee")),
        ]
        rows = [{"billing_type": _("All"), **totals["total"]}, *totals["by_type"]]
        ctx.update(
            totals=totals,
            fee_labels=fee_labels,
            fee_rows=[
                {
                    "label": r["billing_type"],
                    "net": r["net_fen"],
                    "values": [r[f] for f, _label in fee_labels],
                }
                for r in rows
            ],
        )
    return render(request, "commerce/aftersales/settlement_list.html", ctx)
