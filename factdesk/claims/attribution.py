"""Who said it, and when: rule-based attribution for English news, transcripts and releases.

What it reads (all cheap regular expressions over the text, so it runs on every sentence):

- direct quotes with a speech verb beside them: ``"...," Glaz proclaimed``, ``Lukashenko said:
  "..."``, ``"...," said Jane Roe``;
- reported speech: ``Glaz claimed that ...`` (the claim becomes the ``that`` clause) and
  ``according to X, ...``;
- transcripts: ``SPEAKER: words`` lines (a turn runs until the next label);
- a quote paragraph that follows an attributed quote, a ``...summarized it in a report:``
  lead-in, or a name line (and an optional title line) as in a pull-quote box;
- titles and affiliations: ``President Alexander Lukashenko``, ``Anatoly Glaz, head of
  Digital Diplomacy for the Foreign Ministry press office``, a title line under a name line;
  a later bare surname (``Glaz``) resolves to the full name and its title;
- the date the claim was made: a date in the attribution (``said in a speech in July``),
  else the document's date; a month without a year takes the document's year, else the
  last year the text mentioned;
- light decontextualisation (`resolve_pronouns`): ``He (Borrell)`` becomes ``Borrell``, and
  a leading he/she/it/they/this outside a quote becomes the one entity the previous
  sentence names, when there is exactly one candidate.

Attribution is English-only for now (`looks_english` tells the caller when to say so).

>>> at = Attributor()
>>> at.register_names('The story quotes Anatoly Glaz, head of Digital Diplomacy.')
>>> para = at.attribute_paragraph('"NATO countries became a machine producing refugees," Glaz proclaimed.', 0)
>>> a = para.attribute(0, len(para.text))
>>> (a.speaker, a.speaker_title, a.kind)
('Anatoly Glaz', 'head of Digital Diplomacy', 'quote')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from factdesk.claims.normalise import looks_clause

# --- vocabularies ----------------------------------------------------------------------------

SPEECH_VERBS = (
    "said|says|say|claimed|claims|proclaimed|proclaims|told|tells|added|adds|stated|states|argued|argues|"
    "insisted|insists|wrote|writes|tweeted|tweets|declared|declares|noted|notes|asserted|asserts|alleged|"
    "alleges|explained|explains|warned|warns|announced|announces|stressed|stresses|maintained|maintains|"
    "boasted|boasts|suggested|suggests|responded|responds|replied|replies|continued|contended|contends|"
    "acknowledged|acknowledges|admitted|admits|denied|denies|countered|emphasi[sz]ed|emphasi[sz]es|"
    "pointed out|recalled|reported|reports|summari[sz]ed|summari[sz]es|accused|accuses|estimated|estimates|"
    "predicted|predicts|promised|promises|vowed|vows|testified|posted|remarked|observed|concluded|concludes|"
    "repeated|confirmed|confirms|commented|quipped|charged|complained|complains|conceded|concedes|"
    "assured|assures|pledged|pledges|revealed|reveals|cautioned|cautions"
)
_AUX = r"(?:(?:has|have|had|also|again|later|then|once|previously|recently|repeatedly|specifically|publicly|"
_AUX += r"reportedly|allegedly|further|all but|falsely|wrongly|correctly|\w+ly)\s+){0,3}"
_VERB_RE = re.compile(r"\b" + _AUX + r"(?P<verb>" + SPEECH_VERBS + r")\b")
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to (?P<np>(?:the\s+)?[A-Z][^,.;:“”\"()]{1,80}?)(?=[,.;:“”\"()]|$)")
_THAT_RE = re.compile(
    r"^\s*(?:(?:reporters|journalists|parliament|lawmakers|the \w+|an? \w+|us|them|him|her|me|[A-Z]\w+)\s+)?that\s+"
)

TITLE_WORDS = {
    "president",
    "vice",
    "minister",
    "secretary",
    "senator",
    "sen.",
    "rep.",
    "representative",
    "governor",
    "gov.",
    "mayor",
    "chancellor",
    "dr.",
    "prof.",
    "professor",
    "general",
    "gen.",
    "ambassador",
    "judge",
    "justice",
    "commissioner",
    "king",
    "queen",
    "pope",
    "premier",
    "congressman",
    "congresswoman",
    "speaker",
    "director",
    "chairman",
    "chairwoman",
    "chair",
    "ceo",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "head",
    "chief",
    "founder",
    "leader",
    "adviser",
    "advisor",
    "analyst",
    "researcher",
    "economist",
    "official",
    "officer",
    "deputy",
    "manager",
    "editor",
    "correspondent",
    "member",
    "candidate",
    "executive",
    "coordinator",
    "lawyer",
    "attorney",
    "mp",
    "mep",
    "envoy",
    "press",
    "diplomat",
    "councillor",
    "councilor",
    "superintendent",
    "commander",
    "scientist",
    "author",
    "host",
    "anchor",
    "moderator",
    "owner",
    "partner",
}
_TITLE_PREFIX = (
    r"(?:President|Vice President|Prime Minister|Foreign Minister|Minister|Secretary|Senator|Sen\.|Rep\.|"
    r"Representative|Governor|Gov\.|Mayor|Chancellor|Dr\.|Prof\.|Professor|General|Gen\.|Ambassador|Judge|"
    r"Justice|Commissioner|King|Queen|Pope|Premier|Congressman|Congresswoman|Speaker|Director|Chairman|"
    r"Chairwoman|CEO|Spokesperson|Spokesman|Spokeswoman|Mr\.|Mrs\.|Ms\.)"
)
ORG_WORDS = {
    "ministry",
    "agency",
    "office",
    "department",
    "council",
    "union",
    "organization",
    "organisation",
    "watch",
    "times",
    "news",
    "post",
    "reuters",
    "associated",
    "press",
    "committee",
    "commission",
    "government",
    "party",
    "bank",
    "fund",
    "institute",
    "university",
    "center",
    "centre",
    "association",
    "federation",
    "corporation",
    "inc",
    "inc.",
    "ltd",
    "company",
    "group",
    "service",
    "bureau",
    "house",
    "court",
    "parliament",
    "congress",
    "senate",
    "kremlin",
    "administration",
    "authority",
    "police",
    "army",
    "forces",
    "nato",
    "eu",
    "un",
    "u.n.",
    "who",
    "unhcr",
    "officials",
    "spokesperson",
    "spokesman",
    "report",
    "study",
    "survey",
    "plan",
    "statement",
    "board",
    "school",
    "hospital",
    "network",
    "journal",
    "magazine",
    "tribune",
    "telegraph",
    "guardian",
    "herald",
    "gazette",
    "cdc",
    "fbi",
    "cia",
    "nasa",
    "ministry's",
    "staff",
    "campaign",
    "researchers",
    "experts",
    "scientists",
    "regime",
    "city",
    "state",
    "county",
    "people",
}
_ORG_NOUN_RE = re.compile(
    r"\b(?:officials?|spokes(?:person|man|woman)|ministry|agency|government|police|department|researchers|"
    r"report|study|survey|experts?|scientists|company|campaign|administration|authorities|office|"
    r"organi[sz]ation|committee|commission)\b",
    re.I,
)
_STOP_LABELS = {
    "NOTE",
    "UPDATE",
    "SOURCE",
    "SOURCES",
    "Q",
    "A",
    "EDITOR'S NOTE",
    "EDITOR’S NOTE",
    "WARNING",
    "SUBJECT",
    "TITLE",
    "DATE",
    "BY",
    "PHOTO",
    "CAPTION",
    "CORRECTION",
    "TRANSCRIPT",
    "CONTACT",
    "MEDIA CONTACT",
    "URL",
    "PUBLISHED",
    "PUBLISHER",
    "AUTHOR",
    "LANGUAGE",
    "HTTP",
    "HTTPS",
    "TAGS",
    "RELATED",
    "READ MORE",
    "SEE ALSO",
    "FOR IMMEDIATE RELEASE",
    "ABOUT",
    "EMAIL",
    "PHONE",
    "TEL",
    "FAX",
    "WEBSITE",
    "LOCATION",
    "WHEN",
    "WHERE",
}
_CAP_TOKEN = r"(?:[A-Z][\w’'.-]*|al-\w+|bin|de|van|von|der|da|di|la|le)"
_NAME_RE = re.compile(r"[A-Z][\w’'-]*\.?(?:\s+" + _CAP_TOKEN + r"){0,4}")
_PERSON_RE = re.compile(
    r"(?P<title>(?:(?:U\.S\.|U\.K\.|[A-Z][a-z]+)\s+){0,3}(?:" + _TITLE_PREFIX + r"|(?i:leader|minister|secretary|"
    r"spokes(?:person|man|woman)|director|chief executive|chair(?:man|woman)?|president|mayor|councillor|senator|"
    r"governor|ambassador|professor|economist|analyst|commissioner))\s+)?"
    r"(?P<name>[A-Z][a-z’'-]+(?:\s+(?:(?:al-|bin\s+|de\s+|van\s+|von\s+|da\s+|di\s+|le\s+|la\s+)?"
    r"[A-Z][a-z’'-]+|[A-Z]\.)){1,3})"
)
_APPOSITIVE_RE = re.compile(
    r"(?P<name>[A-Z][a-z’'-]+(?:\s+(?:al-|bin |de |van |von )?[A-Z][a-z’'-]+){1,3}),\s+(?:the\s+|a\s+|an\s+)?"
    r"(?P<title>[^,.;:“”\"()]{3,110}?)(?=\s*(?:[,.;:“”\"()]|$|\s+(?:said|says|told|claimed|added)\b))"
)
_SPEAKER_LINE_RE = re.compile(
    r"^[ \t]*(?P<label>[A-Z][A-Z.'’ -]{0,48}[A-Z.]|[A-Z][a-z’'.-]+(?:\s+[A-Z][a-z’'.-]+){0,3})"
    r"(?:\s*\((?P<paren>[^)]{1,60})\))?(?:,\s*(?P<title>[^:\n]{2,80}?))?\s*:[ \t]+(?=\S)"
)
_PRONOUNS = {"he", "she", "they", "i", "we"}
_GENERIC_ORG = {
    "company",
    "firm",
    "authority",
    "ministry",
    "agency",
    "council",
    "group",
    "department",
    "organisation",
    "organization",
    "government",
    "union",
    "bank",
    "trust",
    "charity",
    "campaign",
    "party",
}
_DATELINE_RE = re.compile(
    r"(?m)^[ \t]*(?:[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][\w.]+)?,?\s+)?(?P<date>(?:" + r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|"
    r"Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|"
    r"Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?:\s+(?:19|20)\d\d)?|(?:19|20)\d\d-\d\d-\d\d))\s*(?:\([^)]{1,30}\)\s*)?"
    r"(?:[—–]|--?)\s"
)
_LEAD_STOP = {
    "on",
    "in",
    "at",
    "after",
    "before",
    "during",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "former",
    "then",
    "new",
    "when",
    "while",
    "but",
    "and",
    "earlier",
    "later",
    "last",
    "this",
    "that",
    "year",
    "week",
    "month",
}
_MENTION_RE = re.compile(
    r"(?<![\w’'-])([A-Z][a-z’'-]+(?:\s+(?:al-|bin |de |van |von )?[A-Z][a-z’'-]+){1,2})(?![\w’'-])"
)
_CLAUSAL = {
    "said",
    "says",
    "say",
    "claimed",
    "claims",
    "argued",
    "argues",
    "insisted",
    "insists",
    "stated",
    "states",
    "added",
    "adds",
    "warned",
    "warns",
    "estimated",
    "estimates",
    "alleged",
    "alleges",
    "asserted",
    "asserts",
    "maintained",
    "maintains",
    "noted",
    "notes",
    "predicted",
    "predicts",
    "contended",
    "contends",
    "believes",
}

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DATE_RES = [
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    re.compile(r"\b(?P<mon>" + _MONTH + r")\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d\d))?\b"),
    re.compile(r"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<mon>" + _MONTH + r")(?:,?\s+(?P<y>(?:19|20)\d\d))?\b"),
    re.compile(
        r"\b(?i:in|on|during|since|by|of|from|early|late|mid-?)\s+(?P<mon>"
        + _MONTH
        + r")(?:,?\s+(?P<y>(?:19|20)\d\d))?\b"
    ),
    re.compile(r"\b(?P<season>(?i:spring|summer|autumn|fall|winter))\s+(?:of\s+)?(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<mon>" + _MONTH + r")\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?i:in|during|of)\s+(?P<y>(?:19|20)\d\d)\b"),
    # "That year, the U.N. refugee agency summarized ...": the year the text last gave
    re.compile(r"\b(?i:that|the same|that same)\s+(?P<rel>year)\b"),
    # "on Thursday", "said Tuesday": the latest such day on or before the document's date
    re.compile(
        r"\b(?:(?i:on|last|this|early|late)\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
        r"Sunday)\b(?!['’]s)"
    ),
]
_WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_AUX_START = re.compile(
    r"\s*(?:may|might|can|could|would|will|should|must|shall|was|were|is|are|has|have|had|"
    r"did|does|do)\b",
    re.I,
)
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
_REPORTING_RE = re.compile(
    r"\b(?:" + SPEECH_VERBS + r"|quoted?|quotes|quoting|published|interview\w*|statement|speech|"
    r"spoke|speaking|"
    r"briefing|press conference|remarks|article|post)\b",
    re.I,
)

_EN_FUNCTION = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "and",
    "is",
    "are",
    "was",
    "were",
    "that",
    "for",
    "on",
    "with",
    "as",
    "it",
    "this",
    "by",
    "be",
    "at",
    "from",
    "or",
    "not",
    "have",
    "has",
    "had",
    "but",
    "they",
    "he",
    "she",
    "we",
    "i",
    "you",
    "will",
    "would",
    "said",
    "which",
    "their",
    "his",
    "her",
    "its",
    "our",
    "there",
    "been",
}
_WORDS_RE = re.compile(r"[^\W\d_]+", re.U)


def looks_english(text: str, sample: int = 20000) -> bool:
    """True when the text reads as English: enough English function words, mostly Latin letters."""
    words = _WORDS_RE.findall(text[:sample])
    if len(words) < 8:
        return bool(words) and sum(w.lower() in _EN_FUNCTION for w in words) >= 1 or not words
    latin = sum(1 for w in words if w.isascii())
    if latin / len(words) < 0.7:
        return False
    return sum(w.lower() in _EN_FUNCTION for w in words) / len(words) >= 0.12


# --- small helpers ---------------------------------------------------------------------------


def _clean_np(s: str) -> str:
    s = " ".join(s.replace("\n", " ").split()).strip(" ,;:-—–")
    s = re.sub(r"(?:’s|'s|’|')$", "", s)
    s = re.sub(r"^(?:[Tt]he|[Aa]n?)\s+", "", s)
    return s.strip()


def _title_case_label(label: str) -> str:
    label = " ".join(label.split())
    if label.isupper():
        return " ".join(w if len(w) <= 2 and w.endswith(".") else w.capitalize() for w in label.split())
    return label


def _is_title_phrase(s: str) -> bool:
    words = [w.strip(",.").lower() for w in s.split()[:5]]
    return bool(words) and any(w in TITLE_WORDS for w in words)


def _looks_org(name: str) -> bool:
    toks = [t.lower().strip(".,") for t in name.split()]
    return any(t in ORG_WORDS for t in toks) or (len(toks) == 1 and name.isupper() and len(name) <= 6)


def parse_date_expr(
    m: re.Match[str], ref_year: int | None, doc_date: dt.date | None, anchor: dt.date | None = None
) -> dt.date | None:
    """A date from one of `_DATE_RES`' matches; a missing year comes from the context.

    A weekday resolves against `anchor` (else `doc_date`): the latest such day on or before it,
    as news copy means "on Thursday"; with neither, it gives no date. "That year" is `ref_year`.
    """
    g = m.groupdict()
    if g.get("wd"):
        base = anchor or doc_date
        if base is None:
            return None
        return base - dt.timedelta(days=(base.weekday() - _WEEKDAYS[g["wd"].lower()]) % 7)
    if g.get("rel"):
        return dt.date(ref_year, 1, 1) if ref_year else None
    year = int(g["y"]) if g.get("y") else None
    month = int(g["m"]) if g.get("m") else (MONTHS.get(g["mon"].lower().rstrip(".")) if g.get("mon") else None)
    day = int(g["d"]) if g.get("d") else 1
    if month is None and g.get("season"):
        month = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}[g["season"].lower()]
    if month is None:
        month, day = 1, 1
    if year is None:
        if doc_date is not None:
            year = doc_date.year if month <= doc_date.month else doc_date.year - 1
        else:
            year = ref_year
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_date(
    text: str, ref_year: int | None, doc_date: dt.date | None, anchor: dt.date | None = None
) -> dt.date | None:
    """The first date expression in `text`; of overlapping ones the most precise, then the longest
    ("on October 2, 2023" is October 2, not October: `find_dates`).

    >>> find_date("In a speech on October 2, 2023, she said", None, None)
    datetime.date(2023, 10, 2)
    """
    found = find_dates(text, ref_year, doc_date, anchor)
    return found[0][2] if found else None


_WEEKDAY = r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DATE_HINT = re.compile(r"\d\d|\b(?:" + _MONTH[3:-1] + r"|spring|summer|autumn|fall|winter|year" + _WEEKDAY + ")", re.I)
_PRECISE_HINT = re.compile(r"\d{4}-\d\d-\d\d|\b(?:" + _MONTH[3:-1] + _WEEKDAY + r")")
_PRECISION = ("day", "day", "day", "month", "season", "month", "year", "year", "day")


def find_dates(
    text: str, ref_year: int | None, doc_date: dt.date | None, anchor: dt.date | None = None
) -> list[tuple[int, int, dt.date, str]]:
    """Every date expression in `text` as ``(start, end, date, precision)``, in order.

    Overlapping matches keep the longest (``December 14, 2021`` over ``December 2021``'s
    pieces); precision is ``day``, ``month``, ``season`` or ``year``.

    >>> [(d.isoformat(), p) for _, _, d, p in find_dates("On December 14 and in 2016.", 2021, None)]
    [('2021-12-14', 'day'), ('2016-01-01', 'year')]
    """
    found: list[tuple[int, int, dt.date, str]] = []
    if not _DATE_HINT.search(text):
        return found
    for rx, prec in zip(_DATE_RES, _PRECISION):
        for m in rx.finditer(text):
            d = parse_date_expr(m, ref_year, doc_date, anchor)
            if d is not None:
                found.append((m.start(), m.end(), d, prec))
    rank = {"day": 0, "month": 1, "season": 2, "year": 3}
    found.sort(key=lambda f: (rank[f[3]], f[0] - f[1], f[0]))  # most precise, then longest, first
    out: list[tuple[int, int, dt.date, str]] = []
    for f in found:
        if not any(f[0] < o[1] and o[0] < f[1] for o in out):
            out.append(f)
    return sorted(out)


def find_quotes(text: str) -> tuple[list[tuple[int, int]], bool, bool]:
    """Quoted spans ``(start, end)`` including the marks, whether the paragraph opens inside a
    quote carried over (a closing mark with no opening one), and whether a quote is still open
    at the end (it continues in the next paragraph)."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    carried = False
    for i, ch in enumerate(text):
        if ch == "“" or (
            ch == '"'
            and start is None
            and (i == 0 or text[i - 1] in " \t\n([{—–-:")
            and i + 1 < len(text)
            and not text[i + 1].isspace()
        ):
            if start is None:
                start = i
        elif ch == "”" or ch == '"':
            if start is not None:
                spans.append((start, i + 1))
                start = None
            elif not spans and ch == "”":
                spans.append((0, i + 1))
                carried = True
    open_at_end = start is not None
    if start is not None:
        spans.append((start, len(text)))
    return spans, carried, open_at_end


_ABBREV = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|St|Jr|Sr|Inc|Ltd|Co|No|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec))$"
)


def clause_start(masked: str, pos: int, marks: str = ',;:“”"(!?') -> int:
    """Index just after the nearest clause boundary before `pos` (0 if none).

    A full stop counts only when it ends a sentence: not in "U.N." or "Mr." and followed by
    a space and a capital or a quote mark.
    """
    best = max(masked.rfind(ch, 0, pos) for ch in marks)
    i = masked.rfind(".", 0, pos)
    while i > best:
        nxt = masked[i + 1 : i + 3]
        if (
            len(nxt) >= 2
            and nxt[0].isspace()
            and (nxt[1].isupper() or nxt[1] in '“"')
            and not _ABBREV.search(masked[max(0, i - 5) : i])
        ):
            return i + 1
        i = masked.rfind(".", 0, i)
    return best + 1


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out = list(text)
    for s, e in spans:
        for i in range(s + 1, e - 1):
            out[i] = "·"
    return "".join(out)


# --- results ---------------------------------------------------------------------------------


@dataclass
class Attribution:
    """Who made a sentence's claim, in what form, and when."""

    text: str
    quote: str
    speaker: str | None = None
    speaker_title: str | None = None
    speaker_kind: str | None = None  # "person" or "org"
    date: dt.date | None = None
    kind: str = "statement"  # "quote", "reported", "transcript" or "statement"
    paraphrase: bool = False  # the text is the writer's rendering of what the speaker said, not their words
    date_source: str | None = None  # "text", "speaker" (the speaker's date elsewhere), "document"
    verb: str | None = None  # the speech verb that introduced the claim
    narration: bool = False  # the writer's own sentence, with a speech verb but no claim reported


@dataclass
class _Cue:
    pos: int
    end: int
    speaker: str
    title: str | None
    kind: str  # "person" / "org"
    date: dt.date | None
    reported_from: int | None = None  # where a reported-speech complement starts
    date_source: str | None = None
    verb: str | None = None
    according: bool = False  # "according to X, ...": the sentence is X's claim


@dataclass
class ParagraphAttribution:
    """Attribution state for one paragraph; `attribute(start, end)` answers for a sentence in it."""

    text: str
    offset: int
    quotes: list[tuple[int, int]]
    cues: list[_Cue]
    quote_speaker: dict[int, _Cue | None]
    turn: _Cue | None
    doc_date: dt.date | None
    ref_year: int | None
    english: bool = True
    body_start: int = 0
    doc_date_source: str = "document"  # or "dateline": the date the text opens with

    def attribute(self, start: int, end: int) -> Attribution:
        """Attribution for the sentence at paragraph-relative ``[start, end)``."""
        sent = self.text[start:end]
        verbatim = " ".join(sent.split())
        if not self.english:
            return Attribution(text=verbatim, quote=verbatim)
        inside = [(i, max(s, start), min(e, end)) for i, (s, e) in enumerate(self.quotes) if s < end and e > start]
        if inside:
            parts = [self.text[s:e].strip().strip('“”"').strip() for _, s, e in inside]
            quoted = " ".join(" ".join(p.split()) for p in parts if p)
            cue = None
            for i, _, _ in inside:
                cue = self.quote_speaker.get(i) or cue
            cue = cue or self.turn
            if quoted and len(quoted.split()) >= 3:
                text = re.sub(r"[,;:]$", ".", quoted.rstrip())
                quoted = quoted.rstrip(" ,;:")  # '"...on a global scale," Glaz proclaimed': the comma is the writer's
                if text[-1:] not in ".!?…":
                    text += "."
                if cue is None:
                    return Attribution(
                        text=text, quote=quoted, date=self.doc_date, kind="quote", date_source=self._doc_source()
                    )
                date, source = self._date(cue)
                return Attribution(
                    text=text,
                    quote=quoted,
                    speaker=cue.speaker,
                    speaker_title=cue.title,
                    speaker_kind=cue.kind,
                    date=date,
                    date_source=source,
                    verb=cue.verb,
                    kind="transcript" if cue is self.turn else "quote",
                )
        cues = [c for c in self.cues if start <= c.pos < end]
        cues = [c for c in cues if c.according or c.reported_from is not None]
        if not cues and [c for c in self.cues if start <= c.pos < end] and self.turn is None:
            # "Lukashenko all but acknowledged his plan ...": a speech verb with no quote and no
            # reported clause is the writer's own account, not the speaker's claim.
            return Attribution(
                text=verbatim, quote=verbatim, date=self.doc_date, date_source=self._doc_source(), narration=True
            )
        if cues:
            c = cues[0]
            text = verbatim
            if c.reported_from is not None and start <= c.reported_from < end:
                rest = self.text[c.reported_from : end].strip()
                if len(rest.split()) >= 4:
                    text = rest[0].upper() + rest[1:]
            elif c.according:
                text = _ACCORDING_RE.sub("", sent).strip(" ,")
                text = text[:1].upper() + text[1:] if text else verbatim
            date, source = self._date(c)
            return Attribution(
                text=" ".join(text.split()),
                quote=verbatim,
                speaker=c.speaker,
                speaker_title=c.title,
                speaker_kind=c.kind,
                date=date,
                date_source=source,
                kind="reported",
                paraphrase=text != verbatim,
                verb=c.verb,
            )
        if self.turn is not None:
            date, source = self._date(self.turn)
            return Attribution(
                text=verbatim,
                quote=verbatim,
                speaker=self.turn.speaker,
                speaker_title=self.turn.title,
                speaker_kind=self.turn.kind,
                date=date,
                date_source=source,
                kind="transcript",
            )
        return Attribution(text=verbatim, quote=verbatim, date=self.doc_date, date_source=self._doc_source())

    def _doc_source(self) -> str | None:
        return self.doc_date_source if self.doc_date is not None else None

    def _date(self, cue: _Cue) -> tuple[dt.date | None, str | None]:
        if cue.date is not None:
            return cue.date, cue.date_source or "text"
        return self.doc_date, self._doc_source()


# --- the attributor --------------------------------------------------------------------------


@dataclass
class Attributor:
    """Stateful, paragraph-by-paragraph attribution over one document.

    Call `register_names(full_text)` once (a cheap pre-pass that learns people's full names
    and titles), then `attribute_paragraph` for each paragraph in order.
    """

    doc_date: dt.date | None = None
    english: bool = True
    persons: dict[str, str | None] = field(default_factory=dict)  # full name -> title
    orgs: set[str] = field(default_factory=set)
    _speaker_dates: dict[str, dt.date] = field(default_factory=dict)
    _surnames: dict[str, set[str]] = field(default_factory=dict)
    _last_quote_cue: _Cue | None = None
    _pending: _Cue | None = None
    _pending_age: int = 0
    _name_line: str | None = None
    _name_line_title: str | None = None
    _name_line_age: int = 0
    _turn: _Cue | None = None
    _transcript: bool = False
    _last_person: str | None = None
    _last_org: str | None = None  # the last speaker named that is no known person (a company, an agency)
    box_speakers: set[str] = field(default_factory=set)  # people shown in a name + title box (a fact-check's subject)
    ref_year: int | None = None
    latest_date: dt.date | None = None  # the latest day- or month-precise date the text has given so far
    doc_date_source: str = "document"  # "dateline" when the date came from the text's own dateline

    @property
    def anchor(self) -> dt.date | None:
        """The date a weekday ("on Thursday") is resolved against: the document's, else the
        latest date the text has given so far."""
        return self.doc_date or self.latest_date

    def read_dateline(self, text: str) -> dt.date | None:
        """A dateline at the top of the text ("NORTHVALE, March 5, 2024 —", "LONDON, 12 June
        (Reuters) -") dates the document when no date was given; returns the date read."""
        m = _DATELINE_RE.search(text[:3000])
        if m is None:
            return None
        d = find_date(m.group("date"), self.ref_year, None)
        if d is not None and self.doc_date is None:
            self.doc_date, self.doc_date_source = d, "dateline"
        return d

    # pre-pass ------------------------------------------------------------------------------
    def _add_person(self, name: str, title: str | None, prefer: bool = False) -> None:
        words = _clean_np(name).split()
        while len(words) > 2 and (words[0].lower().rstrip(".") in TITLE_WORDS or words[0].lower() in _LEAD_STOP):
            words.pop(0)  # "Minister Oskar Lindqvist" is Oskar Lindqvist
        name = " ".join(words)
        if not name or _looks_org(name) or len(name.split()) < 2:
            return
        if title is not None:
            title = " ".join(title.split()).strip(" ,")
        if name not in self.persons or (title and (self.persons[name] is None or prefer)):
            self.persons[name] = title
        self._surnames.setdefault(name.split()[-1], set()).add(name)

    def register_names(self, text: str) -> None:
        """Learn people's names and titles from the whole text (and whether it is a transcript)."""
        if self.ref_year is None:
            # the latest year the text gives (not a future one): an article is written after what it
            # reports, so "On November 4" in a text that mentions 2005 and 2023 is in 2023
            years = [int(y) for y in _YEAR_RE.findall(text) if int(y) <= dt.date.today().year]
            self.ref_year = max(years) if years else None
        self.read_dateline(text)
        for m in _PERSON_RE.finditer(text):
            if m.group("title"):
                words = m.group("title").split()
                while words and (
                    words[0].lower() in _EN_FUNCTION
                    or words[0].lower() in _LEAD_STOP
                    or words[0].lower().rstrip(".") in MONTHS
                ):
                    words.pop(0)
                if words and any(w.lower().rstrip(".") in TITLE_WORDS or w.lower() == "chief" for w in words):
                    self._add_person(m.group("name"), " ".join(words))
        for m in _APPOSITIVE_RE.finditer(text):
            if _is_title_phrase(m.group("title")):
                self._add_person(m.group("name"), m.group("title"))
        for m in re.finditer(r"(?:[A-Z][\w.’'-]*\s+){1,5}(?:[A-Z][a-z]+)", text):
            words = m.group(0).split()
            if words[0] in ("The", "A", "An", "In", "On", "At"):
                words = words[1:]
            if len(words) >= 2 and words[-1].lower() in ORG_WORDS:
                self.orgs.add(" ".join(words))
        labels: dict[str, int] = {}
        upper = 0
        for line in text.splitlines():
            sm = _SPEAKER_LINE_RE.match(line)
            if sm and sm.group("label").strip().upper() not in _STOP_LABELS:
                lab = sm.group("label").strip()
                labels[lab] = labels.get(lab, 0) + 1
                upper += lab.isupper()
        self._transcript = upper >= 2 or sum(n for n in labels.values() if n >= 2) >= 3
        # Name-only lines (pull-quote boxes) followed by a title line.
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        for a, b in zip(lines, lines[1:]):
            if self._is_name_line(a) and self._is_title_line(b):
                # the caption under a name (a pull-quote box) is the desk's own label for the
                # speaker: it beats a title picked up from running text
                self._add_person(a, b, prefer=True)
                self.box_speakers.add(_clean_np(a))
        for sm in _VERB_RE.finditer(text):
            before = text[max(0, sm.start() - 60) : sm.start()]
            nm = re.search(r"([A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){1,2})\s*$", before)
            if nm and not _looks_org(nm.group(1)) and nm.group(1).split()[0] not in ("The", "In", "On", "At"):
                self._add_person(nm.group(1), None)

    @staticmethod
    def _is_name_line(s: str) -> bool:
        return bool(
            re.fullmatch(r"[A-Z][a-z’'-]+(?:\s+(?:al-|bin |de |van |von )?[A-Z][a-z’'-]+){1,3}", s)
        ) and not _looks_org(s)

    @staticmethod
    def _is_title_line(s: str) -> bool:
        return (
            len(s.split()) <= 12
            and s[-1:] not in '.!?”"'
            and not s.startswith(("“", '"'))
            and (_is_title_phrase(s) or " for " in s or " of " in s)
        )

    # resolution ----------------------------------------------------------------------------
    def _in_a_title(self, name: str) -> bool:
        """True when `name` is part of someone's title ("chief executive of Brightwater Energy"):
        an employer, not a person."""
        return any(t and name in t for t in self.persons.values())

    def canonical(self, raw: str) -> tuple[str, str | None, str]:
        """(name, title, kind) for a speaker as written: full names, titles, person/org."""
        s = _clean_np(raw)
        title = None
        m = re.match(r"^((?:(?:U\.S\.|U\.K\.|[A-Z][a-z]+)\s+){0,3}" + _TITLE_PREFIX + r")\s+(.+)$", s)
        if m and re.match(r"[A-Z]", m.group(2)) and not _looks_org(m.group(2)):
            title, s = m.group(1), m.group(2)
        if s.lower() in ("he", "she", "i", "we", "they"):
            if s.lower() in ("he", "she") and self._last_person:
                s = self._last_person
            else:
                return s, None, "person"
        if s in self.persons:
            return s, self.persons[s] or title, "person"
        full = self._surnames.get(s.split()[-1]) if s else None
        if (
            full
            and len(full) == 1
            and (len(s.split()) == 1 or s in next(iter(full)) or s.endswith(" " + next(iter(full))))
        ):
            # "Harbour master Colin Best" is Colin Best; the words before are his job
            name = next(iter(full))
            lead = s[: len(s) - len(name)].strip()
            return name, self.persons.get(name) or title or (lead or None), "person"
        if s[:1].islower() and len(s.split()) <= 2:
            head = s.split()[-1].lower()
            orgs = {o for o in self.orgs if o.lower().split()[-1] == head}
            if len(orgs) == 1:
                return next(iter(orgs)), None, "org"
            if not orgs and head in _GENERIC_ORG and self._last_org:
                return self._last_org, None, "org"  # "The company said": the organisation last named as a speaker
        kind = "org" if _looks_org(s) or _ORG_NOUN_RE.search(s) or s[:1].islower() else "person"
        return s, title, kind

    def _subject(self, region: str) -> str | None:
        r = " ".join(region.split()).strip(" ,;")
        r = re.split(r"\s[—–]\s|\s-\s", r)[-1]  # "NORTHVALE, March 5 — The Authority ..."
        r = re.sub(r"^(?:and|but|as|while|when|so|then|yet|also|however)\s+", "", r, flags=re.I)
        r = re.sub(
            r"\s+(?:today|yesterday|tonight|now|earlier|this (?:week|month|year)|last (?:week|month|year)|"
            r"on (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)$",
            "",
            r,
        )
        if not r:
            return None
        if r.lower() in _PRONOUNS:
            return r
        if re.match(r"^(?:it|this|that|which|who|there|what|where|these|those|one|some)\b", r, re.I):
            return None
        last = r.split()[-1].lower()
        if last.endswith("ed") or last in (
            "the",
            "a",
            "an",
            "his",
            "her",
            "its",
            "their",
            "our",
            "and",
            "of",
            "to",
            "in",
            "new",
            "these",
            "those",
            "that",
            "which",
            "who",
        ):
            return None  # "cited reports", "the reports": a noun, not a speech verb
        lead = re.match(
            r"^(?:[Tt]he\s+)?" + r"(?:(?:U\.S\.|U\.K\.|[A-Z][\w’'.-]*)(?:\s+|$)(?:(?:of|for|and|de|al-\w+)\s+)?)+", r
        )
        if lead and lead.group(0).strip() in ("The", "A", "An", "This", "That", "These", "Those"):
            lead = None
        if lead and (len(r) - lead.end() <= 12 or lead.end() == len(r)):
            if not re.fullmatch(r"(?:[Tt]he\s+)?(?:In|On|At|After|Before|During|For|By|From)\s*", lead.group(0)):
                return lead.group(0).strip()
        words = r.split()
        if len(words) <= 6 and (any(w[:1].isupper() for w in words) or _ORG_NOUN_RE.search(r)):
            if not any(w.lower() in ("in", "on", "at", "after", "during", "with") for w in words[:-1]):
                return r
        tail = re.search(r"(?:\b[Tt]he\s+)?(?:[A-Z][\w’'.-]*\s*)+$", r)
        if tail and len(tail.group(0).split()) <= 5 and tail.group(0).strip() not in ("I",):
            return tail.group(0).strip()
        return None

    def _cues(self, text: str, masked: str, quotes: list[tuple[int, int]]) -> list[_Cue]:
        cues: list[_Cue] = []
        for m in _VERB_RE.finditer(masked):
            vs, ve = m.start(), m.end()
            verb = m.group("verb")
            # Inverted: ...,” said Jane Roe
            after = masked[ve : ve + 120]
            bq = masked[max(0, vs - 4) : vs]
            inv = re.match(r"\s+((?:[A-Z][\w’'.-]*\s*){1,5})(?:,\s*([^,.;“”\"]{3,90}))?", after)
            if ("”" in bq or '"' in bq) and inv:
                name, title, kind = self.canonical(inv.group(1))
                if inv.group(2) and _is_title_phrase(inv.group(2)):
                    title = title or inv.group(2).strip()
                when, source = self._when(masked, name, kind, self._cue_date(masked, vs, ve), vs)
                cues.append(_Cue(vs, ve, name, title, kind, when, date_source=source, verb=verb))
                continue
            bound = clause_start(masked, vs) - 1
            region = masked[bound + 1 : vs]
            title = None
            subj = self._subject(region) if region.strip() else None
            if subj is None and bound >= 0 and masked[bound] == "," and not region.strip(" "):
                # Appositive: Jane Roe, head of the office, said ...
                prev = clause_start(masked, bound) - 1
                appos = masked[prev + 1 : bound]
                prev2 = clause_start(masked, prev, ';:“”"(!?') - 1 if prev >= 0 else -1
                if prev >= 0 and masked[prev] == "," and _is_title_phrase(appos):
                    subj = self._subject(masked[prev2 + 1 : prev])
                    title = _clean_np(appos) if subj else None
            if subj is None:
                continue
            if subj.lower() in ("he", "she"):
                self._note_mentions(masked[:vs])
            name, t2, kind = self.canonical(subj)
            title = t2 or title
            if kind == "person" and name.lower() not in _PRONOUNS:
                self._last_person = name
            if name[:1].isupper() and len(name.split()) >= 2 and (name not in self.persons or self._in_a_title(name)):
                self._last_org = name
            reported_from = None
            # a quote starting right after the verb is a direct quote, not reported speech
            rest = masked[ve:]
            hedged = "all but" in masked[vs:ve]  # "X all but conceded that ...": the writer's inference, not X's claim
            if hedged:
                pass
            elif verb in ("reported", "reports"):
                t = re.match(r"\s+that\s+", rest)  # "The company reported that ...", not "cited reports"
                if t:
                    reported_from = ve + t.end()
            elif not re.match(r"\s*[,:]?\s*[“\"]", rest):
                t = _THAT_RE.match(rest)
                if t:
                    reported_from = ve + t.end()
                elif verb in _CLAUSAL and re.match(
                    r"\s+(?!(?:in|on|at|during|after|before|with|to|for|of|by|from|it|this|so|yes|no)\b)[\w$£€]", rest
                ):
                    # "claimed victory" is an object, "said the ministry had overstated" a clause
                    # and "one strike the Times said may have killed" is a relative clause: its
                    # complement has no subject of its own
                    clause = re.split(r"[,.;!?“”\"]", rest, maxsplit=1)[0]
                    if looks_clause(clause) and not _AUX_START.match(clause):
                        reported_from = ve + len(rest) - len(rest.lstrip())
            when, source = self._when(
                masked, name, kind, self._cue_date(masked, bound + 1, vs, ve, reported_from), bound + 1
            )
            cues.append(
                _Cue(vs, ve, name, title, kind, when, reported_from=reported_from, date_source=source, verb=verb)
            )
        for m in _ACCORDING_RE.finditer(masked):
            name, title, kind = self.canonical(m.group("np"))
            when, source = self._when(
                masked, name, kind, find_date(m.group(0), self.ref_year, self.doc_date, self.anchor), m.start()
            )
            cues.append(_Cue(m.start(), m.end(), name, title, kind, when, date_source=source, according=True))
        cues.sort(key=lambda c: c.pos)
        return cues

    def _when(
        self, masked: str, name: str, kind: str, found: dt.date | None, pos: int
    ) -> tuple[dt.date | None, str | None]:
        """(date, source) of a claim: the attribution's own date, else the nearest date before it
        in the paragraph (day or month), else the date this speaker was last given; a dated
        claim also dates the speaker's later undated ones."""
        source: str | None = "text"
        if found is None and _PRECISE_HINT.search(masked, 0, pos):
            before = [
                d
                for _, _, d, p in find_dates(masked[:pos].replace("·", " "), self.ref_year, self.doc_date, self.anchor)
                if p in ("day", "month")
            ]
            found = before[-1] if before else None
        person = kind == "person" and name.lower() not in _PRONOUNS
        if found is None and person:
            found, source = self._speaker_dates.get(name), "speaker"
        elif found is not None and person and (found.month, found.day) != (1, 1):
            self._speaker_dates[name] = found  # a year alone ("earlier in 2023") dates nothing else
        return found, (source if found is not None else None)

    def speaker_date(self, name: str | None) -> dt.date | None:
        """The date the text gives for this speaker's statements (None when it gives none)."""
        return self._speaker_dates.get(name) if name else None

    def _date_mentions(self, masked: str) -> None:
        """Date the people a reporting paragraph names after a date ("On December 14, Belta
        published an article ... The story quotes Anatoly Glaz"), and track the latest date the
        text gives (a floor for the document's own date when it has none)."""
        if not _PRECISE_HINT.search(masked):
            return  # no month name and no ISO date: nothing day- or month-precise here
        plain = masked.replace("·", " ")
        dates = find_dates(plain, self.ref_year, self.doc_date, self.anchor)
        today = dt.date.today()
        for _, _, d, p in dates:
            if p in ("day", "month") and d <= today and (self.latest_date is None or d > self.latest_date):
                self.latest_date = d
        precise = [(s, d) for s, _, d, p in dates if p in ("day", "month")]
        if not precise or not _REPORTING_RE.search(plain):
            return
        for name in self.persons:
            for m in re.finditer(r"\b" + re.escape(name.split()[-1]) + r"\b", plain):
                before = [d for s, d in precise if s < m.start()]
                if not before:  # "Mayor Gloria Fenn spoke to reporters on Tuesday": the date after the
                    # name, in the same sentence, with no reported words or quote in between
                    before = [
                        d
                        for s, d in precise
                        if s > m.end()
                        and not re.search(r"[.!?“”\"]|\bthat\b|\b(?:" + SPEECH_VERBS + r")\b", plain[m.end() : s])
                    ][:1]
                if before and name not in self._speaker_dates:
                    self._speaker_dates[name] = before[-1]
                break

    def _note_mentions(self, text: str) -> None:
        """Remember the last person named in `text` (the antecedent of a later he/she)."""
        for m in _MENTION_RE.finditer(text):
            cand = m.group(1)
            first = cand.split()[0].lower()
            if _looks_org(cand) or first in _EN_FUNCTION or first in _LEAD_STOP or first in MONTHS:
                continue
            name, _, kind = self.canonical(cand)
            if kind == "person":
                self._last_person = name

    def _cue_date(
        self, masked: str, start: int, vs: int, ve: int | None = None, stop: int | None = None
    ) -> dt.date | None:
        """A date in the attribution around the verb (outside the quote and before a reported
        clause): 'said in a speech in July', 'On 12 June, X told parliament that ...'."""
        lo = clause_start(masked, start, '!?”“"')
        hi_candidates = [masked.find(ch, ve or vs) for ch in '.!?“”"'] + [stop if stop is not None else -1]
        hi = min([h for h in hi_candidates if h >= 0] or [len(masked)])
        window = masked[lo:hi]
        if "·" in window:
            window = window.replace("·", " ")
        return find_date(window, self.ref_year, self.doc_date, self.anchor)

    def attribute_paragraph(self, text: str, offset: int) -> ParagraphAttribution:
        """Work out the speakers in one paragraph (`text` starts at `offset` in the document)."""
        raw = text.replace("\n", " ")
        turn_cue = None
        body_start = 0
        if self._transcript:
            m = _SPEAKER_LINE_RE.match(raw)
            if m and m.group("label").strip().upper() not in _STOP_LABELS:
                name = _title_case_label(m.group("label"))
                title = m.group("title") or m.group("paren") or None
                full, t2, _ = self.canonical(name)
                self._turn = _Cue(0, m.end(), full, (title.strip() if title else None) or t2, "person", None)
                body_start = m.end()
            turn_cue = self._turn
        masked_pre = raw
        quotes, carried, open_at_end = find_quotes(raw)
        masked = _mask(masked_pre, quotes)
        if body_start:
            masked = " " * body_start + masked[body_start:]
        cues = [c for c in self._cues(raw, masked, quotes) if c.pos >= body_start] if self.english else []
        quote_speaker: dict[int, _Cue | None] = {}
        first_quote_at_start = bool(quotes) and raw[: quotes[0][0]].strip() == "" and not body_start
        for i, (s, e) in enumerate(quotes):
            best: _Cue | None = None
            dist = 10**9
            for c in cues:
                d = c.pos - e if c.pos >= e else (s - c.end if c.end <= s else 0)
                if d < dist and d <= 80:
                    best, dist = c, d
            if best is None and len(cues) == 1 and not cues[0].reported_from:
                best = cues[0]
            if best is None and (i == 0 and (first_quote_at_start or carried)):
                if self._pending is not None:
                    best = self._pending
                elif self._name_line is not None:
                    name, title, kind = self.canonical(self._name_line)
                    best = _Cue(0, 0, name, self._name_line_title or title, kind, None)
                elif self._last_quote_cue is not None:
                    best = self._last_quote_cue
            quote_speaker[i] = best
        # Carry state to the next paragraph.
        self._pending_age += 1
        self._name_line_age += 1
        if self._pending_age > 2:
            self._pending = None
        if self._name_line_age > 3:
            self._name_line, self._name_line_title = None, None
        stripped = raw.strip()
        if stripped.endswith(":") and cues and not quotes:
            self._pending, self._pending_age = cues[-1], 0
        elif self._is_name_line(stripped):
            self._name_line, self._name_line_title, self._name_line_age = stripped, None, 0
        elif self._name_line is not None and self._name_line_age == 1 and self._is_title_line(stripped):
            self._name_line_title = stripped
        attributed = [quote_speaker[i] for i in quote_speaker if quote_speaker[i] is not None]
        if quotes:
            self._last_quote_cue = attributed[-1] if attributed else None
            if attributed:
                self._pending = None
                self._name_line = None
        elif stripped:
            self._last_quote_cue = None if not open_at_end else self._last_quote_cue
        if self.english:
            self._date_mentions(masked)
        for y in _YEAR_RE.findall(masked):
            self.ref_year = int(y)
        if self.english:
            self._note_mentions(masked)
        return ParagraphAttribution(
            text=raw,
            offset=offset,
            quotes=quotes,
            cues=cues,
            quote_speaker=quote_speaker,
            turn=turn_cue,
            doc_date=self.doc_date,
            doc_date_source=self.doc_date_source,
            ref_year=self.ref_year,
            english=self.english,
            body_start=body_start,
        )


# --- paragraphs ------------------------------------------------------------------------------


def split_paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each paragraph: a line, or a blank-line block of hard-wrapped lines.

    Offsets index into `text`; a wrapped block's newlines are left to the caller to read as
    spaces (same length, so offsets stay exact).
    """
    for block in re.finditer(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*", text):
        lines = list(re.finditer(r"[^\n]+", block.group(0)))
        long_open = sum(1 for ln in lines if len(ln.group(0)) > 50 and ln.group(0).rstrip()[-1:] not in '.!?:”"')
        if len(lines) >= 2 and long_open >= 0.6 * len(lines) and not _SPEAKER_LINE_RE.match(lines[1].group(0)):
            s, e = block.start(), block.end()
            yield s, e
            continue
        for ln in lines:
            s, e = block.start() + ln.start(), block.start() + ln.end()
            if text[s:e].strip():
                yield s, e


# --- decontextualisation ---------------------------------------------------------------------

_PAREN_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Hh]im|[Hh]er|[Tt]hem)\s*\(([A-Z][^)]{1,60})\)")
_LEAD_PRONOUN = re.compile(r"^(He|She|They|It|This)\s+(?!is\b|was\b|seems\b|appears\b|takes\b)(?=[a-z])")


def resolve_pronouns(text: str, candidates: dict[str, list[str]], in_quote: bool) -> str:
    """Replace ``He (X)`` by X, and a leading pronoun by the one entity that fits.

    `candidates` maps "person" / "group" / "thing" to the distinct entities named in the
    sentence before; a pronoun is replaced only when exactly one candidate fits, and leading
    pronouns only outside quotes (inside a quote, "he" is rarely the speaker).
    """
    text = _PAREN_PRONOUN.sub(lambda m: m.group(1), text)
    if in_quote:
        return text
    m = _LEAD_PRONOUN.match(text)
    if not m:
        return text
    pron = m.group(1)
    pool = {"He": "person", "She": "person", "They": "group", "It": "thing", "This": "thing"}[pron]
    options = candidates.get(pool, [])
    if pron == "This" and not re.match(
        r"This\s+(?:will|would|could|has|had|means|meant|shows|showed|cost|costs)\b", text
    ):
        return text
    if len(options) == 1:
        return options[0] + text[m.end(1) :]
    return text
