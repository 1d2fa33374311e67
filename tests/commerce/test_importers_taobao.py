"""Taobao/Tmall order imports: the classic 订单报表 (GBK, its quirks), the real Tmall file as it is,
the 千牛 XLSX, the line-item XLSX, refunds, statuses, bad rows and files refused before writing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from django.db.models import F
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from liveops.commerce.models import DailyShopRollup, Order, OrderLine
from liveops.core.imports.services import import_start
from liveops.core.models import AuditEntry
from tests.commerce.factories import SHANGHAI, make_shop

pytestmark = pytest.mark.django_db

REAL_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tmall_order_report.csv"

# The classic ExportOrderList header, exactly as the back office writes it (some end with a space).
CLASSIC_HEADERS = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ",
    "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "分阶段订单信息", "特权订金订单id", "定金排名", "修改后的sku", "修改后的收货地址", "异常信息", "天猫卡券抵扣",
    "集分宝抵扣", "是否是O2O交易",
]  # fmt: skip


def classic_row(no: str, **values) -> dict:
    row = dict.fromkeys(CLASSIC_HEADERS, "")
    row.update(
        {
            "订单编号": f'="{no}"',
            "买家会员名": "tb_buyer",
            "买家应付货款": "99.00元",
            "买家应付邮费": "0.00元",
            "总金额": "99.00元",
            "买家实际支付金额": "99.00元",
            "订单状态": "交易成功",
            "收货人姓名": "王小明",
            "收货地址 ": "浙江省 杭州市 西湖区 文三路 100号(310000)",
            "联系手机": "'13800138000",
            "订单创建时间": "2016/5/23 22:02",
            "订单付款时间 ": "2016/5/23 22:05",
            "宝贝标题 ": "玻尿酸补水面膜",
            "宝贝总数量": "2",
        }
    )
    row.update(values)
    return row


def write_classic(path: Path, rows: list[dict], encoding: str = "gbk") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CLASSIC_HEADERS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def run_import(path: Path, shop, kind: str = "taobao-orders", actor=None):
    return import_start(
        actor=actor, kind=kind, file=path, file_name=path.name, options={"shop": shop.name}, run_now=True
    )


def rejects_of(run) -> list[dict]:
    if not run.rejects_path:
        return []
    with open(run.rejects_path, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def taobao_shop(org):
    return make_shop(platform="taobao", name="天猫旗舰店")


# The classic 订单报表 ----------------------------------------------------------------------------


def test_classic_export_with_every_quirk(taobao_shop, imp_data):
    rows = [
        classic_row("1000000000000000001"),
        classic_row(
            "1000000000000000002",
            订单状态="买家已付款，等待卖家发货",
            **{"订单付款时间 ": "2016/5/24 9:01", "收货地址 ": "上海 上海市 浦东新区 世纪大道 1号"},
        ),
        classic_row(
            "1000000000000000003",
            订单状态="等待买家付款",
            买家实际支付金额="0.00元",
            **{"订单付款时间 ": ""},
        ),
        classic_row(
            "1000000000000000004",
            订单状态="卖家已发货，等待买家确认",
            买家应付邮费="8.00元",
            总金额="107.00元",
            买家实际支付金额="107.00元",
        ),  # fmt: skip
        classic_row(
            "1000000000000000005", 订单状态="交易关闭", 买家实际支付金额="0.00元", **{"订单付款时间 ": ""}
        ),
    ]
    path = write_classic(imp_data / "ExportOrderList201605.csv", rows)
    run = run_import(path, taobao_shop)
    assert run.status == "succeeded", run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (5, 5, 0)
    lines = {ln.sub_order_no: ln for ln in OrderLine.objects.filter(shop=taobao_shop)}
    first = lines["1000000000000000001"]
    assert first.order.order_no == first.sub_order_no  # one line per order, ="…" unwrapped
    assert (first.status, first.amount_due_fen, first.amount_paid_fen, first.quantity) == (
        "completed",
        9900,
        9900,
        2,
    )
    assert first.paid_at == dt.datetime(2016, 5, 23, 22, 5, tzinfo=SHANGHAI)
    assert first.day == dt.date(2016, 5, 23)
    assert first.product_title == "玻尿酸补水面膜"
    order = first.order
    assert (order.province, order.city, order.district) == ("浙江省", "杭州市", "西湖区")
    assert order.buyer_phone_masked and "13800138000" not in order.buyer_phone_masked
    assert "'" not in order.buyer_phone_masked
    assert lines["1000000000000000002"].status == "paid"
    assert lines["1000000000000000002"].order.province == "上海市"
    assert (lines["1000000000000000003"].status, lines["1000000000000000003"].amount_paid_fen) == (
        "unpaid",
        0,
    )
    fourth = lines["1000000000000000004"]
    assert (fourth.status, fourth.freight_fen, fourth.amount_due_fen, fourth.amount_paid_fen) == (
        "shipped",
        800,
        10700,
        10700,
    )
    assert (lines["1000000000000000005"].status, lines["1000000000000000005"].paid_at) == ("closed", None)
    assert {ln.status_text for ln in lines.values()} >= {"交易成功", "交易关闭", "等待买家付款"}
    # Re-import: nothing changes, nothing audited.
    changes = AuditEntry.objects.filter(object_type__in=["commerce.orderline", "commerce.order"]).count()
    again = run_import(path, taobao_shop)
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 5)
    assert (
        AuditEntry.objects.filter(object_type__in=["commerce.orderline", "commerce.order"]).count() == changes
    )


def test_status_column_absent_paid_by_payment_time(taobao_shop, imp_data):
    path = imp_data / "no_status.csv"
    path.write_text(
        "订单编号,总金额,买家实际支付金额,订单创建时间,订单付款时间 \n"
        "A1,10.00,10.00,2020-02-01 10:00:00,2020-02-01 10:01:00\n"
        "A2,20.00,0.00,2020-02-01 11:00:00,\n",
        encoding="utf-8",
    )
    run = run_import(path, taobao_shop)
    assert run.status == "succeeded", run.error
    status = dict(OrderLine.objects.values_list("sub_order_no", "status"))
    assert status == {"A1": "paid", "A2": "unpaid"}
    a2 = OrderLine.objects.get(sub_order_no="A2")
    assert a2.day == dt.date(2020, 2, 1) and a2.amount_paid_fen == 0 and a2.amount_due_fen == 2000


def test_refunds_paid_net_of_refund_and_update_is_audited(taobao_shop, imp_data):
    """买家实际支付金额 is net of 退款金额: 0 with a payment time is a fully refunded order."""
    head = "订单编号,总金额,买家实际支付金额,收货地址 ,订单创建时间,订单付款时间 ,退款金额\n"
    path = imp_data / "refunds.csv"
    path.write_text(
        head + "R1,64.80,0.0,江苏省,2020-02-21 10:00:00,2020-02-21 10:00:05,64.8\n"
        "R2,327.70,148.9,浙江省,2020-02-21 11:00:00,2020-02-21 11:00:05,178.8\n"
        "R3,21.00,21.0,内蒙古自治区,2020-02-21 12:00:00,2020-02-21 12:00:05,0.0\n",
        encoding="utf-8",
    )
    run = run_import(path, taobao_shop)
    assert run.status == "succeeded", run.error
    got = {
        ln.sub_order_no: (ln.status, ln.amount_paid_fen, ln.refund_fen, ln.aftersale_state)
        for ln in OrderLine.objects.all()
    }
    assert got == {
        "R1": ("paid", 6480, 6480, "refunded"),
        "R2": ("paid", 32770, 17880, "refunded"),
        "R3": ("paid", 2100, 0, "none"),
    }
    rollup = DailyShopRollup.objects.get(shop=taobao_shop, day=dt.date(2020, 2, 21))
    assert (rollup.gmv_fen, rollup.refund_fen, rollup.orders_paid) == (6480 + 32770 + 2100, 6480 + 17880, 3)
    # A refund arrives for R3: the line is updated and the change audited with before/after.
    path.write_text(
        head + "R3,21.00,0.0,内蒙古自治区,2020-02-21 12:00:00,2020-02-21 12:00:05,21.0\n", encoding="utf-8"
    )
    again = run_import(path, taobao_shop)
    assert (again.rows_updated, again.rows_inserted) == (1, 0)
    r3 = OrderLine.objects.get(sub_order_no="R3")
    assert (r3.amount_paid_fen, r3.refund_fen, r3.aftersale_state) == (2100, 2100, "refunded")
    entry = AuditEntry.objects.filter(object_type="commerce.orderline", object_id=str(r3.pk)).get()
    assert entry.changes["before"]["refund_fen"] == 0 and entry.changes["after"]["refund_fen"] == 2100
    assert (
        DailyShopRollup.objects.get(shop=taobao_shop, day=dt.date(2020, 2, 21)).refund_fen
        == 6480 + 17880 + 2100
    )


@pytest.mark.skipif(not REAL_FILE.is_file(), reason=f"real Tmall file not found at {REAL_FILE}")
def test_real_tmall_file_imports_as_it_is(taobao_shop, imp_data):
    """The real Tmall order report (28,010 orders): every order accounted for, amounts as in the file."""
    file = pl.read_csv(REAL_FILE, infer_schema=False)
    file = file.rename({c: c.strip() for c in file.columns})
    fen = {
        c: (file.get_column(c).cast(pl.Float64) * 100).round(0).cast(pl.Int64)
        for c in ("总金额", "买家实际支付金额", "退款金额")
    }
    paid = file.get_column("订单付款时间").is_not_null()
    run = run_import(REAL_FILE, taobao_shop)
    print(
        f"\nreal Tmall file: read {run.rows_read}, inserted {run.rows_inserted}, updated {run.rows_updated}, "
        f"unchanged {run.rows_unchanged}, rejected {run.rows_rejected}"
    )
    assert run.status == "succeeded", run.error
    assert run.rows_read == 28_010 == file.height
    assert run.rows_read == run.rows_inserted + run.rows_rejected
    assert run.rows_rejected == 0 and not run.rejects_path
    assert Order.objects.filter(shop=taobao_shop).count() == 28_010
    lines = OrderLine.objects.filter(shop=taobao_shop)
    assert lines.filter(status="unpaid").count() == int((~paid).sum()) == 3_923
    assert lines.filter(status="paid").count() == int(paid.sum()) == 24_087
    # 0 paid with a payment time = fully refunded (退款金额 = 总金额): GMV at the full amount, refunded.
    full_refunds = lines.filter(paid_at__isnull=False, refund_fen__gt=0, refund_fen=F("amount_paid_fen"))
    assert full_refunds.count() == int((paid & (fen["买家实际支付金额"] == 0)).sum()) == 5_132
    assert lines.filter(aftersale_state="refunded").count() == int((fen["退款金额"] > 0).sum()) == 5_646
    gmv = sum(DailyShopRollup.objects.filter(shop=taobao_shop).values_list("gmv_fen", flat=True))
    assert gmv == int(fen["总金额"].filter(paid).sum())
    refunds = sum(DailyShopRollup.objects.filter(shop=taobao_shop).values_list("refund_fen", flat=True))
    assert refunds == int(fen["退款金额"].sum())
    assert set(Order.objects.filter(shop=taobao_shop).values_list("province", flat=True)) >= {
        "上海市",
        "北京市",
        "广东省",
    }
    again = run_import(REAL_FILE, taobao_shop)
    print(
        f"re-import: inserted {again.rows_inserted}, updated {again.rows_updated}, unchanged {again.rows_unchanged}"
    )
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged, again.rows_rejected) == (
        0,
        0,
        28_010,
        0,
    )


# 千牛 XLSX and the line-item XLSX ----------------------------------------------------------------

QIANNIU_HEADERS = [
    "订单编号", "买家下单时间", "买家付款时间", "发货时间", "确认收货时间", "物流公司", "买家实付金额", "运单号",
    "买家会员名", "联系手机", "收货地址", "宝贝标题", "宝贝规格", "宝贝总数量", "买家应付货款", "订单状态",
]  # fmt: skip


def test_qianniu_xlsx_order_list(taobao_shop, imp_data):
    rows = [
        ["3300000000000001", "2026-01-03 09:33:16", "2026-01-03 09:34:00", "2026-01-04 10:00:00", "2026-01-07 10:00:00",
         "顺丰速运", 199.0, "SF1", "nick", "13900139000", "广东省深圳市南山区科技园1号", "洗面奶", "120ml", 2, 199.0,
         "交易成功"],
        ["3300000000000002", "2026-01-03 10:00:00", "2026-01-03 10:01:00", None, None, None, 59.9, None, "nick2",
         "13900139001", "北京 北京市 朝阳区 建国路 1号", "面膜", "10片", 1, 59.9, "买家已付款/等待卖家发货"],
        ["3300000000000003", "2026-01-03 11:00:00", None, None, None, None, 0, None, "nick3", "13900139002",
         "新疆维吾尔自治区乌鲁木齐市", "面膜", "10片", 1, 59.9, "等待买家付款"],
    ]  # fmt: skip
    path = write_xlsx(imp_data / "qianniu.xlsx", QIANNIU_HEADERS, rows)
    run = run_import(path, taobao_shop)
    assert run.status == "succeeded", run.error
    assert (run.rows_inserted, run.rows_rejected) == (3, 0)
    one = OrderLine.objects.get(sub_order_no="3300000000000001")
    assert (one.status, one.amount_paid_fen, one.quantity, one.sku_spec) == ("completed", 19900, 2, "120ml")
    assert one.shipped_at == dt.datetime(2026, 1, 4, 10, tzinfo=SHANGHAI)
    assert one.finished_at == dt.datetime(2026, 1, 7, 10, tzinfo=SHANGHAI)
    assert one.order.province == "广东省"
    two = OrderLine.objects.get(sub_order_no="3300000000000002")
    assert (two.status, two.order.province, two.order.city) == ("paid", "北京市", "北京市")
    three = OrderLine.objects.get(sub_order_no="3300000000000003")
    assert (three.status, three.amount_paid_fen, three.order.province) == ("unpaid", 0, "新疆维吾尔自治区")
    assert OrderLine.objects.get(sub_order_no="3300000000000001").refund_fen == 0


LINE_HEADERS = [
    "子订单编号", "主订单编号", "商品标题", "商品价格", "购买数量", "商品属性", "套餐信息", "订单状态", "商家编码",
    "买家应付货款", "买家实付金额", "退款状态", "退款金额", "订单创建时间", "订单付款时间", "商品ID", "商家备注",
]  # fmt: skip


def line_row(sub, order, **kw) -> list:
    row = {
        "子订单编号": sub, "主订单编号": order, "商品标题": "补水面膜", "商品价格": "49.50", "购买数量": 2,
        "商品属性": "颜色分类:10片", "套餐信息": None, "订单状态": "交易成功", "商家编码": "SKU-A1",
        "买家应付货款": "99.00", "买家实付金额": "99.00", "退款状态": "没有申请退款", "退款金额": "无退款申请",
        "订单创建时间": "2026-01-03 09:33:16", "订单付款时间": "2026-01-03 09:34:00", "商品ID": "600000000001",
        "商家备注": "内部备注",
    }  # fmt: skip
    row.update(kw)
    return [row[h] for h in LINE_HEADERS]


def test_line_items_xlsx(taobao_shop, imp_data):
    rows = [
        line_row("S1", "O1"),
        line_row("S2", "O1", 商品标题="洗面奶", 商家编码="SKU-B2", 套餐信息="买二送一", 商品价格="30", 购买数量="1",
                 买家应付货款="30.00", 买家实付金额="0.00", 退款状态="退款成功", 退款金额="30.00"),
        line_row("S3", "O2", 退款状态="买家已经申请退款，等待卖家同意", 退款金额="99.00"),
        line_row("S4", "O3", 退款状态=None, 退款金额="无退款申请", 订单状态="买家已付款，等待卖家发货"),
    ]  # fmt: skip
    path = write_xlsx(imp_data / "lines.xlsx", LINE_HEADERS, rows)
    run = run_import(path, taobao_shop, kind="taobao-order-lines")
    assert run.status == "succeeded", run.error
    assert (run.rows_inserted, run.rows_rejected) == (4, 0)
    assert Order.objects.get(order_no="O1").line_count == 2
    s1 = OrderLine.objects.get(sub_order_no="S1")
    assert (s1.unit_price_fen, s1.quantity, s1.merchant_code, s1.platform_product_id) == (
        4950,
        2,
        "SKU-A1",
        "600000000001",
    )
    assert (s1.aftersale_state, s1.refund_fen, s1.aftersale_text) == ("none", 0, "没有申请退款")
    s2 = OrderLine.objects.get(sub_order_no="S2")
    assert (s2.aftersale_state, s2.refund_fen, s2.amount_paid_fen) == ("refunded", 3000, 3000)
    assert s2.sku_spec == "颜色分类:10片；买二送一"
    s3 = OrderLine.objects.get(sub_order_no="S3")
    assert (s3.aftersale_state, s3.refund_fen, s3.amount_paid_fen) == ("in_progress", 0, 9900)
    s4 = OrderLine.objects.get(sub_order_no="S4")
    assert (s4.status, s4.aftersale_state, s4.aftersale_text) == ("paid", "none", "无退款申请")
    again = run_import(path, taobao_shop, kind="taobao-order-lines")
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 4)


# Bad rows and wrong files -------------------------------------------------------------------------


def test_bad_rows_rejected_with_line_and_reason(taobao_shop, imp_data):
    rows = [
        line_row("S1", "O1"),
        line_row("S2", "O2", 购买数量="两件"),
        line_row("S3", "O3", 购买数量="-1"),
        line_row("S4", "O4", 订单创建时间="2026-02-30 10:00:00"),
        line_row(None, "O5"),
        line_row("S6", "O6", 买家实付金额="12.345"),
        line_row("S7", "O7"),
    ]
    path = write_xlsx(imp_data / "bad.xlsx", LINE_HEADERS, rows)
    run = run_import(path, taobao_shop, kind="taobao-order-lines")
    assert run.status == "succeeded", run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (7, 2, 5)
    assert set(OrderLine.objects.values_list("sub_order_no", flat=True)) == {"S1", "S7"}
    rejects = {(int(r["line"]), r["column"]): r for r in rejects_of(run)}
    # Line numbers are the spreadsheet's rows (the header is row 1).
    assert rejects[(3, "购买数量")]["reason"] == "The quantity is not a whole number."
    assert rejects[(4, "购买数量")]["reason"] == "The quantity must not be negative."
    assert rejects[(5, "订单创建时间")]["reason"].startswith("Not a possible date and time")
    assert rejects[(5, "订单创建时间")]["value"] == "2026-02-30 10:00:00"
    assert rejects[(6, "子订单编号")]["reason"] == "A value is required."
    assert rejects[(7, "买家实付金额")]["reason"].startswith("Not an amount")


def test_duplicate_order_in_classic_file_rejected(taobao_shop, imp_data):
    path = write_classic(
        imp_data / "dup.csv", [classic_row("9001"), classic_row("9001"), classic_row("9002")]
    )
    run = run_import(path, taobao_shop)
    assert (run.rows_inserted, run.rows_rejected) == (2, 1)
    assert "first on line 2" in rejects_of(run)[0]["reason"]


def test_taobao_file_given_to_douyin_orders_is_refused(taobao_shop, douyin_shop, imp_data):
    path = write_classic(imp_data / "ExportOrderList.csv", [classic_row("1")])
    run = run_import(path, douyin_shop, kind="douyin-orders")
    assert run.status == "refused"
    assert "Required columns are missing" in run.error
    for column in ("子订单编号", "商品数量", "订单应付金额", "订单提交时间"):
        assert column in run.error
    assert not OrderLine.objects.exists() and not Order.objects.exists()


def test_douyin_file_given_to_taobao_kinds_is_refused(taobao_shop, douyin_file):
    path, _frame = douyin_file(20)
    run = run_import(path, taobao_shop, kind="taobao-orders")
    assert run.status == "refused" and "订单编号" in run.error and "订单创建时间" in run.error
    run = run_import(path, taobao_shop, kind="taobao-order-lines")
    assert run.status == "refused" and "购买数量" in run.error and "订单创建时间" in run.error
    assert not OrderLine.objects.exists()


def test_file_without_any_amount_refused(taobao_shop, imp_data):
    path = imp_data / "no_amount.csv"
    path.write_text("订单编号,订单创建时间\nA1,2020-02-01 10:00:00\n", encoding="utf-8")
    run = run_import(path, taobao_shop)
    assert run.status == "refused"
    assert "总金额" in run.error and "买家实际支付金额" in run.error
    assert not Order.objects.exists()


def test_taobao_file_into_a_douyin_shop_is_refused(douyin_shop, imp_data):
    path = write_classic(imp_data / "e.csv", [classic_row("1")])
    run = run_import(path, douyin_shop)
    assert run.status == "refused" and "Taobao" in run.error
    assert not Order.objects.exists()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_classic_encodings(taobao_shop, imp_data, encoding):
    path = write_classic(
        imp_data / f"enc-{encoding}.csv", [classic_row("77", 收货人姓名="欧阳娜娜")], encoding
    )
    run = run_import(path, taobao_shop)
    assert run.status == "succeeded" and run.rows_inserted == 1, run.error
    assert OrderLine.objects.get().product_title == "玻尿酸补水面膜"


# The money rule, for any amounts (no database: the kind's validation alone) ----------------------


@given(
    total=st.integers(min_value=0, max_value=10**11),
    refund_share=st.integers(min_value=0, max_value=100),
    paid=st.booleans(),
    style=st.sampled_from(["plain", "yuan", "thousands"]),
)
@hsettings(max_examples=80, deadline=None)
def test_taobao_money_rule_for_any_amount(total, refund_share, paid, style):
    """Paid orders: GMV = 总金额 (net paid + refund), refund as written; unpaid: nothing."""
    from liveops.commerce.importers_taobao import TaobaoOrderImport
    from liveops.core.imports.readers import LINE

    refund = total * refund_share // 100 if paid else 0
    net = total - refund if paid else 0

    def written(fen: int) -> str:
        text = f"{fen // 100}.{fen % 100:02d}"
        if style == "yuan":
            return text + "元"
        if style == "thousands":
            return f"{fen // 100:,}.{fen % 100:02d}"
        return text

    fields = [f.name for f in TaobaoOrderImport.fields]
    row = dict.fromkeys(fields)
    row.update(
        order_no="1",
        total=written(total),
        amount_paid=written(net),
        refund=written(refund),
        submitted_at="2020-02-21 10:00:00",
        paid_at="2020-02-21 10:00:05" if paid else None,
    )
    frame = pl.DataFrame([row], schema=dict.fromkeys(fields, pl.String)).with_columns(pl.lit(2).alias(LINE))
    kind = TaobaoOrderImport(
        run=None,
        actor=None,
        present={"order_no", "total", "amount_paid", "refund", "submitted_at", "paid_at"},
    )
    lines, rejects = kind.validate(frame)
    assert rejects.height == 0
    got = lines.row(0, named=True)
    assert got["amount_due_fen"] == total
    assert got["amount_paid_fen"] == (total if paid else 0)
    assert got["refund_fen"] == refund
    assert got["aftersale_state"] == ("refunded" if refund else "none")
    assert got["status"] == ("paid" if paid else "unpaid")


@pytest.mark.parametrize(
    ("address", "city", "district"),
    [
        ("浙江省 杭州市 西湖区 文三路100号", "杭州市", "西湖区"),
        ("广东省 东莞市 鸿福路100号3栋501室", "东莞市", None),  # no district: the street is not one
        ("浙江省 杭州市 西湖区文三路100号", "杭州市", None),  # district run into the street
        ("内蒙古自治区 呼伦贝尔市 鄂温克族自治旗 巴彦托海镇", "呼伦贝尔市", "鄂温克族自治旗"),
        ("广东省 东莞**** ***", None, None),  # masked by the platform
    ],
)
def test_region_fields_never_hold_the_street(address, city, district):
    """City and district are shown unmasked to every operator, so only place names may go there."""
    from liveops.commerce.importers_taobao import address_part

    frame = pl.DataFrame({"a": [address]}).select(
        address_part("a", 1).alias("city"), address_part("a", 2).alias("district")
    )
    assert frame.row(0) == (city, district)
