"""Market and competitor intelligence (LC-2, MC-3): bringing competitor snapshots in.

Market data only arrives through the import framework (kind ``market-snapshots``), so every load is
an audited ``ImportRun`` with its counts and rejects report, whether a person uploads a file, the CLI
runs ``liveops import market-snapshots FILE`` or the demo loads the Tmall cosmetics file.
"""

from __future__ import annotations

from pathlib import Path

from liveops.core.imports.services import import_start
from liveops.core.models import ImportRun

KIND = "market-snapshots"


def _ensure_registered() -> None:
    # The kind registers itself on import; sourcing/importers.py imports it for autodiscovery, and
    # this keeps the service usable on its own (shell, demo) whatever the import order.
    import liveops.sourcing.importers_market  # noqa: F401


def market_snapshots_import(
    *, actor, path: str | Path, platform: str = "tmall", run_now: bool = True, file_name: str = ""
) -> ImportRun:
    """Import a file of daily listing snapshots for ``platform``. ``actor=None`` is the system.
    Refuses actors without ``sourcing.import`` (``NotAllowed``); bad rows go to the rejects report."""
    _ensure_registered()
    path = Path(path)
    return import_start(
        actor=actor,
        kind=KIND,
        file=path,
        file_name=file_name or path.name,
        options={"platform": platform},
        run_now=run_now,
    )
