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

This module is the English `Attributor`; Russian, Ukrainian, Belarusian and Polish text goes to
`factdesk.claims.slavic`. What it reads with is split by what it does: `vocab_en` (English
vocabularies), `dates` (date expressions, all languages), `spans` (paragraphs, quotes, clause
boundaries), `speakers` (name helpers, pronouns), `reported` (the per-sentence answer); the
names they define are importable from here as before.

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
from dataclasses import dataclass, field

from factdesk.claims.dates import (
    _DATELINE_RE,
    _PRECISE_HINT,
    _YEAR_RE,
    MONTHS,
    find_date,
    find_dates,
    parse_date_expr,
)
from factdesk.claims.normalise import looks_clause
from factdesk.claims.reported import Attribution, ParagraphAttribution, _Cue
from factdesk.claims.spans import _mask, clause_start, find_quotes, split_paragraphs
from factdesk.claims.speakers import _clean_np, _is_title_phrase, _looks_org, _title_case_label, resolve_pronouns
from factdesk.claims.vocab_en import (
    _ACCORDING_RE,
    _APPOSITIVE_RE,
    _AUX_START,
    _CLAUSAL,
    _EN_FUNCTION,
    _GENERIC_ORG,
    _LEAD_STOP,
    _MENTION_RE,
    _ORG_NOUN_RE,
    _PERSON_RE,
    _PRONOUNS,
    _REPORTING_RE,
    _SPEAKER_LINE_RE,
    _STOP_LABELS,
    _THAT_RE,
    _TITLE_PREFIX,
    _VERB_RE,
    ORG_WORDS,
    SPEECH_VERBS,
    TITLE_WORDS,
    looks_english,
)

__all__ = [
    "MONTHS",
    "ORG_WORDS",
    "SPEECH_VERBS",
    "TITLE_WORDS",
    "Attribution",
    "Attributor",
    "ParagraphAttribution",
    "clause_start",
    "find_date",
    "find_dates",
    "find_quotes",
    "looks_english",
    "parse_date_expr",
    "resolve_pronouns",
    "split_paragraphs",
]


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
