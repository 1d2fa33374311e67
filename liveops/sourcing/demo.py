"""The demo of merchant recruitment, product selection and quality (issue 3): a category tree with
its national standards and required credentials, ~300 merchants (brand owners, distributors with
authorisation chains, factories) with contacts and talks, ~3,000 products with SKUs and price
history, credentials (some expiring, expired or unverified), samples in every status, the selection
pipeline in every stage with its events, two selection meetings, deals and contracts, checklists,
inspections, defects with CAPA, blocks (one lifted), scorecards, the category plans of the current
season, and the Tmall cosmetics market data when ``../shared/data/cosmetic.csv`` is present.

Deterministic (same seed and reference date → same rows) and fast: rows are written with
``bulk_create`` and carry no audit entries (a demo world, not decisions anybody took); the market
data goes through the import framework, so its run is recorded like any import. Called once from
``liveops.org.demo.demo_build``; does nothing when merchants already exist.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from liveops.core.pinyin import pinyin_full, pinyin_initials
from liveops.org.models import Department, Staff
from liveops.quality.models import (
    Block,
    Checklist,
    ChecklistItem,
    CorrectiveAction,
    Defect,
    Inspection,
    InspectionItemResult,
    Scorecard,
)
from liveops.sourcing.models import (
    Brand,
    Category,
    CategoryPlan,
    Contract,
    Credential,
    Deal,
    MarketSnapshot,
    Merchant,
    MerchantContact,
    MerchantLog,
    PipelineEvent,
    PipelineStage,
    PriceRecord,
    Product,
    Sample,
    SelectionMeeting,
    SelectionReview,
    Sku,
)
from liveops.sourcing.services.products import product_tokens_rebuild

DEMO_PASSWORD = "LiveOps-demo-2026"
QC_LOGIN = "qc-staff"  # a QC inspector of the demo company, for inspections and credential checks
MARKET_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "cosmetic.csv"
BATCH = 1000

# code, parent, 中文, English, standards (one per line), required credential kinds
CATEGORIES: list[tuple[str, str | None, str, str, str, list[str]]] = [
    (
        "beauty",
        None,
        "美妆护肤",
        "Beauty and skincare",
        "GB 5296.3-2008 消费品使用说明 化妆品通用标签\n化妆品安全技术规范（2015年版）",
        ["cosmetics_filing", "test_report"],
    ),
    (
        "skincare",
        "beauty",
        "护肤",
        "Skincare",
        "GB/T 29665-2013 护肤乳液\nQB/T 1857-2013 润肤膏霜\nGB 5296.3-2008 化妆品通用标签",
        ["cosmetics_filing", "test_report"],
    ),
    (
        "makeup",
        "beauty",
        "彩妆",
        "Make-up",
        "QB/T 1977-2004 唇膏\nGB/T 27575-2011 化妆笔、化妆笔芯\nGB 5296.3-2008 化妆品通用标签",
        ["cosmetics_filing", "test_report"],
    ),
    (
        "fragrance",
        "beauty",
        "香水香氛",
        "Fragrance",
        "QB/T 1858-2004 香水、古龙水\nGB 5296.3-2008 化妆品通用标签",
        ["cosmetics_filing"],
    ),
    (
        "food",
        None,
        "食品",
        "Food",
        "GB 7718-2011 预包装食品标签通则\nGB 28050-2011 预包装食品营养标签通则\nGB 2760-2014 食品添加剂使用标准",
        ["food_licence", "test_report"],
    ),
    (
        "snacks",
        "food",
        "休闲零食",
        "Snacks",
        "GB 7718-2011 预包装食品标签通则\nGB 28050-2011 预包装食品营养标签通则\nGB 17401-2014 膨化食品",
        ["food_licence", "test_report"],
    ),
    (
        "tea-drinks",
        "food",
        "茶饮冲调",
        "Tea and drinks",
        "GB 7718-2011 预包装食品标签通则\nGB 28050-2011 预包装食品营养标签通则\nGB/T 31740.1-2015 茶制品",
        ["food_licence", "test_report"],
    ),
    (
        "fresh",
        "food",
        "生鲜水果",
        "Fresh produce",
        "GB 2762-2022 食品中污染物限量\nGB 2763-2021 食品中农药最大残留限量",
        ["food_licence"],
    ),
    (
        "apparel",
        None,
        "服饰",
        "Apparel",
        "GB 18401-2010 国家纺织产品基本安全技术规范\nGB/T 5296.4-2012 纺织品和服装使用说明",
        ["test_report"],
    ),
    (
        "womenswear",
        "apparel",
        "女装",
        "Womenswear",
        "GB 18401-2010 国家纺织产品基本安全技术规范\nGB/T 5296.4-2012 纺织品和服装使用说明",
        ["test_report"],
    ),
    (
        "menswear",
        "apparel",
        "男装",
        "Menswear",
        "GB 18401-2010 国家纺织产品基本安全技术规范\nGB/T 5296.4-2012 纺织品和服装使用说明",
        ["test_report"],
    ),
    (
        "underwear",
        "apparel",
        "内衣家居服",
        "Underwear and loungewear",
        # One standard per kind of product the category holds: a pyjama set is not judged as a bra.
        "GB 18401-2010 国家纺织产品基本安全技术规范\n"
        "FZ/T 73012-2017 文胸（内衣）\n"
        "FZ/T 73017-2014 针织家居服（睡衣套装）\n"
        "FZ/T 73022-2019 针织保暖内衣\n"
        "FZ/T 73001-2016 袜子",
        ["test_report"],
    ),
    (
        "home",
        None,
        "家居",
        "Home",
        "GB 18580-2017 室内装饰装修材料 人造板及其制品中甲醛释放限量",
        ["test_report"],
    ),
    (
        "kitchen",
        "home",
        "厨房用品",
        "Kitchenware",
        "GB 4806.1-2016 食品接触材料及制品通用安全要求\nGB 4806.9-2016 食品接触用金属材料及制品",
        ["test_report"],
    ),
    (
        "bedding",
        "home",
        "床上用品",
        "Bedding",
        "GB 18401-2010 国家纺织产品基本安全技术规范\nGB/T 22796-2021 床上用品",
        ["test_report"],
    ),
    (
        "cleaning",
        "home",
        "家庭清洁",
        "Household cleaning",
        "GB/T 9985-2000 手洗餐具用洗涤剂\nGB/T 13174-2021 衣料用洗涤剂去污性能的测定",
        ["test_report"],
    ),
    ("personal-care", None, "个护", "Personal care", "GB 5296.3-2008 化妆品通用标签", ["cosmetics_filing"]),
    (
        "haircare",
        "personal-care",
        "洗护发",
        "Hair care",
        "GB/T 29679-2013 洗发液、洗发膏\nGB/T 29678-2013 烫发剂",
        ["cosmetics_filing", "test_report"],
    ),
    (
        "oralcare",
        "personal-care",
        "口腔护理",
        "Oral care",
        "GB/T 8372-2017 牙膏\nGB 19342-2013 手动牙刷",
        ["test_report"],
    ),
    (
        "bodycare",
        "personal-care",
        "身体护理",
        "Body care",
        "GB/T 34857-2017 沐浴剂\nQB/T 1857-2013 润肤膏霜",
        ["cosmetics_filing"],
    ),
]

# leaf category → (product nouns, specs, price range)
PRODUCTS: dict[str, tuple[list[str], list[str], tuple[int, int]]] = {
    "skincare": (
        ["水乳套装", "精华液", "保湿面霜", "眼霜", "面膜", "洁面乳", "防晒霜", "爽肤水"],
        ["30ml", "50ml", "100ml", "120ml", "5片装"],
        (49, 899),
    ),
    "makeup": (
        ["口红", "粉底液", "气垫BB", "眼影盘", "睫毛膏", "眉笔", "散粉", "腮红"],
        ["3.5g", "30ml", "12g", "单支", "套装"],
        (39, 499),
    ),
    "fragrance": (["淡香水", "香水礼盒", "车载香薰", "香氛蜡烛"], ["30ml", "50ml", "100ml"], (69, 1299)),
    "snacks": (
        ["坚果礼盒", "牛肉干", "手撕面包", "海苔脆", "辣条", "芒果干", "每日坚果"],
        ["250g", "500g", "30包", "1kg"],
        (9, 199),
    ),
    "tea-drinks": (
        ["龙井茶", "普洱茶饼", "挂耳咖啡", "燕麦奶", "花果茶", "速溶咖啡"],
        ["100g", "250g", "20袋", "1L×6"],
        (19, 599),
    ),
    "fresh": (
        ["赣南脐橙", "阳光玫瑰葡萄", "海南芒果", "车厘子", "猕猴桃"],
        ["2.5kg", "5kg", "礼盒装"],
        (29, 299),
    ),
    "womenswear": (["连衣裙", "针织开衫", "羊绒大衣", "阔腿裤", "衬衫"], ["S", "M", "L", "XL"], (59, 1599)),
    "menswear": (["羽绒服", "休闲裤", "POLO衫", "夹克", "卫衣"], ["M", "L", "XL", "XXL"], (69, 1299)),
    "underwear": (["无痕内衣", "睡衣套装", "保暖内衣", "袜子礼盒"], ["M", "L", "均码"], (29, 399)),
    "kitchen": (
        ["不粘锅", "保温杯", "刀具套装", "砧板", "电饭煲"],
        ["24cm", "500ml", "5件套", "3L"],
        (39, 899),
    ),
    "bedding": (["四件套", "蚕丝被", "乳胶枕", "夏凉被"], ["1.5m", "1.8m", "标准"], (99, 1599)),
    "cleaning": (["洗衣凝珠", "洗洁精", "消毒液", "厨房湿巾"], ["52颗", "1.5kg", "80抽"], (9, 99)),
    "haircare": (["洗发水", "护发素", "发膜", "头皮精华"], ["400ml", "750ml", "200g"], (29, 299)),
    "oralcare": (["美白牙膏", "电动牙刷", "漱口水", "冲牙器"], ["120g", "单支", "500ml"], (15, 699)),
    "bodycare": (["沐浴露", "身体乳", "护手霜", "磨砂膏"], ["400ml", "250ml", "50g"], (19, 259)),
}
_ROOT_OF = {c[0]: (c[1] or c[0]) for c in CATEGORIES}

_CITIES = ["杭州", "广州", "上海", "深圳", "义乌", "苏州", "成都", "青岛", "厦门", "武汉"]
_WORDS = "锦瑞恒泰华美丰源汇盛佳禾优品臻选悦颜初雪青木森语云朵星河暖阳晨光嘉和润泽新禾安然素心"
_BRAND_WORDS = "沐澜芷若清妍雪颜素语花漾初见森屿南枝拾光檀木悦己青禾小鹿云栖星野桃气橙心"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉萍红玲芬燕彬鹏辉"
_LOG_LINES = [
    "电话沟通双11合作意向，对方同意寄样",
    "到访工厂，查看生产线与质检流程",
    "微信确认直播价与赠品方案",
    "商务谈判：佣金比例从20%谈到25%",
    "对方要求保底销量，暂未达成一致",
    "确认坑位费与独家期限",
    "跟进资质补充：检测报告已在路上",
    "选品会反馈：价格竞争力不足，需再谈",
]
_CHECK_ITEMS = {
    "beauty": [
        "备案信息与包装一致",
        "成分表无禁用成分",
        "生产日期与保质期清晰",
        "包装无破损渗漏",
        "肤感与宣传一致",
    ],
    "food": [
        "食品生产许可证编号（SC）有效",
        "配料表与营养成分表符合 GB 7718 / GB 28050",
        "保质期剩余不少于2/3",
        "口味与宣传一致",
        "包装密封完好",
    ],
    "apparel": [
        "吊牌与水洗标符合 GB/T 5296.4",
        "安全类别标注（A/B/C类）",
        "面料成分与宣传一致",
        "做工与线头",
        "色差与尺码偏差",
    ],
    "home": ["材质与宣传一致", "检测报告覆盖本批次", "功能试用正常", "包装与配件齐全"],
    "personal-care": ["备案信息与包装一致", "净含量符合标注", "使用体验与宣传一致", "包装无渗漏"],
}


def _rng(seed: int) -> random.Random:
    return random.Random(f"sourcing-demo-{seed}")


def _bulk(model, objs: list, **kwargs) -> list:
    return model.objects.bulk_create(objs, batch_size=BATCH, **kwargs)


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    # Prices end in 9 or .9 like real shelf prices.
    base = rng.randint(low, high)
    return Decimal(base - base % 10 + 9 if base > 20 else base) + (
        Decimal("0.90") if rng.random() < 0.2 else 0
    )


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def sourcing_demo_build(
    *, seed: int = 2026, today: dt.date | None = None, market_file: Path | None = MARKET_FILE
) -> dict[str, int]:
    """Build the sourcing and quality demo (once: nothing happens when merchants exist). Needs the demo
    company (org template and staff) to exist already."""
    if Merchant.objects.exists():
        return {"created": 0}
    rng = _rng(seed)
    today = today or timezone.localdate()
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    mr = Department.objects.get(code="MR")
    users = _demo_users(admin)
    recruiters = list(
        Staff.objects.filter(department__code__in=["MR", "MC"], is_active=True).order_by("employee_no")
    )
    qc_staff = list(Staff.objects.filter(department__code="QC", is_active=True).order_by("employee_no"))

    cats = _categories()
    leaves = [c for c in cats.values() if c.code in PRODUCTS]
    merchants, brands = _merchants(rng, today, mr, recruiters, leaves, users)
    creds = _credentials(rng, today, merchants, brands, users, cats)
    products = _products(rng, today, merchants, brands, leaves)
    samples = _pipeline(rng, today, products, users, recruiters + qc_staff)
    meetings = _meetings(rng, today, products, users)
    deals = _deals(rng, today, products, users)
    quality = _quality(rng, today, cats, products, samples, users, qc_staff)
    plans = _plans(rng, today, leaves)
    result = {
        "categories": len(cats),
        "merchants": len(merchants),
        "brands": len(brands),
        "credentials": creds,
        "products": len(products),
        "samples": len(samples),
        "meetings": meetings,
        "deals": deals,
        "plans": plans,
        **quality,
        "market_snapshots": 0,
    }
    if market_file is not None and Path(market_file).is_file():
        from liveops.sourcing.services.market import market_snapshots_import

        run = market_snapshots_import(actor=admin, path=market_file, platform="tmall")
        result["market_snapshots"] = MarketSnapshot.objects.count()
        result["market_run"] = run.pk
    result["created"] = 1
    return result


def _demo_users(admin) -> dict[str, object]:
    """The users the demo rows name: the demo logins, plus a QC inspector login made for this demo."""
    User = get_user_model()
    by_name = {
        u.username: u
        for u in User.objects.filter(username__in=["gm", "mr-staff", "ec-head", "auditor", QC_LOGIN])
    }
    if QC_LOGIN not in by_name:
        inspector = (
            Staff.objects.filter(position__code="qc-inspector", user__isnull=True)
            .order_by("employee_no")
            .first()
        )
        user = User.objects.create_user(QC_LOGIN, f"{QC_LOGIN}@liveops.example", DEMO_PASSWORD)
        if inspector is not None:
            Staff.objects.filter(pk=inspector.pk).update(user=user)
        by_name[QC_LOGIN] = user
    for name in ("gm", "mr-staff", "ec-head"):
        by_name.setdefault(name, admin)
    by_name["admin"] = admin
    return by_name


def _categories() -> dict[str, Category]:
    out: dict[str, Category] = {}
    for code, parent, zh, en, standards, required in CATEGORIES:
        cat, _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "parent": out.get(parent) if parent else None,
                "standards": standards,
                "required_credentials": required,
            },
        )
        out[code] = cat
    return out


def _merchants(rng, today, mr, recruiters, leaves, users):
    """~300 merchants: 90 brand owners (one or two brands each), 150 distributors, 60 factories."""
    kinds = ["brand_owner"] * 90 + ["distributor"] * 150 + ["factory"] * 60
    suffix = {"brand_owner": "品牌管理有限公司", "distributor": "商贸有限公司", "factory": "生产制造有限公司"}
    levels = ["strategic"] * 1 + ["key"] * 3 + ["regular"] * 8 + ["trial"] * 4
    statuses = ["active"] * 10 + ["prospect"] * 4 + ["paused"] + ["ended"]
    objs, seen = [], set()
    for i, kind in enumerate(kinds):
        city = rng.choice(_CITIES)
        while True:
            word = "".join(rng.sample(_WORDS, 2))
            name = f"{city}{word}{suffix[kind]}"
            if name not in seen:
                seen.add(name)
                break
        objs.append(
            Merchant(
                name=name,
                name_pinyin=pinyin_full(name)[:400],
                name_initials=pinyin_initials(name)[:120],
                uscc=f"91{330100 + i:06d}MA{rng.randint(0, 99_999_999):08d}"[:18],
                kind=kind,
                level=rng.choice(levels),
                status=rng.choice(statuses),
                department=mr,
                owner=rng.choice(recruiters) if recruiters else None,
                city=city,
                notes="",
                created_at=_at(today - dt.timedelta(days=rng.randint(30, 900))),
            )
        )
    merchants = _bulk(Merchant, objs)
    # Categories each merchant sells (2 related leaves).
    through = Merchant.categories.through
    links = []
    for m in merchants:
        for c in rng.sample(leaves, 2):
            links.append(through(merchant_id=m.pk, category_id=c.pk))
    _bulk(through, links, ignore_conflicts=True)

    # Brands: one or two per brand owner, one own brand for a third of the factories.
    brand_objs, used = [], set()
    for m in merchants:
        n = (
            (1 + (rng.random() < 0.35))
            if m.kind == "brand_owner"
            else (1 if m.kind == "factory" and rng.random() < 0.33 else 0)
        )
        for _ in range(n):
            while True:
                name = "".join(rng.sample(_BRAND_WORDS, 2)) + rng.choice(["", "", "实验室", "家", "优选"])
                if name not in used:
                    used.add(name)
                    break
            brand_objs.append(
                Brand(
                    name=name,
                    name_en=pinyin_full(name).capitalize(),
                    owner=m,
                    trademark_no=f"{rng.randint(10_000_000, 69_999_999)}",
                )
            )
    brands = _bulk(Brand, brand_objs)

    contacts, logs = [], []
    mr_user = users["mr-staff"]
    for m in merchants:
        for k in range(rng.choice((1, 2, 2, 3))):
            contacts.append(
                MerchantContact(
                    merchant=m,
                    name=_person(rng),
                    title=rng.choice(["商务经理", "渠道总监", "电商负责人", "总经理", "运营经理"]),
                    phone=rng.choice(["138", "139", "186", "177"]) + f"{rng.randint(0, 99_999_999):08d}",
                    email=f"contact{m.pk}-{k}@merchant.example",
                    wechat=f"wx_{m.pk}_{k}",
                    is_primary=k == 0,
                )
            )
        for _ in range(rng.randint(1, 4)):
            logs.append(
                MerchantLog(
                    merchant=m,
                    kind=rng.choice(MerchantLog.Kind.values),
                    at=_at(today - dt.timedelta(days=rng.randint(0, 180)), rng.randint(9, 19)),
                    by=mr_user,
                    summary=rng.choice(_LOG_LINES),
                )
            )
    _bulk(MerchantContact, contacts)
    _bulk(MerchantLog, logs)
    return merchants, brands


def _credentials(rng, today, merchants, brands, users, cats) -> int:
    """Business licence for everyone, category credentials, brand registrations and the brand
    authorisation chains (brand owner → distributor → second-tier distributor). About 6 % expire in
    the next 30 days, 5 % have expired, 8 % wait for verification, a few were rejected."""
    verifier = users[QC_LOGIN]
    objs: list[Credential] = []
    counter = [0]

    def cred(merchant, kind, *, brand=None, grantor=None):
        counter[0] += 1
        issued = today - dt.timedelta(days=rng.randint(60, 1400))
        r = rng.random()
        if r < 0.06:
            expires = today + dt.timedelta(days=rng.randint(1, 30))
        elif r < 0.11:
            expires = today - dt.timedelta(days=rng.randint(1, 120))
        else:
            expires = today + dt.timedelta(days=rng.randint(31, 1100))
        v = rng.random()
        verification = "pending" if v < 0.08 else ("rejected" if v < 0.10 else "verified")
        issued = min(issued, expires)
        objs.append(
            Credential(
                merchant=merchant,
                kind=kind,
                number=f"{kind[:2].upper()}{today.year}{counter[0]:06d}",
                brand=brand,
                grantor=grantor,
                issued_on=issued,
                expires_on=expires,
                verification=verification,
                verified_by=verifier if verification != "pending" else None,
                verified_at=_at(issued + dt.timedelta(days=3)) if verification != "pending" else None,
            )
        )

    by_owner: dict[int, list[Brand]] = {}
    for b in brands:
        by_owner.setdefault(b.owner_id, []).append(b)
    cat_codes = {c.pk: c for c in cats.values()}
    through = Merchant.categories.through
    merchant_cats: dict[int, set[str]] = {}
    for mid, cid in through.objects.values_list("merchant_id", "category_id"):
        merchant_cats.setdefault(mid, set()).update(cat_codes[cid].required_credentials)
    owners = [m for m in merchants if m.kind == "brand_owner"]
    distributors = [m for m in merchants if m.kind == "distributor"]
    first_tier: list[tuple[Merchant, Brand]] = []
    for m in merchants:
        cred(m, "business_licence")
        for kind in sorted(merchant_cats.get(m.pk, ())):
            cred(m, kind)
        for b in by_owner.get(m.pk, ()):
            cred(m, "brand_registration", brand=b)
    for i, d in enumerate(distributors):
        owner = owners[i % len(owners)]
        owned = by_owner.get(owner.pk) or [None]
        brand = owned[0]
        if brand is None:
            continue
        if i % 3 == 2 and first_tier:
            # Second tier: authorised by a first-tier distributor of the same brand.
            grantor, brand = first_tier[i % len(first_tier)]
            cred(d, "brand_authorisation", brand=brand, grantor=grantor)
        else:
            cred(d, "brand_authorisation", brand=brand, grantor=owner)
            first_tier.append((d, brand))
    _bulk(Credential, objs)
    return len(objs)


def _products(rng, today, merchants, brands, leaves) -> list[Product]:
    """~3,000 products (10 per merchant on average) with 1-3 SKUs and a price history each."""
    by_owner: dict[int, list[Brand]] = {}
    for b in brands:
        by_owner.setdefault(b.owner_id, []).append(b)
    # Distributors sell the brand they are authorised for.
    auth = dict(Credential.objects.filter(kind="brand_authorisation").values_list("merchant_id", "brand_id"))
    brand_by_id = {b.pk: b for b in brands}
    merchant_leaves: dict[int, list] = {}
    leaf_by_id = {c.pk: c for c in leaves}
    for mid, cid in Merchant.categories.through.objects.values_list("merchant_id", "category_id"):
        if cid in leaf_by_id:
            merchant_leaves.setdefault(mid, []).append(leaf_by_id[cid])
    pinyin_cache: dict[str, tuple[str, str]] = {}
    objs: list[Product] = []
    for m in merchants:
        own = by_owner.get(m.pk, [])
        brand_pool = own or ([brand_by_id[auth[m.pk]]] if m.pk in auth else [None])
        for _ in range(rng.randint(6, 14)):
            cat = rng.choice(merchant_leaves.get(m.pk) or leaves)
            nouns, specs, (low, high) = PRODUCTS[cat.code]
            brand = rng.choice(brand_pool)
            noun, spec = rng.choice(nouns), rng.choice(specs)
            title = f"{brand.name if brand else m.name[2:4]}{noun} {spec}"
            if title not in pinyin_cache:
                pinyin_cache[title] = (pinyin_full(title)[:200], pinyin_initials(title)[:100])
            full, initials = pinyin_cache[title]
            price = _money(rng, low, high)
            created = today - dt.timedelta(days=rng.randint(5, 360))
            objs.append(
                Product(
                    merchant=m,
                    brand=brand,
                    category=cat,
                    title=title,
                    title_pinyin=full,
                    title_initials=initials,
                    merchant_code=f"MC{m.pk:04d}-{len(objs) + 1:05d}",
                    selling_points=rng.choice(
                        ["双11爆款同款", "直播间专享赠品", "新品首发", "明星同款", "工厂直供"]
                    ),
                    target_audience=rng.choice(["18-25岁学生党", "25-35岁白领", "宝妈", "男士", "银发族"]),
                    regular_price=price,
                    competitor_price=(
                        price * Decimal(rng.choice(["0.9", "0.95", "1.0", "1.05", "1.1"]))
                    ).quantize(Decimal("0.01")),
                    stage=PipelineStage.CANDIDATE,
                    stage_entered_at=_at(created),
                    department_id=m.department_id,
                    created_at=_at(created),
                )
            )
    products = _bulk(Product, objs)
    skus, prices = [], []
    barcode = 0
    for p in products:
        specs = PRODUCTS[p.category.code][1]
        for k, spec in enumerate(rng.sample(specs, min(len(specs), rng.randint(1, 3)))):
            barcode += 1
            skus.append(
                Sku(
                    product=p,
                    sku_code=f"{p.merchant_code}-{k + 1}",
                    barcode=f"69{barcode:011d}",
                    spec=spec,
                    price=(p.regular_price * Decimal(1 + 0.15 * k)).quantize(Decimal("0.01")),
                )
            )
        start = p.created_at.date()
        for weeks in range(0, min(12, max(1, (today - start).days // 7)), rng.choice((2, 3, 4))):
            day = start + dt.timedelta(weeks=weeks)
            prices.append(
                PriceRecord(
                    product=p, kind="regular", price=p.regular_price, recorded_on=day, source="商家报价"
                )
            )
            prices.append(
                PriceRecord(
                    product=p,
                    kind="competitor",
                    price=(p.competitor_price * Decimal(rng.choice(["0.92", "0.97", "1", "1.03"]))).quantize(
                        Decimal("0.01")
                    ),
                    recorded_on=day,
                    source=rng.choice(["天猫旗舰店", "抖音其他直播间", "京东自营"]),
                )
            )
    _bulk(Sku, skus)
    _bulk(PriceRecord, prices)
    product_tokens_rebuild([p.pk for p in products])
    return products


# Stage distribution of the pipeline (share of products), in pipeline order.
_STAGE_SHARES = [
    (PipelineStage.CANDIDATE, 0.40),
    (PipelineStage.SAMPLE_REQUESTED, 0.12),
    (PipelineStage.SAMPLE_RECEIVED, 0.10),
    (PipelineStage.QC, 0.08),
    (PipelineStage.MEETING, 0.06),
    (PipelineStage.APPROVED, 0.16),
    (PipelineStage.REJECTED, 0.08),
]
_ORDER = [
    PipelineStage.CANDIDATE,
    PipelineStage.SAMPLE_REQUESTED,
    PipelineStage.SAMPLE_RECEIVED,
    PipelineStage.QC,
    PipelineStage.MEETING,
    PipelineStage.APPROVED,
]
_REJECT_REASONS = [
    "选品会否决：价格无竞争力",
    "品控不合格：成分与备案不符",
    "资质不全：品牌授权链断裂",
    "样品质量差，做工粗糙",
    "商家不接受直播价",
]


def _pipeline(rng, today, products, users, holders) -> list[Sample]:
    """Move products along the pipeline with their events, and give the ones past "sample requested"
    a sample in a status that fits (with overdue returns and lost samples)."""
    stages: list[str] = []
    for stage, share in _STAGE_SHARES:
        stages += [stage] * round(share * len(products))
    stages = (stages + [PipelineStage.CANDIDATE] * len(products))[: len(products)]
    rng.shuffle(stages)
    events, samples = [], []
    mr_user = users["mr-staff"]
    for p, stage in zip(products, stages, strict=True):
        path = (
            _ORDER[: _ORDER.index(stage) + 1]
            if stage != PipelineStage.REJECTED
            else _ORDER[: rng.randint(1, 5)] + [PipelineStage.REJECTED]
        )
        gaps = [rng.randint(1, 12) for _ in path[1:]]
        if stage not in (PipelineStage.APPROVED, PipelineStage.REJECTED):
            # Work in progress entered its stage lately: nobody leaves a candidate waiting a year.
            recent = today - dt.timedelta(days=sum(gaps) + rng.randint(1, 25))
            if recent > p.created_at.date():
                p.created_at = _at(recent)
        day = p.created_at.date()
        prev = ""
        for step, gap in zip(path, [0, *gaps], strict=True):
            if prev:
                day = min(today, day + dt.timedelta(days=gap))
            events.append(
                PipelineEvent(
                    product=p,
                    from_stage=prev,
                    to_stage=step,
                    at=_at(day, rng.randint(9, 18)),
                    by=mr_user,
                    note="" if step != PipelineStage.REJECTED else "见拒绝原因",
                )
            )
            prev = step
        p.stage = stage
        p.stage_entered_at = _at(day)
        if stage == PipelineStage.REJECTED:
            p.reject_reason = rng.choice(_REJECT_REASONS)
        if stage in (PipelineStage.MEETING, PipelineStage.APPROVED, PipelineStage.REJECTED):
            p.score = Decimal(rng.randint(250, 480)) / 100
        if PipelineStage.SAMPLE_RECEIVED in path:
            samples.append(_sample(rng, today, p, stage, day, holders))
    Product.objects.bulk_update(
        products, ["stage", "stage_entered_at", "reject_reason", "score", "created_at"], batch_size=BATCH
    )
    _bulk(PipelineEvent, events)
    return _bulk(Sample, samples)


def _sample(rng, today, p: Product, stage: str, day: dt.date, holders) -> Sample:
    received = p.created_at.date() + dt.timedelta(days=rng.randint(2, 10))
    received = min(received, today)
    must_return = rng.random() < 0.35
    if stage == PipelineStage.SAMPLE_RECEIVED:
        status = "received"
    elif stage == PipelineStage.QC:
        status = "in_qc"
    else:
        status = rng.choices(
            ["in_live_room", "returned", "consumed", "lost", "received"], weights=[4, 3, 3, 1, 1]
        )[0]
    if status == "returned":
        must_return = True
    if status == "lost":
        must_return = rng.random() < 0.6
    # Some samples that must go back are overdue (due date passed, not returned).
    due = None
    if must_return:
        due = received + dt.timedelta(days=rng.choice((7, 14, 30)))
        if status != "returned" and rng.random() < 0.5:
            due = min(due, today - dt.timedelta(days=rng.randint(1, 20)))
    holder = rng.choice(holders) if holders and status in ("received", "in_qc", "in_live_room") else None
    return Sample(
        merchant_id=p.merchant_id,
        product=p,
        quantity=rng.choice((1, 2, 3, 5)),
        unit_cost=(p.regular_price or Decimal("50")) * Decimal("0.4"),
        must_return=must_return,
        return_due=due,
        holder=holder,
        location={
            "received": "样品间A架",
            "in_qc": "品控实验室",
            "in_live_room": f"{rng.randint(1, 6)}号直播间",
        }.get(status, ""),
        status=status,
        return_tracking_no=f"SF{rng.randint(10**11, 10**12 - 1)}" if status == "returned" else "",
        received_on=received,
        department_id=p.department_id,
    )


def _meetings(rng, today, products, users) -> int:
    """A past selection meeting (its products decided) and one this week (products waiting)."""
    reviewers = [users[n] for n in ("gm", "mr-staff", "ec-head", QC_LOGIN)]
    reviewers = list({u.pk: u for u in reviewers if u is not None}.values())
    past = SelectionMeeting.objects.create(
        title=f"{today.year}年第{max(1, today.month - 1)}期选品会",
        held_at=_at(today - dt.timedelta(days=21), 14),
        chair=users["gm"],
    )
    upcoming = SelectionMeeting.objects.create(
        title=f"{today.year}年第{today.month}期选品会",
        held_at=_at(today - dt.timedelta(days=1), 14),
        chair=users["gm"],
    )
    decided = [
        p
        for p in products
        if p.stage in (PipelineStage.APPROVED, PipelineStage.REJECTED) and p.score is not None
    ][:40]
    waiting = [p for p in products if p.stage == PipelineStage.MEETING][:30]
    reviews = []
    for meeting, group in ((past, decided), (upcoming, waiting)):
        for p in group:
            for r in reviewers:
                positive = p.stage != PipelineStage.REJECTED and rng.random() < 0.8
                reviews.append(
                    SelectionReview(
                        meeting=meeting,
                        product=p,
                        reviewer=r,
                        score_quality=rng.randint(3, 5) if positive else rng.randint(1, 3),
                        score_price=rng.randint(3, 5) if positive else rng.randint(1, 3),
                        score_demand=rng.randint(2, 5),
                        vote="approve" if positive else "reject",
                        comment=rng.choice(
                            ["", "", "价格有优势", "需补充检测报告", "适合晚场", "赠品力度不够"]
                        ),
                    )
                )
    _bulk(SelectionReview, reviews)
    return 2


def _deals(rng, today, products, users) -> int:
    """Approved products get an approved deal (some after a superseded first version) and a contract;
    products at the meeting have drafts and pending deals; some rejected products a rejected deal."""
    approver = users["gm"]
    deals: list[Deal] = []
    for p in products:
        if p.stage not in (PipelineStage.APPROVED, PipelineStage.MEETING, PipelineStage.REJECTED):
            continue
        regular = p.regular_price or Decimal("99")
        start = today - dt.timedelta(days=rng.randint(0, 60))

        def deal(version, status, live_factor, p=p, regular=regular, start=start):
            return Deal(
                product=p,
                merchant_id=p.merchant_id,
                version=version,
                live_price=(regular * Decimal(live_factor)).quantize(Decimal("0.01")),
                regular_price=regular,
                commission_rate=Decimal(rng.choice(["0.1500", "0.2000", "0.2500", "0.3000"])),
                slot_fee=Decimal(rng.choice([0, 0, 2000, 5000, 20000])),
                guaranteed_stock=rng.choice([0, 500, 1000, 3000]),
                exclusive=rng.random() < 0.15,
                valid_from=start,
                valid_to=start + dt.timedelta(days=rng.choice((30, 60, 90))),
                gifts=rng.choice(["", "赠小样3件", "满199减30", "买一送一"]),
                status=status,
                approved_by=approver if status in ("approved", "superseded") else None,
                approved_at=_at(start) if status in ("approved", "superseded") else None,
                created_at=_at(start - dt.timedelta(days=3)),
            )

        if p.stage == PipelineStage.APPROVED:
            if rng.random() < 0.25:
                deals.append(deal(1, "superseded", "0.85"))
                deals.append(deal(2, "approved", "0.8"))
            else:
                deals.append(deal(1, "approved", rng.choice(["0.7", "0.8", "0.85"])))
        elif p.stage == PipelineStage.MEETING:
            deals.append(deal(1, rng.choice(["draft", "pending", "pending"]), "0.8"))
        elif rng.random() < 0.3:
            deals.append(deal(1, "rejected", "0.95"))
    deals = _bulk(Deal, deals)
    contracts = []
    for i, d in enumerate(x for x in deals if x.status == "approved"):
        status = ["signed", "signed", "signed", "sent", "draft"][i % 5]
        contracts.append(
            Contract(
                deal=d,
                number=f"HT{today.year}{i + 1:05d}",
                status=status,
                signed_on=d.valid_from if status == "signed" else None,
            )
        )
    _bulk(Contract, contracts)
    return len(deals)


def _quality(rng, today, cats, products, samples, users, qc_staff) -> dict[str, int]:
    """A checklist per leaf category (skincare and snacks on their second version), inspections of
    the samples past QC (about one in six fails, with defects and CAPA), a few inbound-batch
    inspections, blocks (one lifted), and last month's scorecards."""
    inspector = users[QC_LOGIN]
    checklists: dict[int, Checklist] = {}
    items: dict[int, list[ChecklistItem]] = {}
    created_at = _at(today - dt.timedelta(days=200))
    for code, cat in cats.items():
        if code not in PRODUCTS:
            continue
        texts = _CHECK_ITEMS[_ROOT_OF[code]]
        if code in ("skincare", "snacks"):
            Checklist.objects.create(
                category=cat,
                version=1,
                title=f"{cat.name_zh}检验清单",
                is_active=False,
                created_at=created_at,
            )
        version = 2 if code in ("skincare", "snacks") else 1
        cl = Checklist.objects.create(
            category=cat,
            version=version,
            title=f"{cat.name_zh}检验清单",
            is_active=True,
            created_at=created_at,
        )
        checklists[cat.pk] = cl
        items[cl.pk] = _bulk(
            ChecklistItem,
            [ChecklistItem(checklist=cl, order=i, text=t, is_critical=i < 3) for i, t in enumerate(texts)],
        )

    by_product = {p.pk: p for p in products}
    inspections, results, defects = [], [], []
    inspected = [
        s
        for s in samples
        if by_product[s.product_id].stage
        in (PipelineStage.QC, PipelineStage.MEETING, PipelineStage.APPROVED, PipelineStage.REJECTED)
    ]
    outcomes = []
    for s in inspected:
        p = by_product[s.product_id]
        cl = checklists[p.category_id]
        if p.stage == PipelineStage.QC:
            result = "pending" if rng.random() < 0.6 else "failed"
        elif p.stage == PipelineStage.REJECTED and rng.random() < 0.5:
            result = "failed"
        else:
            result = "failed" if rng.random() < 0.06 else "passed"
        at = _at(min(today, s.received_on + dt.timedelta(days=rng.randint(1, 7))), rng.randint(9, 17))
        inspections.append(
            Inspection(
                kind="sample",
                product=p,
                sample=s,
                checklist=cl,
                inspector=inspector,
                inspected_at=at,
                result=result,
            )
        )
        outcomes.append(result)
    for p in [p for p in products if p.stage == PipelineStage.APPROVED][:60]:
        at = _at(today - dt.timedelta(days=rng.randint(0, 30)), 11)
        result = "failed" if rng.random() < 0.1 else "passed"
        inspections.append(
            Inspection(
                kind="inbound",
                product=p,
                batch_no=f"B{today:%y%m}{p.pk:05d}",
                checklist=checklists[p.category_id],
                inspector=inspector,
                inspected_at=at,
                result=result,
            )
        )
    inspections = _bulk(Inspection, inspections)
    for ins in inspections:
        cl_items = items[ins.checklist_id]
        failed_item = rng.randrange(len(cl_items)) if ins.result == "failed" else -1
        if ins.result == "failed" and not cl_items[failed_item].is_critical:
            failed_item = 0  # a failed inspection failed a critical check
        for i, item in enumerate(cl_items):
            if ins.result == "pending" and i >= 2:
                break
            passed = i != failed_item
            results.append(
                InspectionItemResult(
                    inspection=ins, item=item, passed=passed, note="" if passed else "不符合：" + item.text
                )
            )
        if ins.result == "failed":
            p = by_product[ins.product_id]
            defects.append(
                Defect(
                    product=p,
                    merchant_id=p.merchant_id,
                    inspection=ins,
                    severity=rng.choice(["critical", "major", "major", "minor"]),
                    description=f"{cl_items[failed_item].text}：检验不通过",
                    status="open",
                    found_on=ins.inspected_at.date(),
                )
            )
    _bulk(InspectionItemResult, results)
    defects = _bulk(Defect, defects)
    actions = []
    for i, d in enumerate(defects):
        state = ["open", "in_capa", "in_capa", "closed"][i % 4]
        d.status = state
        if state == "closed":
            d.closed_on = min(today, d.found_on + dt.timedelta(days=rng.randint(3, 20)))
        if state in ("in_capa", "closed"):
            owner = rng.choice(qc_staff) if qc_staff else None
            actions.append(
                CorrectiveAction(
                    defect=d,
                    kind="corrective",
                    action="商家整改并提供复检报告",
                    owner=owner,
                    due_on=d.found_on + dt.timedelta(days=14),
                    status="verified" if state == "closed" else rng.choice(["open", "done"]),
                    follow_up="复检合格" if state == "closed" else "",
                )
            )
            actions.append(
                CorrectiveAction(
                    defect=d,
                    kind="preventive",
                    action="更新检验清单并加严来料抽检",
                    owner=owner,
                    due_on=d.found_on + dt.timedelta(days=30),
                    status="done" if state == "closed" else "open",
                )
            )
    Defect.objects.bulk_update(defects, ["status", "closed_on"], batch_size=BATCH)
    _bulk(CorrectiveAction, actions)

    # Blocks: merchants with critical defects, one lifted after CAPA; two products.
    blocker, lifter = inspector, users["gm"]
    critical_merchants = list(dict.fromkeys(d.merchant_id for d in defects if d.severity == "critical"))[:4]
    blocks = []
    for i, mid in enumerate(critical_merchants):
        lifted = i == 0
        blocked_at = _at(today - dt.timedelta(days=40 - i))
        blocks.append(
            Block(
                merchant_id=mid,
                reason="严重质量缺陷，暂停合作",
                blocked_by=blocker,
                blocked_at=blocked_at,
                lifted_at=_at(today - dt.timedelta(days=5)) if lifted else None,
                lifted_by=lifter if lifted else None,
                lift_reason="整改完成，复检合格，经理批准解除" if lifted else "",
            )
        )
    failed_products = list(
        dict.fromkeys(d.product_id for d in defects if d.merchant_id not in critical_merchants)
    )[:2]
    for pid in failed_products:
        blocks.append(
            Block(
                product_id=pid,
                reason="成分与备案不符",
                blocked_by=blocker,
                blocked_at=_at(today - dt.timedelta(days=10)),
            )
        )
    _bulk(Block, blocks)

    period = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    defect_merchants = {d.merchant_id for d in defects}
    scorecards = []
    for mid in sorted({p.merchant_id for p in products if p.stage == PipelineStage.APPROVED})[:120]:
        quality = Decimal(rng.randint(55, 80) if mid in defect_merchants else rng.randint(78, 99))
        compliance = Decimal(rng.randint(70, 100))
        after_sales = Decimal(rng.randint(70, 99))
        delivery = Decimal(rng.randint(75, 100))
        total = (
            quality * Decimal("0.4")
            + compliance * Decimal("0.3")
            + after_sales * Decimal("0.2")
            + delivery * Decimal("0.1")
        ).quantize(Decimal("0.01"))
        scorecards.append(
            Scorecard(
                merchant_id=mid,
                period=period,
                quality=quality,
                compliance=compliance,
                after_sales=after_sales,
                delivery=delivery,
                total=total,
                flagged=total < 75,
                details={"weights": {"quality": 0.4, "compliance": 0.3, "after_sales": 0.2, "delivery": 0.1}},
            )
        )
    _bulk(Scorecard, scorecards)
    return {
        "checklists": Checklist.objects.count(),
        "inspections": len(inspections),
        "defects": len(defects),
        "corrective_actions": len(actions),
        "blocks": len(blocks),
        "scorecards": len(scorecards),
    }


def _plans(rng, today, leaves) -> int:
    """Category plans of the current quarter: target products and brands, a price band for some."""
    season = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    plans = []
    for cat in leaves:
        low, high = PRODUCTS[cat.code][2]
        banded = rng.random() < 0.5
        plans.append(
            CategoryPlan(
                category=cat,
                season=season,
                target_products=rng.randint(20, 120),
                target_brands=rng.randint(5, 30),
                price_min=Decimal(low) if banded else None,
                price_max=Decimal(high // 2) if banded else None,
            )
        )
    _bulk(CategoryPlan, plans)
    return len(plans)
