"""The douyin-aftersales and douyin-settlements imports: good files, the quirks of real exports,
rejects with line numbers, refusals before writing, idempotence, updates with audit, linking to lines
and the roll-up of refunds and fees onto lines and daily rollups."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from liveops.commerce import importers_aftersales  # noqa: F401  (registers the kinds)
from liveops.commerce.models import AfterSale, DailyShopRollup, SettlementEntry, Shop
from liveops.commerce.services.aftersales import aftersales_relink_shop, lines_figures_refresh
from liveops.core.imports.services import import_start
from liveops.core.models import AuditEntry, ImportRun
from tests.commerce.factories import SHANGHAI, make_line, make_shop
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

AFTERSALE_HEADER = [
    "售后单号",
    "订单号",
    "子订单号",
    "售后类型",
    "售后状态",
    "售后申请时间",
    "售后原因",
    "售后原因标签",
    "退款金额",
    "退货物流单号",
    "退货发货时间",
    "同意售后申请时间",
    "商家退款时间",
    "用户到账时间",
    "售后关闭时间",
    "仲裁状态",
    "纠纷责任方",
    "售后完结时间",
    "用户售后说明",
    "售后备注",
]


def aftersale_row(no: str, sub: str, **kw) -> list[str]:
    values = {
        "售后单号": "\t" + no,
        "订单号": "-",
        "子订单号": "\t" + sub,
        "售后类型": "仅退款",
        "售后状态": "退款成功",
        "售后申请时间": "2026-10-02 10:00:00",
        "售后原因": "不想要了",
        "售后原因标签": "七天无理由",
        "退款金额": "99.00",
        "退货物流单号": "-",
        "退货发货时间": "-",
        "同意售后申请时间": "2026-10-02 11:00:00",
        "商家退款时间": "2026-10-02 11:00:05",
        "用户到账时间": "2026-10-02 11:30:00",
        "售后关闭时间": "-",
        "仲裁状态": "-",
        "纠纷责任方": "-",
        "售后完结时间": "2026-10-02 11:30:00",
        "用户售后说明": "",
        "售后备注": "",
    }
    values.update(kw)
    return [values[h] for h in AFTERSALE_HEADER]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = True) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def run_import(
    path: Path, shop: Shop | str | None, *, kind: str = "douyin-aftersales", actor=None
) -> ImportRun:
    options = {} if shop is None else {"shop": shop if isinstance(shop, str) else shop.name}
    return import_start(actor=actor, kind=kind, file=path, file_name=path.name, options=options, run_now=True)


def rejects_of(run: ImportRun) -> list[list[str]]:
    if not run.rejects_path:
        return []
    with open(run.rejects_path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))[1:]


def counts_add_up(run: ImportRun) -> bool:
    return run.rows_read == run.rows_inserted + run.rows_updated + run.rows_unchanged + run.rows_rejected


PAID = dt.datetime(2026, 10, 1, 20, 0, tzinfo=SHANGHAI)


@pytest.fixture
def lines(douyin_shop):
    """Three paid lines of 99.00: two single-line orders and one order of two lines."""
    a = make_line(douyin_shop, sub_order_no="6917000000000000001", paid_at=PAID)
    b = make_line(douyin_shop, sub_order_no="6917000000000000002", paid_at=PAID)
    c = make_line(douyin_shop, sub_order_no="6917000000000000003", paid_at=PAID)
    c2 = make_line(douyin_shop, order=c.order, sub_order_no="6917000000000000004", paid_at=PAID)
    return a, b, c, c2


# After-sales ---------------------------------------------------------------------------------------


def test_aftersales_import_links_and_rolls_up(imp_data, douyin_shop, lines):
    a, b, c, c2 = lines
    path = write_csv(
        imp_data / "aftersales.csv",
        AFTERSALE_HEADER,
        [
            aftersale_row("7001", a.sub_order_no, 退款金额="1,099.00"),
            aftersale_row(
                "7002",
                b.sub_order_no,
                售后类型="退货退款",
                售后状态="待买家退货",
                商家退款时间="-",
                用户到账时间="-",
                售后完结时间="-",
                退款金额="￥50.5",
            ),
            aftersale_row(
                "7003",
                c.sub_order_no,
                售后状态="售后关闭",
                商家退款时间="-",
                用户到账时间="-",
                售后关闭时间="2026-10-03 09:00",
                售后原因标签="质量问题",
            ),
        ],
    )
    run = run_import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (3, 3, 0)
    cases = {x.aftersale_no: x for x in AfterSale.objects.all()}
    assert set(cases) == {"7001", "7002", "7003"}  # tab prefix stripped
    assert cases["7001"].refund_fen == 109900 and cases["7001"].state == "refunded"
    assert cases["7002"].refund_fen == 5050 and cases["7002"].state == "in_progress"
    assert cases["7003"].state == "closed" and cases["7003"].reason_tag == "质量问题"
    assert cases["7003"].closed_at == dt.datetime(2026, 10, 3, 9, 0, tzinfo=SHANGHAI)
    assert cases["7001"].order_no == ""  # "-" is empty
    assert [cases[n].line_id for n in ("7001", "7002", "7003")] == [a.pk, b.pk, c.pk]
    for line in (a, b, c, c2):
        line.refresh_from_db()
    assert (a.refund_fen, a.aftersale_state) == (109900, "refunded")
    assert (b.refund_fen, b.aftersale_state) == (0, "in_progress")
    assert (c.refund_fen, c.aftersale_state) == (0, "closed")
    assert (c2.refund_fen, c2.aftersale_state) == (0, "none")
    day = DailyShopRollup.objects.get(shop=douyin_shop, day=PAID.date())
    assert (day.refund_fen, day.refund_lines, day.lines_paid) == (109900, 1, 4)
    douyin_shop.refresh_from_db()
    assert douyin_shop.aftersales_updated_at is not None
    assert AuditEntry.objects.filter(verb="import_aftersales", object_id=str(run.pk)).exists()


def test_reimport_unchanged_then_newer_export_updates_with_audit(imp_data, douyin_shop, lines):
    a, b, *_ = lines
    pending = dict(售后状态="待商家处理", 商家退款时间="-", 用户到账时间="-", 售后完结时间="-")
    rows = [
        aftersale_row("7001", a.sub_order_no, **pending),
        aftersale_row("7002", b.sub_order_no, **pending),
    ]
    path = write_csv(imp_data / "v1.csv", AFTERSALE_HEADER, rows)
    assert run_import(path, douyin_shop).rows_inserted == 2
    again = run_import(path, douyin_shop)
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    assert not AuditEntry.objects.filter(action="update", object_type="commerce.aftersale").exists()

    newer = write_csv(
        imp_data / "v2.csv",
        AFTERSALE_HEADER,
        [aftersale_row("7001", a.sub_order_no), aftersale_row("7002", b.sub_order_no, **pending)],
    )
    run = run_import(newer, douyin_shop)
    assert (run.rows_inserted, run.rows_updated, run.rows_unchanged) == (0, 1, 1)
    entry = AuditEntry.objects.get(action="update", object_type="commerce.aftersale")
    assert entry.object_id == str(AfterSale.objects.get(aftersale_no="7001").pk)
    assert entry.changes["before"]["status_text"] == "待商家处理"
    assert entry.changes["after"]["status_text"] == "退款成功"
    assert entry.changes["before"]["state"] == "in_progress" and entry.changes["after"]["state"] == "refunded"
    assert "reason" not in entry.changes["after"]
    a.refresh_from_db()
    assert (a.refund_fen, a.aftersale_state) == (9900, "refunded")
    assert DailyShopRollup.objects.get(shop=douyin_shop, day=PAID.date()).refund_lines == 1


def test_bad_rows_rejected_with_line_numbers(imp_data, douyin_shop, lines):
    a, b, c, _ = lines
    path = write_csv(
        imp_data / "bad.csv",
        AFTERSALE_HEADER,
        [
            aftersale_row("7001", a.sub_order_no),
            aftersale_row("7002", b.sub_order_no, 退款金额="abc"),
            aftersale_row("7003", c.sub_order_no, 售后申请时间="2026-02-30 10:00:00"),
            aftersale_row("", c.sub_order_no),
            aftersale_row("7004", "-", 订单号="-"),
            aftersale_row("7005", c.sub_order_no, 退款金额="-3.00"),
            aftersale_row("7001", a.sub_order_no),
        ],
    )
    run = run_import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (7, 1, 6)
    assert counts_add_up(run)
    by_line = {int(r[0]): r for r in rejects_of(run)}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8]
    assert by_line[3][1] == "退款金额" and "Not an amount" in by_line[3][3]
    assert by_line[4][1] == "售后申请时间" and "exists" in by_line[4][3]
    assert "required" in by_line[5][3]
    assert "cannot be linked" in by_line[6][3]
    assert "negative" in by_line[7][3]
    assert "first on line 2" in by_line[8][3]


def test_case_before_its_order_is_linked_when_the_order_arrives(imp_data, douyin_shop):
    path = write_csv(imp_data / "early.csv", AFTERSALE_HEADER, [aftersale_row("7009", "6917000000000000099")])
    assert run_import(path, douyin_shop).rows_inserted == 1
    case = AfterSale.objects.get()
    assert case.line_id is None
    line = make_line(douyin_shop, sub_order_no="6917000000000000099", paid_at=PAID)
    days = aftersales_relink_shop(shop_id=douyin_shop.pk)
    assert days == {douyin_shop.pk: {PAID.date()}}
    case.refresh_from_db()
    line.refresh_from_db()
    assert case.line_id == line.pk and line.refund_fen == 9900
    assert DailyShopRollup.objects.get(shop=douyin_shop, day=PAID.date()).refund_fen == 9900


def test_link_falls_back_to_the_order_number(imp_data, douyin_shop, lines):
    a, _b, c, _c2 = lines
    header = [h for h in AFTERSALE_HEADER if h != "子订单号"]
    rows = [
        [
            v
            for h, v in zip(AFTERSALE_HEADER, aftersale_row("7101", "", 订单号=a.order.order_no), strict=True)
            if h != "子订单号"
        ],
        [
            v
            for h, v in zip(AFTERSALE_HEADER, aftersale_row("7102", "", 订单号=c.order.order_no), strict=True)
            if h != "子订单号"
        ],
        [
            v
            for h, v in zip(AFTERSALE_HEADER, aftersale_row("7103", "", 订单号=a.sub_order_no), strict=True)
            if h != "子订单号"
        ],
    ]
    run = run_import(write_csv(imp_data / "by_order.csv", header, rows), douyin_shop)
    assert run.status == "succeeded", run.error
    links = dict(AfterSale.objects.values_list("aftersale_no", "line_id"))
    # One-line order → its line; a two-line order is ambiguous; an order number that is a sub-order number.
    assert links == {"7101": a.pk, "7102": None, "7103": a.pk}


def test_refused_before_writing(imp_data, douyin_shop, org):
    good = write_csv(imp_data / "ok.csv", AFTERSALE_HEADER, [aftersale_row("7001", "1")])
    # No shop, an unknown shop, a shop on another platform.
    for shop, words in ((None, "Choose the shop"), ("没有这个店", "Unknown shop"), ("淘宝店", "Douyin")):
        if shop == "淘宝店":
            make_shop(platform="taobao", name="淘宝店")
        run = run_import(good, shop)
        assert run.status == "refused" and words in run.error, run.error
    # An order export is not an after-sales export.
    wrong = write_csv(imp_data / "orders.csv", ["主订单编号", "子订单编号", "选购商品"], [["1", "2", "面膜"]])
    run = run_import(wrong, douyin_shop)
    assert run.status == "refused" and "After-sales number" in run.error
    # After-sales numbers without any order column cannot be linked.
    unlinkable = write_csv(imp_data / "nolink.csv", ["售后单号", "退款金额"], [["7001", "1"]])
    run = run_import(unlinkable, douyin_shop)
    assert run.status == "refused" and "订单号" in run.error
    assert not AfterSale.objects.exists() and not SettlementEntry.objects.exists()


def test_actor_must_reach_the_shop(imp_data, douyin_shop, personas):
    path = write_csv(imp_data / "ok.csv", AFTERSALE_HEADER, [aftersale_row("7001", "1")])
    mr_shop = make_shop(name="招商部的店", department_code="MR")
    run = run_import(path, mr_shop, actor=personas["member"])
    assert run.status == "refused" and "may not import" in run.error
    run = run_import(path, douyin_shop, actor=personas["member"])
    assert run.status == "succeeded", run.error
    # A user without commerce.import is refused when the run starts.
    from liveops.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        run_import(path, douyin_shop, actor=personas["auditor"])


def test_shop_by_id_and_xlsx(imp_data, douyin_shop, lines):
    import xlsxwriter

    path = imp_data / "aftersales.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, AFTERSALE_HEADER)
    ws.write_row(1, 0, aftersale_row("7001", lines[0].sub_order_no, 售后单号="'7001"))
    wb.close()
    run = import_start(
        actor=None,
        kind="douyin-aftersales",
        file=path,
        file_name=path.name,
        options={"shop": str(douyin_shop.pk)},
        run_now=True,
    )
    assert run.status == "succeeded", run.error
    assert AfterSale.objects.get().aftersale_no == "7001"


# Settlements ----------------------------------------------------------------------------------------

NEWER_HEADER = [
    "动账时间",
    "动帐流水号",
    "动账方向",
    "动账金额",
    "动账账户",
    "动账场景",
    "计费类型",
    "子订单号",
    "订单号",
    "订单实付应结",
    "运费实付",
    "实际平台补贴",
    "订单退款",
    "平台服务费",
    "佣金",
    "招商服务费",
    "站外推广费",
    "备注",
]


def newer_row(no: str, sub: str, **kw) -> list[str]:
    values = {
        "动账时间": "2026-10-10 08:00:00",
        "动帐流水号": "\t" + no,
        "动账方向": "入账",
        "动账金额": "80.00",
        "动账账户": "聚合账户",
        "动账场景": "订单结算",
        "计费类型": "订单",
        "子订单号": "\t" + sub,
        "订单号": "-",
        "订单实付应结": "99.00",
        "运费实付": "0.00",
        "实际平台补贴": "0.00",
        "订单退款": "0.00",
        "平台服务费": "-4.95",
        "佣金": "-9.90",
        "招商服务费": "-1.00",
        "站外推广费": "-3.15",
        "备注": "-",
    }
    values.update(kw)
    return [values[h] for h in NEWER_HEADER]


OLDER_HEADER = [
    "结算时间",
    "订单号",
    "子订单号",
    "结算金额",
    "结算账户",
    "结算单类型",
    "有结算前退款",
    "下单时间",
    "收入合计",
    "支出合计",
    "平台服务费",
    "达人佣金",
]
OLDER_SUBHEADER = [
    " ",
    " ",
    " ",
    "收入+支出",
    " ",
    " ",
    " ",
    " ",
    "订单实付+运费+补贴",
    "平台服务费+达人佣金",
    " ",
    " ",
]


def older_row(sub: str, time: str = "2026/10/11 9:05:00", **kw) -> list[str]:
    values = {
        "结算时间": time,
        "订单号": "'" + sub[:-1] + "0",
        "子订单号": "'" + sub,
        "结算金额": "1,084.05",
        "结算账户": "微信",
        "结算单类型": "货款结算",
        "有结算前退款": "否",
        "下单时间": "2026/10/1 19:59:00",
        "收入合计": "1,099.00",
        "支出合计": "-14.95",
        "平台服务费": "-4.95",
        "达人佣金": "-10.00",
    }
    values.update(kw)
    return [values[h] for h in OLDER_HEADER]


def test_newer_fund_movements(imp_data, douyin_shop, lines):
    a, b, *_ = lines
    path = write_csv(
        imp_data / "flows.csv",
        NEWER_HEADER,
        [
            newer_row("F001", a.sub_order_no),
            newer_row(
                "F002",
                a.sub_order_no,
                动账方向="出账",
                动账金额="99.00",
                订单退款="-99.00",
                计费类型="退款",
                平台服务费="4.95",
                佣金="9.90",
                招商服务费="1.00",
                站外推广费="3.15",
            ),
            newer_row("F003", b.sub_order_no, 动账金额="1,234.56"),
            newer_row(
                "F004",
                "-",
                动账场景="提现",
                计费类型="提现",
                动账方向="出账",
                动账金额="500",
                订单实付应结="-",
                平台服务费="-",
                佣金="-",
                招商服务费="-",
                站外推广费="-",
            ),
        ],
    )
    run = import_start(
        actor=None,
        kind="douyin-settlements",
        file=path,
        file_name=path.name,
        options={"shop": douyin_shop.name},
        run_now=True,
    )
    assert run.status == "succeeded", run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (4, 4, 0)
    e = {x.entry_no: x for x in SettlementEntry.objects.all()}
    assert e["F001"].amount_fen == 8000 and e["F001"].direction == "in"
    assert e["F002"].amount_fen == -9900 and e["F002"].direction == "out" and e["F002"].refund_fen == -9900
    assert e["F003"].amount_fen == 123456
    assert e["F004"].line_id is None and e["F004"].amount_fen == -50000
    assert e["F001"].line_id == a.pk and e["F001"].platform_fee_fen == -495
    a.refresh_from_db()
    b.refresh_from_db()
    # F001 charged the fees, F002 (the refund) gave them back: nothing left but the refund.
    assert (a.platform_fee_fen, a.commission_fen, a.promotion_fee_fen, a.refund_fen) == (0, 0, 0, 9900)
    assert (b.platform_fee_fen, b.commission_fen, b.promotion_fee_fen) == (495, 990, 415)
    douyin_shop.refresh_from_db()
    assert douyin_shop.settlements_updated_at is not None
    again = import_start(
        actor=None,
        kind="douyin-settlements",
        file=path,
        file_name=path.name,
        options={"shop": douyin_shop.name},
        run_now=True,
    )
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 4)


def test_older_settlement_export_with_subheader(imp_data, douyin_shop, lines):
    a, b, *_ = lines
    path = write_csv(
        imp_data / "settle.csv",
        OLDER_HEADER,
        [
            OLDER_SUBHEADER,
            older_row(a.sub_order_no),
            older_row(b.sub_order_no, 结算金额="-"),
            older_row(a.sub_order_no),  # the same entry twice
            older_row(b.sub_order_no, time="2026/10/11 9:06:00", 结算单类型="售后补偿", 平台服务费="x"),
            older_row(b.sub_order_no, time="2026/13/11 9:06:00"),
        ],
    )
    run = import_start(
        actor=None,
        kind="douyin-settlements",
        file=path,
        file_name=path.name,
        options={"shop": douyin_shop.name},
        run_now=True,
    )
    assert run.status == "succeeded", run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (6, 1, 5)
    assert counts_add_up(run)
    by_line = {int(r[0]): r for r in rejects_of(run)}
    assert "sub-header" in by_line[2][3]
    assert by_line[4][1] == "结算金额" and "required" in by_line[4][3]
    assert "Duplicate entry" in by_line[5][3] and "line 3" in by_line[5][3]
    assert by_line[6][1] == "平台服务费"
    assert by_line[7][1] == "结算时间"
    entry = SettlementEntry.objects.get()
    assert entry.entry_no == f"S:{a.sub_order_no}:20261011090500:货款结算"
    assert entry.amount_fen == 108405 and entry.direction == "in"
    assert entry.commission_fen == -1000 and entry.order_no == a.sub_order_no[:-1] + "0"
    assert "有结算前退款: 否" in entry.note
    a.refresh_from_db()
    assert (a.platform_fee_fen, a.commission_fen) == (495, 1000)
    again = import_start(
        actor=None,
        kind="douyin-settlements",
        file=path,
        file_name=path.name,
        options={"shop": douyin_shop.name},
        run_now=True,
    )
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged, again.rows_rejected) == (
        0,
        0,
        1,
        5,
    )


def test_settlements_refused_when_not_a_settlement_file(imp_data, douyin_shop):
    wrong = write_csv(imp_data / "aftersales.csv", AFTERSALE_HEADER, [aftersale_row("1", "2")])
    run = import_start(
        actor=None,
        kind="douyin-settlements",
        file=wrong,
        file_name=wrong.name,
        options={"shop": douyin_shop.name},
        run_now=True,
    )
    assert run.status == "refused" and "结算时间" in run.error
    assert not SettlementEntry.objects.exists()


def test_settlement_refund_and_aftersales_refund_are_not_added(imp_data, douyin_shop, lines):
    a, *_ = lines
    run_import(
        write_csv(
            imp_data / "as.csv", AFTERSALE_HEADER, [aftersale_row("7001", a.sub_order_no, 退款金额="50")]
        ),
        douyin_shop,
    )
    flows = write_csv(imp_data / "f.csv", NEWER_HEADER, [newer_row("F9", a.sub_order_no, 订单退款="-50.00")])
    import_start(
        actor=None,
        kind="douyin-settlements",
        file=flows,
        file_name=flows.name,
        options={"shop": douyin_shop.name},
        run_now=True,
    )
    a.refresh_from_db()
    assert a.refund_fen == 5000


def test_lines_figures_refresh_is_idempotent(douyin_shop, lines):
    a, *_ = lines
    AfterSale.objects.create(shop=douyin_shop, aftersale_no="X1", line=a, state="refunded", refund_fen=1200)
    assert lines_figures_refresh(line_ids=[a.pk]) == {douyin_shop.pk: {PAID.date()}}
    assert lines_figures_refresh(line_ids=[a.pk]) == {}
    a.refresh_from_db()
    assert (a.refund_fen, a.aftersale_state) == (1200, "refunded")


def test_kinds_are_registered_for_autodiscovery():
    from liveops.core.imports.registry import import_kind_get

    assert import_kind_get("douyin-aftersales").capability == "commerce.import"
    assert import_kind_get("douyin-settlements").natural_key == ("entry_no",)


def test_member_of_another_department_cannot_import(imp_data, douyin_shop, org):
    other = make_person("mr-recruiter", "as-other")
    path = write_csv(imp_data / "ok.csv", AFTERSALE_HEADER, [aftersale_row("7001", "1")])
    from liveops.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        run_import(path, douyin_shop, actor=other)


def test_command_line_import_with_shop(imp_data, douyin_shop, lines):
    import io
    import json

    from django.core.management import call_command

    path = write_csv(imp_data / "cli.csv", AFTERSALE_HEADER, [aftersale_row("7001", lines[0].sub_order_no)])
    out = io.StringIO()
    call_command(
        "liveops_import", "douyin-aftersales", str(path), "--shop", douyin_shop.name, "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert (result["status"], result["inserted"]) == ("succeeded", 1)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("liveops_import", "douyin-settlements", str(path), "--json", stdout=io.StringIO())
