"""Reading an ingest's files: HTML, PDF and .urls in a child process with a time limit, the
rest in-process, all in order; symlinks out of a folder skipped unless followed."""

from __future__ import annotations

import time
from pathlib import Path

from factdesk.ingest.loaders import Skip, iter_files, load_file
from factdesk.ingest.read import read_files
from factdesk.types import Document

PAGE = "<html><head><title>{0}</title></head><body><article><p>The text of {0}, a page about Minsk.</p></article></body></html>"


def stalling_loader(path, defaults, *, allow_file_urls=True):
    """load_file, except that a "stall*" file never finishes."""
    if path.name.startswith("stall"):
        time.sleep(600)
    yield from load_file(path, defaults, allow_file_urls=allow_file_urls)


def _summary(items):
    return [(Path(i.path).name, i.reason) if isinstance(i, Skip) else i.text for i in items]


def test_a_stalled_html_file_is_skipped_and_the_rest_are_read_in_order(tmp_path):
    for name in ("a.txt", "b.html", "stall.html", "t.txt", "u.html", "v.md"):
        (tmp_path / name).write_text(PAGE.format(name) if name.endswith(".html") else f"The text of {name}.")
    done = []
    out = list(
        read_files(
            iter_files([tmp_path]), {}, per_file_seconds=2.0, loader=stalling_loader, on_file=lambda: done.append(1)
        )
    )
    assert _summary(out) == [
        "The text of a.txt.",
        "The text of b.html, a page about Minsk.",
        ("stall.html", "reading it made no progress for 2 s: skipped (split it, or convert it to .txt)"),
        "The text of t.txt.",
        "The text of u.html, a page about Minsk.",
        "The text of v.md.",
    ]
    assert len(done) == 6


def test_without_html_or_pdf_no_child_process_is_started(tmp_path, monkeypatch):
    import factdesk.ingest.read as read

    def no_child(*a, **kw):
        raise AssertionError("a child process was started")

    monkeypatch.setattr(read, "load_files_isolated", no_child)
    (tmp_path / "a.txt").write_text("Minsk is the capital of Belarus.")
    (tmp_path / "b.jsonl").write_text('{"text": "Vilnius is the capital of Lithuania."}\n')
    out = list(read_files(iter_files([tmp_path]), {"publisher": "P"}))
    assert [(d.text, d.publisher) for d in out if isinstance(d, Document)] == [
        ("Minsk is the capital of Belarus.", "P"),
        ("Vilnius is the capital of Lithuania.", "P"),
    ]


def _outside_links(tmp_path):
    folder, outside = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (outside / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Inside the folder.")
    (outside / "o.txt").write_text("A file outside.")
    (outside / "sub" / "deep.txt").write_text("A file in a folder outside.")
    (folder / "file_link.txt").symlink_to(outside / "o.txt")
    (folder / "dir_link").symlink_to(outside / "sub")
    (folder / "inner_link.txt").symlink_to(folder / "a.txt")  # inside: read as usual
    return folder, outside


def test_symlinks_out_of_a_folder_are_skipped_with_a_reason(tmp_path):
    folder, _ = _outside_links(tmp_path)
    found = list(iter_files([folder]))
    assert [f.name for f in found if isinstance(f, Path)] == ["a.txt", "inner_link.txt"]
    skipped = {Path(s.path).name: s.reason for s in found if isinstance(s, Skip)}
    assert skipped == {
        "dir_link": "a symlink to a folder outside the folder: not followed (copy it in, name it on the command "
        "line, or pass --follow-symlinks)",
        "file_link.txt": "a symlink to a file outside the folder: not followed (copy it in, name it on the command "
        "line, or pass --follow-symlinks)",
    }


def test_follow_symlinks_reads_what_they_point_to_and_a_loop_ends(tmp_path):
    folder, outside = _outside_links(tmp_path)
    (outside / "sub" / "back").symlink_to(outside)  # a loop through the followed folder
    (folder / "self").symlink_to(folder)  # a link to the folder itself: inside, never descended
    found = list(iter_files([folder], follow_symlinks=True))
    files = [f.relative_to(folder).as_posix() for f in found if isinstance(f, Path)]
    assert files == ["a.txt", "dir_link/deep.txt", "file_link.txt", "inner_link.txt"]
    assert [(Path(s.path).relative_to(folder).as_posix(), s.reason) for s in found if isinstance(s, Skip)] == [
        ("dir_link/back", "a symlink to a folder read already (a loop, or a second link to it): not followed again")
    ]
    texts = [d.text for d in read_files(found, {}) if isinstance(d, Document)]
    assert texts == ["Inside the folder.", "A file in a folder outside.", "A file outside.", "Inside the folder."]
