"""The change counter and the job queue in the store, shared by server processes (issue 25).

Each test runs on SQLite and on PostgreSQL (`store_url`). The workers are separate connections
(threads) or separate processes, as `factdesk serve --workers N` runs them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from factdesk.jobs import JobRunner, StoreJobs
from factdesk.store.coordination import open_coordination

REPO = Path(__file__).resolve().parents[2]

# A worker process: claims "slow" jobs, logs each start, and reports progress until it is killed.
WORKER = textwrap.dedent(
    """
    import os, sys, time
    from factdesk.jobs import JobRunner, StoreJobs
    from factdesk.store.coordination import open_coordination

    url, log = sys.argv[1], sys.argv[2]
    runner = JobRunner(queue=StoreJobs(open_coordination(url)), poll=0.05, heartbeat=0.2, stale_after=1.5)

    def slow(job, progress):
        with open(log, "a") as f:
            f.write(f"start {os.getpid()} {time.time()}\\n")
        while True:
            progress(0.5, "working")
            time.sleep(0.05)

    runner.register("slow", slow)
    runner.start()
    time.sleep(600)
    """
)


def fast_runner(url: str, **kw) -> JobRunner:  # type: ignore[no-untyped-def]
    return JobRunner(queue=StoreJobs(open_coordination(url)), poll=0.05, heartbeat=0.2, stale_after=1.5, **kw)


def test_the_change_counter_is_seen_by_another_connection(store_url: str) -> None:
    a, b = open_coordination(store_url), open_coordination(store_url)
    assert a is not None and b is not None
    assert a.changes() == b.changes() == 0
    assert a.bump() == 1 and b.bump() == 2
    assert a.changes() == b.changes() == 2
    a.close()
    b.close()


def test_each_job_is_claimed_by_one_worker(store_url: str) -> None:
    """Three workers with their own connections race for 40 queued jobs: each job runs once."""
    coord = open_coordination(store_url)
    assert coord is not None
    ids = [coord.add_job({"id": f"j{i:02d}", "kind": "k", "title": str(i)})["id"] for i in range(40)]
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        c = open_coordination(store_url)
        assert c is not None
        while (job := c.claim_job(name, ["k"])) is not None:
            with lock:
                claimed.append(job["id"])
            assert c.finish(job["id"], name, "done", {"by": name}, None)
        c.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(claimed) == ids  # every job once, none twice
    assert coord.count(["done"]) == 40 and coord.count(["queued", "running"]) == 0
    coord.close()


def test_a_live_workers_job_is_not_taken_over(store_url: str) -> None:
    """A job that runs longer than `stale_after` keeps its claim while its worker's heartbeat runs."""
    a, b = fast_runner(store_url), fast_runner(store_url)
    runs: list[str] = []

    def long(job, progress):  # type: ignore[no-untyped-def]
        runs.append(job.id)
        time.sleep(3.5)  # no progress reports: only the heartbeat thread says it is alive
        return {"ok": True}

    a.register("long", long)
    b.register("long", long)
    try:
        job = a.submit("long", "longer than stale_after", payload={})
        b.start()
        done = a.wait(job.id, timeout=30)
        assert done.status == "done" and done.attempts == 1 and runs == [job.id]
    finally:
        a.stop()
        b.stop()


def _killed_worker_job(store_url: str, tmp_path: Path, max_attempts: int) -> tuple[dict, list[str], float, int]:  # type: ignore[type-arg]
    """Queue a "slow" job, let a worker process claim it, SIGKILL that worker mid-job."""
    coord = open_coordination(store_url)
    assert coord is not None
    coord.add_job({"id": "victim", "kind": "slow", "title": "killed mid-job", "max_attempts": max_attempts})
    log = tmp_path / "starts.log"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", WORKER, store_url, str(log)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and log.read_text().strip()):
            assert proc.poll() is None, "the worker process died before claiming the job"
            assert time.monotonic() < deadline, "the worker did not claim the job in 60 s"
            time.sleep(0.05)
        row = coord.get_job("victim")
        assert row is not None and row["status"] == "running" and f":{proc.pid}:" in row["owner"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed_at = time.time()
    return coord, log.read_text().split("\n"), killed_at, proc.pid  # type: ignore[return-value]


def test_a_job_whose_worker_is_killed_is_run_again_once(store_url: str, tmp_path: Path) -> None:
    coord, _, killed_at, pid = _killed_worker_job(store_url, tmp_path, max_attempts=2)
    survivor = fast_runner(store_url)
    starts: list[float] = []

    def slow(job, progress):  # type: ignore[no-untyped-def]
        starts.append(time.time())
        progress(0.5, "working")
        return {"ran_in": os.getpid()}

    survivor.register("slow", slow)
    try:
        survivor.start()
        done = survivor.wait("victim", timeout=60)
    finally:
        survivor.stop()
    assert done.status == "done" and done.result == {"ran_in": os.getpid()}
    assert done.attempts == 2  # the killed run, then this one: never lost
    assert len(starts) == 1 and starts[0] > killed_at  # never two at once: only after the first died
    log = (tmp_path / "starts.log").read_text().split()
    assert log[0:2] == ["start", str(pid)] and len(log) == 3  # the dead worker started it once
    coord.close()


def test_a_job_killed_on_its_last_attempt_is_marked_failed(store_url: str, tmp_path: Path) -> None:
    coord, _, _, _ = _killed_worker_job(store_url, tmp_path, max_attempts=1)
    survivor = fast_runner(store_url)
    errors: list[str] = []
    survivor.register("slow", lambda job, progress: {"ran": True}, on_error=lambda job, msg: errors.append(msg))
    try:
        survivor.start()
        done = survivor.wait("victim", timeout=60)
    finally:
        survivor.stop()
    assert done.status == "failed" and done.attempts == 1 and done.result == {}
    assert done.error is not None and done.error.startswith("WorkerLost: the worker running it stopped")
    assert errors == [done.error]  # the kind's on_error ran once (a check is marked failed)
    coord.close()


def test_a_queued_job_with_a_key_is_not_queued_twice(store_url: str) -> None:
    coord = open_coordination(store_url)
    assert coord is not None
    first = coord.add_job({"id": "a", "kind": "check", "title": "t", "dedup_key": "check:1"})
    again = coord.add_job({"id": "b", "kind": "check", "title": "t", "dedup_key": "check:1"})
    assert first["id"] == again["id"] == "a" and coord.get_job("b") is None
    assert coord.claim_job("w", ["check"])["id"] == "a"  # type: ignore[index]
    assert coord.finish("a", "w", "done", {}, None)
    assert coord.add_job({"id": "c", "kind": "check", "title": "t", "dedup_key": "check:1"})["id"] == "c"
    coord.close()
