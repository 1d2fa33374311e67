"""The "ad-spend" import kind (LC-3): good rows, bad rows with their file line numbers, re-import
unchanged, corrected exports, the shop/channel/campaign options, refusals before anything is written,
and the overspend alert after the run."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.utils import timezone

import liveops.commerce.importers_adspend  # noqa: F401  (registers the kind; importers.py imports it too)
from liveops.commerce.importers_adspend import channel_of
from liveops.commerce.models import AdSpend, Budget
from liveops.commerce.services import marketing as services
from liveops.core.errors import NotAllowed
from liveops.core.imports.registry import import_kind_get
from liveops.core.models import AuditEntry, ImportStatus
from tests.commerce.marketing_support import mworld_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imp_data")]
HEADER = "日期,投放平台,计划ID,计划名称,消耗(元),展示数,点击数,成交金额"


def d(days_ago: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def write(tmp_path: Path, text: str, *, name: str = "qianchuan.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(actor, path: Path, **options):
    options.setdefault("shop", "抖音旗舰店")
    return services.ad_spend_import(
        actor=actor, file=path, file_name=path.name, options=options, run_now=True
    )


def rejects(run_) -> list[list[str]]:
    text = Path(run_.rejects_path).read_text(encoding="utf-8-sig")
    return list(csv.reader(StringIO(text)))[1:]


GOOD = "\n".join(
    [
        HEADER,
        f'{d(1)},千川,="0012345",直播间引流,"1,280.50",120000,3400,"5,600.00元"',
        f"{d(1)},直通车,ZT9,搜索词,300,8000,90,1200",
        f"{d(2)},千川,0012345,直播间引流,900,-,-,-",
        f"{d(2)},DOU+,,短视频加热,50,1000,20,0",
    ]
)


def test_kind_is_registered():
    kind = import_kind_get("ad-spend")
    assert kind is not None and kind.capability == "commerce.import" and kind.duties == ("LC-3",)
    assert (
        channel_of("巨量千川") == "qianchuan"
        and channel_of("dou+") == "douplus"
        and channel_of("电视") is None
    )


def test_good_rows_import_and_reimport_changes_nothing(mworld, tmp_path):
    path = write(tmp_path, GOOD)
    first = run(mworld.member, path)
    assert first.status == ImportStatus.SUCCEEDED, first.error
    assert (first.rows_read, first.rows_inserted, first.rows_rejected) == (4, 4, 0)
    row = AdSpend.objects.get(plan_id="0012345", day=d(1))
    assert (row.shop, row.channel, row.spend_fen, row.impressions, row.clicks, row.platform_gmv_fen) == (
        mworld.douyin,
        "qianchuan",
        128_050,
        120_000,
        3_400,
        560_000,
    )
    assert row.entered_by == mworld.member and row.import_run_id == first.pk
    plain = AdSpend.objects.get(plan_id="0012345", day=d(2))
    assert (plain.impressions, plain.clicks, plain.platform_gmv_fen) == (0, 0, 0)
    assert AdSpend.objects.get(channel="douplus").plan_id == ""
    created = AuditEntry.objects.filter(object_type="commerce.adspend", action="create").count()
    assert created == 4
    again = run(mworld.member, write(tmp_path, GOOD, name="again.csv"))
    assert (again.rows_read, again.rows_inserted, again.rows_updated, again.rows_unchanged) == (4, 0, 0, 4)
    assert AdSpend.objects.count() == 4
    assert AuditEntry.objects.filter(object_type="commerce.adspend").count() == created
    assert AuditEntry.objects.filter(verb="import_ad_spend").count() == 2


def test_corrected_export_updates_the_changed_rows_with_audit(mworld, tmp_path):
    run(mworld.member, write(tmp_path, GOOD))
    corrected = GOOD.replace("ZT9,搜索词,300,", "ZT9,搜索词,350,")
    result = run(mworld.member, write(tmp_path, corrected, name="v2.csv"))
    assert (result.rows_inserted, result.rows_updated, result.rows_unchanged) == (0, 1, 3)
    row = AdSpend.objects.get(plan_id="ZT9")
    assert row.spend_fen == 35_000
    entry = AuditEntry.objects.get(object_type="commerce.adspend", object_id=str(row.pk), action="update")
    assert entry.changes == {"before": {"spend_fen": 30_000}, "after": {"spend_fen": 35_000}}


def test_bad_rows_are_rejected_with_line_numbers(mworld, tmp_path):
    text = "\n".join(
        [
            HEADER,
            f"{d(1)},千川,A1,ok,100,1,1,0",  # line 2: fine
            "2026-02-30,千川,A2,impossible date,100,1,1,0",  # 3
            f"{d(1)},电视,A3,unknown channel,100,1,1,0",  # 4
            f"{d(1)},千川,A4,negative,-5,1,1,0",  # 5
            f"{d(1)},千川,A5,not money,12.345,1,1,0",  # 6
            f"{d(1)},千川,A6,bad count,100,1.5万x,1,0",  # 7
            f"{d(1)},千川,A7,no spend,,1,1,0",  # 8
            f"{d(1).replace('-', '/')},巨量千川,A1,duplicate of line 2,100,1,1,0",  # 9
            f"{(timezone.localdate() + dt.timedelta(days=3)).isoformat()},千川,A8,future,1,1,1,0",  # 10
            f"{d(1)},直通车,A9,ok too,1,1,1,0",  # 11
        ]
    )
    result = run(mworld.member, write(tmp_path, text))
    assert result.status == ImportStatus.SUCCEEDED
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (10, 2, 8)
    assert (
        result.rows_read
        == result.rows_inserted + result.rows_updated + result.rows_unchanged + result.rows_rejected
    )
    got = {int(r[0]): (r[1], r[3]) for r in rejects(result)}
    assert set(got) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "date" in got[3][1].lower()
    assert "channel" in got[4][1].lower()
    assert "negative" in got[5][1].lower()
    assert "amount" in got[6][1].lower()
    assert "whole number" in got[7][1].lower()
    assert "required" in got[8][1].lower()
    assert "line 2" in got[9][1]
    assert "to come" in got[10][1]
    assert set(AdSpend.objects.values_list("plan_id", flat=True)) == {"A1", "A9"}


def test_channel_option_for_files_without_a_channel_column(mworld, tmp_path):
    text = f"日期,计划ID,计划名称,消耗\n{d(1)},Q1,直播,88.8\n"
    refused = run(mworld.member, write(tmp_path, text))
    assert refused.status == ImportStatus.REFUSED and "channel" in refused.error.lower()
    assert (
        run(mworld.member, write(tmp_path, text, name="b.csv"), channel="千川").status
        == ImportStatus.SUCCEEDED
    )
    assert AdSpend.objects.get().channel == "qianchuan"
    assert (
        run(mworld.member, write(tmp_path, text, name="c.csv"), channel="电视").status == ImportStatus.REFUSED
    )


def test_gbk_file(mworld, tmp_path):
    path = write(tmp_path, GOOD, encoding="gbk", name="gbk.csv")
    result = run(mworld.member, path)
    assert result.status == ImportStatus.SUCCEEDED and result.rows_inserted == 4


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"shop": ""}, "choose the shop"),
        ({"shop": "没有这家店"}, "unknown shop"),
        ({"shop": "快手直播店"}, "may not import"),
    ],
)
def test_run_refused_before_writing_for_bad_shops(mworld, tmp_path, options, word):
    result = run(mworld.member, write(tmp_path, GOOD), **options)
    assert result.status == ImportStatus.REFUSED
    assert word in result.error.lower()
    assert not AdSpend.objects.exists()


def test_shop_by_id_and_refusal_of_missing_columns(mworld, tmp_path):
    assert (
        run(mworld.member, write(tmp_path, GOOD), shop=str(mworld.taobao.pk)).status == ImportStatus.SUCCEEDED
    )
    assert set(AdSpend.objects.values_list("shop_id", flat=True)) == {mworld.taobao.pk}
    missing = run(mworld.member, write(tmp_path, "日期,渠道\n2026-01-01,千川\n", name="m.csv"))
    assert missing.status == ImportStatus.REFUSED and "Spend" in missing.error


@pytest.mark.parametrize("who", ["other", "auditor", "outsider"])
def test_import_needs_commerce_import(mworld, tmp_path, who):
    with pytest.raises(NotAllowed):
        run(getattr(mworld, who), write(tmp_path, GOOD))


def test_campaign_option_and_automatic_links(mworld, tmp_path):
    today = timezone.localdate()
    c = services.campaign_create(
        actor=mworld.member,
        name="双11",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today,
        shops=[mworld.douyin],
    )
    result = run(mworld.member, write(tmp_path, GOOD))
    assert result.status == ImportStatus.SUCCEEDED
    linked = {(a.plan_id, a.day.isoformat()): a.campaign_id for a in AdSpend.objects.all()}
    assert linked[("0012345", d(1))] == c.pk  # automatic: the only campaign covering the day
    assert linked[("0012345", d(2))] is None  # before the campaign
    other = services.campaign_create(
        actor=mworld.member, name="品牌日", starts_on=today - dt.timedelta(days=5), ends_on=today
    )
    result = run(mworld.member, write(tmp_path, GOOD, name="v2.csv"), campaign=str(other.pk))
    assert result.rows_updated == 4  # every row is now linked to the chosen campaign
    assert set(AdSpend.objects.values_list("campaign_id", flat=True)) == {other.pk}
    refused = run(mworld.member, write(tmp_path, GOOD, name="v3.csv"), campaign="no such campaign")
    assert refused.status == ImportStatus.REFUSED


def test_import_fires_the_overspend_alert(mworld, tmp_path):
    day = timezone.localdate() - dt.timedelta(days=1)
    budget = services.budget_create(
        actor=mworld.manager,
        shop=mworld.douyin,
        channel="qianchuan",
        amount_fen=100_000,
        period_start=day,
        period_end=day,
    )
    run(mworld.member, write(tmp_path, GOOD))
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.overspent_at is not None
    entry = AuditEntry.objects.get(verb="budget_overspent", object_id=str(budget.pk))
    assert entry.changes["spend_fen"] == 128_050 and entry.actor == mworld.member


def test_generic_upload_page_asks_for_shop_channel_and_campaign(mworld, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from liveops.core.imports.views import _OPTION_PREFIX
    from liveops.core.models import ImportRun
    from tests.commerce.marketing_support import client_as

    c = client_as(mworld.member)
    page = c.get(reverse("import-ad-spend")).content.decode()
    assert "抖音旗舰店" in page and "快手直播店" not in page  # only shops the member may import into
    upload = SimpleUploadedFile(
        "ads.csv", f"日期,计划ID,消耗\n{d(1)},Q1,10\n".encode(), content_type="text/csv"
    )
    r = c.post(
        reverse("import-ad-spend"),
        {"file": upload, f"{_OPTION_PREFIX}shop": mworld.douyin.pk, f"{_OPTION_PREFIX}channel": "douplus"},
    )
    run_ = ImportRun.objects.get(kind="ad-spend")
    assert r.status_code == 302, r.content.decode()[:2000]
    assert run_.options["shop"] == mworld.douyin.pk and run_.options["channel"] == "douplus"
    from liveops.core.imports.runner import import_execute

    done = import_execute(run=run_, actor=mworld.member)
    assert done.status == ImportStatus.SUCCEEDED and AdSpend.objects.get().channel == "douplus"
