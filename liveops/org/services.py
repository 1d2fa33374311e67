"""Writes to the org chart and governance register. Every function is keyword-only, runs in one
transaction, checks the actor's capability and writes the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.access import access_for
from liveops.core.audit import audit_action, audit_create, model_create, model_update, snapshot
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.pinyin import pinyin_full, pinyin_initials
from liveops.org.models import (
    ActionItem,
    Department,
    FinancialStatement,
    MajorContract,
    Meeting,
    OrgChange,
    Plan,
    Position,
    Resolution,
    ResolutionDocument,
    SigningAuthority,
    Staff,
    SupervisoryQuestion,
)


def _require(actor, capability: str, department_id: int | None = None) -> None:
    access = access_for(actor)
    ok = (
        access.can(capability)
        if department_id is None
        else access.reaches_department(capability, department_id)
    )
    if not ok:
        raise NotAllowed(_("You are not allowed to do this."))


# Staff -----------------------------------------------------------------------------------------


def staff_names(name: str) -> dict[str, str]:
    """Search columns derived from a Chinese name."""
    return {"name_pinyin": pinyin_full(name), "name_initials": pinyin_initials(name)}


@transaction.atomic
def staff_create(
    *,
    actor,
    employee_no: str,
    name: str,
    department: Department,
    position: Position | None = None,
    manager: Staff | None = None,
    name_en: str = "",
    email: str = "",
    phone: str = "",
    id_number: str = "",
    address: str = "",
    hired_on: dt.date | None = None,
    user=None,
) -> Staff:
    """Hire a person into a department (HR-1)."""
    _require(actor, "org.change", department.pk)
    if Staff.objects.filter(employee_no=employee_no).exists():
        raise Conflict(
            _("Employee number %(no)s is already in use.") % {"no": employee_no},
            fields={"employee_no": [_("Already in use.")]},
        )
    if position is not None and position.department_id != department.pk:
        raise DomainError(
            _("The position belongs to another department."),
            fields={"position": [_("Not in this department.")]},
        )
    return model_create(
        actor=actor,
        model=Staff,
        employee_no=employee_no,
        name=name,
        name_en=name_en,
        department=department,
        position=position,
        manager=manager,
        email=email,
        phone=phone,
        id_number=id_number,
        address=address,
        hired_on=hired_on,
        user=user,
        **staff_names(name),
    )


@transaction.atomic
def staff_update(*, actor, staff: Staff, data: dict) -> Staff:
    """Change a staff record; moving someone to another department needs rights over both."""
    _require(actor, "org.change", staff.department_id)
    if "department" in data and data["department"].pk != staff.department_id:
        _require(actor, "org.change", data["department"].pk)
    position = data.get("position", staff.position)
    department = data.get("department", staff.department)
    if position is not None and position.department_id != department.pk:
        raise DomainError(
            _("The position belongs to another department."),
            fields={"position": [_("Not in this department.")]},
        )
    if "name" in data:
        data = {**data, **staff_names(data["name"])}
    staff, _changed = model_update(actor=actor, instance=staff, data=data)
    return staff


@transaction.atomic
def staff_deactivate(*, actor, staff: Staff) -> Staff:
    """Mark a person as having left; their records and history stay."""
    _require(actor, "org.change", staff.department_id)
    staff, _changed = model_update(actor=actor, instance=staff, data={"is_active": False})
    if staff.user_id:
        model_update(actor=actor, instance=staff.user, data={"is_active": False})
    return staff


# Org tree (GOV-BD-5: changes take effect only with an approving board resolution) ---------------


def _require_org_resolution(resolution: Resolution) -> None:
    if not resolution.passed_by_board or resolution.topic != Resolution.Topic.ORG_STRUCTURE:
        raise DomainError(
            _("Org-structure changes need a passed board resolution on the org structure."),
            code="resolution_required",
            fields={"resolution": [_("Choose a passed board resolution on the org structure.")]},
        )


@transaction.atomic
def department_create(
    *,
    actor,
    code: str,
    kind: str,
    name_zh: str,
    name_en: str,
    parent: Department,
    resolution: Resolution,
    summary_zh: str = "",
    summary_en: str = "",
) -> Department:
    """Create a unit under ``parent``, recording the approving board resolution."""
    _require(actor, "org.change")
    _require(actor, "governance.change")
    _require_org_resolution(resolution)
    dept = model_create(
        actor=actor,
        model=Department,
        code=code,
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        parent=parent,
        summary_zh=summary_zh,
        summary_en=summary_en,
        sort_order=(parent.sort_order + 1),
    )
    OrgChange.objects.create(
        department=dept,
        kind=OrgChange.Kind.CREATE,
        after=snapshot(dept),
        resolution=resolution,
        made_by=actor,
    )
    return dept


@transaction.atomic
def department_update(*, actor, department: Department, resolution: Resolution, data: dict) -> Department:
    """Rename, move or close a unit, recording the approving board resolution."""
    _require(actor, "org.change")
    _require(actor, "governance.change")
    _require_org_resolution(resolution)
    if "parent" in data and data["parent"] is not None:
        from liveops.org.selectors import department_subtree_ids

        if data["parent"].pk in department_subtree_ids(department.pk):
            raise DomainError(
                _("A unit cannot report to itself or to one of its own sub-units."),
                fields={"parent": [_("Would create a loop.")]},
            )
    fields = list(data)
    before = snapshot(department, fields)
    department, changed = model_update(actor=actor, instance=department, data=data)
    if changed:
        if "parent" in data and before.get("parent") != department.parent_id:
            kind = OrgChange.Kind.MOVE
        elif data.get("is_active") is False:
            kind = OrgChange.Kind.CLOSE
        else:
            kind = OrgChange.Kind.RENAME
        OrgChange.objects.create(
            department=department,
            kind=kind,
            before=before,
            after=snapshot(department, fields),
            resolution=resolution,
            made_by=actor,
        )
    return department


# Governance register ---------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor,
    body,
    title: str,
    held_at: dt.datetime,
    meeting_type: str = "regular",
    location: str = "",
    agenda: str = "",
    attendees: list[Staff] | None = None,
) -> Meeting:
    """Record a meeting of a governance body with its agenda and attendees."""
    _require(actor, "governance.change")
    meeting = model_create(
        actor=actor,
        model=Meeting,
        body=body,
        title=title,
        held_at=held_at,
        meeting_type=meeting_type,
        location=location,
        agenda=agenda,
    )
    if attendees:
        meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def resolution_propose(
    *,
    actor,
    meeting: Meeting,
    number: str,
    title: str,
    topic: str = "general",
    proposal: str = "",
    proposed_by: Staff | None = None,
) -> Resolution:
    """Put a proposal on a meeting's agenda."""
    _require(actor, "governance.change")
    if Resolution.objects.filter(number=number).exists():
        raise Conflict(
            _("Resolution number %(no)s is already in use.") % {"no": number},
            fields={"number": [_("Already in use.")]},
        )
    return model_create(
        actor=actor,
        model=Resolution,
        meeting=meeting,
        number=number,
        title=title,
        topic=topic,
        proposal=proposal,
        proposed_by=proposed_by,
    )


@transaction.atomic
def resolution_decide(
    *,
    actor,
    resolution: Resolution,
    votes_for: int,
    votes_against: int,
    votes_abstain: int = 0,
    decided_at: dt.datetime | None = None,
) -> Resolution:
    """Record the vote. A simple majority of votes cast passes the proposal."""
    _require(actor, "governance.change")
    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    if resolution.outcome != Resolution.Outcome.PROPOSED:
        raise Conflict(_("This resolution has already been decided."))
    if min(votes_for, votes_against, votes_abstain) < 0:
        raise DomainError(_("Votes cannot be negative."), fields={"votes_for": [_("Must be zero or more.")]})
    outcome = Resolution.Outcome.PASSED if votes_for > votes_against else Resolution.Outcome.REJECTED
    resolution, _changed = model_update(
        actor=actor,
        instance=resolution,
        data={
            "votes_for": votes_for,
            "votes_against": votes_against,
            "votes_abstain": votes_abstain,
            "outcome": outcome,
            "decided_at": decided_at or timezone.now(),
        },
    )
    audit_action(
        actor=actor,
        instance=resolution,
        verb="pass" if outcome == Resolution.Outcome.PASSED else "reject",
        details={"for": votes_for, "against": votes_against, "abstain": votes_abstain},
    )
    return resolution


@transaction.atomic
def action_item_create(
    *,
    actor,
    resolution: Resolution,
    title: str,
    department: Department,
    due_on: dt.date,
    owner: Staff | None = None,
    notes: str = "",
) -> ActionItem:
    """Assign the follow-up of a passed resolution to a department and owner (GM-2, GOV-CH-3)."""
    _require(actor, "governance.change")
    if resolution.outcome != Resolution.Outcome.PASSED:
        raise DomainError(
            _("Only a passed resolution can have action items."), fields={"resolution": [_("Not passed.")]}
        )
    if owner is not None and owner.department_id != department.pk:
        raise DomainError(
            _("The owner must work in the department the action is assigned to."),
            fields={"owner": [_("Not in this department.")]},
        )
    return model_create(
        actor=actor,
        model=ActionItem,
        resolution=resolution,
        title=title,
        department=department,
        due_on=due_on,
        owner=owner,
        notes=notes,
    )


@transaction.atomic
def resolution_document_add(*, actor, resolution: Resolution, title: str, file) -> ResolutionDocument:
    """Attach a document (proposal, budget, contract draft…) to a resolution."""
    _require(actor, "governance.change")
    doc = ResolutionDocument(resolution=resolution, title=title, file=file)
    doc.full_clean()
    doc.save()
    audit_create(actor=actor, instance=doc)
    return doc


@transaction.atomic
def action_item_set_status(
    *, actor, item: ActionItem, status: str, notes: str | None = None, today: dt.date | None = None
) -> ActionItem:
    """Move an action item along (open → in progress → done). Its owner or anyone with governance
    rights over its department may do so."""
    access = access_for(actor)
    is_owner = item.owner is not None and item.owner.user_id == getattr(actor, "pk", None)
    if not (
        is_owner
        or access.can("governance.change")
        or access.reaches_department("org.change", item.department_id)
    ):
        raise NotAllowed(_("You are not allowed to do this."))
    if status not in ActionItem.Status.values:
        raise DomainError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    data: dict = {
        "status": status,
        "completed_on": (today or timezone.localdate()) if status == ActionItem.Status.DONE else None,
    }
    if notes is not None:
        data["notes"] = notes
    item, _changed = model_update(actor=actor, instance=item, data=data)
    return item


@transaction.atomic
def question_file(*, actor, resolution: Resolution, text: str, kind: str = "question") -> SupervisoryQuestion:
    """The supervisory board files a question or motion against a resolution (GOV-SV-4, GOV-SV-5)."""
    _require(actor, "governance.question")
    if not text.strip():
        raise DomainError(_("Write the question."), fields={"text": [_("This field is required.")]})
    q = SupervisoryQuestion.objects.create(
        resolution=resolution, text=text.strip(), kind=kind, filed_by=actor
    )
    audit_create(actor=actor, instance=q)
    return q


@transaction.atomic
def plan_create(
    *,
    actor,
    kind: str,
    year: int,
    title: str,
    gmv_target: Decimal = Decimal(0),
    cost_budget: Decimal = Decimal(0),
    body: str = "",
    owner: Staff | None = None,
) -> Plan:
    """Draft an annual plan, budget or target set (GM-3)."""
    _require(actor, "governance.change")
    return model_create(
        actor=actor,
        model=Plan,
        kind=kind,
        year=year,
        title=title,
        gmv_target=gmv_target,
        cost_budget=cost_budget,
        body=body,
        owner=owner,
    )


@transaction.atomic
def plan_submit(*, actor, plan: Plan) -> Plan:
    """Send a draft to the board."""
    _require(actor, "governance.change")
    if plan.status not in (Plan.Status.DRAFT, Plan.Status.RETURNED):
        raise Conflict(_("Only a draft or returned plan can be submitted."))
    plan, _changed = model_update(actor=actor, instance=plan, data={"status": Plan.Status.SUBMITTED})
    audit_action(actor=actor, instance=plan, verb="submit")
    return plan


@transaction.atomic
def plan_approve(*, actor, plan: Plan, resolution: Resolution) -> Plan:
    """The board approves a submitted plan: needs a passed board resolution."""
    _require(actor, "governance.approve")
    if plan.status != Plan.Status.SUBMITTED:
        raise Conflict(_("Only a submitted plan can be approved."))
    if not resolution.passed_by_board:
        raise DomainError(
            _("Approval needs a passed board resolution."),
            fields={"resolution": [_("Choose a passed board resolution.")]},
        )
    plan, _changed = model_update(
        actor=actor, instance=plan, data={"status": Plan.Status.APPROVED, "resolution": resolution}
    )
    audit_action(actor=actor, instance=plan, verb="approve", details={"resolution": resolution.number})
    return plan


@transaction.atomic
def plan_return(*, actor, plan: Plan, reason: str) -> Plan:
    _require(actor, "governance.approve")
    if plan.status != Plan.Status.SUBMITTED:
        raise Conflict(_("Only a submitted plan can be returned."))
    plan, _changed = model_update(actor=actor, instance=plan, data={"status": Plan.Status.RETURNED})
    audit_action(actor=actor, instance=plan, verb="return", details={"reason": reason})
    return plan


# Financial statements (GOV-CH-6, GOV-BD-3, GOV-SV-1) ----------------------------------------------


@transaction.atomic
def statement_create(
    *,
    actor,
    kind: str,
    period: str,
    revenue: Decimal,
    gross_profit: Decimal,
    net_profit: Decimal,
    cash: Decimal,
) -> FinancialStatement:
    """Record a financial statement with its key figures (finance or the executive office)."""
    _require(actor, "governance.change")
    if FinancialStatement.objects.filter(kind=kind, period=period).exists():
        raise Conflict(
            _("A statement for this period already exists."), fields={"period": [_("Already recorded.")]}
        )
    return model_create(
        actor=actor,
        model=FinancialStatement,
        kind=kind,
        period=period,
        revenue=revenue,
        gross_profit=gross_profit,
        net_profit=net_profit,
        cash=cash,
    )


@transaction.atomic
def statement_review(*, actor, statement: FinancialStatement, notes: str = "") -> FinancialStatement:
    """The chairman reviews a statement (GOV-CH-6)."""
    _require(actor, "governance.approve")
    if statement.status != FinancialStatement.Status.DRAFT:
        raise Conflict(_("Only a draft statement can be reviewed."))
    statement, _changed = model_update(
        actor=actor,
        instance=statement,
        data={"status": FinancialStatement.Status.REVIEWED, "reviewed_by": actor, "review_notes": notes},
    )
    audit_action(actor=actor, instance=statement, verb="review")
    return statement


@transaction.atomic
def statement_approve(*, actor, statement: FinancialStatement, resolution: Resolution) -> FinancialStatement:
    """The board approves reviewed (final) accounts with a passed board resolution (GOV-BD-3)."""
    _require(actor, "governance.approve")
    if statement.status != FinancialStatement.Status.REVIEWED:
        raise Conflict(_("Only a reviewed statement can be approved."))
    if not resolution.passed_by_board:
        raise DomainError(
            _("Approval needs a passed board resolution."),
            fields={"resolution": [_("Choose a passed board resolution.")]},
        )
    statement, _changed = model_update(
        actor=actor,
        instance=statement,
        data={"status": FinancialStatement.Status.APPROVED, "resolution": resolution},
    )
    audit_action(actor=actor, instance=statement, verb="approve", details={"resolution": resolution.number})
    return statement


# Contract register and signing authority (GOV-CH-7) -----------------------------------------------


def signing_authority_for(amount: Decimal) -> SigningAuthority | None:
    """The tier that applies to ``amount``: the highest threshold not above it."""
    return (
        SigningAuthority.objects.filter(min_amount__lte=amount)
        .order_by("-min_amount")
        .select_related("position")
        .first()
    )


@transaction.atomic
def contract_register(
    *, actor, number: str, title: str, counterparty: str, amount: Decimal, department: Department
) -> MajorContract:
    """Add a contract to the register as a draft."""
    _require(actor, "governance.change")
    if amount < 0:
        raise DomainError(
            _("The amount cannot be negative."), fields={"amount": [_("Must be zero or more.")]}
        )
    if MajorContract.objects.filter(number=number).exists():
        raise Conflict(
            _("Contract number %(no)s is already in use.") % {"no": number},
            fields={"number": [_("Already in use.")]},
        )
    return model_create(
        actor=actor,
        model=MajorContract,
        number=number,
        title=title,
        counterparty=counterparty,
        amount=amount,
        department=department,
    )


@transaction.atomic
def contract_sign(
    *,
    actor,
    contract: MajorContract,
    signer: Staff,
    signed_on: dt.date | None = None,
    resolution: Resolution | None = None,
) -> MajorContract:
    """Sign a contract. The signer must hold the position of the amount's tier or of a higher tier;
    tiers that need the board also need a passed board resolution."""
    _require(actor, "governance.change")
    contract = MajorContract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != MajorContract.Status.DRAFT:
        raise Conflict(_("Only a draft contract can be signed."))
    tier = signing_authority_for(contract.amount)
    if tier is not None:
        allowed = set(
            SigningAuthority.objects.filter(min_amount__gte=tier.min_amount).values_list(
                "position_id", flat=True
            )
        )
        if signer.position_id not in allowed:
            raise DomainError(
                _("A contract of %(amount)s CNY must be signed by %(position)s or above.")
                % {"amount": contract.amount, "position": tier.position.title},
                code="signing_authority",
                fields={"signer": [_("Outside the signing authority.")]},
            )
        if tier.needs_board_resolution and (resolution is None or not resolution.passed_by_board):
            raise DomainError(
                _("Contracts of this amount need a passed board resolution."),
                code="resolution_required",
                fields={"resolution": [_("Choose a passed board resolution.")]},
            )
    contract, _changed = model_update(
        actor=actor,
        instance=contract,
        data={
            "status": MajorContract.Status.SIGNED,
            "signed_by": signer,
            "signed_on": signed_on or timezone.localdate(),
            "resolution": resolution,
        },
    )
    audit_action(
        actor=actor,
        instance=contract,
        verb="sign",
        details={"signer": signer.employee_no, "amount": str(contract.amount)},
    )
    return contract
