"""Test data for e-commerce operations: shops and order lines written straight through the ORM
(the import path has its own tests). ``make_line`` fills every required field with plausible values."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from liveops.commerce.models import Order, OrderLine, Shop
from liveops.org.models import Department

_seq = itertools.count(1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_shop(*, platform: str = "douyin", name: str | None = None, department_code: str = "EC") -> Shop:
    department = Department.objects.get(code=department_code)
    return Shop.objects.create(platform=platform, name=name or f"测试店铺{next(_seq)}", department=department)


def make_line(
    shop: Shop,
    *,
    order: Order | None = None,
    paid_at: dt.datetime | None = None,
    amount_paid_fen: int = 9900,
    quantity: int = 1,
    status: str = "completed",
    **fields,
) -> OrderLine:
    """One line (and its order, unless given), paid at ``paid_at`` (default: now)."""
    n = next(_seq)
    paid_at = paid_at or dt.datetime.now(tz=SHANGHAI)
    if order is None:
        order = Order.objects.create(
            shop=shop,
            order_no=f"O{n:08d}",
            submitted_at=paid_at,
            paid_at=paid_at,
            line_count=1,
            amount_paid_fen=amount_paid_fen,
        )
    values = {
        "order": order,
        "shop": shop,
        "sub_order_no": f"S{n:08d}",
        "product_title": "测试商品",
        "quantity": quantity,
        "unit_price_fen": amount_paid_fen // max(quantity, 1),
        "amount_due_fen": amount_paid_fen,
        "amount_paid_fen": amount_paid_fen,
        "status": status,
        "submitted_at": paid_at,
        "paid_at": paid_at,
        "day": paid_at.astimezone(SHANGHAI).date(),
    }
    values.update(fields)
    return OrderLine.objects.create(**values)


def orders_import(path, shop: Shop, actor=None, kind: str = "douyin-orders"):
    """Import an order export into ``shop`` at once, as the worker would run the job; returns the run."""
    from liveops.core.imports.services import import_start

    return import_start(
        actor=actor, kind=kind, file=path, file_name=path.name, options={"shop": shop.name}, run_now=True
    )
