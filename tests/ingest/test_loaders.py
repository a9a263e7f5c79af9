import datetime as dt
import http.server
import json
import re
import threading

import pytest

from factdesk.ingest import loaders
from factdesk.ingest.loaders import MAX_FILE_BYTES, Skip, iter_files, load_file
from factdesk.types import Document


def docs(items):
    return [i for i in items if isinstance(i, Document)]


def skips(items):
    return [i for i in items if isinstance(i, Skip)]


def test_markdown_front_matter(tmp_path):
    f = tmp_path / "a.md"
    f.write_text(
        "---\ntitle: Plan\npublisher: UNHCR\npublished: 2016-01-05\nurl: https://x.org\n---\nBody text here.\n"
    )
    (d,) = docs(load_file(f))
    assert (d.title, d.publisher, d.published, d.url, d.text) == (
        "Plan",
        "UNHCR",
        dt.date(2016, 1, 5),
        "https://x.org",
        "Body text here.",
    )


def test_defaults_fill_publisher_and_date(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Plain text.")
    (d,) = docs(load_file(f, {"publisher": "Reuters", "published": dt.date(2020, 1, 1)}))
    assert d.publisher == "Reuters" and d.published == dt.date(2020, 1, 1) and d.source_path == str(f)


def test_html_via_trafilatura_keeps_script_out(tmp_path):
    f = tmp_path / "p.html"
    f.write_text(
        "<html><head><title>Sanctions story</title><script>alert(1)</script></head><body><article>"
        "<h1>Sanctions story</h1><p>The European Union imposed new sanctions on Belarus in November 2021 "
        "after the border crisis with Poland and Lithuania.</p></article></body></html>"
    )
    (d,) = docs(load_file(f))
    assert "sanctions on Belarus" in d.text and "alert(1)" not in d.text and d.title == "Sanctions story"


def test_pdf(tmp_path):
    from pypdf import PdfWriter

    f = tmp_path / "blank.pdf"
    w = PdfWriter()
    w.add_blank_page(100, 100)
    with f.open("wb") as fh:
        w.write(fh)
    (s,) = skips(load_file(f))
    assert "no extractable text" in s.reason


def test_jsonl_good_and_malformed_lines(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text(
        json.dumps({"text": "One.", "url": "u", "publisher": "P", "published": "2020-02-02"}) + "\n"
        "{not json\n" + json.dumps({"title": "no text"}) + "\n" + json.dumps({"text": "Two."}) + "\n"
    )
    items = list(load_file(f))
    assert [d.text for d in docs(items)] == ["One.", "Two."]
    assert [s.path for s in skips(items)] == [f"{f}:2", f"{f}:3"]
    assert all("malformed JSONL line" in s.reason for s in skips(items))


def test_averitec_json_answers_become_documents(tmp_path):
    f = tmp_path / "av.json"
    f.write_text(
        json.dumps(
            [
                {
                    "claim": "c",
                    "questions": [
                        {
                            "question": "Q?",
                            "answers": [
                                {
                                    "answer": "Yes",
                                    "answer_type": "Boolean",
                                    "boolean_explanation": "Because so.",
                                    "source_url": "https://s",
                                },
                                {"answer": "No answer could be found.", "source_url": ""},
                            ],
                        }
                    ],
                }
            ]
        )
    )
    (d,) = docs(load_file(f))
    assert d.text == "Yes. Because so." and d.url == "https://s" and d.title == "Q?"


def test_bad_files_are_skipped_with_reasons(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "space.txt").write_text("  \n\t ")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "x.docx").write_text("something")
    (tmp_path / "bad.json").write_text("{oops")
    reasons = {}
    for f in iter_files([tmp_path, tmp_path / "missing.txt"]):
        items = [f] if isinstance(f, Skip) else list(load_file(f))
        for s in skips(items):
            reasons[s.path.rsplit("/", 1)[-1]] = s.reason
    assert "empty" in reasons["empty.txt"]
    assert "whitespace" in reasons["space.txt"]
    assert "binary" in reasons["bin.txt"]
    assert "unknown extension .docx" in reasons["x.docx"]
    assert "malformed JSON" in reasons["bad.json"]
    assert "no such file" in reasons["missing.txt"]


def test_huge_file_is_refused_without_reading(tmp_path):
    f = tmp_path / "huge.txt"
    with f.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: no real 50 MB written
    (s,) = skips(load_file(f))
    assert "50 MB limit" in s.reason


def test_unreadable_file(tmp_path, monkeypatch):
    from pathlib import Path

    f = tmp_path / "secret.txt"
    f.write_text("text")

    def deny(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", deny)  # root reads anything, so simulate the denial
    (s,) = skips(load_file(f))
    assert "permission denied" in s.reason


PAGE = (
    "<html><head><title>Border report</title></head><body><article><p>Lithuania declared a state of "
    "emergency after thousands of migrants crossed from Belarus in 2021, officials said on Monday.</p>"
    "</article></body></html>"
)


def test_url_list_file_urls_offline_refusal_and_junk(tmp_path, monkeypatch):
    monkeypatch.delenv("FACTDESK_ALLOW_NETWORK", raising=False)
    page = tmp_path / "page.html"
    page.write_text(PAGE)
    f = tmp_path / "list.urls"
    f.write_text(f"# sources\n{page.as_uri()}\nhttps://example.org/x\nnot a url\n")
    items = list(load_file(f))
    (d,) = docs(items)
    assert "state of emergency" in d.text and d.url == page.as_uri()
    reasons = [s.reason for s in skips(items)]
    assert any("offline-first" in r for r in reasons) and any("not a URL" in r for r in reasons)


def test_url_list_fetches_when_network_allowed(tmp_path, monkeypatch):
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = PAGE.encode() if self.path == "/ok" else b""
            self.send_response(200 if self.path == "/ok" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    monkeypatch.setenv("FACTDESK_ALLOW_NETWORK", "1")
    monkeypatch.setattr(loaders, "blocked_address", lambda ip: None)  # the test server is on loopback
    base = f"http://127.0.0.1:{srv.server_port}"
    f = tmp_path / "list.urls"
    f.write_text(f"{base}/ok\n{base}/missing\n")
    try:
        items = list(load_file(f))
    finally:
        srv.shutdown()
    (d,) = docs(items)
    assert d.url == f"{base}/ok" and "Lithuania" in d.text
    (s,) = skips(items)
    assert "could not fetch" in s.reason and "404" in s.reason


# --- what a file may reach ----------------------------------------------------------------------
def test_folder_ingest_skips_symlinks_that_leave_the_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text("A report.")
    (corpus / "sub" / "b.txt").write_text("B report.")
    (corpus / "passwd_link.txt").symlink_to(outside / "secret.txt")
    (corpus / "same_link.txt").symlink_to(corpus / "a.txt")  # stays inside: read
    (corpus / "out_dir").symlink_to(outside, target_is_directory=True)
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    items = list(iter_files([corpus]))
    files = [str(i.relative_to(corpus)) for i in items if not isinstance(i, Skip)]
    assert files == ["a.txt", "same_link.txt", "sub/b.txt"]
    assert [(s.path.rsplit("/", 1)[-1], s.reason.split(" outside")[0]) for s in skips(items)] == [
        ("loop.txt", "a symlink to a file"),
        ("out_dir", "a symlink to a folder"),
        ("passwd_link.txt", "a symlink to a file"),
    ]
    assert "not followed" in skips(items)[0].reason
    # a file named on the command line is read as given, link or not
    assert list(iter_files([corpus / "passwd_link.txt"])) == [corpus / "passwd_link.txt"]


def test_url_list_file_urls_stay_in_the_lists_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("The server's secret.")
    folder = tmp_path / "lists"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "page.txt").write_text("A page in the folder.")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    f = folder / "list.urls"
    f.write_text(
        "\n".join(
            [
                (folder / "sub" / "page.txt").as_uri(),
                (outside / "secret.txt").as_uri(),
                "file://" + str(folder) + "/../outside/secret.txt",
                (folder / "link.txt").as_uri(),
                "file://otherhost/etc/hostname",
            ]
        )
        + "\n"
    )
    items = list(load_file(f))
    assert [d.text for d in docs(items)] == ["A page in the folder."]
    reasons = [(s.path, s.reason.split(": ", 1)[1].split(" (")[0]) for s in skips(items)]
    assert reasons == [
        (f"{f}:2", "file:// URLs may only name files in the list's own folder"),
        (f"{f}:3", "file:// URLs may only name files in the list's own folder"),
        (f"{f}:4", "file:// URLs may only name files in the list's own folder"),
        (f"{f}:5", "file://otherhost/... names another machine: refused"),
    ]


def test_url_list_file_urls_refused_when_not_allowed(tmp_path):
    (tmp_path / "page.txt").write_text("A page next to the list.")
    f = tmp_path / "upload.urls"
    f.write_text((tmp_path / "page.txt").as_uri() + "\n")
    (s,) = list(load_file(f, allow_file_urls=False))
    assert s.path == f"{f}:1" and "file:// URLs are refused here" in s.reason


def test_url_list_never_names_a_urls_list(tmp_path):
    (tmp_path / "page.txt").write_text("A page.")
    other = tmp_path / "other.urls"
    other.write_text((tmp_path / "page.txt").as_uri() + "\n")
    f = tmp_path / "self.urls"
    f.write_text(f"{f.as_uri()}\n{other.as_uri()}\n")
    items = list(load_file(f))
    assert docs(items) == []
    assert [s.path for s in items] == [f"{f}:1", f"{f}:2"]
    assert all("cannot name another .urls list" in s.reason for s in items)


class _Server:
    """A loopback HTTP server counting its requests; routes: /ok, /to-private, /to-ftp, /to-ok."""

    def __init__(self):
        hits = self.hits = []

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                port = self.server.server_port
                targets = {
                    "/to-private": f"http://127.0.0.2:{port}/ok",
                    "/to-ftp": "ftp://127.0.0.1/x",
                    "/to-ok": f"http://127.0.0.1:{port}/ok",
                }
                if self.path in targets:
                    self.send_response(302)
                    self.send_header("Location", targets[self.path])
                    self.end_headers()
                    return
                self.send_response(200)
                self.end_headers()
                self.wfile.write(PAGE.encode())

            def log_message(self, *a):
                pass

        self.srv = http.server.HTTPServer(("127.0.0.1", 0), H)
        self.base = f"http://127.0.0.1:{self.srv.server_port}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def test_network_never_reaches_loopback_or_private_hosts(tmp_path, monkeypatch, server):
    monkeypatch.setenv("FACTDESK_ALLOW_NETWORK", "1")
    f = tmp_path / "list.urls"
    f.write_text(f"{server.base}/ok\nhttp://localhost:{server.srv.server_port}/ok\n")
    items = list(load_file(f))
    assert docs(items) == [] and server.hits == []  # refused before connecting
    first, second = (s.reason.split(": ", 1)[1] for s in items)
    assert first == "127.0.0.1 resolves to 127.0.0.1, a loopback address: refused (factdesk fetches only public hosts)"
    assert re.fullmatch(
        r"localhost resolves to (127\.0\.0\.1|::1), a loopback address: refused \(factdesk fetches "
        r"only public hosts\)",
        second,
    )
    assert [
        loaders.blocked_address(ip)
        for ip in (
            "10.1.2.3",
            "169.254.169.254",
            "::1",
            "::ffff:192.168.0.1",
            "0.0.0.0",
            "8.8.8.8",
            "2001:4860:4860::8888",
        )
    ] == ["private", "link-local", "loopback", "private", "unspecified", None, None]


def test_redirects_are_checked_on_every_hop(tmp_path, monkeypatch, server):
    # Let the test server stand in for a public host; every other address keeps the real rule.
    real = loaders.blocked_address
    monkeypatch.setattr(loaders, "blocked_address", lambda ip: None if ip == "127.0.0.1" else real(ip))
    monkeypatch.setenv("FACTDESK_ALLOW_NETWORK", "1")
    f = tmp_path / "list.urls"
    f.write_text(f"{server.base}/to-ok\n{server.base}/to-private\n{server.base}/to-ftp\n")
    items = list(load_file(f))
    (d,) = docs(items)
    assert d.url == f"{server.base}/to-ok" and "Lithuania" in d.text
    assert [s.reason.split(": ", 1)[1] for s in skips(items)] == [
        "127.0.0.2 resolves to 127.0.0.2, a loopback address: refused (factdesk fetches only public hosts)",
        "redirect to ftp:// refused (only http and https)",
    ]
    assert server.hits == ["/to-ok", "/ok", "/to-private", "/to-ftp"]


# --- one bad record never stops an ingest -------------------------------------------------------
def test_jsonl_fields_of_the_wrong_type_or_with_lone_surrogates(tmp_path):
    f = tmp_path / "c.jsonl"
    lines = [
        {"text": "Good one.", "title": "T"},
        {"text": "Title is an object.", "title": {"a": 1}},
        {"text": "Bad \ud800 surrogate.", "title": "Lone \udc00 too", "publisher": "P\x00ress"},
        {"text": 42},
        {"text": "Publisher is a list.", "publisher": ["x"]},
        {"text": "Date is an object.", "published": {"y": 2020}},
        {"text": "Title too long.", "title": "x" * 2001},
        {"text": "Good two.", "published": "2020-02-02"},
    ]
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n")  # json.dumps writes "\ud800" as an escape
    items = list(load_file(f))
    good = docs(items)
    assert [(d.text, d.title, d.publisher) for d in good] == [
        ("Good one.", "T", None),
        ("Bad \ufffd surrogate.", "Lone \ufffd too", "Press"),
        ("Good two.", None, None),
    ]
    assert good[1].text.encode("utf-8") and good[1].id == Document(text="Bad \ufffd surrogate.").id
    assert [(s.path, s.reason.split(";")[0]) for s in skips(items)] == [
        (f"{f}:2", 'malformed JSONL line ("title" must be a string, not dict)'),
        (f"{f}:4", 'malformed JSONL line ("text" must be a string, not int)'),
        (f"{f}:5", 'malformed JSONL line ("publisher" must be a string, not list)'),
        (f"{f}:6", 'malformed JSONL line ("published" must be a date string like "2021-12-14", not dict)'),
        (f"{f}:7", 'malformed JSONL line ("title" is 2001 characters, over the 2000 limit)'),
    ]


def test_averitec_bad_records_are_skipped_one_by_one(tmp_path):
    f = tmp_path / "av.json"
    good = {
        "claim": "c",
        "questions": [{"question": "Q?", "answers": [{"answer": "Yes \ud800", "source_url": "https://s"}]}],
    }
    f.write_text(
        json.dumps(
            [
                good,
                {"claim": "c", "questions": [{"question": "Q2?", "answers": "not a list"}]},
                {"claim": "c", "questions": [{"question": "Q3?", "answers": [{"answer": 7}]}]},
                {"claim": "c", "questions": [{"question": {"q": 1}, "answers": []}]},
                {"claim": "c", "questions": [{"question": "Q5?", "answers": [{"answer": "Fine.", "source_url": 5}]}]},
                {"claim": "c", "questions": [{"question": "Q6?", "answers": [{"answer": "Also fine."}]}]},
            ]
        )
    )
    items = list(load_file(f))
    assert [(d.text, d.title, d.source_path) for d in docs(items)] == [
        ("Yes \ufffd", "Q?", f"{f}[0]"),
        ("Also fine.", "Q6?", f"{f}[5]"),
    ]
    assert [(s.path, s.reason.split(";")[0]) for s in skips(items)] == [
        (f"{f}[1]", 'malformed AVeriTeC claim ("answers" must be a list)'),
        (f"{f}[2]", 'malformed AVeriTeC claim ("answer" and "boolean_explanation" must be strings)'),
        (f"{f}[3]", 'malformed AVeriTeC claim ("question" must be a string, not dict)'),
        (f"{f}[4]", 'malformed AVeriTeC claim ("source_url" must be a string, not int)'),
    ]


def test_bad_lines_never_stop_a_folder_ingest(tmp_path, fake_desk):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [{"text": f"Document number {i} about the border.", "title": f"D{i}"} for i in range(25)]
    rows.insert(3, {"text": "Title is an object.", "title": {"a": 1}})
    rows.insert(9, {"text": "Lone \ud800 surrogate in the text.", "url": "https://x.org/\udfff"})
    (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (folder / "b.txt").write_text("A plain file after the JSONL.")
    report = fake_desk.ingest_paths([folder])
    assert report.documents_added == 27  # 25 good lines, the cleaned surrogate line, b.txt
    assert [s.path for s in report.skipped] == [f"{folder / 'a.jsonl'}:4"]
    stats = fake_desk.store.stats()
    assert stats["documents"] == 27
    (hit,) = [d for d in fake_desk.store.list_documents(limit=100) if d.url and d.url.startswith("https://x.org/")]
    assert hit.url == "https://x.org/\ufffd" and hit.text == "Lone \ufffd surrogate in the text."


# --- bounded parsing -----------------------------------------------------------------------------
def test_attribute_heavy_html_is_skipped_before_parsing(tmp_path):
    f = tmp_path / "heavy.html"
    attrs = " ".join(f'a{i}="x"' for i in range(loaders.MAX_HTML_ATTRIBUTES_PER_TAG + 1))
    f.write_text(f"<html><body><div {attrs}>Some text that would be the article body.</div></body></html>")
    (s,) = list(load_file(f))
    assert s.path == str(f)
    assert s.reason.startswith(
        f"an HTML tag with about {loaders.MAX_HTML_ATTRIBUTES_PER_TAG + 1} attributes (limit 500)"
    )
    with pytest.raises(ValueError, match="over the 10 MB limit"):
        loaders.check_html_bounds("<p>" + "x" * loaders.MAX_HTML_BYTES + "</p>")
    loaders.check_html_bounds("<" * 200_000 + "<p a='1'>text</p>")  # a run of "<" is linear work, and fine


def test_clean_text():
    assert loaders.clean_text("a\ud800b\x00c\udfff") == "a\ufffdbc\ufffd"
    assert loaders.clean_text("plain") == "plain" and loaders.clean_text("😀 ok") == "😀 ok"
