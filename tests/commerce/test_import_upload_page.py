"""The upload page asks for the shop of shop-level kinds (only shops the user may import into), keeps
it through the mapping step and passes it to the run; the command line's ``--shop``; the rejects
report of an order import; who may open the page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from liveops.cli import main as liveops_main
from liveops.commerce.importers import DouyinOrderImport
from liveops.commerce.models import OrderLine
from liveops.core.imports.registry import ImportKind, import_kind_get
from liveops.core.imports.tasks import import_run_task
from liveops.core.models import ImportRun

pytestmark = pytest.mark.django_db


def _choices(response) -> dict[str, str]:
    field = response.context["form"].fields["opt_shop"]
    return {str(value): str(label) for value, label in field.choices}


def test_upload_page_offers_the_shops_the_user_may_import_into(client_for, shops, imp_data):
    response = client_for("member").get(reverse("import-douyin-orders"))
    assert response.status_code == 200
    choices = _choices(response)
    assert str(shops["douyin"].pk) in choices and str(shops["douyin2"].pk) in choices
    # Not another platform's shop, not a shop of a department out of reach.
    assert str(shops["taobao"].pk) not in choices and str(shops["elsewhere"].pk) not in choices
    assert b'name="opt_shop"' in response.content and "抖音二店".encode() in response.content
    # The superuser reaches every shop; the EC head only EC's.
    assert str(shops["elsewhere"].pk) in _choices(client_for("admin").get(reverse("import-douyin-orders")))
    assert str(shops["elsewhere"].pk) not in _choices(
        client_for("manager").get(reverse("import-douyin-orders"))
    )
    taobao = client_for("member").get(reverse("import-taobao-orders"))
    assert set(_choices(taobao)) - {""} == {str(shops["taobao"].pk)}
    assert "" not in _choices(taobao)  # one shop only: chosen already


def test_kinds_without_options_have_no_shop_field(client_for, personas, imp_data):
    assert ImportKind.option_fields(access=None) == {}
    response = client_for("admin").get(reverse("import-new", args=["staff"]))
    assert response.status_code == 200 and b"opt_shop" not in response.content


def test_no_shop_to_import_into_says_so(client_for, org, imp_data):
    client = client_for("member")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("import-kuaishou-orders"))
    assert response.status_code == 200
    assert b"There is nothing you may import into here" in response.content


def test_upload_with_shop_runs_into_that_shop(client_for, shops, douyin_file):
    path, _frame = douyin_file(30)
    client = client_for("member")
    response = client.post(
        reverse("import-douyin-orders"),
        {
            "step": "upload",
            "file": SimpleUploadedFile("o.csv", path.read_bytes()),
            "opt_shop": shops["douyin2"].pk,
        },
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.options["shop"] == shops["douyin2"].pk
    assert import_run_task.call(run.pk) == "succeeded"
    assert OrderLine.objects.filter(shop=shops["douyin2"]).count() == 30
    assert not OrderLine.objects.exclude(shop=shops["douyin2"]).exists()


@pytest.mark.parametrize("shop_key", [None, "elsewhere", "taobao"])
def test_shop_missing_or_out_of_reach_is_a_form_error(client_for, shops, douyin_file, shop_key):
    path, _frame = douyin_file(5)
    data = {"step": "upload", "file": SimpleUploadedFile("o.csv", path.read_bytes())}
    if shop_key:
        data["opt_shop"] = shops[shop_key].pk
    response = client_for("member").post(reverse("import-douyin-orders"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["opt_shop"]
    assert b"is-invalid" in response.content
    assert not ImportRun.objects.exists()


def test_shop_kept_through_the_mapping_step(client_for, shops, douyin_file):
    path, _frame = douyin_file(10)
    client = client_for("member")
    url = reverse("import-douyin-orders")
    response = client.post(
        url,
        {
            "step": "upload",
            "file": SimpleUploadedFile("o.csv", path.read_bytes()),
            "opt_shop": shops["douyin"].pk,
            "map_columns": "on",
        },
    )
    assert response.status_code == 200 and "抖音旗舰店".encode() in response.content
    form = response.context["form"]
    post = {"step": "map", "token": form.initial["token"]}
    post.update(
        {
            name: bf.initial or ""
            for name, bf in ((f"map_{f.name}", form[f"map_{f.name}"]) for f in DouyinOrderImport.fields)
        }
    )
    response = client.post(url, post)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.options["shop"] == shops["douyin"].pk and run.options["columns"]["主订单编号"] == "order_no"
    assert import_run_task.call(run.pk) == "succeeded"
    assert OrderLine.objects.filter(shop=shops["douyin"]).count() == 10


def test_refused_upload_keeps_the_chosen_shop(client_for, shops, imp_data):
    response = client_for("member").post(
        reverse("import-douyin-orders"),
        {"step": "upload", "file": SimpleUploadedFile("x.csv", b""), "opt_shop": shops["douyin2"].pk},
    )
    assert response.status_code == 200
    assert response.context["form"]["opt_shop"].value() == str(shops["douyin2"].pk)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("manager", 200), ("other", 403), ("auditor", 403), ("outsider", 403), (None, 302)],
)
def test_who_may_open_the_order_upload_pages(client_for, shops, persona, status, imp_data):
    client = client_for(persona)
    for kind in ("douyin-orders", "taobao-orders", "taobao-order-lines", "kuaishou-orders", "orders"):
        assert client.get(reverse(f"import-{kind}")).status_code == status, kind
        generic = client.get(reverse("import-new", args=[kind])).status_code
        assert generic == (302 if persona is None else status), kind


def test_every_order_kind_asks_for_the_shop(personas):
    from liveops.core.access import access_for

    access = access_for(personas["member"])
    kinds = ("douyin-orders", "taobao-orders", "taobao-order-lines", "kuaishou-orders", "orders")
    for code in (*kinds, "douyin-aftersales", "douyin-settlements", "ad-spend"):
        assert "shop" in import_kind_get(code).option_fields(access), code


# Rejects report ----------------------------------------------------------------------------------


def test_rejects_report_downloadable_with_lines_and_reasons(client_for, shops, douyin_file):
    path, frame = douyin_file(12)
    bad = frame.with_row_index("__r").with_columns(
        pl_when_row(3, "商品数量", "abc"),
        pl_when_row(5, "订单提交时间", "2026-02-30 10:00:00"),
        pl_when_row(7, "子订单编号", ""),
    )
    from liveops.commerce.samples import export_write

    export_write(bad.drop("__r"), path)
    client = client_for("member")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the report speaks the uploader's language
    response = client.post(
        reverse("import-douyin-orders"),
        {
            "step": "upload",
            "file": SimpleUploadedFile("bad.csv", path.read_bytes()),
            "opt_shop": shops["douyin"].pk,
        },
    )
    run = ImportRun.objects.get()
    import_run_task.call(run.pk)
    run.refresh_from_db()
    assert (run.rows_read, run.rows_rejected, run.rows_inserted) == (12, 3, 9), run.error
    download = client.get(reverse("job-rejects", args=[run.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    got = {(r["line"], r["column"]): r["reason"] for r in rows}
    assert got[("5", "商品数量")] == "The quantity is not a whole number."
    assert got[("7", "订单提交时间")].startswith("Not a possible date and time")
    assert got[("9", "子订单编号")] == "A value is required."
    # Someone else cannot download it.
    assert client_for("other").get(reverse("job-rejects", args=[run.pk])).status_code == 404
    assert response.status_code == 302


def pl_when_row(row: int, column: str, value: str):
    import polars as pl

    return pl.when(pl.col("__r") == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)


# Command line ------------------------------------------------------------------------------------


def test_cli_shop_option_json(shops, douyin_file):
    path, _frame = douyin_file(25)
    out = io.StringIO()
    call_command("liveops_import", "douyin-orders", str(path), "--shop", "抖音二店", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["status"] == "succeeded" and result["inserted"] == 25 and result["rejected"] == 0
    assert ImportRun.objects.get(pk=result["run_id"]).options["shop"] == "抖音二店"
    assert OrderLine.objects.filter(shop=shops["douyin2"]).count() == 25


def test_cli_wrapper_liveops_import(shops, douyin_file, capsys):
    path, _frame = douyin_file(8)
    assert liveops_main(["import", "douyin-orders", str(path), "--shop", "抖音旗舰店", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (result["status"], result["inserted"]) == ("succeeded", 8)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Choose the shop"),
        (["--shop", "没有这个店"], "Unknown shop"),
        (["--shop", "天猫店"], "Taobao"),
    ],
)
def test_cli_refuses_without_a_fitting_shop(shops, douyin_file, args, message):
    path, _frame = douyin_file(3)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("liveops_import", "douyin-orders", str(path), *args, "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["status"] == "refused" and message in result["error"]
    assert not OrderLine.objects.exists()
