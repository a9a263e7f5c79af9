"""The web desk's worker: a job past its time limit fails with a message, and the next job runs."""

from __future__ import annotations

import threading
import time

import pytest

from factdesk.jobs import JobRunner


def test_a_job_past_its_time_limit_fails_and_frees_the_worker():
    runner = JobRunner()
    calls = []

    def endless(progress):
        while True:
            calls.append(1)
            progress(0.5, "still going")
            time.sleep(0.05)

    try:
        slow = runner.submit("ingest", "endless", endless, time_limit=0.5)
        quick = runner.submit("check", "quick", lambda progress: {"ok": True})
        done = runner.wait(quick.id, timeout=20)
        assert done.status == "done" and done.result == {"ok": True}
        failed = runner.get(slow.id)
        assert failed is not None and failed.status == "failed"
        assert failed.error == (
            "JobTimeout: the ingest job stopped at its 0.5 s time limit (while: still going); "
            "split the work into smaller jobs"
        )
        assert len(calls) >= 2  # it did run, and was stopped from a progress report
    finally:
        runner.stop()


def test_time_limit_must_be_positive():
    runner = JobRunner()
    with pytest.raises(ValueError, match="time_limit must be > 0"):
        runner.submit("check", "x", lambda p: {}, time_limit=0)


def test_cancel_a_queued_job_and_a_running_one() -> None:
    import threading

    from factdesk.jobs import JobRunner

    runner = JobRunner()
    gate, failed = threading.Event(), []

    def slow(progress):  # type: ignore[no-untyped-def]
        while True:
            gate.wait(0.01)
            progress(0.5, "working")

    running = runner.submit("ingest", "slow", slow, on_error=failed.append)
    queued = runner.submit("ingest", "next", lambda p: {"ran": True}, on_error=failed.append)
    deadline = time.monotonic() + 5
    while runner.get(running.id).status != "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.cancel(queued.id, "erin").status == "cancelled"  # issue 17: not "failed"
    assert queued.error == "JobCancelled: cancelled by erin before it started" and queued.message == "cancelled"
    runner.cancel(running.id, "ada")
    done = runner.wait(running.id, timeout=5)
    assert done.status == "cancelled" and done.error.startswith("JobCancelled: cancelled by ada")
    assert len(failed) == 2 and queued.result == {}
    assert runner.cancel("nope") is None and runner.cancel(running.id).status == "cancelled"  # finished: left as is
    runner.stop()


def test_the_queue_is_bounded() -> None:
    import threading

    import pytest

    from factdesk.jobs import JobRunner, QueueFull

    runner = JobRunner(max_queued=2)
    gate = threading.Event()
    first = runner.submit("check", "blocker", lambda p: {"ok": gate.wait(5)})
    deadline = time.monotonic() + 5
    while runner.get(first.id).status != "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    runner.submit("check", "a", lambda p: {})
    runner.submit("check", "b", lambda p: {})
    with pytest.raises(QueueFull, match="the desk has 2 jobs waiting, its limit"):
        runner.submit("check", "c", lambda p: {})
    gate.set()
    runner.wait(first.id)
    runner.stop()


def test_a_registered_kind_runs_from_its_payload_and_a_key_queues_it_once() -> None:
    runner = JobRunner()
    gate = threading.Event()
    runner.register("double", lambda job, progress: {"n": 2 * job.payload["n"], "waited": gate.wait(5)})
    try:
        with pytest.raises(ValueError, match="no handler for 'triple' jobs: register one, or pass fn"):
            runner.submit("triple", "x", payload={"n": 1})
        first = runner.submit("double", "a", payload={"n": 21}, key="same")
        again = runner.submit("double", "b", payload={"n": 5}, key="same")  # queued or running: the same job
        assert again.id == first.id
        gate.set()
        assert runner.wait(first.id, timeout=10).result == {"n": 42, "waited": True}
        later = runner.submit("double", "c", payload={"n": 5}, key="same")  # the first has finished
        assert later.id != first.id and runner.wait(later.id, timeout=10).result["n"] == 10
    finally:
        runner.stop()


def test_two_newsrooms_requeue_a_stranded_check_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each server process requeues interrupted checks at start: N processes make one job, not N."""
    from factdesk.newsroom import Newsroom, claim_from_input
    from factdesk.pipeline import Desk
    from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
    from factdesk.types import CheckRecord, Document

    db = str(tmp_path / "desk.db")

    def desk() -> Desk:
        return Desk(db=db, embedder=FakeEmbedder(), stance_model=FakeStanceModel())

    a, b = Newsroom(desk), Newsroom(desk)
    a.desk.ingest([Document(text="Minsk is the capital of Belarus.", published="2015-01-01")])
    claim = claim_from_input("Minsk is the capital of Belarus")
    a.store.save_record(CheckRecord(claim=claim, status="running"))  # as a killed server left it
    try:
        done = []
        threads = [threading.Thread(target=lambda n=n: done.append(n.requeue_interrupted())) for n in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sum(done) >= 1
        assert len(a.jobs.list_jobs("check")) == 1  # one job stored for the check, whoever queued it
        (job,) = a.jobs.list_jobs("check")
        assert a.jobs.wait(job.id, timeout=30).status == "done"
        rec = a.record(claim.id)
        assert rec.status == "draft" and rec.meta.job == job.id
        assert [h.action for h in rec.history].count("drafted") == 1
    finally:
        a.close()
        b.close()
