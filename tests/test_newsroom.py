"""The editorial workflow as library code: no HTTP, a real SQLite store, fake models."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "app"))
from web_helpers import make_desk  # noqa: E402

from factdesk.errors import InputError  # noqa: E402
from factdesk.match.previous import import_checks  # noqa: E402
from factdesk.newsroom import Conflict, Newsroom, TooLong, claim_from_input  # noqa: E402
from factdesk.types import CheckRecord, Rating  # noqa: E402

CLAIM = "Russian air strikes in Syria began in 2015."


@pytest.fixture
def news(tmp_path: Path) -> Iterator[Newsroom]:
    n = Newsroom(lambda: make_desk(str(tmp_path / "news.db")))
    yield n
    n.close()


def _drafted(news: Newsroom, text: str = CLAIM) -> CheckRecord:
    cid, created = news.submit(claim_from_input(text, speaker="A. Minister"), user="erin")
    assert created
    job = news.record(cid).meta.job
    assert job is not None and news.jobs.wait(job, timeout=30).status == "done"
    return news.record(cid)


def test_submit_edit_approve_publish_with_the_history(news: Newsroom) -> None:
    rec = _drafted(news)
    assert rec.status == "draft" and rec.check is not None and rec.check.verdict.rating == Rating.TRUE
    assert news.submit(rec.claim, "ada") == (rec.id, False)  # the same claim: the same check
    with pytest.raises(InputError, match="needs a note"):
        news.edit(rec.id, "erin", rating="Misleading")
    edited = news.edit(rec.id, "erin", rating="misleading", note="the timeline is wrong")
    assert edited.check is not None and edited.check.verdict.rating == Rating.MISLEADING
    assert edited.meta.model_verdict is not None and edited.meta.model_verdict.rating == Rating.TRUE
    with pytest.raises(Conflict, match="approve it first"):
        news.set_status(rec.id, "erin", "publish")
    news.set_status(rec.id, "erin", "approve")
    done = news.set_status(rec.id, "ada", "publish", "ok")
    assert done.status == "published" and done.meta.published and done.meta.published_by == "ada"
    assert [h.action for h in done.history] == ["submitted", "drafted", "changed verdict", "approved", "published"]
    assert [r.id for r in news.archive(q="air strikes")] == [rec.id]
    assert [r.id for r in news.archive(q="air strikes", mode="semantic")][0] == rec.id
    assert news.archive(since="2016-01-01") == []  # the claim has no date: a date filter leaves it out


def test_limits_and_blank_claims_are_input_errors(news: Newsroom) -> None:
    with pytest.raises(InputError, match="the claim is empty"):
        claim_from_input("  \n ")
    with pytest.raises(TooLong, match="over the 5,000 limit") as exc:
        claim_from_input("x" * 5001)
    assert exc.value.status == 422
    with pytest.raises(InputError, match="not a date"):
        claim_from_input(CLAIM, date="2021-02-30")


def test_previous_lists_only_matches_taken_for_the_same_claim(news: Newsroom) -> None:
    import_checks(
        news.store,
        [
            {"claimReviewed": CLAIM, "url": "https://factual.example/a", "reviewRating": {"alternateName": "True"}},
            {"claimReviewed": "Bleach cures the coronavirus", "url": "https://factual.example/b"},
        ],
    )
    (m,) = news.previous(claim_from_input(CLAIM))
    assert (m.claim, m.rating, m.url, m.same_claim) == (CLAIM, "True", "https://factual.example/a", True)
    assert news.previous(claim_from_input("The football team won on Tuesday.")) == []
    assert news.list_checks() == []  # imported checks are for matching, not on the desk


def test_upload_ingest_goes_through_desk_ingest_paths(news: Newsroom, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, object]] = []
    real = news.desk.ingest_paths

    def spy(paths, **kw):  # type: ignore[no-untyped-def]
        calls.append(kw)
        return real(paths, **kw)

    monkeypatch.setattr(news.desk, "ingest_paths", spy)
    job = news.ingest_files(
        [("minsk.txt", b"Minsk is the capital of Belarus."), ("x.bin", b"??")], "erin", publisher="Atlas"
    )
    done = news.jobs.wait(job.id, timeout=60)
    assert done.status == "done", done.error
    assert done.result["documents_added"] == 1 and any("x.bin" in s for s in done.result["skipped"])
    assert len(calls) == 1 and calls[0]["publisher"] == "Atlas" and callable(calls[0]["reader"])
    (doc,) = news.store.list_document_summaries(query="Minsk capital")
    assert (doc.publisher, doc.source_path) == ("Atlas", "upload:minsk.txt")


def test_a_cancelled_check_is_failed_and_can_run_again(news: Newsroom) -> None:
    import threading

    gate = threading.Event()
    blocker = news.jobs.submit("check", "blocker", lambda p: {"ok": gate.wait(10)})
    cid, _ = news.submit(claim_from_input(CLAIM), "erin")
    job = news.record(cid).meta.job
    assert job is not None
    assert news.jobs.cancel(job, "erin").status == "cancelled"  # type: ignore[union-attr]
    rec = news.record(cid)
    assert rec.status == "failed" and (rec.meta.error or "").startswith("JobCancelled: cancelled by erin")
    gate.set()
    news.jobs.wait(blocker.id)
    news.rerun(cid, "erin")
    assert news.jobs.wait(news.record(cid).meta.job or "", timeout=30).status == "done"
    assert news.record(cid).status == "draft"


def test_checks_left_queued_by_a_stopped_server_run_again(news: Newsroom) -> None:
    claim = claim_from_input(CLAIM)
    news.store.save_record(CheckRecord(claim=claim, status="running"))  # as a killed server left it
    assert news.requeue_interrupted() == 1
    job = news.record(claim.id).meta.job
    assert job is not None and news.jobs.wait(job, timeout=30).status == "done"
    assert news.record(claim.id).status == "draft" and news.requeue_interrupted() == 0
