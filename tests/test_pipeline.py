import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from factdesk.ingest.chunking import chunk_document
from factdesk.pipeline import Desk
from factdesk.protocols import Stage
from factdesk.store.sqlite import SQLiteStore
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
from factdesk.types import CheckDraft, Claim, Document, Evidence, Match, Passage, Rating, Sentence, Verdict
from factdesk.verdict.aggregate import RuleAggregator
from factdesk.verdict.judge import Judge


def test_ingest_is_idempotent(fake_desk, tiny_corpus):
    r1 = fake_desk.ingest(tiny_corpus)
    r2 = fake_desk.ingest(tiny_corpus)
    assert (r1.documents_added, r1.passages_added) == (4, 4)
    assert (r2.documents_added, r2.documents_unchanged) == (0, 4)
    assert fake_desk.store.stats()["documents"] == 4


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


def test_describe_reads_the_stage_list_that_check_loops_over(fake_desk):
    assert fake_desk.describe() == "retrieve -> judge -> write -> ground -> match"
    assert [s.name for s in fake_desk.stages] == fake_desk.describe().split(" -> ")
    assert all(isinstance(s, Stage) for s in fake_desk.stages)
    no_ground = Desk(db=":memory:", embedder=FakeEmbedder(), stance_model=FakeStanceModel(), ground=False)
    assert no_ground.describe() == "retrieve -> judge -> write -> match"


def test_a_writer_that_requires_grounding_is_grounded_even_when_ground_is_off():
    class GeneratedWriter:
        requires_grounding = True

        def warm_up(self):
            pass

        def run(self, claim, evidence, verdict):
            return "Head", [], [Sentence("Something no passage says. [1]", [1])]

    desk = Desk(
        db=":memory:", embedder=FakeEmbedder(), stance_model=FakeStanceModel(), ground=False, writer=GeneratedWriter()
    )
    assert "ground" in desk.describe()


def test_check_runs_every_stage_in_order_on_one_draft(fake_desk, tiny_corpus):
    fake_desk.ingest(tiny_corpus)
    seen = []

    class Spy:
        def __init__(self, inner):
            self.inner, self.name = inner, inner.name

        def warm_up(self):
            self.inner.warm_up()

        def run(self, draft: CheckDraft) -> CheckDraft:
            seen.append((self.name, len(draft.evidence), draft.verdict is not None))
            return self.inner.run(draft)

    fake_desk.stages = [Spy(s) for s in fake_desk.stages]
    fc = fake_desk.check(Claim(text="UNHCR registered almost 4.3 million Syrian refugees"), top_k=2)
    assert [name for name, _, _ in seen] == ["retrieve", "judge", "write", "ground", "match"]
    assert seen[1] == ("judge", 4, False) and seen[2] == ("write", 2, True)  # the judge keeps top_k of the candidates
    assert len(fc.evidence) == 2


def test_a_custom_reranker_changes_the_order_with_no_edit_to_the_desk(tmp_path, tiny_corpus):
    class Reverse:
        """Weighs the least relevant passages first (a deliberately bad reranker)."""

        def warm_up(self):
            pass

        def run(self, claim, evidence, top_k):
            return sorted(evidence, key=lambda e: e.scores["relevance"])[:top_k]

    claim = Claim(text="UNHCR registered almost 4.3 million Syrian refugees")
    firsts = []
    for reranker in (None, Reverse()):
        desk = Desk(
            db=str(tmp_path / f"r{len(firsts)}.db"),
            embedder=FakeEmbedder(),
            stance_model=FakeStanceModel(),
            aggregator=RuleAggregator(),
            reranker=reranker,
        )
        desk.ingest(tiny_corpus)
        fc = desk.check(claim, top_k=2)
        firsts.append(fc.evidence[0].document.publisher)
        desk.close()
    assert firsts[0] == "UNHCR" and firsts[1] != "UNHCR"


def test_other_parts_are_swapped_by_passing_objects(fake_desk, tiny_corpus, tmp_path):
    fake_desk.ingest(tiny_corpus)
    match = Match(
        check_id="c1",
        claim="Syrian refugees",
        rating="True",
        similarity=0.9,
        url=None,
        publisher="P",
        date=None,
        status="external",
    )

    class OneRetriever:
        def warm_up(self):
            pass

        def run(self, claim, top_k=10, before=None):
            return [e for e in fake_desk.retrieve(claim, top_k=10) if e.document.publisher == "Council of the EU"]

    class FixedMatcher:
        def warm_up(self):
            pass

        def run(self, claim, k=5):
            return [match]

    class Plain:
        def warm_up(self):
            pass

        def run(self, claim, evidence, verdict):
            return f"{verdict.rating.value}: {claim.text}", [], [Sentence("Passage one says so. [1]", [1])]

    class KeepAll:
        def warm_up(self):
            pass

        def run(self, sentences, evidence):
            return list(sentences), []

    desk = Desk(
        db=str(tmp_path / "t.db"),
        embedder=FakeEmbedder(),
        stance_model=FakeStanceModel(),
        aggregator=RuleAggregator(),
        writer=Plain(),
        retriever=OneRetriever(),
        matcher=FixedMatcher(),
        grounder=KeepAll(),
    )
    fc = desk.check(Claim(text="Syrian refugees were registered by UNHCR"))
    assert {e.document.publisher for e in fc.evidence} == {"Council of the EU"}
    assert fc.headline.endswith("Syrian refugees were registered by UNHCR")
    assert fc.previous_checks == [match] and fc.analysis[0].grounded
    desk.close()


def test_judge_run_weighs_what_it_is_given_or_picks_top_k():
    docs = [
        Document(text=t)
        for t in (
            "Minsk is the capital of Belarus.",
            "Football scores from Tuesday.",
            "Belarus has its capital in Minsk.",
        )
    ]

    def fresh():
        return [Evidence(Passage(d.id, d.text, 0, len(d.text)), d, {"fused": 0.01}) for d in docs]

    judge = Judge(stance_model=FakeStanceModel(), aggregator=RuleAggregator())
    claim = Claim("Minsk is the capital of Belarus")
    given, v = judge.run(claim, fresh())
    assert [e.document.id for e in given] == [d.id for d in docs] and all(e.stance for e in given)
    assert "rerank" not in given[0].scores and isinstance(v, Verdict)
    kept, _ = judge.run(claim, fresh(), top_k=2)
    assert len(kept) == 2 and docs[1].id not in {e.document.id for e in kept}
    assert kept[0].scores["rerank"] >= kept[1].scores["rerank"]


def test_check_keeps_previous_checks_typed(fake_desk, tiny_corpus):
    fake_desk.ingest(tiny_corpus)
    fc = fake_desk.check(Claim(text="Penguins can fly"))
    assert fc.previous_checks == [] and fc.to_dict()["previous_checks"] == []
    with pytest.raises(ValueError, match="no verdict"):
        CheckDraft(claim=Claim("x y")).to_factcheck()


KILLED_INGEST = textwrap.dedent("""
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
""")


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
