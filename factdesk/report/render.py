"""Render a FactCheck as Markdown, a standalone HTML page, JSON, schema.org ClaimReview, or an
AVeriTeC prediction record.

All claim and evidence text is escaped in HTML and Markdown: evidence is data, never markup.
The analysis is laid out in paragraphs by side: consecutive sentences citing passages of the
same stance form one paragraph, desk notes (uncited) another. Sentences cite passages; the
reader sees sources: each document is listed once, under one number, however many of its
passages were weighed (`factdesk.report.writer.source_numbers`). Next to the verdict every
format shows the runner-up rating and its probability (`runner_up`).

Languages: the claim box quotes the speaker in the language they spoke, marked ("[ru]"), with
the English rendering an editor supplied (`Claim.text_en`) beside it, or a line saying none
was supplied: the desk never translates on its own. Every passage not in English is marked
with its language ("[ru]") and quoted as written.

>>> from factdesk.types import Claim, FactCheck, Rating, Verdict
>>> fc = FactCheck(Claim(text="Minsk is the capital of Belarus."), [], Verdict(Rating.UNSUBSTANTIATED, 0.5))
>>> render(fc, "md").splitlines()[0]
'# '
"""

from __future__ import annotations

import html
import json
from typing import Any

from factdesk.config import default
from factdesk.report.writer import cited_sources, format_date, source_name, source_numbers
from factdesk.types import RATING_VALUE, Claim, Document, Evidence, FactCheck, Rating, Sentence, Verdict

ORG_NAME: str = default("organization")  # the `organization` setting's default; callers pass the resolved one
FORMATS = ("md", "json", "claimreview", "html", "averitec")


DATE_SOURCE_LABEL = {
    "text": "from the text",
    "speaker": "from the text, where it dates this speaker's words",
    "dateline": "from the text's dateline",
    "document": "the document's date",
    "inferred": "the latest date the text mentions",
    "ingest": "the day the text came in: the text gives no date",
}
"""How the claim box says where the claim's date came from (`Claim.date_source`)."""


def date_line(claim: Claim) -> str:
    """'December 14, 2021 (from the text)'; empty without a date.

    >>> date_line(Claim(text="x", date="2021-12-14", date_source="dateline"))
    "December 14, 2021 (from the text's dateline)"
    """
    if not claim.date:
        return ""
    label = DATE_SOURCE_LABEL.get(claim.date_source or "", claim.date_source or "")
    when = str(claim.date.year) if (claim.date.month, claim.date.day) == (1, 1) else format_date(claim.date)
    return when + (f" ({label})" if label else "")


def lang_mark(code: str | None) -> str:
    """ "[ru]" for a known language other than English; "" for English or unknown.

    >>> lang_mark("ru"), lang_mark("en"), lang_mark(None)
    ('[ru]', '', '')
    """
    return f"[{code}]" if code and code != "en" else ""


def language_name(code: str | None) -> str:
    """'Russian (ru)'; the code alone for a language without a name here."""
    from factdesk.lang import NAMES

    return f"{NAMES[code]} ({code})" if code in NAMES else (code or "")


NO_RENDERING = "none supplied yet (the desk does not translate: an editor adds one, e.g. factdesk check --claim-en)"


def paragraphs(fc: FactCheck) -> list[list[Sentence]]:
    """The analysis split into paragraphs: a new one wherever the side of the cited evidence changes."""
    out: list[list[Sentence]] = []
    last: object = None
    for s in fc.analysis:
        side: object = "note"
        if s.citations and 1 <= s.citations[0] <= len(fc.evidence):
            st = fc.evidence[s.citations[0] - 1].stance
            side = st.label if st else "unjudged"
        if not out or side != last:
            out.append([])
        out[-1].append(s)
        last = side
    return out


def runner_up(verdict: Verdict) -> tuple[str, float] | None:
    """The most likely rating other than the verdict's, with its probability; None when no
    other rating has any probability (e.g. no evidence at all).

    >>> runner_up(Verdict(Rating.UNSUBSTANTIATED, 0.41, probs={"Unsubstantiated": 0.41,
    ...     "Misleading": 0.33, "Likely False": 0.26}))
    ('Misleading', 0.33)
    """
    others = [(r.value, float(verdict.probs.get(r.value, 0.0))) for r in Rating if r != verdict.rating]
    best = max(others, key=lambda rp: rp[1], default=None)
    return best if best is not None and best[1] > 0.0 else None


def runner_up_text(verdict: Verdict) -> str:
    """'next most likely: Misleading 0.33' (empty when there is no runner-up)."""
    ru = runner_up(verdict)
    return f"next most likely: {ru[0]} {ru[1]:.2f}" if ru else ""


def sources(fc: FactCheck) -> list[tuple[int, Document, list[tuple[int, Evidence]]]]:
    """(source number, document, [(evidence number, evidence)]) for each document weighed."""
    out: dict[int, tuple[int, Document, list[tuple[int, Evidence]]]] = {}
    for n, (m, e) in enumerate(zip(source_numbers(fc.evidence), fc.evidence), 1):
        out.setdefault(m, (m, e.document, []))[2].append((n, e))
    return list(out.values())


def grounding_line(fc: FactCheck) -> str | None:
    """'5 of 5 cited analysis sentences are grounded ...; 1 sentence failed the check ...'.

    None when the analysis cites nothing and nothing was dropped: there is nothing to report.
    """
    cited = [s for s in fc.analysis if s.citations]
    n_drop = len(fc.dropped)
    dropped = (
        f"{n_drop} sentence{'s' if n_drop != 1 else ''} failed the check and "
        f"{'were' if n_drop != 1 else 'was'} left out"
    )
    if not cited:
        return f"{dropped[:1].upper()}{dropped[1:]}." if n_drop else None
    ok = sum(1 for s in cited if s.grounded)
    line = f"{ok} of {len(cited)} cited analysis sentences are grounded in the passages they cite"
    return line + (f"; {dropped}" if n_drop else "") + "."


def _md_escape(text: str) -> str:
    # Evidence may hold Markdown or HTML; neutralise both so a renderer shows it as text.
    return html.escape(text, quote=False).replace("[", "\\[").replace("]", "\\]")


def _md_sentence(s: Sentence, evidence: list[Evidence]) -> str:
    cites = cited_sources(s.citations, evidence)
    return _md_escape(s.text) + ("" if not cites else " " + "".join(f"[{n}]" for n in cites))


def _source_parts(d: Document) -> list[str]:
    parts = [
        source_name(d),
        f"“{d.title}”" if d.title else None,
        format_date(d.published) if d.published else "undated",
        d.url,
    ]
    return [p for p in parts if p]


def _passages_note(items: list[tuple[int, Evidence]]) -> str:
    nums = [str(n) for n, _ in items]
    return f"passage{'s' if len(nums) > 1 else ''} {', '.join(nums)}"


def to_markdown(fc: FactCheck) -> str:
    c, v = fc.claim, fc.verdict
    lines = [f"# {_md_escape(fc.headline)}", ""]
    # Reported speech is the speaker's meaning, not their words: the box says so.
    label = "Claim (paraphrase)" if c.paraphrase and not c.quote else "Claim"
    mark = lang_mark(c.language)
    lines.append(f"> **{label}{' ' + mark if mark else ''}:** “{_md_escape(c.quote or c.text)}”  ")
    if c.text_en:
        lines.append(f"> **In English (the editor's rendering):** “{_md_escape(c.text_en)}”  ")
    elif mark:
        lines.append(f"> **In English:** {NO_RENDERING}  ")
    if c.speaker:
        lines.append(
            f"> **Speaker:** {_md_escape(c.speaker)}"
            + (f", {_md_escape(c.speaker_title)}" if c.speaker_title else "")
            + "  "
        )
    if c.date:
        lines.append(f"> **Date:** {_md_escape(date_line(c))}  ")
    if c.language:
        lines.append(f"> **Language:** {_md_escape(language_name(c.language))}  ")
    nxt = runner_up_text(v)
    lines.append(
        f"> **Verdict:** **{v.rating.value}** (confidence {v.confidence:.2f}"
        f"{'; ' + nxt if nxt else ''}; AVeriTeC: {v.averitec_label.value if v.averitec_label else '-'})"
    )
    ev = fc.evidence
    lines += ["", "## Summary", "", " ".join(_md_sentence(s, ev) for s in fc.summary), "", "## Analysis", ""]
    for para in paragraphs(fc):
        lines += [" ".join(_md_sentence(s, ev) for s in para), ""]
    grounding = grounding_line(fc)
    if grounding:
        lines += [f"*{grounding}*", ""]
    lines += ["## Evidence weighed", ""]
    for n, (m, e) in enumerate(zip(source_numbers(ev), ev), 1):
        st = f"{e.stance.label.value} {e.stance.probability:.2f}" if e.stance else "not judged"
        mark = lang_mark(e.language)
        lines.append(
            f"{n}. {st}, source [{m}]{' ' + mark if mark else ''}: {_md_escape(_one_line(e.passage.text, 200))}"
        )
    lines += ["", "## Sources", ""]
    for m, d, items in sources(fc):
        lines.append(f"[{m}] " + ", ".join(_md_escape(p) for p in _source_parts(d)) + f" ({_passages_note(items)})")
    return "\n".join(lines).rstrip() + "\n"


def _one_line(text: str, n: int) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1] + "…"


def to_json(fc: FactCheck) -> dict[str, Any]:
    """`FactCheck.to_dict()`, plus the verdict's ``runner_up`` and the numbered ``sources``.

    Sentence citations stay evidence numbers (1-based, as stored); ``sources`` lists each
    document once with the evidence numbers of its passages.
    """
    d = fc.to_dict()
    ru = runner_up(fc.verdict)
    d["runner_up"] = {"rating": ru[0], "probability": ru[1]} if ru else None
    d["sources"] = [
        {
            "number": m,
            "document_id": doc.id,
            "publisher": source_name(doc),
            "title": doc.title,
            "published": doc.published.isoformat() if doc.published else None,
            "url": doc.url,
            "evidence": [n for n, _ in items],
        }
        for m, doc, items in sources(fc)
    ]
    return d


def to_claimreview(fc: FactCheck, url: str | None = None, organization: str = ORG_NAME) -> dict[str, Any]:
    """schema.org ClaimReview JSON-LD (https://schema.org/ClaimReview)."""
    c, v = fc.claim, fc.verdict
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": v.rating.value, "bestRating": 6, "worstRating": 1}
    if v.rating in RATING_VALUE:
        rating["ratingValue"] = RATING_VALUE[v.rating]
    else:  # Unsubstantiated has no point on the true-false line
        rating["ratingValue"] = -1
        rating["ratingExplanation"] = "Not enough evidence to rate the claim on the scale."
    nxt = runner_up(v)
    if nxt is not None:  # schema.org has no property for a runner-up: say it in the explanation
        note = (
            f"factdesk's calibrated probability for {v.rating.value} is {v.confidence:.2f}; "
            f"the next most likely rating is {nxt[0]} ({nxt[1]:.2f})."
        )
        rating["ratingExplanation"] = " ".join(x for x in (rating.get("ratingExplanation"), note) if x)
    item: dict[str, Any] = {"@type": "Claim"}
    if c.speaker:
        person: dict[str, Any] = {"@type": "Person", "name": c.speaker}
        if c.speaker_title:
            person["jobTitle"] = c.speaker_title
        item["author"] = person
    if c.date:
        item["datePublished"] = c.date.isoformat()
    if c.language:
        item["inLanguage"] = c.language
    if c.source:
        item["appearance"] = {"@type": "CreativeWork", "url": c.source}
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": c.quote or c.text,
        "reviewRating": rating,
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": organization},
        "datePublished": (fc.created or "")[:10] or None,
        "headline": fc.headline,
        "reviewBody": " ".join(x.text for x in fc.summary) or None,
    }
    if url:
        review["url"] = url
    return {k: val for k, val in review.items() if val is not None}


def jsonld_script(fc: FactCheck, url: str | None = None, organization: str = ORG_NAME) -> str:
    # "</" inside JSON would end the script element early; escape it.
    data = (
        json.dumps(to_claimreview(fc, url, organization), ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return f'<script type="application/ld+json">{data}</script>'


RATING_CLASS = {r: r.name.lower().replace("_", "-") for r in Rating}


def to_html_fragment(fc: FactCheck) -> str:
    e = html.escape
    c, v = fc.claim, fc.verdict
    out = [f'<article class="factcheck"><h1>{e(fc.headline)}</h1>', '<div class="claim-box">']
    if c.speaker:
        out.append(
            f'<p class="speaker"><strong>{e(c.speaker)}</strong>'
            + (f", {e(c.speaker_title)}" if c.speaker_title else "")
            + "</p>"
        )
    if c.date:
        out.append(f'<p class="date">{e(date_line(c))}</p>')
    mark = lang_mark(c.language)
    attr = f' lang="{e(c.language)}"' if c.language else ""
    out.append(
        f"<blockquote{attr}>“{e(c.quote or c.text)}”"
        + (f' <span class="lang">{e(mark)}</span>' if mark else "")
        + "</blockquote>"
    )
    if c.text_en:
        out.append(f'<p class="claim-en" lang="en">In English (the editor\'s rendering): “{e(c.text_en)}”</p>')
    elif mark:
        out.append(f'<p class="claim-en">In English: {e(NO_RENDERING)}</p>')
    if c.language:
        out.append(f'<p class="language">Language: {e(language_name(c.language))}</p>')
    if c.paraphrase and not c.quote:
        out.append('<p class="paraphrase">Paraphrase of the speaker\'s words, as reported.</p>')
    nxt = runner_up_text(v)
    out.append(
        f'<p class="verdict verdict-{RATING_CLASS[v.rating]}"><strong>{e(v.rating.value)}</strong> '
        f'<span class="confidence">confidence {v.confidence:.2f}</span>'
        + (f' <span class="runner-up">{e(nxt)}</span>' if nxt else "")
        + "</p></div>"
    )

    def sent(s: Sentence) -> str:
        cites = "".join(f'<a href="#src-{n}">[{n}]</a>' for n in cited_sources(s.citations, fc.evidence))
        return f"{e(s.text)} {cites}".strip()

    out.append("<h2>Summary</h2><p>" + " ".join(sent(s) for s in fc.summary) + "</p><h2>Analysis</h2>")
    out += ["<p>" + " ".join(sent(s) for s in para) + "</p>" for para in paragraphs(fc)]
    grounding = grounding_line(fc)
    if grounding:
        out.append(f'<p class="grounding"><em>{e(grounding)}</em></p>')
    out.append('<h2>Sources</h2><ol class="sources">')
    for m, d, items in sources(fc):
        link = (
            f' <a href="{e(d.url)}" rel="nofollow noopener">{e(d.url)}</a>'
            if d.url and d.url.startswith(("http://", "https://"))
            else (f" {e(d.url)}" if d.url else "")
        )
        quotes = "".join(
            f'<blockquote id="ev-{n}"'
            + (f' lang="{e(ev.language or "")}">' if ev.language else ">")
            + (f'<span class="lang">{e(lang_mark(ev.language))}</span> ' if lang_mark(ev.language) else "")
            + (
                f'<span class="stance stance-{ev.stance.label.value}">{e(ev.stance.label.value)} '
                f"{ev.stance.probability:.2f}</span> "
                if ev.stance
                else ""
            )
            + f"{e(ev.passage.text)}</blockquote>"
            for n, ev in items
        )
        out.append(
            f'<li id="src-{m}">{e(source_name(d))}, “{e(d.title or "untitled")}”, '
            f"{e(format_date(d.published) if d.published else 'undated')}{link}{quotes}</li>"
        )
    out.append("</ol></article>")
    return "\n".join(out)


def to_html(fc: FactCheck, url: str | None = None, organization: str = ORG_NAME) -> str:
    """A standalone page with the ClaimReview JSON-LD embedded."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(fc.headline)}</title>{jsonld_script(fc, url, organization)}"
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:auto;padding:1rem;line-height:1.5}"
        ".claim-box{border:2px solid #333;padding:.5rem 1rem}blockquote{margin:.5rem 0;color:#333}"
        ".verdict strong{font-size:1.3rem}</style></head><body>"
        f"{to_html_fragment(fc)}</body></html>\n"
    )


def render(fc: FactCheck, fmt: str, organization: str = ORG_NAME) -> str:
    """`fc` in format `fmt`; `organization` is the ClaimReview author (the `organization` setting)."""
    if fmt == "md":
        return to_markdown(fc)
    if fmt == "json":
        return json.dumps(to_json(fc), indent=2, ensure_ascii=False) + "\n"
    if fmt == "claimreview":
        return json.dumps(to_claimreview(fc, organization=organization), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return to_html(fc, organization=organization)
    if fmt == "averitec":
        from factdesk.report.averitec import to_averitec

        return json.dumps(to_averitec(fc), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
