"""A background worker for the desk: checks, ingests and claim extraction run off the request.

One daemon thread takes jobs from a queue in order, so the models are used by one job at a
time (they are the slow, memory-hungry part) while the web server keeps answering. Each job
reports live progress (a fraction and a message) that pages poll through `/api/jobs/{id}`.

A job may have a time limit: its first progress report after the limit raises `JobTimeout`, so
the job fails with a message and the worker moves on. That bounds a job only between progress
reports, so work with no bound of its own (parsing an uploaded file) must run where it can be
stopped: the ingest job reads files in a child process that is killed at the limit
(`factdesk.ingest.isolate`). A job can be cancelled: a queued one at once, a running one at its
next progress report; it ends with status "cancelled".

>>> runner = JobRunner()
>>> job = runner.submit("demo", "add two numbers", lambda progress: {"sum": 1 + 1})
>>> runner.wait(job.id, timeout=5).result
{'sum': 2}
>>> runner.stop()
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import secrets
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from factdesk.errors import FactdeskError

log = logging.getLogger("factdesk.jobs")

Progress = Callable[[float, str], None]
"""progress(fraction 0..1, message): what a job calls to report how far it is."""

JobFn = Callable[[Progress], dict[str, Any]]

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


class JobTimeout(Exception):
    """A job ran past its time limit; raised from its next progress report."""


class JobCancelled(Exception):
    """An editor cancelled a running job; raised from its next progress report."""


class QueueFull(FactdeskError):
    """The worker's queue is at its bound: new work waits for the client to retry, not in memory."""

    status = 503


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    """One unit of background work and how far it has got."""

    id: str
    kind: str
    title: str
    status: str = QUEUED
    progress: float = 0.0
    message: str = "waiting for the worker"
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    created: str = field(default_factory=_now)
    finished: str | None = None
    on_error: Callable[[str], None] | None = field(default=None, repr=False)
    time_limit: float | None = None
    cancel_requested: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "progress": round(self.progress, 3),
            "message": self.message,
            "result": self.result,
            "error": self.error,
            "created": self.created,
            "finished": self.finished,
        }


class JobRunner:
    """Runs submitted jobs one at a time on a daemon thread; keeps the last `keep` jobs.

    `submit()` starts the thread if it is not running, so a runner works without an explicit
    `start()` (as under FastAPI's TestClient without a lifespan).
    """

    def __init__(self, keep: int = 500, max_queued: int = 100) -> None:
        if keep < 1 or max_queued < 1:
            raise ValueError("keep and max_queued must be >= 1")
        self.keep = keep
        self.max_queued = max_queued
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._fns: dict[str, JobFn] = {}
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition(self._lock)

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._loop, name="factdesk-jobs", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the running job, drop the rest of the queue, and end the thread."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)
        self._thread = None

    # --- jobs -----------------------------------------------------------------------------------
    def submit(
        self,
        kind: str,
        title: str,
        fn: JobFn,
        on_error: Callable[[str], None] | None = None,
        time_limit: float | None = None,
    ) -> Job:
        """Queue `fn(progress)`; its returned dict becomes `job.result`.

        `on_error(message)` runs on the worker when `fn` raises (e.g. to mark a check failed).
        `time_limit` (seconds from the job's start): `progress()` raises `JobTimeout` after it.
        """
        if time_limit is not None and time_limit <= 0:
            raise ValueError("time_limit must be > 0 seconds (or None for no limit)")
        job = Job(id=secrets.token_hex(8), kind=kind, title=title, on_error=on_error, time_limit=time_limit)
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() if j.status == QUEUED)
            if waiting >= self.max_queued:
                raise QueueFull(
                    f"the desk has {waiting} jobs waiting, its limit: try again in a few minutes "
                    "(or cancel queued jobs you no longer need)"
                )
            self._jobs[job.id] = job
            self._fns[job.id] = fn
            while len(self._jobs) > self.keep:
                old_id, old = next(iter(self._jobs.items()))
                if old.status in (QUEUED, RUNNING):
                    break
                self._jobs.pop(old_id)
        self.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def list_jobs(self, kind: str | None = None) -> list[Job]:
        """Newest first."""
        with self._lock:
            jobs = list(self._jobs.values())
        return [j for j in reversed(jobs) if kind is None or j.kind == kind]

    def pending(self) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.status in (QUEUED, RUNNING))

    def cancel(self, job_id: str, by: str = "an editor") -> Job | None:
        """Cancel a queued job now, or a running one at its next progress report; None if unknown.

        A cancelled job ends with status "cancelled" and `JobCancelled` in its error, and its
        `on_error` runs (a cancelled check is marked failed and can be re-run). Finished jobs are
        left as they are.
        """
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.status in FINISHED:
                return job
            job.cancel_requested = by
            if job.status == RUNNING:
                job.message = f"cancelling (asked by {by})"
                return job
            self._fns.pop(job.id, None)  # the worker skips it when its turn comes
        self._fail(job, f"JobCancelled: cancelled by {by} before it started")
        return job

    def wait(self, job_id: str, timeout: float = 30.0) -> Job:
        """Block until the job is done, failed or cancelled (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while True:
                job = self._jobs.get(job_id)
                if job is None:
                    raise KeyError(f"no job {job_id!r}: it finished long ago or never existed")
                if job.status in FINISHED:
                    return job
                if time.monotonic() > deadline:
                    raise TimeoutError(f"job {job_id} still {job.status} after {timeout:.0f} s ({job.message})")
                self._idle.wait(0.05)

    # --- worker ---------------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            self._run(job)

    def _run(self, job: Job) -> None:
        with self._lock:
            fn = self._fns.pop(job.id, None)
            job.status, job.message = RUNNING, "starting"
        if fn is None:
            return
        deadline = None if job.time_limit is None else time.monotonic() + job.time_limit

        def progress(fraction: float, message: str) -> None:
            if job.cancel_requested:
                raise JobCancelled(f"cancelled by {job.cancel_requested} (while: {job.message})")
            if deadline is not None and time.monotonic() > deadline:
                raise JobTimeout(
                    f"the {job.kind} job stopped at its {job.time_limit:g} s time limit "
                    f"(while: {job.message}); split the work into smaller jobs"
                )
            with self._lock:
                job.progress = min(1.0, max(0.0, float(fraction)))
                job.message = message

        try:
            result = fn(progress)
        except Exception as exc:  # a failed job must not kill the worker; the error is shown to the editor
            msg = f"{type(exc).__name__}: {exc}"
            log.warning("job %s (%s) failed: %s\n%s", job.id, job.title, msg, traceback.format_exc())
            self._fail(job, msg)
            return
        with self._idle:
            job.status, job.progress, job.result, job.message = DONE, 1.0, result or {}, "done"
            job.finished = _now()
            self._idle.notify_all()

    def _fail(self, job: Job, msg: str) -> None:
        if job.on_error is not None:
            try:
                job.on_error(msg)
            except Exception:  # the store may be the thing that failed
                log.exception("on_error for job %s failed", job.id)
        with self._idle:
            cancelled = msg.startswith(JobCancelled.__name__)
            job.status, job.error, job.message = (CANCELLED, msg, "cancelled") if cancelled else (FAILED, msg, "failed")
            job.finished = _now()
            self._idle.notify_all()
