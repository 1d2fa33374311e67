"""Every page each demo login reaches from its navigation, walked in Chinese: no link leads to a page
that answers 403 or 404 (issue 15: show only links the viewer may follow), nor to one that fails."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from liveops.org.demo import demo_build
from tests.crawl_support import crawl, readme_demo_logins


@pytest.mark.django_db
def test_no_demo_login_is_shown_a_link_it_cannot_follow():
    demo_build()
    logins = sorted(readme_demo_logins() - {"admin"})
    users = {u.username: u for u in get_user_model().objects.filter(username__in=logins)}
    assert set(users) == set(logins), "every README login exists in the demo"
    dead = []
    for login in logins:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(users[login])
        visits = crawl(client)
        assert len(visits) > 5, login  # the walk really ran
        for shape, visit in visits.items():
            if visit.status in (403, 404) or visit.status >= 500:
                dead.append(
                    f"{login}: {visit.url} → {visit.status} (shape {shape}), linked from {visit.linked_from}"
                )
    assert dead == [], "\n".join(dead)
