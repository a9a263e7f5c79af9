"""The full fuzz run of issue 17: seeded hostile claims, files and API requests against a real desk.

Runs `run_fuzz` from tests/test_fuzz.py (the same generators and checks as the CI part, which
runs 2,000 cases) with more cases and, with --uploads, multipart uploads through the web desk's
isolated ingest job as well. The target is 0 uncaught exceptions, 0 responses of 500 and 0
store inconsistencies.

    python bench/bench_fuzz.py --cases 10000              # prints a summary, writes bench/results/fuzz.json
    python bench/bench_fuzz.py --cases 10000 --uploads    # also fuzzes /api/documents (child processes: slower)
    python bench/bench_fuzz.py --cases 500 --seed 3       # another seed; a failure names seed and case
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _load_suite():  # type: ignore[no-untyped-def]
    """tests/test_fuzz.py by path (tests/ is not a package); registered so dataclasses resolve."""
    spec = importlib.util.spec_from_file_location("factdesk_fuzz_suite", REPO / "tests" / "test_fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--uploads", action="store_true", help="also fuzz multipart uploads (each spawns a reader process)")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "fuzz.json"))
    args = ap.parse_args()
    import logging

    logging.disable(logging.WARNING)  # failed jobs and pypdf's warnings are expected; the summary counts them
    suite = _load_suite()
    res = suite.run_fuzz(args.cases, seed=args.seed, uploads=args.uploads)
    print(res.summary())
    for line in (res.uncaught + res.server_errors + res.inconsistencies)[:50]:
        print("  " + line)
    record = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%d"),
        "cases": res.cases,
        "seed": args.seed,
        "uploads": args.uploads,
        "seconds": round(res.seconds, 1),
        "uncaught": len(res.uncaught),
        "server_errors": len(res.server_errors),
        "inconsistencies": len(res.inconsistencies),
        "refused": res.refused,
        "kinds": dict(res.kinds),
        "statuses": {str(k): v for k, v in sorted(res.statuses.items())},
        "slowest_ms": round(res.slowest[0] * 1000),
        "slowest_case": res.slowest[1],
        "failures": (res.uncaught + res.server_errors + res.inconsistencies)[:200],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
