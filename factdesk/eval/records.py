"""Every eval run leaves a record: metrics, git commit, date, machine, wall time, peak RSS.

Records are JSON lines appended to ``bench/results/<suite>.jsonl`` (override the folder
with ``FACTDESK_RESULTS_DIR``); ``bench/make_table.py`` reads the latest of each.

>>> rec = make_record("averitec", {"accuracy": 0.5}, wall_seconds=1.0)
>>> sorted(rec)[:3]
['args', 'date', 'git']
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


def results_dir() -> Path:
    """The `results_dir` setting (``$FACTDESK_RESULTS_DIR``), else ``bench/results`` in the repository."""
    from factdesk.config import Config

    value = Config().get("results_dir")
    return Path(value) if value else REPO_ROOT / "bench" / "results"


def git_state(root: Path = REPO_ROOT) -> dict[str, Any]:
    """The commit checked out and whether the tree has uncommitted changes (None if unknown)."""

    def git(*args: str) -> str | None:
        try:
            r = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return r.stdout.strip() if r.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def machine() -> dict[str, Any]:
    """Where the run happened: host, CPU, cores usable, Python."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 0
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "host": platform.node(),
        "system": platform.platform(),
        "cpu": cpu,
        "cores": cores,
        "python": sys.version.split()[0],
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children, in MiB (Linux: KiB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return max(own, kids) / scale


def make_record(
    suite: str, metrics: dict[str, Any], wall_seconds: float, args: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A JSON-ready record of one eval run."""
    return {
        "suite": suite,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_state(),
        "machine": machine(),
        "wall_seconds": wall_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in (args or {}).items()},
        "metrics": metrics,
    }


def append_record(record: dict[str, Any], folder: Path | None = None) -> Path:
    """Append ``record`` as one JSON line to ``<folder>/<suite>.jsonl``; return the file."""
    folder = folder or results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['suite']}.jsonl"
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    return path


def latest_records(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """The last record of each ``<suite>.jsonl`` in ``folder``, keyed by file stem."""
    folder = folder or results_dir()
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        last = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    last = json.loads(line)
                except json.JSONDecodeError:
                    continue
        if last is not None:
            out[path.stem] = last
    return out
