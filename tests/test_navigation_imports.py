"""Every import a role may run is reachable from its navigation (issue 15: ec-staff had no way in)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liveops.core.access import access_for
from liveops.core.imports.registry import import_kinds
from tests.crawl_support import page_links


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["member", "manager", "other", "hr", "outsider"])
def test_each_import_kind_a_persona_may_run_is_two_clicks_from_its_navigation(client_for, personas, persona):
    client = client_for(persona)
    home_links = page_links(client.get("/").content.decode())
    jobs = reverse("jobs")
    assert jobs in home_links  # in the sidebar of every signed-in user
    jobs_page = client.get(jobs)
    assert jobs_page.status_code == 200
    jobs_links = page_links(jobs_page.content.decode())
    access = access_for(personas[persona])
    runnable = [k for k in import_kinds() if access.can(k.capability)]
    if persona == "member":
        assert any(k.capability == "commerce.import" for k in runnable)  # the EC operator imports orders
    for kind in runnable:
        assert reverse("import-new", args=[kind.code]) in jobs_links, kind.code
    for kind in import_kinds():
        if kind not in runnable:
            assert reverse("import-new", args=[kind.code]) not in jobs_links, kind.code
