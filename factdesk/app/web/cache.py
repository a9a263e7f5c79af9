"""An in-process cache of the public, anonymous responses: published check pages, the archive and its searches.

The public side is read far more often than it changes, and the same few pages are asked for
again and again; rendering them each time (a store read, JSON decode of the record, Jinja) is
what a busy server spends its CPU on. `PublicCache` is plain ASGI middleware that keeps the
finished response (status 200, body, headers) of an anonymous GET to a public route, keyed by
scheme, host, path and query (parameters in a stable order), in a least-recently-used map
bounded in entries and bytes.

What keeps it correct:

- only anonymous requests use it: a request that carries the session cookie or an
  `Authorization` header is passed through and never fills it (an editor's page has their name
  and CSRF token in it, and their `/checks/{id}` is the editing view);
- a response that sets a cookie, or is not a 200, is never kept;
- every entry remembers the `version()` it was rendered under (the Newsroom's change counter,
  bumped after every saved change to a check): a publish, edit or unpublish makes every older
  entry stale at once, and a page rendered while a change was being saved is not served after it.
  The counter is a row in the store (`factdesk.store.coordination`), so a change saved by one
  server process (`factdesk serve --workers N`) makes the pages cached by every other process
  stale as soon as it reads the counter (each process reuses a read for
  `Newsroom.changes_interval`, 50 ms);
- entries also expire after `ttl` seconds, for changes that do not go through the Newsroom (a
  `factdesk import-checks` from the CLI), which the counter does not see.

Cached routes answer with `ETag` and `Cache-Control: public, max-age=60` (and `Vary: Cookie,
Authorization`, so a browser that logs in does not reuse the public copy), and with 304 to a
matching `If-None-Match`. The security headers are added by the outer `SecurityHeaders`
middleware on every answer, cached or not.

`create_app` builds one over the Newsroom's counter (`app.state.public_cache`) and installs it
with `CachedRoutes`:

>>> cache = PublicCache(version=lambda: 0, max_entries=100, max_bytes=1024 * 1024)
>>> cache.cacheable_path("/checks/abc123"), cache.cacheable_path("/desk")
(True, False)
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factdesk.app.web.auth import SESSION_COOKIE

# The public GET routes whose anonymous answer is the same for every visitor.
PUBLIC_ROUTES = re.compile(r"/archive|/checks/[^/]{1,100}|/api/archive|/api/checks/[^/]{1,100}(?:/claimreview)?")
MAX_ENTRIES = 2000
MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY_BYTES = 2 * 1024 * 1024
MAX_QUERY = 2048  # longer query strings are answered, not cached
TTL_SECONDS = 60.0
CACHE_CONTROL = b"public, max-age=60"
VARY = b"Cookie, Authorization"


@dataclass
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    version: int
    expires: float

    @property
    def size(self) -> int:
        """Bytes counted against the bound: the body and the kept headers."""
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


@dataclass
class CacheStats:
    """What the cache did since start: tests and the load benchmark read it."""

    hits: int = 0
    misses: int = 0
    stores: int = 0
    evictions: int = 0
    not_modified: int = 0
    bypassed: int = 0


class PublicCache:
    """Anonymous GETs of public routes, answered from memory (see the module docstring); `serve` is the ASGI side.

    `version` returns a number that changes whenever public content may have changed;
    `max_entries` and `max_bytes` bound the cache (least recently used entries go first); a
    response over `max_entry_bytes` is served but not kept.
    """

    def __init__(
        self,
        version: Callable[[], int],
        *,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
        max_entry_bytes: int = MAX_ENTRY_BYTES,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1 or max_bytes < 1 or max_entry_bytes < 1 or ttl <= 0:
            raise ValueError("PublicCache: max_entries, max_bytes, max_entry_bytes and ttl must be positive")
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self.ttl = ttl
        self.clock = clock
        self.entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self.bytes = 0
        self.stats = CacheStats()

    @staticmethod
    def cacheable_path(path: str) -> bool:
        return PUBLIC_ROUTES.fullmatch(path) is not None

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0

    # --- the middleware ---------------------------------------------------------------------------
    async def serve(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache, or run `app` (and keep its answer when it may be kept)."""
        if scope["type"] != "http" or scope["method"] != "GET" or not self.cacheable_path(scope["path"]):
            await app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        if not self._anonymous(headers):
            self.stats.bypassed += 1
            await app(scope, receive, self._private(send))
            return
        key = self._key(scope, headers)
        if key is None:
            self.stats.bypassed += 1
            await app(scope, receive, send)
            return
        version = self.version()
        entry = self.entries.get(key)
        if entry is not None and entry.version == version and entry.expires > self.clock():
            self.entries.move_to_end(key)
            self.stats.hits += 1
            await self._answer(entry, headers, send)
            return
        if entry is not None:
            self._drop(key)
        self.stats.misses += 1
        await self._fill(app, scope, receive, send, key, version, headers)

    async def _fill(
        self,
        app: ASGIApp,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple[str, ...],
        version: int,
        req_headers: list[tuple[bytes, bytes]],
    ) -> None:
        """Run the route; keep its answer when it is a whole 200 without cookies, and answer with it."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # not cacheable: everything goes straight through

        async def capture(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                hdrs = message.get("headers", [])
                if message["status"] != 200 or any(k.lower() == b"set-cookie" for k, _ in hdrs):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_entry_bytes:  # too big to keep: send what was held, then stream on
                passing = True
                await send(start)
                for c in chunks:
                    await send({"type": "http.response.body", "body": c, "more_body": True})
                chunks.clear()
                await send(message)
                return
            chunks.append(body)
            if message.get("more_body", False):
                return
            entry = self._entry(start, b"".join(chunks), version)
            self._store(key, entry)
            await self._answer(entry, req_headers, send)

        await app(scope, receive, capture)

    def _entry(self, start: Message, body: bytes, version: int) -> Entry:
        drop = {b"content-length", b"etag", b"cache-control", b"vary"}
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in drop]
        etag = b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'
        return Entry(start["status"], headers, body, etag, version, self.clock() + self.ttl)

    async def _answer(self, entry: Entry, req_headers: list[tuple[bytes, bytes]], send: Send) -> None:
        common = [(b"etag", entry.etag), (b"cache-control", CACHE_CONTROL), (b"vary", VARY)]
        if self._matches(req_headers, entry.etag):
            self.stats.not_modified += 1
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        headers = [*entry.headers, (b"content-length", str(len(entry.body)).encode()), *common]
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body, "more_body": False})

    # --- helpers ----------------------------------------------------------------------------------
    @staticmethod
    def _anonymous(headers: list[tuple[bytes, bytes]]) -> bool:
        cookie_name = SESSION_COOKIE.encode() + b"="
        for k, v in headers:
            k = k.lower()
            if k == b"authorization":
                return False
            if k == b"cookie" and cookie_name in v:
                return False
        return True

    @staticmethod
    def _private(send: Send) -> Send:
        """An editor's answer on a public route: no shared cache may keep it."""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                hdrs = list(message.get("headers", []))
                if not any(k.lower() == b"cache-control" for k, _ in hdrs):
                    hdrs.append((b"cache-control", b"private, no-store"))
                hdrs.append((b"vary", VARY))
                message = {**message, "headers": hdrs}
            await send(message)

        return wrapped

    def _key(self, scope: Scope, headers: list[tuple[bytes, bytes]]) -> tuple[str, ...] | None:
        raw = scope.get("query_string", b"")
        if len(raw) > MAX_QUERY:
            return None
        host = next((v for k, v in headers if k.lower() == b"host"), b"").decode("latin-1")
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
        # A stable sort by name only: the order of repeated parameters can matter, so it is kept.
        query = urlencode(sorted(pairs, key=lambda kv: kv[0]))
        return (scope.get("scheme", "http"), host, scope.get("root_path", ""), scope["path"], query)

    @staticmethod
    def _matches(headers: list[tuple[bytes, bytes]], etag: bytes) -> bool:
        for k, v in headers:
            if k.lower() == b"if-none-match":
                tags = {t.strip().removeprefix(b"W/") for t in v.split(b",")}
                return etag in tags or b"*" in tags
        return False

    def _store(self, key: tuple[str, ...], entry: Entry) -> None:
        if entry.version != self.version() or entry.size > self.max_entry_bytes:
            return  # a change was saved while it rendered, or it is too big to keep
        self._drop(key)
        self.entries[key] = entry
        self.bytes += entry.size
        self.stats.stores += 1
        while len(self.entries) > self.max_entries or self.bytes > self.max_bytes:
            old, _ = next(iter(self.entries.items()))
            self._drop(old)
            self.stats.evictions += 1

    def _drop(self, key: tuple[str, ...]) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size


class CachedRoutes:
    """The ASGI middleware that puts a `PublicCache` in front of the app."""

    def __init__(self, app: ASGIApp, cache: PublicCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.cache.serve(self.app, scope, receive, send)
