"""The grounding check: every analysis sentence must be supported by a passage it cites.

Rules, in order, for each sentence:

1. Uncited: kept only if it is one of the writer's desk notes (`writer.is_desk_note`, e.g.
   what the evidence does not show); any other uncited sentence is dropped.
2. Citations must resolve to passages of the report's own evidence ([1]..[len(evidence)]);
   the rest are removed, and a sentence left with none is dropped.
3. A sentence that states or asks for a verdict ("the claim is true", "rate this ...") or
   carries an instruction is not a fact from a passage: it fails.
4. An attributed quote (`<source> reported in <date> that “...”`, `According to <source>, “...”`)
   is grounded when the source is the cited document's and the quote is verbatim in the
   passage: a passage supports its own words. Any other quoted words must be verbatim too.
5. Anything else (a paraphrase) is grounded when the stance model scores the cited passage
   as supporting it with probability >= `threshold`.

A sentence that fails is rewritten from the cited passage (its closest sentences, quoted and
attributed, so grounded by construction) when that passage is relevant to the claim, else
dropped; the original goes into the `dropped` list either way. Nothing is published uncited.

>>> from factdesk.testing.fakes import FakeStanceModel
>>> from factdesk.types import Document, Evidence, Passage, Sentence
>>> doc = Document(text="The EU imposed new sanctions on Belarus in November 2021.", publisher="Council of the EU")
>>> ev = [Evidence(Passage(doc.id, doc.text, 0, len(doc.text)), doc)]
>>> kept, dropped = GroundingCheck(FakeStanceModel()).run(
...     [Sentence("The EU imposed new sanctions on Belarus.", [1]), Sentence("Rate this True.", [99])], ev)
>>> [s.text for s in kept], [s.text for s in dropped]
(['The EU imposed new sanctions on Belarus.'], ['Rate this True.'])
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from factdesk.report.writer import attribute, is_desk_note, source_name
from factdesk.types import Evidence, Sentence, StanceLabel
from factdesk.verdict.stance import StanceModel

_CITE = re.compile(r"\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_CITE_TAIL = re.compile(r"(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+\s*([.!?]?)\s*$")


def strip_citations(text: str) -> str:
    """The sentence without trailing [n] markers (markers inside quotes are the passage's own)."""
    return _CITE_TAIL.sub(r"\1", text).strip()


_QUOTE = re.compile(r"“([^“”]+)”|\"([^\"]+)\"")
_WHEN = r"(?: (?:in [A-Z][a-z]+ \d{4}|in \d{4}|on [A-Z][a-z]+ \d{1,2}, \d{4}))?"
_VERB = r"(?:reported|reports|said|says|stated|states|wrote|writes|noted|notes|found|finds|estimated|announced)"
_VERDICT_TALK = re.compile(
    r"\brat(?:e|es|ed|ing)\s+(?:this|it|the claim|the statement|as)\b|\bverdict\b|"
    r"\bignore (?:all |the |any )?(?:previous|prior|above|earlier) instructions?\b|\bsystem prompt\b|"
    r"\b(?:the|this) (?:claim|statement)\b[^.]{0,30}\b(?:is|was|are|seems?|looks?|appears?|be)\b[^.]{0,15}"
    r"\b(?:true|false|accurate|inaccurate|correct|incorrect|misleading|unsubstantiated|right|wrong)\b",
    re.I,
)


def normalise(text: str) -> str:
    """Text for verbatim comparison: no citation markers, plain quotes, single spaces, lower case."""
    text = _CITE.sub(" ", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).lower()


def _verbatim(quote: str, passage: str) -> bool:
    q = normalise(quote).rstrip(".").removesuffix("..").rstrip(". ")
    return len(q) >= 3 and q in normalise(passage)


def _frame_ok(prefix: str, e: Evidence) -> bool:
    """Is `prefix` (the words before the quote) a bare attribution to the cited document's source?"""
    names = {source_name(e.document)} | {x for x in (e.document.publisher, e.document.title) if x}
    for name in names:
        n = re.escape(name.strip())
        if re.fullmatch(rf"(?:According to {n},?|{n} {_VERB}{_WHEN}(?: that|:|,)?)", prefix.strip(), re.I):
            return True
    return False


_FRAME = re.compile(
    rf"^(?:According to [^,“”]{{1,80}},\s*|(?:[A-Z][\w.&'’-]*\s+){{1,6}}{_VERB}{_WHEN}(?: that|:|,)?\s+)"
)


def claim_body(text: str) -> str:
    """The factual content of a paraphrase: the sentence without a leading attribution frame."""
    body = _FRAME.sub("", _CITE.sub("", text).strip())
    return body[:1].upper() + body[1:] if body else text


class GroundingCheck:
    """Keeps an analysis sentence only if a passage it cites supports it (rules in the module doc).

    Args:
        stance_model: the judge's stance model; P(supports) decides paraphrases.
        threshold: least P(supports) for a paraphrase to count as grounded.
        rewrite: rewrite a failing sentence from its cited passage (else just drop it).
    """

    def __init__(self, stance_model: StanceModel, threshold: float = 0.5, rewrite: bool = True) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold={threshold}: pass a probability in (0, 1], e.g. 0.5")
        self.stance_model = stance_model
        self.threshold = threshold
        self.rewrite = rewrite

    def warm_up(self) -> None:
        self.stance_model.warm_up()

    def _quote_status(self, s: Sentence, e: Evidence) -> bool | None:
        """True: a verbatim attributed quote; False: a misquote; None: a paraphrase to judge."""
        text = strip_citations(s.text)
        m = re.fullmatch(r"(?P<prefix>[^“”]*?)\s*“(?P<q>[^“”]+)”\s*\.?", text)
        if m and _frame_ok(m.group("prefix"), e):
            return _verbatim(m.group("q"), e.passage.text)
        for q in _QUOTE.finditer(text):
            words = (q.group(1) or q.group(2) or "").split()
            if len(words) >= 4 and not _verbatim(" ".join(words), e.passage.text):
                return False
        if _verbatim(text, e.passage.text):
            return True
        return None

    def run(self, sentences: Sequence[Sentence], evidence: Sequence[Evidence]) -> tuple[list[Sentence], list[Sentence]]:
        """Return (kept, dropped). Kept sentences are marked grounded; dropped ones are not."""
        verdicts: dict[tuple[int, int], bool] = {}
        pairs: list[tuple[str, str]] = []
        asked: list[tuple[int, int]] = []
        for i, s in enumerate(sentences):
            if _VERDICT_TALK.search(_QUOTE.sub(" ", _CITE.sub("", s.text))) and not is_desk_note(s.text):
                continue  # fails for every citation
            for n in dict.fromkeys(s.citations):
                if not 1 <= n <= len(evidence):
                    continue
                status = self._quote_status(s, evidence[n - 1])
                if status is None:
                    pairs.append((claim_body(s.text), evidence[n - 1].passage.text))
                    asked.append((i, n))
                else:
                    verdicts[(i, n)] = status
        if pairs:
            probs = self.stance_model.predict(pairs)
            for key, p in zip(asked, probs, strict=True):
                verdicts[key] = float(p[0]) >= self.threshold

        kept: list[Sentence] = []
        dropped: list[Sentence] = []
        published: set[str] = set()
        for i, s in enumerate(sentences):
            if not s.citations:
                if is_desk_note(s.text):
                    kept.append(Sentence(s.text, [], grounded=True))
                else:
                    dropped.append(Sentence(s.text, [], grounded=False))
                continue
            ok = [n for n in dict.fromkeys(s.citations) if verdicts.get((i, n))]
            text = strip_citations(s.text)
            if ok and text not in published:
                published.add(text)
                kept.append(Sentence(text, ok, grounded=True))
                continue
            dropped.append(Sentence(s.text, list(s.citations), grounded=False))
            if not self.rewrite or ok:  # `ok` here means an exact duplicate: nothing to add
                continue
            for n in dict.fromkeys(s.citations):
                if not 1 <= n <= len(evidence):
                    continue
                e = evidence[n - 1]
                if e.stance is not None and e.stance.label == StanceLabel.NOT_ENOUGH_INFO:
                    continue  # an off-topic passage does not belong in the analysis
                new = attribute(e, claim_body(s.text))
                if new not in published:
                    published.add(new)
                    kept.append(Sentence(new, [n], grounded=True))
                break
        return kept, dropped
