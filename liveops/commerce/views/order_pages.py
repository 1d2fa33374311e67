"""Order pages (EC-1): the order list with filters and keyset paging, and an order with its lines,
attribution, after-sales and fees. Buyer contacts are shown masked; a user holding
``commerce.view_personal`` over the shop's department may reveal them (POST), which is logged."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from liveops.commerce.models.orders import AfterSaleState, LineStatus
from liveops.commerce.selectors import orders as sel
from liveops.commerce.selectors.shops import shops_visible
from liveops.commerce.services.order_contacts import order_contact_reveal
from liveops.commerce.views.dashboards import date_field
from liveops.core.duties import serves
from liveops.core.errors import NotAllowed
from liveops.core.permissions import capability_required


def _sm(widget):
    widget.attrs.setdefault(
        "class",
        "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm",
    )
    return widget


class OrderFilterForm(forms.Form):
    """Filters of the order list (GET parameters)."""

    shop = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=gettext_lazy("Shop"))
    status = forms.ChoiceField(required=False, label=gettext_lazy("Status"))
    aftersale = forms.ChoiceField(required=False, label=gettext_lazy("After-sales"))
    date_from = date_field(gettext_lazy("From"))
    date_to = date_field(gettext_lazy("To"))
    q = forms.CharField(required=False, max_length=40, label=gettext_lazy("Order or sub-order number"))
    ordering = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Show"),
        choices=[
            ("paid", gettext_lazy("Paid orders, by payment time")),
            ("new", gettext_lazy("All orders (unpaid too), newest imported first")),
        ],
    )

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [("", _("All shops")), *[(s.pk, str(s)) for s in shops]]
        self.fields["status"].choices = [("", _("All statuses")), *LineStatus.choices]
        self.fields["aftersale"].choices = [
            ("", _("Any after-sales")),
            (sel.AFTERSALE_ANY, _("With after-sales")),
            *[(v, lbl) for v, lbl in AfterSaleState.choices if v != AfterSaleState.NONE],
        ]
        for field in self.fields.values():
            _sm(field.widget)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> sel.OrderFilters:
        """The valid filters; a shop the user may not see (not among the choices) shows nothing."""
        if not self.is_bound:
            return sel.OrderFilters()
        self.is_valid()
        data = self.cleaned_data
        return sel.OrderFilters(
            shop_id=0 if "shop" in self.errors else data.get("shop"),
            status=data.get("status") or "",
            aftersale=data.get("aftersale") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            search=(data.get("q") or "").strip(),
            ordering=data.get("ordering") or "paid",
        )


@serves("EC-1", feature=gettext_noop("Orders: filters by shop, status, after-sales, dates; order search"))
@capability_required("commerce.view")
def order_list(request):
    shops = list(shops_visible(access=request.access))
    form = OrderFilterForm(request.GET or None, shops=shops)
    filters = form.filters()
    cursor = request.GET.get("cursor", "")[:200]
    orders, next_cursor = sel.order_page(
        access=request.access, filters=filters, cursor=cursor, size=sel.PAGE_SIZE
    )
    states = sel.line_states(orders)
    more = request.GET.copy()
    more["cursor"] = next_cursor
    first = request.GET.copy()
    first.pop("cursor", None)
    ctx = {
        "form": form,
        "rows": [(o, states[o.pk]) for o in orders],
        "ordering": filters.effective_ordering,
        "next_query": more.urlencode() if next_cursor else "",
        "first_query": first.urlencode() if cursor else None,
        "page_size": sel.PAGE_SIZE,
    }
    template = (
        "commerce/orders/_order_rows.html"
        if request.htmx and request.htmx.target == "order-rows"
        else "commerce/orders/order_list.html"
    )
    return render(request, template, ctx)


def _order_or_404(request, pk: int):
    order = sel.order_get(access=request.access, pk=pk)
    if order is None:
        raise Http404
    return order


def _detail_context(request, order) -> dict:
    lines = list(sel.order_lines(order))
    totals = {
        f: sum(getattr(x, f) for x in lines)
        for f in (
            "quantity",
            "amount_due_fen",
            "freight_fen",
            "discount_total_fen",
            "amount_paid_fen",
            "refund_fen",
            "platform_fee_fen",
            "commission_fen",
            "promotion_fee_fen",
        )
    }
    return {
        "order": order,
        "lines": lines,
        "totals": totals,
        "aftersales": list(sel.order_aftersales(order, lines)),
        "settlements": list(sel.order_settlements(order, lines)),
        "can_reveal": bool(order.contact_sealed) and sel.can_see_personal(access=request.access, order=order),
        "contact": None,
        "object_type": "commerce.order",
    }


@serves("EC-1", feature=gettext_noop("Order detail: lines, attribution, after-sales, fees; masked buyer"))
@capability_required("commerce.view")
def order_detail(request, pk: int):
    order = _order_or_404(request, pk)
    return render(request, "commerce/orders/order_detail.html", _detail_context(request, order))


@serves("EC-1", feature=gettext_noop("Reveal a buyer's contact (logged)"))
@capability_required("commerce.view_personal")
@require_POST
def order_contact(request, pk: int):
    """Show the buyer's name, phone and address in clear (the view is written to the audit log)."""
    order = _order_or_404(request, pk)
    try:
        contact = order_contact_reveal(actor=request.user, access=request.access, order=order)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    if request.htmx:
        return render(request, "commerce/orders/_contact.html", {"order": order, "contact": contact})
    ctx = _detail_context(request, order)
    ctx["contact"] = contact
    return render(request, "commerce/orders/order_detail.html", ctx)
