"""`factdesk ingest` never ends in a traceback: bad records are skipped with a line each, the
rest are stored in a real SQLite store (fake embedder for speed)."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from factdesk.app import cli
from factdesk.pipeline import Desk
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel


def _fake_desk(monkeypatch):
    opened = []

    def open_desk(db, writer="template"):
        desk = Desk(db=db, embedder=FakeEmbedder(), stance_model=FakeStanceModel())
        opened.append(desk)
        return desk

    monkeypatch.setattr(cli, "open_desk", open_desk)
    return opened


def test_ingest_skips_bad_records_and_names_with_a_line_each(tmp_path, monkeypatch):
    _fake_desk(monkeypatch)
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [
        {"text": "Good line one about Minsk."},
        {"text": "Object title.", "title": {"a": 1}},
        {"text": "Lone \ud800 surrogate about Vilnius."},
        {"text": "Good line two about Riga."},
    ]
    (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("A file whose name is not UTF-8.")
    (folder / "passwd_link.txt").symlink_to("/etc/passwd")
    db = tmp_path / "d.db"
    r = CliRunner().invoke(cli.main, ["ingest", str(folder), "--db", str(db), "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    lines = r.output.splitlines()
    assert lines[0] == "4 documents added (4 passages), 0 already stored, 2 skipped"
    assert lines[1].startswith(f'  skipped {folder / "a.jsonl"}:2: malformed JSONL line ("title" must be a string')
    assert lines[2].startswith(f"  skipped {folder / 'passwd_link.txt'}: a symlink to a file outside the folder")
    assert lines[3] == f"store {db}: 4 documents, 4 passages"


def test_an_unexpected_error_is_one_line_not_a_traceback(tmp_path, monkeypatch):
    opened = _fake_desk(monkeypatch)

    def boom(*a, **kw):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Desk, "ingest_paths", boom)
    (tmp_path / "a.txt").write_text("Text.")
    r = CliRunner().invoke(
        cli.main, ["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "d.db"), "--no-progress"]
    )
    assert r.exit_code == 2 and len(opened) == 1
    assert r.output.startswith(
        "error: the ingest stopped (RuntimeError: disk on fire); documents stored before this are kept"
    )
    assert "Traceback" not in r.output


def test_a_document_the_store_refuses_is_skipped_and_the_run_goes_on(tmp_path) -> None:
    """Desk.ingest: a StoreError on one document skips it with its reason; the others are stored."""
    from factdesk.errors import StoreError
    from factdesk.pipeline import Desk
    from factdesk.store.sqlite import SQLiteStore
    from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
    from factdesk.types import Document

    class Refusing(SQLiteStore):
        def add_document(self, document, passages, vectors):  # type: ignore[no-untyped-def]
            if "refuse" in document.text:
                raise StoreError(f"could not store {document.source_path}: datatype mismatch")
            return super().add_document(document, passages, vectors)

    desk = Desk(store=Refusing(str(tmp_path / "s.db")), embedder=FakeEmbedder(), stance_model=FakeStanceModel())
    docs = [
        Document(
            text=f"Document number {i} about refugees in Syria." + (" refuse" if i == 1 else ""),
            source_path=f"f{i}.txt",
        )
        for i in range(4)
    ]
    report = desk.ingest(docs, batch_size=2)
    assert report.documents_added == 3
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("f1.txt", "not stored: could not store f1.txt: datatype mismatch")
    ]
    assert desk.store.stats()["documents"] == 3 and desk.store.integrity_check()


def _links_out(tmp_path):
    folder, outside = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    outside.mkdir()
    (folder / "a.txt").write_text("Minsk is the capital of Belarus.")
    (outside / "o.txt").write_text("Vilnius is the capital of Lithuania.")
    (folder / "o_link.txt").symlink_to(outside / "o.txt")
    (folder / "dir_link").symlink_to(outside)
    return folder


def test_symlinks_out_of_the_folder_are_skipped_unless_followed(tmp_path, monkeypatch):
    _fake_desk(monkeypatch)
    folder = _links_out(tmp_path)
    r = CliRunner().invoke(cli.main, ["ingest", str(folder), "--db", str(tmp_path / "d.db"), "--no-progress"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "1 documents added (1 passages), 0 already stored, 2 skipped"
    assert lines[1] == (
        f"  skipped {folder / 'dir_link'}: a symlink to a folder outside the folder: not followed "
        "(copy it in, name it on the command line, or pass --follow-symlinks)"
    )
    assert lines[2].startswith(f"  skipped {folder / 'o_link.txt'}: a symlink to a file outside the folder")

    r = CliRunner().invoke(
        cli.main, ["ingest", str(folder), "--db", str(tmp_path / "f.db"), "--no-progress", "--follow-symlinks"]
    )
    assert r.exit_code == 0, r.output
    # dir_link/o.txt and o_link.txt are the same text: stored once
    assert r.output.splitlines()[0] == "2 documents added (2 passages), 1 already stored, 0 skipped"


def hanging_parser(path, defaults, *, allow_file_urls=True):
    """load_file, except that the HTML parser never returns on "hang*" files (read in the child process)."""
    import time

    from factdesk.ingest.loaders import load_file

    if path.name.startswith("hang"):
        time.sleep(600)
    yield from load_file(path, defaults, allow_file_urls=allow_file_urls)


def test_a_file_that_stalls_the_parser_is_skipped_and_the_rest_ingested(tmp_path, monkeypatch):
    import time

    import factdesk.ingest.read as read

    _fake_desk(monkeypatch)
    monkeypatch.setattr(read, "load_file", hanging_parser)  # what the CLI's reader sends to the child process
    folder = tmp_path / "in"
    folder.mkdir()
    page = "<html><body><article><p>{} is a page about the border crisis of 2021.</p></article></body></html>"
    (folder / "a.html").write_text(page.format("Page A"))
    (folder / "hang.html").write_text(page.format("The hanging page"))
    (folder / "z.txt").write_text("Minsk is the capital of Belarus.")
    t0 = time.monotonic()
    r = CliRunner().invoke(
        cli.main, ["ingest", str(folder), "--db", str(tmp_path / "d.db"), "--no-progress", "--file-seconds", "2"]
    )
    assert time.monotonic() - t0 < 60
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "2 documents added (2 passages), 0 already stored, 1 skipped"
    assert lines[1] == (
        f"  skipped {folder / 'hang.html'}: reading it made no progress for 2 s: skipped "
        "(split it, or convert it to .txt)"
    )
    assert lines[2] == f"store {tmp_path / 'd.db'}: 2 documents, 2 passages"
