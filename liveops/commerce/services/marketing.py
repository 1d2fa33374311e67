"""Writes of the marketing calendar, budgets and ad spend (EC-2, EC-3, LC-3). Keyword-only, atomic,
audited; each checks the actor's capability over the department concerned (``actor=None`` is the
system: demo, CLI, trusted code).

- Campaigns (``commerce.change`` over the campaign's department): dates, goals, GMV goal, the shops,
  products and (once the live module exists) sessions they cover.
- Budgets (``commerce.manage``, managers only): an amount for a period, per campaign and/or shop and
  channel. When the spend in a budget's scope passes its amount, the overspend alert fires once: the
  budget gets ``overspent_at`` and the audit log an action ``budget_overspent``. A manager who raises
  the amount above the spend re-arms it (``overspent_at`` is cleared), so a new pass alerts again.
- Ad spend (``commerce.change`` over the shop's department; the import kind ``ad-spend`` needs
  ``commerce.import``): one row per (shop, channel, day, plan ID). A row without a campaign is linked
  to the campaign that covers its shop and day when exactly one does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.commerce.models import AdSpend, Budget, Campaign, Shop
from liveops.commerce.models.marketing import AdChannel
from liveops.commerce.selectors.dashboards import DATE_MAX, DATE_MIN
from liveops.commerce.selectors.marketing import budget_spend
from liveops.core.access import Access
from liveops.core.audit import audit_action, audit_delete, audit_update, model_create, model_update, snapshot
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.imports.registry import UPDATE, access_for_actor, audit_bulk
from liveops.org.models import Department

MAX_MONEY_FEN = 10**15  # ten trillion CNY: more is a typing error, not a budget
UNSET = object()


def _access(actor) -> Access:
    return access_for_actor(actor)


def _require(actor, capability: str, department_id: int | None) -> None:
    if actor is None:
        return
    if not _access(actor).reaches_department(capability, department_id):
        raise NotAllowed(_("You are not allowed to do this."))


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _money(value, field: str) -> int:
    """A whole, non-negative amount in fen (bool and floats are refused: money is never guessed)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(
            _("Give a whole number of fen."), fields={field: [_("Give a whole number of fen.")]}
        )
    if value < 0:
        raise DomainError(_("Must not be negative."), fields={field: [_("Must not be negative.")]})
    if value > MAX_MONEY_FEN:
        raise DomainError(_("This amount is too large."), fields={field: [_("This amount is too large.")]})
    return value


def _count(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError(
            _("Give a whole number of at least 0."), fields={field: [_("Give a whole number of at least 0.")]}
        )
    return value


def _period(start: dt.date, end: dt.date, *, start_field: str, end_field: str) -> None:
    if start is None or end is None:
        missing = start_field if start is None else end_field
        raise DomainError(_("A date is required."), fields={missing: [_("A date is required.")]})
    if end < start:
        raise DomainError(
            _("The end date is before the start date."),
            fields={end_field: [_("The end date is before the start date.")]},
        )
    if (end - start).days > 366 * 2:
        raise DomainError(
            _("Choose at most two years."), fields={end_field: [_("Choose at most two years.")]}
        )
    for value, field in ((start, start_field), (end, end_field)):
        # Outside these bounds the day-by-day figures would overflow Python's dates (year 9999).
        if not DATE_MIN <= value <= DATE_MAX:
            message = _("Choose a date between %(first)s and %(last)s.") % {
                "first": DATE_MIN,
                "last": DATE_MAX,
            }
            raise DomainError(message, fields={field: [message]})


def _default_department(actor, shops: Sequence[Shop] = ()) -> Department:
    access = _access(actor)
    if access.staff_department_id:
        return Department.objects.get(pk=access.staff_department_id)
    if shops:
        return shops[0].department
    raise DomainError(
        _("Choose the department this belongs to."), fields={"department": [_("A value is required.")]}
    )


def _check_shops_visible(actor, shops: Iterable[Shop]) -> None:
    access = _access(actor)
    for shop in shops:
        if not access.reaches_department("commerce.view", shop.department_id):
            raise NotAllowed(_("You are not allowed to do this."))


# Campaigns ----------------------------------------------------------------------------------------

_CAMPAIGN_FIELDS = {
    "name",
    "kind",
    "starts_on",
    "ends_on",
    "status",
    "goal_gmv_fen",
    "goals",
    "owner",
    "department",
    "session_ids",
}


def _links(campaign: Campaign) -> dict[str, list[int]]:
    return {
        "shops": sorted(campaign.shops.values_list("id", flat=True)),
        "products": sorted(campaign.products.values_list("id", flat=True)),
    }


def _set_links(*, actor, campaign: Campaign, shops=None, products=None) -> bool:
    """Replace the campaign's shops and/or products; one audit line with before/after ids."""
    before = _links(campaign)
    if shops is not None:
        campaign.shops.set(list(shops))
    if products is not None:
        campaign.products.set(list(products))
    after = _links(campaign)
    return audit_update(actor=actor, instance=campaign, before=before, after=after) is not None


def _session_ids(value) -> list[int]:
    try:
        ids = sorted({int(v) for v in (value or [])})
    except (TypeError, ValueError) as exc:
        raise DomainError(
            _("Live sessions are given by their numbers."), fields={"session_ids": [_("Not a number.")]}
        ) from exc
    if any(i <= 0 for i in ids):
        raise DomainError(
            _("Live sessions are given by their numbers."), fields={"session_ids": [_("Not a number.")]}
        )
    return ids


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str = Campaign.Kind.OTHER,
    status: str = Campaign.Status.PLANNED,
    goal_gmv_fen: int = 0,
    goals: str = "",
    department: Department | None = None,
    shops: Sequence[Shop] = (),
    products: Sequence = (),
    session_ids: Sequence[int] = (),
    owner=None,
) -> Campaign:
    """Put a campaign on the calendar. Needs ``commerce.change`` over its department (default: the
    actor's own) and sight of every shop it names. Links the unlinked ad spend it covers."""
    shops = list(shops)
    department = department or _default_department(actor, shops)
    _require(actor, "commerce.change", department.pk)
    _check_shops_visible(actor, shops)
    _period(starts_on, ends_on, start_field="starts_on", end_field="ends_on")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), fields={"name": [_("A value is required.")]})
    campaign_unique_name_check(name=name, starts_on=starts_on)
    campaign = model_create(
        actor=actor,
        model=Campaign,
        name=name,
        kind=kind,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        goal_gmv_fen=_money(goal_gmv_fen, "goal_gmv_fen"),
        goals=goals or "",
        department=department,
        session_ids=_session_ids(session_ids),
        owner=owner if owner is not None else _user(actor),
    )
    if shops or products:
        _set_links(actor=actor, campaign=campaign, shops=shops, products=list(products))
    ad_spend_link_campaigns(actor=actor, campaign=campaign)
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, data: dict) -> Campaign:
    """Change a campaign's fields and/or its ``shops`` and ``products`` (lists replace the links).
    Needs ``commerce.change`` over its department (and the new one, when it moves)."""
    _require(actor, "commerce.change", campaign.department_id)
    fields = {k: v for k, v in data.items() if k in _CAMPAIGN_FIELDS}
    if "department" in fields and fields["department"] is not None:
        _require(actor, "commerce.change", fields["department"].pk)
    if "goal_gmv_fen" in fields:
        _money(fields["goal_gmv_fen"], "goal_gmv_fen")
    if "session_ids" in fields:
        fields["session_ids"] = _session_ids(fields["session_ids"])
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise DomainError(_("A name is required."), fields={"name": [_("A value is required.")]})
    _period(
        fields.get("starts_on", campaign.starts_on),
        fields.get("ends_on", campaign.ends_on),
        start_field="starts_on",
        end_field="ends_on",
    )
    if "name" in fields or "starts_on" in fields:
        campaign_unique_name_check(
            name=fields.get("name", campaign.name),
            starts_on=fields.get("starts_on", campaign.starts_on),
            exclude_pk=campaign.pk,
        )
    shops = data.get("shops")
    if shops is not None:
        shops = list(shops)
        _check_shops_visible(actor, shops)
    campaign, _changed = model_update(actor=actor, instance=campaign, data=fields)
    products = data.get("products")
    if shops is not None or products is not None:
        _set_links(
            actor=actor,
            campaign=campaign,
            shops=shops,
            products=list(products) if products is not None else None,
        )
    ad_spend_link_campaigns(actor=actor, campaign=campaign)
    return campaign


# Campaign links of ad spend -----------------------------------------------------------------------


class CampaignFinder:
    """Which campaign covers a (shop, day): the only non-cancelled campaign naming the shop whose
    dates include the day, or None (no campaign, or several: then a person links it)."""

    def __init__(self, *, shop_ids: Iterable[int], first: dt.date, last: dt.date):
        self._by_shop: dict[int, list[tuple[dt.date, dt.date, int]]] = {}
        rows = (
            Campaign.shops.through.objects.filter(
                shop_id__in=list(shop_ids),
                campaign__starts_on__lte=last,
                campaign__ends_on__gte=first,
            )
            .exclude(campaign__status=Campaign.Status.CANCELLED)
            .values_list("shop_id", "campaign__starts_on", "campaign__ends_on", "campaign_id")
        )
        for shop_id, start, end, campaign_id in rows:
            self._by_shop.setdefault(shop_id, []).append((start, end, campaign_id))

    def find(self, shop_id: int, day: dt.date) -> int | None:
        hits = {c for s, e, c in self._by_shop.get(shop_id, ()) if s <= day <= e}
        return hits.pop() if len(hits) == 1 else None


def ad_spend_link_campaigns(*, actor, campaign: Campaign) -> int:
    """Link the campaign's shops' unlinked ad spend of its days to it, where it is the only campaign
    covering the row's shop and day. Returns how many rows were linked (each audited)."""
    if campaign.status == Campaign.Status.CANCELLED:
        return 0
    shop_ids = list(campaign.shops.values_list("id", flat=True))
    if not shop_ids:
        return 0
    rows = list(
        AdSpend.objects.filter(
            campaign__isnull=True,
            shop_id__in=shop_ids,
            day__gte=campaign.starts_on,
            day__lte=campaign.ends_on,
        )
    )
    if not rows:
        return 0
    finder = CampaignFinder(shop_ids=shop_ids, first=campaign.starts_on, last=campaign.ends_on)
    linked = [r for r in rows if finder.find(r.shop_id, r.day) == campaign.pk]
    if linked:
        AdSpend.objects.filter(pk__in=[r.pk for r in linked]).update(campaign=campaign)
        audit_bulk(
            actor=actor,
            entries=[
                (UPDATE, r, {"before": {"campaign": None}, "after": {"campaign": campaign.pk}})
                for r in linked
            ],
        )
        # The campaign's budgets now see this spend.
        budgets_check_overspend(actor=actor, days=(campaign.starts_on, campaign.ends_on))
    return len(linked)


# Budgets ------------------------------------------------------------------------------------------


def _channel(value: str) -> str:
    value = value or ""
    if value and value not in AdChannel.values:
        raise DomainError(_("Unknown channel."), fields={"channel": [_("Unknown channel.")]})
    return value


@transaction.atomic
def budget_create(
    *,
    actor,
    amount_fen: int,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    campaign: Campaign | None = None,
    shop: Shop | None = None,
    channel: str = "",
    note: str = "",
    department: Department | None = None,
) -> Budget:
    """Set a budget (managers: ``commerce.manage`` over its department — the shop's, else the
    campaign's, else the one given or the actor's own). A campaign budget defaults to the campaign's
    dates. Checks the spend against it at once."""
    if campaign is not None:
        period_start = period_start or campaign.starts_on
        period_end = period_end or campaign.ends_on
    if shop is not None:
        department = shop.department
    elif campaign is not None:
        department = campaign.department
    else:
        department = department or _default_department(actor)
    _require(actor, "commerce.manage", department.pk)
    if shop is not None:
        _check_shops_visible(actor, [shop])
    _period(period_start, period_end, start_field="period_start", end_field="period_end")
    budget = model_create(
        actor=actor,
        model=Budget,
        amount_fen=_money(amount_fen, "amount_fen"),
        period_start=period_start,
        period_end=period_end,
        campaign=campaign,
        shop=shop,
        channel=_channel(channel),
        note=(note or "").strip()[:200],
        department=department,
        set_by=_user(actor),
    )
    budgets_check_overspend(actor=actor, budgets=[budget])
    return budget


_BUDGET_FIELDS = {"amount_fen", "period_start", "period_end", "channel", "note"}


@transaction.atomic
def budget_update(*, actor, budget: Budget, data: dict) -> Budget:
    """Change a budget's amount, period, channel or note (managers only). Raising the amount above
    the spend re-arms the overspend alert; passing it fires the alert."""
    _require(actor, "commerce.manage", budget.department_id)
    fields = {k: v for k, v in data.items() if k in _BUDGET_FIELDS}
    if "amount_fen" in fields:
        _money(fields["amount_fen"], "amount_fen")
    if "channel" in fields:
        fields["channel"] = _channel(fields["channel"])
    if "note" in fields:
        fields["note"] = (fields["note"] or "").strip()[:200]
    _period(
        fields.get("period_start", budget.period_start),
        fields.get("period_end", budget.period_end),
        start_field="period_start",
        end_field="period_end",
    )
    budget, changed = model_update(actor=actor, instance=budget, data=fields)
    if changed:
        budget.set_by = _user(actor)
        budget.set_at = timezone.now()
        budget.save(update_fields=["set_by", "set_at"])
        spend = budget_spend([budget])[budget.pk]
        if budget.overspent_at is not None and spend <= budget.amount_fen:
            model_update(actor=actor, instance=budget, data={"overspent_at": None})
        budgets_check_overspend(actor=actor, budgets=[budget])
    return budget


@transaction.atomic
def budget_delete(*, actor, budget: Budget) -> None:
    """Remove a budget (managers only); the audit log keeps what it was."""
    _require(actor, "commerce.manage", budget.department_id)
    before = snapshot(budget)
    audit_delete(actor=actor, instance=budget, before=before)
    budget.delete()


def budgets_check_overspend(
    *, actor, budgets: Sequence[Budget] | None = None, days: tuple[dt.date, dt.date] | None = None
) -> list[Budget]:
    """Fire the overspend alert of every budget (the given ones, or those whose period overlaps
    ``days``) whose spend has passed its amount and has not alerted yet: set ``overspent_at`` and
    write the audit action ``budget_overspent`` with the figures. Returns the budgets that alerted."""
    if budgets is None:
        qs = Budget.objects.filter(overspent_at__isnull=True)
        if days is not None:
            qs = qs.filter(period_start__lte=days[1], period_end__gte=days[0])
        budgets = list(qs)
    budgets = [b for b in budgets if b.overspent_at is None]
    if not budgets:
        return []
    spend = budget_spend(budgets)
    fired = []
    now = timezone.now()
    for budget in budgets:
        s = spend[budget.pk]
        if s > budget.amount_fen:
            updated = Budget.objects.filter(pk=budget.pk, overspent_at__isnull=True).update(overspent_at=now)
            if not updated:
                continue  # another transaction alerted first
            budget.overspent_at = now
            audit_action(
                actor=actor,
                instance=budget,
                verb="budget_overspent",
                details={"amount_fen": budget.amount_fen, "spend_fen": s, "over_fen": s - budget.amount_fen},
            )
            fired.append(budget)
    return fired


# Ad spend -----------------------------------------------------------------------------------------


def _check_campaign_covers(actor, campaign: Campaign, shop: Shop, day: dt.date) -> None:
    if not _access(actor).reaches_department("commerce.view", campaign.department_id):
        raise NotAllowed(_("You are not allowed to do this."))
    if not (campaign.starts_on <= day <= campaign.ends_on):
        raise DomainError(
            _("The day is outside the campaign's dates."),
            fields={"campaign": [_("Not during this campaign.")]},
        )
    shop_ids = set(campaign.shops.values_list("id", flat=True))
    if shop_ids and shop.pk not in shop_ids:
        raise DomainError(
            _("The campaign does not include this shop."), fields={"campaign": [_("Not for this shop.")]}
        )


@transaction.atomic
def ad_spend_record(
    *,
    actor,
    shop: Shop,
    channel: str,
    day: dt.date,
    spend_fen: int,
    plan_id: str = "",
    plan_name: str = "",
    impressions: int = 0,
    clicks: int = 0,
    platform_gmv_fen: int = 0,
    campaign=UNSET,
) -> tuple[AdSpend, bool]:
    """Record one day of an ad plan's spend (entered by hand or through the API), replacing what was
    recorded for the same (shop, channel, day, plan ID). ``campaign``: a campaign, ``None`` for
    none, or left out to keep the current link (a new row is linked to the one campaign covering
    its shop and day, if exactly one does). Returns (row, created)."""
    _require(actor, "commerce.change", shop.department_id)
    channel = _channel(channel)
    if not channel:
        raise DomainError(_("Choose the channel."), fields={"channel": [_("A value is required.")]})
    if day is None:
        raise DomainError(_("A date is required."), fields={"day": [_("A date is required.")]})
    if day > timezone.localdate():
        raise DomainError(
            _("Spend cannot be recorded for a day still to come."),
            fields={"day": [_("A day in the future.")]},
        )
    plan_id = (plan_id or "").strip()
    if len(plan_id) > 60:
        raise DomainError(_("Too long."), fields={"plan_id": [_("At most 60 characters.")]})
    values = {
        "plan_name": (plan_name or "").strip()[:200],
        "spend_fen": _money(spend_fen, "spend_fen"),
        "impressions": _count(impressions, "impressions"),
        "clicks": _count(clicks, "clicks"),
        "platform_gmv_fen": _money(platform_gmv_fen, "platform_gmv_fen"),
    }
    if campaign is not UNSET and campaign is not None:
        _check_campaign_covers(actor, campaign, shop, day)
    existing = (
        AdSpend.objects.select_for_update()
        .filter(shop=shop, channel=channel, day=day, plan_id=plan_id)
        .first()
    )
    if existing is not None:
        if campaign is not UNSET:
            values["campaign"] = campaign
        elif existing.campaign_id is None:
            auto = CampaignFinder(shop_ids=[shop.pk], first=day, last=day).find(shop.pk, day)
            if auto is not None:
                values["campaign_id"] = auto
        row, _changed = model_update(actor=actor, instance=existing, data=values)
        created = False
    else:
        if campaign is UNSET:
            values["campaign_id"] = CampaignFinder(shop_ids=[shop.pk], first=day, last=day).find(shop.pk, day)
        else:
            values["campaign"] = campaign
        row = model_create(
            actor=actor,
            model=AdSpend,
            shop=shop,
            channel=channel,
            day=day,
            plan_id=plan_id,
            entered_by=_user(actor),
            **values,
        )
        created = True
    budgets_check_overspend(actor=actor, days=(day, day))
    return row, created


@transaction.atomic
def ad_spend_delete(*, actor, spend: AdSpend) -> None:
    """Remove a wrongly recorded spend row (``commerce.change`` over its shop's department)."""
    _require(actor, "commerce.change", spend.shop.department_id)
    audit_delete(actor=actor, instance=spend)
    spend.delete()


def ad_spend_import(*, actor, file, file_name: str, options: dict, run_now: bool = False):
    """Start an ``ad-spend`` import run (``options``: ``shop`` name or ID, optionally ``channel`` and
    ``campaign``): queued for the worker, or run here and now. Returns the ``ImportRun``."""
    import liveops.commerce.importers_adspend  # noqa: F401  (registers the kind)
    from liveops.core.imports.services import import_start

    return import_start(
        actor=actor, kind="ad-spend", file=file, file_name=file_name, options=options, run_now=run_now
    )


def campaign_unique_name_check(*, name: str, starts_on: dt.date, exclude_pk: int | None = None) -> None:
    """Refuse a second campaign with the same name starting the same day (a double submit)."""
    qs = Campaign.objects.filter(Q(name=name.strip()) & Q(starts_on=starts_on))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise Conflict(
            _("A campaign with this name already starts that day."),
            fields={"name": [_("Already on the calendar.")]},
        )
