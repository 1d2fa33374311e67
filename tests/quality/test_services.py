"""Services of quality control: checklists (QC-1), inspections (QC-2), defects and CAPA (QC-2,
QC-4), the blocklist (QC-4) — with the database constraints behind them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.quality import selectors, services
from liveops.quality.models import Block, Checklist, CorrectiveAction, Defect, Inspection
from liveops.sourcing.models import Sample
from tests.factories import make_category, make_clear_product, make_product, make_sample

pytestmark = pytest.mark.django_db

ITEMS = [{"text": "外观", "is_critical": True}, {"text": "标签", "is_critical": False}]


def verbs(instance):
    return list(
        AuditEntry.objects.filter(
            object_type=f"{instance._meta.app_label}.{instance._meta.model_name}", object_id=str(instance.pk)
        )
        .exclude(verb="")
        .values_list("verb", flat=True)
    )


def inspect(actor, world, answers: dict[str, bool], *, kind="sample", **kw) -> Inspection:
    """Start an inspection of the world's product and answer every item (text → passed)."""
    extra = {"sample": world.sample} if kind == "sample" else {"batch_no": "B-2026-001"}
    ins = services.inspection_start(actor=actor, product=world.product, kind=kind, **extra)
    for item in ins.checklist.items.all():
        services.inspection_record_item(
            actor=actor, inspection=ins, item=item, passed=answers.get(item.text, True), note=""
        )
    return ins


# Checklists ------------------------------------------------------------------------------------


def test_checklist_create_version_1(world):
    cl = world.checklist
    assert (cl.version, cl.is_active) == (1, True)
    assert [i.text for i in cl.items.all()] == ["包装完好无破损", "备案信息与标签一致", "气味正常"]
    assert [i.is_critical for i in cl.items.all()] == [True, True, False]
    assert AuditEntry.objects.filter(
        object_type="quality.checklist", object_id=str(cl.pk), action="create"
    ).exists()


def test_second_checklist_for_a_category_must_be_a_revision(world, people):
    with pytest.raises(Conflict):
        services.checklist_create(
            actor=people.inspector, category=world.category, title="另一份", items=ITEMS
        )


def test_checklist_needs_items_and_title(people):
    cat = make_category("food", required=[])
    with pytest.raises(DomainError):
        services.checklist_create(actor=people.inspector, category=cat, title="食品", items=[{"text": "  "}])
    with pytest.raises(DomainError):
        services.checklist_create(actor=people.inspector, category=cat, title=" ", items=ITEMS)


def test_checklist_write_needs_quality_change(people):
    cat = make_category("food", required=[])
    for who in (people.ec, people.auditor, people.outsider):
        with pytest.raises(NotAllowed):
            services.checklist_create(actor=who, category=cat, title="食品", items=ITEMS)


def test_revising_makes_a_new_version_and_retires_the_old(world, people):
    old = world.checklist
    before = services.inspection_start(
        actor=people.inspector, product=world.product, kind="sample", sample=world.sample
    )
    new = services.checklist_revise(
        actor=people.inspector, checklist=old, title="护肤品来样检验（修订）", items=ITEMS
    )
    old.refresh_from_db()
    assert (old.is_active, new.is_active, new.version, new.category_id) == (False, True, 2, old.category_id)
    assert [i.text for i in new.items.all()] == ["外观", "标签"]
    assert old.items.count() == 3  # the old version is kept as it was
    assert "revise" in verbs(new)
    # Inspections keep their version; new ones use the version in use.
    before.refresh_from_db()
    assert before.checklist_id == old.pk
    after = services.inspection_start(
        actor=people.inspector, product=world.product, kind="inbound", batch_no="B1"
    )
    assert after.checklist_id == new.pk
    versions = list(
        selectors.checklist_versions(access=_access(people.inspector), category_id=world.category.pk)
    )
    assert [v.version for v in versions] == [2, 1]


def test_only_the_version_in_use_can_be_revised(world, people):
    services.checklist_revise(actor=people.inspector, checklist=world.checklist, title="v2", items=ITEMS)
    with pytest.raises(Conflict):
        services.checklist_revise(actor=people.inspector, checklist=world.checklist, title="v3", items=ITEMS)
    assert Checklist.objects.filter(category=world.category, is_active=True).count() == 1


def test_database_allows_one_active_checklist_per_category(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Checklist.objects.create(category=world.category, version=9, title="x", is_active=True)


def test_database_refuses_duplicate_version(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Checklist.objects.create(category=world.category, version=1, title="x", is_active=False)


def _access(user):
    from liveops.core.access import access_for

    return access_for(user)


# Inspections -----------------------------------------------------------------------------------


def test_sample_inspection_needs_its_sample(world, people):
    with pytest.raises(DomainError) as exc:
        services.inspection_start(actor=people.inspector, product=world.product, kind="sample")
    assert "sample" in exc.value.fields
    other = make_sample(make_clear_product(category=world.category))
    with pytest.raises(DomainError):
        services.inspection_start(actor=people.inspector, product=world.product, kind="sample", sample=other)


def test_inbound_inspection_needs_a_batch_number(world, people):
    with pytest.raises(DomainError) as exc:
        services.inspection_start(
            actor=people.inspector, product=world.product, kind="inbound", batch_no="  "
        )
    assert "batch_no" in exc.value.fields
    ins = services.inspection_start(
        actor=people.inspector, product=world.product, kind="inbound", batch_no="B-1"
    )
    assert (ins.batch_no, ins.sample_id, ins.result, ins.inspector) == (
        "B-1",
        None,
        "pending",
        people.inspector,
    )


def test_inspection_constraints_in_the_database(world, people):
    base = {"product": world.product, "checklist": world.checklist, "inspector": people.inspector}
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(kind="sample", **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(kind="inbound", batch_no="", **base)


def test_inspection_needs_a_checklist(people):
    product = make_clear_product(category=make_category("toys", required=[]))
    with pytest.raises(DomainError) as exc:
        services.inspection_start(actor=people.inspector, product=product, kind="inbound", batch_no="B")
    assert exc.value.code == "no_checklist"


def test_subcategory_uses_the_parent_checklist(world, people):
    child = make_category("serum", required=[])
    child.parent = world.category
    child.save()
    product = make_clear_product(category=child)
    ins = services.inspection_start(actor=people.inspector, product=product, kind="inbound", batch_no="B")
    assert ins.checklist_id == world.checklist.pk


def test_inspection_write_needs_quality_change(world, people):
    for who in (people.ec, people.auditor, people.outsider):
        with pytest.raises(NotAllowed):
            services.inspection_start(actor=who, product=world.product, kind="inbound", batch_no="B")


def test_record_item_replaces_earlier_answer_and_keeps_photo(world, people, media):
    ins = services.inspection_start(
        actor=people.inspector, product=world.product, kind="sample", sample=world.sample
    )
    item = world.checklist.items.first()
    photo = SimpleUploadedFile("crack.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    r1 = services.inspection_record_item(
        actor=people.inspector, inspection=ins, item=item, passed=False, note="瓶盖裂", photo=photo
    )
    assert r1.photo.name.startswith("inspections/") and (media / r1.photo.name).exists()
    r2 = services.inspection_record_item(
        actor=people.inspector, inspection=ins, item=item, passed=True, note="复看无裂"
    )
    assert r2.pk == r1.pk and r2.passed and r2.photo.name == r1.photo.name
    assert ins.item_results.count() == 1
    entries = AuditEntry.objects.filter(object_type="quality.inspectionitemresult", object_id=str(r1.pk))
    assert [e.action for e in entries.order_by("id")] == ["create", "update"]
    assert entries.order_by("id").last().changes["after"] == {"note": "复看无裂", "passed": True}


def test_record_item_not_on_the_checklist(world, people):
    ins = services.inspection_start(
        actor=people.inspector, product=world.product, kind="sample", sample=world.sample
    )
    other = services.checklist_create(
        actor=people.inspector, category=make_category("food", required=[]), title="食品", items=ITEMS
    )
    with pytest.raises(DomainError):
        services.inspection_record_item(
            actor=people.inspector, inspection=ins, item=other.items.first(), passed=True
        )


def test_complete_needs_every_item(world, people):
    ins = services.inspection_start(
        actor=people.inspector, product=world.product, kind="sample", sample=world.sample
    )
    services.inspection_record_item(
        actor=people.inspector, inspection=ins, item=world.checklist.items.first(), passed=True
    )
    with pytest.raises(DomainError) as exc:
        services.inspection_complete(actor=people.inspector, inspection=ins)
    assert exc.value.code == "incomplete" and "气味正常" in exc.value.fields["items"]


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([(True, True), (True, True), (False, True)], "passed"),
        ([(True, False), (True, True), (False, True)], "failed"),  # a critical item failed
        ([(True, True), (True, True), (False, False)], "passed"),  # only a non-critical item failed
        ([(False, True), (False, False)], "failed"),  # no critical items: any failure fails
        ([(False, True), (False, True)], "passed"),
    ],
)
def test_inspection_outcome(results, expected):
    assert services.inspection_outcome(results) == expected


def test_passed_sample_inspection_moves_sample_to_in_qc(world, people):
    ins = inspect(people.inspector, world, {"气味正常": False})
    ins = services.inspection_complete(actor=people.inspector, inspection=ins)
    assert ins.result == "passed"
    world.sample.refresh_from_db()
    assert world.sample.status == Sample.Status.IN_QC
    assert "in_qc" in verbs(world.sample)
    assert "pass" in verbs(ins)
    assert not Defect.objects.exists()


def test_sample_in_another_status_is_left_alone(world, people):
    Sample.objects.filter(pk=world.sample.pk).update(status="in_live_room")
    ins = inspect(people.inspector, world, {})
    services.inspection_complete(actor=people.inspector, inspection=ins)
    world.sample.refresh_from_db()
    assert world.sample.status == "in_live_room"
    assert "in_qc" not in verbs(world.sample)


def test_failed_inspection_opens_a_defect(world, people):
    ins = inspect(people.inspector, world, {"包装完好无破损": False})
    ins = services.inspection_complete(actor=people.inspector, inspection=ins)
    assert ins.result == "failed"
    assert "fail" in verbs(ins)
    defect = Defect.objects.get()
    assert (defect.inspection_id, defect.product_id, defect.merchant_id) == (
        ins.pk,
        world.product.pk,
        world.merchant.pk,
    )
    assert defect.severity == "critical" and "包装完好无破损" in defect.description


def test_failed_inspection_without_defect_or_with_chosen_severity(world, people):
    ins = inspect(people.inspector, world, {"包装完好无破损": False})
    services.inspection_complete(actor=people.inspector, inspection=ins, open_defect=False)
    assert not Defect.objects.exists()
    ins2 = inspect(people.inspector, world, {"备案信息与标签一致": False}, kind="inbound")
    services.inspection_complete(actor=people.inspector, inspection=ins2, defect_severity="minor")
    assert Defect.objects.get().severity == "minor"


def test_completed_inspection_is_final(world, people):
    ins = services.inspection_complete(
        actor=people.inspector, inspection=inspect(people.inspector, world, {})
    )
    with pytest.raises(Conflict):
        services.inspection_complete(actor=people.inspector, inspection=ins)
    with pytest.raises(Conflict):
        services.inspection_record_item(
            actor=people.inspector, inspection=ins, item=world.checklist.items.first(), passed=False
        )


# Defects and CAPA ------------------------------------------------------------------------------


@pytest.fixture
def defect(world, people):
    return services.defect_create(
        actor=people.inspector, product=world.product, severity="major", description="批次色差"
    )


def test_defect_create(defect, world):
    assert (defect.merchant_id, defect.status, defect.found_on) == (
        world.merchant.pk,
        "open",
        timezone.localdate(),
    )


def test_defect_validation(world, people):
    with pytest.raises(DomainError):
        services.defect_create(
            actor=people.inspector, product=world.product, severity="fatal", description="x"
        )
    with pytest.raises(DomainError):
        services.defect_create(
            actor=people.inspector, product=world.product, severity="minor", description=" "
        )
    with pytest.raises(NotAllowed):
        services.defect_create(actor=people.auditor, product=world.product, severity="minor", description="x")


def test_capa_moves_defect_under_way_and_close_needs_all_done(defect, people):
    today = timezone.localdate()
    a1 = services.capa_add(
        actor=people.inspector, defect=defect, kind="corrective", action="整批退回", due_on=today
    )
    a2 = services.capa_add(
        actor=people.inspector, defect=defect, kind="preventive", action="增加来料抽检", due_on=today
    )
    defect.refresh_from_db()
    assert defect.status == "in_capa"
    services.capa_update(actor=people.inspector, capa=a1, status="done", follow_up="已退回")
    with pytest.raises(Conflict) as exc:
        services.defect_close(actor=people.inspector, defect=defect)
    assert exc.value.code == "capa_open" and "增加来料抽检" in str(exc.value.message)
    services.capa_update(actor=people.inspector, capa=a2, status="done")
    services.capa_update(actor=people.inspector, capa=a2, status="verified", follow_up="连续三批合格")
    defect = services.defect_close(actor=people.inspector, defect=defect)
    assert (defect.status, defect.closed_on) == ("closed", today)
    assert "close" in verbs(defect)
    with pytest.raises(Conflict):
        services.capa_add(actor=people.inspector, defect=defect, kind="corrective", action="x", due_on=today)


def test_capa_transitions(defect, people):
    a = services.capa_add(
        actor=people.inspector, defect=defect, kind="corrective", action="x", due_on=timezone.localdate()
    )
    with pytest.raises(Conflict):
        services.capa_update(actor=people.inspector, capa=a, status="verified")
    a = services.capa_update(actor=people.inspector, capa=a, status="done")
    a = services.capa_update(actor=people.inspector, capa=a, status="open")  # the check found it did not work
    assert a.status == "open"
    with pytest.raises(DomainError):
        services.capa_add(
            actor=people.inspector, defect=defect, kind="other", action="x", due_on=timezone.localdate()
        )


def test_defect_closed_needs_date_in_database(defect):
    with pytest.raises(IntegrityError), transaction.atomic():
        Defect.objects.filter(pk=defect.pk).update(status="closed")


def test_overdue_capa_list(defect, people):
    today = timezone.localdate()
    late = services.capa_add(
        actor=people.inspector,
        defect=defect,
        kind="corrective",
        action="逾期",
        due_on=today - dt.timedelta(days=2),
    )
    services.capa_add(
        actor=people.inspector,
        defect=defect,
        kind="corrective",
        action="未到期",
        due_on=today + dt.timedelta(days=2),
    )
    done = services.capa_add(
        actor=people.inspector,
        defect=defect,
        kind="corrective",
        action="已完成",
        due_on=today - dt.timedelta(days=5),
    )
    services.capa_update(actor=people.inspector, capa=done, status="done")
    overdue = list(selectors.capa_list(access=_access(people.inspector), overdue_only=True))
    assert overdue == [late]
    assert services.capa_is_overdue(late, today) and not services.capa_is_overdue(
        CorrectiveAction(status="open", due_on=today), today
    )


# Blocklist -------------------------------------------------------------------------------------


def test_block_product_and_merchant(world, people):
    pb = services.block_product(actor=people.inspector, product=world.product, reason="抽检不合格")
    mb = services.block_merchant(actor=people.inspector, merchant=world.merchant, reason="资质造假")
    assert (pb.product_id, pb.merchant_id, pb.blocked_by, pb.lifted_at) == (
        world.product.pk,
        None,
        people.inspector,
        None,
    )
    assert (mb.merchant_id, mb.product_id) == (world.merchant.pk, None)
    assert "block" in verbs(pb) and "block" in verbs(mb)


def test_block_needs_reason_and_capability(world, people):
    with pytest.raises(DomainError):
        services.block_product(actor=people.inspector, product=world.product, reason="  ")
    for who in (people.ec, people.auditor, people.outsider):
        with pytest.raises(NotAllowed):
            services.block_product(actor=who, product=world.product, reason="x")
        with pytest.raises(NotAllowed):
            services.block_merchant(actor=who, merchant=world.merchant, reason="x")
    assert not Block.objects.exists()


def test_one_active_block_per_target(world, people):
    services.block_product(actor=people.inspector, product=world.product, reason="a")
    with pytest.raises(Conflict):
        services.block_product(actor=people.head, product=world.product, reason="b")
    services.block_merchant(actor=people.inspector, merchant=world.merchant, reason="a")
    with pytest.raises(Conflict):
        services.block_merchant(actor=people.inspector, merchant=world.merchant, reason="b")


def test_database_allows_one_active_block_per_target(world, people):
    Block.objects.create(product=world.product, reason="a", blocked_by=people.inspector)
    Block.objects.create(merchant=world.merchant, reason="a", blocked_by=people.inspector)
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(product=world.product, reason="b", blocked_by=people.inspector)
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(merchant=world.merchant, reason="b", blocked_by=people.inspector)
    # A lifted block does not count.
    Block.objects.update(lifted_at=timezone.now(), lifted_by=people.head)
    Block.objects.create(product=world.product, reason="c", blocked_by=people.inspector)


def test_database_block_targets_exactly_one(world, people):
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(
            product=world.product, merchant=world.merchant, reason="x", blocked_by=people.inspector
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(reason="x", blocked_by=people.inspector)


def test_database_lift_needs_an_approver(world, people):
    block = services.block_product(actor=people.inspector, product=world.product, reason="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.filter(pk=block.pk).update(lifted_at=timezone.now())


def test_qc_staff_cannot_lift(world, people):
    block = services.block_product(actor=people.inspector, product=world.product, reason="a")
    for who in (people.inspector, people.ec, people.auditor, people.outsider):
        with pytest.raises(NotAllowed):
            services.block_lift(actor=who, block=block, reason="放行")
    block.refresh_from_db()
    assert block.lifted_at is None


@pytest.mark.parametrize("manager", ["head", "mc_head"])
def test_manager_lifts_a_block(world, people, manager):
    approver = getattr(people, manager)
    block = services.block_product(actor=people.inspector, product=world.product, reason="待复检")
    block = services.block_lift(actor=approver, block=block, reason="复检合格")
    assert (block.lifted_by, block.lift_reason) == (approver, "复检合格")
    assert block.lifted_at is not None
    entry = AuditEntry.objects.get(object_type="quality.block", object_id=str(block.pk), verb="lift")
    assert entry.actor == approver and entry.changes == {"reason": "复检合格"}
    with pytest.raises(Conflict):
        services.block_lift(actor=approver, block=block, reason="again")
    with pytest.raises(DomainError):
        services.block_lift(
            actor=approver,
            block=services.block_product(actor=people.inspector, product=world.product, reason="b"),
            reason="",
        )
    # After the lift the product can be blocked again.
    assert Block.objects.filter(product=world.product, lifted_at__isnull=True).count() == 1


def test_block_list_selector(world, people):
    b1 = services.block_product(actor=people.inspector, product=world.product, reason="a")
    b2 = services.block_merchant(actor=people.inspector, merchant=world.merchant, reason="b")
    services.block_lift(actor=people.head, block=b1, reason="ok")
    access = _access(people.auditor)
    assert list(selectors.block_list(access=access, active=True)) == [b2]
    assert list(selectors.block_list(access=access, active=False)) == [b1]
    assert selectors.block_list(access=_access(people.ec)).count() == 0


def test_recruiter_reads_quality_records_of_own_department_only(world, people):
    """Recruiters hold quality.view over their department: records of products recruited elsewhere stay hidden."""
    from tests.conftest import make_person
    from tests.factories import make_merchant

    recruiter = make_person("mr-recruiter", "mr-recruiter")
    services.defect_create(
        actor=people.inspector, product=world.product, severity="minor", description="本部门"
    )
    elsewhere = make_product(make_merchant(department="EC"), category=world.category)
    services.defect_create(
        actor=people.inspector, product=elsewhere, severity="minor", description="其他部门"
    )
    seen = [d.description for d in selectors.defect_list(access=_access(recruiter))]
    assert seen == ["本部门"]
    assert selectors.defect_list(access=_access(people.auditor)).count() == 2


def test_item_photo_must_be_an_image(world, people, media):
    ins = services.inspection_start(
        actor=people.inspector, product=world.product, kind="sample", sample=world.sample
    )
    item = world.checklist.items.first()
    bad = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", content_type="text/html")
    with pytest.raises(DomainError) as exc:
        services.inspection_record_item(
            actor=people.inspector, inspection=ins, item=item, passed=False, photo=bad
        )
    assert "photo" in exc.value.fields
    assert not ins.item_results.exists()
