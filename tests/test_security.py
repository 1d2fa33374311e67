"""CSRF, security headers, login throttling, login audit, deployment checks and password hashing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import liveops.settings as project_settings
from liveops.core.models import AuditAction, AuditEntry, UserPreference
from liveops.org.models import ActionItem
from tests.conftest import PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_csrf_enforced_on_login(org, personas):
    c = Client(enforce_csrf_checks=True)
    response = c.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in c.session


def test_csrf_login_works_with_token(org, personas):
    c = Client(enforce_csrf_checks=True)
    c.get(reverse("login"))
    token = c.cookies["csrftoken"].value
    response = c.post(
        reverse("login"), {"username": "member", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert c.session["_auth_user_id"] == str(personas["member"].pk)


def test_csrf_enforced_on_set_language(client_for, personas):
    c = client_for("member", enforce_csrf=True)
    response = c.post(reverse("set_language"), {"language": "en"})
    assert response.status_code == 403
    assert not UserPreference.objects.filter(user=personas["member"]).exists()


def test_csrf_enforced_on_staff_edit(client_for, colleague):
    c = client_for("manager", enforce_csrf=True)
    response = c.post(
        reverse("staff-detail", args=[colleague.pk]), {"name": "改名", "department": colleague.department_id}
    )
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.name == "测试同事"


def test_csrf_enforced_on_action_status(client_for, gov):
    c = client_for("member", enforce_csrf=True)
    response = c.post(reverse("action-item-status", args=[gov.overdue.pk]), {"status": "done"})
    assert response.status_code == 403
    gov.overdue.refresh_from_db()
    assert gov.overdue.status == ActionItem.Status.OPEN


def test_csrf_enforced_on_session_api_write(client_for, gov):
    c = client_for("member", enforce_csrf=True)
    response = c.post(
        f"/api/v1/org/action-items/{gov.overdue.pk}/status/",
        {"status": "done"},
        content_type="application/json",
    )
    assert response.status_code == 403
    gov.overdue.refresh_from_db()
    assert gov.overdue.status == ActionItem.Status.OPEN


def test_set_language_saves_preference_and_refuses_foreign_redirect(client_for, personas):
    c = client_for("member")
    response = c.post(reverse("set_language"), {"language": "en", "next": "https://evil.example.com/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert UserPreference.objects.get(user=personas["member"]).language == "en"
    assert c.get(reverse("home"))["Content-Language"] == "en"


@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/api/v1/me/"])
def test_security_headers(client_for, url):
    response = client_for("member").get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(org, personas):
    c = Client()
    c.get(reverse("login"))
    c.post(
        reverse("login"),
        {"username": "member", "password": PASSWORD, "csrfmiddlewaretoken": c.cookies["csrftoken"].value},
    )
    cookie = c.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def _login(c: Client, username: str, password: str):
    return c.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_login_lockout_after_five_failures(org, personas):
    c = Client()
    for _ in range(5):
        assert _login(c, "member", "wrong-password").status_code != 302
    response = _login(c, "member", PASSWORD)
    assert response.status_code != 302
    assert "_auth_user_id" not in c.session
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_repr="member")
    assert failed.count() >= 5
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()
    # Another user from the same address is not locked out.
    assert _login(Client(), "other", PASSWORD).status_code == 302


def test_four_failures_do_not_lock(org, personas):
    c = Client()
    for _ in range(4):
        _login(c, "member", "wrong-password")
    assert _login(c, "member", PASSWORD).status_code == 302


def test_login_and_logout_are_audited(org, personas):
    c = Client()
    assert _login(c, "member", PASSWORD).status_code == 302
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert login.actor_id == personas["member"].pk and login.ip_address == "10.0.0.7"
    c.post(reverse("logout"))
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT, actor=personas["member"]).exists()
    _login(Client(), "member", "nope")
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.object_repr == "member" and failed.actor_id is None
    assert "nope" not in str(failed.changes)


def test_passwords_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    from django.contrib.auth import get_user_model

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = get_user_model().objects.create_user("hashed", password="A-long-password-1")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("A-long-password-1")


def test_check_deploy_passes(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEOPS_")}
    env.update(
        LIVEOPS_PRODUCTION="1",
        LIVEOPS_SECRET_KEY=secrets.token_urlsafe(64),
        LIVEOPS_ALLOWED_HOSTS="liveops.example.com",
        LIVEOPS_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("url", ["/org/staff/?q=%00", "/audit/?actor=a%00b", "/api/v1/org/staff/?q=%00"])
def test_nul_bytes_in_query_refused_with_400(client_for, url):
    # PostgreSQL cannot store NUL in text: refuse it up front instead of failing with a 500.
    assert client_for("admin").get(url).status_code == 400


def test_nul_bytes_in_form_refused_with_400(client_for):
    r = client_for("admin").post("/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert r.status_code == 400
