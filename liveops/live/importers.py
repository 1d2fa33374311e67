"""The "compass-sessions" import (LS-2): the Douyin Compass (抖音电商罗盘) live-session list export,
one row per session, 51 to 55 columns (newer files add 直播激励观看次数 and four consumer-coupon
columns; both are accepted, extra columns are ignored).

- Required columns: 主播昵称, 直播开始时间, 直播结束时间, 直播间观看人数, 直播间观看次数, 直播间成交金额. A
  file without one is refused before any row is read, naming it.
- ``-`` means unavailable: stored as NULL, never 0. Rates come as fractions (``0.1002``) or
  percentages (``10.02%``); both are stored as fractions.
- Times look like ``2026/09/07 08:55:37`` or ``2026/1/3 9:33:16`` (local time).
- The file belongs to one Douyin shop (``--shop``). Each row's account is found by its Douyin ID
  (主播抖音号), else its nickname. A row of an account not registered yet is never rejected for that:
  the account is created under the name the platform gives it, marked unregistered, and listed on the
  accounts page for a person to link (a shop's export includes partner 合作 anchors).
- Each row is matched to the account's scheduled session whose planned window overlaps the row's
  times (the nearest start); unmatched rows become imported sessions, listed for a person to resolve.
  Re-importing the same file changes nothing (rows are keyed on shop, account and start).
- Once a session's actual times are known, its order lines are linked (``attribution_session_apply``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.commerce.import_shops import shop_for_run
from liveops.commerce.parsing import money_fen, parse_datetimes, quantity
from liveops.core.audit import audit_action, snapshot
from liveops.core.imports.registry import (
    CREATE,
    UPDATE,
    Field,
    ImportKind,
    audit_bulk,
    changes_update,
    import_kind_register,
    reject_where,
    split,
)
from liveops.core.models import ImportRun
from liveops.live.models import LiveAccount, LiveSession
from liveops.org.models import Department

# field → (Compass header, aliases). Counts, money and rates are read into the session's columns.
COUNTS = {
    "impressions_ucnt": ("直播间曝光人数",),
    "impressions_cnt": ("直播间曝光次数",),
    "watch_ucnt": ("直播间观看人数",),
    "watch_cnt": ("直播间观看次数",),
    "peak_online": ("最高在线人数",),
    "avg_online": ("平均在线人数",),
    "comments": ("评论次数",),
    "new_fans": ("新增粉丝数",),
    "unfollows": ("取关粉丝数",),
    "product_expose_ucnt": ("直播间商品曝光人数",),
    "product_click_ucnt": ("直播间商品点击人数",),
    "product_expose_cnt": ("直播间商品曝光次数",),
    "product_click_cnt": ("直播间商品点击次数",),
    "orders": ("直播间成交订单数",),
    "units": ("直播间成交件数",),
    "buyers": ("直播间成交人数",),
    "refund_orders": ("直播间退款订单数",),
}
MONEY = {
    "gmv": ("直播间成交金额",),
    "paid_amount": ("直播间用户支付金额",),
    "refund_amount": ("直播间退款金额",),
    "net_gmv": ("净成交金额",),
    "ad_cost": ("直播间投放消耗",),
}
RATES = {"refund_1h_rate": ("1小时退款率",), "old_fan_share": ("观看老粉占比",)}
DECIMALS = {"avg_watch_min": ("人均观看时长(分钟)", "人均观看时长（分钟）")}
REQUIRED = {"anchor_name", "started_at", "ended_at", "watch_ucnt", "watch_cnt", "gmv"}
METRICS = (*COUNTS, *MONEY, *RATES, *DECIMALS)


def _f(name: str, headers: tuple[str, ...], label=None) -> Field:
    return Field(name, label or headers[0], required=name in REQUIRED, aliases=headers[1:])


def rate_expr(col: str) -> pl.Expr:
    """A rate cell as a fraction: ``0.1002`` and ``10.02%`` both give 0.1002; null when unreadable."""
    text = pl.col(col).str.replace_all(r"[\s,]", "")
    number = text.str.strip_suffix("%").cast(pl.Float64, strict=False)
    return pl.when(text.str.ends_with("%")).then(number / 100).otherwise(number).round(4)


def decimal_expr(col: str) -> pl.Expr:
    return pl.col(col).str.replace_all(r"[\s,]", "").cast(pl.Float64, strict=False).round(2)


@import_kind_register
class CompassSessionsImport(ImportKind):
    """Compass live-session list (直播场次列表): one row per session; see the module doc."""

    code = "compass-sessions"
    label = gettext_lazy("Compass live sessions (抖音罗盘)")
    capability = "live.import"
    natural_key = ("anchor_name", "started_at")
    duties = ("LS-2",)
    upsert_slice = 2_000
    fields: ClassVar[tuple[Field, ...]] = (
        Field("anchor_name", "主播昵称", required=True, max_length=100, aliases=("anchor_name", "nickname")),
        Field("anchor_id", "主播抖音号", id_like=True, max_length=60, aliases=("抖音号", "anchor_id")),
        Field("shop_name", "店铺名称", max_length=100),
        Field("started_at", "直播开始时间", required=True, aliases=("开播时间", "start_time")),
        Field("ended_at", "直播结束时间", required=True, aliases=("下播时间", "end_time")),
        *(_f(k, v) for k, v in COUNTS.items()),
        *(_f(k, v) for k, v in MONEY.items()),
        *(_f(k, v) for k, v in RATES.items()),
        *(_f(k, v) for k, v in DECIMALS.items()),
    )

    @classmethod
    def option_fields(cls, access) -> dict:
        from django import forms

        from liveops.commerce.selectors.shops import shops_visible

        shops = shops_visible(access=access, capability="commerce.view").filter(
            is_active=True, platform="douyin"
        )
        return {"shop": forms.ModelChoiceField(queryset=shops.order_by("name"), label=gettext_lazy("Shop"))}

    def prepare(self) -> None:
        # Live staff import for the centre's shops, which they may read but not run.
        self.shop = shop_for_run(self.run, access=self.access, platform="douyin", capability="commerce.view")
        self.department = (
            (
                Department.objects.filter(pk=self.access.staff_department_id).first()
                if self.access.staff_department_id
                else None
            )
            or Department.objects.filter(code="LS").first()
            or self.shop.department
        )
        self.touched: set[int] = set()
        self.new_accounts: list[str] = []
        self.matched = 0
        self.unmatched = 0
        self.totals = [0, 0, 0]

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        f = parse_datetimes(frame, ["started_at", "ended_at"])
        f = f.with_columns(
            *(quantity(k).alias(f"__{k}") for k in COUNTS),
            *(money_fen(k).alias(f"__{k}") for k in MONEY),
            *(rate_expr(k).alias(f"__{k}") for k in RATES),
            *(decimal_expr(k).alias(f"__{k}") for k in DECIMALS),
        )
        rejects = [
            reject_where(
                f,
                pl.col("__t_started_at").is_null(),
                column="started_at",
                reason=_("Not a time: write it as 2026/09/07 08:55:37."),
            ),
            reject_where(
                f,
                pl.col("ended_at").is_not_null() & pl.col("__t_ended_at").is_null(),
                column="ended_at",
                reason=_("Not a time: write it as 2026/09/07 08:55:37."),
            ),
            reject_where(
                f,
                pl.col("__t_ended_at") < pl.col("__t_started_at"),
                column="ended_at",
                reason=_("The session ends before it starts."),
            ),
        ]
        for k in COUNTS:
            rejects.append(
                reject_where(
                    f,
                    pl.col(k).is_not_null() & pl.col(f"__{k}").is_null(),
                    column=k,
                    reason=_("Not a whole number of at least 0."),
                )
            )
        for k in MONEY:
            rejects.append(
                reject_where(
                    f,
                    pl.col(k).is_not_null() & pl.col(f"__{k}").is_null(),
                    column=k,
                    reason=_("Not an amount: a number in CNY with at most two decimals, e.g. 1280 or 35.5."),
                )
            )
        for k in (*RATES, *DECIMALS):
            rejects.append(
                reject_where(
                    f,
                    pl.col(k).is_not_null() & pl.col(f"__{k}").is_null(),
                    column=k,
                    reason=_("Not a number or a percentage."),
                )
            )
        valid, all_rejects = split(f, rejects)
        return valid, all_rejects

    def _accounts(self, valid: pl.DataFrame) -> dict[tuple[str, str], LiveAccount]:
        """The account of each (Douyin ID, nickname) in the batch; new ones created, unregistered."""
        pairs = set(valid.select(pl.col("anchor_id").fill_null(""), "anchor_name").iter_rows())
        known = list(
            LiveAccount.objects.filter(platform="douyin").filter(
                platform_account_id__in=[i for i, _n in pairs if i]
            )
        ) + list(LiveAccount.objects.filter(platform="douyin", name__in=[n for _i, n in pairs]))
        by_id = {a.platform_account_id: a for a in known if a.platform_account_id}
        by_name = {a.name: a for a in known}
        out, created = {}, []
        for anchor_id, name in sorted(pairs):
            account = by_id.get(anchor_id) if anchor_id else None
            account = account or by_name.get(name)
            if account is None:
                account = LiveAccount.objects.create(
                    platform="douyin",
                    name=name,
                    platform_account_id=anchor_id if anchor_id and anchor_id not in by_id else "",
                    shop=self.shop,
                    department=self.department,
                    is_registered=False,
                )
                by_name[name] = account
                if anchor_id:
                    by_id[anchor_id] = account
                created.append(account)
                self.new_accounts.append(name)
            out[(anchor_id, name)] = account
        if created:
            audit_bulk(actor=self.actor, entries=[(CREATE, a, {"after": snapshot(a)}) for a in created])
        return out

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        accounts = self._accounts(valid)
        now = timezone.now()
        cols = ["anchor_id", "anchor_name", "__t_started_at", "__t_ended_at", *(f"__{k}" for k in METRICS)]
        rows = valid.select(pl.col("anchor_id").fill_null(""), *cols[1:]).iter_rows()
        keyed = []
        for row in rows:
            anchor_id, name, start, end, *values = row
            account = accounts[(anchor_id, name)]
            start = start.replace(tzinfo=dt.UTC) if start.tzinfo is None else start
            end = end.replace(tzinfo=dt.UTC) if end is not None and end.tzinfo is None else end
            figures = {}
            for key, value in zip(METRICS, values, strict=True):
                if value is None:
                    figures[key] = None
                elif key in MONEY:
                    figures[key] = (Decimal(value) / 100).quantize(Decimal("0.01"))
                elif key in RATES:
                    figures[key] = Decimal(str(value)).quantize(Decimal("0.0001"))
                elif key in DECIMALS:
                    figures[key] = Decimal(str(value)).quantize(Decimal("0.01"))
                else:
                    figures[key] = int(value)
            key = f"{self.shop.pk}:{account.pk}:{start:%Y%m%dT%H%M%S}"
            keyed.append((key, account, start, end, figures))
        existing = {
            s.compass_key: s for s in LiveSession.objects.filter(compass_key__in=[k[0] for k in keyed])
        }
        new, changed, unchanged = [], [], 0
        fields = ["actual_start", "actual_end", *METRICS]
        for key, account, start, end, figures in keyed:
            session = existing.get(key)
            if session is None:
                session = self._match(account, start, end or start)
                if session is not None:
                    self.matched += 1
            if session is None:
                self.unmatched += 1
                s = LiveSession(
                    account=account,
                    department_id=account.department_id,
                    origin=LiveSession.Origin.IMPORTED,
                    actual_start=start,
                    actual_end=end,
                    compass_key=key,
                    figures_source="compass",
                    figures_updated_at=now,
                    **figures,
                )
                s.save()
                new.append(s)
                self.touched.add(s.pk)
                continue
            before = snapshot(session, fields)
            for k, v in figures.items():
                setattr(session, k, v)
            session.actual_start, session.actual_end = start, end
            diff = changes_update(before, snapshot(session, fields))
            if diff is None and session.compass_key == key:
                unchanged += 1
                continue
            session.compass_key = key
            session.figures_source = "compass"
            session.figures_updated_at = now
            session.save()
            changed.append((session, diff or {}))
            self.touched.add(session.pk)
        audit_bulk(
            actor=actor,
            entries=[
                *((CREATE, s, {"after": snapshot(s)}) for s in new),
                *((UPDATE, s, d) for s, d in changed),
            ],
        )
        counts = (len(new), len(changed), unchanged)
        self.totals = [t + c for t, c in zip(self.totals, counts, strict=True)]
        return counts

    def _match(self, account: LiveAccount, start: dt.datetime, end: dt.datetime) -> LiveSession | None:
        """The account's scheduled session (not yet matched) whose planned window overlaps the row's
        times, nearest start first."""
        candidates = list(
            LiveSession.objects.filter(
                account=account,
                origin=LiveSession.Origin.SCHEDULED,
                compass_key__isnull=True,
                planned_start__lt=max(end, start + dt.timedelta(minutes=1)),
                planned_end__gt=start,
            )
        )
        if not candidates:
            return None
        return min(candidates, key=lambda s: (abs((s.planned_start - start).total_seconds()), s.pk))

    def finalize(self, *, run: ImportRun, actor) -> None:
        """Link the touched sessions' order lines, and audit the run with what needs a person."""
        from liveops.live.services.sessions import session_attribute_lines

        linked = 0
        for session in LiveSession.objects.filter(pk__in=self.touched).select_related("account"):
            linked += session_attribute_lines(actor=actor, session=session)
        if run is None or run.pk is None:
            return
        audit_action(
            actor=actor,
            instance=run,
            verb="import_compass_sessions",
            details={
                "shop": self.shop.pk,
                "inserted": self.totals[0],
                "updated": self.totals[1],
                "unchanged": self.totals[2],
                "matched_to_schedule": self.matched,
                "unmatched": self.unmatched,
                "accounts_to_link": sorted(set(self.new_accounts)),
                "order_lines_linked": linked,
            },
        )
