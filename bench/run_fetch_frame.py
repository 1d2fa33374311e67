"""PostgreSQL reads into polars: ``fetchall`` of Python tuples (how ``bulk.fetch_frame`` read before)
against ``COPY … TO STDOUT`` as CSV parsed by polars (how it reads now), on 300,000 lines with the
rollups' 14 columns. Checks that both give the same frame, then prints the median of 3 reads of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/run_fetch_frame.py

Creates, then drops, a table ``fb_lines`` in that database.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROWS = 300_000
FILL = """
CREATE TABLE fb_lines AS SELECT
  g AS id, date '2026-01-01' + (g %% 180) AS day, g / 2 AS order_id,
  now() - (g || ' seconds')::interval AS paid_at, now() AS submitted_at,
  (g %% 10000)::bigint AS amount_paid_fen, 1::bigint AS quantity, 0::bigint AS refund_fen,
  'none'::text AS aftersale_state, '浙江'::text AS province, '直播'::text AS traffic_source,
  (g %% 40)::bigint AS anchor_account_id, (g %% 2000)::bigint AS product_id,
  (g %% 300)::bigint AS merchant_id, md5(g::text) AS buyer_key
FROM generate_series(1, %s) g
"""


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liveops.settings")
    import django

    django.setup()
    from django.db import connection

    from liveops.commerce import bulk
    from liveops.commerce.services.rollups import _LINE_SCHEMA, ROLLUP_COLUMNS

    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL database.")
        return 2
    sql = f"SELECT {', '.join(ROLLUP_COLUMNS)} FROM fb_lines"  # noqa: S608 - fixed column names

    def by_fetchall():
        with connection.cursor() as cursor:
            cursor.execute(sql, [])
            rows = cursor.fetchall()
        return bulk._typed_frame([[r[i] for r in rows] for i in range(len(_LINE_SCHEMA))], _LINE_SCHEMA)

    def by_copy():
        return bulk.fetch_frame(sql, [], _LINE_SCHEMA)

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS fb_lines")
        cursor.execute(FILL, [ROWS])
    try:
        assert by_fetchall().equals(by_copy()), "the two reads differ"
        for name, read in (("fetchall", by_fetchall), ("COPY → polars", by_copy)):
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                read()
                times.append(time.perf_counter() - t0)
            print(f"{name}: {statistics.median(times):.3f} s for {ROWS:,} rows × {len(_LINE_SCHEMA)} columns")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS fb_lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
