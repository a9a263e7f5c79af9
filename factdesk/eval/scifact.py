"""SciFact: open retrieval over the abstract corpus, then the official scifact metrics.

Run: every corpus abstract becomes a Document (id = its ``doc_id``, text = its sentences
joined by spaces, so character offsets map back to sentence numbers) in a temporary store.
For each claim the desk retrieves passages, keeps the ``max_docs`` best abstracts, judges
each sentence of the retrieved passages, and predicts, per abstract with any
supporting/refuting sentence, a label (SUPPORT if the summed support probability is at least
the summed refute probability, else CONTRADICT) and its rationale sentences (those with
that stance, most confident first).

Metrics (``evaluation.md``, as the official scorer computes them):

- abstract-level, label-only: a predicted abstract is correct if it is a gold abstract and
  its label matches;
- abstract-level, label+rationale: also, some gold evidence set is contained in the first 3
  predicted rationale sentences;
- sentence-level, selection-only: a predicted sentence is correct if its abstract is gold
  and it belongs to a gold evidence set all of whose sentences are predicted;
- sentence-level, selection+label: also the abstract's label matches.

Precision = correct / predicted, recall = correct / gold, F1 their harmonic mean.

>>> claims = load_claims("claims_train.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factdesk.errors import InputError
from factdesk.eval.metrics import prf
from factdesk.types import Claim, Document, Evidence, Passage, StanceLabel

SCIFACT_LABELS = ("SUPPORT", "CONTRADICT")
RETRIEVE_TOP_K = 10  # passages retrieved per claim: part of this suite's definition, not the desk's top_k


@dataclass
class SciFactClaim:
    id: int
    claim: Claim
    # doc_id -> list of evidence sets, each {"sentences": [...], "label": ...}
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cited_doc_ids: list[str] = field(default_factory=list)


@dataclass
class Abstract:
    doc_id: str
    title: str
    sentences: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def spans(self) -> list[tuple[int, int]]:
        out, at = [], 0
        for s in self.sentences:
            out.append((at, at + len(s)))
            at += len(s) + 1
        return out


def _jsonl(path: str | Path, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"SciFact {what} file {str(p)!r} does not exist: pass the path to {what}.jsonl")
    with p.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{p}: line {n} is not JSON ({exc}); expected SciFact {what} JSON lines") from exc
            if not isinstance(d, dict):
                raise InputError(f"{p}: line {n} is not a JSON object")
            yield n, d


def load_claims(path: str | Path, limit: int | None = None) -> list[SciFactClaim]:
    """SciFact claims JSON lines: ``id, claim, evidence{doc_id: [{sentences, label}]}, cited_doc_ids``."""
    out = []
    for n, d in _jsonl(path, "claims"):
        if not isinstance(d.get("claim"), str) or "id" not in d:
            raise InputError(f"{path}: line {n} needs 'id' and 'claim' (is this claims_*.jsonl?)")
        ev = d.get("evidence") or {}
        if not isinstance(ev, dict):
            raise InputError(f"{path}: line {n}: 'evidence' must map doc ids to evidence sets")
        for sets in ev.values():
            for s in sets:
                if s.get("label") not in SCIFACT_LABELS or not isinstance(s.get("sentences"), list):
                    raise InputError(
                        f"{path}: line {n}: each evidence set needs 'sentences' and a label in "
                        f"{', '.join(SCIFACT_LABELS)}"
                    )
        out.append(
            SciFactClaim(
                id=int(d["id"]),
                claim=Claim(text=d["claim"]),
                evidence={str(k): v for k, v in ev.items()},
                cited_doc_ids=[str(x) for x in d.get("cited_doc_ids") or []],
            )
        )
        if limit and len(out) >= limit:
            break
    if not out:
        raise InputError(f"SciFact claims file {str(path)!r} holds no claims")
    return out


def load_corpus(path: str | Path) -> list[Abstract]:
    """SciFact corpus JSON lines: ``doc_id, title, abstract[sentences]``."""
    out = []
    for n, d in _jsonl(path, "corpus"):
        if "doc_id" not in d or not isinstance(d.get("abstract"), list):
            raise InputError(
                f"{path}: line {n} needs 'doc_id' and 'abstract' (a list of sentences): is this corpus.jsonl?"
            )
        out.append(
            Abstract(
                doc_id=str(d["doc_id"]),
                title=str(d.get("title") or ""),
                sentences=[str(s).strip() for s in d["abstract"]],
            )
        )
    if not out:
        raise InputError(f"SciFact corpus file {str(path)!r} holds no abstracts")
    return out


# --------------------------------------------------------------------------- scoring


def _gold_label(sets: Sequence[dict[str, Any]]) -> str:
    return str(sets[0]["label"])


def score_predictions(
    claims: Sequence[SciFactClaim], predictions: dict[int, dict[str, dict[str, Any]]], max_abstract_sentences: int = 3
) -> dict[str, Any]:
    """Official abstract- and sentence-level P/R/F1.

    ``predictions`` maps claim id to ``{doc_id: {"label": "SUPPORT"|"CONTRADICT", "sentences": [...]}}``.
    """
    counts = {
        k: 0
        for k in (
            "abs_pred",
            "abs_gold",
            "abs_label_only",
            "abs_label_rationale",
            "sent_pred",
            "sent_gold",
            "sent_selection",
            "sent_selection_label",
        )
    }
    for c in claims:
        gold = c.evidence
        pred = predictions.get(c.id, {})
        counts["abs_gold"] += len(gold)
        counts["sent_gold"] += sum(len({s for es in sets for s in es["sentences"]}) for sets in gold.values())
        for doc_id, p in pred.items():
            doc_id = str(doc_id)
            sents = list(dict.fromkeys(int(s) for s in p.get("sentences", [])))
            counts["abs_pred"] += 1
            counts["sent_pred"] += len(sents)
            if doc_id not in gold:
                continue
            sets = gold[doc_id]
            label_ok = p.get("label") == _gold_label(sets)
            if label_ok:
                counts["abs_label_only"] += 1
                first = set(sents[:max_abstract_sentences])
                if any(set(es["sentences"]) <= first for es in sets):
                    counts["abs_label_rationale"] += 1
            chosen = set(sents)
            good: set[int] = set()
            for es in sets:
                if set(es["sentences"]) <= chosen:
                    good |= set(es["sentences"])
            counts["sent_selection"] += len(good)
            if label_ok:
                counts["sent_selection_label"] += len(good)
    out: dict[str, Any] = {"primary_metric": "abstract_label_rationale_f1"}
    for name, key, n_pred, n_gold in (
        ("abstract_label_only", "abs_label_only", "abs_pred", "abs_gold"),
        ("abstract_label_rationale", "abs_label_rationale", "abs_pred", "abs_gold"),
        ("sentence_selection", "sent_selection", "sent_pred", "sent_gold"),
        ("sentence_selection_label", "sent_selection_label", "sent_pred", "sent_gold"),
    ):
        prec, rec, f1 = prf(counts[key], counts[n_pred], counts[n_gold])
        out[f"{name}_precision"], out[f"{name}_recall"], out[f"{name}_f1"] = prec, rec, f1
    out["counts"] = counts
    return out


# --------------------------------------------------------------------------- the desk's run


def corpus_documents(corpus: Sequence[Abstract]) -> list[Document]:
    return [Document(text=a.text, title=a.title, id=a.doc_id, publisher="SciFact corpus") for a in corpus]


def sentences_in(abstract: Abstract, start: int, end: int) -> list[int]:
    """Sentence numbers of ``abstract`` that overlap the character span [start, end)."""
    return [i for i, (s, e) in enumerate(abstract.spans()) if s < end and e > start]


def predict_claim(
    desk: Any, claim: Claim, by_id: dict[str, Abstract], top_k: int = RETRIEVE_TOP_K, max_docs: int = 3
) -> dict[str, dict[str, Any]]:
    """Retrieve, judge each sentence of the retrieved passages, predict per-abstract labels."""
    retrieved = desk.retrieve(claim, top_k=top_k)
    wanted: dict[str, set[int]] = {}
    for ev in retrieved:
        doc_id = str(ev.passage.document_id)
        if doc_id not in by_id:
            continue
        if doc_id not in wanted and len(wanted) >= max_docs:
            continue
        wanted.setdefault(doc_id, set()).update(sentences_in(by_id[doc_id], ev.passage.start, ev.passage.end))
    evidence: list[Evidence] = []
    for doc_id, idx in wanted.items():
        a = by_id[doc_id]
        spans = a.spans()
        doc = Document(text=a.text, title=a.title, id=doc_id)
        for i in sorted(idx):
            s, e = spans[i]
            evidence.append(
                Evidence(
                    passage=Passage(document_id=doc_id, text=a.sentences[i], start=s, end=e, index=i), document=doc
                )
            )
    if not evidence:
        return {}
    evidence, _ = desk.judge(claim, evidence)
    out: dict[str, dict[str, Any]] = {}
    for doc_id in wanted:
        mine = [e for e in evidence if e.passage.document_id == doc_id and e.stance is not None]
        sup = [e for e in mine if e.stance and e.stance.label == StanceLabel.SUPPORTS]
        ref = [e for e in mine if e.stance and e.stance.label == StanceLabel.REFUTES]
        if not sup and not ref:
            continue
        s_sum = sum(e.stance.probability for e in sup if e.stance)
        r_sum = sum(e.stance.probability for e in ref if e.stance)
        label, chosen = ("SUPPORT", sup) if s_sum >= r_sum else ("CONTRADICT", ref)
        chosen = sorted(chosen, key=lambda e: -(e.stance.probability if e.stance else 0.0))
        out[doc_id] = {"label": label, "sentences": [e.passage.index for e in chosen]}
    return out


def evaluate(
    claims_path: str | Path,
    corpus_path: str | Path,
    limit: int | None = None,
    db: str | Path | None = None,
    desk: Any = None,
    top_k: int = RETRIEVE_TOP_K,
    max_docs: int = 3,
    out: str | Path | None = None,
) -> dict[str, Any]:
    """Ingest the corpus into a (temporary) store, run every claim, score officially."""
    claims = load_claims(claims_path, limit)
    corpus = load_corpus(corpus_path)
    by_id = {a.doc_id: a for a in corpus}
    info: dict[str, Any] = {}
    if desk is None:
        from factdesk.pipeline import Desk

        if db is None:
            db = Path(tempfile.mkdtemp(prefix="factdesk-scifact-")) / "scifact.db"
        desk = Desk(db=str(db))
        desk.warm_up()
    t0 = time.perf_counter()
    report = desk.ingest(corpus_documents(corpus))
    info["ingest_seconds"] = time.perf_counter() - t0
    info["documents_added"] = getattr(report, "documents_added", None)
    info["passages_added"] = getattr(report, "passages_added", None)
    t0 = time.perf_counter()
    preds = {c.id: predict_claim(desk, c.claim, by_id, top_k=top_k, max_docs=max_docs) for c in claims}
    seconds = time.perf_counter() - t0
    if out is not None:
        with Path(out).open("w", encoding="utf-8") as f:
            for c in claims:
                f.write(json.dumps({"id": c.id, "evidence": preds[c.id]}) + "\n")
    metrics = score_predictions(claims, preds)
    gold_docs = sum(len(c.evidence) for c in claims)
    recall_at_k = sum(len(set(c.evidence) & set(preds[c.id])) for c in claims)
    metrics.update(info)
    metrics.update(
        {
            "n": len(claims),
            "corpus_size": len(corpus),
            "predicted_abstract_recall": recall_at_k / gold_docs if gold_docs else 0.0,
            "seconds": seconds,
            "claims_per_second": len(claims) / seconds if seconds > 0 else 0.0,
        }
    )
    return metrics
