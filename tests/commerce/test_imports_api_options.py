"""Starting shop-level imports over the API: the kind's options (``shop``…) go with the file, on the
per-kind endpoint (``/api/v1/imports/kinds/<code>/``) and on the generic one (``kind`` field), and
are checked with the upload page's rule: only a shop the caller may import into, of the kind's
platform, by its ID or its name. Refusals are 403 without the kind's capability, and a translated
400 naming the field otherwise; nothing is stored then."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from liveops.commerce.models import Order, OrderLine
from liveops.commerce.samples import export_write
from liveops.core.imports.tasks import import_run_task
from liveops.core.models import ImportRun
from liveops.core.services import api_token_create

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "fields"}


def bearer(user, **headers) -> Client:
    """A client calling the API as ``user`` with a Bearer token, as scripts do."""
    _token, key = api_token_create(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", **headers)


def upload(path, name: str = "orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def kind_url(code: str = "douyin-orders") -> str:
    return reverse(f"api-import-{code}")


def test_operator_starts_a_douyin_import_over_the_api_and_it_succeeds(personas, shops, douyin_file):
    """The EC shop operator sends a 抖店 export with one bad row into a shop of the department, by its
    ID; the run succeeds and its counts add up, in the API and in the database."""
    path, frame = douyin_file(40)
    bad = frame.with_row_index("__r").with_columns(
        pl.when(pl.col("__r") == 6).then(pl.lit("-2")).otherwise(pl.col("商品数量")).alias("商品数量")
    )
    export_write(bad.drop("__r"), path)
    client = bearer(personas["member"], HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(kind_url(), {"file": upload(path), "shop": str(shops["douyin2"].pk)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["started_by"]) == ("douyin-orders", "queued", "member")
    run = ImportRun.objects.get(pk=body["id"])
    assert run.options["shop"] == shops["douyin2"].pk

    assert import_run_task.call(run.pk) == "succeeded"
    detail = client.get(reverse("api-import-run", args=[run.pk])).json()
    assert (detail["status"], detail["percent"]) == ("succeeded", 100)
    assert (detail["rows_read"], detail["inserted"], detail["updated"], detail["rejected"]) == (40, 39, 0, 1)
    assert (
        detail["rows_read"]
        == detail["inserted"] + detail["updated"] + detail["unchanged"] + detail["rejected"]
    )
    lines = OrderLine.objects.filter(shop=shops["douyin2"])
    assert lines.count() == 39 and not OrderLine.objects.exclude(shop=shops["douyin2"]).exists()
    assert Order.objects.filter(shop=shops["douyin2"]).count() == lines.values("order_id").distinct().count()
    # The rejects report names the bad line (data row 6 is line 8: the header is line 1). Its URL is
    # the jobs page's download, which takes a browser session.
    assert detail["rejects_url"].endswith(reverse("job-rejects", args=[run.pk]))
    session = Client()
    session.force_login(personas["member"])
    report = session.get(detail["rejects_url"])
    assert report.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert [(r["line"], r["column"]) for r in rows] == [("8", "商品数量")]


def test_generic_endpoint_takes_the_shop_by_name(personas, shops, douyin_file):
    """``POST /api/v1/imports/`` with ``kind`` and the shop's name (as ``--shop`` on the command line);
    the manager of the department may import too."""
    path, _frame = douyin_file(12)
    client = bearer(personas["manager"])
    response = client.post(
        reverse("api-import-runs"), {"kind": "douyin-orders", "file": upload(path), "shop": "抖音旗舰店"}
    )
    assert response.status_code == 201, response.content
    run = ImportRun.objects.get(pk=response.json()["id"])
    assert run.options["shop"] == shops["douyin"].pk
    assert import_run_task.call(run.pk) == "succeeded"
    run.refresh_from_db()
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (12, 12, 0)
    assert OrderLine.objects.filter(shop=shops["douyin"]).count() == 12
    # The same file again: nothing changes.
    again = client.post(kind_url(), {"file": upload(path), "shop": "抖音旗舰店"})
    assert import_run_task.call(again.json()["id"]) == "succeeded"
    detail = client.get(reverse("api-import-run", args=[again.json()["id"]])).json()
    assert (detail["inserted"], detail["updated"], detail["unchanged"]) == (0, 0, 12)


@pytest.mark.parametrize("persona", ["other", "outsider", "auditor"])
def test_people_who_may_not_import_orders_are_refused(personas, shops, douyin_file, persona):
    """A recruiter of another department, a login without a position and the auditor: 403 on both
    endpoints, whatever the shop, and nothing is stored."""
    path, _frame = douyin_file(3)
    client = bearer(personas[persona])
    for url, data in (
        (kind_url(), {"shop": str(shops["douyin"].pk)}),
        (reverse("api-import-runs"), {"kind": "douyin-orders", "shop": "抖音旗舰店"}),
    ):
        response = client.post(url, {**data, "file": upload(path)})
        assert response.status_code == 403, (url, response.content)
        assert set(response.json()) == ERROR_KEYS
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("shop", "why"),
    [
        ("elsewhere", "a shop of another department (the live centre's)"),
        ("taobao", "a shop of the department on another platform"),
        ("没有这个店", "no shop has this name"),
        ("999999", "no shop has this ID"),
        ("99999999999999999999999", "an ID too large for the database"),
    ],
)
def test_shop_out_of_reach_or_unknown_is_a_400_naming_the_field(personas, shops, douyin_file, shop, why):
    path, _frame = douyin_file(3)
    value = str(shops[shop].pk) if shop in shops else shop
    client = bearer(personas["member"], HTTP_ACCEPT_LANGUAGE="en")
    for url, data in (
        (kind_url(), {"shop": value}),
        (reverse("api-import-runs"), {"kind": "douyin-orders", "shop": value}),
    ):
        response = client.post(url, {**data, "file": upload(path)})
        assert response.status_code == 400, (why, response.content)
        body = response.json()
        assert body["code"] == "invalid" and list(body["fields"]) == ["shop"], body
        assert body["message"].startswith("Check “Shop”: "), body
        assert "not yours to choose" in body["fields"]["shop"][0], body
    assert not ImportRun.objects.exists()


def test_missing_shop_is_a_400_naming_the_field(personas, shops, douyin_file):
    path, _frame = douyin_file(3)
    client = bearer(personas["member"], HTTP_ACCEPT_LANGUAGE="en")
    # Per kind, the schema declares it required: the serializer refuses it.
    body = client.post(kind_url(), {"file": upload(path)}).json()
    assert body["code"] == "invalid" and list(body["fields"]) == ["shop"], body
    body = client.post(kind_url(), {"file": upload(path), "shop": ""}).json()
    assert list(body["fields"]) == ["shop"], body
    # Generic: whether a kind needs it is checked with the kind.
    response = client.post(reverse("api-import-runs"), {"kind": "taobao-orders", "file": upload(path)})
    assert response.status_code == 400
    body = response.json()
    assert body == {
        "code": "invalid",
        "message": "Check “Shop”: This field is required.",
        "fields": {"shop": ["This field is required."]},
    }
    assert not ImportRun.objects.exists()


def test_refusals_speak_the_callers_language(personas, shops, douyin_file):
    path, _frame = douyin_file(3)
    client = bearer(personas["member"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = client.post(
        reverse("api-import-runs"), {"kind": "douyin-orders", "file": upload(path), "shop": "没有这个店"}
    ).json()
    assert body["message"].startswith("请检查“店铺”：") and "没有这个店" in body["message"], body
    assert "无权" in body["fields"]["shop"][0], body
    body = client.post(reverse("api-import-runs"), {"kind": "douyin-orders", "file": upload(path)}).json()
    assert body["message"].startswith("请检查“店铺”：") and list(body["fields"]) == ["shop"], body


def test_an_option_the_kind_does_not_take_is_refused_by_name(personas, shops, douyin_file):
    path, _frame = douyin_file(3)
    client = bearer(personas["member"], HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        reverse("api-import-runs"),
        {"kind": "douyin-orders", "file": upload(path), "shop": "抖音旗舰店", "channel": "qianchuan"},
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"channel": ["This kind of import takes no such option."]}
    # Left empty, it is no choice at all.
    response = client.post(
        reverse("api-import-runs"),
        {"kind": "douyin-orders", "file": upload(path), "shop": "抖音旗舰店", "channel": ""},
    )
    assert response.status_code == 201, response.content


def test_the_schema_documents_the_options(personas):
    client = Client()
    client.force_login(personas["admin"])
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    components = schema["components"]["schemas"]

    def request_schema(path: str) -> dict:
        ref = schema["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
        return components[ref.rsplit("/", 1)[-1]]

    douyin = request_schema("/api/v1/imports/kinds/douyin-orders/")
    assert douyin["properties"]["shop"]["type"] == "string" and "shop" in douyin["required"]
    adspend = request_schema("/api/v1/imports/kinds/ad-spend/")
    assert {"shop", "channel", "campaign"} <= set(adspend["properties"])
    assert set(adspend["required"]) == {"file", "shop"}
    generic = request_schema("/api/v1/imports/")
    assert "shop" in generic["properties"] and set(generic["required"]) == {"file", "kind"}
    assert "taobao-orders" in generic["properties"]["shop"]["description"]
    staff = request_schema("/api/v1/imports/kinds/staff/")
    assert set(staff["properties"]) == {"file", "mapping"}
