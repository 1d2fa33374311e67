"""Reads of orders for the order pages and the API, scoped to the shops the actor sees.

The order table holds millions of rows, so the list never counts it (no ``COUNT(*)``) and pages
with a keyset, one query per shop merged in Python when several shops are shown (shops are few):
by payment time (``paid_at``, then id) through the (shop, paid_at) index; or by id for all orders,
unpaid ones included, through the (shop, id) index (the API too: ``OrdersByShop``). Status and after-sales filters are ``EXISTS`` on the order's lines."""

from __future__ import annotations

import base64
import datetime as dt
import heapq
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet

from liveops.commerce.models import AfterSale, Order, OrderLine, SettlementEntry, Shop
from liveops.commerce.models.orders import AfterSaleState, LineStatus
from liveops.commerce.selectors.shops import shop_ids_visible
from liveops.core.access import Access

PAGE_SIZE = 50
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Above this many shops the per-shop merge costs more than one query sorted by the database.
_MERGE_MAX_SHOPS = 30
ORDERINGS = ("paid", "new")
AFTERSALE_ANY = "any"


@dataclass(frozen=True)
class OrderFilters:
    """Filters of the order list. ``ordering`` ``paid``: paid orders by payment time, newest first,
    the dates on payment time; ``new``: every order (unpaid too) newest imported first, the dates on
    submission time. The ``unpaid`` status implies ``new``."""

    shop_id: int | None = None
    status: str = ""
    aftersale: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    search: str = ""
    ordering: str = "paid"

    @property
    def effective_ordering(self) -> str:
        if self.status == LineStatus.UNPAID or self.ordering not in ORDERINGS:
            return "new"
        return self.ordering


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in Asia/Shanghai (the day of the platforms' exports)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def filter_lines(qs: QuerySet[Order], *, status: str = "", aftersale: str = "") -> QuerySet[Order]:
    """Orders with at least one line of this status and/or after-sales state (``any``: some
    after-sales); unknown values filter nothing."""
    lines = OrderLine.objects.filter(order_id=OuterRef("pk"))
    if status in LineStatus.values:
        qs = qs.filter(Exists(lines.filter(status=status)))
    if aftersale == AFTERSALE_ANY:
        qs = qs.filter(Exists(lines.exclude(aftersale_state=AfterSaleState.NONE)))
    elif aftersale in AfterSaleState.values:
        qs = qs.filter(Exists(lines.filter(aftersale_state=aftersale)))
    return qs


def orders_visible(*, access: Access) -> QuerySet[Order]:
    """Orders of the shops the actor may see."""
    return Order.objects.filter(shop_id__in=shop_ids_visible(access=access))


def _filtered(*, access: Access, filters: OrderFilters) -> tuple[QuerySet[Order], list[int]]:
    shop_ids = shop_ids_visible(access=access)
    if filters.shop_id is not None:
        shop_ids = [s for s in shop_ids if s == filters.shop_id]
    qs = filter_lines(
        Order.objects.filter(shop_id__in=shop_ids), status=filters.status, aftersale=filters.aftersale
    )
    search = (filters.search or "").strip()[:40]
    if search:
        qs = qs.filter(
            Q(order_no=search)
            | Q(pk__in=OrderLine.objects.filter(shop_id__in=shop_ids, sub_order_no=search).values("order_id"))
        )
    time_field = "paid_at" if filters.effective_ordering == "paid" else "submitted_at"
    if filters.effective_ordering == "paid":
        qs = qs.filter(paid_at__isnull=False)
    if filters.date_from:
        qs = qs.filter(**{f"{time_field}__gte": local_midnight(filters.date_from)})
    if filters.date_to:
        qs = qs.filter(**{f"{time_field}__lt": local_midnight(filters.date_to + dt.timedelta(days=1))})
    return qs, shop_ids


def newest_first(
    qs: QuerySet[Order], shop_ids: list[int], count: int, *, descending: bool = True
) -> list[Order]:
    """The first ``count`` orders of ``qs`` by id (newest first unless ``descending`` is false), read
    as one range of the (shop, id) index per shop and merged, so the database never sorts the orders
    of several shops. ``qs`` is already limited to ``shop_ids``; with many shops (more than
    ``_MERGE_MAX_SHOPS``) one sorted query is cheaper than the merge."""
    qs = qs.order_by("-id" if descending else "id")
    if len(shop_ids) > _MERGE_MAX_SHOPS:
        return list(qs[:count])
    runs = [list(qs.filter(shop_id=s)[:count]) for s in shop_ids]
    if len(runs) == 1:
        return runs[0]
    return list(itertools.islice(heapq.merge(*runs, key=lambda o: o.pk, reverse=descending), count))


class OrdersByShop:
    """Stands for a queryset of orders in DRF's cursor pagination (ordered by id): it keeps the
    ordering and the cursor's filter, and answers the page's slice with ``newest_first``, one index
    range per shop. Everything else is the queryset's."""

    def __init__(self, qs: QuerySet[Order], shop_ids: list[int]):
        self.qs = qs
        self.shop_ids = shop_ids

    def __getattr__(self, name):
        return getattr(self.qs, name)

    def order_by(self, *fields) -> OrdersByShop:
        return OrdersByShop(self.qs.order_by(*fields), self.shop_ids)

    def filter(self, *args, **kwargs) -> OrdersByShop:
        return OrdersByShop(self.qs.filter(*args, **kwargs), self.shop_ids)

    def __getitem__(self, part: slice) -> list[Order]:
        if not isinstance(part, slice) or part.stop is None:
            raise TypeError("OrdersByShop answers bounded slices only")
        order = list(self.qs.query.order_by)
        if order not in (["-id"], ["id"], ["-pk"], ["pk"]):
            return list(self.qs[part])
        rows = newest_first(self.qs, self.shop_ids, part.stop, descending=order[0].startswith("-"))
        return rows[part.start or 0 : part.stop]


def cursor_encode(order: Order, ordering: str) -> str:
    raw = f"p|{order.paid_at.isoformat()}|{order.pk}" if ordering == "paid" else f"i|{order.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str, ordering: str) -> tuple[dt.datetime | None, int] | None:
    """The (paid_at, id) position of a cursor; ``None`` when it is not a cursor of this ordering."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = raw.split("|")
        if ordering == "paid" and parts[0] == "p" and len(parts) == 3:
            at = dt.datetime.fromisoformat(parts[1])
            # A forged cursor near year 1 or 9999 would overflow when the database converts it to UTC.
            if not 2000 <= at.year <= 2099 or not 0 <= int(parts[2]) < 2**63:
                return None
            return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)), int(parts[2])
        if ordering == "new" and parts[0] == "i" and len(parts) == 2:
            return (None, int(parts[1])) if 0 <= int(parts[1]) < 2**63 else None
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def order_page(
    *, access: Access, filters: OrderFilters, cursor: str = "", size: int = PAGE_SIZE
) -> tuple[list[Order], str]:
    """One page of orders and the cursor of the next page (``""`` at the end)."""
    qs, shop_ids = _filtered(access=access, filters=filters)
    ordering = filters.effective_ordering
    position = cursor_decode(cursor, ordering) if cursor else None
    if ordering == "paid":
        if position:
            at, pk = position
            qs = qs.filter(Q(paid_at__lt=at) | Q(paid_at=at, pk__lt=pk))
        order_by = ("-paid_at", "-id")
        if 1 < len(shop_ids) <= _MERGE_MAX_SHOPS and not filters.search:
            # One index range per shop, merged: the database need not sort every order of every shop.
            runs = [list(qs.filter(shop_id=s).order_by(*order_by)[: size + 1]) for s in shop_ids]
            rows = list(heapq.merge(*runs, key=lambda o: (o.paid_at, o.pk), reverse=True))[: size + 1]
        else:
            rows = list(qs.order_by(*order_by)[: size + 1])
    else:
        if position:
            qs = qs.filter(pk__lt=position[1])
        rows = (
            newest_first(qs, shop_ids, size + 1)
            if not filters.search
            else list(qs.order_by("-id")[: size + 1])
        )
    more = len(rows) > size
    rows = rows[:size]
    ids = {o.shop_id for o in rows}
    shops = Shop.objects.in_bulk(list(ids))
    for o in rows:
        o.shop = shops[o.shop_id]
    return rows, cursor_encode(rows[-1], ordering) if more and rows else ""


def line_states(orders: list[Order]) -> dict[int, dict]:
    """Per order of a page: the set of line statuses and after-sales states (one query)."""
    out: dict[int, dict] = {o.pk: {"status": set(), "aftersale": set()} for o in orders}
    for order_id, status, aftersale in OrderLine.objects.filter(order_id__in=list(out)).values_list(
        "order_id", "status", "aftersale_state"
    ):
        out[order_id]["status"].add(status)
        if aftersale != AfterSaleState.NONE:
            out[order_id]["aftersale"].add(aftersale)
    status_labels = dict(LineStatus.choices)
    aftersale_labels = dict(AfterSaleState.choices)
    return {
        pk: {
            "status": [status_labels.get(s, s) for s in sorted(v["status"])],
            "aftersale": [aftersale_labels.get(s, s) for s in sorted(v["aftersale"])],
        }
        for pk, v in out.items()
    }


def order_get(*, access: Access, pk: int) -> Order | None:
    """One order of a visible shop, with its shop and department."""
    return orders_visible(access=access).select_related("shop", "shop__department").filter(pk=pk).first()


def order_lines(order: Order) -> QuerySet[OrderLine]:
    return (
        OrderLine.objects.filter(order=order)
        .select_related("anchor_account", "product", "sku", "merchant")
        .order_by("id")
    )


def order_aftersales(order: Order, lines: list[OrderLine]) -> QuerySet[AfterSale]:
    return AfterSale.objects.filter(line_id__in=[x.pk for x in lines]).order_by("applied_at", "id")


def order_settlements(order: Order, lines: list[OrderLine]) -> QuerySet[SettlementEntry]:
    return SettlementEntry.objects.filter(line_id__in=[x.pk for x in lines]).order_by("occurred_at", "id")


def can_see_personal(*, access: Access, order: Order) -> bool:
    """Whether the actor may unmask the buyer's contact: ``commerce.view_personal`` over the shop's
    department."""
    return access.reaches_department("commerce.view_personal", order.shop.department_id)
