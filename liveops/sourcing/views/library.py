"""Merchant and product library pages (MR-1, MR-2, MR-4, MR-6, MC-1, MC-3, MC-4, MR-3) and the
credentials pages (QC-3). Thin: selectors read, services write, forms show the services' errors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from liveops.core.audit import audit_log
from liveops.core.duties import serves
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.exports import export_response
from liveops.core.forms import form_errors_keep, form_errors_restore, int_or_none
from liveops.core.masking import mask_phone
from liveops.core.models import AuditAction
from liveops.core.permissions import capability_required
from liveops.quality.gates import approval_blockers
from liveops.sourcing import forms
from liveops.sourcing.models import Category, CategoryPlan, Credential, Merchant, PipelineStage
from liveops.sourcing.selectors import credentials as cred_sel
from liveops.sourcing.selectors import merchants as merchant_sel
from liveops.sourcing.selectors import plans as plan_sel
from liveops.sourcing.selectors import products as product_sel
from liveops.sourcing.services import credentials as cred_svc
from liveops.sourcing.services import merchants as merchant_svc
from liveops.sourcing.services import plans as plan_svc
from liveops.sourcing.services import products as product_svc

LIST_LIMIT = 200


def _mask_wechat(value: str) -> str:
    if not value:
        return ""
    return value[:2] + "****" if len(value) > 2 else "****"


def contact_rows(*, request, merchant: Merchant, contacts) -> list[dict]:
    """Contacts with phone and WeChat masked unless the viewer holds ``sourcing.view_personal`` over
    the merchant's department; an unmasked view is written to the audit log."""
    show = merchant_sel.can_see_personal(access=request.access, merchant=merchant)
    rows = []
    for c in contacts:
        rows.append(
            {
                "contact": c,
                "phone": c.phone if show else mask_phone(c.phone),
                "wechat": c.wechat if show else _mask_wechat(c.wechat),
            }
        )
    if show and any(c.phone or c.wechat for c in contacts):
        audit_log(
            actor=request.user,
            action=AuditAction.VIEW_PERSONAL,
            instance=merchant,
            changes={"contact_ids": [c.pk for c in contacts]},
        )
    return rows


def _merchant_or_404(request, pk: int) -> Merchant:
    merchant = merchant_sel.merchant_get(access=request.access, pk=pk)
    if merchant is None:
        raise Http404
    return merchant


def _require_change(request, department_id: int) -> None:
    if not request.access.reaches_department("sourcing.change", department_id):
        raise Http404


# Merchants --------------------------------------------------------------------------------------


@serves("MR-1", "MR-4", feature=gettext_noop("Merchant library: search (pinyin), filters, export"))
@capability_required("sourcing.view")
def merchant_list(request):
    access = request.access
    g = request.GET
    params = {
        "search": g.get("q", ""),
        "kind": g.get("kind", ""),
        "level": g.get("level", ""),
        "status": g.get("status", ""),
        "category": g.get("category", ""),
        "sort": g.get("sort", "name"),
    }
    qs = merchant_sel.merchant_list(access=access, **params)
    fmt = g.get("export")
    if fmt in ("csv", "xlsx"):
        if not access.can("sourcing.export"):
            raise Http404
        return _merchant_export(request, qs, fmt)
    page = list(qs.prefetch_related("categories")[: LIST_LIMIT + 1])
    ctx = {
        "merchants": page[:LIST_LIMIT],
        "truncated": len(page) > LIST_LIMIT,
        "f": params,
        "kinds": Merchant.Kind.choices,
        "levels": Merchant.Level.choices,
        "statuses": Merchant.Status.choices,
        "categories": Category.objects.order_by("code"),
        "can_create": access.can("sourcing.change"),
        "can_export": access.can("sourcing.export"),
    }
    template = (
        "sourcing/library/_merchant_rows.html"
        if request.htmx and request.htmx.target == "merchant-rows"
        else "sourcing/library/merchant_list.html"
    )
    return render(request, template, ctx)


def _merchant_export(request, qs, fmt: str):
    access = request.access
    rows, unmasked = [], []
    for m in qs.prefetch_related("categories", "contacts").iterator(chunk_size=2000):
        primary = next((c for c in m.contacts.all() if c.is_primary), None) or next(
            iter(m.contacts.all()), None
        )
        show = merchant_sel.can_see_personal(access=access, merchant=m)
        phone = ""
        if primary is not None:
            phone = primary.phone if show else mask_phone(primary.phone)
            if show and primary.phone:
                unmasked.append(m.pk)
        rows.append(
            [
                m.name,
                m.uscc or "",
                m.get_kind_display(),
                m.get_level_display(),
                m.get_status_display(),
                m.department.name,
                m.city,
                " / ".join(c.name for c in m.categories.all()),
                primary.name if primary else "",
                phone,
                m.created_at.date().isoformat(),
            ]
        )
    audit_log(
        actor=request.user,
        action=AuditAction.ACTION,
        verb="export",
        object_type_label="sourcing.merchant",
        object_repr=f"merchant export ({len(rows)})",
        changes={"format": fmt, "unmasked_ids": unmasked[:1000]},
    )
    header = [
        _("Name"),
        _("Unified social credit code"),
        _("Kind"),
        _("Cooperation level"),
        _("Status"),
        _("Department"),
        _("City"),
        _("Categories"),
        _("Primary contact"),
        _("Mobile phone"),
        _("Created"),
    ]
    return export_response(fmt=fmt, filename="merchants", header=header, rows=rows)


def _similar_warning(form, *, exclude_pk=None) -> list:
    """Near-duplicate names: shown until the user confirms it is a different merchant."""
    if not form.is_valid() or form.cleaned_data.get("confirm_similar"):
        return []
    similar = [
        s
        for s in merchant_svc.merchant_similar(name=form.cleaned_data["name"], exclude_pk=exclude_pk)
        if not s.exact
    ]
    if similar:
        form.add_error(
            "confirm_similar", _("Similar merchants are already on file: check the list, then confirm.")
        )
    return similar


@serves("MR-1", "MR-4", feature=gettext_noop("New merchant with duplicate check"))
@capability_required("sourcing.change")
def merchant_create(request):
    form = forms.MerchantForm(request.POST or None, access=request.access)
    similar = []
    if request.method == "POST":
        similar = _similar_warning(form)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_similar"}
            try:
                merchant = merchant_svc.merchant_create(actor=request.user, **data)
                messages.success(request, _("Saved."))
                return redirect("sourcing-merchant-detail", pk=merchant.pk)
            except NotAllowed as exc:
                raise PermissionDenied from exc
            except DomainError as exc:
                form.add_domain_error(exc)
    return render(
        request, "sourcing/library/merchant_form.html", {"form": form, "similar": similar, "merchant": None}
    )


@serves("MR-1", feature=gettext_noop("Edit merchant"))
@capability_required("sourcing.change")
def merchant_edit(request, pk: int):
    merchant = _merchant_or_404(request, pk)
    _require_change(request, merchant.department_id)
    form = forms.MerchantForm(request.POST or None, instance=merchant, access=request.access)
    similar = []
    if request.method == "POST":
        if form.is_valid() and "name" in form.changed_data:
            similar = _similar_warning(form, exclude_pk=merchant.pk)
        if form.is_valid():
            try:
                stored = merchant_sel.merchant_get(access=request.access, pk=merchant.pk)
                data = {k: v for k, v in form.changed_values().items() if k != "confirm_similar"}
                if "categories" in data:
                    data["categories"] = list(data["categories"])
                merchant_svc.merchant_update(actor=request.user, merchant=stored, data=data)
                messages.success(request, _("Saved."))
                return redirect("sourcing-merchant-detail", pk=merchant.pk)
            except NotAllowed as exc:
                raise PermissionDenied from exc
            except DomainError as exc:
                form.add_domain_error(exc)
    return render(
        request,
        "sourcing/library/merchant_form.html",
        {"form": form, "similar": similar, "merchant": merchant},
    )


@serves(
    "MR-1",
    "MR-6",
    "QC-3",
    feature=gettext_noop("Merchant record: profile, contacts, log, credentials, products, performance"),
)
@capability_required("sourcing.view")
def merchant_detail(request, pk: int):
    access = request.access
    merchant = _merchant_or_404(request, pk)
    contacts = list(merchant.contacts.order_by("-is_primary", "name"))
    can_change = merchant_sel.merchant_can_change(access=access, merchant=merchant)
    can_record_credentials = can_change or access.reaches_department("quality.change", merchant.department_id)
    products, more_products = product_sel.product_search(access=access, merchant_id=merchant.pk)
    ctx = {
        "merchant": merchant,
        "tab": request.GET.get("tab", "profile"),
        "contacts": contact_rows(request=request, merchant=merchant, contacts=contacts),
        "logs": merchant.logs.select_related("by")[:100],
        "credentials": cred_sel.credential_list(access=access, merchant=merchant).order_by(
            "kind", "expires_on"
        ),
        "chains": cred_sel.authorisation_chains(merchant=merchant),
        "products": products,
        "more_products": more_products,
        "performance": merchant_sel.merchant_performance(merchant=merchant),
        "can_change": can_change,
        "can_record_credentials": can_record_credentials,
        "can_verify": access.reaches_department("quality.change", merchant.department_id),
        "contact_form": _kept_or_new(request, "contact", forms.ContactForm) if can_change else None,
        "log_form": _kept_or_new(request, "log", forms.LogForm) if can_change else None,
        "brand_form": _kept_or_new(request, "brand", forms.BrandForm) if can_change else None,
        "credential_form": _kept_or_new(request, "credential", forms.CredentialForm, merchant=merchant)
        if can_record_credentials
        else None,
        "verify_form": forms.VerifyForm(),
        "object_type": "sourcing.merchant",
    }
    return render(request, "sourcing/library/merchant_detail.html", ctx)


def _kept_or_new(request, key: str, form_class, **kwargs):
    """The form ``key`` with the errors it was refused with on the previous request, else a new one."""
    return form_errors_restore(request, key, form_class, **kwargs) or form_class(**kwargs)


def _post_and_back(request, merchant: Merchant, tab: str, action, form=None, key: str = ""):
    """Run a service call for a form posted from the merchant's page and go back to the page; a
    refusal goes back with the form and its errors at their fields (``form_errors_keep``)."""
    try:
        action()
        messages.success(request, _("Saved."))
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        if form is None:
            messages.error(request, str(exc.message))
        else:
            form_errors_keep(request, key, form, exc)
    return redirect(_detail_url(merchant, tab))


def _detail_url(merchant: Merchant, tab: str) -> str:
    from django.urls import reverse

    return f"{reverse('sourcing-merchant-detail', args=[merchant.pk])}?tab={tab}"


@capability_required("sourcing.change")
@require_POST
def merchant_contact_add(request, pk: int):
    merchant = _merchant_or_404(request, pk)
    _require_change(request, merchant.department_id)
    form = forms.ContactForm(request.POST)
    if not form.is_valid():
        form_errors_keep(request, "contact", form)
        return redirect(_detail_url(merchant, "contacts"))
    return _post_and_back(
        request,
        merchant,
        "contacts",
        lambda: merchant_svc.contact_save(actor=request.user, merchant=merchant, **form.cleaned_data),
        form=form,
        key="contact",
    )


@serves("MR-5", feature=gettext_noop("Merchant communication and negotiation log"))
@capability_required("sourcing.change")
@require_POST
def merchant_log_add(request, pk: int):
    merchant = _merchant_or_404(request, pk)
    _require_change(request, merchant.department_id)
    form = forms.LogForm(request.POST)
    if not form.is_valid():
        form_errors_keep(request, "log", form)
        return redirect(_detail_url(merchant, "log"))
    return _post_and_back(
        request,
        merchant,
        "log",
        lambda: merchant_svc.merchant_log_add(actor=request.user, merchant=merchant, **form.cleaned_data),
        form=form,
        key="log",
    )


@capability_required("sourcing.change")
@require_POST
def merchant_brand_add(request, pk: int):
    merchant = _merchant_or_404(request, pk)
    _require_change(request, merchant.department_id)
    form = forms.BrandForm(request.POST)
    if not form.is_valid():
        form_errors_keep(request, "brand", form)
        return redirect(_detail_url(merchant, "credentials"))
    return _post_and_back(
        request,
        merchant,
        "credentials",
        lambda: merchant_svc.brand_create(actor=request.user, owner=merchant, **form.cleaned_data),
        form=form,
        key="brand",
    )


# Credentials (QC-3) ------------------------------------------------------------------------------


@serves("QC-3", feature=gettext_noop("Record a merchant credential"))
@capability_required("sourcing.change", "quality.change")
@require_POST
def merchant_credential_add(request, pk: int):
    merchant = _merchant_or_404(request, pk)
    form = forms.CredentialForm(request.POST, request.FILES, merchant=merchant)
    if not form.is_valid():
        form_errors_keep(request, "credential", form)
        return redirect(_detail_url(merchant, "credentials"))
    return _post_and_back(
        request,
        merchant,
        "credentials",
        lambda: cred_svc.credential_create(actor=request.user, merchant=merchant, **form.cleaned_data),
        form=form,
        key="credential",
    )


@serves("QC-3", feature=gettext_noop("Verify a merchant credential"))
@capability_required("quality.change")
@require_POST
def credential_verify(request, pk: int):
    credential = cred_sel.credential_get(access=request.access, pk=pk)
    if credential is None:
        raise Http404
    form = forms.VerifyForm(request.POST)
    if not form.is_valid():
        # Several verify forms share the page (one a credential): name it in the message.
        for errors in form.errors.values():
            messages.error(request, f"{credential}: {' '.join(errors)}")
        return redirect(_detail_url(credential.merchant, "credentials"))
    return _post_and_back(
        request,
        credential.merchant,
        "credentials",
        lambda: cred_svc.credential_verify(actor=request.user, credential=credential, **form.cleaned_data),
    )


@capability_required("sourcing.view")
def credential_file(request, pk: int):
    """The scanned credential, to users who may see its merchant (never a public media URL)."""
    credential = cred_sel.credential_get(access=request.access, pk=pk)
    if credential is None or not credential.file:
        raise Http404
    try:
        handle = credential.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=credential.file.name.rsplit("/", 1)[-1])


@serves("QC-3", feature=gettext_noop("Credentials expiring within 30 days and expired"))
@capability_required("sourcing.view")
def credential_expiry(request):
    days = request.GET.get("days", "30")
    within = int(days) if days.isdigit() and int(days) <= 366 else 30
    ctx = cred_sel.credential_expiry_split(access=request.access, within_days=within)
    return render(request, "sourcing/library/credential_expiry.html", ctx)


# Products ----------------------------------------------------------------------------------------


@serves(
    "MR-2",
    "MR-4",
    feature=gettext_noop("Product library: fast search (pinyin initials, barcode, merchant code)"),
)
@capability_required("sourcing.view")
def product_list(request):
    access = request.access
    g = request.GET
    q = g.get("q", "")
    filters = {"category": g.get("category", ""), "stage": g.get("stage", "")}
    rows, more = product_sel.product_search(access=access, q=q, **filters)
    ctx = {
        "products": rows,
        "more": more,
        "q": q,
        "f": filters,
        "categories": Category.objects.order_by("code"),
        "stages": PipelineStage.choices,
        "can_create": access.can("sourcing.change"),
    }
    template = (
        "sourcing/library/_product_rows.html"
        if request.htmx and request.htmx.target == "product-rows"
        else "sourcing/library/product_list.html"
    )
    return render(request, template, ctx)


def _changeable_merchants(access):
    reach = access.department_ids("sourcing.change")
    qs = Merchant.objects.order_by("name_pinyin")
    return qs if reach is None else qs.filter(department_id__in=reach)


@serves("MR-2", "MR-4", feature=gettext_noop("New product with duplicate check"))
@capability_required("sourcing.change")
def product_create(request):
    merchants = _changeable_merchants(request.access)
    initial = {}
    if int_or_none(request.GET.get("merchant")):
        initial["merchant"] = int_or_none(request.GET["merchant"])
    form = forms.ProductForm(request.POST or None, initial=initial, merchants=merchants)
    if request.method == "POST" and form.is_valid():
        try:
            product = product_svc.product_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("sourcing-product-detail", pk=product.pk)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(request, "sourcing/library/product_form.html", {"form": form, "product": None})


def _product_or_404(request, pk: int):
    product = product_sel.product_get(access=request.access, pk=pk)
    if product is None:
        raise Http404
    return product


@serves("MR-2", feature=gettext_noop("Edit product: selling points, audience, prices"))
@capability_required("sourcing.change")
def product_edit(request, pk: int):
    product = _product_or_404(request, pk)
    _require_change(request, product.department_id)
    form = forms.ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            stored = product_sel.product_get(access=request.access, pk=product.pk)
            product_svc.product_update(actor=request.user, product=stored, data=form.changed_values())
            messages.success(request, _("Saved."))
            return redirect("sourcing-product-detail", pk=product.pk)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(request, "sourcing/library/product_form.html", {"form": form, "product": product})


@serves(
    "MR-2",
    "MC-3",
    "MC-4",
    feature=gettext_noop("Product record: SKUs, price history, standards, approval gate"),
)
@capability_required("sourcing.view")
def product_detail(request, pk: int):
    access = request.access
    product = _product_or_404(request, pk)
    can_change = access.reaches_department("sourcing.change", product.department_id)
    category = product.category
    ctx = {
        "product": product,
        "skus": product.skus.order_by("sku_code"),
        "prices": product.prices.order_by("-recorded_on", "-id")[:50],
        "price_chart": product_sel.price_series(product=product),
        "standards": [line for line in category.standards.splitlines() if line.strip()],
        "required": [
            Credential.Kind(k).label
            for k in (category.required_credentials or [])
            if k in Credential.Kind.values
        ],
        "credentials": cred_sel.credential_list(access=access, merchant=product.merchant).filter(
            product=product
        ),
        "blockers": approval_blockers(product=product),
        "can_change": can_change,
        "sku_form": (form_errors_restore(request, "sku", forms.SkuForm) or forms.SkuForm())
        if can_change
        else None,
        "price_form": (form_errors_restore(request, "price", forms.PriceForm) or forms.PriceForm())
        if can_change
        else None,
        "object_type": "sourcing.product",
    }
    return render(request, "sourcing/library/product_detail.html", ctx)


def _product_form_post(request, pk: int, form_class, save, key: str):
    """A small form posted from the product page (SKU, price): validate, call ``save(product, data)``
    and go back to the product; a refusal (the form's or the service's) goes back with the form and
    its errors at their fields (``form_errors_keep``)."""
    product = _product_or_404(request, pk)
    _require_change(request, product.department_id)
    form = form_class(request.POST)
    if not form.is_valid():
        form_errors_keep(request, key, form)
        return redirect("sourcing-product-detail", pk=product.pk)
    try:
        save(product, form.cleaned_data)
        messages.success(request, _("Saved."))
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        form_errors_keep(request, key, form, exc)
    return redirect("sourcing-product-detail", pk=product.pk)


@capability_required("sourcing.change")
@require_POST
def product_sku_add(request, pk: int):
    return _product_form_post(
        request,
        pk,
        forms.SkuForm,
        lambda product, data: product_svc.sku_save(actor=request.user, product=product, **data),
        "sku",
    )


@serves("MC-3", feature=gettext_noop("Record a price (ours or a competitor's)"))
@capability_required("sourcing.change")
@require_POST
def product_price_add(request, pk: int):
    return _product_form_post(
        request,
        pk,
        forms.PriceForm,
        lambda product, data: product_svc.price_record_add(actor=request.user, product=product, **data),
        "price",
    )


# Categories and standards register (MC-4) ---------------------------------------------------------


@serves("MC-4", feature=gettext_noop("Category tree with standards (GB numbers) and required credentials"))
@capability_required("sourcing.view")
def category_list(request):
    return render(
        request,
        "sourcing/library/category_list.html",
        {"rows": product_sel.category_tree(), "can_edit": request.access.can("sourcing.approve")},
    )


@serves("MC-4", feature=gettext_noop("Edit the standards register"))
@capability_required("sourcing.approve")
def category_edit(request, pk: int | None = None):
    category = None
    if pk is not None:
        category = Category.objects.filter(pk=pk).first()
        if category is None:
            raise Http404
    form = forms.CategoryForm(request.POST or None, instance=category)
    if category is not None:
        form.fields["parent"].queryset = Category.objects.exclude(pk=category.pk).order_by("code")
    if request.method == "POST" and form.is_valid():
        try:
            product_svc.category_save(
                actor=request.user,
                category=Category.objects.filter(pk=pk).first() if pk else None,
                **form.cleaned_data,
            )
            messages.success(request, _("Saved."))
            return redirect("sourcing-categories")
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(request, "sourcing/library/category_form.html", {"form": form, "category": category})


# Category plan and gaps (MC-1, MR-3) ----------------------------------------------------------------


@serves("MC-1", "MR-3", feature=gettext_noop("Category plan and gap analysis"))
@capability_required("sourcing.view")
def plan_view(request):
    access = request.access
    can_edit = access.can("sourcing.approve")
    form = forms.PlanForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if int_or_none(request.POST.get("delete")) is not None:
            plan = CategoryPlan.objects.filter(pk=int_or_none(request.POST["delete"])).first()
            if plan is None:
                raise Http404
            plan_svc.plan_delete(actor=request.user, plan=plan)
            messages.success(request, _("Deleted."))
            return redirect(f"{request.path}?season={plan.season}")
        if form.is_valid():
            try:
                plan = plan_svc.plan_save(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?season={plan.season}")
            except DomainError as exc:
                form.add_domain_error(exc)
    seasons = plan_sel.plan_seasons(access=access)
    season = request.GET.get("season") or (seasons[0] if seasons else "")
    gaps = plan_sel.plan_gaps(access=access, season=season) if season else []
    return render(
        request,
        "sourcing/library/plan.html",
        {
            "seasons": seasons,
            "season": season,
            "gaps": gaps,
            "below": [g for g in gaps if g.below_plan],
            "form": form,
            "can_edit": can_edit,
        },
    )


# History checks ------------------------------------------------------------------------------------


def history_check_merchant(access, user, object_id: str) -> bool:
    return (pk := int_or_none(object_id)) is not None and merchant_sel.merchant_get(
        access=access, pk=pk
    ) is not None


def history_check_product(access, user, object_id: str) -> bool:
    return (pk := int_or_none(object_id)) is not None and product_sel.product_get(
        access=access, pk=pk
    ) is not None
