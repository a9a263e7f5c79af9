"""The default writer: a Polygraph-style analysis built only from stored passages, no LLM.

Every analysis sentence reports one passage (attributed to its publisher and date) and cites
it as [n]. Summary sentences state the desk's verdict and cite the passages behind it.
The grounding check (`report.grounding`) then re-judges each analysis sentence against the
passage it cites and drops any it cannot confirm.
"""

from __future__ import annotations

import datetime as dt
import re

from factdesk.ingest.chunking import split_sentences
from factdesk.types import Claim, Evidence, Rating, Sentence, StanceLabel, Verdict

HEADLINE_VERB: dict[Rating, str] = {
    Rating.TRUE: "Is Right",
    Rating.LIKELY_TRUE: "Is Largely Right",
    Rating.MISLEADING: "Misleads",
    Rating.PARTIALLY_FALSE: "Is Partly Wrong",
    Rating.LIKELY_FALSE: "Is Likely Wrong",
    Rating.FALSE: "Is Wrong",
    Rating.UNSUBSTANTIATED: "Offers No Evidence",
}

RATING_PHRASE: dict[Rating, str] = {
    Rating.TRUE: "true",
    Rating.LIKELY_TRUE: "likely true",
    Rating.MISLEADING: "misleading",
    Rating.PARTIALLY_FALSE: "partially false",
    Rating.LIKELY_FALSE: "likely false",
    Rating.FALSE: "false",
    Rating.UNSUBSTANTIATED: "unsubstantiated",
}

STRONG = 0.5  # stance probability above which a passage counts as taking a side


def format_date(d: dt.date | None) -> str:
    return d.strftime("%B %-d, %Y") if d else "an unknown date"


def _short(text: str, words: int = 12) -> str:
    ws = text.split()
    return " ".join(ws[:words]) + ("..." if len(ws) > words else "")


def _first_sentences(text: str, max_chars: int = 320) -> str:
    out = ""
    for s, e in split_sentences(text):
        piece = text[s:e]
        if out and len(out) + len(piece) > max_chars:
            break
        out = f"{out} {piece}".strip()
    return out or text[:max_chars]


def _strip_end(text: str) -> str:
    return re.sub(r"[\s.]+$", "", text)


def sided(evidence: list[Evidence], label: StanceLabel) -> list[tuple[int, Evidence]]:
    """(1-based number, evidence) of passages that take `label`'s side strongly."""
    out = []
    for n, e in enumerate(evidence, 1):
        if e.stance and e.stance.label == label and e.stance.probability >= STRONG:
            out.append((n, e))
    return out


def headline(claim: Claim, verdict: Verdict) -> str:
    who = claim.speaker or "Claim"
    return f"{who} {HEADLINE_VERB[verdict.rating]}: “{_short(claim.text, 10)}”"


class TemplateWriter:
    """Writes headline, summary and analysis from the judged evidence; deterministic."""

    def __init__(self, max_per_side: int = 3) -> None:
        self.max_per_side = max_per_side

    def warm_up(self) -> None:
        pass

    def run(self, claim: Claim, evidence: list[Evidence], verdict: Verdict) -> tuple[str, list[Sentence], list[Sentence]]:
        sup = sided(evidence, StanceLabel.SUPPORTS)[: self.max_per_side]
        ref = sided(evidence, StanceLabel.REFUTES)[: self.max_per_side]
        who = claim.speaker or "The claim"
        if claim.speaker and claim.speaker_title:
            who = f"{claim.speaker}, {claim.speaker_title},"
        when = f" on {format_date(claim.date)}" if claim.date else ""
        phrase = RATING_PHRASE[verdict.rating]
        summary = [Sentence(f"{who} said{when} that “{_strip_end(claim.text)}.”" if claim.speaker
                            else f"The claim under review is “{_strip_end(claim.text)}.”", [])]
        cited = sorted({n for n, _ in sup + ref})
        if verdict.rating == Rating.UNSUBSTANTIATED:
            summary.append(Sentence(
                f"factdesk rates it {phrase} (confidence {verdict.confidence:.2f}): of the {len(evidence)} "
                "passages retrieved, none clearly supports or contradicts it.", []))
        else:
            summary.append(Sentence(
                f"factdesk rates it {phrase} (confidence {verdict.confidence:.2f}): "
                f"{len(ref)} of the {len(evidence)} passages weighed contradict it and {len(sup)} support it.",
                cited))
        analysis: list[Sentence] = []
        chosen = sorted(sup + ref, key=lambda ne: (ne[1].document.published or dt.date.max, ne[0]))
        for n, e in chosen:
            analysis.append(Sentence(self.attribute(e), [n]))
        if verdict.rating == Rating.UNSUBSTANTIATED:
            analysis.append(Sentence(
                "The evidence in the store does not show whether the claim is accurate; "
                "an editor should look for primary sources before publishing.", []))
        elif verdict.rating in (Rating.MISLEADING, Rating.PARTIALLY_FALSE) and sup and ref:
            analysis.append(Sentence(
                "Some sources bear out part of the claim while others contradict it, so it leaves a false impression.",
                sorted({sup[0][0], ref[0][0]})))
        return headline(claim, verdict), summary, analysis

    @staticmethod
    def attribute(e: Evidence) -> str:
        """"UNHCR reported on March 3, 2016 that ..." using the passage's own words."""
        src = e.document.publisher or e.document.title or "A source"
        when = f" on {format_date(e.document.published)}" if e.document.published else ""
        body = _strip_end(_first_sentences(e.passage.text))
        return f"{src} reported{when}: “{body}.”"
