"""The compass-sessions import: a good file (new and old layouts), a missing column, percentages
and fractions, '-' kept as unknown, unregistered accounts kept and listed, rows matched to the
schedule, order lines linked, re-import idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from liveops.core.imports.services import import_start
from liveops.core.models import ImportStatus
from liveops.live.models import LiveAccount, LiveSession
from liveops.live.services import sessions
from tests.commerce.factories import make_line
from tests.live import compass
from tests.live.conftest import SHANGHAI

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imp_data")]


def run(actor, path, shop="直播抖店"):
    return import_start(
        actor=actor,
        kind="compass-sessions",
        file=path,
        file_name=path.name,
        options={"shop": shop},
        run_now=True,
    )


def test_good_file_matches_schedule_links_lines_and_reimports_unchanged(live, tmp_path):
    planned = sessions.session_create(
        actor=live.people["staff"],
        account=live.acc1,
        planned_start=dt.datetime(2026, 9, 7, 9, 0, tzinfo=SHANGHAI),
        planned_end=dt.datetime(2026, 9, 8, 1, 0, tzinfo=SHANGHAI),
    )
    inside = make_line(live.shop, paid_at=dt.datetime(2026, 9, 7, 12, 0, tzinfo=SHANGHAI))
    outside = make_line(live.shop, paid_at=dt.datetime(2026, 9, 8, 3, 0, tzinfo=SHANGHAI))
    path = compass.write(
        tmp_path / "compass.csv",
        [
            compass.row(),
            compass.row(
                **{
                    "主播昵称": "合作达人小A",
                    "主播抖音号": "partnerA",
                    "直播开始时间": "2026/9/9 9:33:16",
                    "直播结束时间": "2026/9/9 11:00:00",
                }
            ),
        ],
    )
    result = run(live.people["staff"], path)
    assert result.status == ImportStatus.SUCCEEDED, result.error
    assert (result.rows_read, result.rows_inserted, result.rows_updated, result.rows_rejected) == (2, 1, 1, 0)
    planned.refresh_from_db()
    assert planned.actual_start == dt.datetime(2026, 9, 7, 8, 55, 37, tzinfo=SHANGHAI)
    assert planned.gmv == Decimal("61045.30") and planned.paid_amount == Decimal("59847.17")
    assert (planned.watch_ucnt, planned.watch_cnt, planned.buyers, planned.new_fans) == (
        15093,
        21254,
        1513,
        518,
    )
    assert planned.refund_1h_rate == Decimal("0.1725") and planned.avg_watch_min == Decimal("1.07")
    assert planned.refund_orders is None  # '-' in the file: unknown, not 0
    # The partner's room: kept under its platform name, unregistered, its session unmatched.
    partner = LiveAccount.objects.get(name="合作达人小A")
    assert not partner.is_registered and partner.platform_account_id == "partnerA"
    imported = LiveSession.objects.get(account=partner)
    assert imported.origin == "imported" and imported.planned_start is None
    # Order lines inside the session's actual window are linked (the shop's, no anchor accounts).
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.session_id == planned.pk and outside.session_id is None
    again = run(live.people["staff"], path)
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 2)


def test_old_layout_with_percentages(live, tmp_path):
    path = compass.write(
        tmp_path / "old.csv",
        [compass.row(**{"1小时退款率": "17.25%", "观看老粉占比": "21%", "直播间成交金额": "1,000.5"})],
        new=False,
    )
    result = run(live.people["staff"], path)
    assert result.status == ImportStatus.SUCCEEDED, result.error
    s = LiveSession.objects.get()
    assert s.refund_1h_rate == Decimal("0.1725") and s.old_fan_share == Decimal("0.2100")
    assert s.gmv == Decimal("1000.50")


def test_dash_is_unknown_never_zero(live, tmp_path):
    path = compass.write(
        tmp_path / "dash.csv",
        [compass.row(**{"直播间成交人数": "-", "新增粉丝数": "-", "直播间用户支付金额": "-"})],
    )
    assert run(live.people["staff"], path).status == ImportStatus.SUCCEEDED
    s = LiveSession.objects.get()
    assert s.buyers is None and s.new_fans is None and s.paid_amount is None
    assert s.gmv == Decimal("61045.30")


def test_missing_required_column_refused_naming_it(live, tmp_path):
    path = compass.write(tmp_path / "m.csv", [compass.row()], drop=("直播间观看次数",))
    result = run(live.people["staff"], path)
    assert result.status == ImportStatus.REFUSED
    assert "直播间观看次数" in result.error
    assert not LiveSession.objects.exists()


def test_bad_values_rejected_with_reasons(live, tmp_path):
    path = compass.write(
        tmp_path / "bad.csv",
        [
            compass.row(**{"直播间观看人数": "many"}),
            compass.row(**{"直播开始时间": "2026/9/10 10:00:00", "直播结束时间": "2026/9/10 12:00:00"}),
        ],
    )
    result = run(live.people["staff"], path)
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (2, 1, 1)


@pytest.mark.parametrize("who", ["other", "outsider"])
def test_others_may_not_import(live, tmp_path, who):
    from liveops.core.errors import NotAllowed

    path = compass.write(tmp_path / "c.csv", [compass.row()])
    with pytest.raises(NotAllowed):
        run(live.people[who], path)
