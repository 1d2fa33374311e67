"""Malformed input is a 400 or a field error, never a 500 (issue 14 item 7).

Every form the demo logins reach (tests/form_crawl.py) is sent with each of its ID-like or number-like
controls (hidden inputs, choices, numbers, dates) replaced in turn by a malformed value: letters, an
exponent, a sign, more digits than a 64-bit ID holds, nothing, and another user's object ID.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from liveops.core.models import ApiToken
from liveops.core.services import api_token_create
from liveops.org.demo import demo_build
from tests.conftest import make_person
from tests.form_crawl import crawl, parse, pattern

MALFORMED = ("abc", "1e3", "-1", "99999999999999999999", "")
# Controls whose value is an ID, a number, a date or a choice: what the views parse.
PARSED_KINDS = {"hidden", "select", "select-multiple", "number", "date", "datetime-local", "radio", "month"}
# The logins whose forms are sent (the superuser reaches every form; the others their own variants).
LOGINS = ("admin",)


@pytest.mark.parametrize("value", [*MALFORMED, "other-user"])
def test_revoke_token_with_a_bad_id(org, value):
    """/accounts/me/ answers a 4xx for an ID that is malformed, unknown or another user's token, and
    that token stays valid."""
    alice = make_person("ec-shop-operator", "alice")
    bob = make_person("ec-head", "bob")
    other, _key = api_token_create(actor=bob, name="bob's")
    client = Client()
    client.force_login(alice)
    token_id = str(other.pk) if value == "other-user" else value
    response = client.post(reverse("account"), {"action": "revoke_token", "token_id": token_id})
    assert response.status_code in (400, 404), response.status_code
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_revoke_own_token(org):
    alice = make_person("ec-shop-operator", "alice")
    token, _key = api_token_create(actor=alice, name="mine")
    client = Client()
    client.force_login(alice)
    response = client.post(reverse("account"), {"action": "revoke_token", "token_id": str(token.pk)})
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


def _send(client: Client, form, data) -> int:
    if form.method == "post":
        return client.post(form.action, data).status_code
    return client.get(form.action, data).status_code


def bad_input_failures(logins=LOGINS) -> tuple[int, list[str]]:
    """Send every form the ``logins`` reach with each parsed control malformed: (requests, failures)."""
    User = get_user_model()
    failures: list[str] = []
    sent = 0
    tried: set[tuple] = set()
    for login in logins:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=login))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for path, html in crawl(client, per_pattern=1).items():
            for form in parse(path, html)[0]:
                if pattern(form.action).startswith(("/i18n/", "/accounts/logout")):
                    continue
                base = form.data()
                for control in form.controls:
                    if control.kind not in PARSED_KINDS or control.name in ("", "csrfmiddlewaretoken"):
                        continue
                    key = (form.method, form.identity(), control.name)
                    if key in tried:
                        continue
                    tried.add(key)
                    for value in MALFORMED:
                        status = _send(client, form, {**base, control.name: [value]})
                        sent += 1
                        if status >= 500:
                            where = f"{form.method.upper()} {form.action} {control.name}={value!r}"
                            failures.append(f"{login} {where}: {status}")
    return sent, failures


@pytest.mark.django_db
def test_every_form_survives_malformed_values():
    demo_build()
    sent, failures = bad_input_failures()
    assert sent > 100, sent
    assert not failures, "\n".join(failures)
