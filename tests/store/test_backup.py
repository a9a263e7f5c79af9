"""Backup and restore (factdesk.store.backup) while another connection keeps writing, on both backends.

The restored store must pass its integrity checks (PRAGMA integrity_check and the FTS index's
own check on SQLite; pg_restore in one transaction with --exit-on-error on PostgreSQL), hold
every document committed before the backup began, each with all of its passages, and open as
a current store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from factdesk.errors import StoreError
from factdesk.registry import open_store
from factdesk.store.backup import backup, restore
from factdesk.types import Document, Passage

DIM = 8
PASSAGES = 3
FILLER = "Background paragraph for the size of the store. " * 400  # ~20 kB a document: a backup that takes a while


def _add(store: Any, n: int, tag: str) -> str:
    text = f"Report {tag} number {n}: refugees crossed the border. " + FILLER
    d = Document(text=text, title=f"{tag}-{n}", publisher="Wire", published="2021-11-0" + str(1 + n % 9))
    step = len(text) // PASSAGES
    ps = [Passage(d.id, text[i * step : (i + 1) * step], i * step, (i + 1) * step, index=i) for i in range(PASSAGES)]
    vecs = np.random.default_rng(n).standard_normal((PASSAGES, DIM)).astype("float32")
    assert store.add_document(d, ps, vecs / np.linalg.norm(vecs, axis=1, keepdims=True))
    return d.id


class Writer(threading.Thread):
    """Adds documents through its own store connection until stopped; keeps (id, commit time)."""

    def __init__(self, db: str) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.committed: list[tuple[str, float]] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()

    def run(self) -> None:
        store = open_store(self.db, dim=DIM)
        try:
            n = 0
            while not self.stop.is_set():
                doc_id = _add(store, n, "live")
                self.committed.append((doc_id, time.monotonic()))
                n += 1
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
        finally:
            store.close()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while len(self.committed) < count:
            assert not self.errors, self.errors
            assert time.monotonic() < end, f"the writer committed {len(self.committed)} of {count} documents"
            time.sleep(0.01)


@pytest.fixture
def second_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where to restore: a new SQLite path, or a second empty database on the test server."""
    if backend == "sqlite":
        return str(tmp_path / "restored.db")
    return str(request.getfixturevalue("new_pg_database")("fdrestore_"))


@pytest.fixture
def filled(store_url: str) -> Iterator[str]:
    s = open_store(store_url, dim=DIM)
    for i in range(150):
        _add(s, i, "old")
    s.close()
    yield store_url


def test_a_backup_taken_while_writing_restores_every_row_committed_before_it(
    filled: str, second_db: str, tmp_path: Path
) -> None:
    writer = Writer(filled)
    writer.start()
    try:
        writer.wait_for(3)
        before = {i for i, _ in writer.committed}
        start = time.monotonic()
        result = backup(filled, tmp_path / "desk.backup")
        end = time.monotonic()
        writer.wait_for(len(writer.committed) + 3)
    finally:
        writer.stop.set()
        writer.join(60)
    assert not writer.errors, writer.errors  # the writer was never locked out
    during = [i for i, t in writer.committed if start < t < end]
    assert during, f"no write landed during the backup ({end - start:.3f} s): the test proves nothing"
    everything = {i for i, _ in writer.committed}

    restored = restore(result.path, second_db)
    assert restored.tables == result.tables  # what the backup counted is what came back
    store = open_store(second_db, dim=DIM)
    try:
        docs = {d.id for d in store.list_documents(limit=100_000)}
        live = {i for i in docs if i in everything}
        assert before <= live <= everything  # all committed before it began; nothing never committed
        assert len(docs) == 150 + len(live) == result.tables["documents"]
        assert store.stats()["passages"] == PASSAGES * len(docs)  # no document without all its passages
        if hasattr(store, "integrity_check"):
            assert store.integrity_check()  # PRAGMA integrity_check and the FTS index agree
        assert store.lexical_search("refugees crossed", k=5)
        assert len(store.dense_search(np.ones(DIM, "float32") / DIM**0.5, k=5)) == 5
    finally:
        store.close()


def test_restore_refuses_a_store_it_would_overwrite_unless_forced(filled: str, tmp_path: Path) -> None:
    result = backup(filled, tmp_path / "desk.backup")
    with pytest.raises(StoreError, match="exists"):
        backup(filled, tmp_path / "desk.backup")
    with pytest.raises(StoreError, match="already holds a store.*--force"):
        restore(result.path, filled)
    s = open_store(filled, dim=DIM)
    _add(s, 999, "after")
    assert s.stats()["documents"] == 151
    s.close()
    restore(result.path, filled, force=True)
    s = open_store(filled, dim=DIM)
    try:
        assert s.stats()["documents"] == 150  # back to the backup
    finally:
        s.close()


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    from factdesk.app.cli import main

    db, copy, back = str(tmp_path / "desk.db"), str(tmp_path / "copy.db"), str(tmp_path / "b.db")
    s = open_store(db, dim=DIM)
    _add(s, 1, "cli")
    s.close()
    runner = CliRunner()
    r = runner.invoke(main, ["backup", back, "--db", db])
    assert r.exit_code == 0 and "1 documents, 3 passages" in r.output, r.output
    r = runner.invoke(main, ["restore", back, "--db", copy])
    assert r.exit_code == 0 and "restored" in r.output, r.output
    r = runner.invoke(main, ["restore", back, "--db", copy])
    assert r.exit_code == 2 and "--force" in r.output
    Path(tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    r = runner.invoke(main, ["restore", str(tmp_path / "junk.db"), "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 2 and "not a readable SQLite store" in r.output, r.output
