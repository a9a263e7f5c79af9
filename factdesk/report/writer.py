"""The default writer: a fact-checker's analysis built only from stored passages, no LLM.

The report reads like a desk fact-check: a headline that names who (the organisation the
speaker speaks for), the verdict and what was claimed ("Belarus Foreign Ministry Misleads,
Claiming NATO Countries Have Become a Real Machine Producing Refugees"; a plain "Claim by ...
on ...: Unsubstantiated" where the claim's clause cannot be cut cleanly), a one-paragraph
summary that states the verdict, then analysis paragraphs that present the strongest refuting
and supporting passages in date order, each attributed to its publisher ("UNHCR reported in
December 2015 that “...”") and cited as [n]. Quotes are verbatim substrings of the cited
passage, so the grounding check (`report.grounding`) confirms them by construction. At every
verdict the analysis sets out what the passages most about the claim say: an Unsubstantiated
or Misleading report quotes them too, then says what they leave open.

>>> from factdesk.types import Claim, Document, Evidence, Passage, Rating, Stance, Verdict
>>> doc = Document(text="UNHCR registered almost 4.3 million Syrian refugees.",
...                publisher="UNHCR", published="2015-12-18")
>>> ev = Evidence(Passage(doc.id, doc.text, 0, len(doc.text)), doc,
...               stance=Stance.from_probs([0.9, 0.05, 0.05]))
>>> claim = Claim(text="Almost 4.3 million Syrian refugees were registered", speaker="Anatoly Glaz",
...               speaker_title="Press secretary, Belarus Ministry of Foreign Affairs")
>>> head, summary, analysis = TemplateWriter().run(claim, [ev], Verdict(Rating.TRUE, 0.9))
>>> head
'Belarus Foreign Ministry Is Right That Almost 4.3 Million Syrian Refugees Were Registered'
>>> analysis[0].text, analysis[0].citations
('UNHCR reported in December 2015 that “UNHCR registered almost 4.3 million Syrian refugees.”', [1])
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from factdesk.ingest.chunking import split_sentences
from factdesk.store.base import STOPWORDS, query_terms
from factdesk.types import Claim, Document, Evidence, Rating, Sentence, StanceLabel, Verdict
from factdesk.verdict.relevance import takes_side

RATING_PHRASE: dict[Rating, str] = {
    Rating.TRUE: "true",
    Rating.LIKELY_TRUE: "likely true",
    Rating.MISLEADING: "misleading",
    Rating.PARTIALLY_FALSE: "partially false",
    Rating.LIKELY_FALSE: "likely false",
    Rating.FALSE: "false",
    Rating.UNSUBSTANTIATED: "unsubstantiated",
}

QUOTE_CHARS = 300  # longest verbatim quote an analysis sentence carries

# Desk notes: sentences about the evidence as a whole, not facts taken from a passage, so they
# carry no citation. The grounding check keeps an uncited sentence only when it matches one of
# these patterns; anything else uncited (e.g. from a generator) is dropped.
NOTE_NO_EVIDENCE = (
    "None of the {n} passages retrieved from the evidence store says whether {claim}; "
    "an editor should look for primary sources before publishing."
)
NOTE_NOTHING_FOUND = (
    "The evidence store holds no passage about {claim}; an editor should look for primary sources before publishing."
)
NOTE_MIXED = "Some sources bear out part of the claim while others contradict it, so it leaves a false impression."
NOTE_ONE_SIDED = "factdesk found no passage in the evidence store that {side} the claim."
# After the passages that bear on the claim without deciding it (Unsubstantiated, Misleading):
# what they leave open.
NOTE_LEAVES_OPEN = (
    "These passages bear on the subject, but none of them says whether {claim}; "
    "an editor should look for primary sources before publishing."
)
NOTE_PART_OPEN = "None of the passages weighed settles every part of {claim}."
DESK_NOTE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(
        "^"
        + re.escape(t)
        .replace(re.escape("{n}"), r"\d+")
        .replace(re.escape("{claim}"), r"[^\n]+")
        .replace(re.escape("{side}"), r"(?:supports|contradicts)")
        + "$"
    )
    for t in (NOTE_NO_EVIDENCE, NOTE_NOTHING_FOUND, NOTE_MIXED, NOTE_ONE_SIDED, NOTE_LEAVES_OPEN, NOTE_PART_OPEN)
)
RELEVANT = 0.35  # least claim-passage similarity for an undecided passage to be set out as context


def is_desk_note(text: str) -> bool:
    """True when `text` is one of the writer's own uncited statements about the evidence."""
    return any(p.match(text) for p in DESK_NOTE_PATTERNS)


def format_date(d: dt.date | None) -> str:
    """'December 14, 2021' (or 'an unknown date')."""
    return d.strftime("%B %-d, %Y") if d else "an unknown date"


def on_date(d: dt.date | None) -> str:
    """'on December 14, 2021', or 'in 2016' for a date known only to the year (stored as January 1)."""
    if d is None:
        return ""
    return f"in {d.year}" if (d.month, d.day) == (1, 1) else f"on {format_date(d)}"


def when_phrase(d: dt.date | None) -> str:
    """'in December 2015', or 'in 2016' for a date known only to the year (stored as January 1)."""
    if d is None:
        return ""
    return f"in {d.year}" if (d.month, d.day) == (1, 1) else f"in {d.strftime('%B %Y')}"


# --------------------------------------------------------------------------- sources

_ARCHIVE = re.compile(r"^https?://(?:web\.)?archive\.org/web/[^/]+/(.+)$")


def domain(url: str | None) -> str | None:
    """'scoopertino.com' from a URL, looking through web.archive.org wrappers."""
    if not url:
        return None
    m = _ARCHIVE.match(url)
    if m:
        url = m.group(1) if "://" in m.group(1) else "http://" + m.group(1)
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    host = host.removeprefix("www.")
    return host or None


def source_name(doc: Document) -> str:
    """Who to attribute a passage to: the publisher, else the web site, else 'An unnamed source'."""
    return (doc.publisher or domain(doc.url) or "").strip() or "An unnamed source"


def source_numbers(evidence: Sequence[Evidence]) -> list[int]:
    """The source number of each evidence item: one number per document, however many of its
    passages are weighed, numbered in order of first appearance.

    Sentences cite passages (``Sentence.citations`` are 1-based evidence numbers, which the
    grounding check reads); a report shows readers sources, so renderers map each citation
    through this list (`cited_sources`).

    >>> from factdesk.types import Passage
    >>> a, b = Document(text="UNHCR report."), Document(text="Reuters story.")
    >>> ev = [Evidence(Passage(d.id, d.text, 0, 5, i), d) for i, d in enumerate([a, b, a, a])]
    >>> source_numbers(ev)
    [1, 2, 1, 1]
    """
    seen: dict[str, int] = {}
    return [seen.setdefault(e.document.id, len(seen) + 1) for e in evidence]


def cited_sources(citations: Sequence[int], evidence: Sequence[Evidence]) -> list[int]:
    """Evidence numbers -> the source numbers they belong to, each once, in citing order;
    numbers that point at no evidence item are left out.

    >>> from factdesk.types import Passage
    >>> a, b = Document(text="UNHCR report."), Document(text="Reuters story.")
    >>> ev = [Evidence(Passage(d.id, d.text, 0, 5, i), d) for i, d in enumerate([a, b, a])]
    >>> cited_sources([3, 1, 2, 9], ev)
    [1, 2]
    """
    nums = source_numbers(evidence)
    return list(dict.fromkeys(nums[n - 1] for n in citations if 1 <= n <= len(evidence)))


# --------------------------------------------------------------------------- headline

# A word that names an institution: the organisation a speaker speaks for ends in one.
_INSTITUTION = re.compile(
    r"^(?:Ministry|Office|Department|Agency|Embassy|Parliament|Army|Government|Council|Committee|Commission|"
    r"Senate|House|Cabinet|Kremlin|Pentagon|Duma|Service|Forces|Navy|Police|Administration|Mission|Authority|"
    r"Bank|Court|Party|Union|Organi[sz]ation|Institute|Bureau|Board|Secretariat|Presidency|Federation|NATO|"
    r"UNHCR|WHO|UN|EU|Company|Corporation|Inc\.?|Ltd\.?|Group|Association|Foundation|Watch|Treasury)$"
)
# Words that name what an institution does, not which one it is: "Foreign Ministry" alone is nobody's.
_GENERIC = {
    "foreign",
    "affairs",
    "health",
    "defence",
    "defense",
    "interior",
    "justice",
    "finance",
    "economy",
    "education",
    "digital",
    "energy",
    "transport",
    "environment",
    "trade",
    "press",
    "state",
    "national",
    "federal",
    "central",
    "public",
    "internal",
    "home",
    "security",
    "information",
    "communications",
    "the",
    "of",
    "and",
    "for",
}
_CAP_RUN = re.compile(
    r"(?:U\.S\.|U\.K\.|U\.N\.|[A-Z][\w.'’-]*)(?:\s+(?:(?:of|and)\s+(?:the\s+)?)?"
    r"(?:U\.S\.|U\.K\.|U\.N\.|[A-Z][\w.'’-]*))*"
)
_TITLE_WORD = re.compile(
    r"^(?:Press|Secretary|Spokes(?:man|woman|person)|Head|Chief|Director|Minister|Deputy|"
    r"President|Vice|Chair(?:man|woman)?|Executive|Officer|Adviser|Advisor|Senior|Official)$"
)


def _desk_org(name: str) -> str:
    """'Belarus Ministry of Foreign Affairs' -> 'Belarus Foreign Ministry', as desks write it."""
    name = re.sub(r"\bMinistry of (?:the )?Foreign Affairs\b", "Foreign Ministry", name)
    name = re.sub(r"\bMinistry of (?:the )?([A-Z][a-z]+)$", r"\1 Ministry", name)
    return name


def organisation(speaker_title: str | None) -> str | None:
    """The organisation a speaker speaks for, found anywhere in their title; None when the title
    names none, or only a generic one ("the Foreign Ministry press office": whose?).

    >>> organisation("Press secretary, Belarus Ministry of Foreign Affairs")
    'Belarus Foreign Ministry'
    >>> organisation("Press secretary for Belarus Foreign Ministry")
    'Belarus Foreign Ministry'
    >>> organisation("Russian Foreign Ministry spokeswoman")
    'Russian Foreign Ministry'
    >>> organisation("Spokesman, Kremlin")
    'Kremlin'
    >>> organisation("chief executive of the Northvale Water Authority")
    'Northvale Water Authority'
    >>> organisation("Farmer") is None
    True
    >>> organisation("head of Digital Diplomacy for the Foreign Ministry press office") is None
    True
    """
    if not speaker_title:
        return None
    pieces = re.split(r",|;|\s+(?:for|at|to|in|with)\s+|\s+of\s+(?=the\b)", speaker_title)
    found: list[str] = []
    for k, piece in enumerate(pieces):
        for m in _CAP_RUN.finditer(piece):
            words = m.group(0).split()
            while words and _TITLE_WORD.match(words[0]):  # "Press Secretary" is the job, not the employer
                words.pop(0)
            if not words:
                continue
            name = " ".join(words)
            if any(_INSTITUTION.match(w) for w in words):
                found.append(name)
            elif k > 0 and m.group(0) == piece.strip() and not _TITLE_WORD.match(m.group(0).split()[0]):
                found.append(name)  # "Spokesman, Kremlin": a bare name after the comma is the employer
    for name in found:
        name = _desk_org(re.sub(r"^the\s+", "", name))
        if any(w.lower() not in _GENERIC and not _INSTITUTION.match(w) for w in name.split()) or (
            len(name.split()) == 1 and _INSTITUTION.match(name) and name not in ("Ministry", "Office")
        ):
            return name
    return None


_PLURAL_WHO = re.compile(
    r"(?:officials|researchers|experts|scientists|authorities|activists|lawmakers|"
    r"protesters|doctors|critics|economists|analysts|ministers|leaders)$",
    re.I,
)


def speaker_name(claim: Claim) -> str | None:
    """Who to name in a headline: the organisation in the speaker's title, else an organisation
    speaker by its name ("U.N. Refugee Agency"), else a person's surname; None for nobody."""
    who = organisation(claim.speaker_title)
    if who:
        return who
    words = (claim.speaker or "").split()
    if not words:  # a blank speaker names nobody
        return None
    from factdesk.claims.attribution import _looks_org

    if _looks_org(claim.speaker or "") or any(w[:1].islower() for w in words[1:]) or len(words) > 4:
        return _title_case(" ".join(words))
    return words[-1]


_SMALL = {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "from", "as", "than"}
# Words that end a noun phrase: common verbs and clause words the stopword list lacks.
_BREAK = set(
    """become became becomes began begin begins refused refuse refuses appear appears appeared
    claim claims claimed show shows showed shown make makes made get gets got take takes took give gives
    gave use uses used want wants wanted know knows knew think thinks thought tell tells told see sees saw
    still well even already never always really led including spent went put set won lost paid sent kept
    left held brought bought built fell found grew ran rose sold wrote wants wanted remembers remember
    almost nearly about around over under approximately roughly least million billion thousand hundred
    percent per cent number""".split()
)
_TOKEN = re.compile(r"[A-Za-z0-9][\w'’.-]*[\w]|[A-Za-z0-9]")


def key_phrases(text: str, n: int = 2) -> list[str]:
    """The claim's key noun phrases, crudely: runs of content words, proper nouns weighted up.

    >>> key_phrases("NATO countries have become a real machine producing refugees")
    ['NATO countries', 'real machine']
    """
    runs: list[list[str]] = []
    cur: list[str] = []
    for i, m in enumerate(_TOKEN.finditer(text)):
        w = m.group(0).rstrip(".")
        low = w.lower()
        verbish = (
            (low.endswith(("ed", "ing")) and not w[0].isupper()) or low in _BREAK or bool(re.fullmatch(r"[\d.,%]+", w))
        )
        if low in STOPWORDS or verbish or (i == 0 and low in _SMALL):
            if cur:
                runs.append(cur)
            cur = []
            continue
        cur.append(w)
        gap = text[m.end() : m.end() + 2]
        if gap[:1] in {",", ";", ":", "(", ")"}:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    scored = []
    for pos, run in enumerate(runs):
        run = run[-3:]  # an English noun phrase ends in its head noun
        caps = sum(1 for w in run if w[0].isupper() or w.isdigit())
        score = caps * 2 + len(run) + (1.5 if pos == 0 else 0.0)
        scored.append((score, pos, " ".join(run)))
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:n]
    return [p for _, _, p in sorted(best, key=lambda s: s[1])]


def _title_case(phrase: str) -> str:
    out = []
    for i, w in enumerate(phrase.split()):
        if w.isupper() or any(c.isupper() for c in w[1:]) or any(c.isdigit() for c in w):
            out.append(w)  # acronyms, iPhone, 2015
        elif i and w.lower() in _SMALL:
            out.append(w.lower())
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def gist(claim: Claim) -> str:
    """A short title-cased topic for the headline: the claim's one or two key noun phrases.

    A parenthesis is left out: "NATO (North Atlantic Treaty Organization) member states" is
    about NATO member states, not about its expansion.

    >>> gist(Claim(text="The policies of NATO (North Atlantic Treaty Organization) member states caused the crisis."))
    'Policies and NATO Member States'
    """
    phrases = key_phrases(re.sub(r"\s*\([^()]*\)", "", claim.text))
    if not phrases:
        return "the Claim"
    # A second phrase earns its place only when it names something (a proper noun or a number).
    phrases = phrases[:1] + [p for p in phrases[1:] if any(w[:1].isupper() or w[:1].isdigit() for w in p.split())]
    return " and ".join(_title_case(p) for p in phrases)


HEADLINE_THAT: dict[Rating, tuple[str, str]] = {
    # (singular, plural) verb phrase before the claim's clause
    Rating.TRUE: ("Is Right That", "Are Right That"),
    Rating.LIKELY_TRUE: ("Is Largely Right That", "Are Largely Right That"),
    Rating.MISLEADING: ("Misleads, Claiming", "Mislead, Claiming"),
    Rating.PARTIALLY_FALSE: ("Is Partly Wrong in Claiming", "Are Partly Wrong in Claiming"),
    Rating.LIKELY_FALSE: ("Is Likely Wrong That", "Are Likely Wrong That"),
    Rating.FALSE: ("Falsely Claims", "Falsely Claim"),
    Rating.UNSUBSTANTIATED: ("Offers No Evidence That", "Offer No Evidence That"),
}
HEADLINE_MAX_WORDS = 12  # most words of the claim's clause a headline carries


def plain_headline(claim: Claim, verdict: Verdict, topic: Sequence[str] = ()) -> str:
    """The form that cannot be wrong: 'Claim by the Belarus Foreign Ministry on NATO and refugees:
    Unsubstantiated' (topic words from the claim; none: just who and the rating)."""
    who = speaker_name(claim)
    if (
        who
        and (who == organisation(claim.speaker_title) or _looks_institution(who))
        and len(who.split()) > 1
        and not who.startswith("The ")
    ):
        who = "the " + who
    if not topic:
        from factdesk.claims.clause import main_clause

        clause = main_clause(claim.text, lean=True)
        topic = clause.topic if clause is not None else ()
    topic = [t for t in topic if t][:2] or key_phrases(re.sub(r"\s*\([^()]*\)", "", claim.text), n=2)
    on = f" on {' and '.join(topic)}" if topic else ""
    by = f" by {who}" if who else ""
    return f"Claim{by}{on}: {verdict.rating.value}"


def _looks_institution(name: str) -> bool:
    return any(_INSTITUTION.match(w) for w in name.split())


def headline(claim: Claim, verdict: Verdict) -> str:
    """What a desk would print: who (the organisation the speaker speaks for, else the speaker),
    the verdict, and what was claimed, from the claim's own main clause
    (`factdesk.claims.clause`): 'Belarus Foreign Ministry Offers No Evidence That NATO Countries
    Have Become a Real Machine Producing Refugees'. With nobody named: 'Claim That ... Is
    Unsubstantiated'. When the clause cannot be cut cleanly (no parser, a pronoun subject, too
    long), the plain form (`plain_headline`).
    """
    from factdesk.claims.clause import headline_clause

    clause = headline_clause(claim.text, HEADLINE_MAX_WORDS)
    if clause is None:
        return plain_headline(claim, verdict)
    what = re.sub(r"^(The|A|An) ", lambda m: m.group(1).lower() + " ", _title_case(clause.text))
    who = speaker_name(claim)
    if not who:
        return f"Claim That {what} Is {_title_case(RATING_PHRASE[verdict.rating])}"
    plural = bool(_PLURAL_WHO.search(who))
    return f"{who} {HEADLINE_THAT[verdict.rating][plural]} {what}"


# --------------------------------------------------------------------------- quotes


def _strip_end(text: str) -> str:
    return re.sub(r"[\s.]+$", "", text)


def best_quote(text: str, query: str, max_chars: int = QUOTE_CHARS) -> str:
    """The contiguous run of sentences in `text` that best matches `query`, verbatim.

    Sentences are scored by the share of the query's content words they hold; the best one is
    extended with its neighbours while the quote stays under `max_chars`. A single sentence
    over the limit is cut at a word boundary and marked with '...'.
    """
    spans = list(split_sentences(text)) or [(0, len(text))]
    q = set(query_terms(query, limit=64))

    def score(span: tuple[int, int]) -> float:
        words = set(query_terms(text[span[0] : span[1]], limit=128))
        return len(q & words) / (len(q) or 1)

    scores = [score(s) for s in spans]
    i = max(range(len(spans)), key=lambda k: (scores[k], -k))
    lo, hi = i, i
    while True:  # grow towards the better-scoring neighbour while it fits
        options = [k for k in (lo - 1, hi + 1) if 0 <= k < len(spans)]
        options = [k for k in options if spans[max(hi, k)][1] - spans[min(lo, k)][0] <= max_chars]
        if not options:
            break
        k = max(options, key=lambda k: (scores[k], -k))
        if scores[k] <= 0 and (spans[hi][1] - spans[lo][0]) > max_chars // 2:
            break
        lo, hi = min(lo, k), max(hi, k)
    start, end = spans[lo][0], spans[hi][1]
    quote = text[start:end]
    if len(quote) > max_chars:
        cut = quote.rfind(" ", 0, max_chars)
        quote = quote[: cut if cut > 0 else max_chars].rstrip(" ,;:") + "..."
    return " ".join(quote.split())


def attribute(e: Evidence, query: str = "") -> str:
    """'UNHCR reported in December 2015 that “...”' with the passage's own words."""
    src = source_name(e.document)
    quote = best_quote(e.passage.text, query) if query else best_quote(e.passage.text, e.passage.text)
    if not quote.endswith(("...", ".", "!", "?")):
        quote += "."
    when = when_phrase(e.document.published)
    if when:
        return f"{src} reported {when} that “{quote}”"
    return f"According to {src}, “{quote}”"


def sided(evidence: Sequence[Evidence], label: StanceLabel) -> list[tuple[int, Evidence]]:
    """(1-based number, evidence) of passages that take `label`'s side strongly, strongest first.

    The verdict is held to the same rule (`factdesk.verdict.relevance.takes_side`), so the
    summary's count and the rating never disagree (issue 23)."""
    out = [(n, e) for n, e in enumerate(evidence, 1) if takes_side(e) == label]
    return sorted(out, key=lambda ne: -(ne[1].stance.probability if ne[1].stance else 0.0))


def by_date(items: list[tuple[int, Evidence]]) -> list[tuple[int, Evidence]]:
    """Date order (undated last), then evidence number."""
    return sorted(items, key=lambda ne: (ne[1].document.published or dt.date.max, ne[0]))


def _claim_phrase(claim: Claim) -> str:
    t = _strip_end(claim.text)
    if t[:1].isupper() and not t[1:2].isupper() and t.split() and t.split()[0].lower() in STOPWORDS | _SMALL:
        t = t[:1].lower() + t[1:]
    return f"“{t}”"


class TemplateWriter:
    """Writes headline, summary and analysis from the judged evidence; deterministic, no model.

    Args:
        max_per_side: most passages quoted for each side (supporting, refuting).
    """

    def __init__(self, max_per_side: int = 3) -> None:
        if max_per_side < 1:
            raise ValueError(f"max_per_side={max_per_side}: pass 1 or more passages per side")
        self.max_per_side = max_per_side

    def warm_up(self) -> None:
        """Load the parser the headline reads the claim's main clause with (`factdesk.claims.clause`)."""
        from factdesk.claims.clause import load_parser

        load_parser()

    # The pieces are public so the LLM writer reuses them and only rephrases the analysis.
    def chosen(self, evidence: Sequence[Evidence]) -> tuple[list[tuple[int, Evidence]], list[tuple[int, Evidence]]]:
        """(supporting, refuting) passages to present, strongest `max_per_side` each, in date order."""
        sup = by_date(sided(evidence, StanceLabel.SUPPORTS)[: self.max_per_side])
        ref = by_date(sided(evidence, StanceLabel.REFUTES)[: self.max_per_side])
        return sup, ref

    @staticmethod
    def context(evidence: Sequence[Evidence], exclude: set[int] | None = None) -> list[tuple[int, Evidence]]:
        """(number, evidence) of the passages most about the claim that take no side strongly,
        most relevant first (the best of each source before a second from any): claim-passage similarity (``scores["similarity"]``, else the dense
        score) at least `RELEVANT`; an item with no similarity counts by its stance's P(not NEI)."""
        out: list[tuple[float, int, Evidence]] = []
        for n, e in enumerate(evidence, 1):
            if exclude and n in exclude:
                continue
            sim = e.scores.get("similarity", e.scores.get("dense"))
            if sim is None and e.stance is not None:
                sim = 1.0 - e.stance.probs.get(StanceLabel.NOT_ENOUGH_INFO.value, 1.0)
            if sim is not None and sim >= RELEVANT:
                out.append((float(sim), n, e))
        ranked = [(n, e) for _, n, e in sorted(out, key=lambda t: (-t[0], t[1]))]
        # one passage per source first: three passages of one report say less than three reports
        first: dict[str, tuple[int, Evidence]] = {}
        for n, e in ranked:
            first.setdefault(e.document.id, (n, e))
        lead = list(first.values())
        return lead + [ne for ne in ranked if ne not in lead]

    def summary(self, claim: Claim, evidence: Sequence[Evidence], verdict: Verdict) -> list[Sentence]:
        """One paragraph: who said what, the verdict, and the count of passages each way."""
        sup, ref = self.chosen(evidence)
        n_sup = len(sided(evidence, StanceLabel.SUPPORTS))
        n_ref = len(sided(evidence, StanceLabel.REFUTES))
        phrase = RATING_PHRASE[verdict.rating]
        who = claim.speaker
        if who and claim.speaker_title:
            who = f"{who}, {claim.speaker_title},"
        when = f" {on_date(claim.date)}" if claim.date else ""
        quoted = " ".join((claim.quote or claim.text).split())
        quoted = quoted if quoted.endswith((".", "!", "?", "...")) else quoted + "."
        if who and claim.paraphrase and not claim.quote:
            # reported speech: the words are the reporter's, so they are not put in quotation marks
            out = [Sentence(f"As reported, {who} said{when} that {_claim_phrase(claim)[1:-1]}.")]
        elif who:
            out = [Sentence(f"{who} said{when}: “{quoted}”")]
        else:
            made = f", made{when}," if when else ""
            out = [Sentence(f"The claim under review{made} is “{quoted}”")]
        conf = f"(confidence {verdict.confidence:.2f})"
        if verdict.rating == Rating.UNSUBSTANTIATED and not (n_sup or n_ref):
            out.append(
                Sentence(
                    f"factdesk rates it {phrase} {conf}: of the {len(evidence)} passages retrieved, "
                    "none clearly supports or contradicts it."
                )
            )
            return out
        if verdict.rating == Rating.UNSUBSTANTIATED:
            # One side only, judged too thin to rate: the count is stated, and so is why (issue 23).
            out.append(
                Sentence(
                    f"factdesk rates it {phrase} {conf}: of the {len(evidence)} passages weighed, "
                    f"{n_ref} contradict{'s' if n_ref == 1 else ''} it and {n_sup} support{'s' if n_sup == 1 else ''} "
                    "it, too little to rate it."
                )
            )
            return out
        out.append(
            Sentence(
                f"factdesk rates it {phrase} {conf}: of the {len(evidence)} passages weighed, "
                f"{n_ref} contradict{'s' if n_ref == 1 else ''} it and {n_sup} support{'s' if n_sup == 1 else ''} it."
            )
        )
        lead = (
            ref
            if verdict.rating in (Rating.FALSE, Rating.LIKELY_FALSE, Rating.PARTIALLY_FALSE, Rating.MISLEADING)
            else sup
        )
        if lead:
            n, e = lead[0]
            verb = "contradicts it" if lead is ref else "bears it out"
            out.append(
                Sentence(
                    f"The strongest evidence {verb}: {source_name(e.document)}"
                    f"{' (' + when_phrase(e.document.published)[3:] + ')' if e.document.published else ''}.",
                    [n],
                )
            )
        return out

    def analysis(self, claim: Claim, evidence: Sequence[Evidence], verdict: Verdict) -> list[Sentence]:
        """Attributed quotes: the side the verdict leans to first, each side in date order."""
        sup, ref = self.chosen(evidence)
        leans_false = verdict.rating in (Rating.FALSE, Rating.LIKELY_FALSE, Rating.PARTIALLY_FALSE, Rating.MISLEADING)
        sides = (ref, sup) if leans_false else (sup, ref)
        out: list[Sentence] = []
        seen: set[str] = set()
        for side in sides:
            for n, e in side:
                s = attribute(e, claim.text)
                if s not in seen:
                    seen.add(s)
                    out.append(Sentence(s, [n]))
        if verdict.rating in (Rating.UNSUBSTANTIATED, Rating.MISLEADING):
            # Even where the evidence decides nothing by itself, say what the most relevant
            # passages show (verbatim, cited) before saying what they leave open.
            cited = {n for side in sides for n, _ in side}
            room = max(0, (self.max_per_side if verdict.rating == Rating.UNSUBSTANTIATED else 2) - len(cited))
            for n, e in by_date(self.context(evidence, exclude=cited)[:room]):
                s = attribute(e, claim.text)
                if s not in seen:
                    seen.add(s)
                    out.append(Sentence(s, [n]))
        if verdict.rating == Rating.UNSUBSTANTIATED:
            if any(s.citations for s in out):
                note = NOTE_LEAVES_OPEN
            else:
                note = NOTE_NO_EVIDENCE if evidence else NOTE_NOTHING_FOUND
            out.append(Sentence(note.format(n=len(evidence), claim=_claim_phrase(claim))))
        elif verdict.rating in (Rating.MISLEADING, Rating.PARTIALLY_FALSE) and sup and ref:
            out.append(Sentence(NOTE_MIXED))
        elif verdict.rating == Rating.MISLEADING and any(s.citations for s in out):
            out.append(Sentence(NOTE_PART_OPEN.format(claim=_claim_phrase(claim))))
        elif verdict.rating in (Rating.TRUE, Rating.FALSE) and (sup or ref):
            missing = "contradicts" if not ref and sup else ("supports" if not sup and ref else "")
            if missing:
                out.append(Sentence(NOTE_ONE_SIDED.format(side=missing)))
        return out

    def run(
        self, claim: Claim, evidence: list[Evidence], verdict: Verdict
    ) -> tuple[str, list[Sentence], list[Sentence]]:
        """(headline, summary, analysis) for a judged claim; the verdict is taken as given."""
        return (
            headline(claim, verdict),
            self.summary(claim, evidence, verdict),
            self.analysis(claim, evidence, verdict),
        )

    @staticmethod
    def attribute(e: Evidence, query: str = "") -> str:
        """Kept for callers of the first version: see `attribute`."""
        return attribute(e, query)
