"""Attribution after the import: mapping what the platform calls a product to the library once, and
linking lines to live sessions.

- ``attribution_rule_create``: staff map a platform product ID or 商家编码 from the unmatched queue to
  a library product (and SKU); the rule applies at once to every past line with that key, and every
  future import uses it.
- ``attribution_rerun_for_codes``: when products or SKUs are added to the library, lines still
  unmatched whose 商家编码 now names exactly one SKU are matched.
- ``attribution_session_apply``: the live module calls it when a session is recorded or its times
  change: lines of the session's shop (or anchor) submitted inside its window get its ID.

Each changes lines in one set-based UPDATE, refreshes the rollups of the days concerned and writes
one audit line describing the change (the lines' own fields other than the links are untouched)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _

from liveops.commerce.bulk import fetch_frame, keys_in
from liveops.commerce.models import AttributionRule, OrderLine, Shop
from liveops.core.access import access_for
from liveops.core.audit import audit_action, model_create
from liveops.core.errors import DomainError, NotAllowed
from liveops.sourcing.models import Product, Sku

_LINES = OrderLine._meta.db_table


def _require(actor, capability: str = "commerce.change") -> None:
    if actor is not None and not access_for(actor).can(capability):
        raise NotAllowed(_("You are not allowed to do this."))


def _require_lines_changeable(actor, *, shop_ids: set[int]) -> None:
    """Refuse a rule whose key is on lines of shops the actor may not change.

    Why refuse rather than apply it to the actor's shops only: a rule holds for the whole platform
    (every later import of every shop uses it), so a rule that re-links another department's lines
    is that department's decision too."""
    if actor is None or not shop_ids:
        return
    from liveops.commerce.selectors.shops import shop_ids_visible

    outside = shop_ids - set(shop_ids_visible(access=access_for(actor), capability="commerce.change"))
    if outside:
        # The shops are not named: the actor may not be allowed to see them.
        raise NotAllowed(
            _(
                "Lines in shops you may not change carry this value; ask the department that runs them to map it."
            )
        )


def _affected_days(condition: str, params: list) -> dict[int, set[dt.date]]:
    import polars as pl

    frame = fetch_frame(
        f"SELECT DISTINCT shop_id, day FROM {_LINES} WHERE {condition}",
        params,
        {"shop_id": pl.Int64, "day": pl.Date},
    )
    out: dict[int, set[dt.date]] = {}
    for shop_id, day in frame.iter_rows():
        out.setdefault(shop_id, set()).add(day)
    return out


def _refresh(days: dict[int, set[dt.date]]) -> None:
    from liveops.commerce.services.rollups import rollups_refresh

    if days:
        rollups_refresh(shop_days=days)


@transaction.atomic
def attribution_rule_create(
    *, actor, platform: str, key_kind: str, key_value: str, product: Product, sku: Sku | None = None
) -> tuple[AttributionRule, int]:
    """Map ``key_value`` (a platform product ID or a 商家编码) on ``platform`` to ``product``/``sku``
    and apply it to every line with that key. Returns the rule and the number of lines it matched."""
    _require(actor)
    key_value = (key_value or "").strip()
    if not key_value:
        raise DomainError(_("A value to match is required."), fields={"key_value": [_("Required.")]})
    if sku is not None and sku.product_id != product.pk:
        raise DomainError(_("This SKU belongs to another product."), fields={"sku": [_("Wrong product.")]})
    if AttributionRule.objects.filter(platform=platform, key_kind=key_kind, key_value=key_value).exists():
        raise DomainError(
            _("“%(value)s” is already mapped on this platform.") % {"value": key_value},
            fields={"key_value": [_("Already mapped.")]},
        )
    rule = model_create(
        actor=actor,
        model=AttributionRule,
        platform=platform,
        key_kind=key_kind,
        key_value=key_value,
        product=product,
        sku=sku,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    column = "platform_product_id" if key_kind == AttributionRule.KeyKind.PRODUCT_ID else "merchant_code"
    shop_ids = list(Shop.objects.filter(platform=platform).values_list("id", flat=True))
    if not shop_ids:
        return rule, 0
    shops_cond, shops_params = keys_in("shop_id", shop_ids)
    # A product-ID rule outranks a 商家编码 rule, so it re-links lines matched by code too; a code
    # rule only takes lines nothing matched yet.
    condition = f"{shops_cond} AND {column} = %s" + (
        "" if column == "platform_product_id" else " AND product_id IS NULL"
    )
    params = [*shops_params, key_value]
    days = _affected_days(condition, params)
    _require_lines_changeable(actor, shop_ids=set(days))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_LINES} SET product_id = %s, sku_id = %s, merchant_id = %s WHERE {condition}",
            [product.pk, sku.pk if sku else None, product.merchant_id, *params],
        )
        matched = cursor.rowcount
    _refresh(days)
    audit_action(actor=actor, instance=rule, verb="attribution_applied", details={"lines": matched})
    return rule, matched


@transaction.atomic
def attribution_rerun_for_codes(*, codes: list[str]) -> int:
    """Match unmatched lines whose 商家编码 is one of ``codes`` and names exactly one SKU (or product)
    of the library. Called when products or SKUs are added. Returns the number of lines matched."""
    codes = sorted({c for c in codes if c})
    if not codes:
        return 0
    targets: dict[str, tuple[int, int | None, int]] = {}
    ambiguous: set[str] = set()
    for code, product_id, sku_id, merchant_id in Sku.objects.filter(sku_code__in=codes).values_list(
        "sku_code", "product_id", "id", "product__merchant_id"
    ):
        (
            ambiguous.add(code)
            if code in targets
            else targets.__setitem__(code, (product_id, sku_id, merchant_id))
        )
    for code, product_id, merchant_id in Product.objects.filter(merchant_code__in=codes).values_list(
        "merchant_code", "id", "merchant_id"
    ):
        if code in targets and targets[code][0] != product_id:
            ambiguous.add(code)
        targets.setdefault(code, (product_id, None, merchant_id))
    total = 0
    for code, (product_id, sku_id, merchant_id) in targets.items():
        if code in ambiguous:
            continue
        condition = "product_id IS NULL AND merchant_code = %s"
        days = _affected_days(condition, [code])
        if not days:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_LINES} SET product_id = %s, sku_id = %s, merchant_id = %s WHERE {condition}",
                [product_id, sku_id, merchant_id, code],
            )
            total += cursor.rowcount
        _refresh(days)
    return total


@transaction.atomic
def attribution_session_apply(
    *,
    actor,
    session_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    shop_ids: list[int] | None = None,
    anchor_account_ids: list[int] | None = None,
) -> int:
    """Link to live session ``session_id`` the lines submitted in [starts_at, ends_at) in the given
    shops or by the given anchor accounts, and unlink the lines that carried it outside that window
    (the session's times were corrected). Returns the number of lines now linked."""
    if ends_at <= starts_at:
        raise DomainError(
            _("The session must end after it starts."), fields={"ends_at": [_("Before the start.")]}
        )
    if not shop_ids and not anchor_account_ids:
        raise DomainError(_("Name the shops or the anchor accounts of the session."))
    who = []
    params: list = []
    if shop_ids:
        cond, p = keys_in("shop_id", shop_ids)
        who.append(cond)
        params += p
    if anchor_account_ids:
        cond, p = keys_in("anchor_account_id", anchor_account_ids)
        who.append(cond)
        params += p
    first_day = (starts_at - dt.timedelta(days=1)).date()
    last_day = (ends_at + dt.timedelta(days=1)).date()
    # ``day`` narrows the scan to the (shop, day) index; the exact window is on submitted_at.
    inside = f"({' OR '.join(who)}) AND day >= %s AND day <= %s AND submitted_at >= %s AND submitted_at < %s"
    adapt = connection.ops.adapt_datetimefield_value
    inside_params = [*params, first_day, last_day, adapt(starts_at), adapt(ends_at)]
    days = _affected_days(f"session_id = %s OR ({inside})", [session_id, *inside_params])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_LINES} SET session_id = NULL WHERE session_id = %s", [session_id])
        cursor.execute(f"UPDATE {_LINES} SET session_id = %s WHERE {inside}", [session_id, *inside_params])
        linked = cursor.rowcount
    _refresh(days)
    from liveops.commerce.models import AnchorAccount

    subject = (
        Shop.objects.filter(pk__in=shop_ids or []).first()
        or AnchorAccount.objects.filter(pk__in=anchor_account_ids or []).first()
    )
    if subject is not None:
        audit_action(
            actor=actor,
            instance=subject,
            verb="session_attributed",
            details={
                "session": session_id,
                "lines": linked,
                "from": starts_at.isoformat(),
                "to": ends_at.isoformat(),
            },
        )
    return linked
