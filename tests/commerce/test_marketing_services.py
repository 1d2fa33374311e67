"""Services of the marketing calendar, budgets and ad spend: permissions per persona, validation,
audit, the campaign links of ad spend and the overspend alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liveops.commerce.models import AdSpend, Budget, Campaign
from liveops.commerce.services import marketing as services
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from tests.commerce.marketing_support import mworld_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def campaign(world, actor=None, **kwargs):
    start = kwargs.pop("starts_on", today() - dt.timedelta(days=10))
    end = kwargs.pop("ends_on", today() + dt.timedelta(days=10))
    return services.campaign_create(
        actor=actor or world.member,
        name=kwargs.pop("name", "618 大促"),
        kind=kwargs.pop("kind", Campaign.Kind.C618),
        starts_on=start,
        ends_on=end,
        goal_gmv_fen=kwargs.pop("goal_gmv_fen", 100_000_00),
        shops=kwargs.pop("shops", [world.douyin]),
        **kwargs,
    )


# Campaigns ----------------------------------------------------------------------------------------


def test_member_plans_a_campaign_with_links_and_audit(mworld):
    c = campaign(mworld, products=[mworld.p1], session_ids=[7, 3, 7], goals="主推精华")
    assert c.department.code == "EC"
    assert c.owner == mworld.member
    assert set(c.shops.all()) == {mworld.douyin}
    assert list(c.products.all()) == [mworld.p1]
    assert c.session_ids == [3, 7]
    entries = AuditEntry.objects.filter(object_type="commerce.campaign", object_id=str(c.pk))
    assert {e.action for e in entries} == {"create", "update"}
    links = entries.get(action="update").changes
    assert links["after"] == {"shops": [mworld.douyin.pk], "products": [mworld.p1.pk]}


@pytest.mark.parametrize("who", ["other", "auditor", "outsider"])
def test_campaign_create_refused_without_change(mworld, who):
    with pytest.raises(NotAllowed):
        campaign(mworld, actor=getattr(mworld, who))
    assert not Campaign.objects.exists()


def test_campaign_cannot_name_a_shop_out_of_reach(mworld):
    with pytest.raises(NotAllowed):
        campaign(mworld, shops=[mworld.ls_shop])


def test_campaign_validation(mworld):
    with pytest.raises(DomainError) as exc:
        campaign(mworld, starts_on=today(), ends_on=today() - dt.timedelta(days=1))
    assert "ends_on" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        campaign(mworld, goal_gmv_fen=-1)
    assert "goal_gmv_fen" in exc.value.fields
    with pytest.raises(DomainError):
        campaign(mworld, goal_gmv_fen=12.5)
    with pytest.raises(DomainError):
        campaign(mworld, name="  ")
    campaign(mworld)
    with pytest.raises(Conflict):
        campaign(mworld)  # same name, same first day: a double submit


def test_campaign_update_logs_changes_and_links(mworld):
    c = campaign(mworld)
    services.campaign_update(
        actor=mworld.member,
        campaign=c,
        data={"goal_gmv_fen": 5, "status": Campaign.Status.RUNNING, "shops": [mworld.douyin, mworld.taobao]},
    )
    c.refresh_from_db()
    assert c.goal_gmv_fen == 5 and c.status == "running"
    assert c.shops.count() == 2
    updates = AuditEntry.objects.filter(object_type="commerce.campaign", object_id=str(c.pk), action="update")
    assert any(e.changes["after"].get("goal_gmv_fen") == 5 for e in updates)
    assert any(
        e.changes["after"].get("shops") == sorted([mworld.douyin.pk, mworld.taobao.pk]) for e in updates
    )
    with pytest.raises(NotAllowed):
        services.campaign_update(actor=mworld.auditor, campaign=c, data={"name": "x"})


# Budgets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "other", "auditor", "outsider"])
def test_only_managers_set_budgets(mworld, who):
    c = campaign(mworld)
    with pytest.raises(NotAllowed):
        services.budget_create(actor=getattr(mworld, who), campaign=c, amount_fen=1000)
    assert not Budget.objects.exists()


def test_manager_sets_budget_defaults_and_audit(mworld):
    c = campaign(mworld)
    b = services.budget_create(actor=mworld.manager, campaign=c, amount_fen=50_000_00, channel="qianchuan")
    assert (b.period_start, b.period_end) == (c.starts_on, c.ends_on)
    assert b.department == c.department and b.set_by == mworld.manager
    assert AuditEntry.objects.filter(
        object_type="commerce.budget", object_id=str(b.pk), action="create"
    ).exists()
    shop_budget = services.budget_create(
        actor=mworld.manager, shop=mworld.taobao, amount_fen=1, period_start=today(), period_end=today()
    )
    assert shop_budget.department == mworld.taobao.department


def test_budget_validation(mworld):
    with pytest.raises(DomainError) as exc:
        services.budget_create(actor=mworld.manager, amount_fen=-5, period_start=today(), period_end=today())
    assert "amount_fen" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.budget_create(actor=mworld.manager, amount_fen=5, period_start=today(), period_end=None)
    with pytest.raises(DomainError) as exc:
        services.budget_create(
            actor=mworld.manager,
            amount_fen=5,
            period_start=today(),
            period_end=today() - dt.timedelta(days=1),
        )
    assert "period_end" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.budget_create(
            actor=mworld.manager, amount_fen=5, period_start=today(), period_end=today(), channel="tv"
        )
    assert "channel" in exc.value.fields
    with pytest.raises(NotAllowed):  # a shop outside the manager's subtree
        services.budget_create(
            actor=mworld.manager, shop=mworld.ls_shop, amount_fen=5, period_start=today(), period_end=today()
        )


def _spend(world, day, fen, *, shop=None, channel="qianchuan", plan_id="P1", actor=None, **kw):
    return services.ad_spend_record(
        actor=actor or world.member,
        shop=shop or world.douyin,
        channel=channel,
        day=day,
        spend_fen=fen,
        plan_id=plan_id,
        **kw,
    )


def test_overspend_alert_fires_once_and_rearms_when_raised(mworld):
    c = campaign(mworld)
    b = services.budget_create(actor=mworld.manager, campaign=c, amount_fen=10_000)
    _spend(mworld, today(), 6_000)
    b.refresh_from_db()
    assert b.overspent_at is None
    _spend(mworld, today() - dt.timedelta(days=1), 4_000)  # exactly the amount: not passed
    b.refresh_from_db()
    assert b.overspent_at is None
    _spend(mworld, today() - dt.timedelta(days=2), 1, plan_id="P2")
    b.refresh_from_db()
    assert b.overspent_at is not None
    alerts = AuditEntry.objects.filter(
        object_type="commerce.budget", object_id=str(b.pk), verb="budget_overspent"
    )
    assert alerts.count() == 1
    assert alerts.get().changes == {"amount_fen": 10_000, "spend_fen": 10_001, "over_fen": 1}
    _spend(mworld, today() - dt.timedelta(days=3), 500, plan_id="P3")  # more spend: no second alert
    assert alerts.count() == 1
    # The manager raises the budget above the spend: re-armed, and a new pass alerts again.
    services.budget_update(actor=mworld.manager, budget=b, data={"amount_fen": 20_000})
    b.refresh_from_db()
    assert b.overspent_at is None
    _spend(mworld, today() - dt.timedelta(days=4), 10_000, plan_id="P4")
    assert alerts.count() == 2


def test_budget_update_and_delete_need_manage(mworld):
    b = services.budget_create(actor=mworld.manager, amount_fen=5, period_start=today(), period_end=today())
    with pytest.raises(NotAllowed):
        services.budget_update(actor=mworld.member, budget=b, data={"amount_fen": 9})
    with pytest.raises(NotAllowed):
        services.budget_delete(actor=mworld.auditor, budget=b)
    services.budget_update(actor=mworld.manager, budget=b, data={"amount_fen": 9, "note": " 千川 "})
    b.refresh_from_db()
    assert (b.amount_fen, b.note) == (9, "千川")
    services.budget_delete(actor=mworld.manager, budget=b)
    assert not Budget.objects.exists()
    assert AuditEntry.objects.filter(object_type="commerce.budget", action="delete").exists()


# Ad spend -----------------------------------------------------------------------------------------


def test_ad_spend_record_upserts_on_natural_key_and_audits(mworld):
    row, created = _spend(mworld, today(), 12_345, plan_name="直播间引流", impressions=1000, clicks=30)
    assert created and row.entered_by == mworld.member
    again, created = _spend(mworld, today(), 12_345, plan_name="直播间引流", impressions=1000, clicks=30)
    assert not created and again.pk == row.pk
    assert AuditEntry.objects.filter(object_type="commerce.adspend", object_id=str(row.pk)).count() == 1
    _spend(mworld, today(), 20_000, plan_name="直播间引流", impressions=1000, clicks=30)
    upd = AuditEntry.objects.get(object_type="commerce.adspend", object_id=str(row.pk), action="update")
    assert upd.changes == {"before": {"spend_fen": 12_345}, "after": {"spend_fen": 20_000}}
    assert AdSpend.objects.count() == 1


@pytest.mark.parametrize("who", ["other", "auditor", "outsider"])
def test_ad_spend_refused_without_change(mworld, who):
    with pytest.raises(NotAllowed):
        _spend(mworld, today(), 100, actor=getattr(mworld, who))


def test_ad_spend_refused_on_a_shop_of_another_department(mworld):
    with pytest.raises(NotAllowed):
        _spend(mworld, today(), 100, shop=mworld.ls_shop)


def test_ad_spend_validation(mworld):
    for kwargs, field in (
        ({"fen": -1}, "spend_fen"),
        ({"fen": 1, "channel": "tv"}, "channel"),
        ({"fen": 1, "channel": ""}, "channel"),
        ({"fen": 1, "impressions": -3}, "impressions"),
        ({"fen": 1, "plan_id": "x" * 61}, "plan_id"),
    ):
        fen = kwargs.pop("fen")
        with pytest.raises(DomainError) as exc:
            _spend(mworld, today(), fen, **kwargs)
        assert field in exc.value.fields
    with pytest.raises(DomainError) as exc:
        _spend(mworld, today() + dt.timedelta(days=2), 1)
    assert "day" in exc.value.fields


def test_ad_spend_links_the_only_covering_campaign(mworld):
    row, _ = _spend(mworld, today(), 100)
    assert row.campaign is None
    c = campaign(mworld)  # creating the campaign links the spend it covers
    row.refresh_from_db()
    assert row.campaign == c
    new, _ = _spend(mworld, today() - dt.timedelta(days=1), 100)
    assert new.campaign == c
    outside, _ = _spend(mworld, today() - dt.timedelta(days=30), 100)
    assert outside.campaign is None
    other_shop, _ = _spend(mworld, today(), 100, shop=mworld.taobao)
    assert other_shop.campaign is None  # the campaign does not name this shop
    # Two campaigns cover the day: nobody guesses.
    campaign(mworld, name="双11 预热")
    both, _ = _spend(mworld, today() - dt.timedelta(days=2), 100)
    assert both.campaign is None


def test_ad_spend_explicit_campaign_is_checked(mworld):
    c = campaign(mworld)
    with pytest.raises(DomainError):
        _spend(mworld, today() - dt.timedelta(days=40), 100, campaign=c)  # outside its dates
    with pytest.raises(DomainError):
        _spend(mworld, today(), 100, shop=mworld.taobao, campaign=c)  # not its shop
    row, _ = _spend(mworld, today(), 100, campaign=c)
    assert row.campaign == c
    row, _ = _spend(mworld, today(), 100, campaign=None)
    assert row.campaign is None


def test_ad_spend_delete(mworld):
    row, _ = _spend(mworld, today(), 100)
    with pytest.raises(NotAllowed):
        services.ad_spend_delete(actor=mworld.auditor, spend=row)
    services.ad_spend_delete(actor=mworld.member, spend=row)
    assert not AdSpend.objects.exists()
    assert AuditEntry.objects.filter(object_type="commerce.adspend", action="delete").exists()


def test_linking_spend_to_a_new_campaign_checks_its_budgets(mworld):
    c = campaign(mworld, name="预热")
    budget = services.budget_create(actor=mworld.manager, campaign=c, amount_fen=100)
    services.campaign_update(actor=mworld.member, campaign=c, data={"shops": []})
    row, _ = _spend(mworld, today(), 500)
    assert row.campaign is None  # the campaign names no shop now
    budget.refresh_from_db()
    assert budget.overspent_at is None
    services.campaign_update(actor=mworld.member, campaign=c, data={"shops": [mworld.douyin]})
    row.refresh_from_db()
    budget.refresh_from_db()
    assert row.campaign == c and budget.overspent_at is not None
