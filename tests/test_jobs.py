"""The web desk's worker: a job past its time limit fails with a message, and the next job runs."""

from __future__ import annotations

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
