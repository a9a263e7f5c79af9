"""Read the files an ingest names into documents, with the parsers that can stall kept in a child process.

HTML, PDF and `.urls` lists (which parse the pages they name) are read by
`load_files_isolated`: a file that makes no progress for `per_file_seconds` is killed and
skipped with the reason, and the rest are read. Plain text, Markdown, JSON lines and AVeriTeC
JSON parse in linear time and are read here, in order with the others, so a run that names no
HTML or PDF starts no child process.

>>> from pathlib import Path
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("Minsk is the capital of Belarus.")
>>> [d.text for d in read_files(iter_files([folder]), {"publisher": "P"})]
['Minsk is the capital of Belarus.']
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from factdesk.config import default
from factdesk.ingest.isolate import Loader, load_files_isolated
from factdesk.ingest.loaders import Skip, iter_files, load_file
from factdesk.types import Document

__all__ = ["ISOLATED_SUFFIXES", "iter_files", "read_files"]

ISOLATED_SUFFIXES = (".html", ".htm", ".pdf", ".urls")
"""Read in a child process: the parsers (trafilatura, pypdf) can take minutes on a hostile file."""


def read_files(
    files: Iterable[Path | Skip],
    defaults: dict[str, Any] | None = None,
    *,
    allow_file_urls: bool = True,
    per_file_seconds: float | None = None,
    deadline: float | None = None,
    isolate: Collection[str] = ISOLATED_SUFFIXES,
    loader: Loader | None = None,
    on_file: Callable[[], None] | None = None,
) -> Iterator[Document | Skip]:
    """Yield the documents of `files` (from `iter_files`) in order, and a `Skip` for each file
    or record not read.

    Files whose suffix is in `isolate` are read in a child process (`per_file_seconds`, default
    the `ingest_file_seconds` setting; `deadline` bounds the whole run, as in
    `load_files_isolated`). `loader` replaces `load_file` (it must be importable by the child);
    `on_file` is called once each file is done (a progress bar).
    """
    loader = loader or load_file
    seconds = float(default("ingest_file_seconds") if per_file_seconds is None else per_file_seconds)
    items = list(files)
    suffixes = {s.lower() for s in isolate}
    heavy = [f for f in items if isinstance(f, Path) and f.suffix.lower() in suffixes]
    # One child reads all the heavy files in order; its results are merged in as each file comes up.
    isolated = (
        iter(
            load_files_isolated(
                heavy,
                defaults,
                allow_file_urls=allow_file_urls,
                per_file_seconds=seconds,
                deadline=deadline,
                loader=loader,
            )
        )
        if heavy
        else iter(())
    )
    ahead: tuple[int, Document | Skip] | None = None
    h = 0  # index of the next heavy file
    for f in items:
        if isinstance(f, Skip):
            yield f
        elif f.suffix.lower() not in suffixes:
            yield from loader(f, defaults or {}, allow_file_urls=allow_file_urls)
        else:
            while True:
                if ahead is None:
                    ahead = next(isolated, None)
                    if ahead is None:
                        break
                if ahead[0] != h:
                    break  # the next heavy file's first result: this file is done
                yield ahead[1]
                ahead = None
            h += 1
        if on_file is not None:
            on_file()
