"""Background work for the desk: checks, ingests and claim extraction run off the request.

A `JobRunner` is one worker thread per process that takes jobs from a `JobQueue` in order, so the
models are used by one job at a time (they are the slow, memory-hungry part) while the web server
keeps answering. Each job reports live progress (a fraction and a message) that pages poll
through `/api/jobs/{id}`.

Where the jobs live decides who may run them:

- `MemoryJobs` (the default): in this process, for a script, the CLI or a desk on `:memory:`;
- `StoreJobs`: rows in the store (`factdesk.store.coordination`), shared by every server process
  of the desk (`factdesk serve --workers N`). A worker *claims* a job in the store, so exactly one
  process runs it; while it runs, a heartbeat thread keeps the row fresh, and a job whose worker
  died (SIGKILL, OOM) is found by its stale heartbeat and queued again or marked failed
  (`max_attempts`), never lost and never run by two workers at once (a worker that lost its claim
  stops at its next progress report and cannot finish the row).

A job is either a *kind with a handler* (`register(kind, run, on_error)`; the job carries a JSON
payload, so any process can run it) or a closure (`submit(kind, title, fn)`), which only the
process that queued it can run.

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
>>> runner.register("double", lambda job, progress: {"n": 2 * job.payload["n"]})
>>> runner.wait(runner.submit("double", "twice 21", payload={"n": 21}).id, timeout=5).result
{'n': 42}
>>> runner.stop()
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from factdesk.errors import FactdeskError, StoreError

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


class JobLost(Exception):
    """This worker no longer owns the job (its heartbeat went stale and another worker took it)."""


class QueueFull(FactdeskError):
    """The worker's queue is at its bound: new work waits for the client to retry, not in memory."""

    status = 503


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_job_id() -> str:
    return secrets.token_hex(8)


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
    time_limit: float | None = None
    cancel_requested: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    dedup_key: str | None = None
    local_to: str | None = None  # the runner that alone may run it (a closure job)
    owner: str | None = None  # the runner running it
    attempts: int = 0
    max_attempts: int = 2
    heartbeat: float | None = None
    started: str | None = None

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

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in names})

    def row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("finished", "heartbeat")}


class JobQueue(Protocol):
    """Where jobs live and are claimed: `MemoryJobs` (one process) or `StoreJobs` (the store)."""

    shared: bool  # other processes see these jobs (heartbeats and reaping are needed)

    def add(self, job: Job) -> Job: ...
    def claim(self, owner: str, kinds: Iterable[str]) -> Job | None: ...
    def report(self, job_id: str, owner: str, progress: float, message: str) -> tuple[bool, str | None]: ...
    def finish(
        self, job_id: str, owner: str | None, status: str, result: dict[str, Any] | None, error: str | None
    ) -> bool: ...
    def request_cancel(self, job_id: str, by: str) -> None: ...
    def get(self, job_id: str) -> Job | None: ...
    def jobs(self, kind: str | None = None) -> list[Job]: ...
    def count(self, statuses: Iterable[str]) -> int: ...
    def heartbeat(self, owner: str) -> None: ...
    def reap(self, stale_after: float) -> list[tuple[Job, str]]: ...
    def prune(self, keep: int) -> None: ...


class MemoryJobs:
    """Jobs in this process's memory (the objects returned are the live ones)."""

    shared = False

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, job: Job) -> Job:
        with self._lock:
            if job.dedup_key:
                for j in self._jobs.values():
                    if j.dedup_key == job.dedup_key and j.status in (QUEUED, RUNNING):
                        return j
            self._jobs[job.id] = job
            return job

    def claim(self, owner: str, kinds: Iterable[str]) -> Job | None:
        kinds = set(kinds)
        with self._lock:
            for j in self._jobs.values():
                if j.status == QUEUED and (j.local_to == owner or (j.local_to is None and j.kind in kinds)):
                    j.status, j.owner, j.message, j.started = RUNNING, owner, "starting", _now()
                    j.attempts += 1
                    return j
        return None

    def report(self, job_id: str, owner: str, progress: float, message: str) -> tuple[bool, str | None]:
        with self._lock:
            j = self._jobs.get(job_id)
            if j is None or j.owner != owner or j.status != RUNNING:
                return False, None
            j.progress, j.message = progress, message
            return True, j.cancel_requested

    def finish(
        self, job_id: str, owner: str | None, status: str, result: dict[str, Any] | None, error: str | None
    ) -> bool:
        with self._lock:
            j = self._jobs.get(job_id)
            if j is None or (j.status != QUEUED if owner is None else (j.owner != owner or j.status != RUNNING)):
                return False
            j.status, j.error, j.finished = status, error, _now()
            j.message = {DONE: "done", FAILED: "failed", CANCELLED: "cancelled"}[status]
            if status == DONE:
                j.progress, j.result = 1.0, result or {}
            return True

    def request_cancel(self, job_id: str, by: str) -> None:
        with self._lock:
            j = self._jobs.get(job_id)
            if j is not None and j.status == RUNNING and j.cancel_requested is None:
                j.cancel_requested, j.message = by, f"cancelling (asked by {by})"

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self, kind: str | None = None) -> list[Job]:
        with self._lock:
            jobs = list(self._jobs.values())
        return [j for j in reversed(jobs) if kind is None or j.kind == kind]

    def count(self, statuses: Iterable[str]) -> int:
        st = set(statuses)
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.status in st)

    def heartbeat(self, owner: str) -> None:
        pass  # one process: nobody else to tell

    def reap(self, stale_after: float) -> list[tuple[Job, str]]:
        return []

    def prune(self, keep: int) -> None:
        with self._lock:
            while len(self._jobs) > keep:
                old_id, old = next(iter(self._jobs.items()))
                if old.status not in FINISHED:
                    break
                self._jobs.pop(old_id)


class StoreJobs:
    """Jobs as rows of the store's `desk_jobs` table, shared by every process of the desk."""

    shared = True

    def __init__(self, coordination: Any) -> None:
        self.c = coordination  # factdesk.store.coordination.Coordination

    def add(self, job: Job) -> Job:
        return Job.from_row(self.c.add_job(job.row()))

    def claim(self, owner: str, kinds: Iterable[str]) -> Job | None:
        row = self.c.claim_job(owner, kinds)
        return Job.from_row(row) if row else None

    def report(self, job_id: str, owner: str, progress: float, message: str) -> tuple[bool, str | None]:
        return self.c.report(job_id, owner, progress, message)  # type: ignore[no-any-return]

    def finish(
        self, job_id: str, owner: str | None, status: str, result: dict[str, Any] | None, error: str | None
    ) -> bool:
        return self.c.finish(job_id, owner, status, result, error)  # type: ignore[no-any-return]

    def request_cancel(self, job_id: str, by: str) -> None:
        self.c.request_cancel(job_id, by)

    def get(self, job_id: str) -> Job | None:
        row = self.c.get_job(job_id)
        return Job.from_row(row) if row else None

    def jobs(self, kind: str | None = None) -> list[Job]:
        return [Job.from_row(r) for r in self.c.list_jobs(kind)]

    def count(self, statuses: Iterable[str]) -> int:
        return self.c.count(statuses)  # type: ignore[no-any-return]

    def heartbeat(self, owner: str) -> None:
        self.c.heartbeat(owner)

    def reap(self, stale_after: float) -> list[tuple[Job, str]]:
        return [(Job.from_row(r), what) for r, what in self.c.reap(stale_after)]

    def prune(self, keep: int) -> None:
        self.c.prune(keep)


@dataclass
class Handler:
    run: Callable[[Job, Progress], dict[str, Any]]
    on_error: Callable[[Job, str], None] | None = None


class JobRunner:
    """Runs jobs one at a time on a daemon thread of this process; keeps the last `keep` jobs.

    `queue` is a `JobQueue` or a zero-argument factory for one (called on first use; default
    `MemoryJobs`). With a shared queue, `heartbeat` (seconds) is how often this worker tells the
    store it is alive, `stale_after` how long a silent worker's job waits before it is queued
    again or failed, and `poll` how often an idle worker looks for jobs queued by others.
    `submit()` starts the thread if it is not running, so a runner works without an explicit
    `start()` (as under FastAPI's TestClient without a lifespan).
    """

    def __init__(
        self,
        keep: int = 500,
        max_queued: int = 100,
        queue: JobQueue | Callable[[], JobQueue] | None = None,
        *,
        poll: float = 0.5,
        heartbeat: float = 5.0,
        stale_after: float = 30.0,
        max_attempts: int = 2,
    ) -> None:
        if keep < 1 or max_queued < 1:
            raise ValueError("keep and max_queued must be >= 1")
        if poll <= 0 or heartbeat <= 0 or stale_after <= heartbeat or max_attempts < 1:
            raise ValueError("poll and heartbeat must be > 0, stale_after > heartbeat, max_attempts >= 1")
        self.keep = keep
        self.max_queued = max_queued
        self.poll, self.heartbeat_every, self.stale_after, self.max_attempts = (
            poll,
            heartbeat,
            stale_after,
            max_attempts,
        )
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._queue_source = queue
        self._queue: JobQueue | None = queue if queue is not None and not callable(queue) else None
        self._handlers: dict[str, Handler] = {}
        self._local: dict[str, tuple[JobFn, Callable[[str], None] | None]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._beat: threading.Thread | None = None
        self._stopping = threading.Event()
        self._wake = threading.Event()

    @property
    def queue(self) -> JobQueue:
        if self._queue is None:
            with self._lock:
                if self._queue is None:
                    src = self._queue_source
                    self._queue = src() if callable(src) else MemoryJobs()  # type: ignore[operator]
        return self._queue

    def register(
        self,
        kind: str,
        run: Callable[[Job, Progress], dict[str, Any]],
        on_error: Callable[[Job, str], None] | None = None,
    ) -> None:
        """Jobs of `kind` run as `run(job, progress)` (reading `job.payload`), in any process that
        registered the kind; `on_error(job, message)` runs when one fails, is cancelled or is lost."""
        self._handlers[kind] = Handler(run, on_error)

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        queue = self.queue
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, name="factdesk-jobs", daemon=True)
            self._thread.start()
            if queue.shared:
                self._beat = threading.Thread(target=self._heartbeat, name="factdesk-jobs-heartbeat", daemon=True)
                self._beat.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the running job and end the threads. Queued jobs stay queued in a shared
        queue (another worker, or the next start, runs them); in memory they are dropped."""
        thread, beat = self._thread, self._beat
        if thread is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join(timeout)
        if beat is not None:
            beat.join(timeout)
        self._thread = self._beat = None

    # --- jobs -----------------------------------------------------------------------------------
    def submit(
        self,
        kind: str,
        title: str,
        fn: JobFn | None = None,
        on_error: Callable[[str], None] | None = None,
        time_limit: float | None = None,
        *,
        payload: dict[str, Any] | None = None,
        key: str | None = None,
        job_id: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> Job:
        """Queue a job; its returned dict becomes `job.result`.

        With `fn`, the job is `fn(progress)`, run by this process only; `on_error(message)` runs
        when it raises or is cancelled (e.g. to mark a check failed). Without `fn`, `kind` must be
        registered and the job is `run(job, progress)` with `job.payload = payload`, in any process.
        `key`: while a queued or running job has the same key, that job is returned instead of a
        new one. `time_limit` (seconds from the job's start): `progress()` raises `JobTimeout` after it.
        """
        if time_limit is not None and time_limit <= 0:
            raise ValueError("time_limit must be > 0 seconds (or None for no limit)")
        if fn is None and kind not in self._handlers:
            raise ValueError(
                f"no handler for {kind!r} jobs: register one, or pass fn (choices: {sorted(self._handlers)})"
            )
        queue = self.queue
        waiting = queue.count([QUEUED])
        if waiting >= self.max_queued:
            raise QueueFull(
                f"the desk has {waiting} jobs waiting, its limit: try again in a few minutes "
                "(or cancel queued jobs you no longer need)"
            )
        job = Job(
            id=job_id or new_job_id(),
            kind=kind,
            title=title,
            time_limit=time_limit,
            payload=payload or {},
            dedup_key=key,
            local_to=self.owner if fn is not None else None,
            max_attempts=1 if fn is not None else self.max_attempts,
            result=result or {},
        )
        if fn is not None:
            with self._lock:
                self._local[job.id] = (fn, on_error)
        try:
            added = queue.add(job)
        except BaseException:
            self._local.pop(job.id, None)
            raise
        if added.id != job.id:
            self._local.pop(job.id, None)
        queue.prune(self.keep)
        self.start()
        self._wake.set()
        return added

    def get(self, job_id: str) -> Job | None:
        return self.queue.get(job_id)

    def list_jobs(self, kind: str | None = None) -> list[Job]:
        """Newest first."""
        return self.queue.jobs(kind)

    def pending(self) -> int:
        return self.queue.count([QUEUED, RUNNING])

    def cancel(self, job_id: str, by: str = "an editor") -> Job | None:
        """Cancel a queued job now, or a running one at its next progress report; None if unknown.

        A cancelled job ends with status "cancelled" and `JobCancelled` in its error, and its
        `on_error` runs (a cancelled check is marked failed and can be re-run). Finished jobs are
        left as they are.
        """
        queue = self.queue
        job = queue.get(job_id)
        if job is None or job.status in FINISHED:
            return job
        if job.status == QUEUED:
            msg = f"JobCancelled: cancelled by {by} before it started"
            if queue.finish(job_id, None, CANCELLED, None, msg):  # only if no worker took it meanwhile
                self._on_error(job, msg)
                return queue.get(job_id)
        queue.request_cancel(job_id, by)
        return queue.get(job_id)

    def wait(self, job_id: str, timeout: float = 30.0) -> Job:
        """Block until the job is done, failed or cancelled (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.queue.get(job_id)
            if job is None:
                raise KeyError(f"no job {job_id!r}: it finished long ago or never existed")
            if job.status in FINISHED:
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.status} after {timeout:.0f} s ({job.message})")
            time.sleep(0.02)

    # --- worker ---------------------------------------------------------------------------------
    def _loop(self) -> None:
        queue = self.queue
        while not self._stopping.is_set():
            try:
                job = queue.claim(self.owner, list(self._handlers))
            except Exception:  # the store may be briefly unreachable: try again, do not die
                log.exception("claiming a job failed")
                job = None
            if job is None:
                self._wake.wait(self.poll if queue.shared else 1.0)
                self._wake.clear()
                continue
            self._run(job)

    def _heartbeat(self) -> None:
        queue = self.queue
        while not self._stopping.wait(self.heartbeat_every):
            try:
                queue.heartbeat(self.owner)
                for job, what in queue.reap(self.stale_after):
                    log.warning("job %s (%s): its worker stopped; %s", job.id, job.title, what)
                    if what == "failed":
                        self._on_error(job, job.error or "WorkerLost")
                    else:
                        self._wake.set()
            except Exception:
                log.exception("job heartbeat failed")

    def _on_error(self, job: Job, msg: str) -> None:
        with self._lock:
            local = self._local.pop(job.id, None)
        try:
            if local is not None:
                if local[1] is not None:
                    local[1](msg)
            elif job.local_to is None and job.kind in self._handlers:
                h = self._handlers[job.kind]
                if h.on_error is not None:
                    h.on_error(job, msg)
        except Exception:  # the store may be the thing that failed
            log.exception("on_error for job %s failed", job.id)

    def _run(self, job: Job) -> None:
        queue = self.queue
        if job.local_to is not None:
            with self._lock:
                local = self._local.get(job.id)
            if local is None:  # cannot happen unless the process lost its closures
                queue.finish(job.id, self.owner, FAILED, None, "WorkerLost: this job's code is gone; run it again")
                return
            fn: JobFn = local[0]
        else:
            handler = self._handlers[job.kind]

            def fn(progress: Progress) -> dict[str, Any]:
                return handler.run(job, progress)

        deadline = None if job.time_limit is None else time.monotonic() + job.time_limit
        last = {"message": job.message}

        def progress(fraction: float, message: str) -> None:
            try:
                owned, cancel_by = queue.report(job.id, self.owner, min(1.0, max(0.0, float(fraction))), message)
            except StoreError as exc:
                # A progress note is best-effort: a store busy past its lock wait (a long import on
                # a loaded machine) must not fail the job; the heartbeat thread keeps the claim.
                log.warning("job %s: progress not saved (%s)", job.id, exc)
                owned, cancel_by = True, None
            if not owned:
                raise JobLost(f"job {job.id} was taken over by another worker")
            if cancel_by:
                raise JobCancelled(f"cancelled by {cancel_by} (while: {last['message']})")
            if deadline is not None and time.monotonic() > deadline:
                raise JobTimeout(
                    f"the {job.kind} job stopped at its {job.time_limit:g} s time limit "
                    f"(while: {last['message']}); split the work into smaller jobs"
                )
            last["message"] = message

        try:
            result = fn(progress)
        except JobLost as exc:  # another worker runs it now: leave the row to it
            log.warning("%s", exc)
            self._local.pop(job.id, None)
            return
        except Exception as exc:  # a failed job must not kill the worker; the error is shown to the editor
            msg = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, JobCancelled | JobTimeout):
                log.warning("job %s (%s) failed: %s\n%s", job.id, job.title, msg, traceback.format_exc())
            self._on_error(job, msg)
            status = CANCELLED if isinstance(exc, JobCancelled) else FAILED
            queue.finish(job.id, self.owner, status, None, msg)
            return
        with self._lock:
            self._local.pop(job.id, None)
        if not queue.finish(job.id, self.owner, DONE, result or {}, None):
            log.warning("job %s finished after this worker lost it; its result was not saved", job.id)
