"""``may_open`` answers from the routes' permission declarations, without calling the views."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from liveops.core.access import access_for
from liveops.core.links import may_open


@pytest.mark.django_db
def test_may_open_follows_the_declared_capabilities(personas):
    member = access_for(personas["member"])  # EC operator
    auditor = access_for(personas["auditor"])
    outsider = access_for(personas["outsider"])
    admin = access_for(personas["admin"])
    assert may_open(access=member, path="/commerce/orders/")
    assert not may_open(access=member, path="/audit/")  # audit log: core.audit_view only
    assert may_open(access=auditor, path="/audit/")
    assert may_open(access=outsider, path="/")  # login_only
    assert not may_open(access=outsider, path="/commerce/orders/")
    assert may_open(access=admin, path="/audit/?actor=x")
    assert not may_open(access=admin, path="/no-such-page/")
    assert may_open(access=outsider, path="/healthz")  # public


@pytest.mark.django_db
def test_url_if_allowed_tag(personas):
    template = Template("{% load liveops %}{% url_if_allowed 'audit' as u %}[{{ u }}]")
    request = RequestFactory().get("/")
    request.user = personas["member"]
    assert template.render(Context({"request": request})) == "[]"
    request.user = personas["auditor"]
    assert template.render(Context({"request": request})) == "[/audit/]"
