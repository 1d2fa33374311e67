"""The ``liveops`` command: a thin wrapper around manage.py with the everyday verbs.

liveops run        migrate, build the demo company if the database is empty, serve on :8000 with a worker
liveops demo       build the demo company
liveops worker     run the background-job worker
liveops import KIND FILE [--mapping NAME] [--json] [--shop NAME]
liveops <any manage.py command>
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

# Verbs that are a manage.py command under another name.
CLI_VERBS = {"import": "liveops_import"}


def _manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liveops.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["liveops", *argv])


def _run(bind: str, workers: int) -> int:
    """Prepare the database and static files, then run gunicorn and the task worker together."""
    _manage(["migrate", "--no-input", "-v", "0"])
    _manage(["demo"])
    _manage(["collectstatic", "--no-input", "-v", "0"])
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="liveops.settings")
    root = str(Path(__file__).resolve().parent.parent)
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "liveops.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ],
        env=env,
        cwd=root,
    )
    worker = subprocess.Popen([sys.executable, "-m", "liveops.cli", "worker"], env=env, cwd=root)
    print(f"LiveOps is running at http://{bind}/  (Ctrl-C to stop)", flush=True)

    def stop(*_args):
        for p in (web, worker):
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            for p in (web, worker):
                try:
                    code = p.wait(timeout=1)
                    stop()
                    return code
                except subprocess.TimeoutExpired:
                    continue
    except KeyboardInterrupt:
        stop()
        return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    verb, rest = argv[0], argv[1:]
    if verb == "run":
        bind = os.environ.get("LIVEOPS_BIND", "127.0.0.1:8000")
        return _run(bind, int(os.environ.get("LIVEOPS_WEB_WORKERS", "2")))
    if verb == "worker":
        # Runs left "running" by a worker that died (a deploy, kill -9) end as failed first.
        _manage(["imports_reap"])
        # The daily rollup check (liveops.commerce.tasks) is queued if none waits.
        _manage(["rollups", "schedule"])
        # django-tasks-db's worker with a heartbeat: jobs of a worker that died are run again.
        _manage(["liveops_worker", *rest])
        return 0
    if verb in CLI_VERBS:
        _manage([CLI_VERBS[verb], *rest])
        return 0
    _manage([verb, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
