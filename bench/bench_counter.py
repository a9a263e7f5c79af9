"""What it costs a server process to see the desk's change counter (issue 25), per read.

The public page cache of each `factdesk serve` worker compares the store's change counter
(`factdesk.store.coordination`) before answering from memory. Measured here, on one process:

- SQLite: the counter row (`SELECT n FROM desk_changes`), and `PRAGMA data_version` for
  comparison (it moves on any write by another connection, so it would also empty the cache on
  every session, audit row and job heartbeat);
- PostgreSQL: the counter row over loopback;
- `Newsroom.changes` as the cache calls it (one read reused for 50 ms), on SQLite.

    python bench/bench_counter.py                 # SQLite only
    python bench/bench_counter.py --pg-url URL    # also PostgreSQL (scripts/pg.sh start prints one)
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.store.coordination import open_coordination  # noqa: E402


def per_call_us(fn: Callable[[], object], n: int) -> float:
    """Median of 5 rounds of n calls, in microseconds per call."""
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - t0) / n * 1e6)
    return round(sorted(rounds)[2], 2)


def main(argv: list[str] | None = None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pg-url", help="a PostgreSQL database to measure too")
    ap.add_argument("-n", type=int, default=5000, help="reads per round (default 5000)")
    args = ap.parse_args(argv)
    out: dict[str, float] = {}
    path = str(Path(tempfile.mkdtemp()) / "counter.db")
    coord = open_coordination(path)
    assert coord is not None
    out["sqlite_counter_row_us"] = per_call_us(coord.changes, args.n)
    conn = sqlite3.connect(path, check_same_thread=False)
    out["sqlite_data_version_us"] = per_call_us(lambda: conn.execute("PRAGMA data_version").fetchone(), args.n)
    out["sqlite_bump_us"] = per_call_us(coord.bump, max(1, args.n // 10))

    from factdesk.newsroom import Newsroom
    from factdesk.pipeline import Desk
    from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel

    news = Newsroom(lambda: Desk(db=path, embedder=FakeEmbedder(), stance_model=FakeStanceModel()))
    out["newsroom_changes_50ms_reuse_us"] = per_call_us(lambda: news.changes, args.n)
    if args.pg_url:
        pg = open_coordination(args.pg_url)
        assert pg is not None
        out["postgres_counter_row_us"] = per_call_us(pg.changes, max(1, args.n // 5))
        out["postgres_bump_us"] = per_call_us(pg.bump, max(1, args.n // 50))
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
