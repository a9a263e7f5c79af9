"""Recurring claims as Markdown, JSON or a standalone HTML page (inline SVG charts, no scripts)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from factdesk.types import MemberKind, Narrative

FORMATS = ("md", "json", "html")


def _who(speaker: str | None, title: str | None) -> str:
    if not speaker:
        return "(no named speaker)"
    return f"{speaker} ({title})" if title else speaker


def timeline(months: dict[str, int], width: int = 24) -> list[str]:
    """One text line per month: ``2026-01  ███ 3``."""
    top = max(months.values(), default=0) or 1
    return [f"{m}  {'█' * max(1, round(n * width / top / 4))} {n}" for m, n in months.items()]


def to_markdown(items: Sequence[Narrative]) -> str:
    lines = ["# Recurring claims", "", f"{len(items)} groups, biggest first.", ""]
    for n in items:
        g = n.group
        lines += [
            f"## {g.representative}",
            "",
            f"- id: `{g.id}` · {g.size} members · first seen {g.first_seen or '?'} · last seen "
            f"{g.last_seen or '?'} · trend: **{n.trend}**",
            f"- speakers: {', '.join(n.speakers) or '(none named)'}",
            f"- outlets: {', '.join(n.outlets) or '(none)'}",
        ]
        for c in n.checks:
            who = (
                "checked by the desk"
                if c.kind is MemberKind.DESK_CHECK
                else f"checked by {c.outlet or 'a fact-checker'}"
            )
            lines.append(f"- {who}: rated **{c.rating or 'unrated'}** ({c.date or 'undated'}) {c.url or ''}".rstrip())
        if n.months:
            lines += ["", "Timeline (claims per month):", "", "```", *timeline(n.months), "```"]
        lines += ["", "| date | speaker | outlet | claim |", "|---|---|---|---|"]
        for m in n.members:
            text = m.text.replace("|", "\\|")
            label = f"[{m.kind.value}] " if m.kind is not MemberKind.CLAIM else ""
            lines.append(
                f"| {m.date or '?'} | {_who(m.speaker, m.speaker_title)} | {m.outlet or '-'} | {label}{text} |"
            )
        lines.append("")
    return "\n".join(lines)


def to_json(items: Sequence[Narrative]) -> str:
    return json.dumps([n.to_dict() for n in items], ensure_ascii=False, indent=2) + "\n"


def svg_chart(months: dict[str, int], width: int = 240, height: int = 48) -> str:
    """Claims per month as an inline SVG bar chart (drawn on the server)."""
    if not months:
        return ""
    top = max(months.values()) or 1
    bw = width / len(months)
    bars = []
    for i, (m, c) in enumerate(months.items()):
        h = max(2.0, (height - 12) * c / top)
        bars.append(
            f'<rect x="{i * bw + 1:.1f}" y="{height - 12 - h:.1f}" width="{max(bw - 2, 1):.1f}" '
            f'height="{h:.1f}"><title>{html.escape(m)}: {c}</title></rect>'
        )
    return (
        f'<svg role="img" aria-label="claims per month" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}">{"".join(bars)}<text x="0" y="{height - 1}" font-size="10">'
        f'{html.escape(next(iter(months)))}</text><text x="{width}" y="{height - 1}" font-size="10" '
        f'text-anchor="end">{html.escape(list(months)[-1])}</text></svg>'
    )


def to_html(items: Sequence[Narrative]) -> str:
    e = html.escape
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Recurring claims</title><style>body{font-family:sans-serif;max-width:60rem;margin:auto;"
        "padding:1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;"
        "padding:.25rem;text-align:left;vertical-align:top}rect{fill:#36c}section{margin-bottom:2rem}"
        "</style></head><body><h1>Recurring claims</h1>",
    ]
    for n in items:
        g = n.group
        checks = "".join(
            f"<li>rated <strong>{e(c.rating or 'unrated')}</strong> by {e(c.outlet or 'the desk')} "
            f"({e(c.date or 'undated')})</li>"
            for c in n.checks
        )
        rows = "".join(
            f"<tr><td>{e(m.date or '?')}</td><td>{e(_who(m.speaker, m.speaker_title))}</td>"
            f"<td>{e(m.outlet or '-')}</td><td>{e(m.text)}</td></tr>"
            for m in n.members
        )
        parts.append(
            f'<section id="{e(g.id)}"><h2>{e(g.representative)}</h2><p>{g.size} members · first seen '
            f"{e(g.first_seen or '?')} · last seen {e(g.last_seen or '?')} · trend: "
            f"<strong>{e(n.trend)}</strong></p><p>Speakers: {e(', '.join(n.speakers) or '(none named)')}"
            f"</p>{svg_chart(n.months)}<ul>{checks}</ul><table><tr><th>date</th><th>speaker</th>"
            f"<th>outlet</th><th>claim</th></tr>{rows}</table></section>"
        )
    parts.append("</body></html>\n")
    return "".join(parts)


def render(items: Sequence[Narrative], fmt: str) -> str:
    if fmt == "md":
        return to_markdown(items)
    if fmt == "json":
        return to_json(items)
    if fmt == "html":
        return to_html(items)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
