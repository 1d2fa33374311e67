"""Shops and attribution pages: open a shop, map the unmatched queue to library products (EC-1)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liveops.commerce import forms
from liveops.commerce.selectors.attribution import rule_list, unmatched_queue
from liveops.commerce.services.attribution import attribution_rule_create
from liveops.commerce.services.shops import shop_create
from liveops.core.duties import serves
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.permissions import capability_required
from liveops.org.models import Department


@serves("EC-1", feature=gettext_noop("Open a shop on a platform"))
@capability_required("commerce.change")
def shop_new(request):
    access = request.access
    ids = access.department_ids("commerce.change")
    departments = Department.objects.all() if ids is None else Department.objects.filter(pk__in=ids or [])
    form = forms.ShopForm(request.POST or None, departments=departments.order_by("sort_order", "code"))
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            shop = shop_create(
                actor=request.user,
                platform=cd["platform"],
                name=cd["name"],
                department=cd["department"],
                platform_shop_id=cd["platform_shop_id"],
            )
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Shop “%(name)s” opened.") % {"name": shop.name})
            return redirect("commerce-unmatched")
    return render(request, "commerce/shop_form.html", {"form": form})


@serves("EC-1", feature=gettext_noop("Unmatched order lines: map platform products to the library once"))
@capability_required("commerce.view")
def unmatched(request):
    access = request.access
    can_map = access.can("commerce.change")
    form = None
    if request.method == "POST":
        if not can_map:
            raise PermissionDenied
        form = forms.RuleForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                _rule, matched = attribution_rule_create(
                    actor=request.user,
                    platform=cd["platform"],
                    key_kind=cd["key_kind"],
                    key_value=cd["key_value"],
                    product=cd["product"],
                    sku=cd["sku"],
                )
            except DomainError as exc:
                # Including NotAllowed: the user may map (checked above), only not this value, and the
                # form says why.
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("Mapped: %(n)s order lines are now attributed to “%(product)s”.")
                    % {"n": matched, "product": cd["product"].title},
                )
                return redirect("commerce-unmatched")
    return render(
        request,
        "commerce/unmatched.html",
        {"queue": unmatched_queue(access=access), "can_map": can_map, "form": form},
    )


@serves("EC-1", feature=gettext_noop("Product mappings of the platforms"))
@capability_required("commerce.view")
def rules(request):
    rows = list(rule_list(access=request.access)[:500])
    return render(request, "commerce/rules.html", {"rules": rows, "truncated": len(rows) == 500})
