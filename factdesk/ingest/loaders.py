"""Read evidence files into `Document`s: .txt .md .html .pdf .jsonl, AVeriTeC .json, .urls lists.

A loader yields documents and `Skip` notes; it never raises for a bad file or line, so one
broken file never stops an ingest. Each Skip names the file and what to do.

What a file may reach (the rules, enforced here so every caller gets them):

- A folder is walked without following symlinks; a symlinked file or folder whose target is
  outside the folder is skipped with a reason, unless the caller asks to follow symlinks
  (`factdesk ingest --follow-symlinks`). A path named explicitly is read as given.
- A `.urls` list may name `file://` URLs only when `allow_file_urls` is true (the CLI), and only
  for files inside the list's own folder (after resolving symlinks and `..`). The web desk
  passes `allow_file_urls=False`: an uploaded list never reads the server's disk.
- A `.urls` list never names another `.urls` list (or itself): no recursion.
- `http(s)://` is fetched only with FACTDESK_ALLOW_NETWORK=1, and never from a private,
  loopback, link-local or otherwise non-global address: the host is resolved, every address is
  checked, and the connection goes to a checked address (so DNS cannot swap it afterwards).
  Redirects get the same check on every hop (at most 5), and a page is read up to MAX_HTML_BYTES.
- Every text field is cleaned (lone surrogates become U+FFFD, NUL is dropped) and JSONL and
  AVeriTeC records are checked field by field: a bad record is skipped with file, line and reason.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from factdesk.types import Document, clean_text, parse_date

MAX_FILE_BYTES = 50 * 1024 * 1024
# trafilatura's cost grows with the number of attributes on a tag: 50,000 attributes on one
# tag of a 400 KB page took 110 s. Real pages stay far below these bounds.
MAX_HTML_BYTES = 10 * 1024 * 1024
MAX_HTML_ATTRIBUTES_PER_TAG = 500
MAX_HTML_ATTRIBUTES = 200_000
MAX_REDIRECTS = 5
# Metadata longer than this is not metadata: the record is skipped with the reason.
FIELD_LIMITS = {"title": 2000, "url": 4096, "publisher": 500, "author": 500, "language": 35}
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".jsonl", ".json", ".urls")


@dataclass
class Skip:
    """A file or line that was not ingested, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def iter_files(paths: Iterable[str | os.PathLike[str]], *, follow_symlinks: bool = False) -> Iterator[Path | Skip]:
    """Expand files and folders (recursively, sorted, hidden files skipped).

    Symlinks inside a folder are followed only while they stay inside it: a link to a file or
    folder elsewhere (`passwd_link.txt -> /etc/passwd`) is skipped with a reason, unless
    `follow_symlinks` (`factdesk ingest --follow-symlinks`), which reads what such links point
    to; each folder is then walked once, so a link loop ends.
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from _walk_folder(p, follow_symlinks)
        elif p.is_file():
            yield p
        elif not p.exists():
            yield Skip(str(p), "no such file or folder (check the path)")
        else:
            yield Skip(str(p), "not a regular file")


def _walk_folder(top: Path, follow_symlinks: bool = False) -> Iterator[Path | Skip]:
    root = top.resolve()
    found: list[tuple[str, Path | Skip]] = []
    outside = (
        "a symlink to {} outside the folder: not followed (copy it in, name it on the command line, "
        "or pass --follow-symlinks)"
    )
    walked: set[Path] = set()  # resolved folders already walked: with followed links, a loop ends here
    for dirpath, dirnames, filenames in os.walk(top, followlinks=follow_symlinks):
        here = Path(dirpath)
        walked.add(here.resolve())
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for d in list(dirnames):
            sub = here / d
            if not sub.is_symlink():
                continue
            if _inside(sub, root) or not follow_symlinks:
                dirnames.remove(d)  # not descended: its files are either seen already or outside
                if not _inside(sub, root):
                    found.append((str(sub), Skip(str(sub), outside.format("a folder"))))
                continue
            try:
                target = sub.resolve(strict=True)
            except (OSError, RuntimeError):  # broken, or a loop of links
                dirnames.remove(d)
                found.append((str(sub), Skip(str(sub), "a symlink that cannot be resolved (broken, or a loop)")))
                continue
            if any(w.is_relative_to(target) for w in walked):  # that folder, or one inside it, is walked
                dirnames.remove(d)
                found.append(
                    (
                        str(sub),
                        Skip(
                            str(sub),
                            "a symlink to a folder read already (a loop, or a second link to it): not followed again",
                        ),
                    )
                )
            else:
                walked.add(target)
        for name in filenames:
            f = here / name
            if name.startswith("."):
                continue
            if f.is_symlink() and not follow_symlinks and not _inside(f, root):
                found.append((str(f), Skip(str(f), outside.format("a file"))))
            elif f.is_file():
                found.append((str(f), f))
    for _, item in sorted(found, key=lambda t: t[0]):
        yield item


def _inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symlink and `..` resolved, lies in the folder `root`."""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _clean_document(doc: Document) -> Document:
    changes: dict[str, Any] = {}
    for f in fields(doc):
        v = getattr(doc, f.name)
        if isinstance(v, str) and f.name != "id":
            c = clean_text(v)
            if c != v:
                changes[f.name] = c
    if not changes:
        return doc
    return replace(doc, **changes, id="" if "text" in changes else doc.id)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ValueError("looks binary (NUL bytes): convert it to .txt, .html, .pdf or .jsonl first")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_TAG = re.compile(r"<[^<>]*>")  # [^<>] so a run of "<" costs linear, not quadratic, time


def check_html_bounds(html: str) -> None:
    """Raise ValueError (a skip reason) for HTML too large or attribute-heavy to parse in bounded time."""
    if len(html) > MAX_HTML_BYTES:
        raise ValueError(
            f"HTML of {len(html) / 1e6:.1f} M characters is over the {MAX_HTML_BYTES // (1024 * 1024)} MB "
            "limit for pages: save the article's text as .txt"
        )
    total = 0
    for m in _TAG.finditer(html):
        n = html.count("=", m.start(), m.end())
        if n > MAX_HTML_ATTRIBUTES_PER_TAG:
            raise ValueError(
                f"an HTML tag with about {n} attributes (limit {MAX_HTML_ATTRIBUTES_PER_TAG}) "
                "would stall the parser: skipped; save the article's text as .txt"
            )
        total += n
        if total > MAX_HTML_ATTRIBUTES:
            raise ValueError(
                f"over {MAX_HTML_ATTRIBUTES} HTML attributes would stall the parser: skipped; "
                "save the article's text as .txt"
            )


def _html_document(html: str, path: str, defaults: dict[str, Any]) -> Document:
    check_html_bounds(html)
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


def _field(obj: dict[str, Any], key: str, limit_of: str | None = None) -> str | None:
    """A metadata field: a string (cleaned, length-checked) or absent; anything else is an error."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string, not {type(value).__name__}')
    value = clean_text(value).strip()
    limit = FIELD_LIMITS.get(limit_of or key)
    if limit is not None and len(value) > limit:
        raise ValueError(f'"{key}" is {len(value)} characters, over the {limit} limit')
    return value or None


def _date_field(obj: dict[str, Any], *keys: str) -> dt.date | None:
    for key in keys:
        value = obj.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int):
            raise ValueError(f'"{key}" must be a date string like "2021-12-14", not {type(value).__name__}')
        return parse_date(str(value))
    return None


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
                    raise ValueError(
                        'no "text" field'
                        if text is None or isinstance(text, str)
                        else f'"text" must be a string, not {type(text).__name__}'
                    )
                yield Document(
                    text=clean_text(text),
                    url=_field(obj, "url"),
                    title=_field(obj, "title"),
                    publisher=defaults.get("publisher") or _field(obj, "publisher"),
                    published=defaults.get("published") or _date_field(obj, "published", "date"),
                    language=_field(obj, "language"),
                    author=_field(obj, "author"),
                    source_path=where,
                )
            except (ValueError, TypeError, RecursionError) as exc:
                yield Skip(
                    where,
                    f"malformed JSONL line ({exc}); expected "
                    '{"text": ..., "url": ..., "title": ..., "publisher": ..., "published": "YYYY-MM-DD"}',
                )


def averitec_documents(records: list[Any], where: str) -> Iterator[Document | Skip]:
    """Each answer of each AVeriTeC question becomes a document with its source_url.

    A record of the wrong shape is skipped with its index and the reason; the others load.
    """
    for i, rec in enumerate(records):
        at = f"{where}[{i}]"
        if not isinstance(rec, dict):
            yield Skip(at, "not an AVeriTeC claim object")
            continue
        try:
            found = list(_averitec_record(rec, at))
        except (ValueError, TypeError) as exc:
            yield Skip(
                at,
                f"malformed AVeriTeC claim ({exc}); expected questions: [{{question, answers: "
                "[{answer, source_url}]}]",
            )
            continue
        yield from found


def _averitec_record(rec: dict[str, Any], at: str) -> Iterator[Document]:
    questions = rec.get("questions") or []
    if not isinstance(questions, list):
        raise ValueError('"questions" must be a list')
    for q in questions:
        if not isinstance(q, dict):
            raise ValueError("each question must be an object")
        answers = q.get("answers") or []
        if not isinstance(answers, list):
            raise ValueError('"answers" must be a list')
        question = _field(q, "question", "title")
        for a in answers:
            if not isinstance(a, dict):
                raise ValueError("each answer must be an object")
            answer, why = a.get("answer") or "", a.get("boolean_explanation") or ""
            if not isinstance(answer, str) or not isinstance(why, str):
                raise ValueError('"answer" and "boolean_explanation" must be strings')
            text = clean_text(answer).strip()
            if why:
                text = f"{text}. {clean_text(why)}".strip()
            if not text or text.lower() == "no answer could be found.":
                continue
            yield Document(text=text, url=_field(a, "source_url", "url"), title=question, source_path=at)


def network_allowed() -> bool:
    """The `allow_network` setting (FACTDESK_ALLOW_NETWORK=1, or factdesk.toml)."""
    from factdesk.config import Config

    return bool(Config().get("allow_network"))


class Refused(ValueError):
    """A URL the rules above do not let factdesk read; the message says which rule."""


def blocked_address(ip: str) -> str | None:
    """Why factdesk will not connect to `ip` (e.g. "loopback"), or None for a public address."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(addr, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if addr.is_global else "non-global"


def _checked_addresses(host: str, port: int) -> list[tuple[Any, ...]]:
    """Resolve `host` once; refuse it if any address is not public."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        why = blocked_address(str(info[4][0]))
        if why is not None:
            raise Refused(
                f"{host} resolves to {info[4][0]}, a {why} address: refused (factdesk fetches only public hosts)"
            )
    return infos


def _guarded_connection(
    address: tuple[str, int],
    timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
    source_address: Any = None,
    **_: Any,
) -> socket.socket:
    """socket.create_connection that connects only to the checked addresses of the host."""
    host, port = address
    err: OSError | None = None
    for family, kind, proto, _name, sockaddr in _checked_addresses(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            err = exc
            sock.close()
    raise err or OSError(f"cannot connect to {host}")


def _opener() -> Any:
    """An opener for http(s) only: no proxies, no file:// or ftp://, every connection (and so
    every redirect hop) through `_guarded_connection`."""
    import http.client
    import urllib.request

    class Http(http.client.HTTPConnection):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self._create_connection = _guarded_connection

    class Https(http.client.HTTPSConnection):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self._create_connection = _guarded_connection

    class HttpHandler(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(Http, req)

    class HttpsHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            return self.do_open(Https, req, context=self._context)  # type: ignore[attr-defined]

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            import urllib.parse

            target = urllib.parse.urlparse(urllib.parse.urljoin(req.full_url, newurl))
            if target.scheme not in ("http", "https"):
                raise Refused(f"redirect to {target.scheme}:// refused (only http and https)")
            if target.hostname:
                _checked_addresses(target.hostname, target.port or (443 if target.scheme == "https" else 80))
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler({}),
        urllib.request.UnknownHandler(),
        HttpHandler(),
        HttpsHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        Redirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch_url(url: str, timeout: float = 20.0, limit: int = MAX_HTML_BYTES) -> bytes:
    """GET a public http(s) URL under the rules above; raise Refused or OSError."""
    import urllib.request

    req = urllib.request.Request(url, headers={"User-Agent": "factdesk/0.1"})
    with _opener().open(req, timeout=timeout) as resp:
        raw: bytes = resp.read(limit + 1)
    if len(raw) > limit:
        raise Refused(f"the page is over the {limit // (1024 * 1024)} MB limit")
    return raw


def _local_target(url: str, urls_file: Path) -> Path:
    """The file a file:// URL names, if the rules let a .urls list read it."""
    import urllib.parse

    parts = urllib.parse.urlparse(url)
    if parts.netloc not in ("", "localhost"):
        raise Refused(f"file://{parts.netloc}/... names another machine: refused")
    local = Path(urllib.parse.unquote(parts.path))
    if not local.is_absolute():
        raise Refused("a file:// URL needs an absolute path, e.g. file:///home/me/reports/a.html")
    root = urls_file.resolve().parent
    try:
        real = local.resolve()
    except (OSError, RuntimeError) as exc:
        raise Refused(f"cannot resolve the path ({exc})") from exc
    if local.suffix.lower() == ".urls" or real.suffix.lower() == ".urls":
        raise Refused("a .urls list cannot name another .urls list (or itself): list the pages instead")
    if not real.is_relative_to(root):
        raise Refused(
            f"file:// URLs may only name files in the list's own folder ({root}): "
            "move the file there, or ingest it by its path"
        )
    return real


def _url_documents(path: Path, defaults: dict[str, Any], allow_file_urls: bool = True) -> Iterator[Document | Skip]:
    """A URL list: one URL a line (# comments). file:// URLs are read from disk (see the rules
    at the top); http(s) only when FACTDESK_ALLOW_NETWORK=1, since factdesk is offline-first."""
    import urllib.parse

    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        where = f"{path}:{n}"
        shown = url[:200]
        scheme = urllib.parse.urlparse(url).scheme.lower()
        try:
            if scheme == "file":
                if not allow_file_urls:
                    yield Skip(
                        where,
                        f"{shown}: file:// URLs are refused here (an uploaded list may not read the "
                        "server's files): upload the file itself",
                    )
                    continue
                local = _local_target(url, path)
                for item in load_file(local, defaults):
                    if isinstance(item, Document):
                        item.url = item.url or url
                    yield item
                continue
            if scheme not in ("http", "https"):
                yield Skip(where, f"not a URL: {url[:80]!r} (one http(s):// or file:// URL a line)")
                continue
            if not network_allowed():
                yield Skip(
                    where,
                    f"{shown}: network fetching is off (factdesk is offline-first); save the page "
                    "and ingest the file, or set FACTDESK_ALLOW_NETWORK=1",
                )
                continue
            raw = fetch_url(url)
            doc = _html_document(raw.decode("utf-8", errors="replace"), where, {**defaults, "url": url})
            doc.url = url
            yield with_language(_clean_document(doc), defaults.get("language"))
        except Refused as exc:
            yield Skip(where, f"{shown}: {exc}")
        except Exception as exc:  # one dead link must not stop the list
            yield Skip(where, f"{shown}: could not fetch ({type(exc).__name__}: {exc})")


def load_file(
    path: Path, defaults: dict[str, Any] | None = None, *, allow_file_urls: bool = True
) -> Iterator[Document | Skip]:
    """Yield the documents in one file, or a Skip saying why it cannot be read.

    `allow_file_urls=False` refuses every file:// line of a .urls list (the web upload rule).
    """
    defaults = defaults or {}
    for item in _load_file(path, defaults, allow_file_urls):
        yield with_language(_clean_document(item), defaults.get("language")) if isinstance(item, Document) else item


def with_language(doc: Document, override: str | None = None) -> Document:
    """The document with the `--lang` override (else its file's own ``language:``) and, for a
    Russian, Ukrainian, Belarusian or Polish text with no date, the date its dateline gives
    ("Минск, 14 декабря 2021 года").

    No language model runs here: this is the file reader, which may run in a child process
    with a per-file time limit, and loading the model would count against the first file. A
    document without a language is identified when it is chunked (`chunk_document`).

    >>> d = with_language(Document(text="Минск, 14 декабря 2021 года\\n\\nМИД Беларуси заявил, что граница открыта."))
    >>> d.language, d.published
    (None, datetime.date(2021, 12, 14))
    >>> with_language(Document(text="Warszawa, 5 stycznia 2022 r.\\n\\nTekst."), "pl").language
    'pl'
    """
    from factdesk.claims.dates import dateline_date
    from factdesk.claims.langtables import LANGS

    lang = override or doc.language
    changes: dict[str, Any] = {}
    if lang != doc.language:
        changes["language"] = lang
    if doc.published is None and not doc.text[:400].isascii():
        # the month words of the four languages never collide, so each can be tried in turn
        for code in [lang] if lang in LANGS else ([] if lang else list(LANGS)):
            d = dateline_date(doc.text, code)
            if d is not None:
                changes["published"] = d
                break
    return replace(doc, **changes) if changes else doc


def _load_file(path: Path, defaults: dict[str, Any], allow_file_urls: bool) -> Iterator[Document | Skip]:
    sfx = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size == 0:
            yield Skip(str(path), "empty file (nothing to ingest)")
            return
        if size > MAX_FILE_BYTES:
            yield Skip(
                str(path),
                f"{size / 1e6:.0f} MB is over the 50 MB limit: split it, or use .jsonl with one document a line",
            )
            return
        if sfx not in SUFFIXES:
            yield Skip(str(path), f"unknown extension {sfx or '(none)'}: use one of {', '.join(SUFFIXES)}")
            return
        if sfx == ".jsonl":
            yield from _jsonl_documents(path, defaults)
            return
        if sfx == ".urls":
            yield from _url_documents(path, defaults, allow_file_urls)
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
                yield Skip(
                    str(path),
                    "a .json file must be AVeriTeC claims (a list with 'questions'); use .jsonl for documents",
                )
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
