"""Schema upgrade, backup and restore timings (docs/scaling.md, "Upgrades and backups").

    .venv/bin/python bench/bench_backup.py --documents 2000 --pg postgresql://postgres@127.0.0.1:PORT/postgres

For each backend: a store of N documents (3 passages each, 384-d random unit vectors, ~2 kB of
text a document) is built; then timed: opening a new store (creation at the head schema), the
upgrade of the 0.1.0 fixture store, a backup while a second connection keeps adding documents
(how many it committed during the backup and its slowest commit), and the restore. `--pg` names
a server whose user may create databases (a fresh one is created per run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.registry import open_store
from factdesk.store import schema
from factdesk.store.backup import backup, restore
from factdesk.types import Document, Passage

DIM = 384
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "store" / "fixtures"


def add(store: Any, n: int, tag: str) -> None:
    text = f"{tag} report {n}: " + "refugees crossed the border and the ministry answered. " * 36
    d = Document(text=text, title=f"{tag}-{n}", publisher="Wire", published="2021-11-01")
    step = len(text) // 3
    ps = [Passage(d.id, text[i * step : (i + 1) * step], i * step, (i + 1) * step, index=i) for i in range(3)]
    v = np.random.default_rng(n).standard_normal((3, DIM)).astype("float32")
    store.add_document(d, ps, v / np.linalg.norm(v, axis=1, keepdims=True))


def new_pg_database(server: str) -> str:
    import psycopg

    name = "fdbench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return server.rpartition("/")[0] + "/" + name


def run(backend: str, documents: int, server: str | None, tmp: Path) -> dict[str, Any]:
    fresh = (
        (lambda: new_pg_database(server)) if backend == "postgres" else (lambda: str(tmp / f"{uuid.uuid4().hex}.db"))
    )
    out: dict[str, Any] = {"backend": backend, "documents": documents}
    db = fresh()
    t = time.perf_counter()
    store = open_store(db, dim=DIM)
    out["new_store_open_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    for i in range(documents):
        add(store, i, "old")
    out["fill_s"] = round(time.perf_counter() - t, 1)
    store.close()

    # the 0.1.0 fixture, upgraded to the head
    if backend == "sqlite":
        old = str(tmp / "release.db")
        shutil.copyfile(FIXTURES / "store-v0.1.0.sqlite", old)
    else:
        import psycopg

        old = fresh()
        sql = "\n".join(x for x in (FIXTURES / "store-v0.1.0.pg.sql").read_text().splitlines() if x[:1] != "\\")
        with psycopg.connect(old, autocommit=True) as c:
            c.execute(sql)
    t = time.perf_counter()
    schema.upgrade(old)
    out["upgrade_fixture_s"] = round(time.perf_counter() - t, 3)

    # backup while a writer adds documents through its own connection
    stop, commits = threading.Event(), []

    def writer() -> None:
        w = open_store(db, dim=DIM)
        n = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            add(w, 10**6 + n, "live")
            commits.append((time.perf_counter(), time.perf_counter() - t0))
            n += 1
        w.close()

    th = threading.Thread(target=writer)
    th.start()
    time.sleep(0.5)
    start = time.perf_counter()
    result = backup(db, tmp / f"backup-{backend}")
    end = time.perf_counter()
    time.sleep(0.3)
    stop.set()
    th.join()
    during = [d for t_, d in commits if start <= t_ <= end]
    out["backup_s"] = round(end - start, 3)
    out["backup_bytes"] = (tmp / f"backup-{backend}").stat().st_size
    out["backup_rows"] = result.tables
    out["writes_during_backup"] = len(during)
    out["slowest_write_during_backup_ms"] = round(1000 * max(during), 1) if during else None
    out["median_write_ms"] = round(1000 * float(np.median([d for _, d in commits])), 1)
    target = fresh()
    t = time.perf_counter()
    restored = restore(result.path, target)
    out["restore_s"] = round(time.perf_counter() - t, 3)
    assert restored.tables == result.tables, (restored.tables, result.tables)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=2000)
    ap.add_argument("--pg", help="postgresql:// URL of a server (its user may CREATE DATABASE)")
    ap.add_argument("--out", default="bench/results/backup.json")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fd-bench-backup-"))
    records = [run("sqlite", a.documents, None, tmp)]
    if a.pg:
        records.append(run("postgres", a.documents, a.pg, tmp))
    shutil.rmtree(tmp, ignore_errors=True)
    Path(a.out).write_text(json.dumps(records, indent=1) + "\n")
    json.dump(records, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
