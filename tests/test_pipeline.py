import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time

from factdesk.ingest.chunking import chunk_document
from factdesk.store.sqlite import SQLiteStore
from factdesk.types import Claim, Document, Rating


def test_ingest_is_idempotent(fake_desk, tiny_corpus):
    r1 = fake_desk.ingest(tiny_corpus)
    r2 = fake_desk.ingest(tiny_corpus)
    assert (r1.documents_added, r1.passages_added) == (4, 4)
    assert (r2.documents_added, r2.documents_unchanged) == (0, 4)
    assert fake_desk.store.stats()["documents"] == 4


def test_retrieve_finds_the_right_passage_and_respects_before(fake_desk, tiny_corpus):
    fake_desk.ingest(tiny_corpus)
    claim = Claim(text="Russia started air strikes in Syria in 2015")
    ev = fake_desk.retrieve(claim, top_k=2)
    assert ev[0].document.publisher == "Reuters"
    assert {"fused", "bm25", "dense"} <= set(ev[0].scores)
    ev = fake_desk.retrieve(Claim(text="sanctions on Belarus"), top_k=4, before=dt.date(2021, 1, 1))
    assert all(e.document.published < dt.date(2021, 1, 1) for e in ev)
    assert "Council of the EU" not in {e.document.publisher for e in ev}


def test_check_cites_supporting_passage(fake_desk, tiny_corpus):
    fake_desk.ingest(tiny_corpus)
    fc = fake_desk.check(Claim(text="UNHCR registered almost 4.3 million Syrian refugees", speaker="X"), top_k=3)
    assert fc.evidence[0].document.publisher == "UNHCR"
    assert fc.evidence[0].stance.label.value == "supports"
    assert fc.verdict.rating in (Rating.TRUE, Rating.LIKELY_TRUE)
    cited = {n for s in fc.analysis for n in s.citations}
    assert 1 in cited and all(1 <= n <= len(fc.evidence) for n in cited)


def test_check_with_no_relevant_evidence_is_unsubstantiated(fake_desk, tiny_corpus):
    fake_desk.ingest(tiny_corpus)
    fc = fake_desk.check(Claim(text="Penguins can fly over Antarctica in winter"))
    assert fc.verdict.rating == Rating.UNSUBSTANTIATED


def test_claim_date_limits_evidence(fake_desk, tiny_corpus):
    fake_desk.ingest(tiny_corpus)
    fc = fake_desk.check(Claim(text="The EU imposed sanctions on Belarus", date="2021-06-01"))
    assert all(e.document.published <= dt.date(2021, 6, 1) for e in fc.evidence)


KILLED_INGEST = textwrap.dedent('''
    import sys, time
    from factdesk.pipeline import Desk
    from factdesk.testing.fakes import FakeEmbedder
    from factdesk.types import Document

    class SlowEmbedder(FakeEmbedder):
        def embed(self, texts):
            time.sleep(0.02)
            return super().embed(texts)

    desk = Desk(db=sys.argv[1], embedder=SlowEmbedder())
    docs = (Document(text=" ".join(f"Sentence {i} number {j} about topic {i}." for j in range(40)))
            for i in range(100000))
    print("started", flush=True)
    desk.ingest(docs, batch_size=1)
''')


def test_killed_ingest_leaves_no_half_document(tmp_path):
    db = tmp_path / "k.db"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_INGEST, str(db)], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"started"
    deadline = time.time() + 30
    while time.time() < deadline:  # wait until some documents are in, then kill hard
        if db.exists():
            try:
                s = SQLiteStore(db, dim=384)
                n = s.stats()["documents"]
                s.close()
                if n >= 3:
                    break
            except Exception:
                pass
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = SQLiteStore(db, dim=384)
    assert store.integrity_check()
    n = store.stats()["documents"]
    assert n >= 3
    for d in store.list_documents(limit=n):
        expected = len(chunk_document(Document(text=d.text)))
        rows = store._conn.execute("SELECT count(*) FROM passages WHERE document_id=?", (d.id,)).fetchone()[0]
        assert rows == expected  # all of a document or none of it
