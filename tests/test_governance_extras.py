"""Financial statements (GOV-CH-6, GOV-BD-3), the contract register with signing authority
(GOV-CH-7) and the senior appointments roster (GOV-CH-4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.org import services
from liveops.org.models import (
    Department,
    FinancialStatement,
    GovernanceBody,
    MajorContract,
    Position,
    SigningAuthority,
    Staff,
)
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_resolution(personas):
    admin = personas["admin"]
    board = GovernanceBody.objects.get(kind="board")
    meeting = services.meeting_create(actor=admin, body=board, title="董事会", held_at=timezone.now())
    res = services.resolution_propose(
        actor=admin, meeting=meeting, number="BD-T-001", title="决算", topic="budget"
    )
    return services.resolution_decide(actor=admin, resolution=res, votes_for=4, votes_against=1)


@pytest.fixture
def tiers(org):
    pos = {p.code: p for p in Position.objects.filter(code__in=["deputy-gm", "gm", "board-chair"])}
    SigningAuthority.objects.create(min_amount=Decimal("0"), position=pos["deputy-gm"])
    SigningAuthority.objects.create(min_amount=Decimal("500000"), position=pos["gm"])
    SigningAuthority.objects.create(
        min_amount=Decimal("10000000"), position=pos["board-chair"], needs_board_resolution=True
    )
    return pos


def _staff(code: str) -> Staff:
    return Staff.objects.get(position__code=code)


def test_statement_review_then_approve_with_board_resolution(personas, board_resolution):
    admin, gm = personas["admin"], personas["gm"]
    st_ = services.statement_create(
        actor=admin,
        kind="annual",
        period="2025",
        revenue=Decimal("100.00"),
        gross_profit=Decimal("30.00"),
        net_profit=Decimal("10.00"),
        cash=Decimal("50.00"),
    )
    with pytest.raises(Conflict):
        services.statement_approve(actor=admin, statement=st_, resolution=board_resolution)
    with pytest.raises(NotAllowed):
        services.statement_review(actor=personas["member"], statement=st_)
    st_ = services.statement_review(actor=admin, statement=st_, notes="ok")
    assert st_.status == "reviewed" and st_.reviewed_by == admin
    st_ = services.statement_approve(actor=admin, statement=st_, resolution=board_resolution)
    assert st_.status == "approved" and st_.resolution == board_resolution
    assert AuditEntry.objects.filter(
        object_type="org.financialstatement", object_id=str(st_.pk), verb="approve"
    ).exists()
    assert gm  # the GM persona exists for the page test below


def test_statement_duplicate_period_refused(personas):
    admin = personas["admin"]
    kw = {
        "kind": "monthly",
        "period": "2026-01",
        "revenue": Decimal("1"),
        "gross_profit": Decimal("1"),
        "net_profit": Decimal("0"),
        "cash": Decimal("0"),
    }
    services.statement_create(actor=admin, **kw)
    with pytest.raises(Conflict):
        services.statement_create(actor=admin, **kw)


def test_statement_constraints(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        FinancialStatement.objects.create(
            kind="monthly",
            period="2026-02",
            revenue=Decimal("10"),
            gross_profit=Decimal("11"),
            net_profit=Decimal("0"),
            cash=Decimal("0"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FinancialStatement.objects.create(
            kind="monthly",
            period="2026-03",
            revenue=Decimal("10"),
            gross_profit=Decimal("1"),
            net_profit=Decimal("0"),
            cash=Decimal("0"),
            status="approved",
        )


@given(cents=st.integers(min_value=0, max_value=10**13 - 1))
@settings(max_examples=30, deadline=None)
def test_contract_amounts_round_trip_exactly(cents):
    # Money is Decimal end to end: what is stored comes back to the cent, on SQLite and PostgreSQL.
    from liveops.org.bootstrap import org_template_load

    org_template_load()
    amount = Decimal(cents) / 100
    dept = Department.objects.get(code="GMO")
    c = MajorContract.objects.create(
        number=f"RT-{cents}", title="t", counterparty="c", amount=amount, department=dept
    )
    assert MajorContract.objects.get(pk=c.pk).amount == amount
    c.delete()


def test_signing_authority_by_amount(personas, tiers, board_resolution):
    admin = personas["admin"]
    make_person("deputy-gm", "deputy")
    dept = Department.objects.get(code="GMO")
    small = services.contract_register(
        actor=admin, number="C-1", title="设备", counterparty="A", amount=Decimal("100000"), department=dept
    )
    big = services.contract_register(
        actor=admin, number="C-2", title="租赁", counterparty="B", amount=Decimal("800000"), department=dept
    )
    huge = services.contract_register(
        actor=admin, number="C-3", title="基地", counterparty="C", amount=Decimal("20000000"), department=dept
    )
    # The deputy GM signs small contracts but not those above the GM's threshold.
    assert services.contract_sign(actor=admin, contract=small, signer=_staff("deputy-gm")).status == "signed"
    with pytest.raises(DomainError) as exc:
        services.contract_sign(actor=admin, contract=big, signer=_staff("deputy-gm"))
    assert exc.value.code == "signing_authority"
    assert (
        services.contract_sign(actor=admin, contract=big, signer=_staff("gm")).signed_by.position.code == "gm"
    )
    # The top tier needs the chairman and a passed board resolution.
    make_person("board-chair", "chair")
    with pytest.raises(DomainError) as exc:
        services.contract_sign(actor=admin, contract=huge, signer=_staff("board-chair"))
    assert exc.value.code == "resolution_required"
    signed = services.contract_sign(
        actor=admin, contract=huge, signer=_staff("board-chair"), resolution=board_resolution
    )
    assert signed.resolution == board_resolution
    with pytest.raises(Conflict):
        services.contract_sign(
            actor=admin, contract=signed, signer=_staff("board-chair"), resolution=board_resolution
        )
    assert AuditEntry.objects.filter(object_type="org.majorcontract", verb="sign").count() == 3


def test_signed_contract_needs_signer_in_db(org):
    dept = Department.objects.get(code="GMO")
    with pytest.raises(IntegrityError), transaction.atomic():
        MajorContract.objects.create(
            number="X", title="t", counterparty="c", amount=Decimal("1"), department=dept, status="signed"
        )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("gm", 200), ("auditor", 200), ("member", 403), ("other", 403), ("outsider", 403), (None, 302)],
)
@pytest.mark.parametrize(
    "url", ["/org/governance/statements/", "/org/governance/contracts/", "/org/governance/appointments/"]
)
def test_governance_extra_pages_per_persona(client_for, persona, status, url):
    assert client_for(persona).get(url).status_code == status


def test_statement_page_post_refused_for_auditor(client_for, personas):
    st_ = services.statement_create(
        actor=personas["admin"],
        kind="monthly",
        period="2026-04",
        revenue=Decimal("5"),
        gross_profit=Decimal("2"),
        net_profit=Decimal("1"),
        cash=Decimal("1"),
    )
    r = client_for("auditor").post("/org/governance/statements/", {"statement": st_.pk, "action": "review"})
    assert r.status_code == 404
    st_.refresh_from_db()
    assert st_.status == "draft"


def test_appointments_roster_lists_holders(client_for, personas):
    r = client_for("gm").get("/org/governance/appointments/")
    assert "测试gm" in r.content.decode()


def test_demo_has_statements_and_contracts(db):
    from liveops.org.demo import demo_build

    demo_build(today=dt.date(2026, 11, 27))
    assert FinancialStatement.objects.filter(kind="monthly").count() == 12
    assert FinancialStatement.objects.filter(kind="annual", status="approved").exists()
    assert MajorContract.objects.filter(status="signed").count() >= 3
    assert MajorContract.objects.filter(status="draft").exists()
