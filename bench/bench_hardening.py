"""Benchmark the ingest hardening of issue 17: figures the unit tests check by counting, not timing.

- chunking: `chunk_document` on the adversarial text "A. B. " repeated (20 KB, 200 KB, 1 MB),
  and the pre-fix splitter (the abbreviation test on the whole pending sentence) at 10 and 20 KB
  for contrast (it grew as n**2: 1.0 s at 10 KB, 17.8 s at 40 KB in the issue);
- HTML: how long the bound check takes to refuse a 400 KB page with 50,000 attributes on one tag
  (trafilatura took 110 s on it), and trafilatura on an ordinary page of the same size;
- isolation: reading 20 small files in the child process (`load_files_isolated`) against
  reading them in process, i.e. what the web desk's time limit costs per upload.

    python bench/bench_hardening.py            # prints a table, writes bench/results/hardening.json
    python bench/bench_hardening.py --quick    # skips the 1 MB text and the pre-fix contrast
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.ingest import chunking  # noqa: E402
from factdesk.ingest.isolate import load_files_isolated  # noqa: E402
from factdesk.ingest.loaders import check_html_bounds, load_file  # noqa: E402
from factdesk.types import Document  # noqa: E402


def _seconds(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _prefix_split(text: str) -> Iterator[tuple[int, int]]:
    """The splitter before the fix: the abbreviation regex searched the whole pending sentence."""
    start = 0
    for m in chunking._BOUNDARY.finditer(text):
        piece = text[start : m.start() + 1]
        if m.group(0).strip() and chunking._ABBREV.search(piece):
            continue
        yield (start, m.end())
        start = m.end()
    yield (start, len(text))


def bench_chunking(quick: bool) -> list[dict[str, Any]]:
    rows = []
    for kb in (20, 200) if quick else (20, 200, 1000):
        text = "A. B. " * (kb * 1000 // 6)
        doc = Document(text=text)
        t0 = time.perf_counter()
        n = len(chunking.chunk_document(doc))
        rows.append({"what": "chunk_document", "kb": kb, "seconds": round(time.perf_counter() - t0, 3), "passages": n})
    if not quick:
        for kb in (10, 20):
            text = "A. B. " * (kb * 1000 // 6)
            rows.append(
                {
                    "what": "pre-fix splitter",
                    "kb": kb,
                    "seconds": round(_seconds(lambda t=text: list(_prefix_split(t))), 3),
                }
            )
    return rows


def bench_html() -> list[dict[str, Any]]:
    import trafilatura

    attrs = " ".join(f"a{i}=x" for i in range(50_000))
    heavy = f"<html><body><div {attrs}>Text.</div></body></html>"
    para = "<p>The European Union imposed new sanctions on Belarus in November 2021 after the border crisis.</p>"
    normal = (
        "<html><head><title>T</title></head><body><article>"
        + para * (400_000 // len(para))
        + "</article></body></html>"
    )
    refused = ""

    def check() -> None:
        nonlocal refused
        try:
            check_html_bounds(heavy)
        except ValueError as exc:
            refused = str(exc)

    return [
        {
            "what": "bound check refuses 50,000 attributes",
            "kb": len(heavy) // 1000,
            "seconds": round(_seconds(check), 4),
            "reason": refused,
        },
        {
            "what": "trafilatura, ordinary page",
            "kb": len(normal) // 1000,
            "seconds": round(_seconds(lambda: trafilatura.extract(normal)), 3),
        },
    ]


def bench_isolation() -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="factdesk-bench-"))
    paths = []
    for i in range(20):
        p = folder / f"f{i:02d}.txt"
        p.write_text(f"Document {i}. The border crisis between Belarus and Lithuania continued.")
        paths.append(p)
    in_process = _seconds(lambda: [list(load_file(p)) for p in paths])
    isolated = _seconds(lambda: list(load_files_isolated(paths)))
    return [
        {"what": "20 small files, in process", "seconds": round(in_process, 3)},
        {"what": "20 small files, child process", "seconds": round(isolated, 3)},
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "hardening.json"))
    args = ap.parse_args()
    rows = bench_chunking(args.quick) + bench_html() + bench_isolation()
    for r in rows:
        extra = f"  {r['kb']} KB" if "kb" in r else ""
        print(f"{r['what']:<42}{extra:>9}  {r['seconds']:>8.3f} s")
    record = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%d"),
        "rows": rows,
    }
    Path(args.out).write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
