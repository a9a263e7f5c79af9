"""Who said it, and when, in Russian, Ukrainian, Belarusian and Polish text.

The same answers as the English `Attributor` (an `Attribution` per sentence: the speaker's
words, the speaker, their title, the date, quote or reported speech), read with the word
tables in `factdesk.claims.langtables`:

- direct quotes in «ёлочки», „лапки“ or "straight" marks (nested quotes are one quote) with a
  speech verb beside them: ``«...», — заявил Глаз.``, ``Глаз заявил: «...»``;
- reported speech: ``Глаз заявил, что ...`` / ``заявив, що ...`` / ``powiedział, że ...``: the
  claim is the complement, marked as a paraphrase, never "Глаз заявил, что";
- ``По словам X, ...``, ``За словами X, ...``, ``Według X ...``, ``Как заявил X, ...``;
- the speaker: in Russian the person natasha's NER finds next to the verb (normalised to the
  nominative: "Анатолия Глаза" -> "Анатолий Глаз"); in Ukrainian, Belarusian and Polish
  (no NER installs for them) a run of up to three capitalised words next to the verb that are
  not places, bodies or titles; a later surname alone or in another case ("Глаза") resolves to
  the full name given earlier; "он"/"він"/"ён"/"on" is the last person named;
- the title: the words before the name in the same clause when they hold a job word
  ("официальный представитель МИД Беларуси Анатолий Глаз"), or an apposition ("Анатолий Глаз,
  официальный представитель МИД, заявил"); an organisation speaks when no person does
  ("МИД Беларуси заявил");
- the date: a date in the attribution's clause, else the last date before it in the paragraph,
  else the date given for the speaker, else the document's date or the text's dateline.

>>> at = SlavicAttributor(lang="uk", ner=None)
>>> text = "Речник МЗС України Олег Ніколенко заявив, що Білорусь штучно створила міграційну кризу на кордоні."
>>> at.register_names(text)
>>> a = at.attribute_paragraph(text, 0).attribute(0, len(text))
>>> (a.speaker, a.speaker_title, a.kind, a.text)
('Олег Ніколенко', 'речник МЗС України', 'reported', 'Білорусь штучно створила міграційну кризу на кордоні.')
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from factdesk.claims.dates import dateline_date, find_date, find_dates
from factdesk.claims.langtables import (
    ACCORDING,
    AS_SAID,
    FUTURE,
    LANGS,
    ORG_STEMS,
    PLACE_STEMS,
    PROMISE_VERBS,
    PRONOUNS,
    SPEECH_VERBS,
    THAT,
    TITLE_STEMS,
)
from factdesk.claims.reported import Attribution

_UPPER = "A-ZА-ЯЁІЇЄҐЎĄĆĘŁŃÓŚŹŻ"
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|[" + _UPPER + r"]\.", re.U)
_SENT_END = re.compile(r"[.!?…]+[»“”\"]?\s+(?=[«„\"“" + _UPPER + r"0-9])")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_LEAD_WORDS = frozenset(
    """и а но также тоже ранее позднее затем вчера сегодня однако при этом в свою очередь кроме того тем
    временем і й а але також теж раніше пізніше потім учора вчора сьогодні однак проте і а але таксама
    раней учора сёння i a ale także również wcześniej później potem wczoraj dziś dzisiaj jednak natomiast
    со своей стороны""".split()
)
_ABOUT_THIS = re.compile(r"(?i)(?:об этом|о том|про це|про це ж|аб гэтым|pro гэта|o tym|об этом же)")
_PREPS = frozenset("в во у ў на из із з с со от від ад об о про аб w we z ze od na do o".split())


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Quoted spans ``(start, end)`` with their marks: «...», „...“ / „...”, “...”, "...".

    A quote inside a quote (``«... „...“ ...»``) is part of the outer one; a quote still open at
    the end of the paragraph runs to its end.

    >>> find_quotes('Он сказал: «Это „наш“ ответ». Всё.')
    [(11, 28)]
    """
    closes = {"«": "»", "„": "“”", "“": "”", '"': '"'}
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    n = len(text)
    for i, ch in enumerate(text):
        if stack:
            opener = stack[-1][0]
            if ch in closes[opener] and not (ch == '"' and i + 1 < n and text[i + 1].isalnum()):
                start = stack.pop()[1]
                if not stack:
                    spans.append((start, i + 1))
                continue
            if ch in "«„" or (ch == "“" and opener != "„"):
                stack.append((ch, i))
            continue
        if ch in "«„“" or (ch == '"' and (i == 0 or not text[i - 1].isalnum()) and i + 1 < n):
            stack.append((ch, i))
    if stack:
        spans.append((stack[0][1], n))
    return spans


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    out = list(text)
    for s, e in spans:
        for i in range(s + 1, e - 1):
            out[i] = "·"
    return "".join(out)


def _stem_in(word: str, stems: tuple[str, ...], min_len: int = 1) -> bool:
    w = word.lower()
    return any(w.startswith(s) for s in stems if len(s) >= min_len)


def has_title(phrase: str, lang: str) -> bool:
    """True when the phrase holds a job word of `lang` ("представитель", "речник", "rzecznik")."""
    return any(_stem_in(t, TITLE_STEMS[lang]) for t in _TOKEN.findall(phrase))


def _is_acronym(w: str) -> bool:
    return len(w) >= 2 and w.replace("-", "").isupper()


def _name_token(w: str, lang: str) -> bool:
    """A word that can be part of a person's name: capitalised, not an acronym, a place, a body
    or a job word."""
    if not w[:1].isupper() or _is_acronym(w):
        return False
    if w.endswith(".") and len(w) == 2:
        return True  # an initial: "А. Глаз"
    if w.lower() in _LEAD_WORDS or w.lower() in _PREPS:
        return False
    return not (_stem_in(w, PLACE_STEMS) or _stem_in(w, ORG_STEMS, min_len=4) or _stem_in(w, TITLE_STEMS.get(lang, ())))


def _clean(s: str) -> str:
    return " ".join(s.replace("·", " ").split()).strip(" ,;:—–-")


def _sentence_case(s: str) -> str:
    s = s.strip()
    return s[:1].upper() + s[1:] if s else s


def _finish(s: str) -> str:
    s = " ".join(s.split()).rstrip(" ,;:—–-")
    if s and s[-1] not in '.!?…»”"':
        s += "."
    return _sentence_case(s)


# --- natasha (Russian NER) ------------------------------------------------------------------

_NER_LOCK = threading.Lock()
_NER: dict[str, Any] = {}


class RussianNER:
    """natasha's news NER (Segmenter, NewsEmbedding, NewsNERTagger), loaded once per process.

    `spans(text)` gives ``(start, end, type, normal)`` with type PER / LOC / ORG; a person's name
    is put in the nominative by `nominative` ("Анатолия Глаза" -> "Анатолий Глаз"). natasha's
    own normaliser needs pymorphy2, which cannot load its dictionaries in this environment
    (it imports pkg_resources), so it is not used.
    """

    def __init__(self) -> None:
        with _NER_LOCK:
            if not _NER:
                from natasha import NewsEmbedding, NewsNERTagger, Segmenter

                _NER.update(segmenter=Segmenter(), ner=NewsNERTagger(NewsEmbedding()))
        self._m = _NER

    def spans(self, text: str) -> list[tuple[int, int, str, str]]:
        from natasha import Doc

        doc = Doc(text)
        doc.segment(self._m["segmenter"])
        doc.tag_ner(self._m["ner"])
        out = []
        for sp in doc.spans:
            surface = " ".join(sp.text.split())
            out.append((sp.start, sp.stop, sp.type, nominative(surface) if sp.type == "PER" else surface))
        return out


_MALE_SURNAME = (
    ("ского", "ский"),
    ("цкого", "цкий"),
    ("ова", "ов"),
    ("ева", "ев"),
    ("ёва", "ёв"),
    ("ина", "ин"),
    ("ына", "ын"),
    ("ому", ""),
    ("ым", ""),
    ("ом", ""),
    ("а", ""),
    ("я", "й"),
    ("у", ""),
)
_FEMALE_SURNAME = (("ской", "ская"), ("цкой", "цкая"), ("овой", "ова"), ("евой", "ева"), ("иной", "ина"), ("ой", "а"))


def nominative(name: str) -> str:
    """A Russian "First Last" name in the nominative, when its first name shows an oblique case.

    The first name is lemmatised by simplemma (it knows first names: Анатолия -> Анатолий,
    Ольги -> Ольга); the surname loses the case ending that goes with the first name's gender.
    Indeclinable surnames (Лукашенко, Шевчук after a woman's name) and names in the nominative
    are left alone.

    >>> nominative("Анатолия Глаза"), nominative("Марии Захаровой"), nominative("Сергея Лаврова")
    ('Анатолий Глаз', 'Мария Захарова', 'Сергей Лавров')
    >>> nominative("Александра Лукашенко"), nominative("Анатолий Глаз")
    ('Александр Лукашенко', 'Анатолий Глаз')
    """
    words = name.split()
    if len(words) != 2:
        return name
    first, last = words
    try:
        import simplemma

        lemma = simplemma.lemmatize(first, lang="ru")
    except Exception:  # simplemma missing or its data unreadable: the name as written is still a name
        return name
    lemma = lemma[:1].upper() + lemma[1:]
    if lemma == first or not lemma[:1].isalpha():
        return name
    if last.endswith(("о", "ко", "их", "ых")):
        return f"{lemma} {last}"
    table = _FEMALE_SURNAME if lemma.endswith(("а", "я")) else _MALE_SURNAME
    for ending, repl in table:
        if last.endswith(ending) and len(last) > len(ending) + 2:
            return f"{lemma} {last[: len(last) - len(ending)] + repl}"
    return f"{lemma} {last}"


def load_ner() -> RussianNER | None:
    """natasha's NER, or None when natasha is not installed or cannot load its model (the
    capitalised-word rule is used then)."""
    try:
        return RussianNER()
    except Exception:  # an ImportError, or a model file natasha cannot read: fall back, never fail
        return None


# --- results --------------------------------------------------------------------------------


@dataclass
class _Cue:
    pos: int
    end: int
    speaker: str | None
    title: str | None
    kind: str  # "person" / "org"
    date: dt.date | None
    date_source: str | None = None
    verb: str | None = None
    reported_from: int | None = None
    according: bool = False


@dataclass
class SlavicParagraph:
    """One paragraph's quotes and speech cues; `attribute(start, end)` answers for a sentence."""

    text: str
    offset: int
    quotes: list[tuple[int, int]]
    cues: list[_Cue]
    quote_speaker: dict[int, _Cue | None]
    doc_date: dt.date | None
    doc_date_source: str = "document"
    body_start: int = 0

    def attribute(self, start: int, end: int) -> Attribution:
        sent = self.text[start:end]
        verbatim = " ".join(sent.split())
        reported = [
            c for c in self.cues if start <= c.pos < end and c.reported_from is not None and c.reported_from < end
        ]
        inside = [(i, s, e) for i, (s, e) in enumerate(self.quotes) if s < end and e > start]
        # a quote inside the reported clause ("заявил, что страны стали «машиной...»") is part of it
        if reported:
            inside = [(i, s, e) for i, s, e in inside if s < (reported[0].reported_from or 0)]
        if inside:
            parts = [self.text[max(s, start) : min(e, end)].strip().strip('«»„“”"').strip() for _, s, e in inside]
            quoted = " ".join(" ".join(p.split()) for p in parts if p)
            cue = None
            for i, _, _ in inside:
                cue = self.quote_speaker.get(i) or cue
            if len(quoted.split()) >= 3:
                text = _finish(quoted)
                if cue is None or cue.speaker is None:
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
                    kind="quote",
                )
        cues = reported or [c for c in self.cues if start <= c.pos < end and c.according]
        if cues and cues[0].speaker:
            c = cues[0]
            if c.reported_from is not None:
                text = self.text[c.reported_from : end]
            else:
                text = self.text[c.end : end]
            text = _finish(text)
            if len(text.split()) < 3:
                text = verbatim
            date, source = self._date(c)
            return Attribution(
                text=text,
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
        if any(start <= c.pos < end for c in self.cues):
            # "Глаз заявил о недопустимости ...": a speech verb with no quote and no reported
            # clause is the writer's account of what was said, not the speaker's claim.
            return Attribution(
                text=verbatim, quote=verbatim, date=self.doc_date, date_source=self._doc_source(), narration=True
            )
        return Attribution(text=verbatim, quote=verbatim, date=self.doc_date, date_source=self._doc_source())

    def _doc_source(self) -> str | None:
        return self.doc_date_source if self.doc_date is not None else None

    def _date(self, cue: _Cue) -> tuple[dt.date | None, str | None]:
        if cue.date is not None:
            return cue.date, cue.date_source or "text"
        return self.doc_date, self._doc_source()


# --- the attributor -------------------------------------------------------------------------


@dataclass
class SlavicAttributor:
    """Paragraph-by-paragraph attribution over one Russian, Ukrainian, Belarusian or Polish text.

    `ner`: "auto" loads natasha's NER for Russian (None: the capitalised-word rule only; or pass
    a `RussianNER`). Same calling order as `Attributor`: `register_names(text)`, then
    `attribute_paragraph` per paragraph.
    """

    lang: str = "ru"
    doc_date: dt.date | None = None
    ner: Any = "auto"
    persons: dict[str, str | None] = field(default_factory=dict)  # full name -> title
    box_speakers: set[str] = field(default_factory=set)
    ref_year: int | None = None
    latest_date: dt.date | None = None
    doc_date_source: str = "document"
    _speaker_dates: dict[str, dt.date] = field(default_factory=dict)
    _last_person: str | None = None
    _last_quote_cue: _Cue | None = None
    _pending: _Cue | None = None

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            from factdesk.errors import InputError

            raise InputError(f"no attribution tables for {self.lang!r}: use one of {', '.join(LANGS)}")
        if self.ner == "auto":
            self.ner = load_ner() if self.lang == "ru" else None
        verbs = "|".join(sorted(SPEECH_VERBS[self.lang], key=len, reverse=True))
        self._verb_re = re.compile(r"(?<![\w-])(?P<verb>" + verbs + r")(?![\w-])", re.I)
        self._that_re = re.compile(r"^[^.!?:;«»„“\"·]{0,80}?,\s*(?:" + THAT[self.lang] + r")\s+", re.I)
        self._according_re = re.compile(
            r"(?:^|(?<=[\s,(—–-]))" + ACCORDING[self.lang] + r"\s+(?P<np>[^,.;:!?«»„“\"·]{2,90}?)\s*,\s*"
        )
        self._as_said_re = re.compile(r"\s*" + AS_SAID[self.lang] + r"\s*")

    @property
    def anchor(self) -> dt.date | None:
        return self.doc_date or self.latest_date

    # pre-pass ------------------------------------------------------------------------------
    def read_dateline(self, text: str) -> dt.date | None:
        """A full date in a short line among the text's first three, or before the dash of a
        dateline, dates the document when no date was given ("Минск, 14 декабря 2021 года",
        "МИНСК, 14.12.2021 —")."""
        d = dateline_date(text, self.lang)
        if d is not None and (self.doc_date is None or self.doc_date == d):
            # (a reader that dated the document from this same dateline: say where it came from)
            self.doc_date, self.doc_date_source = d, "dateline"
        return d

    def register_names(self, text: str) -> None:
        """Learn people's names and titles from the whole text (a cheap pre-pass)."""
        today = dt.date.today()
        if self.ref_year is None:
            years = [int(y) for y in _YEAR.findall(text) if int(y) <= today.year]
            self.ref_year = max(years) if years else None
        self.read_dateline(text)
        for para in re.split(r"\n\s*\n|\n", text):
            if not para.strip() or not (self._verb_re.search(para) or has_title(para, self.lang)):
                continue
            for name, title in self._people(para):
                self._add_person(name, title)

    def _people(self, para: str) -> list[tuple[str, str | None]]:
        """(name, title) of the people named in one paragraph (titles where the clause gives one)."""
        out: list[tuple[str, str | None]] = []
        masked = _mask(para, find_quotes(para))
        if self.ner is not None:
            for s, e, typ, normal in self.ner.spans(masked):
                if typ == "PER" and len(normal.split()) >= 2:
                    out.append((normal, self._title_before(masked, s) or self._apposition(masked, e)))
            return out
        for m in re.finditer(r"[^,;:.!?«»„“\"·()—–]+", masked):
            chunk = m.group(0)
            toks = list(_TOKEN.finditer(chunk))
            run = self._last_name_run(chunk, toks)
            if run and len(run[2].split()) >= 2:
                s = m.start() + run[0]
                out.append((run[2], self._title_before(masked, s) or self._apposition(masked, m.start() + run[1])))
        return out

    def _add_person(self, name: str, title: str | None) -> None:
        name = _clean(name)
        if len(name.split()) < 2:
            return
        if name not in self.persons or (title and not self.persons[name]):
            self.persons[name] = title

    def _title_before(self, masked: str, start: int) -> str | None:
        """The title phrase right before a name in its clause, when it holds a job word."""
        lo = max(masked.rfind(ch, 0, start) for ch in ',;:«»„“"()—–·') + 1
        sent = max((m.end() for m in _SENT_END.finditer(masked, 0, start)), default=0)
        phrase = _clean(masked[max(lo, sent) : start])
        words = phrase.split()
        while words and (words[0].lower() in _LEAD_WORDS or re.fullmatch(r"\d+|[.,]", words[0])):
            words.pop(0)
        # "14 декабря официальный представитель": a date before the title is not part of it
        if words and any(find_dates(" ".join(words[:4]), None, None, None, self.lang)):
            for k in range(min(4, len(words)), 0, -1):
                if find_dates(" ".join(words[:k]), None, None, None, self.lang):
                    words = words[k:]
                    break
        while words and self._verb_re.fullmatch(words[0]):
            words.pop(0)
        phrase = " ".join(words)
        if not (phrase and len(words) <= 12 and has_title(phrase, self.lang)):
            return None
        if words[0][1:].islower() and _stem_in(words[0], TITLE_STEMS[self.lang]):
            phrase = phrase[:1].lower() + phrase[1:]  # "Официальный представитель" opening a sentence
        return phrase

    def _apposition(self, masked: str, end: int) -> str | None:
        """ "Анатолий Глаз, официальный представитель МИД, заявил": the phrase between commas after a name."""
        m = re.match(r"\s*,\s*([^,;:.!?«»„“\"·]{3,120}?)\s*(?:,|[—–]|$)", masked[end:])
        if m and has_title(m.group(1), self.lang) and not self._verb_re.search(m.group(1)):
            return _clean(m.group(1))
        return None

    def _last_name_run(self, chunk: str, toks: list[re.Match[str]]) -> tuple[int, int, str] | None:
        """The last run of up to three name words in `chunk` as (start, end, name)."""
        best: tuple[int, int, str] | None = None
        i = 0
        while i < len(toks):
            if not _name_token(toks[i].group(0), self.lang):
                i += 1
                continue
            j = i
            while j + 1 < len(toks) and _name_token(toks[j + 1].group(0), self.lang):
                if chunk[toks[j].end() : toks[j + 1].start()].strip():
                    break
                j += 1
            # a name is two words (first name, surname) or an initial and a surname; a third
            # capitalised word before them is the end of a body's name ("Straży Granicznej Anna
            # Michalska") far more often than a patronymic (which Russian text gets from the NER)
            run = toks[max(i, j - 1) : j + 1]
            if j - i >= 2 and toks[j - 2].group(0).endswith("."):
                run = toks[j - 2 : j + 1]
            best = (run[0].start(), run[-1].end(), " ".join(t.group(0) for t in run))
            i = j + 1
        return best

    # resolution ----------------------------------------------------------------------------
    def canonical(self, name: str) -> tuple[str, str | None]:
        """The full name and title of a name as written ("Глаза", "Глаз", "А. Глаз")."""
        name = _clean(name)
        if name in self.persons:
            return name, self.persons[name]
        last = name.split()[-1].lower() if name else ""
        hits = []
        for full, title in self.persons.items():
            fl = full.split()[-1].lower()
            if last == fl or (
                len(fl) >= 3 and last.startswith(fl[: max(3, len(fl) - 1)]) and abs(len(last) - len(fl)) <= 3
            ):
                hits.append((full, title))
        if len(hits) == 1:
            return hits[0]
        return name, None

    def _speaker(
        self, region: str, region_start: int, ents: list[tuple[int, int, str, str]], first: bool
    ) -> _Cue | None:
        """The speaker named in `region` (the subject before the verb, or the words after an
        inverted verb when `first`) as a cue without position; None when it names nobody."""
        text = _clean(region)
        if not text:
            return None
        core = " ".join(w for w in text.split() if w.lower() not in _LEAD_WORDS)  # "Він також" is "він"
        if core.lower() in PRONOUNS[self.lang]:
            if self._last_person:
                return _Cue(0, 0, self._last_person, self.persons.get(self._last_person), "person", None)
            return None
        lo, hi = region_start, region_start + len(region)
        per = [e for e in ents if e[2] == "PER" and lo <= e[0] and e[1] <= hi and len(e[3]) >= 3]
        if per:
            s, e, _, normal = per[0] if first else per[-1]
            name, title = self.canonical(normal)
            local = self._title_before(self._masked, s)
            return _Cue(0, 0, name, local or title, "person", None)
        if self.ner is None or not per:
            toks = list(_TOKEN.finditer(region))
            run = self._first_name_run(region, toks) if first else self._last_name_run(region, toks)
            if run is not None and (self.ner is None or len(run[2].split()) == 1):
                name, title = self.canonical(run[2])
                if self.ner is None or name in self.persons:
                    local = self._title_before(self._masked, region_start + run[0])
                    return _Cue(0, 0, name, local or title, "person", None)
        for ds, de, _, _ in reversed(find_dates(text, None, None, None, self.lang)):
            text = text[:ds] + " " + text[de:]  # "5 stycznia 2022 roku rząd poinformował": the date is not the speaker
        words = text.split()
        while words and (words[0].lower() in _LEAD_WORDS or words[0].lower() in _PREPS):
            words.pop(0)
        phrase = " ".join(words)
        if phrase and phrase[:1].islower() and len(words) <= 3 and has_title(phrase, self.lang) and self._last_person:
            # "По словам дипломата", "глава ведомства отметил": the person last named in that role
            return _Cue(0, 0, self._last_person, self.persons.get(self._last_person), "person", None)
        if phrase and len(words) <= 8:
            orgs = [e for e in ents if e[2] == "ORG" and lo <= e[0] and e[1] <= hi]
            if orgs or any(_stem_in(w, ORG_STEMS) or _is_acronym(w) for w in words):
                return _Cue(0, 0, phrase, None, "org", None)
        return None

    def _first_name_run(self, chunk: str, toks: list[re.Match[str]]) -> tuple[int, int, str] | None:
        for i, t in enumerate(toks):
            if _name_token(t.group(0), self.lang):
                j = i
                while j + 1 < len(toks) and j - i < 1 and _name_token(toks[j + 1].group(0), self.lang):
                    j += 1
                if j + 1 < len(toks) and t.group(0).endswith(".") and _name_token(toks[j + 1].group(0), self.lang):
                    j += 1  # "А. Г. Лукашенко"
                return t.start(), toks[j].end(), " ".join(x.group(0) for x in toks[i : j + 1])
        return None

    def _cue_date(self, masked: str, lo: int, hi: int) -> dt.date | None:
        return find_date(masked[lo:hi].replace("·", " "), self.ref_year, self.doc_date, self.anchor, self.lang)

    def _when(self, masked: str, cue: _Cue, lo: int, hi: int) -> None:
        found = self._cue_date(masked, lo, hi)
        source: str | None = "text"
        if found is None:
            before = [
                d
                for _, _, d, p in find_dates(
                    masked[:lo].replace("·", " "), self.ref_year, self.doc_date, self.anchor, self.lang
                )
                if p in ("day", "month")
            ]
            found = before[-1] if before else None
        if found is None and cue.kind == "person" and cue.speaker:
            found, source = self._speaker_dates.get(cue.speaker), "speaker"
        elif found is not None and cue.kind == "person" and cue.speaker and (found.month, found.day) != (1, 1):
            self._speaker_dates[cue.speaker] = found  # a year alone dates nothing else
        cue.date, cue.date_source = found, (source if found is not None else None)

    def speaker_date(self, name: str | None) -> dt.date | None:
        return self._speaker_dates.get(name) if name else None

    def attribute_paragraph(self, text: str, offset: int) -> SlavicParagraph:
        raw = text.replace("\n", " ")
        quotes = find_quotes(raw)
        masked = _mask(raw, quotes)
        self._masked = masked
        cues: list[_Cue] = []
        has_verb = self._verb_re.search(masked) is not None
        has_according = self._according_re.search(masked) is not None
        ents = self.ner.spans(masked) if (self.ner is not None and (has_verb or has_according)) else []
        sent_starts = [0] + [m.end() for m in _SENT_END.finditer(masked)]
        for m in self._verb_re.finditer(masked) if has_verb else ():
            vs, ve = m.start(), m.end()
            s0 = max(s for s in sent_starts if s <= vs)
            nxt = [s for s in sent_starts if s > vs]
            s1 = nxt[0] if nxt else len(masked)
            before = masked[s0:vs]
            after = masked[ve:s1]
            verb = m.group("verb").lower()
            inverted = re.search(r"(?:[»“”\"]\s*[,.!?…]?|,)\s*[—–-]\s*$", before) is not None
            cue: _Cue | None = None
            if inverted:
                # «...», — заявил официальный представитель МИД Анатолий Глаз.
                end = re.search(r"[,;:!?(«„\"]|\.(?=\s|$)", after)
                region = after[: end.start()] if end else after
                cue = self._speaker(region, ve, ents, first=False)
            else:
                lo = max(masked.rfind(ch, s0, vs) for ch in ',;:«»„“"()—–') + 1
                lo = max(lo, s0)
                region = masked[lo:vs]
                as_said = self._as_said_re.fullmatch(masked[lo:vs]) is not None
                if as_said:
                    # "Как заявил Глаз, ...": the speaker follows the verb, the claim the comma
                    end = re.search(r"[,;:!?(«„\"]|\.(?=\s|$)", after)
                    region = after[: end.start()] if end else after
                    cue = self._speaker(region, ve, ents, first=True)
                    if cue is not None and end is not None and after[end.start()] == ",":
                        cue.pos, cue.end, cue.verb, cue.according = vs, ve + end.end(), verb, True
                        self._finish_cue(cue, masked, s0, cue.end, cues)  # a date after the comma is the claim's
                    continue
                about_this = _ABOUT_THIS.fullmatch(_clean(region)) is not None
                cue = self._speaker(region, lo, ents, first=False) if region.strip() and not about_this else None
                if cue is None and about_this:
                    # «...». Об этом заявил Глаз. / Про це повідомив ...: the speaker follows the verb
                    end = re.search(r"[,;:!?(«„\"]|\.(?=\s|$)", after)
                    cue = self._speaker(after[: end.start()] if end else after, ve, ents, first=True)
                    if cue is not None:
                        cue.pos, cue.end, cue.verb = vs, ve, verb
                        self._finish_cue(cue, masked, s0, s1, cues)
                        continue
                if cue is None and lo > s0 and masked[lo - 1] == "," and not region.strip():
                    # Анатолий Глаз, официальный представитель МИД, заявил ...
                    lo2 = max(masked.rfind(ch, s0, lo - 1) for ch in ',;:«»„“"()—–') + 1
                    lo2 = max(lo2, s0)
                    appos = masked[lo2 : lo - 1]
                    if has_title(appos, self.lang) and lo2 > s0 and masked[lo2 - 1] == ",":
                        lo3 = max(max(masked.rfind(ch, s0, lo2 - 1) for ch in ',;:«»„“"()—–') + 1, s0)
                        cue = self._speaker(masked[lo3 : lo2 - 1], lo3, ents, first=False)
                        if cue is not None and cue.kind == "person":
                            cue.title = cue.title or _clean(appos)
            if cue is None:
                cues.append(_Cue(vs, ve, None, None, "person", None, verb=verb))  # narration marker
                continue
            cue.pos, cue.end, cue.verb = vs, ve, verb
            if not inverted:
                t = self._that_re.match(after)
                if t:
                    cue.reported_from = ve + t.end()
                elif re.match(r"\s*:\s*(?![«„“\"·])\S", after):
                    cue.reported_from = ve + after.index(":") + 1
            self._finish_cue(cue, masked, s0, cue.reported_from or s1, cues)
        for m in self._according_re.finditer(masked) if has_according else ():
            cue = self._speaker(m.group("np"), m.start("np"), ents, first=True)
            if cue is None:
                continue
            cue.pos, cue.end, cue.according = m.start(), m.end(), True
            s0 = max(s for s in sent_starts if s <= m.start())
            self._finish_cue(cue, masked, s0, m.end(), cues)
        cues.sort(key=lambda c: c.pos)
        quote_speaker: dict[int, _Cue | None] = {}
        for i, (s, e) in enumerate(quotes):
            best, dist = None, 10**9
            for c in cues:
                if c.speaker is None or c.reported_from is not None or c.according:
                    continue
                d = c.pos - e if c.pos >= e else (s - c.end if c.end <= s else 0)
                if 0 <= d < dist and d <= 80:
                    best, dist = c, d
            if best is None and i == 0 and raw[:s].strip() == "":
                best = self._pending or self._last_quote_cue  # a quote paragraph after "X заявил:"
            quote_speaker[i] = best
        said = [c for c in quote_speaker.values() if c is not None]
        if quotes:
            self._last_quote_cue = said[-1] if said else None
        stripped = raw.strip()
        self._pending = next((c for c in reversed(cues) if c.speaker), None) if stripped.endswith(":") else None
        for _, _, when, prec in find_dates(
            masked.replace("·", " "), self.ref_year, self.doc_date, self.anchor, self.lang
        ):
            if prec in ("day", "month") and when <= dt.date.today():
                if self.latest_date is None or when > self.latest_date:
                    self.latest_date = when
        for y in _YEAR.findall(masked):
            if int(y) <= dt.date.today().year:
                self.ref_year = int(y)
        return SlavicParagraph(
            text=raw,
            offset=offset,
            quotes=quotes,
            cues=cues,
            quote_speaker=quote_speaker,
            doc_date=self.doc_date,
            doc_date_source=self.doc_date_source,
        )

    def _finish_cue(self, cue: _Cue, masked: str, lo: int, hi: int, cues: list[_Cue]) -> None:
        self._when(masked, cue, lo, hi)
        if cue.kind == "person" and cue.speaker:
            self._last_person = cue.speaker
            if cue.title and not self.persons.get(cue.speaker) and len(cue.speaker.split()) >= 2:
                self.persons[cue.speaker] = cue.title
        cues.append(cue)


# --- claim shape ----------------------------------------------------------------------------

_FRAME_AT = re.compile(r"(?<=[\w)»”\"])\s*:\s+(?=\S)|\s[—–]\s")
_FUTURE_RE = re.compile(FUTURE, re.I)


def strip_framing(text: str, max_lead_words: int = 14) -> str:
    """ "Он в очередной раз умолчал о главном: за последнее десятилетие страны НАТО стали ...":
    the checkable part follows the colon. The lead goes when it is short, holds no figure and is
    shorter than what follows, and what follows is no quote.

    >>> strip_framing("Он снова умолчал о главном: страны НАТО за десять лет стали машиной по производству беженцев.")
    'Страны НАТО за десять лет стали машиной по производству беженцев.'
    """
    m = _FRAME_AT.search(text)
    if not m:
        return text
    lead, rest = text[: m.start()], text[m.end() :]
    lw = len(lead.split())
    if 1 <= lw <= max_lead_words and not re.search(r"\d", lead) and lw < len(rest.split()) and len(rest.split()) >= 5:
        if not rest.lstrip().startswith(("«", "„", "“", '"')):
            return _finish(rest)
    return text


def claim_category(text: str, verb: str | None = None) -> str:
    """``"prediction"`` for a promise ("пообещал") or a sentence in the future tense, else ``"fact"``.

    >>> claim_category("Цены будут снижены."), claim_category("Цены выросли на 5%.")
    ('prediction', 'fact')
    """
    if verb and verb.lower() in PROMISE_VERBS:
        return "prediction"
    return "prediction" if _FUTURE_RE.search(text) else "fact"


def is_dateline(sentence: str, lang: str) -> bool:
    """True for a line that is only a place and a date ("Минск, 14 декабря 2021 года"): no claim.

    >>> is_dateline("Минск, 14 декабря 2021 года", "ru"), is_dateline("14 декабря в Минске прошёл митинг.", "ru")
    (True, False)
    """
    found = find_dates(sentence, None, None, None, lang)
    if not found:
        return False
    rest = sentence
    for s, e, _, _ in reversed(found):
        rest = rest[:s] + " " + rest[e:]
    words = _TOKEN.findall(rest)
    return len(words) <= 2 and not re.search(r"[.!?…]\s*$", sentence.strip()) or (len(words) <= 1)
