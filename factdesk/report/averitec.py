"""A FactCheck as an AVeriTeC prediction record.

The record carries what AVeriTeC's scorer reads (``label``, evidence as question-answer
``questions``, and the same pairs as ``evidence`` for the upstream baseline format) plus a
``justification``: the report's summary and analysis as plain text, citation markers removed
(scored against gold justifications by `factdesk.eval.meteor.justification_meteor`).

Each evidence answer is the passage text; its question is derived from the claim ("Is it true
that ...?"), the same derivation as `factdesk.eval.averitec.question_for`.

>>> from factdesk.types import Claim, FactCheck, Rating, Sentence, Verdict
>>> fc = FactCheck(Claim(text="Minsk is the capital of Belarus."), [], Verdict(Rating.TRUE, 0.9),
...                summary=[Sentence("factdesk rates it true.")])
>>> rec = to_averitec(fc, claim_id=7)
>>> rec["claim_id"], rec["label"], rec["justification"]
(7, 'Supported', 'factdesk rates it true.')
"""

from __future__ import annotations

from typing import Any

from factdesk.types import AveritecLabel, Claim, FactCheck

MAX_EVIDENCE = 10  # AVeriTeC's scorer reads the first 10 evidence strings


def question_for(claim: Claim) -> str:
    """A yes/no question from the claim: 'Is it true that <claim>?'."""
    text = claim.text.rstrip(" .!?")
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[:1].lower() + text[1:]
    return f"Is it true that {text}?"


def justification(fc: FactCheck) -> str:
    """The report's summary and analysis as one plain-text paragraph (no [n] markers)."""
    return " ".join(s.text for s in fc.summary + fc.analysis)


def to_averitec(fc: FactCheck, claim_id: int | str | None = None, max_evidence: int = MAX_EVIDENCE) -> dict[str, Any]:
    """One AVeriTeC prediction: label, evidence question-answer pairs (with URLs), justification."""
    label = (fc.verdict.averitec_label or AveritecLabel.NOT_ENOUGH_EVIDENCE).value
    q = question_for(fc.claim)
    pairs = [(q, e.passage.text, e.document.url) for e in fc.evidence[:max_evidence]]
    return {
        "claim_id": claim_id if claim_id is not None else fc.id,
        "claim": fc.claim.text,
        "label": label,
        "pred_label": label,
        "questions": [
            {"question": qq, "answers": [{"answer": a, "answer_type": "Extractive", "source_url": u}]}
            for qq, a, u in pairs
        ],
        "evidence": [{"question": qq, "answer": a, "url": u} for qq, a, u in pairs],
        "justification": justification(fc),
        "confidence": fc.verdict.confidence,
        "rating": fc.verdict.rating.value,
    }
