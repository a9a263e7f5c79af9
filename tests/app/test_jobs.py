"""The web desk's worker: a job past its time limit fails with a message, and the next job runs."""

from __future__ import annotations

import time

import pytest

from factdesk.app.jobs import JobRunner


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
        assert failed.error == ("JobTimeout: the ingest job stopped at its 0.5 s time limit (while: still going); "
                                "split the work into smaller jobs")
        assert len(calls) >= 2  # it did run, and was stopped from a progress report
    finally:
        runner.stop()


def test_time_limit_must_be_positive():
    runner = JobRunner()
    with pytest.raises(ValueError, match="time_limit must be > 0"):
        runner.submit("check", "x", lambda p: {}, time_limit=0)
