"""The small world the dashboard and order-page tests share: an EC Douyin shop and an LS Taobao shop
(another department), order lines written with the factories and rolled up with ``rollups_refresh``
(the same path the imports take), two anchors, two library products of one merchant.

EC shop, Asia/Shanghai (D1 Monday 2026-03-02, D2 Tuesday, D3 the Tuesday after):

- D1 order A: two lines, 100.00 ×2 units (P1, anchor 1) and 50.00 (P2, anchor 1), 浙江, 直播, buyer b1,
  paid 10:15. Order B: 200.00 (P1, anchor 2), 广东, 短视频, buyer b2, paid 20:30, refunded in full.
  Order C: 30.00 submitted 11:00, never paid.
- D2 order D: 80.00 (P2, no anchor), 浙江, buyer b1, paid 09:05.
- D3 order E: 10.00 (no product), buyer b3, paid 12:00.

LS shop: D1 order F: 999.00 (P1, anchor 1), buyer b9.

So on D1: GMV 35,000 fen, 2 paid orders, 3 paid lines, 4 units, 2 buyers, 3 submitted orders, refunds
20,000; the first week: GMV 43,000, 3 orders, 2 distinct buyers (3 if daily buyers were added up)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from liveops.commerce.contacts import contact_seal
from liveops.commerce.models import AnchorAccount, DailyShopRollup, Order, OrderLine
from liveops.commerce.services.rollups import rollups_refresh
from tests.commerce.factories import SHANGHAI, make_line, make_shop
from tests.factories import make_merchant, make_product

D1 = dt.date(2026, 3, 2)
D2 = dt.date(2026, 3, 3)
D3 = dt.date(2026, 3, 10)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def dash(org):
    ec = make_shop(platform="douyin", name="抖音旗舰店", department_code="EC")
    ls = make_shop(platform="taobao", name="淘宝直播店", department_code="LS")
    merchant = make_merchant("测试品牌方")
    p1 = make_product(merchant, title="玻尿酸补水面膜")
    p2 = make_product(merchant, title="氨基酸洗面奶")
    a1 = AnchorAccount.objects.create(platform="douyin", platform_anchor_id="71000001", nickname="小美直播间")
    a2 = AnchorAccount.objects.create(platform="douyin", platform_anchor_id="71000002", nickname="阿强好物")
    common = {"merchant": merchant}

    a_first = make_line(
        ec,
        paid_at=at(D1, 10, 15),
        amount_paid_fen=10000,
        quantity=2,
        product=p1,
        anchor_account=a1,
        province="浙江",
        traffic_source="直播",
        buyer_key="b1",
        **common,
    )
    order_a = a_first.order
    Order.objects.filter(pk=order_a.pk).update(
        line_count=2,
        amount_paid_fen=15000,
        buyer_name_masked="张**",
        buyer_phone_masked="138****5678",
        buyer_address_masked="浙江省杭州市****",
        contact_sealed=contact_seal(
            {"name": "张三丰", "phone": "13812345678", "address": "浙江省杭州市西湖区文三路1号"}
        ),
        province="浙江",
        city="杭州市",
    )
    make_line(
        ec,
        order=order_a,
        paid_at=at(D1, 10, 15),
        amount_paid_fen=5000,
        product=p2,
        anchor_account=a1,
        province="浙江",
        traffic_source="直播",
        buyer_key="b1",
        **common,
    )
    b = make_line(
        ec,
        paid_at=at(D1, 20, 30),
        amount_paid_fen=20000,
        product=p1,
        anchor_account=a2,
        province="广东",
        traffic_source="短视频",
        buyer_key="b2",
        refund_fen=20000,
        aftersale_state="refunded",
        status="closed",
        **common,
    )
    Order.objects.filter(pk=b.order_id).update(
        buyer_name_masked="##AbCdEf", buyer_phone_masked="$$1a2b3c", contact_platform_encrypted=True
    )
    c = make_line(ec, paid_at=at(D1, 11, 0), amount_paid_fen=3000, status="unpaid", buyer_key="b4")
    OrderLine.objects.filter(pk=c.pk).update(paid_at=None)
    Order.objects.filter(pk=c.order_id).update(paid_at=None)
    d = make_line(
        ec, paid_at=at(D2, 9, 5), amount_paid_fen=8000, product=p2, province="浙江", buyer_key="b1", **common
    )
    e = make_line(ec, paid_at=at(D3, 12, 0), amount_paid_fen=1000, buyer_key="b3", status="shipped")
    f = make_line(
        ls,
        paid_at=at(D1, 15, 0),
        amount_paid_fen=99900,
        product=p1,
        anchor_account=a1,
        buyer_key="b9",
        **common,
    )
    rollups_refresh(shop_days={ec.pk: {D1, D2, D3}, ls.pk: {D1}})
    return SimpleNamespace(
        ec=ec,
        ls=ls,
        merchant=merchant,
        p1=p1,
        p2=p2,
        a1=a1,
        a2=a2,
        order_a=Order.objects.get(pk=order_a.pk),
        order_b=Order.objects.get(pk=b.order_id),
        order_c=Order.objects.get(pk=c.order_id),
        order_d=Order.objects.get(pk=d.order_id),
        order_e=Order.objects.get(pk=e.order_id),
        order_f=Order.objects.get(pk=f.order_id),
        line_a1=a_first,
    )


def test_world_rolls_up_as_described(dash):
    d1 = DailyShopRollup.objects.get(shop=dash.ec, day=D1)
    assert (d1.gmv_fen, d1.orders_paid, d1.lines_paid, d1.units, d1.buyers, d1.orders_submitted) == (
        35000,
        2,
        3,
        4,
        2,
        3,
    )
    assert (d1.refund_fen, d1.refund_lines) == (20000, 1)
