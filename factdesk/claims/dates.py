"""Dates in claims and documents: English expressions, and the ones in Russian, Ukrainian,
Belarusian and Polish (`find_dates(..., lang="ru")`; the word tables are in
`factdesk.claims.langtables`).

English reads "December 14, 2021", "14 Dec", "in July", "summer 2016", "on Thursday", "that
year". The other four read a day with a month word ("14 декабря 2021 года", "5 stycznia
2022"), a month word with a year ("у листопаді 2021 року"), a month word after a preposition
("в декабре"), numeric day.month.year ("14.12.2021", the usual form there) and a year with its
year word ("в 2021 году"); no weekdays yet.

>>> find_date("In a speech on October 2, 2023, she said", None, None)
datetime.date(2023, 10, 2)
>>> find_date("Заявление от 14 декабря 2021 года", None, None, lang="ru")
datetime.date(2021, 12, 14)
>>> find_date("у листопаді 2021 року", None, None, lang="uk"), find_date("5 stycznia 2022", None, None, lang="pl")
(datetime.date(2021, 11, 1), datetime.date(2022, 1, 5))
"""

from __future__ import annotations

import datetime as dt
import re

from factdesk.claims.langtables import IN_YEAR, LANGS, MONTH_FORMS, YEAR_WORDS

_DATELINE_RE = re.compile(
    r"(?m)^[ \t]*(?:[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][\w.]+)?,?\s+)?(?P<date>(?:" + r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|"
    r"Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|"
    r"Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?:\s+(?:19|20)\d\d)?|(?:19|20)\d\d-\d\d-\d\d))\s*(?:\([^)]{1,30}\)\s*)?"
    r"(?:[—–]|--?)\s"
)

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
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


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
    mon = g["mon"].lower().rstrip(".") if g.get("mon") else None
    month = int(g["m"]) if g.get("m") else (MONTHS.get(mon) or FOREIGN_MONTHS.get(mon) if mon else None)
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
    text: str, ref_year: int | None, doc_date: dt.date | None, anchor: dt.date | None = None, lang: str | None = None
) -> dt.date | None:
    """The first date expression in `text`; of overlapping ones the most precise, then the longest
    ("on October 2, 2023" is October 2, not October: `find_dates`).

    >>> find_date("In a speech on October 2, 2023, she said", None, None)
    datetime.date(2023, 10, 2)
    """
    found = find_dates(text, ref_year, doc_date, anchor, lang)
    return found[0][2] if found else None


_WEEKDAY = r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DATE_HINT = re.compile(r"\d\d|\b(?:" + _MONTH[3:-1] + r"|spring|summer|autumn|fall|winter|year" + _WEEKDAY + ")", re.I)
_PRECISE_HINT = re.compile(r"\d{4}-\d\d-\d\d|\b(?:" + _MONTH[3:-1] + _WEEKDAY + r")")
_PRECISION = ("day", "day", "day", "month", "season", "month", "year", "year", "day")


def find_dates(
    text: str, ref_year: int | None, doc_date: dt.date | None, anchor: dt.date | None = None, lang: str | None = None
) -> list[tuple[int, int, dt.date, str]]:
    """Every date expression in `text` as ``(start, end, date, precision)``, in order.

    Overlapping matches keep the longest (``December 14, 2021`` over ``December 2021``'s
    pieces); precision is ``day``, ``month``, ``season`` or ``year``.

    >>> [(d.isoformat(), p) for _, _, d, p in find_dates("On December 14 and in 2016.", 2021, None)]
    [('2021-12-14', 'day'), ('2016-01-01', 'year')]
    """
    found: list[tuple[int, int, dt.date, str]] = []
    if lang in _FOREIGN:
        hint, patterns = _FOREIGN[lang]
    else:
        hint, patterns = _DATE_HINT, list(zip(_DATE_RES, _PRECISION))
    if not hint.search(text):
        return found
    for rx, prec in patterns:
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


# --- Russian, Ukrainian, Belarusian, Polish ---------------------------------------------------

FOREIGN_MONTHS: dict[str, int] = {}
for _forms in MONTH_FORMS.values():
    for _form, _num in _forms.items():
        # one form never names two months across the languages (checked here, once)
        assert FOREIGN_MONTHS.setdefault(_form, _num) == _num, _form


def _foreign_patterns(lang: str) -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], str]]]:
    forms = "|".join(sorted(MONTH_FORMS[lang], key=len, reverse=True))
    mon = r"(?P<mon>" + forms + r")(?!\w)"
    year = r"(?P<y>(?:19|20)\d\d)"
    yword = YEAR_WORDS[lang]
    prep = {"ru": r"в|во|с|до|к|на", "uk": r"у|в|з|до|на", "be": r"у|ў|з|да|на", "pl": r"w|we|od|do|na"}[lang]
    patterns = [
        (_DATE_RES[0], "day"),
        # "14 декабря 2021 года", "5 stycznia 2022 r.", "1-го мая"
        (
            re.compile(
                r"\b(?P<d>[0-3]?\d)(?:-?(?:го|е|ого|га|ga))?\s+" + mon + r"(?:\s+" + year + r")?(?:\s*" + yword + r")?",
                re.I,
            ),
            "day",
        ),
        (re.compile(r"\b(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)\b"), "day"),
        (re.compile(r"\b" + mon + r"\s+" + year + r"\b", re.I), "month"),
        (re.compile(r"(?<!\w)(?:" + prep + r")\s+" + mon + r"\b", re.I), "month"),
        (re.compile(r"(?<!\w)" + IN_YEAR[lang], re.I), "year"),
    ]
    hint = re.compile(r"\d\d|(?<!\w)(?:" + forms + r")(?!\w)", re.I)
    return hint, patterns


_FOREIGN = {lang: _foreign_patterns(lang) for lang in LANGS}


def dateline_date(text: str, lang: str | None) -> dt.date | None:
    """The date a text opens with: a full date (day, month, year) in a short line among its first
    three, or before the dash of a dateline ("Минск, 14 декабря 2021 года", "МИНСК, 14.12.2021 —",
    "Warszawa, 5 stycznia 2022 r."). For Russian, Ukrainian, Belarusian and Polish text; None
    for other languages (the English `Attributor.read_dateline` reads English datelines).

    >>> dateline_date("Заявление МИД\\n\\nМинск, 14 декабря 2021 года\\n\\nТекст.", "ru")
    datetime.date(2021, 12, 14)
    """
    if lang not in _FOREIGN:
        return None
    heads = []
    for ln in [ln for ln in text.strip().splitlines()[:12] if ln.strip()][:3]:
        dash = re.search(r"\s[—–-]\s", ln[:100])
        if len(ln.split()) <= 10:
            heads.append(ln)
        elif dash:
            heads.append(ln[: dash.start()])
    for head in heads:
        for ds, de, d, prec in find_dates(head, None, None, None, lang):
            # the line is the date, or a place (capitalised, up to three words) and a comma
            rest = re.findall(r"[^\W\d_][\w'’.-]*", head[:ds] + " " + head[de:])
            place = len(rest) <= 3 and "," in head and all(w[:1].isupper() for w in rest)
            if prec == "day" and (not rest or place):
                return d
    return None
