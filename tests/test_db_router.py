"""The read-replica router: marked heavy pages read from the ``replica`` alias, everything else (and
every write, every read in a transaction, a user who just wrote) from the primary.

The ``replica`` alias is added for these tests pointing at the test database itself (as a mirror),
so the rows are there; which connection ran the queries tells where reads went."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liveops.core import db_router
from liveops.core.db_router import REPLICA, WROTE_COOKIE, ReplicaRouter, replica_allowed

pytestmark = pytest.mark.django_db(transaction=True)
User = get_user_model()


@pytest.fixture
def replica(transactional_db, monkeypatch):
    """A ``replica`` connection on the primary's test database (what ``TEST: {"MIRROR": "default"}``
    gives when LIVEOPS_REPLICA_URL is set), added for this test only: a connection of its own, so
    what it reads is what the primary committed."""
    assert REPLICA not in connections.settings
    config = dict(connections["default"].settings_dict)
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, REPLICA)
    connections[REPLICA] = wrapper
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[REPLICA]


def test_without_a_replica_every_read_goes_to_the_primary():
    router = ReplicaRouter()
    with replica_allowed():
        assert router.db_for_read(User) == "default"
    assert router.db_for_write(User) == "default"


def test_router_rules(replica):
    router = ReplicaRouter()
    assert router.db_for_read(User) == "default"  # not on a marked page
    with replica_allowed():
        assert router.db_for_read(User) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(User) == "default"  # a transaction reads its own rows
        assert router.db_for_write(User) == "default"
        assert router.db_for_read(User) == "default"  # wrote: reads its writes from now on
    assert router.allow_migrate(REPLICA, "core") is False
    assert router.allow_migrate("default", "core") is None


def test_marked_page_reads_from_the_replica_unmarked_from_the_primary(replica, client):
    admin = User.objects.create_superuser("root", "root@example.com", "x-Password-123")
    client.force_login(admin)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("commerce-dashboard")).status_code == 200
    assert len(on_replica) > 0
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("home")).status_code == 200
    assert len(on_replica) == 0


def test_a_user_who_just_wrote_reads_the_primary(replica, client):
    admin = User.objects.create_superuser("root", "root@example.com", "x-Password-123")
    client.force_login(admin)
    # Any successful change (here: the language preference) marks the browser as having written.
    response = client.post(reverse("set_language"), {"language": "en"}, follow=False)
    assert response.status_code < 400, response.status_code
    assert WROTE_COOKIE in response.cookies
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("commerce-dashboard")).status_code == 200
    assert len(on_replica) == 0
    # Once the cookie is gone (expired), the page reads from the replica again.
    client.cookies.pop(WROTE_COOKIE)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("commerce-dashboard")).status_code == 200
    assert len(on_replica) > 0


def test_without_a_replica_nothing_changes_for_the_browser(client):
    admin = User.objects.create_superuser("root", "root@example.com", "x-Password-123")
    client.force_login(admin)
    response = client.post(reverse("set_language"), {"language": "en"})
    assert response.status_code < 400
    assert WROTE_COOKIE not in response.cookies
