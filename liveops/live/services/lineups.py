"""Line-ups (排品, LS-3, LC-4). A product goes on a session's line-up only through
``quality.gates``: approved in selection, nothing blocking it (blocklist, credentials, the brand
authorisation chain) on the session's day, and an approved deal in force that day. The live price
defaults to the deal's; a lower price, or more stock than the merchant guaranteed, is allowed but
shown as a warning (``LineupItem.warnings``)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.audit import audit_action, audit_delete, model_create, model_update
from liveops.core.errors import Conflict, DomainError
from liveops.live.models import LineupItem, LiveSession, Mechanic
from liveops.live.services.common import require
from liveops.quality.gates import approval_blockers
from liveops.sourcing.models import Deal, PipelineStage, Product


def _day(session: LiveSession):
    return timezone.localtime(session.start).date()


def lineup_blockers(*, product: Product, session: LiveSession) -> tuple[list[str], Deal | None]:
    """Why ``product`` cannot go on ``session``'s line-up (empty when it can), and its deal in force."""
    day = _day(session)
    reasons = [b.message for b in approval_blockers(product=product, day=day)]
    # A rejected product is already named by the gate.
    if product.stage not in (PipelineStage.APPROVED, PipelineStage.REJECTED):
        reasons.append(
            _("The product is not approved in selection (stage: %(stage)s).")
            % {"stage": product.get_stage_display()}
        )
    deal = Deal.objects.filter(product=product, status=Deal.Status.APPROVED).first()
    if deal is None:
        reasons.append(_("The product has no approved deal."))
    elif not (deal.valid_from <= day <= deal.valid_to):
        reasons.append(
            _("The deal is valid from %(start)s to %(end)s, not on %(day)s.")
            % {"start": deal.valid_from, "end": deal.valid_to, "day": day}
        )
        deal = None
    return reasons, deal


def _clean_mechanics(mechanics) -> list[str]:
    values = [m for m in (mechanics or []) if m]
    bad = [m for m in values if m not in Mechanic.values]
    if bad:
        raise DomainError(
            _("Unknown mechanics: %(m)s") % {"m": ", ".join(bad)}, fields={"mechanics": [_("Unknown.")]}
        )
    return list(dict.fromkeys(values))


@transaction.atomic
def lineup_add(
    *,
    actor,
    session: LiveSession,
    product: Product,
    live_price: Decimal | None = None,
    stock_allotted: int = 0,
    mechanics=(),
    selling_points: str = "",
    slot: str = "",
) -> LineupItem:
    """Put a product at the end of a session's line-up; refused with the gate's reasons."""
    require(actor, "live.change", session.department_id)
    LiveSession.objects.select_for_update().filter(pk=session.pk).first()
    reasons, deal = lineup_blockers(product=product, session=session)
    if reasons:
        raise DomainError(
            _("“%(product)s” cannot go on the line-up: %(reasons)s")
            % {"product": product.title, "reasons": " ".join(reasons)},
            code="gate_refused",
            fields={"product": reasons},
        )
    if LineupItem.objects.filter(session=session, product=product).exists():
        raise Conflict(
            _("The product is already on this line-up."), fields={"product": [_("Already there.")]}
        )
    if live_price is not None and Decimal(live_price) < 0:
        raise DomainError(
            _("The price cannot be negative."), fields={"live_price": [_("Must be zero or more.")]}
        )
    if stock_allotted is not None and int(stock_allotted) < 0:
        raise DomainError(
            _("Stock cannot be negative."), fields={"stock_allotted": [_("Must be zero or more.")]}
        )
    position = (LineupItem.objects.filter(session=session).aggregate(m=Max("position"))["m"] or 0) + 1
    return model_create(
        actor=actor,
        model=LineupItem,
        session=session,
        position=position,
        product=product,
        deal=deal,
        live_price=deal.live_price if live_price is None else Decimal(live_price),
        stock_allotted=int(stock_allotted or 0),
        mechanics=_clean_mechanics(mechanics),
        selling_points=selling_points or product.selling_points,
        slot=slot,
    )


@transaction.atomic
def lineup_update(*, actor, item: LineupItem, **data) -> LineupItem:
    """Change an item's price, stock, mechanics, selling points or slot."""
    require(actor, "live.change", item.session.department_id)
    allowed = {"live_price", "stock_allotted", "mechanics", "selling_points", "slot"}
    unknown = set(data) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "mechanics" in data:
        data["mechanics"] = _clean_mechanics(data["mechanics"])
    if data.get("live_price") is not None and Decimal(data["live_price"]) < 0:
        raise DomainError(
            _("The price cannot be negative."), fields={"live_price": [_("Must be zero or more.")]}
        )
    model_update(actor=actor, instance=item, data=data)
    return item


@transaction.atomic
def lineup_remove(*, actor, item: LineupItem) -> None:
    """Take a product off the line-up; the ones after it move up."""
    require(actor, "live.change", item.session.department_id)
    session_id, position = item.session_id, item.position
    audit_delete(actor=actor, instance=item)
    item.delete()
    # Two steps keep (session, position) unique at every statement.
    later = LineupItem.objects.filter(session_id=session_id, position__gt=position)
    later.update(position=F("position") + 100_000)
    LineupItem.objects.filter(session_id=session_id, position__gt=100_000).update(
        position=F("position") - 100_001
    )


@transaction.atomic
def lineup_move(*, actor, item: LineupItem, up: bool) -> LineupItem:
    """Swap an item with its neighbour above (``up``) or below."""
    require(actor, "live.change", item.session.department_id)
    neighbour = (
        LineupItem.objects.filter(session_id=item.session_id, position__lt=item.position).order_by(
            "-position"
        )
        if up
        else LineupItem.objects.filter(session_id=item.session_id, position__gt=item.position).order_by(
            "position"
        )
    ).first()
    if neighbour is None:
        return item
    a, b = item.position, neighbour.position
    LineupItem.objects.filter(pk=item.pk).update(position=0)
    LineupItem.objects.filter(pk=neighbour.pk).update(position=a)
    LineupItem.objects.filter(pk=item.pk).update(position=b)
    audit_action(actor=actor, instance=item, verb="moved", details={"from": a, "to": b})
    item.position = b
    return item


@transaction.atomic
def lineup_copy_from(
    *, actor, session: LiveSession, source: LiveSession
) -> tuple[list[LineupItem], list[str]]:
    """Copy a previous session's line-up onto ``session`` (after what it already has): every product
    passes the gate again; those refused are listed with their reasons and left out."""
    require(actor, "live.change", session.department_id)
    copied, skipped = [], []
    present = set(LineupItem.objects.filter(session=session).values_list("product_id", flat=True))
    for item in source.lineup.select_related("product", "deal").order_by("position"):
        if item.product_id in present:
            continue
        reasons, deal = lineup_blockers(product=item.product, session=session)
        if reasons:
            skipped.append(f"{item.product.title}: {' '.join(reasons)}")
            continue
        copied.append(
            lineup_add(
                actor=actor,
                session=session,
                product=item.product,
                live_price=item.live_price,
                stock_allotted=item.stock_allotted,
                mechanics=item.mechanics,
                selling_points=item.selling_points,
                slot=item.slot,
            )
        )
    return copied, skipped
