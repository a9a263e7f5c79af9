import datetime as dt
import json

from factdesk.ingest.loaders import MAX_FILE_BYTES, Skip, iter_files, load_file
from factdesk.types import Document


def docs(items):
    return [i for i in items if isinstance(i, Document)]


def skips(items):
    return [i for i in items if isinstance(i, Skip)]


def test_markdown_front_matter(tmp_path):
    f = tmp_path / "a.md"
    f.write_text("---\ntitle: Plan\npublisher: UNHCR\npublished: 2016-01-05\nurl: https://x.org\n---\nBody text here.\n")
    (d,) = docs(load_file(f))
    assert (d.title, d.publisher, d.published, d.url, d.text) == ("Plan", "UNHCR", dt.date(2016, 1, 5), "https://x.org", "Body text here.")


def test_defaults_fill_publisher_and_date(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Plain text.")
    (d,) = docs(load_file(f, {"publisher": "Reuters", "published": dt.date(2020, 1, 1)}))
    assert d.publisher == "Reuters" and d.published == dt.date(2020, 1, 1) and d.source_path == str(f)


def test_html_via_trafilatura_keeps_script_out(tmp_path):
    f = tmp_path / "p.html"
    f.write_text("<html><head><title>Sanctions story</title><script>alert(1)</script></head><body><article>"
                 "<h1>Sanctions story</h1><p>The European Union imposed new sanctions on Belarus in November 2021 "
                 "after the border crisis with Poland and Lithuania.</p></article></body></html>")
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
    f.write_text(json.dumps({"text": "One.", "url": "u", "publisher": "P", "published": "2020-02-02"}) + "\n"
                 "{not json\n" + json.dumps({"title": "no text"}) + "\n" + json.dumps({"text": "Two."}) + "\n")
    items = list(load_file(f))
    assert [d.text for d in docs(items)] == ["One.", "Two."]
    assert [s.path for s in skips(items)] == [f"{f}:2", f"{f}:3"]
    assert all("malformed JSONL line" in s.reason for s in skips(items))


def test_averitec_json_answers_become_documents(tmp_path):
    f = tmp_path / "av.json"
    f.write_text(json.dumps([{"claim": "c", "questions": [{"question": "Q?", "answers": [
        {"answer": "Yes", "answer_type": "Boolean", "boolean_explanation": "Because so.", "source_url": "https://s"},
        {"answer": "No answer could be found.", "source_url": ""}]}]}]))
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


PAGE = ("<html><head><title>Border report</title></head><body><article><p>Lithuania declared a state of "
        "emergency after thousands of migrants crossed from Belarus in 2021, officials said on Monday.</p>"
        "</article></body></html>")


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
    import http.server
    import threading

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
