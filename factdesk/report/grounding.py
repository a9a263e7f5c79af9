"""The grounding check: every analysis sentence must be supported by the passages it cites.

A sentence whose citations do not resolve to evidence in the report, or that the stance
model does not score as supported by its cited passage, is rewritten from the passage
(the passage's own words, attributed) or dropped. Nothing is published uncited.
"""

from __future__ import annotations

import re

from factdesk.types import Evidence, Sentence
from factdesk.verdict.stance import StanceModel

_QUOTED = re.compile(r"“(.+?)”")


def _body(text: str) -> str:
    """The factual content of a sentence: the quoted words when it quotes a source."""
    m = _QUOTED.search(text)
    return m.group(1) if m else text


class GroundingCheck:
    """Keeps a sentence only if a cited passage supports it with probability >= threshold."""

    def __init__(self, stance_model: StanceModel, threshold: float = 0.5) -> None:
        self.stance_model = stance_model
        self.threshold = threshold

    def warm_up(self) -> None:
        self.stance_model.warm_up()

    def run(self, sentences: list[Sentence], evidence: list[Evidence]) -> tuple[list[Sentence], list[Sentence]]:
        """Return (kept, dropped). Kept sentences are marked grounded."""
        from factdesk.report.writer import TemplateWriter

        kept: list[Sentence] = []
        dropped: list[Sentence] = []
        pairs: list[tuple[str, str]] = []
        index: list[tuple[int, int]] = []
        for i, s in enumerate(sentences):
            for n in s.citations:
                if 1 <= n <= len(evidence):
                    pairs.append((_body(s.text), evidence[n - 1].passage.text))
                    index.append((i, n))
        probs = self.stance_model.predict(pairs) if pairs else []
        support: dict[int, list[int]] = {}
        for (i, n), p in zip(index, probs):
            if float(p[0]) >= self.threshold or _body(sentences[i].text) in evidence[n - 1].passage.text:
                support.setdefault(i, []).append(n)
        for i, s in enumerate(sentences):
            if not s.citations:
                kept.append(s)  # a desk statement (what the evidence does not show), not a claim of fact
                continue
            ok = support.get(i)
            if ok:
                kept.append(Sentence(s.text, ok, grounded=True))
                continue
            valid = [n for n in s.citations if 1 <= n <= len(evidence)]
            if valid:  # rewrite from the passage itself, which is grounded by construction
                kept.append(Sentence(TemplateWriter.attribute(evidence[valid[0] - 1]), [valid[0]], grounded=True))
            dropped.append(Sentence(s.text, s.citations, grounded=False))
        return kept, dropped
