"""Lines imported after a session's times are known find their session: by the anchors' accounts,
or by the account's shop when the anchors have none; outside the window, nothing."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from liveops.commerce.ingest import SESSION_RESOLVERS
from liveops.commerce.models import AnchorAccount
from liveops.live.models import LiveSession
from liveops.live.services.resolver import session_resolve
from tests.live.conftest import at

pytestmark = pytest.mark.django_db


def test_resolver_registered_and_matches(live):
    assert session_resolve in SESSION_RESOLVERS
    account = AnchorAccount.objects.create(platform="douyin", platform_anchor_id="A1", nickname="小美")
    live.a1.accounts.set([account])
    by_anchor = LiveSession.objects.create(
        account=live.acc1, department=live.ls, actual_start=at(live.day, 20), actual_end=at(live.day, 22)
    )
    by_anchor.anchors.set([live.a1])
    by_shop = LiveSession.objects.create(
        account=live.acc2, department=live.ls, actual_start=at(live.day, 10), actual_end=at(live.day, 12)
    )
    utc = dt.UTC
    probe = pl.DataFrame(
        {
            "shop_id": [live.shop.pk] * 4,
            "anchor_account_id": [account.pk, account.pk, None, None],
            "submitted_at": [
                at(live.day, 21).astimezone(utc),
                at(live.day, 23).astimezone(utc),  # after the session
                at(live.day, 11).astimezone(utc),
                None,
            ],
        },
        schema={"shop_id": pl.Int64, "anchor_account_id": pl.Int64, "submitted_at": pl.Datetime("us", "UTC")},
    )
    assert session_resolve(probe).to_list() == [by_anchor.pk, None, by_shop.pk, None]
