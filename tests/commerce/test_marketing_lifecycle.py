"""Product lifecycle tags (EC-5): the rules of ``lifecycle_classify`` checked with hypothesis and by
example, and ``lifecycle_recompute`` reading the rollups and storing the tags in bulk."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveops.commerce.models import ProductLifecycle
from liveops.commerce.selectors import marketing as sel
from liveops.commerce.services.lifecycle import (
    LifecycleRules,
    ProductSales,
    lifecycle_classify,
    lifecycle_recompute,
)
from liveops.core.access import access_for
from tests.commerce.marketing_support import mworld_fixture, product_day  # noqa: F401

AS_OF = dt.date(2026, 6, 30)
RULES = LifecycleRules()


def days_ago(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


def sales(daily: dict[int, int], *, first: int | None = None) -> ProductSales:
    """A product's sales from {days ago: GMV fen}; ``first`` days ago for an earlier first sale."""
    sold = [n for n, v in daily.items() if v > 0]
    first_ago = max([*sold, *([first] if first is not None else [])])
    last_ago = min(sold) if sold else first_ago
    return ProductSales(
        first_sale=days_ago(first_ago),
        last_sale=days_ago(last_ago),
        daily_gmv={days_ago(n): v for n, v in daily.items()},
    )


@st.composite
def product_sales(draw):
    sale_days = draw(st.lists(st.integers(min_value=0, max_value=34), unique=True, max_size=12))
    daily = {n: draw(st.integers(min_value=1, max_value=5_000_000)) for n in sale_days}
    earlier = draw(st.one_of(st.none(), st.integers(min_value=35, max_value=400)))
    if not daily and earlier is None:
        earlier = draw(st.integers(min_value=0, max_value=400))
    if not daily:
        # Sold only before the window read by the rules.
        return ProductSales(first_sale=days_ago(earlier), last_sale=days_ago(earlier), daily_gmv={})
    return sales(daily, first=earlier)


WORLDS = st.dictionaries(st.integers(min_value=1, max_value=10_000), product_sales(), max_size=40)


def _weeks(s: ProductSales) -> list[int]:
    return [
        sum(
            v
            for d, v in s.daily_gmv.items()
            if AS_OF - dt.timedelta(days=7 * k + 6) <= d <= AS_OF - dt.timedelta(days=7 * k)
        )
        for k in range(5)
    ]


def _gmv28(s: ProductSales) -> int:
    return sum(v for d, v in s.daily_gmv.items() if d >= days_ago(27))


@given(world=WORLDS)
@settings(max_examples=300, deadline=None)
def test_every_product_gets_exactly_the_tag_its_rules_give(world):
    out = lifecycle_classify(world, as_of=AS_OF)
    assert set(out) == set(world)
    ranked = sorted(
        (p for p, s in world.items() if s.last_sale >= days_ago(27) and _gmv28(s) > 0),
        key=lambda p: (-_gmv28(world[p]), p),
    )
    slots = max(1, math.ceil(len(ranked) * 0.05)) if ranked else 0
    for pid, s in world.items():
        tag, figures = out[pid]
        w = _weeks(s)
        dormant = s.last_sale < days_ago(27)
        hit = not dormant and pid in ranked[:slots] and _gmv28(s) >= RULES.hit_floor_fen
        new = s.first_sale >= days_ago(13)
        rising = w[0] > 0 and 2 * w[0] >= 3 * w[1]
        falling = w[4] > w[3] > w[2] > w[1] > w[0]
        if dormant:
            expected = "clearance"
        elif hit:
            expected = "hit"
        elif new:
            expected = "new"
        elif rising:
            expected = "rising"
        elif falling:
            expected = "clearance"
        else:
            expected = "long_tail"
        assert tag == expected, (pid, figures)
        assert figures["gmv_28d_fen"] == _gmv28(s)
        assert figures["weeks_fen"] == w


@given(world=WORLDS)
@settings(max_examples=150, deadline=None)
def test_hits_are_the_top_of_the_ranking_and_few(world):
    out = lifecycle_classify(world, as_of=AS_OF)
    hits = [p for p, (t, _f) in out.items() if t == "hit"]
    selling = [p for p, (_t, f) in out.items() if f["sold_in_window"] and f["gmv_28d_fen"] > 0]
    assert len(hits) <= max(1, math.ceil(len(selling) * 0.05))
    for h in hits:
        assert out[h][1]["gmv_28d_fen"] >= RULES.hit_floor_fen
        # Anyone ranked above a hit is a hit too.
        for p in selling:
            if (out[p][1]["rank_28d"] or 10**9) < out[h][1]["rank_28d"]:
                assert out[p][0] == "hit"


@given(world=WORLDS, k=st.integers(min_value=2, max_value=50))
@settings(max_examples=100, deadline=None)
def test_tags_do_not_depend_on_order_or_currency_scale(world, k):
    out = lifecycle_classify(world, as_of=AS_OF)
    reversed_world = dict(reversed(list(world.items())))
    assert lifecycle_classify(reversed_world, as_of=AS_OF) == out
    scaled = {
        p: ProductSales(s.first_sale, s.last_sale, {d: v * k for d, v in s.daily_gmv.items()})
        for p, s in world.items()
    }
    scaled_rules = LifecycleRules(hit_floor_fen=RULES.hit_floor_fen * k)
    assert {p: t for p, (t, _f) in lifecycle_classify(scaled, as_of=AS_OF, rules=scaled_rules).items()} == {
        p: t for p, (t, _f) in out.items()
    }


def test_rules_by_example():
    world = {
        1: sales({3: 5_000_000}, first=200),  # the top seller: hit
        2: sales({2: 100}),  # first sale 2 days ago: new
        3: sales({1: 300, 9: 200}, first=100),  # 300 ≥ 1.5 × 200: rising
        4: sales({1: 299, 9: 200}, first=100),  # 299 < 300: long tail
        5: sales({30: 900, 23: 800, 16: 700, 9: 600, 2: 500}, first=100),  # falling four weeks: clearance
        6: sales({}, first=60),  # sold 60 days ago, nothing since: clearance
        7: sales({30: 900, 23: 800, 16: 800, 9: 600, 2: 500}, first=100),  # not strictly falling
    }
    world.update(
        {100 + i: sales({5: 1_000, 12: 1_000}, first=100) for i in range(30)}
    )  # 36 selling → 2 hit slots
    out = {p: t for p, (t, _f) in lifecycle_classify(world, as_of=AS_OF).items()}
    assert out[1] == "hit"
    assert out[2] == "new"
    assert out[3] == "rising"
    assert out[4] == "long_tail"
    assert out[5] == "clearance"
    assert out[6] == "clearance"
    assert out[7] == "long_tail"
    assert out[100] == "long_tail"  # second place, but under the ¥10,000 floor
    assert lifecycle_classify(world, as_of=AS_OF)[6][1]["rule"] == "no_sale_28d"
    assert lifecycle_classify(world, as_of=AS_OF)[5][1]["rule"] == "falling_4_weeks"


def test_a_new_hit_is_a_hit_and_a_product_not_yet_sold_has_no_tag():
    world = {
        1: sales({0: 2_000_000}),
        2: ProductSales(first_sale=AS_OF + dt.timedelta(days=1), last_sale=None),
    }
    out = lifecycle_classify(world, as_of=AS_OF)
    assert out[1][0] == "hit" and 2 not in out


@pytest.mark.django_db
def test_recompute_stores_tags_in_bulk_keeps_since_and_removes_stale(mworld):
    today = dt.date.today()
    product_day(mworld.douyin, mworld.p1, today - dt.timedelta(days=1), 2_000_000)
    product_day(mworld.taobao, mworld.p1, today - dt.timedelta(days=1), 100)
    product_day(mworld.douyin, mworld.p2, today - dt.timedelta(days=60), 500)
    product_day(mworld.douyin, None, today, 999)  # unmatched lines: no product, no tag
    counts = lifecycle_recompute(as_of=today)
    tags = {pl.product_id: pl for pl in ProductLifecycle.objects.all()}
    assert tags[mworld.p1.pk].tag == "hit" and tags[mworld.p1.pk].metrics["gmv_28d_fen"] == 2_000_100
    assert tags[mworld.p2.pk].tag == "clearance"
    assert counts["hit"] == 1 and counts["clearance"] == 1 and counts["removed"] == 0
    since = tags[mworld.p1.pk].since
    assert since == today
    # The same rollups a day later: the tag stays and keeps its first day.
    lifecycle_recompute(as_of=today + dt.timedelta(days=1))
    assert ProductLifecycle.objects.get(product=mworld.p1).since == since
    # Rollups gone (e.g. lines re-attributed): the stale tag is removed.
    from liveops.commerce.models import DailyDimensionRollup

    DailyDimensionRollup.objects.filter(key=str(mworld.p2.pk)).delete()
    counts = lifecycle_recompute(as_of=today)
    assert counts["removed"] == 1 and not ProductLifecycle.objects.filter(product=mworld.p2).exists()


@pytest.mark.django_db
def test_lifecycle_list_is_scoped_to_products_sold_in_visible_shops(mworld):
    today = dt.date.today()
    product_day(mworld.douyin, mworld.p1, today, 100)
    product_day(mworld.ls_shop, mworld.p2, today, 100)
    lifecycle_recompute(as_of=today)
    assert {pl.product_id for pl in sel.lifecycle_list(access=access_for(mworld.member))} == {mworld.p1.pk}
    assert {pl.product_id for pl in sel.lifecycle_list(access=access_for(mworld.auditor))} == {
        mworld.p1.pk,
        mworld.p2.pk,
    }
    assert not sel.lifecycle_list(access=access_for(mworld.other)).exists()
    assert sel.lifecycle_counts(access=access_for(mworld.member))["new"] == 1
