"""The samples ledger: receipt, status changes, returns with tracking numbers, losses (audited with
their cost), the overdue-return list and the sample cost per merchant and per product."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveops.core.access import access_for
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.org.models import Staff
from liveops.sourcing.models import Sample
from liveops.sourcing.selectors import samples as sel
from liveops.sourcing.services import samples as svc
from tests.factories import make_clear_product, make_merchant, make_product, make_sample
from tests.sourcing.test_pipeline_support import client_as, sourcing_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return sourcing_people()


def test_record_and_move_to_returned(people):
    product = make_clear_product()
    holder = Staff.objects.get(user=people.recruiter)
    today = timezone.localdate()
    s = svc.sample_record(
        actor=people.recruiter,
        product=product,
        quantity=3,
        unit_cost=Decimal("45.50"),
        must_return=True,
        return_due=today + dt.timedelta(days=7),
        holder=holder,
        location="样品间 A-3",
    )
    assert (s.merchant_id, s.department_id, s.status) == (
        product.merchant_id,
        product.department_id,
        "received",
    )
    s = svc.sample_set_status(actor=people.recruiter, sample=s, status="in_qc")
    s = svc.sample_set_status(actor=people.recruiter, sample=s, status="in_live_room", location="直播间 2")
    with pytest.raises(DomainError) as exc:
        svc.sample_set_status(actor=people.recruiter, sample=s, status="returned")
    assert "tracking_no" in exc.value.fields
    s = svc.sample_set_status(actor=people.recruiter, sample=s, status="returned", tracking_no="SF1234567890")
    assert (s.status, s.return_tracking_no) == ("returned", "SF1234567890")
    with pytest.raises(Conflict):  # final
        svc.sample_set_status(actor=people.recruiter, sample=s, status="in_qc")


def test_record_validation(people):
    product = make_clear_product()
    with pytest.raises(DomainError) as exc:
        svc.sample_record(
            actor=people.recruiter, product=product, quantity=0, unit_cost=Decimal("-1"), must_return=True
        )
    assert {"quantity", "unit_cost", "return_due"} <= set(exc.value.fields)
    with pytest.raises(NotAllowed):
        svc.sample_record(actor=people.qc, product=product, quantity=1)
    with pytest.raises(NotAllowed):
        svc.sample_record(actor=people.auditor, product=product, quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.create(
            merchant=product.merchant,
            product=product,
            quantity=1,
            status="returned",
            department=product.department,
        )


def test_losing_a_sample_is_audited_with_its_cost(people):
    s = svc.sample_record(
        actor=people.recruiter, product=make_clear_product(), quantity=4, unit_cost=Decimal("12.35")
    )
    svc.sample_set_status(actor=people.recruiter, sample=s, status="lost", note="直播间遗失")
    entry = AuditEntry.objects.get(object_type="sourcing.sample", object_id=str(s.pk), verb="lose")
    assert (
        entry.changes["cost"] == "49.40"
        and entry.changes["quantity"] == 4
        and entry.actor == people.recruiter
    )


def test_overdue_list(people):
    today = timezone.localdate()
    product = make_clear_product()

    def rec(status="received", due_days=-1, must_return=True):
        s = svc.sample_record(
            actor=people.recruiter,
            product=product,
            quantity=1,
            unit_cost=Decimal("1"),
            must_return=must_return,
            return_due=today + dt.timedelta(days=due_days),
            received_on=today - dt.timedelta(days=30),
        )
        if status != "received":
            svc.sample_set_status(actor=people.recruiter, sample=s, status=status, tracking_no="SF1")
        return s

    overdue = [rec(), rec("in_qc"), rec("in_live_room", -10)]
    not_overdue = [
        rec(due_days=0),
        rec(due_days=5),
        rec("returned"),
        rec("consumed"),
        rec("lost"),
        rec(must_return=False),
    ]
    got = list(sel.sample_overdue_list(access=access_for(people.recruiter), today=today))
    assert set(got) == set(overdue) and not set(got) & set(not_overdue)
    assert got[0] == overdue[2]  # oldest due first
    assert not sel.sample_overdue_list(access=access_for(people.ec)).exists()


def test_costs_per_merchant_and_product(people):
    a, b = make_clear_product(), make_clear_product()
    a2 = make_product(a.merchant)
    for product, qty, cost in ((a, 2, "10.10"), (a2, 3, "0.33"), (b, 1, "99999.99")):
        svc.sample_record(actor=people.recruiter, product=product, quantity=qty, unit_cost=Decimal(cost))
    access = access_for(people.head)
    by_m = {r["merchant_id"]: r["cost"] for r in sel.sample_cost_by_merchant(access=access)}
    assert by_m == {a.merchant_id: Decimal("21.19"), b.merchant_id: Decimal("99999.99")}
    by_p = {r["product_id"]: r["cost"] for r in sel.sample_cost_by_product(access=access)}
    assert by_p == {a.pk: Decimal("20.20"), a2.pk: Decimal("0.99"), b.pk: Decimal("99999.99")}
    assert sel.sample_cost_total(access=access) == Decimal("100021.18")


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3),  # which merchant
            st.integers(min_value=1, max_value=5000),  # quantity
            st.decimals(
                min_value=0, max_value=Decimal("99999.99"), places=2, allow_nan=False, allow_infinity=False
            ),
        ),
        min_size=0,
        max_size=15,
    )
)
def test_cost_ledger_property(people, rows):
    """Sum of per-merchant costs == sum over samples of qty × unit cost, exactly (Decimal)."""
    Sample.objects.all().delete()
    merchants = [make_clear_product() for _ in range(4)]  # one product of each of 4 merchants
    for idx, qty, cost in rows:
        make_sample(merchants[idx], quantity=qty)
        Sample.objects.filter(pk=Sample.objects.latest("id").pk).update(unit_cost=cost)
    expected = sum((Decimal(q) * c for _i, q, c in rows), Decimal(0))
    access = access_for(people.head)
    by_merchant = sel.sample_cost_by_merchant(access=access)
    assert sum((r["cost"] for r in by_merchant), Decimal(0)) == expected
    assert sum((r["cost"] for r in sel.sample_cost_by_product(access=access)), Decimal(0)) == expected
    assert sel.sample_cost_total(access=access) == expected
    for m in merchants:
        own = sum(
            (Decimal(q) * c for i, q, c in rows if merchants[i].merchant_id == m.merchant_id), Decimal(0)
        )
        assert next((r["cost"] for r in by_merchant if r["merchant_id"] == m.merchant_id), Decimal(0)) == own


# Pages and API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"), [("recruiter", 200), ("head", 200), ("auditor", 200), ("ec", 403), ("outsider", 403)]
)
def test_sample_pages_per_persona(people, who, expected):
    make_sample(make_clear_product(), must_return=True)
    c = client_as(getattr(people, who))
    for url in ("/sourcing/samples/", "/sourcing/samples/overdue/"):
        assert c.get(url).status_code == expected


def test_sample_pages_show_cost_in_cny(people):
    product = make_clear_product()
    svc.sample_record(actor=people.recruiter, product=product, quantity=3, unit_cost=Decimal("1234.5"))
    page = client_as(people.recruiter).get("/sourcing/samples/").content.decode()
    assert "3,703.50" in page or "3703.50" in page


def test_sample_record_and_status_pages(people):
    product = make_clear_product()
    rec = client_as(people.recruiter)
    assert rec.get(f"/sourcing/samples/new/?product={product.pk}").status_code == 200
    r = rec.post(
        "/sourcing/samples/new/",
        {"product": product.pk, "quantity": 2, "unit_cost": "30.00", "location": "样品间"},
    )
    assert r.status_code == 302
    s = Sample.objects.get(product=product)
    r = rec.post(f"/sourcing/samples/{s.pk}/status/", {"status": "returned"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    s.refresh_from_db()
    assert s.status == "received"
    r = rec.post(
        f"/sourcing/samples/{s.pk}/status/",
        {"status": "returned", "tracking_no": "SF9"},
        HTTP_HX_REQUEST="true",
    )
    s.refresh_from_db()
    assert s.status == "returned"
    assert (
        client_as(people.auditor).post(f"/sourcing/samples/{s.pk}/status/", {"status": "lost"}).status_code
        == 403
    )
    assert client_as(people.qc).get(f"/sourcing/samples/new/?product={product.pk}").status_code == 403


def test_sample_api(people):
    product = make_clear_product()
    rec = client_as(people.recruiter)
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = rec.post(
        "/api/v1/sourcing/samples/",
        {"product": product.pk, "quantity": 2, "unit_cost": "10.05", "must_return": True, "return_due": due},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["cost"] == "20.10"
    pk = r.json()["id"]
    r = rec.post(
        f"/api/v1/sourcing/samples/{pk}/status/", {"status": "returned"}, content_type="application/json"
    )
    assert r.status_code == 400 and "tracking_no" in r.json()["fields"]
    assert rec.get("/api/v1/sourcing/samples/overdue/").json() == []
    Sample.objects.filter(pk=pk).update(
        return_due=timezone.localdate() - dt.timedelta(days=1),
        received_on=timezone.localdate() - dt.timedelta(days=5),
    )
    assert [s["id"] for s in rec.get("/api/v1/sourcing/samples/overdue/").json()] == [pk]
    costs = rec.get("/api/v1/sourcing/samples/costs/").json()
    assert costs["total"] == "20.10" and costs["by_merchant"][0]["cost"] == "20.10"
    assert client_as(people.ec).get("/api/v1/sourcing/samples/").status_code == 403
    assert (
        client_as(people.qc)
        .post(
            "/api/v1/sourcing/samples/",
            {"product": product.pk, "quantity": 1},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    other = make_product(make_merchant(department="EC"))
    r = rec.post(
        "/api/v1/sourcing/samples/", {"product": other.pk, "quantity": 1}, content_type="application/json"
    )
    assert r.status_code == 404
