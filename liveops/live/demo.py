"""The live-operations demo (issue 20): 4 rooms with their checklists, 10 accounts on Douyin,
Kuaishou and Taobao linked to the demo shops, anchor profiles for the company's anchors (linked to
their platform accounts, with brokers), three weeks of published sessions with actual times,
Compass-style figures, line-ups of approved products and their order lines linked, and next week's
schedule as drafts. Deterministic for a seed and reference date; does nothing when rooms exist."""

from __future__ import annotations

import datetime as dt
import logging
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from liveops.commerce.models import AnchorAccount, Shop
from liveops.core.errors import DomainError
from liveops.live.models import LiveAccount, LiveSession, Studio
from liveops.live.services import lineups, rooms, sessions
from liveops.org.models import Department, Staff
from liveops.sourcing.models import Deal, PipelineStage, Product
from liveops.talent.models import AnchorProfile

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")

STUDIOS = (
    ("A1 美妆直播间", "杭州直播基地 3F"),
    ("A2 食品直播间", "杭州直播基地 3F"),
    ("B1 家居直播间", "杭州直播基地 4F"),
    ("C1 户外直播间", "杭州直播基地 1F"),
)
CHECKLIST = (
    ("equipment", "主机位相机"),
    ("equipment", "副机位手机"),
    ("equipment", "声卡与麦克风"),
    ("network", "专线网络测速 ≥ 50 Mbps"),
    ("lights", "主灯与轮廓灯"),
    ("products", "样品与手卡到位"),
)
# (platform, name, platform account id, evening slot start hour)
ACCOUNTS = (
    ("douyin", "澜星美妆官方号", "lanxing_beauty", 19),
    ("douyin", "澜星零食铺", "lanxing_snack", 12),
    ("douyin", "澜星家居好物", "lanxing_home", 15),
    ("douyin", "澜星母婴优选", "lanxing_baby", 10),
    ("kuaishou", "澜星快手美妆", "ks_lanxing_beauty", 20),
    ("kuaishou", "澜星快手百货", "ks_lanxing_goods", 14),
    ("kuaishou", "澜星快手食品", "ks_lanxing_food", 9),
    ("taobao", "澜星天猫直播间", "tb_lanxing_live", 19),
    ("taobao", "澜星淘宝美妆间", "tb_lanxing_beauty", 13),
    ("taobao", "澜星淘宝家居间", "tb_lanxing_home", 16),
)


def _anchor_profiles(ab: Department) -> list[AnchorProfile]:
    brokers = list(Staff.objects.filter(position__code="ab-broker", is_active=True).order_by("employee_no"))
    out = []
    for i, st in enumerate(
        Staff.objects.filter(position__code="ab-anchor", is_active=True).order_by("employee_no")
    ):
        accounts = list(AnchorAccount.objects.filter(staff=st))
        profile = AnchorProfile.objects.filter(staff=st).first() or AnchorProfile.objects.create(
            stage_name=(accounts[0].nickname if accounts else "") or st.name,
            real_name=st.name,
            phone=st.phone,
            id_number=st.id_number,
            staff=st,
            broker=brokers[i % len(brokers)] if brokers else None,
            department=ab,
            status=AnchorProfile.Status.ACTIVE,
            category_focus="美妆护肤" if i % 2 == 0 else "食品百货",
            tags=["自有主播"],
        )
        if accounts:
            profile.accounts.set(accounts)
        out.append(profile)
    return out


def _figures(rng: random.Random, hours: float) -> dict:
    """Compass-shaped figures of a small room (live-metrics.md): rooms are small far more often."""
    watch_ucnt = int(rng.lognormvariate(8.3, 0.7) * hours / 3)
    watch_cnt = int(watch_ucnt * rng.uniform(1.2, 1.6))
    impressions = int(watch_ucnt * rng.uniform(8, 14))
    expose = int(watch_ucnt * rng.uniform(0.45, 0.7))
    click = int(expose * rng.uniform(0.2, 0.4))
    buyers = int(click * rng.uniform(0.25, 0.5))
    gmv = (Decimal(buyers) * Decimal(str(round(rng.uniform(45, 110), 2)))).quantize(Decimal("0.01"))
    refunds = (gmv * Decimal(str(round(rng.uniform(0.08, 0.25), 4)))).quantize(Decimal("0.01"))
    return {
        "impressions_ucnt": impressions,
        "impressions_cnt": int(impressions * 1.3),
        "watch_ucnt": watch_ucnt,
        "watch_cnt": watch_cnt,
        "peak_online": max(5, int(watch_ucnt / 60)),
        "avg_online": max(2, int(watch_ucnt / 200)),
        "avg_watch_min": Decimal(str(round(rng.uniform(0.8, 2.4), 2))),
        "comments": int(watch_ucnt * rng.uniform(0.02, 0.06)),
        "new_fans": int(watch_ucnt * rng.uniform(0.02, 0.05)),
        "product_expose_ucnt": expose,
        "product_click_ucnt": click,
        "orders": int(buyers * 1.05),
        "units": int(buyers * 1.15),
        "buyers": buyers,
        "gmv": gmv,
        "paid_amount": (gmv * Decimal("0.98")).quantize(Decimal("0.01")),
        "refund_amount": refunds,
        "net_gmv": gmv - refunds,
        "figures_source": "demo",
        "figures_updated_at": timezone.now(),
    }


@transaction.atomic
def live_demo_build(*, seed: int = 2026, today: dt.date | None = None, weeks_back: int = 3) -> dict:
    """Build the live demo once (see the module doc); returns counts."""
    if (
        Studio.objects.filter(name=STUDIOS[0][0]).exists()
        or LiveAccount.objects.filter(name=ACCOUNTS[0][1]).exists()
    ):
        return {}
    rng = random.Random(seed + 20)
    today = today or timezone.localdate()
    ls, ab = Department.objects.get(code="LS"), Department.objects.get(code="AB")
    studios = [
        rooms.studio_create(actor=None, name=name, department=ls, location=where, checklist=CHECKLIST)
        for name, where in STUDIOS
    ]
    anchors = _anchor_profiles(ab)
    shops = {}
    for shop in Shop.objects.order_by("pk"):
        shops.setdefault(shop.platform, shop)
    accounts = []
    for i, (platform, name, pid, _hour) in enumerate(ACCOUNTS):
        account = rooms.account_create(
            actor=None,
            platform=platform,
            name=name,
            platform_account_id=pid,
            department=ls,
            shop=shops.get(platform),
        )
        if anchors:
            account.anchors.set([anchors[i % len(anchors)]])
        accounts.append(account)
    people = list(
        Staff.objects.filter(department=ls, is_active=True, position__is_manager=False).order_by(
            "employee_no"
        )
    )
    products = list(
        Product.objects.filter(stage=PipelineStage.APPROVED, deals__status=Deal.Status.APPROVED)
        .distinct()
        .order_by("pk")[:40]
    )
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=weeks_back)
    counts = {"sessions": 0, "lineup_items": 0, "lines_linked": 0}
    previous_by_account: dict[int, LiveSession] = {}
    day = first
    while day < monday + dt.timedelta(days=7):
        for i, account in enumerate(accounts):
            # The four Douyin rooms stream daily, the others on alternate days.
            if account.platform != "douyin" and (day.toordinal() + i) % 2:
                continue
            hour = ACCOUNTS[i][3]
            length = rng.choice((2, 3, 3, 4))
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
            anchor = anchors[i % len(anchors)] if anchors else None
            staff = people[(i + day.toordinal()) % len(people)] if people else None
            plan = {
                "account": account,
                "planned_start": start,
                "planned_end": start + dt.timedelta(hours=length),
                "studio": studios[i % len(studios)],
                "title": f"{account.name} {day:%m-%d}",
                "target_gmv": Decimal(rng.choice((20000, 30000, 50000, 80000))),
                "target_viewers": rng.choice((8000, 12000, 20000)),
            }
            s = None
            # With the rotation's anchor and operator; if one of them is booked then, without people
            # (to be staffed later); if the room or account is booked, the slot is skipped.
            for people_on in ({"anchors": [anchor] if anchor else [], "operator": staff}, {}):
                try:
                    s = sessions.session_create(actor=None, **plan, **people_on)
                    break
                except DomainError:
                    continue
            if s is None:
                continue
            counts["sessions"] += 1
            previous = previous_by_account.get(account.pk)
            if previous is not None and previous.lineup.exists():
                items, _skipped = lineups.lineup_copy_from(actor=None, session=s, source=previous)
            else:
                items = []
                for product in rng.sample(products, min(6, len(products))):
                    try:
                        items.append(
                            lineups.lineup_add(
                                actor=None,
                                session=s,
                                product=product,
                                stock_allotted=rng.choice((100, 200, 500)),
                                mechanics=rng.sample(["coupon", "flash_sale", "lucky_bag", "gift"], 1),
                            )
                        )
                    except DomainError:  # the gate refused it (a product blocked since): left off
                        continue
            counts["lineup_items"] += len(items)
            previous_by_account[account.pk] = s
            if day < today:
                late = rng.choice((0, 0, 0, 5, 15))
                actual_start = start + dt.timedelta(minutes=late)
                actual_end = start + dt.timedelta(hours=length, minutes=rng.choice((-20, 0, 0, 10)))
                LiveSession.objects.filter(pk=s.pk).update(
                    status=LiveSession.Status.PUBLISHED,
                    published_at=timezone.now(),
                    actual_start=actual_start,
                    actual_end=actual_end,
                    **_figures(rng, length),
                )
                # Lines are linked for the last week's sessions only: each link refreshes the shop's
                # rollups of the day, and the review of a recent session is what the demo shows.
                if day >= today - dt.timedelta(days=7):
                    s.refresh_from_db()
                    counts["lines_linked"] += sessions.session_attribute_lines(actor=None, session=s)
            elif day < monday + dt.timedelta(days=7) and day.weekday() < 3:
                LiveSession.objects.filter(pk=s.pk).update(
                    status=LiveSession.Status.PUBLISHED, published_at=timezone.now()
                )
        day += dt.timedelta(days=1)
    log.info("live demo: %s", counts)
    return counts
