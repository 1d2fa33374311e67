"""The REST API: token auth, error format and language, scoping, pagination, ordering and the org endpoints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from liveops.core.models import AuditAction, AuditEntry, UserPreference
from liveops.core.services import api_token_create, api_token_revoke
from liveops.org.models import Department, Duty, Staff
from liveops.org.services import staff_create

ERROR_KEYS = {"code", "message", "fields"}


def bearer(key: str, **extra) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


@pytest.fixture
def member_key(personas):
    return api_token_create(actor=personas["member"], name="test")[1]


def test_token_auth_works(member_key, personas):
    response = bearer(member_key).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "member"
    assert body["capabilities"]["org.view"] == "department"
    assert "governance.view" not in body["capabilities"]


def test_token_is_stored_hashed(member_key):
    from liveops.core.models import ApiToken

    token = ApiToken.objects.get()
    assert member_key not in (token.key_hash, token.prefix)
    assert token.key_hash == ApiToken.hash_key(member_key)


@pytest.mark.parametrize("case", ["unknown", "revoked", "expired", "malformed"])
def test_bad_tokens_are_401_with_error_body(personas, case):
    user = personas["member"]
    if case == "unknown":
        header = "Bearer lo_does-not-exist"
    elif case == "malformed":
        header = "Bearer two parts"
    else:
        token, key = api_token_create(actor=user, name=case)
        if case == "revoked":
            api_token_revoke(actor=user, token_id=token.pk)
        else:
            token.expires_at = timezone.now() - dt.timedelta(seconds=1)
            token.save()
        header = f"Bearer {key}"
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/org/staff/")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["message"] and body["fields"] == {}


def test_token_of_inactive_user_refused(personas, member_key):
    personas["member"].is_active = False
    personas["member"].save()
    assert bearer(member_key).get("/api/v1/me/").status_code == 401


def test_revoking_someone_elses_token_needs_admin(personas):
    from liveops.core.errors import NotAllowed

    token, _key = api_token_create(actor=personas["member"], name="t")
    with pytest.raises(NotAllowed):
        api_token_revoke(actor=personas["other"], token_id=token.pk)
    api_token_revoke(actor=personas["admin"], token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_account_page_creates_and_revokes_token(client_for, personas):
    c = client_for("member")
    response = c.post("/accounts/me/", {"action": "create_token", "name": "cli"})
    key = response.context["new_key"]
    assert key and bearer(key).get("/api/v1/me/").status_code == 200
    token = personas["member"].api_tokens.get()
    c.post("/accounts/me/", {"action": "revoke_token", "token_id": token.pk})
    assert bearer(key).get("/api/v1/me/").status_code == 401


def test_forbidden_object_is_404_like_a_missing_one(client_for, colleague):
    c = client_for("other")
    hidden = c.get(f"/api/v1/org/staff/{colleague.pk}/")
    missing = c.get("/api/v1/org/staff/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert set(hidden.json()) == ERROR_KEYS
    assert colleague.name not in hidden.content.decode()


def test_capability_missing_is_403(client_for, gov):
    response = client_for("member").get("/api/v1/org/resolutions/")
    assert response.status_code == 403
    assert set(response.json()) == ERROR_KEYS
    assert client_for("auditor").get("/api/v1/org/resolutions/").status_code == 200


INVALID_PAYLOADS = [
    {
        "employee_no": "",
        "name": "",
        "department": "NOPE",
        "email": "not-an-email",
        "phone": "123",
        "id_number": "12",
        "hired_on": "yesterday",
    },
    {"employee_no": "x" * 500, "name": "张三", "department": "EC"},
    {"employee_no": "E1", "name": None, "department": None},
    {"employee_no": ["a"], "name": {"x": 1}, "department": 42, "hired_on": 20240101},
    {"employee_no": "E2", "name": "张三", "department": "EC", "email": "a@" + "b" * 300 + ".com"},
    {"employee_no": "E3", "name": "张\x00三", "department": "EC"},
    {"employee_no": "E4", "name": "张三", "department": "EC", "phone": "1380013800\n0"},
    {},
]


@pytest.mark.parametrize("payload", INVALID_PAYLOADS)
def test_invalid_staff_post_is_400_with_field_errors(client_for, payload):
    response = client_for("manager").post("/api/v1/org/staff/", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "invalid"
    assert body["fields"] and all(isinstance(v, list) and v for v in body["fields"].values())
    assert not Staff.objects.filter(department__code="EC").exclude(user__isnull=False).exists()


def test_invalid_staff_post_names_the_fields(client_for):
    payload = INVALID_PAYLOADS[0]
    body = client_for("manager").post("/api/v1/org/staff/", payload, content_type="application/json").json()
    assert {"employee_no", "name", "department", "email", "phone", "id_number", "hired_on"} <= set(
        body["fields"]
    )


@pytest.mark.parametrize("raw", [b"[1, 2]", b"not json", b'"string"', b"null"])
def test_malformed_bodies_are_400(client_for, raw):
    response = client_for("manager").generic(
        "POST", "/api/v1/org/staff/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS


def test_staff_post_creates_and_logs(client_for, personas):
    payload = {
        "employee_no": "E100",
        "name": "王小明",
        "department": "EC",
        "phone": "13912345678",
        "hired_on": "2025-03-01",
    }
    response = client_for("manager").post("/api/v1/org/staff/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    staff = Staff.objects.get(employee_no="E100")
    assert response.json()["phone"] == "139****5678"  # the answer masks like any read
    assert staff.name_initials == "wxm"
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="org.staff", object_id=str(staff.pk), actor=personas["manager"]
    ).exists()
    duplicate = client_for("manager").post("/api/v1/org/staff/", payload, content_type="application/json")
    assert duplicate.status_code == 409
    assert duplicate.json()["fields"] == {"employee_no": [duplicate.json()["fields"]["employee_no"][0]]}


def test_staff_post_outside_scope_is_403(client_for):
    payload = {"employee_no": "E101", "name": "王小明", "department": "MR"}
    response = client_for("manager").post("/api/v1/org/staff/", payload, content_type="application/json")
    assert response.status_code == 403
    assert set(response.json()) == ERROR_KEYS
    assert (
        client_for("member")
        .post("/api/v1/org/staff/", {**payload, "department": "EC"}, content_type="application/json")
        .status_code
        == 403
    )
    assert not Staff.objects.filter(employee_no="E101").exists()


def test_error_language_follows_accept_language(client_for):
    c = client_for("manager")
    en = c.post("/api/v1/org/staff/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en").json()
    zh = c.post(
        "/api/v1/org/staff/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    assert set(en) == set(zh) == ERROR_KEYS
    assert en["fields"]["name"] == ["This field is required."]
    assert en["fields"]["name"] != zh["fields"]["name"]
    assert not zh["fields"]["name"][0].isascii()


def test_error_language_follows_user_preference(personas, member_key):
    UserPreference.objects.create(user=personas["member"], language="en")
    body = bearer(member_key, HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/org/resolutions/").json()
    assert body["message"] == "You do not have permission to perform this action."
    UserPreference.objects.filter(user=personas["member"]).update(language="zh-hans")
    body = bearer(member_key, HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/org/resolutions/").json()
    assert body["message"] != "You do not have permission to perform this action."


@pytest.fixture
def many_staff(personas):
    ec = Department.objects.get(code="EC")
    return [
        staff_create(actor=personas["admin"], employee_no=f"P{i:03d}", name=f"员工{i}", department=ec)
        for i in (5, 3, 1, 4, 2)
    ]


def test_cursor_pagination(client_for, many_staff):
    c = client_for("manager")
    first = c.get("/api/v1/org/staff/?page_size=2").json()
    assert set(first) == {"next", "previous", "results"}
    assert first["previous"] is None and first["next"]
    assert len(first["results"]) == 2
    seen = [r["id"] for r in first["results"]]
    page = first
    while page["next"]:
        page = c.get(page["next"]).json()
        assert page["previous"]
        seen += [r["id"] for r in page["results"]]
    expected = list(Staff.objects.filter(department__code="EC").order_by("id").values_list("id", flat=True))
    assert seen == expected


def test_ordering_allow_list(client_for, many_staff):
    c = client_for("manager")

    def numbers(query):
        response = c.get(f"/api/v1/org/staff/?{query}")
        assert response.status_code == 200
        return [r["employee_no"] for r in response.json()["results"]]

    default = numbers("")
    assert numbers("ordering=employee_no") == sorted(default)
    assert numbers("ordering=-employee_no") == sorted(default, reverse=True)
    for ignored in (
        "ordering=phone",
        "ordering=id_number",
        "ordering=department__name",
        "ordering=nonsense",
        "ordering=-",
        "ordering=,,",
    ):
        assert numbers(ignored) == default, ignored


def test_departments_tree(client_for):
    rows = client_for("member").get("/api/v1/org/departments/").json()
    assert sum(r["kind"] == "centre" for r in rows) == 6
    assert sum(r["kind"] == "department" for r in rows) == 15
    codes = {r["code"] for r in rows}
    assert all(r["parent"] is None or r["parent"] in codes for r in rows)
    assert [r["code"] for r in rows if r["parent"] is None] == ["GOV-SH"]
    ec = next(r for r in rows if r["code"] == "EC")
    assert ec["parent"] == "LC"
    assert set(ec["duties"]) == set(Duty.objects.filter(department__code="EC").values_list("code", flat=True))


def test_departments_refused_to_outsider(client_for):
    assert client_for("outsider").get("/api/v1/org/departments/").status_code == 403


def test_duties_endpoint(client_for):
    rows = client_for("member").get("/api/v1/org/duties/").json()
    assert {r["id"] for r in rows} == set(Duty.objects.values_list("code", flat=True))
    for r in rows:
        assert {"id", "department", "covered", "features"} <= set(r)
        assert r["covered"] == bool(r["features"])
    hr1 = next(r for r in rows if r["id"] == "HR-1")
    assert hr1["department"] == "HR" and hr1["covered"]
    assert any(f["route"] == "/api/v1/org/staff/" for f in hr1["features"])


def test_staff_personal_fields_masked_for_member(client_for, colleague):
    rows = client_for("member").get("/api/v1/org/staff/").json()["results"]
    row = next(r for r in rows if r["id"] == colleague.pk)
    assert row["phone"] == "138****8000"
    assert row["id_number"] == "3301**********1234"
    assert "文三路" not in row["address"]
    assert {r["department"] for r in rows} == {"EC"}
    detail = client_for("member").get(f"/api/v1/org/staff/{colleague.pk}/").json()
    assert detail["phone"] == "138****8000"
    # The member's own record is shown in clear (and logged); the colleague's never is.
    own = Staff.objects.get(user__username="member")
    assert next(r for r in rows if r["id"] == own.pk)["phone"] == "13800138000"
    logged = [
        i
        for e in AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL)
        for i in e.changes.get("ids", [])
    ]
    assert colleague.pk not in logged and own.pk in logged
    assert not AuditEntry.objects.filter(
        action=AuditAction.VIEW_PERSONAL, object_id=str(colleague.pk)
    ).exists()


def test_staff_personal_fields_clear_for_manager_and_logged(client_for, colleague, personas):
    rows = client_for("manager").get("/api/v1/org/staff/").json()["results"]
    row = next(r for r in rows if r["id"] == colleague.pk)
    assert row["phone"] == "13800138000" and row["id_number"] == "330106199001011234"
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_PERSONAL, actor=personas["manager"])
    assert colleague.pk in entry.changes["ids"]
    detail = client_for("manager").get(f"/api/v1/org/staff/{colleague.pk}/").json()
    assert detail["phone"] == "13800138000"
    assert AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL, object_id=str(colleague.pk)).exists()


def test_action_item_status_api(client_for, gov):
    url = f"/api/v1/org/action-items/{gov.overdue.pk}/status/"
    assert (
        client_for("auditor").post(url, {"status": "done"}, content_type="application/json").status_code
        == 403
    )
    assert (
        client_for("other").post(url, {"status": "done"}, content_type="application/json").status_code == 404
    )
    bad = client_for("member").post(url, {"status": "finished"}, content_type="application/json")
    assert bad.status_code == 400 and "status" in bad.json()["fields"]
    ok = client_for("member").post(url, {"status": "done"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "done" and ok.json()["completed_on"]


def test_overdue_filter_api(client_for, gov):
    rows = client_for("gm").get("/api/v1/org/action-items/?overdue=1").json()["results"]
    assert [r["id"] for r in rows] == [gov.overdue.pk]
    assert rows[0]["is_overdue"] is True


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_schema_for_authenticated(client_for, client, member_key):
    assert client.get("/api/schema/").status_code in (401, 403)
    response = client_for("member").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/org/staff/" in response.content
    assert bearer(member_key).get("/api/schema/?format=json").json()["components"]["securitySchemes"]
