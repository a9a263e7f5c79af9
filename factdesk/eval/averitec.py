"""AVeriTeC: loader, the official scorer re-implemented, and the eval runner.

The scorer follows the upstream ``eval.py`` (MichSchli/AVeriTeC@7c62d1e):

- gold evidence strings: ``question + " " + answer`` per answer (Boolean answers append
  ``". " + boolean_explanation``; a question without answers gives
  ``question + " No answer could be found."``);
- predicted strings: the same, from the prediction's ``questions`` (or ``evidence``
  ``[{question, answer}]`` pairs, plus any ``string_evidence``); only the first 10 count;
- Q-only: METEOR-Hungarian of predicted questions vs gold questions;
- Q+A: METEOR-Hungarian of predicted vs gold Q+A strings (matched sum / number of gold);
- AVeriTeC score at tau: share of claims whose Q+A score is strictly above tau and whose
  label is right.

Two settings for the desk's own predictions:

- ``gold``: the judge sees the annotated question-answer pairs as evidence; this measures
  verdict prediction alone (the evidence strings are the gold ones, so Q-only and Q+A are
  ~1 by construction).
- ``retrieved``: the desk retrieves from a *pooled corpus* of every answer in the train file
  and in the evaluated file, each answer a Document with its source URL. Leakage caveat:
  the pool holds the gold answers of the very claims being checked (written by annotators
  who had read the fact-check), so this is far easier than AVeriTeC's open-web task and its
  figures are not comparable to published open-web AVeriTeC scores.

>>> claims = load_averitec("dev_public.json")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import InputError
from factdesk.eval.meteor import hungarian_meteor
from factdesk.eval.metrics import classification_report, majority_baseline
from factdesk.types import AveritecLabel, Claim, Document, Evidence, Passage

LABELS: tuple[str, ...] = tuple(lab.value for lab in AveritecLabel)
MAX_EVIDENCE = 10
THRESHOLDS: tuple[float, ...] = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5)
PRIMARY_TAU = 0.25
NO_ANSWER = " No answer could be found."


# --------------------------------------------------------------------------- loading


@dataclass
class QA:
    """One gold question-answer pair, as an evidence string and its source."""

    question: str
    answer: str | None
    answer_type: str | None = None
    boolean_explanation: str | None = None
    source_url: str | None = None

    @property
    def text(self) -> str:
        """The string upstream's scorer compares (see module docstring)."""
        if self.answer is None:
            return self.question + NO_ANSWER
        s = self.question + " " + self.answer
        if self.answer_type == "Boolean":
            s += ". " + (self.boolean_explanation or "")
        return s


@dataclass
class AveritecExample:
    """One AVeriTeC claim with its gold label and question-answer evidence."""

    claim: Claim
    label: str | None
    qas: list[QA] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


def read_json_list(path: str | Path, what: str) -> list[dict[str, Any]]:
    """Read a JSON file holding a list of objects, with clear errors."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} file {str(p)!r} does not exist: pass the path to a {what} JSON file")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} file {str(p)!r} is not valid JSON ({exc}): pass a {what} JSON file") from exc
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise InputError(f"{what} file {str(p)!r} must hold a JSON list of objects, one per claim")
    return data


def _answers(q: dict[str, Any]) -> list[dict[str, Any]]:
    answers = q.get("answers", [])
    if isinstance(answers, dict):  # upstream accepts a single answer object too
        answers = [answers]
    return [a for a in answers if isinstance(a, dict)]


def gold_qas(item: dict[str, Any]) -> list[QA]:
    """The gold question-answer pairs of one claim record, one per answer."""
    out: list[QA] = []
    for q in item.get("questions") or []:
        answers = _answers(q)
        for a in answers:
            out.append(
                QA(
                    question=q["question"],
                    answer=str(a.get("answer", "")),
                    answer_type=a.get("answer_type"),
                    boolean_explanation=a.get("boolean_explanation"),
                    source_url=a.get("source_url"),
                )
            )
        if not answers:
            out.append(QA(question=q["question"], answer=None))
    return out


def load_averitec(path: str | Path, limit: int | None = None, require_label: bool = True) -> list[AveritecExample]:
    """Load an AVeriTeC claims file (``train.json``, ``dev.json``...)."""
    data = read_json_list(path, "AVeriTeC")
    out: list[AveritecExample] = []
    for i, item in enumerate(data[:limit] if limit else data):
        where = f"{path}: claim {i}"
        if not isinstance(item.get("claim"), str) or not item["claim"].strip():
            raise InputError(f"{where} has no 'claim' text: is this an AVeriTeC claims file?")
        label = item.get("label")
        if require_label and label not in LABELS:
            raise InputError(f"{where} has label {label!r}; valid labels: {', '.join(LABELS)}")
        qs = item.get("questions") or []
        if not isinstance(qs, list) or any(not isinstance(q, dict) or "question" not in q for q in qs):
            raise InputError(f"{where}: 'questions' must be a list of {{question, answers}} objects")
        try:
            date = item.get("claim_date")
            claim = Claim(
                text=item["claim"],
                speaker=item.get("speaker"),
                date=date,
                source=item.get("original_claim_url") or item.get("reporting_source"),
            )
        except ValueError:
            claim = Claim(text=item["claim"], speaker=item.get("speaker"))
        out.append(
            AveritecExample(
                claim=claim, label=label, qas=gold_qas(item), questions=[q["question"] for q in qs], raw=item
            )
        )
    return out


# --------------------------------------------------------------------------- scoring


def reference_strings(item: dict[str, Any]) -> list[str]:
    """Gold Q+A strings of a reference record, as upstream builds them."""
    out = [qa.text for qa in gold_qas(item)]
    out += [str(s) for s in item.get("string_evidence") or []]
    return out


def prediction_strings(item: dict[str, Any]) -> list[str]:
    """Predicted Q+A strings: ``questions`` (gold format), else ``evidence`` pairs; plus
    ``string_evidence``."""
    if "questions" in item:
        out = reference_strings({"questions": item["questions"]})
    else:
        out = [f"{e.get('question', '')} {e.get('answer', '')}" for e in item.get("evidence") or []]
    out += [str(s) for s in item.get("string_evidence") or []]
    return out


def prediction_questions(item: dict[str, Any]) -> list[str]:
    """Predicted questions; a prediction with no questions falls back to its full strings."""
    if "questions" in item:
        return [q["question"] for q in item["questions"]]
    if "evidence" in item:
        return [e.get("question", "") for e in item["evidence"]]
    return prediction_strings(item)


def score_claim(prediction: dict[str, Any], reference: dict[str, Any], preserve_line: bool = False) -> dict[str, float]:
    """Q-only and Q+A METEOR-Hungarian and label correctness for one claim."""
    gold_q = [q["question"] for q in reference.get("questions") or []]
    return {
        "q_only": hungarian_meteor(
            prediction_questions(prediction)[:MAX_EVIDENCE], gold_q, MAX_EVIDENCE, preserve_line
        ),
        "q_plus_a": hungarian_meteor(
            prediction_strings(prediction)[:MAX_EVIDENCE], reference_strings(reference), MAX_EVIDENCE, preserve_line
        ),
        "label_correct": float(prediction.get("label") == reference.get("label")),
    }


def score_predictions(
    predictions: Sequence[dict[str, Any]],
    references: Sequence[dict[str, Any]],
    thresholds: Sequence[float] = THRESHOLDS,
    preserve_line: bool = False,
    per_claim: bool = False,
) -> dict[str, Any]:
    """The AVeriTeC scorer over aligned prediction and reference records.

    Returns ``q_only``, ``q_plus_a``, ``accuracy``, ``averitec_score`` (at tau 0.25, the
    primary metric), ``averitec_score_by_tau``, label ``macro_f1``, per-class P/R/F1, the
    confusion matrix, and with ``per_claim`` the per-claim lists.
    """
    if len(predictions) != len(references):
        raise InputError(
            f"{len(predictions)} predictions for {len(references)} reference claims: "
            "the predictions file must list one prediction per claim, in the same order"
        )
    rows = [score_claim(p, r, preserve_line) for p, r in zip(predictions, references, strict=True)]
    n = len(rows)
    q_only = np.array([r["q_only"] for r in rows])
    qa = np.array([r["q_plus_a"] for r in rows])
    ok = np.array([r["label_correct"] for r in rows])
    by_tau = {f"{t:g}": float(np.mean((qa > t) * ok)) if n else 0.0 for t in thresholds}
    gold = [str(r.get("label")) for r in references]
    pred = [str(p.get("label")) for p in predictions]
    report = classification_report(gold, pred, list(LABELS))
    out: dict[str, Any] = {
        "primary_metric": "averitec_score",
        "averitec_score": float(np.mean((qa > PRIMARY_TAU) * ok)) if n else 0.0,
        "n": n,
        "q_only": float(q_only.mean()) if n else 0.0,
        "q_plus_a": float(qa.mean()) if n else 0.0,
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "averitec_score_by_tau": by_tau,
        "per_class": report["per_class"],
        "labels": report["labels"],
        "confusion_matrix": report["confusion_matrix"],
    }
    if per_claim:
        out["per_claim"] = {"q_only": q_only.tolist(), "q_plus_a": qa.tolist(), "label_correct": ok.tolist()}
    return out


# --------------------------------------------------------------------------- the desk's runs


_LOWER_FIRST = frozenset(
    "the a an in on at this that these those there it its our we you your their over more "
    "most all every no some many if when since after before during".split()
)


def question_for(claim: Claim) -> str:
    """The question a retrieved sentence answers: a yes/no question derived from the claim.

    >>> question_for(Claim(text="The EU banned curved bananas."))
    'Is it true that the EU banned curved bananas?'
    """
    text = claim.text.rstrip(" .!?")
    first, _, rest = text.partition(" ")
    if first.lower() in _LOWER_FIRST:
        text = f"{first.lower()} {rest}".rstrip()
    return f"Is it true that {text}?"


def gold_evidence(example: AveritecExample) -> list[Evidence]:
    """One Evidence per gold QA pair, its text the upstream Q+A string."""
    out = []
    for qa in example.qas:
        text = qa.text
        doc = Document(text=text, url=qa.source_url)
        out.append(Evidence(passage=Passage(document_id=doc.id, text=text, start=0, end=len(text)), document=doc))
    return out


def answer_documents(item: dict[str, Any]) -> list[Document]:
    """The answers of one claim record as Documents (text, source URL); trivial answers dropped."""
    out = []
    for q in item.get("questions") or []:
        for a in _answers(q):
            text = str(a.get("answer") or "").strip()
            if a.get("answer_type") == "Boolean" and a.get("boolean_explanation"):
                text = f"{text}. {a['boolean_explanation']}"
            if len(text) < 3 or text.lower() in {"no answer could be found.", "no"}:
                continue
            out.append(Document(text=text, url=a.get("source_url") or a.get("cached_source_url")))
    return out


def pooled_documents(paths: Iterable[str | Path]) -> list[Document]:
    """Every answer in the given AVeriTeC files as a Document (dedup by text), with its URL."""
    seen: dict[str, Document] = {}
    for path in paths:
        for item in read_json_list(path, "AVeriTeC"):
            for doc in answer_documents(item):
                seen.setdefault(doc.id, doc)
    return list(seen.values())


def prediction_record(
    index: int,
    example: AveritecExample,
    label: str,
    evidence_strings: Sequence[tuple[str, str]] | None = None,
    questions: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A prediction in the gold file's format (what upstream's scorer reads): either
    ``(question, answer)`` pairs or ready ``questions`` records."""
    if questions is None:
        questions = [
            {"question": q, "answers": [{"answer": a, "answer_type": "Extractive"}]} for q, a in evidence_strings or []
        ]
    rec: dict[str, Any] = {
        "claim_id": index,
        "claim": example.claim.text,
        "label": label,
        "questions": questions,
    }
    if extra:
        rec.update(extra)
    return rec


JudgeFn = Callable[[Claim, list[Evidence]], tuple[list[Evidence], Any]]


def _default_judge() -> JudgeFn:
    from factdesk.verdict.judge import Judge  # lazy: loads models

    judge = Judge()
    judge.warm_up()
    return judge.run


def run_gold(examples: Sequence[AveritecExample], judge: JudgeFn | None = None) -> list[dict[str, Any]]:
    """Predict each claim's label from its gold QA pairs; evidence strings are the gold ones."""
    judge = judge or _default_judge()
    preds = []
    for i, ex in enumerate(examples):
        evidence = gold_evidence(ex)
        _, verdict = judge(ex.claim, evidence)
        label = verdict.averitec_label.value if verdict.averitec_label else AveritecLabel.NOT_ENOUGH_EVIDENCE.value
        preds.append(
            prediction_record(
                i,
                ex,
                label,
                questions=ex.raw.get("questions") or [],
                extra={"confidence": verdict.confidence, "rating": verdict.rating.value},
            )
        )
    return preds


def run_retrieved(examples: Sequence[AveritecExample], desk: Any, top_k: int = MAX_EVIDENCE) -> list[dict[str, Any]]:
    """Retrieve from the desk's store, judge, and emit (derived question, sentence) evidence."""
    preds = []
    for i, ex in enumerate(examples):
        evidence = desk.retrieve(ex.claim, top_k=top_k)
        evidence, verdict = desk.judge(ex.claim, evidence)
        label = verdict.averitec_label.value if verdict.averitec_label else AveritecLabel.NOT_ENOUGH_EVIDENCE.value
        q = question_for(ex.claim)
        own = {d.id for d in answer_documents(ex.raw)}
        hit = sorted(own & {str(e.passage.document_id) for e in evidence[:MAX_EVIDENCE]})
        preds.append(
            prediction_record(
                i,
                ex,
                label,
                [(q, e.passage.text) for e in evidence[:MAX_EVIDENCE]],
                extra={
                    "confidence": verdict.confidence,
                    "rating": verdict.rating.value,
                    "evidence_urls": [e.document.url for e in evidence[:MAX_EVIDENCE]],
                    "own_answers": len(own),
                    "own_answers_retrieved": len(hit),
                },
            )
        )
    return preds


def build_pooled_desk(data: str | Path, train: str | Path | None, db: str | Path | None) -> tuple[Any, dict[str, Any]]:
    """A warmed-up Desk whose store holds the pooled answers of ``train`` and ``data``."""
    from factdesk.pipeline import Desk  # lazy: the desk pulls in the store and models

    paths = [p for p in (train, data) if p is not None]
    docs = pooled_documents(paths)
    if db is None:
        db = Path(tempfile.mkdtemp(prefix="factdesk-averitec-")) / "pool.db"
    desk = Desk(db=str(db))
    desk.warm_up()
    t0 = time.perf_counter()
    report = desk.ingest(docs)
    info = {
        "pool_documents": len(docs),
        "documents_added": getattr(report, "documents_added", None),
        "passages_added": getattr(report, "passages_added", None),
        "ingest_seconds": time.perf_counter() - t0,
        "db": str(db),
    }
    return desk, info


def evaluate(
    data: str | Path,
    setting: str = "gold",
    train: str | Path | None = None,
    db: str | Path | None = None,
    out: str | Path | None = None,
    limit: int | None = None,
    judge: JudgeFn | None = None,
    desk: Any = None,
) -> dict[str, Any]:
    """Run the desk on an AVeriTeC file and score it with the official measures.

    ``judge`` (gold) and ``desk`` (retrieved) can be passed in, e.g. fakes in tests.
    """
    if setting not in ("gold", "retrieved"):
        raise InputError(f"unknown setting {setting!r}: use 'gold' or 'retrieved'")
    examples = load_averitec(data, limit=limit)
    if not examples:
        raise InputError(f"AVeriTeC file {str(data)!r} holds no claims")
    extra: dict[str, Any] = {}
    t_setup = time.perf_counter()
    if setting == "gold":
        judge = judge or _default_judge()
    else:
        if desk is None:
            if train is not None and not Path(train).is_file():
                raise InputError(f"train file {str(train)!r} does not exist: pass --train path/to/train.json")
            desk, extra = build_pooled_desk(data, train, db)
    setup_seconds = time.perf_counter() - t_setup
    t0 = time.perf_counter()
    preds = run_gold(examples, judge) if setting == "gold" else run_retrieved(examples, desk)
    seconds = time.perf_counter() - t0
    if out is not None:
        Path(out).write_text(json.dumps(preds, indent=1, ensure_ascii=False), encoding="utf-8")
    metrics = score_predictions(preds, [ex.raw for ex in examples])
    gold_labels = [str(ex.label) for ex in examples]
    metrics.update(
        {
            "setting": setting,
            "seconds": seconds,
            "setup_seconds": setup_seconds,
            "claims_per_second": len(examples) / seconds if seconds > 0 else 0.0,
            "majority": majority_baseline(gold_labels, list(LABELS)),
        }
    )
    from factdesk.eval.metrics import expected_calibration_error

    metrics["ece"] = expected_calibration_error(
        [p.get("confidence", 0.0) for p in preds], [p["label"] == g for p, g in zip(preds, gold_labels, strict=True)]
    )
    if setting == "retrieved":
        # How much of the claim's own gold evidence came back from the pool: the leakage, measured.
        own = sum(p.get("own_answers", 0) for p in preds)
        metrics["own_answer_recall_at_10"] = sum(p.get("own_answers_retrieved", 0) for p in preds) / own if own else 0.0
        metrics["claims_with_own_answer_at_10"] = float(np.mean([p.get("own_answers_retrieved", 0) > 0 for p in preds]))
    metrics.update(extra)
    return metrics
