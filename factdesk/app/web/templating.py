"""The pages' templates, their filters, and the small helpers that turn library values into page values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from factdesk.app.web.auth import Auth
from factdesk.newsroom import RATINGS, STATUSES, parse_rating, sentences_to_text
from factdesk.report.render import RATING_CLASS, date_line
from factdesk.retrieval.query import query_terms
from factdesk.types import Match, parse_date

APP_DIR = Path(__file__).resolve().parents[1]  # factdesk/app: templates/ and static/
TEMPLATES = APP_DIR / "templates"
STATIC = APP_DIR / "static"
# Only the desk's own messages are shown from ?msg=: a crafted link cannot put words on the page.
FLASHES = frozenset(
    {
        "Verdict changed",
        "Text saved",
        "Evidence removed",
        "Evidence added",
        "Queued again",
        "Approved",
        "Published",
        "Unpublished",
    }
)
_FLASH_COUNT = re.compile(r"\d+ claims queued")
_WORDS = re.compile(r"(\w+)", re.UNICODE)


def _stem(word: str) -> str:
    w = word.lower()
    return w[:6] if len(w) > 6 else w


def highlight(text: str, claim: str) -> Markup:
    """Escape `text`, then wrap the words it shares with `claim` in <mark>.

    The text is split into words and the rest first, and every piece is escaped on its own,
    so markup in evidence can never become HTML and a match can never land inside an entity.

    >>> str(highlight("<b>Syria</b> refugees", "refugees in Syria"))
    '&lt;b&gt;<mark>Syria</mark>&lt;/b&gt; <mark>refugees</mark>'
    """
    terms = {_stem(t) for t in query_terms(claim, limit=64)}
    out: list[str] = []
    for i, piece in enumerate(_WORDS.split(text)):
        esc = str(escape(piece))
        if i % 2 == 1 and _stem(piece) in terms:
            out.append(f"<mark>{esc}</mark>")
        else:
            out.append(esc)
    return Markup("".join(out))


def nicedate(value: Any) -> str:
    """`2021-12-14` -> `December 14, 2021`; text that is not a date is shown as it is."""
    if not value:
        return ""
    try:
        d = parse_date(str(value))
    except ValueError:
        return str(value)
    return d.strftime("%B %-d, %Y") if d else ""


def match_link(m: Match) -> str | None:
    """Where an earlier check can be read: this desk's page for its own checks, else the
    fact-checker's http(s) URL (never a javascript: or file: link from an imported record)."""
    if m.status == "published":
        return f"/checks/{m.check_id}"
    if m.url and m.url.startswith(("http://", "https://")):
        return m.url
    return None


def match_dict(m: Match) -> dict[str, Any]:
    """A match as the JSON API returns it: `Match.to_dict()` plus the link the page shows."""
    return {**m.to_dict(), "link": match_link(m)}


def local(url: str) -> str:
    """Only same-site paths as redirect targets (no open redirects)."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else "/desk"


def public_url(request: Request, check_id: str) -> str:
    return str(request.base_url).rstrip("/") + f"/checks/{check_id}"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters["highlight"] = highlight
    env.filters["pct"] = lambda x: f"{100 * float(x or 0):.0f}%"
    env.filters["rating_class"] = lambda r: RATING_CLASS.get(parse_rating(r), "unrated") if r else "unrated"
    env.filters["cite_text"] = sentences_to_text
    env.filters["nicedate"] = nicedate
    env.filters["date_line"] = (
        date_line  # "December 14, 2021 (from the text's dateline)": says where the date came from
    )
    env.filters["match_link"] = match_link
    env.globals["RATINGS"] = RATINGS
    env.globals["STATUSES"] = STATUSES
    return templates


class Renderer:
    """Renders a page with what every page needs: the user, the CSRF token, a flash message."""

    def __init__(self, auth: Auth, templates: Jinja2Templates | None = None) -> None:
        self.auth = auth
        self.templates = templates or make_templates()

    def __call__(self, request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
        user = self.auth.page_user(request)
        flash = request.query_params.get("msg", "")
        if flash not in FLASHES and not _FLASH_COUNT.fullmatch(flash):
            flash = ""
        base = {"user": user, "csrf": user.csrf if user else "", "flash": flash}
        return self.templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
