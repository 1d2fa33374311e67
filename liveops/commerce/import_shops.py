"""The shop an import runs into: one rule for every shop-level import kind (orders, after-sales,
settlements, ad spend). The run's ``shop`` option names it (ID or name; ``--shop`` on the command
line, a select on the upload page); the run is refused, before any row is read, when it is missing,
unknown, ambiguous, out of the actor's reach or on another platform."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.commerce.models import Shop
from liveops.core.forms import int_or_none
from liveops.core.imports.readers import ImportRefused
from liveops.core.models import ImportRun


def run_option(run: ImportRun | None, name: str) -> str:
    """A run option as trimmed text (``""`` when absent)."""
    return str(((run.options or {}) if run is not None else {}).get(name) or "").strip()


def shop_for_run(
    run: ImportRun | None, *, access, platform: str | None = None, capability: str = "commerce.import"
) -> Shop:
    """The shop named by the run's ``shop`` option, checked against the platform and the actor's reach.
    Names are unique per platform, so a name is looked up on the kind's platform first."""
    value = run_option(run, "shop")
    if not value:
        raise ImportRefused(
            _("Choose the shop these rows belong to (on the command line: --shop NAME)."), code="shop_missing"
        )
    qs = Shop.objects.select_related("department")
    pk = int_or_none(value)
    shop = qs.filter(pk=pk).first() if pk is not None else None
    if shop is None:
        named = list(qs.filter(name=value))
        on_platform = [s for s in named if s.platform == platform]
        if len(named) > 1 and not on_platform:
            raise ImportRefused(
                _("Several shops are called “%(shop)s”: choose the shop by its number.") % {"shop": value},
                code="shop_ambiguous",
            )
        shop = (on_platform or named or [None])[0]
    if shop is None:
        raise ImportRefused(_("Unknown shop “%(shop)s”.") % {"shop": value}, code="shop_unknown")
    if not access.reaches_department(capability, shop.department_id):
        raise ImportRefused(
            _("You may not import into the shop “%(shop)s”.") % {"shop": shop.name}, code="shop_denied"
        )
    if platform and shop.platform != platform:
        raise ImportRefused(
            _("The shop “%(shop)s” is on %(shop_platform)s; this import is for %(platform)s files.")
            % {
                "shop": shop.name,
                "shop_platform": shop.get_platform_display(),
                "platform": dict(Shop._meta.get_field("platform").choices)[platform],
            },
            code="wrong_platform",
        )
    return shop


def shop_lock_key(options: dict | None, *, platform: str | None = None) -> str | None:
    """The import lock of the shop named by a run's ``shop`` option (``shop:<id>``), found as
    ``shop_for_run`` finds it but without checking access (that comes when the run starts), or None
    when it names no single shop (the run is then refused before reading a row)."""
    value = str((options or {}).get("shop") or "").strip()
    if not value:
        return None
    pk = int_or_none(value)
    if pk is not None and Shop.objects.filter(pk=pk).exists():
        return f"shop:{pk}"
    named = list(Shop.objects.filter(name=value).values_list("pk", "platform"))
    on_platform = [p for p, plat in named if plat == platform]
    ids = on_platform or [p for p, _plat in named]
    return f"shop:{ids[0]}" if len(ids) == 1 or on_platform else None


def shop_option_field(access, *, platform: str | None = None):
    """The upload page's shop choice: the active shops the actor may import into (of ``platform``)."""
    from django import forms

    from liveops.commerce.selectors.shops import shops_visible

    shops = shops_visible(access=access, capability="commerce.import").filter(is_active=True)
    if platform:
        shops = shops.filter(platform=platform)
    return forms.ModelChoiceField(queryset=shops.order_by("platform", "name"), label=gettext_lazy("Shop"))
