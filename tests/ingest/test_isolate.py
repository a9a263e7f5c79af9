"""Reading files in a child process: a file that stalls or crashes the reader is skipped, the rest are read."""

from __future__ import annotations

import os
import time

from factdesk.ingest.isolate import load_files_isolated
from factdesk.ingest.loaders import Skip, load_file
from factdesk.types import Document


def stalling_loader(path, defaults, *, allow_file_urls=True):
    """load_file, except that "stall*" files never finish and "crash*" files kill the reader."""
    if path.name.startswith("stall"):
        yield Document(text=f"first part of {path.name}")  # what came before the stall is kept
        time.sleep(600)
    if path.name.startswith("crash"):
        os._exit(3)
    yield from load_file(path, defaults, allow_file_urls=allow_file_urls)


def _write(folder, names):
    paths = []
    for name in names:
        p = folder / name
        p.write_text(f"The text of {name}.")
        paths.append(p)
    return paths


def _summary(results):
    return [(i, item.text if isinstance(item, Document) else item.reason) for i, item in results]


def test_files_are_read_in_order_with_defaults_and_rules(tmp_path):
    paths = _write(tmp_path, ["a.txt", "b.md"])
    lst = tmp_path / "c.urls"
    lst.write_text(paths[0].as_uri() + "\n")
    results = list(load_files_isolated([*paths, lst], {"publisher": "P"}, allow_file_urls=False))
    assert [(i, type(item).__name__) for i, item in results] == [(0, "Document"), (1, "Document"), (2, "Skip")]
    assert results[0][1].publisher == "P" and results[1][1].text == "The text of b.md."
    assert "file:// URLs are refused here" in results[2][1].reason


def test_a_stalled_file_is_skipped_and_the_rest_are_read(tmp_path):
    paths = _write(tmp_path, ["a.txt", "stall.txt", "b.txt"])
    results = list(load_files_isolated(paths, per_file_seconds=1.0, loader=stalling_loader))
    assert _summary(results) == [
        (0, "The text of a.txt."),
        (1, "first part of stall.txt"),
        (1, "reading it made no progress for 1 s: skipped (split it, or convert it to .txt)"),
        (2, "The text of b.txt."),
    ]


def test_a_crashing_reader_costs_one_file(tmp_path):
    paths = _write(tmp_path, ["crash.txt", "b.txt"])
    results = list(load_files_isolated(paths, per_file_seconds=30.0, loader=stalling_loader))
    assert _summary(results) == [
        (0, "the reader process died (exit code 3) on this file: skipped"),
        (1, "The text of b.txt."),
    ]


def test_the_deadline_ends_the_run(tmp_path):
    paths = _write(tmp_path, ["stall.txt", "b.txt"])
    results = list(
        load_files_isolated(paths, per_file_seconds=60.0, deadline=time.monotonic() + 1.0, loader=stalling_loader)
    )
    reasons = [item.reason for _, item in results if isinstance(item, Skip)]
    assert reasons == ["not read: the ingest ran out of time (upload fewer files at once)"] * 2
    assert [i for i, _ in results] == [0, 0, 1]
