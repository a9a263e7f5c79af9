"""Batch checking: many claims from a JSONL file, results appended to a JSONL file as they finish.

One input line is one claim::

    {"id": "c1", "claim": "NATO is a machine producing refugees", "speaker": "Anatoly Glaz", "date": "2021-12-14"}

(`claim` may also be spelled `text`; `id`, `speaker`, `speaker_title`, `date` and `source` are
optional, and a missing id becomes the claim's content hash.) One output line is
`FactCheck.to_dict()` plus ``"input_id"``, written and flushed the moment the check finishes.

A re-run skips the ids already in the output, so a killed run resumes where it stopped
(a half-written last line is cut off and redone). Malformed input lines are reported and
skipped; a claim whose check raises is reported and left out of the output, so a re-run
retries it.

Engines: ``local`` checks in this process (``workers=1``) or in a pool of processes, each
holding one `Desk` with its models loaded once; ``ray`` runs Ray Data ``map_batches`` with a
callable class that holds one Desk per actor (``pip install 'factdesk[ray]'``).

>>> from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
>>> from factdesk.verdict.aggregate import RuleAggregator
>>> import functools, json, pathlib, tempfile
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "claims.jsonl").write_text('{"id": "a", "claim": "Minsk is in Belarus"}\\n')
>>> factory = functools.partial(Desk, db=str(tmp / "e.db"), embedder=FakeEmbedder(),
...                             stance_model=FakeStanceModel(), aggregator=RuleAggregator())
>>> report = run_batch(tmp / "claims.jsonl", tmp / "out.jsonl", desk_factory=factory, progress=False)
>>> report.checked, json.loads((tmp / "out.jsonl").read_text())["input_id"]
(1, 'a')
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from factdesk.config import default
from factdesk.errors import InputError
from factdesk.pipeline import Desk
from factdesk.types import Claim

ENGINES = ("local", "ray")

DeskFactory = Callable[[], Desk]
"""Builds one Desk; called once per worker. Must be picklable for `workers > 1` and for Ray."""


@dataclass(frozen=True)
class DefaultDeskFactory:
    """The desk the CLI uses: the default models over the store at `db`."""

    db: str | None = None

    def __call__(self) -> Desk:
        return Desk(db=self.db)


@dataclass
class ClaimItem:
    """One well-formed input line."""

    input_id: str
    claim: Claim
    line: int


@dataclass
class BadLine:
    """An input line that was skipped, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class BatchReport:
    """What a batch run did."""

    total: int = 0
    already_done: int = 0
    checked: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    duplicates: int = 0
    seconds: float = 0.0

    @property
    def claims_per_second(self) -> float:
        return self.checked / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        s = (
            f"{self.checked} claims checked in {self.seconds:.1f} s ({self.claims_per_second:.2f}/s), "
            f"{self.already_done} already in the output, {len(self.failed)} failed, "
            f"{len(self.bad_lines)} malformed lines skipped, {self.duplicates} duplicate ids skipped"
        )
        s += "".join(f"\n  failed {i}: {why}" for i, why in self.failed)
        s += "".join(f"\n  skipped {b}" for b in self.bad_lines)
        if self.failed:
            s += "\n  (failed claims are not in the output: re-run the same command to retry them)"
        return s


# --- input / output --------------------------------------------------------------------------
def parse_claim_line(text: str, line: int) -> ClaimItem | BadLine:
    """One JSONL line -> ClaimItem, or BadLine with a reason that says how to fix it."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return BadLine(line, f"not JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(obj, dict):
        return BadLine(line, 'not a JSON object: write {"claim": "...", "id": "..."}')
    words = obj.get("claim", obj.get("text"))
    if not isinstance(words, str) or not words.strip():
        return BadLine(line, 'no "claim" text: write {"claim": "...", "id": "..."}')
    for key in ("speaker", "speaker_title", "source", "date"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return BadLine(line, f'"{key}" must be a string')
    try:
        claim = Claim(
            text=words,
            speaker=obj.get("speaker"),
            speaker_title=obj.get("speaker_title"),
            date=obj.get("date"),
            source=obj.get("source"),
        )
    except ValueError as exc:
        return BadLine(line, str(exc))
    raw_id = obj.get("id")
    if raw_id is not None and not isinstance(raw_id, str | int):
        return BadLine(line, '"id" must be a string or an integer')
    input_id = str(raw_id) if raw_id is not None and str(raw_id) != "" else claim.id
    return ClaimItem(input_id=input_id, claim=claim, line=line)


def read_claims(path: str | os.PathLike[str]) -> Iterator[ClaimItem | BadLine]:
    """The claims of a JSONL file, one per non-blank line (1-based line numbers)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f'no claims file at {p}: pass a JSONL file with one {{"claim": ...}} per line')
    with p.open(encoding="utf-8", errors="replace") as f:
        for n, text in enumerate(f, 1):
            if text.strip():
                yield parse_claim_line(text, n)


def completed_ids(out: str | os.PathLike[str], repair: bool = True) -> set[str]:
    """Input ids already in the results file.

    A run killed mid-write leaves a last line without its newline: with `repair`, that
    fragment is cut off so appended results start on a fresh line (the claim is redone).
    """
    p = Path(out)
    if not p.exists():
        return set()
    data = p.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data) and repair:
        with p.open("r+b") as f:
            f.truncate(end)
    done: set[str] = set()
    for raw in data[:end].splitlines():
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError:
            continue  # a damaged line: its claim is checked again
        if isinstance(obj, dict) and obj.get("input_id") is not None:
            done.add(str(obj["input_id"]))
    return done


# --- workers ---------------------------------------------------------------------------------
class CheckWorker:
    """Holds one warmed-up Desk and checks claims with it (one per process or Ray actor)."""

    def __init__(self, desk_factory: DeskFactory, top_k: int = default("top_k")) -> None:
        self.top_k = top_k
        self.desk = desk_factory()
        self.desk.warm_up()

    def check(self, input_id: str, claim: Claim) -> tuple[str, str | None, str | None]:
        """(input_id, result JSON line or None, error or None); never raises."""
        try:
            fc = self.desk.check(claim, top_k=self.top_k)
            return input_id, json.dumps({"input_id": input_id, **fc.to_dict()}, ensure_ascii=False), None
        except Exception as exc:  # one bad claim must not stop the batch; it is reported and retried next run
            return input_id, None, f"{type(exc).__name__}: {exc}"


class RayCheckWorker(CheckWorker):
    """The callable class for Ray Data `map_batches`: a batch of claims in, result lines out.

    Ray Data moves rows as plain values, so each claim crosses to the actor as JSON
    (`Claim.to_dict`) and is rebuilt here; the local engine passes `Claim` objects.
    """

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        ids, lines, errors = [], [], []
        for input_id, claim_json in zip(batch["input_id"], batch["claim"], strict=True):
            i, line, err = self.check(str(input_id), Claim.from_dict(json.loads(str(claim_json))))
            ids.append(i)
            lines.append(line or "")
            errors.append(err or "")
        return {
            "input_id": np.array(ids, dtype=object),
            "line": np.array(lines, dtype=object),
            "error": np.array(errors, dtype=object),
        }


_WORKER: CheckWorker | None = None


def _init_process(desk_factory: DeskFactory, top_k: int) -> None:
    global _WORKER
    _WORKER = CheckWorker(desk_factory, top_k)


def _check_in_process(input_id: str, claim: Claim) -> tuple[str, str | None, str | None]:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.check(input_id, claim)


Result = tuple[str, str | None, str | None]


def _local(items: list[ClaimItem], desk_factory: DeskFactory, top_k: int, workers: int) -> Iterator[Result]:
    if workers <= 1:
        worker = CheckWorker(desk_factory, top_k)
        try:
            for it in items:
                yield worker.check(it.input_id, it.claim)
        finally:
            worker.desk.close()
        return
    import multiprocessing as mp

    # spawn, not fork: forking a process that holds ONNX/FAISS thread pools can deadlock.
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("spawn"),
        initializer=_init_process,
        initargs=(desk_factory, top_k),
    ) as pool:
        queue = iter(items)
        running: set[Future[Result]] = set()
        limit = workers * 4  # bounded: results stream out, memory stays flat on huge inputs
        while True:
            while len(running) < limit:
                nxt = next(queue, None)
                if nxt is None:
                    break
                # The Claim itself crosses to the worker process (pickled), no dict in between.
                running.add(pool.submit(_check_in_process, nxt.input_id, nxt.claim))
            if not running:
                return
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield fut.result()


def _ray(
    items: list[ClaimItem], desk_factory: DeskFactory, top_k: int, workers: int, batch_size: int, address: str | None
) -> Iterator[Result]:
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError("--engine ray needs Ray Data: pip install 'factdesk[ray]' (or use --engine local)") from None
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address:
            kwargs["address"] = address
        else:
            kwargs["num_cpus"] = workers
        ray.init(**kwargs)
        started = True
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # ours is the one progress bar
        rows = [{"input_id": it.input_id, "claim": json.dumps(it.claim.to_dict())} for it in items]
        source = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), workers * 8)))
        ds = source.map_batches(
            RayCheckWorker,
            fn_constructor_kwargs={"desk_factory": desk_factory, "top_k": top_k},
            batch_size=batch_size,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
            batch_format="numpy",
        )
        for row in ds.iter_rows():
            yield str(row["input_id"]), (str(row["line"]) or None), (str(row["error"]) or None)
    finally:
        if started:
            ray.shutdown()


# --- driver ----------------------------------------------------------------------------------
def run_batch(
    claims: str | os.PathLike[str],
    out: str | os.PathLike[str],
    engine: str = "local",
    workers: int = 1,
    top_k: int = default("top_k"),
    db: str | None = None,
    desk_factory: DeskFactory | None = None,
    progress: bool = True,
    batch_size: int = 4,
    ray_address: str | None = None,
    on_skip: Callable[[str], None] | None = None,
) -> BatchReport:
    """Check every claim in `claims` not yet in `out`, appending one JSON line per result.

    `desk_factory` builds the Desk each worker uses (default: the standard models over `db`).
    `on_skip` receives a message for each malformed line and failed claim as they happen.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    if top_k < 1:
        raise InputError(f"--top-k must be at least 1, not {top_k}")
    factory: DeskFactory = desk_factory or DefaultDeskFactory(db)
    out_path = Path(out)
    if not out_path.parent.is_dir():
        raise InputError(f"cannot write {out_path}: folder {out_path.parent} does not exist")
    say = on_skip or (lambda msg: None)

    report = BatchReport()
    done = completed_ids(out_path)
    seen: set[str] = set()
    pending: list[ClaimItem] = []
    for item in read_claims(claims):
        if isinstance(item, BadLine):
            report.bad_lines.append(item)
            say(f"skipped {item}")
            continue
        report.total += 1
        if item.input_id in done:
            report.already_done += 1
        elif item.input_id in seen:
            report.duplicates += 1
            say(f"skipped line {item.line}: id {item.input_id!r} appears earlier in the file")
        else:
            seen.add(item.input_id)
            pending.append(item)

    started = time.perf_counter()
    if pending:
        results: Iterable[Result]
        if engine == "ray":
            results = _ray(pending, factory, top_k, workers, batch_size, ray_address)
        else:
            results = _local(pending, factory, top_k, workers)
        bar = _progress_bar(len(pending), progress)
        with out_path.open("a", encoding="utf-8") as f:
            try:
                for input_id, line, error in results:
                    if line is not None:
                        _write_line(f, line)
                        report.checked += 1
                    else:
                        report.failed.append((input_id, error or "unknown error"))
                        say(f"failed {input_id}: {error}")
                    if bar is not None:
                        bar.update(1)
            finally:
                if bar is not None:
                    bar.close()
    report.seconds = time.perf_counter() - started
    return report


def _write_line(f: IO[str], line: str) -> None:
    # One write per line, flushed at once: a kill leaves at most one partial line behind.
    f.write(line + "\n")
    f.flush()


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="claim", desc="check", file=sys.stderr)
