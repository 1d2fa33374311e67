"""Import kinds "merchants", "products" and "credentials": UTF-8 and GBK files, counts that add up,
idempotent re-imports, rejects with line numbers, scope."""

from __future__ import annotations

import csv

import pytest

from liveops.core.imports.registry import import_kind_get
from liveops.core.imports.services import import_start
from liveops.core.models import ImportStatus
from liveops.sourcing.models import Brand, Credential, Merchant, Product, Sku
from tests.factories import make_brand, make_category
from tests.sourcing import test_library_support as support
from tests.sourcing.test_library_support import uscc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imp_data")]
people, world = support.people, support.world  # shared fixtures

U1, U2, U3 = uscc("91330100MA2XX0001"), uscc("91330100MA2XX0002"), uscc("91440300MA5YY0003")


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(actor, kind, path):
    r = import_start(actor=actor, kind=kind, file=path, file_name=path.rsplit("/", 1)[-1], run_now=True)
    assert r.status == ImportStatus.SUCCEEDED, r.error
    assert r.rows_read == r.rows_inserted + r.rows_updated + r.rows_unchanged + r.rows_rejected
    return r


def rejects(r) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not r.rejects_path:
        return out
    with open(r.rejects_path, encoding="utf-8-sig", newline="") as f:
        for row in list(csv.reader(f))[1:]:
            out.setdefault(int(row[0]), []).append(f"{row[1]}: {row[3]}")
    return out


def test_kinds_registered():
    assert {import_kind_get(k).code for k in ("merchants", "products", "credentials")} == {
        "merchants",
        "products",
        "credentials",
    }


MERCHANTS = (
    "商家名称,统一社会信用代码,类型,合作等级,城市,类目\n"
    f"杭州美妆有限公司,{U1},品牌方,重点,杭州,skincare\n"
    f"深圳工厂（集团）有限公司,{U2},工厂,试用,深圳,护肤\n"
    "宁波经销商行,,经销商,普通,宁波,\n"
)


def test_merchants_import_utf8_then_gbk_idempotent(people, world, tmp_path):
    r = run(people.mr, "merchants", write(tmp_path, "m.csv", MERCHANTS))
    assert (r.rows_read, r.rows_inserted, r.rows_rejected) == (3, 3, 0)
    m = Merchant.objects.get(uscc=U1)
    assert m.department.code == "MR" and m.level == "key" and m.name_initials.startswith("hzmz")
    assert [c.code for c in m.categories.all()] == ["skincare"]
    again = run(people.mr, "merchants", write(tmp_path, "m-gbk.csv", MERCHANTS, "gbk"))
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 3)
    changed = MERCHANTS.replace("杭州,skincare", "上海,skincare")
    third = run(people.mr, "merchants", write(tmp_path, "m3.csv", changed))
    assert (third.rows_inserted, third.rows_updated, third.rows_unchanged) == (0, 1, 2)
    assert Merchant.objects.get(uscc=U1).city == "上海"


def test_merchants_import_rejects_with_lines(people, world, tmp_path):
    text = (
        "商家名称,统一社会信用代码,类型,合作等级,类目,部门\n"
        f"坏代码公司,{U1[:-1]}{'0' if U1[-1] != '0' else '1'},品牌方,,,\n"  # line 2: wrong check character
        "无类型公司,,,,,\n"  # line 3: a new merchant needs its kind
        "怪类型公司,,外星人,,,\n"  # line 4
        "未知类目公司,,工厂,,不存在类目,\n"  # line 5
        "电商部的公司,,工厂,,,EC\n"  # line 6: out of scope
        "好公司,,工厂,,,\n"  # line 7: fine
        "好公司（有限公司）,,工厂,,,\n"  # line 8: same merchant as line 7
        f"自然堂化妆品有限公司,{U3},工厂,,,\n"  # line 9: on file with another credit code
    )
    r = run(people.mr, "merchants", write(tmp_path, "bad.csv", text))
    assert (r.rows_read, r.rows_inserted, r.rows_rejected) == (8, 1, 7)
    got = rejects(r)
    assert sorted(got) == [2, 3, 4, 5, 6, 8, 9]
    assert "check character" in got[2][0] and "kind" in got[3][0] and "Unknown category" in got[5][0]
    assert "may not change merchants of this department" in " ".join(got[6])


def test_products_import(people, world, tmp_path):
    brand = make_brand(world.mr_merchant, "自然堂")
    make_category("food", name_zh="食品", required=[])
    mu = world.mr_merchant.uscc
    text = (
        "商家,商品标题,类目编码,品牌,SKU 商家编码,条码,规格,价格\n"
        f"{mu},自然堂雪域面霜,skincare,自然堂,ZRT-1,6901234567892,50g,¥199.00\n"
        f"{mu},自然堂 雪域面霜,,自然堂,ZRT-2,6901234567809,100g,299\n"  # same product, 2nd SKU
        f"自然堂化妆品有限公司,自然堂爽肤水,skincare,,ZRT-3,,200ml,89.9\n"  # merchant by name, no barcode
        f"{mu},无类目新品,,,ZRT-4,,,\n"  # line 5: new product without category
        f"{mu},未知品牌,skincare,不存在,ZRT-5,,,\n"  # line 6
        f"{mu},坏条码,skincare,,ZRT-6,69ABC,,\n"  # line 7
        f"{world.ec_merchant.uscc},越权商品,skincare,,EC-1,,,\n"  # line 8: out of scope
        f"{mu},坏价格,skincare,,ZRT-9,,,12.345\n"  # line 9
        f"{mu},无编码,skincare,,,,,\n"  # line 10
    )
    r = run(people.mr, "products", write(tmp_path, "p.csv", text))
    assert (r.rows_read, r.rows_inserted, r.rows_rejected) == (9, 3, 6)
    assert sorted(rejects(r)) == [5, 6, 7, 8, 9, 10]
    cream = Product.objects.get(title="自然堂雪域面霜")
    assert cream.brand == brand and cream.skus.count() == 2 and cream.title_initials == "zrtxyms"
    assert Sku.objects.get(barcode="6901234567892").price == 199
    again = run(people.mr, "products", write(tmp_path, "p2.csv", text, "gb18030"))
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged, again.rows_rejected) == (
        0,
        0,
        3,
        6,
    )
    # A barcode of another merchant's product is refused.
    other = f"商家,商品标题,类目编码,条码\n{Merchant.objects.get(pk=world.ec_merchant.pk).uscc},抄袭,skincare,6901234567892\n"
    r = run(people.admin, "products", write(tmp_path, "p3.csv", other))
    assert "another merchant" in rejects(r)[2][0]


def test_credentials_import(people, world, tmp_path):
    mu, eu = world.mr_merchant.uscc, world.ec_merchant.uscc
    text = (
        "商家USCC,类型,证照编号,发证日期,到期日期,品牌,授权方USCC\n"
        f"{eu},商标注册证,TM-1,2024-01-01,2034-01-01,兰蔻测试,\n"  # creates the brand, owned by the EC merchant
        f"{mu},营业执照,BL-1,2020/01/01,长期,,\n"
        f"{mu},品牌授权书,AU-1,2025-01-01,2026-12-31,兰蔻测试,{eu}\n"
        f"{mu},品牌授权书,AU-2,2025-01-01,2026-12-31,兰蔻测试,\n"  # line 5: no grantor
        f"{mu},检测报告,TR-1,2025-02-01,2025-01-01,,\n"  # line 6: expires before issued
        f"{mu},火星证,X-1,,,,\n"  # line 7: unknown kind
        f"{mu},营业执照,BL-2,2020-13-45,,,\n"  # line 8: bad date
    )
    r = run(people.admin, "credentials", write(tmp_path, "c.csv", text))
    assert (r.rows_read, r.rows_inserted, r.rows_rejected) == (7, 3, 4)
    assert sorted(rejects(r)) == [5, 6, 7, 8]
    brand = Brand.objects.get(name="兰蔻测试")
    assert brand.owner == world.ec_merchant
    link = Credential.objects.get(number="AU-1")
    assert link.grantor == world.ec_merchant and link.verification == "pending"
    assert Credential.objects.get(number="BL-1").expires_on is None
    again = run(people.admin, "credentials", write(tmp_path, "c2.csv", text, "gbk"))
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 3)
    Credential.objects.filter(number="AU-1").update(verification="verified", verified_by=people.qc)
    changed = text.replace("AU-1,2025-01-01,2026-12-31", "AU-1,2025-01-01,2027-12-31")
    third = run(people.admin, "credentials", write(tmp_path, "c3.csv", changed))
    assert third.rows_updated == 1
    link.refresh_from_db()
    assert link.verification == "pending" and link.verified_by is None


def test_import_needs_capability(people, tmp_path):
    from liveops.core.errors import NotAllowed

    for who in (people.qc, people.ec, people.auditor):
        with pytest.raises(NotAllowed):
            import_start(
                actor=who,
                kind="merchants",
                file=write(tmp_path, "m.csv", MERCHANTS),
                file_name="m.csv",
                run_now=True,
            )
