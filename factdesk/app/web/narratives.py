"""The recurring-claims pages: the groups, one group, the alerts, and the source of a claim.

Editors only (like the desk and the corpus): the groups name speakers and outlets from the whole
corpus, which the public archive does not show. The pages read what `factdesk narratives` and
`factdesk watch` grouped (`factdesk.narratives.Narratives.list`/`get`, `store.list_alerts`);
they group nothing themselves, so a page never loads the embedder.

Charts are inline SVG drawn on the server from numbers and month/week keys only (`chart`), and
written by the template with autoescape on: no claim text ever reaches an SVG.

>>> c = chart({"2026-01": 1, "2026-03": 3}, month_keys("2026-01", "2026-03"))
>>> [(b.key, b.count) for b in c.bars]
[('2026-01', 1), ('2026-02', 0), ('2026-03', 3)]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from factdesk.app.web.auth import Auth, User, WebError
from factdesk.app.web.templating import Renderer
from factdesk.errors import InputError, NotFound
from factdesk.narratives import Narratives
from factdesk.narratives.trend import week_key
from factdesk.newsroom import Newsroom, strict_date
from factdesk.store.base import NarrativeStore
from factdesk.types import MemberKind, Narrative, NarrativeMember

MAX_BARS = 120  # a longer span is drawn per month (the group page) or cut to its latest bars


@dataclass
class Bar:
    key: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Chart:
    """A bar chart as numbers: the template draws it as SVG."""

    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    label: str = "claims per month"

    @property
    def first(self) -> str:
        return self.bars[0].key if self.bars else ""

    @property
    def last(self) -> str:
        return self.bars[-1].key if self.bars else ""

    @property
    def total(self) -> int:
        return sum(b.count for b in self.bars)


def month_keys(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (``YYYY-MM``), so that a gap shows as an empty bar."""
    y, m = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= last and len(out) < 10_000:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def week_keys(first: dt.date, last: dt.date) -> list[str]:
    """Every ISO week from the week of `first` to that of `last` (``2026-W05``)."""
    day = first - dt.timedelta(days=first.weekday())
    out: list[str] = []
    while day <= last:
        out.append(week_key(day))
        day += dt.timedelta(days=7)
    return out


def chart(
    counts: dict[str, int], keys: list[str], width: int = 240, height: int = 48, label: str = "claims per month"
) -> Chart:
    """Bars for `keys` (missing keys count 0), scaled to the highest count; the latest `MAX_BARS`."""
    keys = keys[-MAX_BARS:]
    c = Chart(width=width, height=height, label=label)
    if not keys:
        return c
    top = max((counts.get(k, 0) for k in keys), default=0) or 1
    plot = height - 14  # room for the first and last key under the bars
    bw = width / len(keys)
    for i, k in enumerate(keys):
        n = int(counts.get(k, 0))
        h = plot * n / top if n else 1.0
        c.bars.append(
            Bar(k, n, round(i * bw + bw * 0.1, 1), round(plot - h, 1), round(max(bw * 0.8, 0.5), 1), round(h, 1))
        )
    return c


def month_chart(n: Narrative, width: int = 240, height: int = 48) -> Chart:
    if not n.months:
        return Chart(width=width, height=height)
    ks = list(n.months)
    return chart(n.months, month_keys(min(ks), max(ks)), width, height)


def timeline_chart(n: Narrative) -> Chart:
    """Claims per week over the group's life (per month when that would be over `MAX_BARS` weeks)."""
    dates = [d for m in n.members if m.kind is MemberKind.CLAIM and (d := _day(m.date)) is not None]
    if not dates:
        return Chart(width=640, height=120, label="claims per week")
    weeks = week_keys(min(dates), max(dates))
    if len(weeks) > MAX_BARS:
        return month_chart(n, 640, 120)
    return chart(n.weeks, weeks, 640, 120, label="claims per week")


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def member_link(m: NarrativeMember) -> str | None:
    """Where a member can be read: its passage in the stored document for a corpus claim, this
    desk's page for a desk check, else the fact-checker's http(s) URL (never javascript: or file:)."""
    if m.kind is MemberKind.CLAIM and m.document_id:
        span = f"?start={m.start}&end={m.end}#claim" if m.start is not None and m.end is not None else ""
        return f"/documents/{m.document_id}{span}"
    url = m.url or ""
    if url.startswith("/checks/") or url.startswith(("http://", "https://")):
        return url
    return None


def alert_link(a: dict[str, Any]) -> str | None:
    doc, start, end = a.get("document_id"), a.get("start"), a.get("end")
    if not isinstance(doc, str) or not doc:
        return None
    if isinstance(start, int) and isinstance(end, int):
        return f"/documents/{doc}?start={start}&end={end}#claim"
    return f"/documents/{doc}"


def safe_url(url: Any) -> str | None:
    u = str(url or "")
    return u if u.startswith(("http://", "https://", "/checks/")) else None


def router(news: Newsroom, auth: Auth, render: Renderer) -> APIRouter:
    """The recurring-claims pages, behind the editors' login."""
    pages = APIRouter()
    editor = Depends(auth.page_editor)

    def narrative_store() -> NarrativeStore:
        store = news.store
        if not isinstance(store, NarrativeStore):
            raise WebError(
                f"the store ({type(store).__name__}) keeps no recurring claims: they need the SQLite "
                "or PostgreSQL store",
                501,
            )
        return store

    def tracker() -> Narratives:
        # Light: the embedder is only stored (grouping is the CLI's and the watcher's job).
        return Narratives(narrative_store(), news.desk.embedder)

    @pages.get("/narratives", include_in_schema=False)
    def narratives_page(
        request: Request,
        since: str = "",
        until: str = "",
        min_size: int = Query(2, ge=1, le=10_000),
        user: User = editor,
    ) -> Response:
        lo, hi = strict_date(since.strip(), "since"), strict_date(until.strip(), "until")
        if lo and hi and lo > hi:
            raise InputError(f"since {lo} is after until {hi}: swap them")
        items = tracker().list(since=lo, until=hi, min_size=min_size)
        groups = [{"n": n, "chart": month_chart(n), "checks": n.checks} for n in items]
        alerts = narrative_store().list_alerts(limit=5)
        return render(
            request,
            "narratives.html",
            {
                "groups": groups,
                "since": since.strip(),
                "until": until.strip(),
                "min_size": min_size,
                "alerts": alerts,
                "alert_link": alert_link,
                "safe_url": safe_url,
            },
        )

    @pages.get("/narratives/{narrative_id}", include_in_schema=False)
    def narrative_page(request: Request, narrative_id: str, user: User = editor) -> Response:
        if len(narrative_id) > 64:
            raise NotFound(f"no recurring claim {narrative_id[:64]!r}…: see the list at /narratives")
        n = tracker().get(narrative_id)
        if n.id != narrative_id:  # merged into another group: its id points there
            return RedirectResponse(f"/narratives/{n.id}", status_code=303)
        members = [{"m": m, "link": member_link(m)} for m in n.members]
        return render(
            request,
            "narrative.html",
            {
                "n": n,
                "chart": timeline_chart(n),
                "members": members,
                "checks": [{"m": m, "link": member_link(m)} for m in n.checks],
            },
        )

    @pages.get("/alerts", include_in_schema=False)
    def alerts_page(request: Request, limit: int = Query(100, ge=1, le=1000), user: User = editor) -> Response:
        alerts = narrative_store().list_alerts(limit=limit)
        return render(
            request, "alerts.html", {"alerts": alerts, "limit": limit, "alert_link": alert_link, "safe_url": safe_url}
        )

    @pages.get("/documents/{document_id}", include_in_schema=False)
    def document_page(
        request: Request,
        document_id: str,
        start: int | None = Query(None, ge=0),
        end: int | None = Query(None, ge=0),
        user: User = editor,
    ) -> Response:
        """A stored document, with the claim at [start, end) marked."""
        doc = news.store.get_document(document_id) if len(document_id) <= 64 else None
        if doc is None:
            raise NotFound(f"no stored document {document_id[:64]!r}: see the corpus at /corpus")
        text = doc.text or ""
        if (start is None) != (end is None):
            raise InputError("pass both start and end (character offsets of the claim), or neither")
        if start is not None and end is not None and not (start < end <= len(text)):
            raise InputError(f"start and end must mark a span inside the document (0 to {len(text)}, start < end)")
        parts = (text[:start], text[start:end], text[end:]) if start is not None and end is not None else (text, "", "")
        return render(
            request,
            "document.html",
            {
                "doc": doc,
                "before": parts[0],
                "marked": parts[1],
                "after": parts[2],
                "doc_url": doc.url if (doc.url or "").startswith(("http://", "https://")) else None,
            },
        )

    return pages
