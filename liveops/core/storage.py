"""Where stored files live: the local data folder (default) or an S3-compatible object store.

Two Django storages (``settings.STORAGES``) hold every file LiveOps keeps:

- ``default``: the files of model ``FileField``\\s (governance documents, statements, contracts,
  credentials, product images, inspection photos). Locally under ``DATA_DIR/media``.
- ``imports``: import files, staged uploads and rejects reports. Locally under ``DATA_DIR/imports``
  (where they always were).

``LIVEOPS_STORAGE_URL=s3://bucket[/prefix]?endpoint=http://host:9000[&region=…][&addressing=path]``
puts both in one bucket (under ``media/`` and ``imports/``) through django-storages' S3 backend, so any
node can serve a file another node stored. Credentials come from the usual ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` variables. Objects are private (no ACL, no public URL is ever handed out):
files are served only by the permission-checked views, which stream them from the store.

Import runs keep where their file is in ``ImportRun.file_path`` / ``rejects_path``. With the local
folder this stays the absolute path it always was (so the CLI prints a path one can open); with an
object store it is the object's name in the ``imports`` storage. ``storage_name`` reads both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

IMPORTS = "imports"
_CHUNK = 1024 * 1024


# Settings ----------------------------------------------------------------------------------------


def storages_setting(*, data_dir: Path, storage_url: str, static_backend: str) -> dict:
    """The ``STORAGES`` setting: local folders, or an S3 bucket when ``storage_url`` is given."""
    static = {"staticfiles": {"BACKEND": static_backend}}
    if not storage_url:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            IMPORTS: {"BACKEND": "liveops.core.storage.DataFolderStorage", "OPTIONS": {"folder": "imports"}},
        } | static
    options = s3_options(storage_url)
    prefix = options.pop("location")
    backend = "storages.backends.s3.S3Storage"
    return {
        # FileFields: never overwrite another record's file of the same name.
        "default": {
            "BACKEND": backend,
            "OPTIONS": options | {"location": _join(prefix, "media"), "file_overwrite": False},
        },
        # Import files have names of their own (``files/run-<id>-…``): a rerun replaces its report.
        IMPORTS: {"BACKEND": backend, "OPTIONS": options | {"location": _join(prefix, "imports")}},
    } | static


def _join(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def s3_options(url: str) -> dict:
    """django-storages S3 options from ``s3://bucket[/prefix]?endpoint=…&region=…&addressing=…``."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"LIVEOPS_STORAGE_URL must look like s3://bucket?endpoint=…, not {url!r}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    options = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        # Private objects; links are never given out (the views stream files), so no signed URLs either.
        "default_acl": None,
        "querystring_auth": True,
        # Downloads larger than this spool to a temporary file instead of memory.
        "max_memory_size": 8 * 1024 * 1024,
    }
    if endpoint := query.get("endpoint"):
        options["endpoint_url"] = endpoint
        options["use_ssl"] = endpoint.startswith("https:")
    if region := query.get("region"):
        options["region_name"] = region
    if addressing := query.get("addressing"):
        options["addressing_style"] = addressing
    return options


class DataFolderStorage(FileSystemStorage):
    """A folder of the data folder (``DATA_DIR/<folder>``), found from the setting when used, so it
    follows ``DATA_DIR`` wherever that points (a test's temporary folder too)."""

    def __init__(self, folder: str = "imports", **kwargs):
        super().__init__(**kwargs)
        self.folder = folder

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(Path(settings.DATA_DIR) / self.folder)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)


# Helpers -----------------------------------------------------------------------------------------


def imports_storage() -> Storage:
    """The storage of import files, staged uploads and rejects reports."""
    return storages[IMPORTS]


def is_local(storage: Storage) -> bool:
    return isinstance(storage, FileSystemStorage)


def scratch_dir() -> Path:
    """Node-local scratch folder (``DATA_DIR/imports/tmp``) for files being written or read."""
    path = Path(settings.DATA_DIR) / "imports" / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def storage_name(value: str, storage: Storage | None = None) -> str | None:
    """The name inside ``storage`` of a recorded file (``ImportRun.file_path`` / ``rejects_path``):
    an absolute path under a local storage's folder, or an object name. ``None`` for a path outside
    the storage (never served) or an empty value."""
    storage = storage or imports_storage()
    if not value:
        return None
    if os.path.isabs(value):
        if not is_local(storage):
            return None
        root = Path(storage.location).resolve()
        path = Path(value).resolve()
        if root not in path.parents:
            return None
        return path.relative_to(root).as_posix()
    if ".." in Path(value).parts:
        return None
    return value


def recorded_value(name: str, storage: Storage | None = None) -> str:
    """What to record for the stored file ``name``: its absolute path locally, else its name."""
    storage = storage or imports_storage()
    return str(Path(storage.path(name))) if is_local(storage) else name


def publish(local_path: Path, name: str, storage: Storage | None = None) -> str:
    """Make a file written on this node's disk a stored file called ``name`` and return what to record.
    Locally the file already is where the storage keeps it; otherwise it is uploaded (in parts, from
    the file: never read whole into memory) and the local copy is removed."""
    storage = storage or imports_storage()
    if is_local(storage):
        return str(local_path)
    with open(local_path, "rb") as fh:
        # S3 keeps the name it was given (file_overwrite on), so the name stays predictable.
        saved = storage.save(name, File(fh, name=Path(name).name))
    Path(local_path).unlink(missing_ok=True)
    return saved


def discard(value: str, storage: Storage | None = None) -> None:
    """Delete a recorded file, if it is there."""
    storage = storage or imports_storage()
    name = storage_name(value, storage)
    if name is None:
        return
    with contextlib.suppress(FileNotFoundError, OSError):
        storage.delete(name)


def _object_key(storage: Storage, name: str) -> str:
    # django-storages' own name → key mapping (the storage's ``location`` prefix).
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))  # noqa: SLF001


def download_to(storage: Storage, name: str, dest: Path) -> bool:
    """Copy the stored file ``name`` to ``dest`` in chunks (S3: boto3's ranged transfer). False if
    there is no such file."""
    if not storage.exists(name):
        return False
    if is_local(storage):
        shutil.copyfile(storage.path(name), dest)
        return True
    storage.bucket.download_file(_object_key(storage, name), str(dest))
    return True


@contextlib.contextmanager
def local_copy(value: str, storage: Storage | None = None) -> Iterator[Path]:
    """A path on this node's disk to read a recorded file from (the import readers need one: polars
    and calamine read files). Locally that is the file itself; from an object store the file is
    downloaded by streaming into the scratch folder and removed afterwards. A file that is not there
    gives a path that does not exist (the readers refuse it as missing)."""
    storage = storage or imports_storage()
    if not value or os.path.isabs(value):
        # The local folder (absolute paths are recorded there), or a run recorded before the object
        # store was configured.
        yield Path(value or "")
        return
    if is_local(storage):
        yield Path(storage.path(value))
        return
    fd, tmp = tempfile.mkstemp(prefix="fetch-", suffix=Path(value).suffix[-16:], dir=scratch_dir())
    os.close(fd)
    path = Path(tmp)
    try:
        if not download_to(storage, value, path):
            path.unlink(missing_ok=True)
        yield path
    finally:
        path.unlink(missing_ok=True)


def open_stored(value: str, storage: Storage | None = None) -> IO[bytes] | None:
    """A binary stream of a recorded file for a download response, or None when it is not there or
    lies outside the storage. From S3 this is the object's body, read as the response is sent."""
    storage = storage or imports_storage()
    name = storage_name(value, storage)
    if name is None:
        return None
    if is_local(storage):
        path = Path(storage.path(name))
        return open(path, "rb") if path.is_file() else None  # noqa: SIM115 - closed by FileResponse
    try:
        return storage.bucket.Object(_object_key(storage, name)).get()["Body"]
    except Exception:  # botocore's NoSuchKey / ClientError
        return None
