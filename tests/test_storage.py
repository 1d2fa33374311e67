"""Stored files through Django's storage API: the local data folder by default, an S3 bucket when
LIVEOPS_STORAGE_URL is set (here: moto's in-process S3). Import files and rejects reports go to the
store, imports read a streamed local copy, and reports are served only through the jobs view."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

import liveops.sourcing.importers_market  # noqa: F401  (registers the market-snapshots kind)
from liveops.core import storage as file_storage
from liveops.core.imports.services import import_start
from liveops.core.models import ImportStatus

BUCKET = "liveops-test"
HEADER = "update_time,id,title,price,sale_count,comment_count,店名"


def test_s3_url_parsing():
    options = file_storage.s3_options(
        "s3://files/prod?endpoint=https://s3.example.cn&region=cn-1&addressing=path"
    )
    assert options["bucket_name"] == "files" and options["location"] == "prod"
    assert options["endpoint_url"] == "https://s3.example.cn" and options["use_ssl"] is True
    assert options["region_name"] == "cn-1" and options["addressing_style"] == "path"
    assert options["default_acl"] is None  # private objects
    config = file_storage.storages_setting(
        data_dir=Path("/x"), storage_url="s3://files/prod?endpoint=http://h:9000", static_backend="s"
    )
    assert config["default"]["OPTIONS"]["location"] == "prod/media"
    assert config["default"]["OPTIONS"]["file_overwrite"] is False
    assert config["imports"]["OPTIONS"]["location"] == "prod/imports"
    with pytest.raises(ValueError):
        file_storage.s3_options("http://files")


def test_local_default_keeps_the_data_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    storage = file_storage.imports_storage()
    assert file_storage.is_local(storage)
    assert Path(storage.path("files/x.csv")) == tmp_path / "imports" / "files" / "x.csv"
    inside = tmp_path / "imports" / "rejects" / "r.csv"
    assert file_storage.storage_name(str(inside)) == "rejects/r.csv"
    assert file_storage.storage_name("/etc/passwd") is None
    assert file_storage.storage_name("../secret_key") is None
    assert file_storage.publish(inside, "rejects/r.csv") == str(inside)  # locally: the path itself


@pytest.fixture
def s3(settings, monkeypatch, tmp_path):
    """Both storages in a moto S3 bucket, as LIVEOPS_STORAGE_URL=s3://liveops-test sets them."""
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    settings.DATA_DIR = tmp_path / "data"
    with mock_aws():
        import boto3

        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = file_storage.storages_setting(
            data_dir=settings.DATA_DIR,
            storage_url=f"s3://{BUCKET}",
            static_backend="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
        yield client


def _keys(client) -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_s3_publish_fetch_and_stream(s3, tmp_path):
    local = tmp_path / "report.csv"
    local.write_bytes(b"line,reason\n" + b"x" * 3_000_000)
    name = file_storage.publish(local, "rejects/run-1-rejects.csv")
    assert name == "rejects/run-1-rejects.csv" and not local.exists()
    assert "imports/rejects/run-1-rejects.csv" in _keys(s3)
    with file_storage.local_copy(name) as path:
        assert path.read_bytes().startswith(b"line,reason\n") and path.stat().st_size == 3_000_012
        assert path.parent == file_storage.scratch_dir()
    assert not path.exists()  # the scratch copy is removed
    body = file_storage.open_stored(name)
    assert body.read(11) == b"line,reason"
    body.close()
    assert file_storage.open_stored("rejects/none.csv") is None
    assert file_storage.storage_name("/srv/anything") is None  # no local paths with a bucket
    with file_storage.local_copy("files/missing.csv") as missing:
        assert not missing.exists()
    file_storage.discard(name)
    assert "imports/rejects/run-1-rejects.csv" not in _keys(s3)


@pytest.mark.django_db
def test_file_fields_go_to_the_bucket_under_media(s3):
    saved = storages["default"].save("governance/2026/minutes.pdf", ContentFile(b"%PDF-1.4"))
    assert f"media/{saved}" in _keys(s3)
    assert storages["default"].open(saved).read() == b"%PDF-1.4"


@pytest.mark.django_db
def test_import_through_the_bucket_and_rejects_served_by_the_view(s3, client):
    admin = get_user_model().objects.create_superuser("st_admin", "st@example.com", "Test-password-2026")
    text = "\n".join([HEADER, "2016/11/14,A1,面霜,139,100,10,甲店", "2016/11/14,A2,乳液,oops,100,10,甲店"])
    run = import_start(
        actor=admin,
        kind="market-snapshots",
        file=io.BytesIO(text.encode()),
        file_name="market.csv",
        run_now=True,
    )
    assert (run.status, run.rows_inserted, run.rows_rejected) == (ImportStatus.SUCCEEDED, 1, 1)
    assert run.file_path == f"files/run-{run.pk}-market.csv"
    assert run.rejects_path == f"rejects/run-{run.pk}-rejects.csv"
    assert {f"imports/{run.file_path}", f"imports/{run.rejects_path}"} <= _keys(s3)
    # Nothing of the run stays on this node's disk.
    left = [p for p in Path(file_storage.scratch_dir()).parent.rglob("*") if p.is_file()]
    assert left == []

    assert client.get(reverse("job-rejects", args=[run.pk])).status_code == 302  # login first
    client.force_login(admin)
    response = client.get(reverse("job-rejects", args=[run.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][2] == "oops"

    # Run again (same run): the old report is replaced, the file is read from the bucket again.
    from liveops.core.imports.runner import import_execute

    again = import_execute(run=run, actor=admin)
    assert (again.status, again.rows_unchanged, again.rows_rejected) == (ImportStatus.SUCCEEDED, 1, 1)
