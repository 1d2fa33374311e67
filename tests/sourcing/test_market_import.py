"""The "market-snapshots" import kind (LC-2, MC-3): the real Tmall cosmetics file, encodings,
rejects with line numbers, idempotent re-import, the platform option and the CLI."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

import liveops.sourcing.importers_market  # noqa: F401  (registers the kind until sourcing/importers.py does)
from liveops.core.imports.registry import import_kind_get
from liveops.core.imports.services import import_start
from liveops.core.models import AuditEntry, ImportStatus
from liveops.sourcing.models import MarketSnapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imp_data")]

SHARED_DATA = Path(django_settings.BASE_DIR).parent / "shared" / "data"
COSMETIC = SHARED_DATA / "cosmetic.csv"
HEADER = "update_time,id,title,price,sale_count,comment_count,店名"


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser(
        "mkt_admin", "mkt_admin@example.com", "Test-password-2026"
    )


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "market.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(actor, path: Path, **options):
    return import_start(
        actor=actor,
        kind="market-snapshots",
        file=path,
        file_name=path.name,
        options=options or None,
        run_now=True,
    )


def rejects(run) -> list[dict]:
    if not run.rejects_path:
        return []
    with open(run.rejects_path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def counts(run) -> tuple[int, int, int, int, int]:
    return run.rows_read, run.rows_inserted, run.rows_updated, run.rows_unchanged, run.rows_rejected


def test_kind_is_registered():
    kind = import_kind_get("market-snapshots")
    assert kind is not None
    assert kind.capability == "sourcing.import"
    assert {"LC-2", "MC-3"} <= set(kind.duties)


SAMPLE = (
    HEADER
    + "\n2016/11/14,A1,雪域精粹滋润霜50g,139,26719,2704,自然堂\n"
    + "2016/11/13,A1,雪域精粹滋润霜50g,149,26700,2700,自然堂\n"
    + "2016/11/14,B2,男士洁面膏 100g,38.99,,,玉兰油\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_and_values(tmp_path, admin, encoding):
    run = run_import(admin, write(tmp_path, SAMPLE, encoding=encoding))
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert counts(run) == (3, 3, 0, 0, 0)
    a1 = MarketSnapshot.objects.get(listing_id="A1", day="2016-11-14")
    assert (a1.platform, a1.shop, a1.title, a1.price) == (
        "tmall",
        "自然堂",
        "雪域精粹滋润霜50g",
        Decimal("139.00"),
    )
    assert (a1.sales_cumulative, a1.comments_cumulative) == (26719, 2704)
    b2 = MarketSnapshot.objects.get(listing_id="B2")
    # Empty counters (the platform did not report them) are stored as 0, not rejected.
    assert (b2.price, b2.sales_cumulative, b2.comments_cumulative) == (Decimal("38.99"), 0, 0)


def test_second_import_changes_nothing_and_changes_are_updates(tmp_path, admin):
    path = write(tmp_path, SAMPLE)
    run_import(admin, path)
    before = list(MarketSnapshot.objects.order_by("pk").values())
    again = run_import(admin, path)
    assert counts(again) == (3, 0, 0, 3, 0)
    assert list(MarketSnapshot.objects.order_by("pk").values()) == before
    changed = write(tmp_path, SAMPLE.replace(",139,", ",129.5,"), name="changed.csv")
    third = run_import(admin, changed)
    assert counts(third) == (3, 0, 1, 2, 0)
    assert MarketSnapshot.objects.get(listing_id="A1", day="2016-11-14").price == Decimal("129.50")
    assert MarketSnapshot.objects.count() == 3


def test_platform_option_is_part_of_the_key(tmp_path, admin):
    path = write(tmp_path, SAMPLE)
    run_import(admin, path)
    run = run_import(admin, path, platform="Douyin")
    assert counts(run) == (3, 3, 0, 0, 0)
    assert set(MarketSnapshot.objects.values_list("platform", flat=True)) == {"tmall", "douyin"}
    bad = run_import(admin, path, platform="not a platform!")
    assert bad.status == ImportStatus.REFUSED
    assert "platform" in bad.error


def test_rejects_name_line_and_reason(tmp_path, admin):
    text = (
        HEADER
        + "\n2016/11/14,A1,ok,139,10,1,自然堂\n"  # line 2: fine
        + "2016/11/14,A2,bad price,abc,10,1,自然堂\n"  # 3
        + "2016/11/14,A3,negative price,-5,10,1,自然堂\n"  # 4
        + "2016/11/14,A4,negative sales,10,-3,1,自然堂\n"  # 5
        + "2016/11/14,A5,negative comments,10,3,-1,自然堂\n"  # 6
        + "2016/13/45,A6,bad date,10,3,1,自然堂\n"  # 7
        + "2016/11/14,,empty id,10,3,1,自然堂\n"  # 8
        + "2016/11/14,A7,three decimals,10.123,3,1,自然堂\n"  # 9
        + "2016/11/14,A8,not a count,10,lots,1,自然堂\n"  # 10
        + "2016-11-14,A1,same listing and day,139,10,1,自然堂\n"  # 11: duplicate of line 2
        + "2016/11/14,A9,no shop,10,3,1,\n"  # 12
        + '2016/11/14 10:30:00,A10,with time,"¥1,299.00",1.2万,3,兰蔻\n'  # 13: fine
    )
    run = run_import(admin, write(tmp_path, text))
    assert run.status == ImportStatus.SUCCEEDED, run.error
    read, inserted, updated, unchanged, rejected = counts(run)
    assert read == 12 and rejected == 10 and inserted == 2
    assert read == inserted + updated + unchanged + rejected
    by_line = {int(r["line"]): r for r in rejects(run)}
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
    assert "Not a price" in by_line[3]["reason"]
    assert "negative" in by_line[4]["reason"]
    assert "negative" in by_line[5]["reason"] and by_line[5]["column"] == "sale_count"
    assert "negative" in by_line[6]["reason"] and by_line[6]["column"] == "comment_count"
    assert "Not a date" in by_line[7]["reason"]
    assert "required" in by_line[8]["reason"] and by_line[8]["column"] == "id"
    assert "two decimals" in by_line[9]["reason"]
    assert "whole number" in by_line[10]["reason"]
    assert "line 2" in by_line[11]["reason"]
    assert "required" in by_line[12]["reason"]
    a10 = MarketSnapshot.objects.get(listing_id="A10")
    assert (str(a10.day), a10.price, a10.sales_cumulative) == ("2016-11-14", Decimal("1299.00"), 12000)


def test_missing_required_column_is_refused(tmp_path, admin):
    run = run_import(admin, write(tmp_path, "update_time,id,title\n2016/11/14,A1,x\n"))
    assert run.status == ImportStatus.REFUSED
    assert MarketSnapshot.objects.count() == 0


def test_needs_the_import_capability(tmp_path, org, personas):
    from liveops.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        run_import(personas["member"], write(tmp_path, SAMPLE))  # EC shop operator: no sourcing.import
    run = run_import(personas["other"], write(tmp_path, SAMPLE))  # MR recruiter
    assert run.status == ImportStatus.SUCCEEDED
    assert AuditEntry.objects.filter(verb="import_market_snapshots", object_id=str(run.pk)).exists()


def test_cli_json(tmp_path, admin):
    out = StringIO()
    call_command("liveops_import", "market-snapshots", str(write(tmp_path, SAMPLE)), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["status"] == "succeeded"
    assert (result["rows_read"], result["inserted"], result["rejected"]) == (3, 3, 0)


@pytest.mark.skipif(not COSMETIC.is_file(), reason=f"real data not available: {COSMETIC} is absent")
def test_real_cosmetic_file(tmp_path, admin):
    run = run_import(admin, COSMETIC)
    assert run.status == ImportStatus.SUCCEEDED, run.error
    read, inserted, updated, unchanged, rejected = counts(run)
    assert read == 27_598
    assert read == inserted + updated + unchanged + rejected
    # The file repeats 86 listing-days verbatim; the copies are rejected as duplicates, nothing else is.
    reasons = {r["reason"].split(":")[0] for r in rejects(run)}
    assert rejected == 86 and reasons == {"Duplicate Listing ID in this file"}
    assert MarketSnapshot.objects.count() == inserted == 27_512
    assert MarketSnapshot.objects.values("shop").distinct().count() == 22
    days = MarketSnapshot.objects.dates("day", "day")
    assert (str(days.first()), str(days.last()), days.count()) == ("2016-11-05", "2016-11-14", 10)
    first = MarketSnapshot.objects.get(listing_id="A18164178225", day="2016-11-14")
    assert (first.shop, first.price, first.sales_cumulative, first.comments_cumulative) == (
        "自然堂",
        Decimal("139.00"),
        26719,
        2704,
    )
    again = run_import(admin, COSMETIC)
    assert counts(again) == (27_598, 0, 0, 27_512, 86)
    assert MarketSnapshot.objects.count() == 27_512
