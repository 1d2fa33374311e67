"""The demo company: about 60 staff across every unit, demo logins per role, and one year of
governance (meetings, resolutions, action items — some overdue — and plans). Deterministic: the
same seed and reference date give the same company. Written through the services, so the audit
log of the demo is real."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from liveops.org import services
from liveops.org.bootstrap import org_template_load
from liveops.org.models import Department, GovernanceBody, Position, Resolution, Staff

DEMO_PASSWORD = "LiveOps-demo-2026"

# login → (position code, Chinese name, English name). These are the logins the README lists.
DEMO_LOGINS: dict[str, tuple[str, str, str]] = {
    "chairman": ("board-chair", "王建国", "Wang Jianguo"),
    "gm": ("gm", "李思远", "Li Siyuan"),
    "auditor": ("sv-chair", "赵文静", "Zhao Wenjing"),
    "hr": ("hr-head", "陈晓梅", "Chen Xiaomei"),
    "ec-head": ("ec-head", "刘洋", "Liu Yang"),
    "ec-staff": (None, "张伟", "Zhang Wei"),  # a staff position in EC
    "mr-staff": (None, "孙丽", "Sun Li"),  # a staff position in MR
    "it-admin": ("it-head", "周强", "Zhou Qiang"),
    # Approvers: each approval the product asks for can be made by a listed login (README).
    "mr-head": ("mr-head", "郑凯", "Zheng Kai"),  # approves products, deals and selection decisions
    "qc-head": ("qc-head", "何静", "He Jing"),  # lifts blocks and approves checklists
    "ls-head": ("ls-head", "林晓", "Lin Xiao"),  # live-stream operations: publishes schedules
    "ls-staff": (None, "吴迪", "Wu Di"),  # a live-stream operator: plans sessions and line-ups
}
_DEMO_UNIT_FOR_STAFF_LOGIN = {"ec-staff": "EC", "mr-staff": "MR", "ls-staff": "LS"}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁雪琳晨欣怡佳慧颖婷倩瑶雯琪"
_PROVINCES = [
    "浙江省杭州市西湖区",
    "广东省广州市天河区",
    "上海市浦东新区",
    "江苏省南京市鼓楼区",
    "北京市朝阳区",
    "四川省成都市武侯区",
    "湖北省武汉市洪山区",
]


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186", "177", "133"]) + "".join(
        str(rng.randint(0, 9)) for _ in range(8)
    )


def _id_number(rng: random.Random, born: dt.date) -> str:
    body = "330106" + born.strftime("%Y%m%d") + "".join(str(rng.randint(0, 9)) for _ in range(3))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


@transaction.atomic
def demo_build(*, seed: int = 2026, today: dt.date | None = None, staff_target: int = 60) -> dict[str, int]:
    """Build the demo company into an empty database (idempotent: does nothing if staff exist)."""
    org_template_load()
    if Staff.objects.exists():
        return {"staff": Staff.objects.count(), "created": 0}
    rng = random.Random(seed)
    today = today or timezone.localdate()
    User = get_user_model()
    admin = User.objects.filter(username="admin").first() or User.objects.create_superuser(
        "admin", "admin@liveops.example", DEMO_PASSWORD
    )

    positions = list(
        Position.objects.select_related("department").order_by(
            "department__sort_order", "-is_manager", "code"
        )
    )
    heads: dict[int, Staff] = {}
    created: list[Staff] = []
    counter = 0

    def hire(
        position: Position, name: str | None = None, name_en: str = "", username: str | None = None
    ) -> Staff:
        nonlocal counter
        counter += 1
        born = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randint(0, 9000))
        user = None
        if username:
            user = User.objects.create_user(username, f"{username}@liveops.example", DEMO_PASSWORD)
        manager = (
            heads.get(position.department.parent_id)
            if position.is_manager
            else heads.get(position.department_id)
        )
        st = services.staff_create(
            actor=admin,
            employee_no=f"LO{counter:04d}",
            name=name or _name(rng),
            name_en=name_en,
            department=position.department,
            position=position,
            manager=manager,
            email=f"{username or 'staff' + str(counter)}@liveops.example",
            phone=_phone(rng),
            id_number=_id_number(rng, born),
            address=rng.choice(_PROVINCES) + f"{rng.randint(1, 300)}号",
            hired_on=today - dt.timedelta(days=rng.randint(30, 1500)),
            user=user,
        )
        if position.is_manager:
            heads[position.department_id] = st
        created.append(st)
        return st

    login_by_position = {pos: (login, zh, en) for login, (pos, zh, en) in DEMO_LOGINS.items() if pos}
    # Heads first, top of the tree down, so line managers exist when their reports are hired.
    for p in positions:
        if p.is_manager:
            login, zh, en = login_by_position.get(p.code, (None, None, ""))
            hire(p, zh, en, login)
    for login, unit in _DEMO_UNIT_FOR_STAFF_LOGIN.items():
        pos = next(p for p in positions if p.department.code == unit and not p.is_manager)
        _, zh, en = DEMO_LOGINS[login]
        hire(pos, zh, en, login)
    staff_positions = [
        p for p in positions if not p.is_manager and p.department.kind in ("department", "centre")
    ]
    while len(created) < staff_target:
        hire(rng.choice(staff_positions))
    # Board and supervisory members, so meetings have attendees.
    board = GovernanceBody.objects.get(kind="board")
    board.members.set(
        [s for s in created if s.position and s.position.code in ("board-chair", "gm", "director")]
        + created[:3]
    )
    sv = GovernanceBody.objects.get(kind="supervisory")
    sv.members.set([s for s in created if s.position and s.position.department.code == "GOV-SV"])

    _governance_year(admin=admin, rng=rng, today=today, staff=created)
    # Sourcing and quality demo (issue 3): runs once, on the same seed and reference date.
    from liveops.sourcing.demo import sourcing_demo_build

    sourcing_demo_build(seed=seed, today=today)
    # E-commerce demo (issue 4): shops, six months of orders through the real importers, marketing.
    from liveops.commerce.demo import commerce_demo_build

    commerce_demo_build(seed=seed, today=today)
    # Live-stream operations demo (issue 20): rooms, accounts, anchors, sessions with line-ups.
    from liveops.live.demo import live_demo_build

    live_demo_build(seed=seed, today=today)
    return {"staff": len(created), "created": len(created)}


_RESOLUTIONS = [
    ("board", "plan", "审议{y}年度经营计划与GMV目标", "Annual business plan and GMV target for {y}"),
    ("board", "budget", "审议{y}年度预算方案", "Annual budget for {y}"),
    ("board", "appointment", "聘任直播运营部经理", "Appointment of the head of live-stream operations"),
    ("board", "org_structure", "调整内容运营中心组织架构", "Reorganisation of the content operations centre"),
    ("board", "general", "双11大促专项方案", "Double 11 campaign plan"),
    ("board", "investment", "新建杭州直播基地投资方案", "Investment in a new Hangzhou live-stream base"),
    ("board", "general", "主播激励制度修订", "Revised anchor incentive scheme"),
    ("shareholders", "profit", "{p}年度利润分配方案", "Profit distribution for {p}"),
    ("shareholders", "general", "审议董事会{p}年度工作报告", "Board's report for {p}"),
    (
        "shareholders",
        "articles",
        "修订公司章程（经营范围）",
        "Amendment of the articles of association (business scope)",
    ),
    ("supervisory", "general", "审查上半年财务状况", "Review of first-half financial position"),
    ("supervisory", "general", "监督高管履职情况", "Supervision of senior managers' conduct"),
]
# Each resolution's follow-up: the action items that carry it out, in the departments it concerns
# (keyed by the resolution's place in _RESOLUTIONS; supervisory and rejected ones have none).
_ACTIONS: dict[int, list[tuple[str, str, str]]] = {
    0: [
        ("EC", "分解年度GMV目标到各店铺", "Break the annual GMV target down to shops"),
        ("LS", "按年度目标排定各直播间场次", "Plan each room's sessions to the annual target"),
        ("GMO", "跟进决议执行情况月报", "Monthly report on resolution execution"),
    ],
    1: [
        ("FIN", "编制季度预算执行报告", "Prepare the quarterly budget execution report"),
        ("HR", "按预算编制完成新岗位招聘", "Fill the new positions the budget provides for"),
    ],
    2: [
        ("HR", "办理直播运营部经理入职与交接", "Onboard the new head of live-stream operations"),
        ("LS", "制定新直播间排班方案", "Draw up the rota for the new live rooms"),
    ],
    3: [
        ("CC", "内容运营中心新架构岗位调整", "Move content staff to the new structure"),
        ("HR", "更新内容运营中心岗位说明书", "Update the content centre's job descriptions"),
    ],
    4: [
        ("WL", "优化大促发货流程", "Streamline shipping for the promotion"),
        ("CS", "大促客服排班与话术培训", "Service rota and script training for the promotion"),
        ("CC", "大促内容日历", "Content calendar for the promotion"),
        ("MR", "完成大促重点品牌招商名单", "Complete the key-brand list for the promotion"),
    ],
    5: [
        ("IT", "直播基地网络与设备验收", "Accept network and equipment at the live base"),
        ("FIN", "直播基地投资付款计划", "Payment schedule of the live-base investment"),
    ],
    7: [("FIN", "执行年度利润分配", "Pay out the year's profit distribution")],
    8: [("GMO", "跟进决议执行情况月报", "Monthly report on resolution execution")],
    9: [("GMO", "办理经营范围工商变更登记", "Register the change of business scope")],
}


def _governance_year(*, admin, rng: random.Random, today: dt.date, staff: list[Staff]) -> None:
    bodies = {b.kind: b for b in GovernanceBody.objects.select_related("unit")}
    units = {d.code: d for d in Department.objects.all()}
    heads = {s.department.code: s for s in staff if s.position and s.position.is_manager}
    year = today.year
    tz = timezone.get_current_timezone()
    board_members = list(bodies["board"].members.all())
    number = 0
    meeting_no: dict[tuple[str, int], int] = {}
    # Twelve resolutions spread over the last year, in the order they were held.
    for i, (body_kind, topic, title_zh, _title_en) in enumerate(_RESOLUTIONS):
        held = today - dt.timedelta(days=360 - i * 28)
        meeting_no[(body_kind, held.year)] = meeting_no.get((body_kind, held.year), 0) + 1
        meeting = services.meeting_create(
            actor=admin,
            body=bodies[body_kind],
            title=f"{bodies[body_kind].unit.name_zh}{held.year}年第{meeting_no[(body_kind, held.year)]}次会议",
            held_at=dt.datetime.combine(held, dt.time(14, 0), tzinfo=tz),
            meeting_type="extraordinary" if i % 5 == 4 else "regular",
            location="公司总部3楼会议室",
            agenda="1. 审议议案\n2. 讨论事项\n3. 其他",
            attendees=board_members if body_kind == "board" else list(bodies[body_kind].members.all()),
        )
        number += 1
        prefix = {"board": "BD", "shareholders": "SH", "supervisory": "SV"}[body_kind]
        res = services.resolution_propose(
            actor=admin,
            meeting=meeting,
            number=f"{prefix}-{held.year}-{number:03d}",
            title=title_zh.format(y=held.year + 1, p=held.year - 1),
            topic=topic,
            proposal="议案全文见附件。",
            proposed_by=heads.get("GM"),
        )
        passed = i != 6  # one rejected proposal, so the register shows both outcomes
        res = services.resolution_decide(
            actor=admin,
            resolution=res,
            votes_for=5 if passed else 2,
            votes_against=0 if passed else 3,
            votes_abstain=rng.randint(0, 1),
            decided_at=meeting.held_at,
        )
        if not passed or body_kind == "supervisory":
            continue
        for unit_code, a_zh, _a_en in _ACTIONS.get(i, []):
            due = held + dt.timedelta(days=rng.randint(20, 120))
            item = services.action_item_create(
                actor=admin,
                resolution=res,
                title=a_zh,
                department=units[unit_code],
                due_on=due,
                owner=heads.get(unit_code),
            )
            if due < today - dt.timedelta(days=20) and rng.random() < 0.7:
                services.action_item_set_status(
                    actor=admin,
                    item=item,
                    status="done",
                    today=min(today, due + dt.timedelta(days=rng.randint(-10, 10))),
                )
            elif rng.random() < 0.4:
                services.action_item_set_status(actor=admin, item=item, status="in_progress")
    # One resolution still on the agenda of the next board meeting.
    upcoming = services.meeting_create(
        actor=admin,
        body=bodies["board"],
        title=f"董事会{year}年第{meeting_no.get(('board', year), 0) + 1}次会议",
        held_at=dt.datetime.combine(today + dt.timedelta(days=14), dt.time(14, 0), tzinfo=tz),
        agenda="1. 审议下一年度预算",
        attendees=board_members,
    )
    services.resolution_propose(
        actor=admin,
        meeting=upcoming,
        number=f"BD-{year}-{number + 1:03d}",
        title=f"审议{year + 1}年度预算（草案）",
        topic="budget",
        proposed_by=heads.get("GM"),
    )
    gm = heads.get("GM")
    plan_res = Resolution.objects.filter(topic="plan", outcome="passed").order_by("decided_at").first()
    p1 = services.plan_create(
        actor=admin,
        kind="annual_plan",
        year=year,
        title=f"{year}年度经营计划",
        gmv_target=Decimal("120000000.00"),
        cost_budget=Decimal("18000000.00"),
        owner=gm,
    )
    services.plan_submit(actor=admin, plan=p1)
    if plan_res:
        services.plan_approve(actor=admin, plan=p1, resolution=plan_res)
    p2 = services.plan_create(
        actor=admin,
        kind="budget",
        year=year + 1,
        title=f"{year + 1}年度预算",
        gmv_target=Decimal("150000000.00"),
        cost_budget=Decimal("22000000.00"),
        owner=gm,
    )
    services.plan_submit(actor=admin, plan=p2)
    services.plan_create(
        actor=admin,
        kind="targets",
        year=year + 1,
        title=f"{year + 1}年度各中心GMV目标分解",
        gmv_target=Decimal("150000000.00"),
        owner=gm,
    )
    _finance_and_contracts(admin=admin, rng=rng, today=today, staff=staff)


def _finance_and_contracts(*, admin, rng: random.Random, today: dt.date, staff: list[Staff]) -> None:
    """Twelve months of management accounts (most reviewed), last year's approved final accounts,
    the signing-authority table and a contract register with contracts signed within it."""
    from liveops.org.models import SigningAuthority

    positions = {p.code: p for p in Position.objects.filter(code__in=["deputy-gm", "gm", "board-chair"])}
    tiers = (
        ("0", "deputy-gm", False),
        ("500000", "gm", False),
        ("2000000", "board-chair", False),
        ("10000000", "board-chair", True),
    )
    for amount, code, board in tiers:
        SigningAuthority.objects.get_or_create(
            min_amount=Decimal(amount),
            defaults={"position": positions[code], "needs_board_resolution": board},
        )
    revenue_base = Decimal("8000000")
    for back in range(12, 0, -1):
        y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
        period = f"{y}-{m + 1:02d}"
        season = Decimal("1.8") if m + 1 in (6, 11) else Decimal("1.0")
        revenue = (revenue_base * season * Decimal(rng.randint(85, 120)) / 100).quantize(Decimal("0.01"))
        gross = (revenue * Decimal(rng.randint(22, 30)) / 100).quantize(Decimal("0.01"))
        net = (gross - revenue * Decimal(rng.randint(12, 18)) / 100).quantize(Decimal("0.01"))
        st = services.statement_create(
            actor=admin,
            kind="monthly",
            period=period,
            revenue=revenue,
            gross_profit=gross,
            net_profit=net,
            cash=(Decimal("30000000") + net * 3).quantize(Decimal("0.01")),
        )
        if back > 1:  # the latest month is still waiting for the chairman
            services.statement_review(actor=admin, statement=st, notes="已审阅")
    budget_res = Resolution.objects.filter(topic="budget", outcome="passed").order_by("decided_at").first()
    annual = services.statement_create(
        actor=admin,
        kind="annual",
        period=str(today.year - 1),
        revenue=Decimal("96500000.00"),
        gross_profit=Decimal("25100000.00"),
        net_profit=Decimal("9300000.00"),
        cash=Decimal("31800000.00"),
    )
    services.statement_review(actor=admin, statement=annual, notes="年度决算已审阅")
    if budget_res:
        services.statement_approve(actor=admin, statement=annual, resolution=budget_res)
    by_pos = {s.position.code: s for s in staff if s.position}
    invest_res = Resolution.objects.filter(topic="investment", outcome="passed").first()
    units = {d.code: d for d in Department.objects.filter(code__in=["LC", "MC", "WL", "IT", "GMO"])}
    contracts = [
        ("直播基地场地租赁合同", "杭州某科创园有限公司", "1800000.00", "GMO", "gm", None),
        ("年度物流服务框架协议", "某速运有限公司", "3600000.00", "WL", "board-chair", None),
        ("新建直播基地工程合同", "某建设工程有限公司", "12000000.00", "GMO", "board-chair", invest_res),
        ("直播设备采购合同", "某影像器材有限公司", "420000.00", "IT", "deputy-gm", None),
        ("品牌年度战略合作协议", "某化妆品集团", "5000000.00", "MC", None, None),  # still a draft
    ]
    for i, (title, party, amount, unit, signer, res) in enumerate(contracts, start=1):
        c = services.contract_register(
            actor=admin,
            number=f"HT-{today.year}-{i:03d}",
            title=title,
            counterparty=party,
            amount=Decimal(amount),
            department=units[unit],
        )
        if signer and signer in by_pos:
            services.contract_sign(
                actor=admin,
                contract=c,
                signer=by_pos[signer],
                signed_on=today - dt.timedelta(days=rng.randint(10, 200)),
                resolution=res,
            )
