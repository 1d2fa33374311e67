"""Kuaishou orders (tool headers, the API layout with its saved mapping) and the generic ``orders``
kind through the mapping screen: odd headers mapped, the mapping saved, the next file imported with it."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liveops.commerce.importers_taobao import (
    KUAISHOU_API_MAPPING_NAME,
    GenericOrderImport,
    KuaishouOrderImport,
    kuaishou_mapping_ensure,
)
from liveops.commerce.models import AnchorAccount, DailyShopRollup, Order, OrderLine
from liveops.core.imports.services import import_start
from liveops.core.imports.tasks import import_run_task
from liveops.core.models import AuditEntry, ColumnMapping, ImportRun
from tests.commerce.factories import SHANGHAI, make_shop

pytestmark = pytest.mark.django_db


def write_csv(path, rows: list[list]):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def run_import(path, shop, kind, actor=None, mapping=None):
    return import_start(
        actor=actor,
        kind=kind,
        file=path,
        file_name=path.name,
        mapping=mapping,
        options={"shop": shop.name},
        run_now=True,
    )


def rejects_of(run) -> list[dict]:
    with open(run.rejects_path, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def ks_shop(org):
    return make_shop(platform="kuaishou", name="快手小店")


# Kuaishou -----------------------------------------------------------------------------------------


def test_kuaishou_tool_headers(ks_shop, imp_data):
    path = write_csv(
        imp_data / "ks.csv",
        [
            ["快手订单编号", "订单商品名称", "商品数量", "商家实收", "订单状态", "下单时间", "支付时间", "收货地址", "达人ID"],
            ["2300000000000001", "补水面膜", "2", "¥99.00", "交易成功", "2026-01-03 09:33:16", "2026-01-03 09:34:00",
             "浙江省杭州市西湖区文三路1号", "KS001"],
            ["2300000000000002", "洗面奶", "1", "59.90", "已发货", "2026-01-03 10:00:00", "2026-01-03 10:00:30",
             "上海市浦东新区", "KS001"],
            ["2300000000000003", "洗面奶", "1", "59.90", "待付款", "2026-01-03 11:00:00", "", "", ""],
        ],
    )  # fmt: skip
    run = run_import(path, ks_shop, "kuaishou-orders")
    assert run.status == "succeeded", run.error
    assert (run.rows_inserted, run.rows_rejected) == (3, 0)
    one = OrderLine.objects.get(sub_order_no="2300000000000001")
    assert (one.status, one.amount_paid_fen, one.quantity, one.anchor_platform_id) == (
        "completed",
        9900,
        2,
        "KS001",
    )
    assert one.order.province == "浙江省" and one.order.order_no == "2300000000000001"
    assert OrderLine.objects.get(sub_order_no="2300000000000002").status == "shipped"
    three = OrderLine.objects.get(sub_order_no="2300000000000003")
    assert (three.status, three.amount_paid_fen, three.amount_due_fen) == ("unpaid", 0, 5990)
    assert AnchorAccount.objects.get(platform="kuaishou").platform_anchor_id == "KS001"
    again = run_import(path, ks_shop, "kuaishou-orders")
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 3)


def _ms(y, m, d, hh, mm, ss=0) -> str:
    return str(int(dt.datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI).timestamp() * 1000))


def test_kuaishou_api_layout_with_saved_mapping(ks_shop, imp_data):
    """API names: amounts in whole fen, times in milliseconds, numeric status codes."""
    mapping = kuaishou_mapping_ensure()
    assert mapping.name == KUAISHOU_API_MAPPING_NAME and mapping.columns["oid"] == "order_no"
    assert (
        kuaishou_mapping_ensure() == mapping
        and ColumnMapping.objects.filter(kind="kuaishou-orders").count() == 1
    )
    head = ["oid", "item_title", "num", "total_fee", "express_fee", "discount_fee", "platform_allowance",
            "buyer_pay", "seller_recv", "order_status", "create_time", "pay_time", "send_time", "anchor_id",
            "talent_id", "distributor_id", "cps_type", "commission_rate", "buyer_id"]  # fmt: skip
    rows = [
        head,
        ["K1", "面膜", "2", "10800", "800", "1000", "500", "9800", "10300", "70", _ms(2026, 1, 3, 9, 33, 16),
         _ms(2026, 1, 3, 9, 34), _ms(2026, 1, 4, 8, 0), "", "T9", "D7", "1", "0.2", "b1"],
        ["K2", "洗面奶", "1", "5990", "0", "0", "0", "5990", "5990", "30", _ms(2026, 1, 3, 23, 59),
         _ms(2026, 1, 4, 0, 1), "", "A1", "", "", "", "", "b2"],
        ["K3", "洗面奶", "1", "5990", "0", "0", "0", "0", "0", "10", _ms(2026, 1, 3, 12, 0), "", "", "", "", "",
         "", "", "b3"],
        ["K4", "洗面奶", "1", "59.90", "0", "0", "0", "5990", "5990", "30", _ms(2026, 1, 3, 12, 0), "", "", "", "",
         "", "", "", "b4"],
    ]  # fmt: skip
    path = write_csv(imp_data / "ks_api.csv", rows)
    run = run_import(path, ks_shop, "kuaishou-orders", mapping=mapping)
    assert run.status == "succeeded", run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (4, 3, 1)
    (reject,) = rejects_of(run)
    assert (reject["line"], reject["column"], reject["value"]) == ("5", "total_fee", "59.90")
    assert "whole fen" in reject["reason"]
    k1 = OrderLine.objects.get(sub_order_no="K1")
    assert (k1.amount_due_fen, k1.freight_fen, k1.discount_total_fen, k1.discount_platform_fen) == (
        10800,
        800,
        1000,
        500,
    )
    assert (k1.amount_paid_fen, k1.quantity, k1.status, k1.status_text) == (9800, 2, "completed", "交易成功")
    assert k1.submitted_at == dt.datetime(2026, 1, 3, 9, 33, 16, tzinfo=SHANGHAI)
    assert k1.shipped_at == dt.datetime(2026, 1, 4, 8, 0, tzinfo=SHANGHAI)
    assert k1.anchor_platform_id == "T9"  # no anchor_id: the talent, then the distributor
    k2 = OrderLine.objects.get(sub_order_no="K2")
    assert (k2.status, k2.anchor_platform_id, k2.day) == ("paid", "A1", dt.date(2026, 1, 4))
    k3 = OrderLine.objects.get(sub_order_no="K3")
    assert (k3.status, k3.amount_paid_fen) == ("unpaid", 0)
    # Without the template the same file matches by the API names (aliases) too.
    plain = run_import(path, ks_shop, "kuaishou-orders")
    assert (plain.status, plain.rows_unchanged, plain.rows_rejected) == ("succeeded", 3, 1)


def test_kuaishou_without_payment_time_counts_paid_statuses_when_submitted(ks_shop, imp_data):
    path = write_csv(
        imp_data / "ks_nopay.csv",
        [
            ["订单号", "订单商品名称", "商家实收", "订单状态", "下单时间"],
            ["N1", "面膜", "99", "交易成功", "2026-01-03 09:33:16"],
            ["N2", "面膜", "99", "待付款", "2026-01-03 09:40:00"],
        ],
    )
    run = run_import(path, ks_shop, "kuaishou-orders")
    assert run.status == "succeeded", run.error
    n1, n2 = OrderLine.objects.get(sub_order_no="N1"), OrderLine.objects.get(sub_order_no="N2")
    assert n1.paid_at == n1.submitted_at and n1.amount_paid_fen == 9900
    assert n2.paid_at is None and n2.amount_paid_fen == 0
    assert DailyShopRollup.objects.get(shop=ks_shop, day=dt.date(2026, 1, 3)).gmv_fen == 9900


def test_kuaishou_refused_without_amount_or_time(ks_shop, imp_data):
    path = write_csv(imp_data / "ks_bad.csv", [["订单号", "订单商品名称"], ["N1", "面膜"]])
    run = run_import(path, ks_shop, "kuaishou-orders")
    assert run.status == "refused"
    assert "商家实收" in run.error and "下单时间" in run.error
    assert not Order.objects.exists()


def test_kuaishou_repeated_order_without_sub_order_number(ks_shop, imp_data):
    path = write_csv(
        imp_data / "ks_dup.csv",
        [
            ["订单号", "商家实收", "下单时间", "支付时间"],
            ["D1", "10", "2026-01-03 09:00:00", "2026-01-03 09:01:00"],
            ["D1", "20", "2026-01-03 09:00:00", "2026-01-03 09:01:00"],
            ["D2", "30", "2026-01-03 09:00:00", "2026-01-03 09:01:00"],
        ],
    )
    run = run_import(path, ks_shop, "kuaishou-orders")
    assert (run.status, run.rows_inserted, run.rows_rejected) == ("succeeded", 2, 1)
    (reject,) = rejects_of(run)
    assert reject["line"] == "3" and "first on line 2" in reject["reason"]
    assert OrderLine.objects.get(sub_order_no="D1").amount_paid_fen == 1000


def test_kuaishou_kind_lists_api_names():
    fields = KuaishouOrderImport.match_headers(
        ["oid", "pay_time", "num", "total_fee", "anchor_id", "talent_id"]
    )
    assert set(fields.columns) == {
        "order_no",
        "paid_at",
        "quantity",
        "total_fee",
        "anchor_platform_id",
        "talent_id",
    }


# The generic kind through the mapping screen ----------------------------------------------------


ODD = [
    ["Ref", "Line ref", "Item", "Qty", "Price paid", "State", "Ordered", "Paid on", "Ship-to region"],
    [
        "G1",
        "G1-a",
        "Face mask",
        "2",
        "99.00",
        "Completed",
        "2026-01-03 09:33:16",
        "2026-01-03 09:34:00",
        "广东省",
    ],
    [
        "G1",
        "G1-b",
        "Cleanser",
        "1",
        "59.90",
        "completed",
        "2026-01-03 09:33:16",
        "2026-01-03 09:34:00",
        "广东省",
    ],
    ["G2", "", "Face mask", "1", "49.50", "已发货", "2026-01-04 10:00:00", "2026-01-04 10:00:05", "北京"],
    ["G3", "G3-a", "Face mask", "-1", "49.50", "paid", "2026-01-04 10:00:00", "2026-01-04 10:00:05", "北京"],
]
COLUMNS = {
    "order_no": "Ref",
    "sub_order_no": "Line ref",
    "product_title": "Item",
    "quantity": "Qty",
    "amount_paid": "Price paid",
    "status_text": "State",
    "submitted_at": "Ordered",
    "paid_at": "Paid on",
    "province": "Ship-to region",
}


def test_generic_orders_mapped_saved_and_reused(client_for, imp_data):
    shop = make_shop(platform="wechat", name="视频号小店")
    client = client_for("member")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages and reports in English
    url = reverse("import-orders")
    body = "\n".join(",".join(r) for r in ODD).encode()
    page = client.get(url)
    assert page.status_code == 200 and "视频号小店".encode() in page.content
    response = client.post(
        url, {"step": "upload", "file": SimpleUploadedFile("odd.csv", body), "opt_shop": shop.pk}
    )
    assert response.status_code == 200 and b"map_order_no" in response.content  # headers not recognised
    assert "视频号小店".encode() in response.content  # the chosen shop is repeated on the mapping step
    token = response.context["form"].initial["token"]
    post = {"step": "map", "token": token, "save_as": "视频号导出"}
    post.update({f"map_{field}": header for field, header in COLUMNS.items()})
    response = client.post(url, post)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.options["shop"] == shop.pk and run.mapping.name == "视频号导出"
    assert import_run_task.call(run.pk) == "succeeded"
    run.refresh_from_db()
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (4, 3, 1)
    g1 = Order.objects.get(shop=shop, order_no="G1")
    assert g1.line_count == 2 and g1.amount_paid_fen == 9900 + 5990 and g1.province == "广东省"
    assert OrderLine.objects.get(sub_order_no="G2").status == "shipped"  # no line ref: the order's number
    assert OrderLine.objects.get(sub_order_no="G1-b").status == "completed"
    rejects = client.get(reverse("job-rejects", args=[run.pk]))
    text = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert "5,Qty,-1,The quantity must not be negative." in text
    # The next file with the same layout goes straight through with the saved mapping.
    mapping = ColumnMapping.objects.get(kind="orders", name="视频号导出")
    assert mapping.columns["Ref"] == "order_no"
    more = [*ODD[:1], ["G4", "G4-a", "Face mask", "1", "49.50", "paid", "2026-01-05 10:00:00", "2026-01-05 10:00:05", "北京"]]  # fmt: skip
    body = "\n".join(",".join(r) for r in more).encode()
    response = client.post(
        url,
        {
            "step": "upload",
            "file": SimpleUploadedFile("odd2.csv", body),
            "mapping": mapping.pk,
            "opt_shop": shop.pk,
        },
    )
    assert response.status_code == 302
    run2 = ImportRun.objects.latest("id")
    assert import_run_task.call(run2.pk) == "succeeded"
    run2.refresh_from_db()
    assert (run2.rows_inserted, run2.rows_rejected) == (1, 0)
    assert OrderLine.objects.get(sub_order_no="G4-a").order.province == "北京市"
    assert AuditEntry.objects.filter(object_type="core.columnmapping").exists()


def test_generic_kind_takes_any_platform_and_english_or_chinese_headers(imp_data, org):
    shop = make_shop(platform="douyin", name="另一个抖店")
    path = write_csv(
        imp_data / "generic.csv",
        [
            ["Order number", "子订单号", "Quantity", "实付金额", "退款金额", "Status", "下单时间", "Paid at"],
            ["E1", "E1-1", "1", "10.00", "10.00", "completed", "2026-01-03 09:00:00", "2026-01-03 09:01:00"],
            ["E2", "E2-1", "3", "30.00", "", "PAID", "2026-01-03 09:00:00", "2026-01-03 09:01:00"],
        ],
    )
    match = GenericOrderImport.match_headers(
        ["Order number", "子订单号", "Quantity", "实付金额", "退款金额", "Status", "下单时间", "Paid at"]
    )
    assert match.ok and len(match.columns) == 8
    run = run_import(path, shop, "orders")
    assert run.status == "succeeded", run.error
    e1, e2 = OrderLine.objects.get(sub_order_no="E1-1"), OrderLine.objects.get(sub_order_no="E2-1")
    assert (e1.status, e1.refund_fen, e1.aftersale_state, e1.amount_paid_fen) == (
        "completed",
        1000,
        "refunded",
        1000,
    )
    assert (e2.status, e2.quantity, e2.amount_paid_fen) == ("paid", 3, 3000)


def test_generic_kind_needs_a_shop(imp_data, org):
    path = write_csv(
        imp_data / "g.csv", [["Order number", "Amount paid", "Paid at"], ["X", "1", "2026-01-03 09:01:00"]]
    )
    run = import_start(actor=None, kind="orders", file=path, file_name="g.csv", run_now=True)
    assert run.status == "refused" and "shop" in run.error
