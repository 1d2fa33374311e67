"""Every form, re-submitted unchanged, changes nothing (issue 14 item 2, issue 15's third crawl test).

The demo company is built once; each demo login follows its links from the home page (tests/form_crawl.py)
and every edit form it finds is rendered in Chinese and in English, parsed as a browser reads it (a date
input whose value the browser cannot read is submitted blank) and posted back unchanged with its CSRF
token. No value the form shows may change: the audit log, which records every change to business data
with the values before and after, must hold no change of a field the form carries.

Which forms count: a form that shows the current values of a stored record (at least one visible
control renders a value). Buttons that carry only hidden inputs are actions (approve, revoke, delete);
submitting one is meant to change something, so it is not a round trip.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from liveops.core.models import AuditEntry, UserPreference
from liveops.org.demo import DEMO_LOGINS, demo_build
from tests.form_crawl import Form, crawl, parse, pattern

LANGUAGES = ("zh-hans", "en")

# Forms that are not edits of a stored record although they render values: a new record's defaults (a
# submission creates a record, by design) or a choice that is the action itself. path pattern → why.
NOT_ROUND_TRIPS = {
    "/i18n/setlang/": "the language switch (a preference, not business data)",
    "/sourcing/deals/<id>/#contract_status": "moves a contract to another status (the choice lists only the "
    "statuses it is not in) and dates the signature today",
}


# Known defects the test finds, form identity → why; the form is still submitted, its changes not
# counted. Remove the entry once fixed (it belongs to the module's owner).
# Forms known to change something when saved unchanged (none: keep it so).
KNOWN_ROUNDTRIP_BUGS: dict[str, str] = {}


def _is_edit_form(form: Form) -> bool:
    """A form showing a stored record's values: some text, number or date control renders one (a
    choice alone may be a default, and a form of choices only is an action: grant, vote, move)."""
    if form.method != "post" or form.identity() in NOT_ROUND_TRIPS:
        return False
    shown = [
        c for c in form.visible() if c.kind not in ("checkbox", "radio", "file", "select", "select-multiple")
    ]
    return any(v for c in shown for v in c.values)


def _client(user, language: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _same_form(forms: list[Form], wanted: Form) -> Form | None:
    names = sorted(c.name for c in wanted.controls)
    for form in forms:
        if form.action == wanted.action and sorted(c.name for c in form.controls) == names:
            return form
    return None


def _changes_to(entry: AuditEntry, names: set[str]) -> dict:
    """The fields of ``names`` whose value an audit entry records as changed."""
    changes = entry.changes or {}
    before, after = changes.get("before"), changes.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        return {
            k: (before.get(k), after.get(k)) for k in after if k in names and before.get(k) != after.get(k)
        }
    return {k: v for k, v in changes.items() if k in names}


def roundtrip_failures(logins, languages=LANGUAGES) -> tuple[int, list[str]]:
    """Submit every edit form the ``logins`` reach unchanged, in each language: (forms sent, failures)."""
    User = get_user_model()
    UserPreference.objects.all().delete()  # the language comes from the cookie each request sends
    failures: list[str] = []
    tried: set[tuple] = set()
    checked = 0
    for login in logins:
        user = User.objects.get(username=login)
        found = [
            f
            for path, html in crawl(_client(user, "zh-hans")).items()
            for f in parse(path, html)[0]
            if _is_edit_form(f)
        ]
        for form in found:
            key = (
                login,
                pattern(form.page),
                pattern(form.action),
                tuple(sorted(c.name for c in form.controls)),
            )
            if key in tried:
                continue
            tried.add(key)
            for language in languages:
                client = _client(user, language)
                page = client.get(form.page)
                rendered = _same_form(parse(form.page, page.content.decode())[0], form)
                if rendered is None:
                    continue
                last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
                response = client.post(rendered.action, rendered.data())
                checked += 1
                where = f"{login} {language} {form.page} → {rendered.action}"
                if response.status_code >= 500 or response.status_code == 403:
                    failures.append(f"{where}: HTTP {response.status_code}")
                    continue
                if rendered.identity() in KNOWN_ROUNDTRIP_BUGS:
                    continue
                names = {c.name for c in rendered.controls}
                for entry in AuditEntry.objects.filter(id__gt=last).exclude(action="view_personal"):
                    changed = _changes_to(entry, names)
                    if changed or entry.action == "delete":
                        failures.append(
                            f"{where}: {entry.object_type}#{entry.object_id} {entry.action} {changed}"
                        )
    return checked, failures


@pytest.mark.django_db
def test_every_form_resubmitted_unchanged_changes_nothing():
    demo_build()
    checked, failures = roundtrip_failures((*DEMO_LOGINS, "admin"))
    assert checked > 20, checked
    assert not failures, "\n".join(failures)
