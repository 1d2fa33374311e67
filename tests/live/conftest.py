"""Fixtures of the live-operations tests: the personas of the live centre (an operator and the
manager of the live-stream department, an anchor, a broker, a member of another department, an
outsider), two rooms, two accounts of a Douyin shop and anchor profiles."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from liveops.live.models import LiveAccount, Studio
from liveops.org.models import Department, Staff
from liveops.talent.models import AnchorProfile
from tests.commerce.factories import make_shop
from tests.conftest import make_person

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def live(org):
    people = {
        "staff": make_person("ls-operator", "live-staff", name="直播运营甲"),
        "controller": make_person("ls-field-controller", "live-fc", name="场控乙"),
        "manager": make_person("ls-head", "live-manager", name="直播经理"),
        "anchor": make_person("ab-anchor", "anchor-one", name="主播本人"),
        "broker": make_person("ab-broker", "broker-one", name="经纪人甲"),
        "broker2": make_person("ab-broker", "broker-two", name="经纪人乙"),
        "other": make_person("mr-recruiter", "other-dept"),
        "outsider": make_person(None, "outsider"),
        "admin": make_person(None, "admin", superuser=True),
    }
    staff = {k: Staff.objects.filter(user=u).first() for k, u in people.items()}
    ls, ab = Department.objects.get(code="LS"), Department.objects.get(code="AB")
    shop = make_shop(platform="douyin", name="直播抖店", department_code="LC")
    a1 = AnchorProfile.objects.create(
        stage_name="小美",
        real_name="王小美",
        phone="13912345678",
        id_number="330106199001011234",
        department=ab,
        staff=staff["anchor"],
        broker=staff["broker"],
        status="active",
    )
    a2 = AnchorProfile.objects.create(
        stage_name="阿强", department=ab, broker=staff["broker2"], status="active"
    )
    acc1 = LiveAccount.objects.create(
        platform="douyin", name="澜星美妆号", platform_account_id="lanxing01", shop=shop, department=ls
    )
    acc2 = LiveAccount.objects.create(
        platform="douyin", name="澜星零食号", platform_account_id="lanxing02", shop=shop, department=ls
    )
    acc1.anchors.set([a1])
    r1 = Studio.objects.create(name="1号直播间", department=ls)
    r2 = Studio.objects.create(name="2号直播间", department=ls)
    day = timezone.localdate() + dt.timedelta(days=7)
    return SimpleNamespace(
        people=people,
        staff=staff,
        shop=shop,
        a1=a1,
        a2=a2,
        acc1=acc1,
        acc2=acc2,
        r1=r1,
        r2=r2,
        day=day,
        ls=ls,
    )
