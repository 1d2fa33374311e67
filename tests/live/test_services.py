"""Schedule and line-up services: double bookings refused naming the other session, publish by
managers only, copy a week, the quality gate on line-ups, price and stock warnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.live.models import LiveSession
from liveops.live.services import lineups, sessions
from liveops.quality.models import Block
from liveops.sourcing.models import Deal
from tests.factories import make_clear_product
from tests.live.conftest import at

pytestmark = pytest.mark.django_db


def plan(live, *, start=20, end=23, account=None, studio=None, anchors=(), **kw):
    return sessions.session_create(
        actor=live.people["staff"],
        account=account or live.acc1,
        planned_start=at(live.day, start),
        planned_end=at(live.day, end),
        studio=studio,
        anchors=list(anchors),
        **kw,
    )


def test_create_audited_and_targets(live):
    s = plan(live, studio=live.r1, anchors=[live.a1], target_gmv="50000.50", target_viewers=20000)
    assert s.department_id == live.ls.pk
    assert s.status == LiveSession.Status.DRAFT
    assert s.target_gmv == Decimal("50000.50")
    assert AuditEntry.objects.filter(object_type="live.livesession", object_id=str(s.pk)).exists()


@pytest.mark.parametrize(
    "clash,field",
    [
        ({"studio": "r1"}, "studio"),
        ({"account": "acc1"}, "account"),
        ({"anchors": "a1"}, "anchors"),
        ({"field_controller": "controller"}, "field_controller"),
    ],
)
def test_double_booking_refused_naming_the_other_session(live, clash, field):
    first = plan(live, studio=live.r1, anchors=[live.a1], field_controller=live.staff["controller"])
    kw = {"account": live.acc2, "studio": live.r2, "anchors": [live.a2]}
    if "studio" in clash:
        kw["studio"] = live.r1
    if "account" in clash:
        kw["account"] = live.acc1
    if "anchors" in clash:
        kw["anchors"] = [live.a1]
    if "field_controller" in clash:
        kw["field_controller"] = live.staff["controller"]
    with pytest.raises(Conflict) as exc:
        plan(live, start=22, end=23, **kw)
    assert field in exc.value.fields
    assert f"#{first.pk}" in exc.value.message
    assert LiveSession.objects.count() == 1


def test_back_to_back_is_not_a_clash(live):
    plan(live, start=18, end=20, studio=live.r1, anchors=[live.a1])
    second = plan(live, start=20, end=22, studio=live.r1, anchors=[live.a1])
    assert second.pk


def test_update_rechecks_and_excludes_itself(live):
    s1 = plan(live, start=18, end=20, studio=live.r1)
    s2 = plan(live, start=20, end=22, studio=live.r2, account=live.acc2)
    sessions.session_update(actor=live.people["staff"], session=s1, planned_end=at(live.day, 19, 30))
    with pytest.raises(Conflict):
        sessions.session_update(
            actor=live.people["staff"], session=s2, studio=live.r1, planned_start=at(live.day, 19)
        )


def test_end_before_start_refused(live):
    with pytest.raises(DomainError):
        plan(live, start=20, end=19)


@pytest.mark.parametrize("who", ["other", "outsider", "anchor"])
def test_only_live_staff_plan(live, who):
    with pytest.raises(NotAllowed):
        sessions.session_create(
            actor=live.people[who],
            account=live.acc1,
            planned_start=at(live.day, 9),
            planned_end=at(live.day, 10),
        )


def test_publish_managers_only(live):
    s = plan(live)
    with pytest.raises(NotAllowed):
        sessions.sessions_publish(actor=live.people["staff"], sessions=[s])
    assert sessions.sessions_publish(actor=live.people["manager"], sessions=[s]) == 1
    s.refresh_from_db()
    assert s.status == "published" and s.published_at is not None
    assert sessions.sessions_publish(actor=live.people["manager"], sessions=[s]) == 0


def test_copy_week(live):
    s = plan(live, studio=live.r1, anchors=[live.a1], target_gmv="100")
    target = live.day + dt.timedelta(days=7)
    created = sessions.schedule_copy_week(actor=live.people["staff"], sessions=[s], target_week=target)
    assert len(created) == 1
    copy = created[0]
    assert copy.planned_start == s.planned_start + dt.timedelta(days=7)
    assert list(copy.anchors.all()) == [live.a1]
    assert copy.status == "draft" and copy.target_gmv == Decimal("100")
    # Copying again clashes with the copies: refused as a whole, naming the clash.
    with pytest.raises(Conflict) as exc:
        sessions.schedule_copy_week(actor=live.people["staff"], sessions=[s], target_week=target)
    assert f"#{copy.pk}" in exc.value.message
    assert LiveSession.objects.count() == 2


# Line-ups -----------------------------------------------------------------------------------


def approved_product(*, price="59.90", stock=100):
    product = make_clear_product(stage="approved")
    today = timezone.localdate()
    Deal.objects.create(
        product=product,
        merchant=product.merchant,
        live_price=Decimal(price),
        regular_price=Decimal("99"),
        commission_rate=Decimal("0.2"),
        guaranteed_stock=stock,
        valid_from=today - dt.timedelta(days=30),
        valid_to=today + dt.timedelta(days=60),
        status="approved",
        approved_by=live_admin(),
        approved_at=timezone.now(),
    )
    return product


def live_admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin")


def test_lineup_defaults_to_deal_price_and_warns(live):
    s = plan(live)
    product = approved_product(price="59.90", stock=100)
    item = lineups.lineup_add(actor=live.people["staff"], session=s, product=product, stock_allotted=50)
    assert item.live_price == Decimal("59.90") and item.position == 1 and item.warnings == []
    lineups.lineup_update(
        actor=live.people["staff"], item=item, live_price=Decimal("49.90"), stock_allotted=150
    )
    item.refresh_from_db()
    assert len(item.warnings) == 2
    assert "59.90" in item.warnings[0] and "100" in item.warnings[1]


def test_blocked_product_refused_with_reason(live):
    s = plan(live)
    product = approved_product()
    Block.objects.create(product=product, reason="抽检不合格", blocked_by=live_admin())
    with pytest.raises(DomainError) as exc:
        lineups.lineup_add(actor=live.people["staff"], session=s, product=product)
    assert "抽检不合格" in exc.value.message
    assert exc.value.code == "gate_refused"
    assert not s.lineup.exists()


def test_product_without_deal_or_not_approved_refused(live):
    s = plan(live)
    candidate = make_clear_product(stage="candidate")
    with pytest.raises(DomainError) as exc, translation.override("en"):
        lineups.lineup_add(actor=live.people["staff"], session=s, product=candidate)
    assert "deal" in exc.value.message and "approved" in exc.value.message


def test_copy_lineup_and_order(live):
    s1 = plan(live, start=10, end=12)
    s2 = plan(live, start=14, end=16)
    p1, p2 = approved_product(), approved_product()
    lineups.lineup_add(actor=live.people["staff"], session=s1, product=p1, mechanics=["coupon"])
    lineups.lineup_add(actor=live.people["staff"], session=s1, product=p2)
    Block.objects.create(product=p2, reason="资质过期", blocked_by=live_admin())
    copied, skipped = lineups.lineup_copy_from(actor=live.people["staff"], session=s2, source=s1)
    assert [i.product_id for i in copied] == [p1.pk]
    assert copied[0].mechanics == ["coupon"]
    assert len(skipped) == 1 and "资质过期" in skipped[0]
    p3 = approved_product()
    lineups.lineup_add(actor=live.people["staff"], session=s2, product=p3)
    last = s2.lineup.get(product=p3)
    lineups.lineup_move(actor=live.people["staff"], item=last, up=True)
    assert list(s2.lineup.order_by("position").values_list("product_id", flat=True)) == [p3.pk, p1.pk]
    lineups.lineup_remove(actor=live.people["staff"], item=s2.lineup.get(product=p3))
    assert list(s2.lineup.values_list("position", "product_id")) == [(1, p1.pk)]


def test_unknown_mechanic_refused(live):
    s = plan(live)
    with pytest.raises(DomainError):
        lineups.lineup_add(
            actor=live.people["staff"], session=s, product=approved_product(), mechanics=["free"]
        )
