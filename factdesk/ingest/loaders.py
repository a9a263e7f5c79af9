"""Read evidence files into `Document`s: .txt .md .html .pdf .jsonl, AVeriTeC .json, .urls lists.

A loader yields documents and `Skip` notes; it never raises for a bad file or line, so one
broken file never stops an ingest. Each Skip names the file and what to do.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdesk.types import Document, parse_date

MAX_FILE_BYTES = 50 * 1024 * 1024
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".jsonl", ".json", ".urls")


@dataclass
class Skip:
    """A file or line that was not ingested, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Skip]:
    """Expand files and folders (recursively, sorted, hidden files skipped)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    yield f
        elif p.is_file():
            yield p
        elif not p.exists():
            yield Skip(str(p), "no such file or folder (check the path)")
        else:
            yield Skip(str(p), "not a regular file")


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ValueError("looks binary (NUL bytes): convert it to .txt, .html, .pdf or .jsonl first")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _html_document(html: str, path: str, defaults: dict[str, Any]) -> Document:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True) or ""
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta else None
    if not text.strip():
        raise ValueError("no readable text in the HTML page")
    return Document(
        text=text,
        title=title or defaults.get("title") or Path(path).stem,
        url=(meta.url if meta and meta.url else None) or defaults.get("url"),
        publisher=defaults.get("publisher") or (meta.sitename if meta else None),
        author=meta.author if meta else None,
        published=defaults.get("published") or _safe_date(meta.date if meta else None),
        source_path=path,
    )


def _safe_date(value: Any) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError:
        return None


def _pdf_document(path: Path, defaults: dict[str, Any]) -> Document:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n\n".join((page.extract_text() or "") for page in reader.pages)
    if not text.strip():
        raise ValueError("no extractable text in the PDF (scanned? run OCR first)")
    info: Any = reader.metadata or {}
    created = None
    raw = info.get("/CreationDate") if hasattr(info, "get") else None
    if isinstance(raw, str) and raw.startswith("D:") and len(raw) >= 10:
        created = _safe_date(f"{raw[2:6]}-{raw[6:8]}-{raw[8:10]}")
    title = info.get("/Title") if hasattr(info, "get") else None
    return Document(
        text=text,
        title=str(title) if title else path.stem,
        publisher=defaults.get("publisher"),
        published=defaults.get("published") or created,
        source_path=str(path),
    )


_FRONT_KEYS = {"title", "url", "publisher", "published", "date", "author", "language"}


def _plain_document(text: str, path: Path, defaults: dict[str, Any]) -> Document:
    """Plain text or Markdown; an optional header block of `key: value` lines sets metadata."""
    meta: dict[str, str] = {}
    lines = text.splitlines()
    body_start = 0
    if lines and lines[0].strip() == "---":  # YAML-style front matter
        for i, line in enumerate(lines[1:], 1):
            if line.strip() == "---":
                body_start = i + 1
                break
            k, _, v = line.partition(":")
            if k.strip().lower() in _FRONT_KEYS:
                meta[k.strip().lower()] = v.strip().strip("\"'")
        else:
            meta, body_start = {}, 0
    body = "\n".join(lines[body_start:]).strip()
    title = meta.get("title")
    if not title:
        for line in body.splitlines():
            if line.strip():
                title = line.strip().lstrip("#").strip()[:200]
                break
    return Document(
        text=body,
        title=title,
        url=meta.get("url") or defaults.get("url"),
        publisher=defaults.get("publisher") or meta.get("publisher"),
        published=defaults.get("published") or _safe_date(meta.get("published") or meta.get("date")),
        author=meta.get("author"),
        language=meta.get("language"),
        source_path=str(path),
    )


def _jsonl_documents(path: Path, defaults: dict[str, Any]) -> Iterator[Document | Skip]:
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("a line must be a JSON object")
                text = obj.get("text")
                if not isinstance(text, str) or not text.strip():
                    raise ValueError('no "text" field')
                yield Document(
                    text=text,
                    url=obj.get("url"),
                    title=obj.get("title"),
                    publisher=defaults.get("publisher") or obj.get("publisher"),
                    published=defaults.get("published") or obj.get("published") or obj.get("date"),
                    language=obj.get("language"),
                    author=obj.get("author"),
                    source_path=where,
                )
            except (ValueError, TypeError) as exc:
                yield Skip(where, f"malformed JSONL line ({exc}); expected "
                                  '{"text": ..., "url": ..., "title": ..., "publisher": ..., "published": "YYYY-MM-DD"}')


def averitec_documents(records: list[Any], where: str) -> Iterator[Document | Skip]:
    """Each answer of each AVeriTeC question becomes a document with its source_url."""
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            yield Skip(f"{where}[{i}]", "not an AVeriTeC claim object")
            continue
        for q in rec.get("questions") or []:
            for a in q.get("answers") or []:
                text = (a.get("answer") or "").strip()
                if a.get("boolean_explanation"):
                    text = f"{text}. {a['boolean_explanation']}".strip()
                if not text or text.lower() == "no answer could be found.":
                    continue
                yield Document(text=text, url=a.get("source_url") or None, title=q.get("question"),
                               source_path=f"{where}[{i}]")


def network_allowed() -> bool:
    return os.environ.get("FACTDESK_ALLOW_NETWORK", "") in ("1", "true", "yes")


def _url_documents(path: Path, defaults: dict[str, Any]) -> Iterator[Document | Skip]:
    """A URL list: one URL a line (# comments). file:// URLs are read from disk; http(s) only
    when FACTDESK_ALLOW_NETWORK=1, since factdesk is offline-first."""
    import urllib.parse
    import urllib.request

    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        where = f"{path}:{n}"
        scheme = urllib.parse.urlparse(url).scheme
        try:
            if scheme == "file":
                local = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path))
                for item in load_file(local, defaults):
                    if isinstance(item, Document):
                        item.url = item.url or url
                    yield item
                continue
            if scheme not in ("http", "https"):
                yield Skip(where, f"not a URL: {url[:80]!r} (one http(s):// or file:// URL a line)")
                continue
            if not network_allowed():
                yield Skip(where, f"{url}: network fetching is off (factdesk is offline-first); save the page "
                                  "and ingest the file, or set FACTDESK_ALLOW_NETWORK=1")
                continue
            req = urllib.request.Request(url, headers={"User-Agent": "factdesk/0.1"})
            with urllib.request.urlopen(req, timeout=20) as resp:
                raw = resp.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:
                yield Skip(where, f"{url}: over the 50 MB limit")
                continue
            doc = _html_document(raw.decode("utf-8", errors="replace"), where, {**defaults, "url": url})
            doc.url = url
            yield doc
        except Exception as exc:  # one dead link must not stop the list
            yield Skip(where, f"{url}: could not fetch ({type(exc).__name__}: {exc})")


def load_file(path: Path, defaults: dict[str, Any] | None = None) -> Iterator[Document | Skip]:
    """Yield the documents in one file, or a Skip saying why it cannot be read."""
    defaults = defaults or {}
    sfx = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size == 0:
            yield Skip(str(path), "empty file (nothing to ingest)")
            return
        if size > MAX_FILE_BYTES:
            yield Skip(str(path), f"{size / 1e6:.0f} MB is over the 50 MB limit: split it, or use .jsonl with one document a line")
            return
        if sfx not in SUFFIXES:
            yield Skip(str(path), f"unknown extension {sfx or '(none)'}: use one of {', '.join(SUFFIXES)}")
            return
        if sfx == ".jsonl":
            yield from _jsonl_documents(path, defaults)
            return
        if sfx == ".urls":
            yield from _url_documents(path, defaults)
            return
        if sfx == ".pdf":
            doc = _pdf_document(path, defaults)
        else:
            text = _read_text(path)
            if not text.strip():
                yield Skip(str(path), "only whitespace (nothing to ingest)")
                return
            if sfx == ".json":
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield Skip(str(path), f"malformed JSON ({exc.msg} at line {exc.lineno}); fix it or use .jsonl")
                    return
                if isinstance(data, list) and all(isinstance(r, dict) and "questions" in r for r in data[:5]):
                    yield from averitec_documents(data, str(path))
                    return
                yield Skip(str(path), "a .json file must be AVeriTeC claims (a list with 'questions'); use .jsonl for documents")
                return
            if sfx in (".html", ".htm"):
                doc = _html_document(text, str(path), defaults)
            else:
                doc = _plain_document(text, path, defaults)
        if not doc.text.strip():
            yield Skip(str(path), "no text after extraction")
            return
        yield doc
    except PermissionError:
        yield Skip(str(path), "permission denied (check the file's permissions)")
    except (OSError, ValueError) as exc:
        yield Skip(str(path), str(exc))
    except Exception as exc:  # a corrupt PDF can raise anything; one bad file must not stop the run
        yield Skip(str(path), f"could not read ({type(exc).__name__}: {exc})")
