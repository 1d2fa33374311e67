"""Personal data never reaches the audit trail in clear (issue 14, item 3), and history reads as a table
of fields rather than raw dicts (issue 15, item 10).

For every model with personal fields (``PERSONAL_FIELDS``: staff, merchant contacts, orders' buyer
contacts), a record is created and changed through its real write path (service or import), then
each persona fetches the record's page, its history, the audit log page and the audit API: no clear
personal value appears in any of them, except on the record's own page for a viewer who may see it
there. The audit rows in the database hold digests, not values."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import translation

from liveops.core.audit import audit_action
from liveops.core.masking import is_personal_digest, personal_digest, personal_fields, personal_scrub
from liveops.core.models import AuditAction, AuditEntry
from liveops.org import services as org_services
from liveops.org.models import Department, Staff

pytestmark = pytest.mark.django_db

# Every persona of the issue, by its fixture name: ec-staff, mr-staff, the general manager, HR and
# the auditor (supervisory board), plus the EC head and IT's superuser.
VIEWERS = ("member", "other", "gm", "hr", "auditor", "manager", "admin")


def _audit_rows_text(object_type: str, object_id) -> str:
    rows = AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
    assert rows.exists()
    return json.dumps([r.changes for r in rows], ensure_ascii=False)


def _assert_no_raw(text: str, raw: list[str], where: str) -> None:
    leaked = [v for v in raw if v in text]
    assert not leaked, f"{where} shows {leaked}"


def _fetch_everywhere(client_for, *, record_url, object_type, object_id, raw, may_see_on_page):
    """Fetch the record page, its history, the audit page and the audit API as every viewer; returns
    the auditor's responses (history, audit page, API) for the callers' own checks."""
    history_url = reverse("object-history", args=[object_type, object_id])
    audit_url = reverse("audit") + f"?object_type={object_type}"
    api_url = f"/api/v1/audit/?object_type={object_type}&object_id={object_id}"
    seen = {}
    for persona in VIEWERS:
        client = client_for(persona)
        page = client.get(record_url)
        if page.status_code == 200 and may_see_on_page(persona):
            pass  # this viewer may see the values on the record's own page (HR, heads with the right)
        else:
            _assert_no_raw(page.content.decode(), raw, f"{record_url} as {persona}")
        for url in (history_url, audit_url, api_url):
            response = client.get(url)
            _assert_no_raw(response.content.decode(), raw, f"{url} as {persona}")
            seen[(persona, url)] = response
    # The auditor reads all three: the checks above looked at real content, not at refusals.
    for url in (history_url, audit_url, api_url):
        assert seen[("auditor", url)].status_code == 200, url
    return seen[("auditor", history_url)], seen[("auditor", audit_url)], seen[("auditor", api_url)]


# Staff (org.staff): phone, ID number, address ------------------------------------------------------

STAFF_RAW_1 = {
    "phone": "13712345678",
    "id_number": "11010119850312004X",
    "address": "北京市朝阳区望京东路6号院3号楼1201",
}
STAFF_RAW_2 = {
    "phone": "15987654321",
    "id_number": "44030519921130125X",
    "address": "广东省深圳市南山区科苑路88号9栋502",
}


def test_staff_history_audit_page_and_api_hold_no_personal_value(personas, client_for):
    from liveops.core.access import access_for
    from liveops.org import selectors as org_selectors

    ec = Department.objects.get(code="EC")
    staff = org_services.staff_create(
        actor=personas["admin"], employee_no="PD-1", name="隐私测试", department=ec, **STAFF_RAW_1
    )
    org_services.staff_update(actor=personas["hr"], staff=staff, data=dict(STAFF_RAW_2))
    raw = [*STAFF_RAW_1.values(), *STAFF_RAW_2.values()]

    # In the database: digests only, one per value, equal values giving equal digests.
    _assert_no_raw(_audit_rows_text("org.staff", staff.pk), raw, "the audit rows")
    update = AuditEntry.objects.get(object_type="org.staff", object_id=str(staff.pk), action="update")
    assert update.changes["before"] == {k: personal_digest(v) for k, v in STAFF_RAW_1.items()}
    assert update.changes["after"] == {k: personal_digest(v) for k, v in STAFF_RAW_2.items()}
    created = AuditEntry.objects.get(object_type="org.staff", object_id=str(staff.pk), action="create")
    assert created.changes["after"]["phone"] == update.changes["before"]["phone"]
    assert created.changes["after"]["employee_no"] == "PD-1"  # other fields stay readable

    def may_see(persona):
        return org_selectors.can_see_personal(access=access_for(personas[persona]), staff=staff)

    assert may_see("hr") and not may_see("member") and not may_see("auditor")
    history, page, api = _fetch_everywhere(
        client_for,
        record_url=reverse("staff-detail", args=[staff.pk]),
        object_type="org.staff",
        object_id=staff.pk,
        raw=raw,
        may_see_on_page=may_see,
    )
    # The record page of a viewer without the right is masked, as before.
    assert (
        "159****4321" in client_for("member").get(reverse("staff-detail", args=[staff.pk])).content.decode()
    )
    # The API says which fields are personal, without their values.
    results = [r for r in api.json()["results"] if r["action"] == "update"]
    assert results and all(is_personal_digest(v) for v in results[0]["changes"]["after"].values())


def test_history_reads_as_a_table_of_fields_not_raw_dicts(personas, client_for):
    """The history table names each field in the user's language and shows before → after; dates,
    choices and links read as such; personal fields say only that they changed."""
    ec = Department.objects.get(code="EC")
    mr = Department.objects.get(code="MR")
    staff = org_services.staff_create(
        actor=personas["admin"],
        employee_no="PD-2",
        name="表格测试",
        department=ec,
        hired_on=dt.date(2024, 12, 11),
        **STAFF_RAW_1,
    )
    org_services.staff_update(
        actor=personas["admin"],
        staff=staff,
        data={"hired_on": dt.date(2025, 1, 2), "department": mr, "phone": STAFF_RAW_2["phone"]},
    )
    audit_action(actor=personas["admin"], instance=staff, verb="export", details={"format": "csv"})
    client = client_for("auditor")
    url = reverse("object-history", args=["org.staff", staff.pk])
    with translation.override("zh-hans"):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        hired = str(Staff._meta.get_field("hired_on").verbose_name)
        phone = str(Staff._meta.get_field("phone").verbose_name)
        department = str(Staff._meta.get_field("department").verbose_name)
    for text in ("2024-12-11", "2025-01-02", mr.name, ec.name):
        assert text in body, text
    assert "{'" not in body and "hired_on" not in body and "&#x27;" not in body
    assert hired != "hired on" and hired in body  # translated label
    assert phone in body and department in body
    assert "已修改" in body  # the personal field: changed, without its value
    assert "导出" in body and "格式" in body and "export" not in body  # a named event, by its name
    _assert_no_raw(body, [STAFF_RAW_1["phone"], STAFF_RAW_2["phone"]], "the history")
    # The audit log page reads the same way (field names, no dicts, the object by its kind).
    page = client.get(reverse("audit") + "?object_type=org.staff", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "{'" not in text and "hired_on" not in text and "2025-01-02" in text


# Merchant contacts (sourcing.merchantcontact): phone, WeChat ---------------------------------------

CONTACT_RAW_1 = {"phone": "13611112222", "wechat": "wx_zhang_secret88"}
CONTACT_RAW_2 = {"phone": "18933334444", "wechat": "wx_li_private99"}


def test_merchant_contact_history_holds_no_personal_value(personas, client_for):
    from liveops.core.access import access_for
    from liveops.sourcing.selectors import merchants as merchant_sel
    from liveops.sourcing.services.merchants import contact_save
    from tests.factories import make_merchant

    merchant = make_merchant("隐私商家")
    contact = contact_save(actor=personas["admin"], merchant=merchant, name="张经理", **CONTACT_RAW_1)
    contact_save(actor=personas["admin"], merchant=merchant, name="张经理", contact=contact, **CONTACT_RAW_2)
    raw = [*CONTACT_RAW_1.values(), *CONTACT_RAW_2.values()]
    _assert_no_raw(_audit_rows_text("sourcing.merchantcontact", contact.pk), raw, "the audit rows")
    update = AuditEntry.objects.get(
        object_type="sourcing.merchantcontact", object_id=str(contact.pk), action="update"
    )
    assert update.changes["after"] == {k: personal_digest(v) for k, v in CONTACT_RAW_2.items()}

    def may_see(persona):
        return merchant_sel.can_see_personal(access=access_for(personas[persona]), merchant=merchant)

    _fetch_everywhere(
        client_for,
        record_url=reverse("sourcing-merchant-detail", args=[merchant.pk]),
        object_type="sourcing.merchantcontact",
        object_id=contact.pk,
        raw=raw,
        may_see_on_page=may_see,
    )
    # The merchant's own history page too.
    for persona in VIEWERS:
        body = client_for(persona).get(reverse("object-history", args=["sourcing.merchant", merchant.pk]))
        _assert_no_raw(body.content.decode(), raw, f"merchant history as {persona}")


# Orders (commerce.order): the buyer's contact ------------------------------------------------------


def test_order_buyer_contact_changes_are_audited_as_digests(personas, client_for, imp_data):
    from liveops.commerce.models import Order
    from liveops.commerce.samples import douyin_export_frame, export_write
    from liveops.commerce.selectors.orders import can_see_personal
    from liveops.core.access import access_for
    from tests.commerce.conftest import SAMPLE_ANCHORS, SAMPLE_PRODUCTS
    from tests.commerce.factories import make_shop, orders_import

    shop = make_shop(platform="douyin", name="隐私测试店")
    frame = douyin_export_frame(
        lines=12,
        start=dt.datetime(2026, 10, 1, 8, 0, 0),
        days=2,
        products=SAMPLE_PRODUCTS,
        anchors=SAMPLE_ANCHORS,
        now=dt.datetime(2026, 11, 1),
        encrypted_share=0,
    )
    path = export_write(frame, imp_data / "orders.csv")
    assert orders_import(path, shop).status == "succeeded"
    order_no = frame.get_column("主订单编号")[0]
    first = frame.filter(pl.col("主订单编号") == order_no).row(0, named=True)
    new = {"收件人": "欧阳隐私", "收件人手机号": "17755556666", "详细地址": "隐私大道1234号"}
    changed = frame.with_columns(
        *(
            pl.when(pl.col("主订单编号") == order_no).then(pl.lit(v)).otherwise(pl.col(k)).alias(k)
            for k, v in new.items()
        )
    )
    export_write(changed, path)
    assert orders_import(path, shop).status == "succeeded"
    order = Order.objects.get(shop=shop, order_no=order_no.strip())
    raw = [first["收件人手机号"], first["详细地址"], *new.values()]

    # The order was changed and audited, with the buyer's contact as digests only.
    _assert_no_raw(_audit_rows_text("commerce.order", order.pk), raw, "the audit rows")
    update = AuditEntry.objects.filter(
        object_type="commerce.order", object_id=str(order.pk), action=AuditAction.UPDATE
    ).get()
    # (The masked address keeps its first characters, the province and city, which did not change.)
    assert {"buyer_name_masked", "buyer_phone_masked", "buyer_key"} <= set(update.changes["after"])
    for field, value in update.changes["after"].items():
        assert is_personal_digest(value) == (field in Order.PERSONAL_FIELDS), field

    def may_see(persona):
        return can_see_personal(access=access_for(personas[persona]), order=order)

    _fetch_everywhere(
        client_for,
        record_url=reverse("commerce-order-detail", args=[order.pk]),
        object_type="commerce.order",
        object_id=order.pk,
        raw=raw,
        may_see_on_page=may_see,
    )


# The registry, the write paths and the data migration ---------------------------------------------


def test_every_model_with_personal_fields_declares_them():
    """The models whose pages mask personal data all declare it; a declared field exists."""
    declared = {
        f"{m._meta.app_label}.{m._meta.model_name}": set(m.PERSONAL_FIELDS)
        for m in apps.get_models()
        if getattr(m, "PERSONAL_FIELDS", None)
    }
    assert declared["org.staff"] == {"phone", "id_number", "address"}
    assert {"phone", "wechat"} <= declared["sourcing.merchantcontact"]
    assert {"buyer_phone_masked", "buyer_address_masked", "contact_sealed"} <= declared["commerce.order"]
    for object_type, fields in declared.items():
        model = apps.get_model(object_type)
        for name in fields:
            model._meta.get_field(name)  # raises if the declaration names no field
        assert personal_fields(object_type) == frozenset(fields)


def test_bulk_writers_and_named_events_store_digests(personas):
    """``bulk_create`` (imports) and details of named events go through the same scrub."""
    staff = Staff.objects.filter(user=personas["member"]).get()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action=AuditAction.UPDATE,
                object_type="org.staff",
                object_id=str(staff.pk),
                changes={"before": {"phone": "13000000001"}, "after": {"phone": "13000000002"}},
            ),
            AuditEntry(
                action=AuditAction.ACTION,
                object_type="org.staff",
                object_id=str(staff.pk),
                changes={"id_number": "310101199001010011", "note": "kept"},
            ),
        ]
    )
    text = _audit_rows_text("org.staff", staff.pk)
    _assert_no_raw(text, ["13000000001", "13000000002", "310101199001010011"], "bulk rows")
    assert "kept" in text
    # Scrubbing twice changes nothing; empty values stay empty; other types are left alone.
    once = personal_scrub("org.staff", {"after": {"phone": "1", "address": ""}})
    assert personal_scrub("org.staff", once) == once and once["after"]["address"] == ""
    assert personal_scrub("t.thing", {"after": {"phone": "1"}}) == {"after": {"phone": "1"}}


def test_data_migration_replaces_stored_values_with_the_same_digests(personas):
    """Rows written before digests existed: the core data migration rewrites them in place (through
    the append-only trigger, which it lifts and puts back), with the digests new rows get."""
    import importlib

    from django.db import DatabaseError, transaction

    migration = importlib.import_module("liveops.core.migrations.0004_audit_personal_digests")
    staff = Staff.objects.filter(user=personas["member"]).get()
    raw = {
        "phone": "13099998888",
        "id_number": "320102198001010000",
        "address": "江苏省南京市玄武区隐私路1号",
    }
    # Written around the model, as an older version stored it.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditentry (at, actor_label, action, verb, object_type, object_id, "
            "object_repr, changes, request_id) VALUES (%s, '', 'update', '', 'org.staff', %s, '', %s, '')",
            [dt.datetime(2026, 1, 1, tzinfo=dt.UTC), str(staff.pk), json.dumps({"after": raw, "before": {}})],
        )
    assert raw["phone"] in _audit_rows_text("org.staff", staff.pk)
    migration.digest_personal_values(apps, connection.schema_editor())
    text = _audit_rows_text("org.staff", staff.pk)
    _assert_no_raw(text, list(raw.values()), "the migrated rows")
    row = AuditEntry.objects.filter(object_type="org.staff", object_id=str(staff.pk)).latest("id")
    assert row.changes["after"] == {k: personal_digest(v) for k, v in raw.items()}
    # The log is append-only again afterwards.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=row.pk).update(verb="x")
