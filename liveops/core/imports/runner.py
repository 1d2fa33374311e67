"""Running one import: read the file in batches, check it, write each batch in its own transaction.

Batches are atomic, and every kind's ``upsert`` is idempotent on its natural key, so a run that was
killed half-way can simply be run again (same run or a new one) and ends in the same state. Rows
that cannot be imported go to a rejects report (CSV, UTF-8 with BOM: line, column, value, reason);
they never stop the rest of the file. A file that cannot be imported at all (wrong type, too big,
required columns missing) is refused before any row is written.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import queue
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

import polars as pl
from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liveops.core import storage as file_storage
from liveops.core.exports import escape_cell
from liveops.core.imports.liveness import (
    ImportBusy,
    import_busy,
    import_lock_check,
    import_lock_holder,
    import_runs_reap,
    process_id,
)
from liveops.core.imports.readers import BATCH_ROWS, LINE, REC, ImportRefused, normalise_values, open_table
from liveops.core.imports.registry import HeaderMatch, ImportKind, import_kind_get, rejects_frame, split
from liveops.core.models import ImportRun, ImportStatus

log = logging.getLogger(__name__)
KEY = "__liveops_key"
T = TypeVar("T")
UPSERT_SLICE = 5_000


def imports_dir(*parts: str) -> Path:
    """A folder under ``DATA_DIR/imports`` (created on demand)."""
    path = Path(settings.DATA_DIR, "imports", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


# Progress steps a run aims at: batches are made small enough for about this many (never smaller
# than ``_MIN_BATCH_ROWS``), so the progress bar moves during the run, not from 0 to 100 at the end.
_PROGRESS_STEPS = 20
_MIN_BATCH_ROWS = 1_000


def batch_rows(estimated_rows: int | None = None) -> int:
    """Rows per batch: ``LIVEOPS_IMPORT_BATCH_ROWS`` when set, else ``BATCH_ROWS`` for large files and
    less for smaller ones (about ``_PROGRESS_STEPS`` batches a file)."""
    configured = getattr(settings, "LIVEOPS_IMPORT_BATCH_ROWS", None)
    if configured:
        return int(configured)
    if not estimated_rows:
        return BATCH_ROWS
    return max(_MIN_BATCH_ROWS, min(BATCH_ROWS, -(-estimated_rows // _PROGRESS_STEPS)))


def reason_with(template: str, value: pl.Expr, placeholder: str = "%(line)s") -> pl.Expr:
    """A translated reason with one per-row value in it, built as a polars expression."""
    before, _sep, after = template.partition(placeholder)
    return pl.concat_str([pl.lit(before), value.cast(pl.String), pl.lit(after)])


# Headers named in a refusal: a file with thousands of columns must not make a message of pages.
_HEADERS_SHOWN = 10
_HEADER_CHARS = 40


def headers_summary(headers: list[str]) -> str:
    """The file's headers for a message: the first few (each shortened) and how many there are."""
    named = [h if len(h) <= _HEADER_CHARS else h[: _HEADER_CHARS - 1] + "…" for h in headers if h]
    if not named:
        return "-"
    shown = ", ".join(named[:_HEADERS_SHOWN])
    if len(named) <= _HEADERS_SHOWN:
        return shown
    return _("%(shown)s … and %(more)s more (%(count)s columns in all)") % {
        "shown": shown,
        "more": f"{len(named) - _HEADERS_SHOWN:,}",
        "count": f"{len(named):,}",
    }


def missing_columns_message(kind: type[ImportKind], match: HeaderMatch) -> str:
    return _("Required columns are missing: %(missing)s. Columns in the file: %(headers)s.") % {
        "missing": ", ".join(f"{f.label} ({f.name})" for f in match.missing_required),
        "headers": headers_summary(match.headers),
    }


def _fields_frame(raw: pl.DataFrame, kind: type[ImportKind], match: HeaderMatch) -> pl.DataFrame:
    """Batch with file columns → one normalised string column per field, absent fields as null."""
    exprs = [
        pl.col(f"c{match.columns[f.name]}").alias(f.name)
        if f.name in match.columns
        else pl.lit(None, dtype=pl.String).alias(f.name)
        for f in kind.fields
    ]
    frame = raw.select([*exprs, pl.col(LINE), pl.col(REC)])
    return normalise_values(
        frame, [f.name for f in kind.fields], id_like={f.name for f in kind.fields if f.id_like}
    )


def _key_expr(kind: type[ImportKind]) -> pl.Expr:
    # Null as soon as one key part is missing (concat_str propagates nulls).
    return pl.concat_str([pl.col(k) for k in kind.natural_key], separator="\x1f")


def _generic_checks(
    frame: pl.DataFrame, kind: type[ImportKind], seen: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Required values, maximum lengths and natural-key duplicates within the file. Returns the
    remaining rows, the rejects and the updated first-line-per-key table."""
    from liveops.core.imports.registry import reject_where

    checks: list[tuple[pl.Expr, str, str]] = []
    for f in kind.fields:
        if f.required:
            checks.append((pl.col(f.name).is_null(), f.name, _("A value is required.")))
        if f.max_length:
            checks.append(
                (
                    pl.col(f.name).str.len_chars() > f.max_length,
                    f.name,
                    _("Too long: at most %(n)s characters.") % {"n": f.max_length},
                )
            )
    # One pass says which checks hit any row; only those build reject rows (most batches: none).
    hits = (
        frame.select([c.fill_null(False).any().alias(str(i)) for i, (c, _n, _r) in enumerate(checks)]).row(0)
        if checks and frame.height
        else ()
    )
    rejects: list[pl.DataFrame] = [
        reject_where(frame, cond, column=name, reason=reason)
        for hit, (cond, name, reason) in zip(hits, checks, strict=False)
        if hit
    ]
    keyed = frame.with_columns(_key_expr(kind).alias(KEY))
    firsts = keyed.filter(pl.col(KEY).is_not_null()).group_by(KEY).agg(pl.col(LINE).min().alias("__first"))
    # ``seen`` holds every key of the file so far, so it is only ever probed with this batch's keys
    # (an inner join hashes the smaller side) and appended to, never regrouped as a whole. It may
    # list a key twice (a held-back row with a lower line); the minimum is what counts.
    earlier = (
        firsts.select(KEY)
        .join(seen, on=KEY, how="inner")
        .group_by(KEY)
        .agg(pl.col("__first").min().alias("__earlier"))
    )
    firsts = firsts.join(earlier, on=KEY, how="left").select(
        KEY,
        pl.min_horizontal("__first", "__earlier").alias("__first"),
        pl.col("__earlier").is_null().alias("__new"),
        (pl.col("__first") < pl.col("__earlier")).fill_null(False).alias("__lower"),
    )
    added = firsts.filter(pl.col("__new") | pl.col("__lower")).select(KEY, "__first")
    if added.height:
        seen = pl.concat([seen, added], rechunk=seen.n_chunks() > 64)
    keyed = keyed.join(firsts.select(KEY, "__first"), on=KEY, how="left", maintain_order="left")
    key_field = kind.natural_key[0]
    label = kind.field_map()[key_field].label
    dup_reason = _("Duplicate %(field)s in this file: the same value is first on line %(line)s.").replace(
        "%(field)s", str(label)
    )
    dup = keyed.filter(pl.col("__first") < pl.col(LINE)).select(
        pl.col(LINE).alias("line"),
        pl.lit(key_field).alias("column"),
        pl.col(key_field).alias("value"),
        reason_with(dup_reason, pl.col("__first")).alias("reason"),
    )
    rejects.append(rejects_frame(dup))
    remaining, all_rejects = split(frame, rejects)
    return remaining, all_rejects, seen


class _RejectsReport:
    """The rejects CSV, opened on the first reject so runs without rejects leave no file."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.path = imports_dir("rejects") / f"run-{run.pk}-rejects.csv"
        self._fh = None
        self._writer = None
        # Report columns by the header the user wrote in the file (``部门``), not by field name.
        self.headers: dict[str, str] = {}

    def write(self, rejects: pl.DataFrame) -> None:
        if rejects.height == 0:
            return
        if self._writer is None:
            # utf-8-sig: Excel on Chinese Windows needs the BOM to read UTF-8.
            self._fh = open(self.path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._fh)
            self._writer.writerow([_("line"), _("column"), _("value"), _("reason")])
        for line, column, value, reason in rejects.sort("line", maintain_order=True).iter_rows():
            self._writer.writerow([line, self.headers.get(column) or column, escape_cell(value), reason])

    @property
    def written(self) -> bool:
        return self._writer is not None

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()

    def publish(self) -> str:
        """Store the closed report (the shared store, when there is one) and return what to record."""
        return file_storage.publish(self.path, f"rejects/{self.path.name}")


def run_finish(run: ImportRun, status: str, error: str = "") -> ImportRun:
    """Record the end of a run: final status, error message (if any) and finish time."""
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save()
    return run


def import_execute(*, run: ImportRun, actor) -> ImportRun:
    """Run an import to the end and record its outcome on ``run`` (never raises for bad data or
    files: those end as ``refused`` or ``failed`` with a message). Safe to call again on the same run."""
    language = (run.options or {}).get("language")
    with (
        translation.override(language) if language else contextlib.nullcontext(),
        # From a shared object store the file is streamed to this node's disk for the readers.
        file_storage.local_copy(run.file_path) as path,
    ):
        return _execute(run=run, actor=actor, path=path)


def _execute(*, run: ImportRun, actor, path: Path) -> ImportRun:
    kind_cls = import_kind_get(run.kind)
    if kind_cls is None:
        return run_finish(
            run, ImportStatus.REFUSED, _("Unknown import kind “%(kind)s”.") % {"kind": run.kind}
        )
    # Runs whose worker died end here as failed (releasing their shop lock), before this one starts.
    import_runs_reap(exclude=run.pk)
    if not run.lock_key:
        run.lock_key = kind_cls.lock_key_for(run.options or {})
    try:
        import_lock_check(run.lock_key, exclude=run.pk)
    except ImportBusy as exc:
        return run_finish(run, ImportStatus.REFUSED, str(exc.message))
    if run.rejects_path:
        file_storage.discard(run.rejects_path)
    run.status = ImportStatus.RUNNING
    run.progress_done = run.progress_total = 0
    run.rows_read = run.rows_inserted = run.rows_updated = run.rows_unchanged = run.rows_rejected = 0
    run.rejects_path = run.error = ""
    run.finished_at = None
    run.worker = process_id()
    run.heartbeat_at = timezone.now()
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        # Another run into the same shop started between the check and now (the lock's constraint).
        run.status = ImportStatus.QUEUED
        return run_finish(
            run, ImportStatus.REFUSED, str(import_busy(import_lock_holder(run.lock_key)).message)
        )
    report = _RejectsReport(run)
    behind: _WriteBehind | None = None
    try:
        try:
            reader = open_table(path)
        except ImportRefused as exc:
            return run_finish(run, ImportStatus.REFUSED, str(exc.message))
        with reader:
            columns = dict(run.mapping.columns) if run.mapping_id and run.mapping else {}
            columns.update((run.options or {}).get("columns") or {})
            match = kind_cls.match_headers(reader.headers, columns)
            report.headers = {name: match.headers[i] for name, i in match.columns.items()}
            if not match.ok:
                return run_finish(run, ImportStatus.REFUSED, missing_columns_message(kind_cls, match))
            kind = kind_cls(run=run, actor=actor, present=match.columns)
            kind.prepare()
            if _write_behind_wanted(kind_cls):
                kind.writes_defer()
                behind = _WriteBehind(writers=int(getattr(settings, "LIVEOPS_IMPORT_WRITERS", 2)))
            if kind.wants_file_keys:
                kind.file_keys = _file_keys(reader, kind_cls, match)
            run.progress_total = reader.estimated_rows
            run.save(update_fields=["progress_total"])
            batches = _checked_batches(reader, kind_cls, match)
            if getattr(settings, "LIVEOPS_IMPORT_READ_AHEAD", True):
                batches = _read_ahead(batches)
            # Closed explicitly: on an error the read-ahead thread must stop before the file closes.
            with contextlib.closing(batches):
                for height, remaining, rejects in batches:
                    remaining, skipped = kind.skip_unchanged(remaining)
                    valid, kind_rejects = kind.validate(remaining)
                    valid, rejects = split(valid, [rejects, kind_rejects])
                    inserted, updated, unchanged = 0, 0, skipped
                    if valid.height:
                        # Behind: ``upsert`` only reads and collects its writes; the writer thread makes
                        # them in one transaction, with the counters below.
                        with contextlib.nullcontext() if behind else transaction.atomic():
                            # Slices bound the Python objects alive at once; the batch stays one transaction.
                            for part in valid.iter_slices(kind_cls.upsert_slice or valid.height):
                                counts = kind.upsert(part, run=run, actor=actor)
                                inserted, updated, unchanged = (
                                    inserted + counts[0],
                                    updated + counts[1],
                                    unchanged + counts[2],
                                )
                        if inserted + updated + unchanged != valid.height + skipped:
                            raise RuntimeError(
                                f"{kind_cls.__name__}.upsert counted {inserted + updated + unchanged} of {valid.height} rows"
                            )
                    report.write(rejects)
                    rejected_before = run.rows_rejected
                    run.rows_read += height
                    run.rows_inserted += inserted
                    run.rows_updated += updated
                    run.rows_unchanged += unchanged
                    run.rows_rejected += rejects.get_column("line").n_unique()
                    run.progress_done = run.rows_read
                    run.progress_total = max(run.progress_total, run.rows_read)
                    if behind:
                        # Batches may commit out of order: each adds its own share to the counters.
                        added = {"rows_read": height, "rows_inserted": inserted, "rows_updated": updated}
                        added |= {
                            "rows_unchanged": unchanged,
                            "rows_rejected": run.rows_rejected - rejected_before,
                        }
                        behind.submit([*kind.writes_take(), partial(_counters_add, run.pk, added)])
                    else:
                        _counters_save(run.pk, {name: getattr(run, name) for name in _COUNTERS})
            if behind:
                behind.close()  # every batch written (or its failure raised) before the last step
            with transaction.atomic():
                kind.finalize(run=run, actor=actor)
        report.close()
        if report.written:
            run.rejects_path = report.publish()
        run.progress_total = run.progress_done = run.rows_read
        return run_finish(run, ImportStatus.SUCCEEDED)
    except ImportRefused as exc:
        _write_behind_stop(behind, run)
        report.close()
        return run_finish(run, ImportStatus.REFUSED, str(exc.message))
    except Exception as exc:
        log.exception("Import run %s failed", run.pk)
        _write_behind_stop(behind, run)
        report.close()
        if report.written:
            run.rejects_path = report.publish()
        return run_finish(
            run,
            ImportStatus.FAILED,
            _("The import stopped because of an unexpected error: %(error)s") % {"error": exc},
        )


_COUNTERS = (
    "rows_read",
    "rows_inserted",
    "rows_updated",
    "rows_unchanged",
    "rows_rejected",
    "progress_done",
    "progress_total",
)


def _counters_save(run_id: int, counters: dict[str, int]) -> None:
    # Each step is also the run's heartbeat (``liveness``): a run that stops reporting has died.
    ImportRun.objects.filter(pk=run_id).update(**counters, heartbeat_at=timezone.now())


def _counters_add(run_id: int, added: dict[str, int]) -> None:
    """Add one batch's rows to the run's counters (write-behind: in the batch's own transaction, so
    the counters are the sum of the batches written, whatever order they were committed in)."""
    read = F("rows_read") + added["rows_read"]
    ImportRun.objects.filter(pk=run_id).update(
        **{name: F(name) + n for name, n in added.items()},
        progress_done=read,
        progress_total=Greatest(F("progress_total"), read),
        heartbeat_at=timezone.now(),
    )


def _write_behind_wanted(kind: type[ImportKind]) -> bool:
    """Whether this run writes its batches in a background thread (``_WriteBehind``): kinds that
    allow it, on PostgreSQL, when no transaction is open around the run. SQLite has one writer at a
    time, and the other connection would not see what an open transaction (a test's) wrote."""
    return (
        kind.write_behind
        and getattr(settings, "LIVEOPS_IMPORT_WRITE_BEHIND", True)
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


class _WriteBehind:
    """Writes each batch in a background thread, in one transaction on the thread's own connection,
    while the runner reads and prepares the next batch.

    Why: preparing a batch is client work (polars, which releases the GIL) and writing it is server
    work (COPY, index upkeep, reference checks), so on two cores they overlap instead of taking turns.
    With ``writers`` threads, that many batches are written at once, each on its own connection: one
    backend cannot keep up with the runner, and the server's share then fills the second core. Their
    transactions never touch the same rows (each key's rows are in one batch), so they neither wait for
    nor deadlock on each other, and may commit in any order. At most ``writers`` batches wait, so memory
    grows by that many batches. Each batch's transaction also adds its rows to the run's counters, so
    the counters never count a batch that was not written. A failure is raised in the runner's thread at
    its next ``submit`` or ``close``; batches not yet started are then dropped, not written.
    """

    def __init__(self, *, writers: int = 1) -> None:
        self._jobs: queue.Queue = queue.Queue(maxsize=max(1, writers))
        self._error: BaseException | None = None
        self._language = translation.get_language()
        self._threads = [
            threading.Thread(target=self._work, name=f"import-write-behind-{i}", daemon=True)
            for i in range(max(1, writers))
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        with translation.override(self._language):
            try:
                while (job := self._jobs.get()) is not None:
                    if self._error is not None:
                        continue  # a batch failed: the ones not yet started are dropped, not written
                    try:
                        with transaction.atomic():
                            for write in job:
                                write()
                    except BaseException as exc:  # raised in the runner's thread
                        if self._error is None:
                            self._error = exc
            finally:
                connections.close_all()  # this thread's connections only

    def submit(self, writes: list) -> None:
        """Queue one batch's writes (waits while ``writers`` batches are already waiting)."""
        if self._error is not None:
            raise self._error
        self._jobs.put(writes)

    def close(self) -> None:
        """Wait until every queued batch is written; raise the first failure."""
        for thread in self._threads:
            if thread.is_alive():
                self._jobs.put(None)  # one end mark per thread: each takes one and stops
        for thread in self._threads:
            thread.join()
        if self._error is not None:
            raise self._error


def _write_behind_stop(behind: _WriteBehind | None, run: ImportRun) -> None:
    """On a failed or refused run: let the queued batches finish, then take the counters from the
    database, where they count only the batches that were written."""
    if behind is None:
        return
    with contextlib.suppress(Exception):  # the run's own error is the one to report
        behind.close()
    run.refresh_from_db(fields=list(_COUNTERS))


def _checked_batches(reader, kind: type[ImportKind], match: HeaderMatch):
    """Each non-empty batch of the file as (rows read, rows left after the generic checks, their
    rejects). Reads the file and touches no database, so it can run ahead in another thread."""
    seen = pl.DataFrame(schema={KEY: pl.String, "__first": pl.Int64})
    for frame in _field_batches(reader, kind, match):
        if frame.height == 0:
            continue
        remaining, rejects, seen = _generic_checks(frame, kind, seen)
        yield frame.height, remaining, rejects


def _read_ahead(items: Iterator[T]) -> Iterator[T]:
    """Yield what ``items`` yields, produced one step ahead in a background thread.

    Why: reading, normalising and checking the next batch is polars work that releases the GIL, and so
    is writing the current one (SQLite and psycopg wait without it), so on two cores the two overlap.
    One batch at most waits ready, so memory grows by one batch, not by the file. ``items`` must not use
    the database: the thread would get a connection of its own, outside the caller's transaction.
    Exceptions (a refused file) are raised here, in the caller's thread, in order.
    """
    ready: queue.Queue = queue.Queue(maxsize=1)
    # The producer starts the next item only once the previous one was taken: at most one waits.
    taken = threading.Semaphore(1)
    stop = threading.Event()
    language = translation.get_language()

    def produce() -> None:
        with translation.override(language):
            try:
                while True:
                    taken.acquire()
                    if stop.is_set():
                        return
                    try:
                        item = next(items)
                    except StopIteration:
                        ready.put(("done", None))
                        return
                    ready.put(("item", item))
            except BaseException as exc:  # handed to the caller's thread, raised there
                ready.put(("error", exc))

    thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            tag, value = ready.get()
            if tag == "done":
                return
            if tag == "error":
                raise value
            taken.release()
            yield value
    finally:
        # The caller stopped early (an error while writing) or the items ran out: let the producer
        # see the flag, and never leave it blocked on the semaphore or a full queue.
        stop.set()
        taken.release()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        thread.join()


def _field_batches(reader, kind: type[ImportKind], match: HeaderMatch):
    """The file's batches as field frames; for kinds with a ``group_field``, rows of a group that
    continues in a later batch are carried forward so each group is written in one batch."""
    group_last = _group_last_records(reader, kind, match)
    held = None
    batch_end = -1
    for raw in reader.batches(batch_rows(reader.estimated_rows)):
        frame = _fields_frame(raw, kind, match)
        if group_last is None:
            yield frame
            continue
        if raw.height:
            batch_end = max(batch_end, int(raw.get_column(REC).max()))
        frame, held = _hold_open_groups(frame, held, group_last, batch_end)
        yield frame
    if held is not None and held.height:
        yield held


def _group_last_records(reader, kind: type[ImportKind], match: HeaderMatch) -> pl.Series | None:
    """For kinds with a ``group_field``: for every record of the file (indexed by its ``REC``), the
    last record number of its group, null when it has no group value (a cheap one-column pass), so
    a batch can hold back groups that continue further down with a lookup by position."""
    name = kind.group_field
    if not name or name not in match.columns:
        return None
    field = kind.field_map()[name]
    parts = [
        normalise_values(
            values.rename({f"c{match.columns[name]}": name}),
            [name],
            id_like={name} if field.id_like else set(),
        )
        for values in reader.column_records(match.columns[name])
    ]
    if not parts:
        return pl.Series("__last", [], dtype=pl.Int64)
    records = pl.concat(parts).select(
        REC,
        pl.when(pl.col(name).is_not_null()).then(pl.col(REC).max().over(name)).alias("__last"),
    )
    del parts
    size = int(records.get_column(REC).max()) + 1 if records.height else 0
    return pl.repeat(None, size, dtype=pl.Int64, eager=True).scatter(
        records.get_column(REC), records.get_column("__last")
    )


def _hold_open_groups(
    frame: pl.DataFrame, held: pl.DataFrame | None, group_last: pl.Series, batch_end: int
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Split ``held`` + ``frame`` into the rows whose group is complete by ``batch_end`` and the rows
    to carry to the next batch (their group has more rows further down the file)."""
    if held is not None and held.height:
        frame = pl.concat([held, frame])
    last = group_last.gather(frame.get_column(REC))
    later = last.is_not_null() & (last > batch_end)
    return frame.filter(~later), frame.filter(later)


def _file_keys(reader, kind: type[ImportKind], match: HeaderMatch) -> pl.Series:
    """Every natural-key value of the file (single-field keys), normalised like the batches."""
    field = kind.field_map()[kind.natural_key[0]]
    parts = []
    for values in reader.column_values(match.columns[field.name]):
        frame = normalise_values(
            values.alias(field.name).to_frame(),
            [field.name],
            id_like={field.name} if field.id_like else set(),
        )
        parts.append(frame.get_column(field.name).drop_nulls())
    return pl.concat(parts).unique() if parts else pl.Series(field.name, [], dtype=pl.String)
