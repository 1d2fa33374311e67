"""The "ad-spend" import (LC-3): daily spend of ad plans (巨量千川, 直通车, 引力魔方, 磁力金牛, DOU+…)
from the ad platforms' report exports, one row per plan and day.

Columns (Chinese and English headers are recognised): 日期 (required), 渠道/投放平台 (or the run's
``channel`` option when the file is from one platform and has no such column), 计划ID, 计划名称,
消耗/花费 (required, CNY), 展示数, 点击数, 成交金额 (the GMV the ad platform attributes to itself).

The file belongs to one shop, named by the run's ``shop`` option (name or ID; ``--shop`` on the
command line): the run is refused before reading a row when the shop is unknown or the actor may not
import into it (``commerce.import`` over the shop's department). Rows are matched on (shop, channel,
day, plan ID), so importing the same file again changes nothing and a corrected export updates the
rows that changed (each created or changed row is audited, with what changed).

Campaign links: the run's ``campaign`` option (ID or name) links the rows within the campaign's dates
to it; other rows are linked to the one campaign covering their shop and day, if exactly one does,
and an existing link is kept. After the last batch, the budgets of the touched days are checked and
the overspend alert fires for those whose spend passed their amount.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.commerce.import_shops import run_option, shop_for_run, shop_lock_key
from liveops.commerce.models import AdSpend, Campaign
from liveops.commerce.models.marketing import AdChannel
from liveops.commerce.parsing import money_fen, quantity
from liveops.commerce.services.marketing import CampaignFinder, budgets_check_overspend
from liveops.core.audit import audit_action, snapshot
from liveops.core.forms import int_or_none
from liveops.core.imports.readers import LINE, ImportRefused
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
from liveops.core.imports.runner import reason_with
from liveops.core.models import ImportRun

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
# What ad platforms and people call the channels → AdChannel (compared in lower case, no spaces).
CHANNEL_WORDS = {
    "千川": AdChannel.QIANCHUAN,
    "巨量千川": AdChannel.QIANCHUAN,
    "千川pc版": AdChannel.QIANCHUAN,
    "千川随心推": AdChannel.QIANCHUAN,
    "qianchuan": AdChannel.QIANCHUAN,
    "直通车": AdChannel.ZHITONGCHE,
    "淘宝直通车": AdChannel.ZHITONGCHE,
    "zhitongche": AdChannel.ZHITONGCHE,
    "引力魔方": AdChannel.YINLI,
    "yinli": AdChannel.YINLI,
    "磁力金牛": AdChannel.CIXI,
    "快手磁力金牛": AdChannel.CIXI,
    "cixi": AdChannel.CIXI,
    "dou+": AdChannel.DOU_PLUS,
    "抖+": AdChannel.DOU_PLUS,
    "douplus": AdChannel.DOU_PLUS,
    "其他": AdChannel.OTHER,
    "其它": AdChannel.OTHER,
    "other": AdChannel.OTHER,
}
_DATA_FIELDS = ("plan_name", "spend_fen", "impressions", "clicks", "platform_gmv_fen")


def channel_of(text: str | None) -> str | None:
    """The channel code of a cell or option (``千川`` → qianchuan), or None when unknown."""
    if text is None:
        return None
    key = "".join(str(text).split()).lower()
    if key in AdChannel.values:
        return key
    word = CHANNEL_WORDS.get(key)
    return str(word) if word is not None else None


@import_kind_register
class AdSpendImport(ImportKind):
    """Ad spend per plan and day: 日期 and 消耗 required; 渠道, 计划ID, 计划名称, 展示数, 点击数, 成交金额."""

    code = "ad-spend"
    label = gettext_lazy("Ad spend")
    capability = "commerce.import"
    # The database key is (shop, channel, day, plan_id); the shop is one per run. Duplicates are
    # checked again in ``validate`` on the parsed day and channel.
    natural_key = ("plan_id", "day", "channel")
    duties = ("LC-3",)
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "day",
            gettext_lazy("Date"),
            required=True,
            aliases=("日期", "时间", "统计日期", "投放日期", "date", "day", "stat_date"),
        ),
        Field(
            "channel",
            gettext_lazy("Channel"),
            max_length=40,
            aliases=("渠道", "投放平台", "推广渠道", "平台", "推广工具", "广告平台", "channel", "platform"),
        ),
        Field(
            "plan_id",
            gettext_lazy("Plan ID"),
            id_like=True,
            max_length=60,
            aliases=("计划ID", "计划id", "推广计划ID", "广告计划ID", "广告ID", "plan_id", "plan id", "ad_id"),
        ),
        Field(
            "plan_name",
            gettext_lazy("Plan"),
            max_length=200,
            aliases=("计划名称", "计划名", "推广计划", "广告计划", "广告名称", "plan_name", "plan"),
        ),
        Field(
            "spend",
            gettext_lazy("Spend"),
            required=True,
            aliases=(
                "消耗",
                "花费",
                "消耗(元)",
                "消耗（元）",
                "花费(元)",
                "花费（元）",
                "总花费",
                "总消耗",
                "stat_cost",
                "spend",
                "cost",
            ),
        ),
        Field(
            "impressions",
            gettext_lazy("Impressions"),
            aliases=("展示数", "展现量", "展示次数", "曝光数", "曝光次数", "show_cnt", "impressions"),
        ),
        Field(
            "clicks", gettext_lazy("Clicks"), aliases=("点击数", "点击量", "点击次数", "click_cnt", "clicks")
        ),
        Field(
            "platform_gmv",
            gettext_lazy("GMV reported by the platform"),
            aliases=(
                "成交金额",
                "直接成交金额",
                "总成交金额",
                "支付金额",
                "成交金额(元)",
                "成交金额（元）",
                "pay_amt",
                "gmv",
            ),
        ),
    )

    @classmethod
    def option_fields(cls, access) -> dict:
        """The upload page asks for the shop (those the user may import into), and optionally the
        channel of a file without a channel column and the campaign to link the rows to."""
        from django import forms

        from liveops.commerce.selectors.marketing import campaign_list
        from liveops.commerce.selectors.shops import shops_visible

        shops = shops_visible(access=access, capability="commerce.import").filter(is_active=True)
        campaigns = campaign_list(access=access).exclude(status=Campaign.Status.CANCELLED)
        return {
            "shop": forms.ModelChoiceField(
                queryset=shops.order_by("platform", "name"), label=gettext_lazy("Shop")
            ),
            "channel": forms.ChoiceField(
                choices=[("", gettext_lazy("From the file's channel column")), *AdChannel.choices],
                required=False,
                label=gettext_lazy("Channel"),
            ),
            "campaign": forms.ModelChoiceField(
                queryset=campaigns,
                required=False,
                label=gettext_lazy("Campaign"),
                empty_label=gettext_lazy("Automatic (the one campaign covering the shop and day)"),
            ),
        }

    @classmethod
    def lock_key_for(cls, options: dict) -> str | None:
        """One import at a time into a shop (its ad spend and the campaign links)."""
        return shop_lock_key(options)

    def prepare(self) -> None:
        self.shop = shop_for_run(self.run, access=self.access)
        option = run_option(self.run, "channel")
        self.default_channel = channel_of(option) if option else None
        if option and self.default_channel is None:
            raise ImportRefused(_("Unknown channel “%(channel)s”.") % {"channel": option}, code="bad_option")
        if "channel" not in self.present and self.default_channel is None:
            raise ImportRefused(
                _("The file has no channel column (渠道): choose the channel of the whole file."),
                code="channel_missing",
            )
        self.campaign = self._campaign_option()
        self.totals = [0, 0, 0]
        self.days: set[dt.date] = set()
        self.today = timezone.localdate()

    def _campaign_option(self) -> Campaign | None:
        value = run_option(self.run, "campaign")
        if not value:
            return None
        qs = Campaign.objects.all()
        pk = int_or_none(value)
        campaign = qs.filter(pk=pk).first() if pk is not None else None
        campaign = campaign or qs.filter(name=value).order_by("-starts_on").first()
        if campaign is None or not self.access.reaches_department("commerce.view", campaign.department_id):
            raise ImportRefused(
                _("Unknown campaign “%(campaign)s”.") % {"campaign": value}, code="bad_option"
            )
        shop_ids = set(campaign.shops.values_list("id", flat=True))
        if shop_ids and self.shop.pk not in shop_ids:
            raise ImportRefused(
                _("The campaign “%(campaign)s” does not include the shop “%(shop)s”.")
                % {"campaign": campaign.name, "shop": self.shop.name},
                code="bad_option",
            )
        return campaign

    # Validation (vectorised) ------------------------------------------------------------------

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        day_text = pl.col("day").str.split(" ").list.first().str.split("T").list.first()
        day = pl.coalesce([day_text.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS])
        words = {**{k: str(v) for k, v in CHANNEL_WORDS.items()}, **{v: v for v in AdChannel.values}}
        channel_key = pl.col("channel").str.replace_all(r"\s", "").str.to_lowercase()
        channel = channel_key.replace_strict(
            words, default=pl.lit(None, dtype=pl.String), return_dtype=pl.String
        )
        if self.default_channel:
            channel = (
                pl.when(pl.col("channel").is_null()).then(pl.lit(self.default_channel)).otherwise(channel)
            )
        f = frame.with_columns(
            day.alias("__day"),
            channel.alias("__channel"),
            money_fen("spend").alias("__spend"),
            money_fen("platform_gmv").alias("__gmv"),
            quantity("impressions").alias("__impressions"),
            quantity("clicks").alias("__clicks"),
        )
        negative = _("Must not be negative.")
        accepted = ", ".join(["千川", "直通车", "引力魔方", "磁力金牛", "DOU+", "其他", *AdChannel.values])
        rejects = [
            reject_where(
                f,
                pl.col("day").is_not_null() & pl.col("__day").is_null(),
                column="day",
                reason=_("Not a date: write it as YYYY-MM-DD or YYYY/MM/DD."),
            ),
            reject_where(
                f,
                pl.col("__day") > pl.lit(self.today),
                column="day",
                reason=_("A day still to come: spend is recorded for days that have passed."),
            ),
            reject_where(
                f,
                pl.col("channel").is_null() & pl.col("__channel").is_null(),
                column="channel",
                reason=_("A value is required."),
            ),
            reject_where(
                f,
                pl.col("channel").is_not_null() & pl.col("__channel").is_null(),
                column="channel",
                reason=_("Unknown channel: use one of %(channels)s.") % {"channels": accepted},
            ),
        ]
        for name, parsed in (("spend", "__spend"), ("platform_gmv", "__gmv")):
            rejects += [
                reject_where(f, pl.col(parsed) < 0, column=name, reason=negative),
                reject_where(
                    f,
                    pl.col(name).is_not_null() & pl.col(parsed).is_null(),
                    column=name,
                    reason=_("Not an amount: a number in CNY with at most two decimals, e.g. 1280 or 35.5."),
                ),
            ]
        for name, parsed in (("impressions", "__impressions"), ("clicks", "__clicks")):
            rejects.append(
                reject_where(
                    f,
                    pl.col(name).is_not_null() & pl.col(parsed).is_null(),
                    column=name,
                    reason=_("Not a whole number of at least 0."),
                )
            )
        # Duplicates on the parsed key ("2026/1/5" and "2026-01-05" are the same day, 千川 = qianchuan).
        keyed = f.filter(pl.col("__day").is_not_null() & pl.col("__channel").is_not_null()).with_columns(
            pl.col("plan_id").fill_null("").alias("__plan")
        )
        firsts = keyed.group_by("__plan", "__day", "__channel").agg(pl.col(LINE).min().alias("__first"))
        keyed = keyed.join(firsts, on=["__plan", "__day", "__channel"], how="left")
        dup_reason = _(
            "Duplicate plan and day in this file: the same plan and day are first on line %(line)s."
        )
        rejects.append(
            keyed.filter(pl.col("__first") < pl.col(LINE)).select(
                pl.col(LINE).alias("line"),
                pl.lit("plan_id").alias("column"),
                pl.col("plan_id").alias("value"),
                reason_with(dup_reason, pl.col("__first")).alias("reason"),
            )
        )
        valid, all_rejects = split(f, rejects)
        valid = valid.select(
            pl.col("__day").alias("day"),
            pl.col("__channel").alias("channel"),
            pl.col("plan_id").fill_null(""),
            pl.col("plan_name").fill_null(""),
            pl.col("__spend").alias("spend_fen"),
            pl.col("__impressions").fill_null(0).alias("impressions"),
            pl.col("__clicks").fill_null(0).alias("clicks"),
            pl.col("__gmv").fill_null(0).alias("platform_gmv_fen"),
            LINE,
        )
        return valid, all_rejects

    # Writing ----------------------------------------------------------------------------------

    def _explicit_campaign(self, day: dt.date) -> int | None:
        c = self.campaign
        return c.pk if c is not None and c.starts_on <= day <= c.ends_on else None

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        first, last = valid.get_column("day").min(), valid.get_column("day").max()
        existing = {
            (a.channel, a.day, a.plan_id): a
            for a in AdSpend.objects.filter(
                shop=self.shop,
                day__gte=first,
                day__lte=last,
                channel__in=valid.get_column("channel").unique().to_list(),
            )
        }
        finder = CampaignFinder(shop_ids=[self.shop.pk], first=first, last=last)
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        new: list[AdSpend] = []
        changed: list[tuple[AdSpend, dict]] = []
        unchanged = 0
        for day, channel, plan_id, plan_name, spend, impressions, clicks, gmv in valid.select(
            "day", "channel", "plan_id", "plan_name", "spend_fen", "impressions", "clicks", "platform_gmv_fen"
        ).iter_rows():
            self.days.add(day)
            values = {
                "plan_name": plan_name,
                "spend_fen": spend,
                "impressions": impressions,
                "clicks": clicks,
                "platform_gmv_fen": gmv,
            }
            explicit = self._explicit_campaign(day)
            row = existing.get((channel, day, plan_id))
            if row is None:
                new.append(
                    AdSpend(
                        shop=self.shop,
                        channel=channel,
                        day=day,
                        plan_id=plan_id,
                        campaign_id=explicit or finder.find(self.shop.pk, day),
                        entered_by=user,
                        import_run_id=run.pk if run is not None else None,
                        **values,
                    )
                )
                continue
            before = snapshot(row, [*_DATA_FIELDS, "campaign"])
            for k, v in values.items():
                setattr(row, k, v)
            if explicit is not None:
                row.campaign_id = explicit
            after = snapshot(row, [*_DATA_FIELDS, "campaign"])
            diff = changes_update(before, after)
            if diff is None:
                unchanged += 1
                continue
            if row.campaign_id is None:
                row.campaign_id = finder.find(self.shop.pk, day)
                diff = changes_update(before, snapshot(row, [*_DATA_FIELDS, "campaign"]))
            row.import_run_id = run.pk if run is not None else None
            changed.append((row, diff))
        if new:
            AdSpend.objects.bulk_create(new, batch_size=1000)
            if any(a.pk is None for a in new):  # a backend that does not return ids
                keys = [(a.channel, a.day, a.plan_id) for a in new]
                ids = {
                    (a.channel, a.day, a.plan_id): a.pk
                    for a in AdSpend.objects.filter(shop=self.shop, day__gte=first, day__lte=last)
                }
                for a, key in zip(new, keys, strict=True):
                    a.pk = ids[key]
        if changed:
            AdSpend.objects.bulk_update(
                [r for r, _d in changed], [*_DATA_FIELDS, "campaign", "import_run_id"], batch_size=1000
            )
        audit_bulk(
            actor=actor,
            entries=[
                *((CREATE, a, {"after": snapshot(a)}) for a in new),
                *((UPDATE, r, d) for r, d in changed),
            ],
        )
        counts = (len(new), len(changed), unchanged)
        self.totals = [t + c for t, c in zip(self.totals, counts, strict=True)]
        return counts

    def finalize(self, *, run: ImportRun, actor) -> None:
        """Check the budgets of the touched days (overspend alert) and audit the run with its counts."""
        if self.days:
            budgets_check_overspend(actor=actor, days=(min(self.days), max(self.days)))
        if run is None or run.pk is None:
            return
        audit_action(
            actor=actor,
            instance=run,
            verb="import_ad_spend",
            details={
                "shop": self.shop.pk,
                "campaign": self.campaign.pk if self.campaign else None,
                "inserted": self.totals[0],
                "updated": self.totals[1],
                "unchanged": self.totals[2],
            },
        )
