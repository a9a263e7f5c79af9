"""Read files in a child process with a time limit, so no file can stall the caller.

A parser can take minutes on a hostile file (trafilatura on a tag with 50,000 attributes, a PDF
built to loop), and a thread cannot be stopped from outside. So the files are read by one
child process that sends back each document as it is read; when the child sends nothing for
`per_file_seconds` (one file, or one document of a long .jsonl), it is killed, that file becomes
a `Skip` with the reason, and a fresh child reads the remaining files. `deadline` bounds the
whole run. Chunking, embedding and storing stay in the caller.

>>> from pathlib import Path
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("Minsk is the capital of Belarus.")
>>> [(i, item.text) for i, item in load_files_isolated([folder / "a.txt"])]
[(0, 'Minsk is the capital of Belarus.')]
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from factdesk.ingest.loaders import Skip, load_file
from factdesk.types import Document

STARTUP_SECONDS = 60.0
Loader = Callable[..., Any]
"""load_file's signature: (path, defaults, *, allow_file_urls) -> Iterator[Document | Skip]."""


def _import_parsers(files: list[str]) -> None:
    """Import the parsers these files need before the first file's clock starts: importing
    trafilatura takes seconds on a busy machine, and that is start-up, not the file's time."""
    suffixes = {Path(f).suffix.lower() for f in files}
    try:
        if suffixes & {".html", ".htm", ".urls"}:
            import trafilatura  # noqa: F401
        if ".pdf" in suffixes:
            import pypdf  # noqa: F401
    except ImportError:  # the loader names the missing package when it reads the file
        pass


def _read_in_child(
    conn: Connection, files: list[str], first: int, defaults: dict[str, Any], allow_file_urls: bool, loader: Loader
) -> None:
    try:
        _import_parsers(files)
        conn.send(("ready", first, None))
        for i, name in enumerate(files, first):
            for item in loader(Path(name), defaults, allow_file_urls=allow_file_urls):
                conn.send(("item", i, item))
            conn.send(("done", i, None))
        conn.send(("end", -1, None))
    finally:
        conn.close()


def load_files_isolated(
    files: Sequence[Path],
    defaults: dict[str, Any] | None = None,
    *,
    allow_file_urls: bool = True,
    per_file_seconds: float = 120.0,
    deadline: float | None = None,
    loader: Loader = load_file,
) -> Iterator[tuple[int, Document | Skip]]:
    """Yield (index of the file, document or skip) for `files`; a file that yields nothing for
    `per_file_seconds` is skipped.

    `deadline` (a `time.monotonic()` value) ends the whole run: the file being read then is
    skipped and so are the ones after it. `loader` must be importable by the child (a
    module-level function), since the child is started with "spawn": forking a threaded web
    server can deadlock the child on a lock some other thread held.
    """
    if per_file_seconds <= 0:
        raise ValueError("per_file_seconds must be > 0")
    ctx = multiprocessing.get_context("spawn")
    names = [str(f) for f in files]
    i = 0
    while i < len(names):
        if deadline is not None and time.monotonic() >= deadline:
            for j in range(i, len(names)):
                yield j, Skip(names[j], "not read: the ingest ran out of time (upload fewer files at once)")
            return
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_read_in_child,
            name="factdesk-read",
            args=(sender, names[i:], i, defaults or {}, allow_file_urls, loader),
            daemon=True,
        )
        child.start()
        sender.close()  # so a dead child reads as EOF here
        try:
            # Starting a Python process and importing the loader is not the file's time: wait
            # for the child to say it is ready before the file's clock starts.
            until = time.monotonic() + max(STARTUP_SECONDS, per_file_seconds)
            ready = False
            while True:
                limit = until if deadline is None else min(until, deadline)
                if not receiver.poll(max(0.0, limit - time.monotonic())):
                    if limit != until:
                        why = "not read: the ingest ran out of time (upload fewer files at once)"
                    elif not ready:
                        why = f"not read: the reader process did not start within {STARTUP_SECONDS:g} s"
                    else:
                        why = (
                            f"reading it made no progress for {per_file_seconds:g} s: skipped "
                            "(split it, or convert it to .txt)"
                        )
                    yield i, Skip(names[i], why)
                    i += 1
                    break
                try:
                    kind, at, item = receiver.recv()
                except EOFError:  # the child died (out of memory, a crash in a C parser)
                    if i >= len(names):
                        return
                    child.join(1.0)
                    yield (
                        i,
                        Skip(names[i], f"the reader process died (exit code {child.exitcode}) on this file: skipped"),
                    )
                    i += 1
                    break
                # The clock restarts with every message, so a long .jsonl that keeps yielding
                # documents is not cut off; a file that yields nothing for the limit is.
                until = time.monotonic() + per_file_seconds
                if kind == "item":
                    yield at, item
                elif kind == "done":
                    i = at + 1
                elif kind == "ready":
                    ready = True
                else:
                    return
        finally:
            if child.is_alive():
                child.kill()
            child.join(5.0)
            receiver.close()
