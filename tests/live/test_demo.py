"""The live demo builder: 4 rooms, 10 accounts on 3 platforms, sessions with line-ups from approved
products, past sessions published with figures and no double booking anywhere."""

from __future__ import annotations

import pytest

from liveops.live.demo import live_demo_build
from liveops.live.models import LineupItem, LiveAccount, LiveSession, Studio
from tests.live.test_services import approved_product

pytestmark = pytest.mark.django_db


def test_demo_builds_once(live):
    for _ in range(3):
        approved_product()
    counts = live_demo_build(weeks_back=1)
    assert Studio.objects.count() == 6  # the fixture's two rooms and the demo's four
    assert (
        LiveAccount.objects.filter(platform_account_id__startswith="").values("platform").distinct().count()
        == 3
    )
    assert counts["sessions"] > 20 and LineupItem.objects.exists()
    past = LiveSession.objects.filter(actual_start__isnull=False)
    assert past.exists() and not past.filter(gmv__isnull=True).exists()
    assert live_demo_build() == {}
