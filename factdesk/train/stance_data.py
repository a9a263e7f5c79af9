"""Loaders that turn public claim-evidence sets into (claim, evidence, label) stance pairs.

Every loader reads from the shared data root (the folder that holds `data/` and `nli/`,
``../shared`` next to the repository by default), maps the set's own labels onto
factdesk's three stance labels (supports / refutes / not_enough_info) and returns a list
of :class:`StancePair`. Nothing is downloaded and nothing is copied into the repository.

Every set is one row of `SOURCES` (name, loader, licence, cap in each mix); `LOADERS`,
`LICENCES`, `V2_MIX`, `V3_MIX` and `PERMISSIVE` are read from that table.

Evaluation hold-outs are decided here, with the rule of `factdesk.eval.stance_heldout`
(``fold``, ``EVAL_HOLDOUT_K``), so that training and evaluation agree:

* AVeriTeC ``dev_public.json`` is never read by a loader (it is the evaluation set).
* AVeriTeC train claims with ``fold("averitec", index) == 0`` (a quarter) are kept out of
  stance training; the verdict aggregator is fitted on them, so its features come from
  a stance model that never saw those claims.
* Climate-FEVER and SciFact claims with ``fold(...) == 0`` (a fifth) are kept out, so the
  evaluator can score the held-out fold honestly (their ids go into ``config.json``).
* NLI anchors (from v3 on), evaluation-only and never trained on: SNLI test, the half of
  MNLI dev-matched with ``fold("mnli-anchor", i, 2) == 0`` and the fold of VitaminC real with
  ``fold("vitaminc-anchor", i, 5) == 0`` (see :func:`is_anchor`). `build_mix` drops them;
  `anchor_pairs` returns them, less the pairs the v2 model already trained on.

>>> fold("climate-fever", "5", k=5) in range(5)
True
>>> averitec_qa_text({"question": "Q?", "answers": [{"answer": "No", "answer_type": "Boolean",
...     "boolean_explanation": "Because."}]})
'Q? No. Because.'
"""

from __future__ import annotations

import csv
import dataclasses
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdesk.errors import InputError
from factdesk.eval.stance_heldout import EVAL_HOLDOUT_K, fold

SUPPORTS = "supports"
REFUTES = "refutes"
NEI = "not_enough_info"
LABELS: tuple[str, str, str] = (SUPPORTS, REFUTES, NEI)
"""Same order as `factdesk.types.STANCE_ORDER`."""

AVERITEC_HOLDOUT_K = 4
"""AVeriTeC train claims whose fold (of 4) is 0 are kept for the verdict aggregator."""


@dataclass(frozen=True)
class StancePair:
    """One training example: a claim, one evidence text, its stance label and its source set."""

    claim: str
    evidence: str
    label: str
    source: str
    anchor: bool = False
    """An evaluation-only NLI anchor (see `is_anchor`): never trained on."""

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown stance label {self.label!r}: use one of {LABELS}")


def _clean(text: Any) -> str:
    s = " ".join(str(text or "").split())
    # FEVER-style token escapes; the tokenizer would otherwise see -LRB- as a word.
    for a, b in (
        ("-LRB-", "("),
        ("-RRB-", ")"),
        ("-LSB-", "["),
        ("-RSB-", "]"),
        ("-LCB-", "{"),
        ("-RCB-", "}"),
        ("-COLON-", ":"),
    ):
        s = s.replace(a, b)
    return s


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)


def _pair(claim: Any, evidence: Any, label: str | None, source: str) -> StancePair | None:
    c, e = _clean(claim), _clean(evidence)
    if not c or not e or label is None:
        return None
    return StancePair(c, e, label, source)


def _keep(pairs: Iterator[StancePair | None]) -> list[StancePair]:
    return [p for p in pairs if p is not None]


def _anchor_tag(p: StancePair | None, anchor: bool) -> StancePair | None:
    return dataclasses.replace(p, anchor=True) if p is not None and anchor else p


def is_anchor(p: StancePair) -> bool:
    """True for the evaluation-only NLI anchors (SNLI test, MNLI half, VitaminC real fold)."""
    return p.anchor


_GENERIC = {
    "supports": SUPPORTS,
    "support": SUPPORTS,
    "supported": SUPPORTS,
    "sup": SUPPORTS,
    "s": SUPPORTS,
    "entailment": SUPPORTS,
    "e": SUPPORTS,
    "entail": SUPPORTS,
    "refutes": REFUTES,
    "refute": REFUTES,
    "refuted": REFUTES,
    "contradict": REFUTES,
    "contradiction": REFUTES,
    "c": REFUTES,
    "ref": REFUTES,
    "u": REFUTES,
    "contra": REFUTES,
    "not enough info": NEI,
    "not_enough_info": NEI,
    "nei": NEI,
    "neutral": NEI,
    "n": NEI,
    "not enough": NEI,
}


def _map(label: Any) -> str | None:
    return _GENERIC.get(str(label).strip().lower())


# ---------------------------------------------------------------- AVeriTeC (in-domain)


def averitec_qa_text(q: dict[str, Any]) -> str:
    """One question-answer pair as the AVeriTeC scorer writes it: ``question answer``.

    Boolean answers get ``". " + boolean_explanation``; a question with no answer gets
    ``"No answer could be found."``.
    """
    question = _clean(q.get("question"))
    parts = []
    for a in q.get("answers") or []:
        ans = _clean(a.get("answer"))
        if a.get("answer_type") == "Boolean" and a.get("boolean_explanation"):
            ans = f"{ans}. {_clean(a['boolean_explanation'])}"
        if ans:
            parts.append(ans)
    if not parts:
        return f"{question} No answer could be found."
    return f"{question} {' '.join(parts)}"


def averitec_qa_unanswered(q: dict[str, Any]) -> bool:
    """True when every answer of a QA pair is empty or of type Unanswerable."""
    answers = q.get("answers") or []
    return not answers or all(a.get("answer_type") == "Unanswerable" or not _clean(a.get("answer")) for a in answers)


_AVERITEC_CLAIM_STANCE = {
    "Supported": SUPPORTS,
    "Refuted": REFUTES,
    "Not Enough Evidence": NEI,
}


_BACKGROUND = re.compile(
    r"(?i:^\s*(?:when|where)\b.*\b(?:claim|post|statement|said|say|made|published|posted|tweet|speech|video)\b)"
    r"|^\s*(?i:who)\s+(?i:is|was|are)\s+(?:[A-Z][\w.'-]*\s*)+\??\s*$"  # "Who is Anatoly Glaz?"
    r"|(?i:^\s*who\s+(?:is|was)\s+the\s+(?:speaker|author|person|source)\b)"
    r"|(?i:^\s*who\s+(?:made|said|posted|published|wrote|shared)\s+(?:this|the|that)\s+"
    r"(?:claim|statement|post|quote|tweet|video|image|article)\b)"
    r"|(?i:\b(?:what|which)\s+(?:is|was)\s+the\s+(?:source|origin|context|date)\b)",
)


def averitec_background_question(q: dict[str, Any]) -> bool:
    """A question about the claim's date, origin or speaker, not about what it asserts.

    Such QA pairs set the scene ("Who is Anatoly Glaz?", "When was the claim made?") and do
    not carry the claim's verdict, so they are not-enough-info pairs.

    >>> averitec_background_question({"question": "When did the speaker make this claim?"})
    True
    >>> averitec_background_question({"question": "How many refugees did Turkey host in 2021?"})
    False
    """
    return bool(_BACKGROUND.search(str(q.get("question") or "")))


def averitec_pair_label(claim_label: str, q: dict[str, Any]) -> str | None:
    """Heuristic stance of one gold QA pair, derived from the claim's verdict.

    * unanswered QA pair -> not_enough_info;
    * Not Enough Evidence claim -> not_enough_info;
    * Supported / Refuted claim -> supports / refutes (the gold QA pairs were written to
      justify the verdict, so most of them carry it; background questions are the noise,
      measured by hand in the model card);
    * Conflicting Evidence/Cherrypicking -> None (left out: the pair-level stance is mixed).
    """
    if averitec_qa_unanswered(q):
        return NEI
    if averitec_background_question(q):
        return NEI
    if claim_label == "Conflicting Evidence/Cherrypicking":
        return None
    return _AVERITEC_CLAIM_STANCE.get(claim_label)


def averitec_claim_text(item: dict[str, Any]) -> str:
    """The claim as the judge sees it (AVeriTeC claims carry no extra context we use)."""
    return _clean(item.get("claim"))


def averitec_evidence_concat(questions: list[dict[str, Any]]) -> str:
    """All QA pairs of a claim joined into one claim-level evidence text."""
    return " ".join(averitec_qa_text(q) for q in questions)


def load_averitec_train(root: Path, *, holdout: bool = True) -> list[StancePair]:
    """AVeriTeC train: one pair per gold QA pair plus one claim-level pair per claim.

    With ``holdout`` (the default) the aggregator's quarter of the claims is left out.
    """
    items = json.loads((root / "data" / "averitec" / "train.json").read_text(encoding="utf-8"))
    out: list[StancePair] = []
    for i, item in enumerate(items):
        if holdout and fold("averitec", i, AVERITEC_HOLDOUT_K) == 0:
            continue
        claim = averitec_claim_text(item)
        qs = item.get("questions") or []
        for q in qs:
            p = _pair(claim, averitec_qa_text(q), averitec_pair_label(item["label"], q), "averitec_qa")
            if p:
                out.append(p)
        lab = _AVERITEC_CLAIM_STANCE.get(item["label"])
        p = _pair(claim, averitec_evidence_concat(qs), lab, "averitec_claim")
        if p:
            out.append(p)
    return out


def load_averitec_qa(root: Path) -> list[StancePair]:
    """AVeriTeC train QA-pair stances only (aggregator quarter held out)."""
    return [p for p in load_averitec_train(root) if p.source == "averitec_qa"]


def load_averitec_claim(root: Path) -> list[StancePair]:
    """AVeriTeC train claim-level pairs only: claim vs all its QA pairs joined."""
    return [p for p in load_averitec_train(root) if p.source == "averitec_claim"]


_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_OFFTOPIC_STOP = frozenset(
    "the and for that with this from was were are has have had not but its their they said says "
    "claim claims will would been than more about into over after also who which what when".split()
)


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _OFFTOPIC_STOP)


def load_averitec_offtopic(root: Path, seed: int = 0, lo: float = 0.15, hi: float = 0.4) -> list[StancePair]:
    """Same-topic, off-claim pairs, labelled not_enough_info (issue 23, part 0).

    Each AVeriTeC train claim (the aggregator's quarter held out, as in `load_averitec_train`)
    is paired with one answered QA pair of *another* claim that shares some of its words
    (Jaccard of content words in [`lo`, `hi`): the same topic, a different claim; above `hi`
    the two may be one claim twice, and are left out). A desk's corpus is full of such
    passages: on the subject, silent on the claim. FNC-1/ARC 'unrelated' pairs
    (`stance_data_v4`) teach the off-subject case; these teach the same-subject one.

    >>> sorted(_content_words("The tram line opened in 2019, the council said."))
    ['council', 'line', 'opened', 'tram']
    """
    items = json.loads((root / "data" / "averitec" / "train.json").read_text(encoding="utf-8"))
    kept = [
        (averitec_claim_text(it), _content_words(averitec_claim_text(it)), it.get("questions") or [])
        for i, it in enumerate(items)
        if fold("averitec", i, AVERITEC_HOLDOUT_K) != 0
    ]
    # an inverted index keeps this linear-ish: only claims that share a word are compared
    index: dict[str, list[int]] = {}
    for j, (_, words, _) in enumerate(kept):
        for w in words:
            index.setdefault(w, []).append(j)
    rng = random.Random(seed)
    out: list[StancePair | None] = []
    for i, (claim, words, _) in enumerate(kept):
        if not words:
            continue
        shared = Counter(j for w in words for j in index.get(w, ()) if j != i)
        near = [
            j
            for j, n in shared.items()
            if lo <= n / len(words | kept[j][1]) < hi and kept[j][0] != claim and kept[j][2]
        ]
        if not near:
            continue
        j = rng.choice(sorted(near))
        answered = [q for q in kept[j][2] if not averitec_qa_unanswered(q)]
        if answered:
            out.append(_pair(claim, averitec_qa_text(rng.choice(answered)), NEI, "averitec_offtopic"))
    return _keep(iter(out))


# ---------------------------------------------------------------- Climate-FEVER, SciFact


def climate_fever_heldout_ids(root: Path) -> list[str]:
    """Climate-FEVER claim ids kept out of stance training (fold 0 of 5)."""
    path = root / "data" / "climate-fever" / "climate-fever-public.jsonl"
    return [str(r["claim_id"]) for r in _jsonl(path) if fold("climate-fever", r["claim_id"], EVAL_HOLDOUT_K) == 0]


def load_climate_fever(root: Path) -> list[StancePair]:
    """Climate-FEVER per-sentence labels, plus claim vs its five sentences (claim label).

    DISPUTED claim labels are left out of the claim-level pairs; held-out claims are skipped.
    """
    out: list[StancePair | None] = []
    path = root / "data" / "climate-fever" / "climate-fever-public.jsonl"
    for r in _jsonl(path):
        if fold("climate-fever", r["claim_id"], EVAL_HOLDOUT_K) == 0:
            continue
        evs = r.get("evidences") or []
        for ev in evs:
            out.append(_pair(r["claim"], ev["evidence"], _map(ev["evidence_label"]), "climate_fever"))
        lab = _map(r.get("claim_label"))
        out.append(_pair(r["claim"], " ".join(_clean(ev["evidence"]) for ev in evs), lab, "climate_fever_claim"))
    return _keep(iter(out))


def scifact_heldout_ids(root: Path) -> list[int]:
    """SciFact train claim ids kept out of stance training (fold 0 of 5)."""
    path = root / "data" / "scifact" / "claims_train.jsonl"
    return [int(r["id"]) for r in _jsonl(path) if fold("scifact", r["id"], EVAL_HOLDOUT_K) == 0]


def load_scifact(root: Path, seed: int = 0) -> list[StancePair]:
    """SciFact train rationales (SUPPORT / CONTRADICT) and NEI negatives.

    Positives: each rationale set's sentences joined, and the title + abstract as a whole
    (abstract-level label). Negatives (not_enough_info): up to two non-rationale sentences of
    each cited abstract, and the whole abstract for claims without evidence in it.
    """
    rng = random.Random(seed)
    base = root / "data" / "scifact"
    corpus = {int(d["doc_id"]): d for d in _jsonl(base / "corpus.jsonl")}
    out: list[StancePair | None] = []
    for r in _jsonl(base / "claims_train.jsonl"):
        if fold("scifact", r["id"], EVAL_HOLDOUT_K) == 0:
            continue
        ev = r.get("evidence") or {}
        for doc_id in r.get("cited_doc_ids") or []:
            doc = corpus.get(int(doc_id))
            if doc is None:
                continue
            sents = doc["abstract"]
            rsets = ev.get(str(doc_id)) or []
            used: set[int] = set()
            doc_label = None
            for rs in rsets:
                lab = _map(rs["label"])
                doc_label = lab
                idx = [i for i in rs["sentences"] if i < len(sents)]
                used.update(idx)
                out.append(_pair(r["claim"], " ".join(sents[i] for i in idx), lab, "scifact"))
            out.append(_pair(r["claim"], f"{doc['title']}. {' '.join(sents)}", doc_label or NEI, "scifact_abstract"))
            rest = [i for i in range(len(sents)) if i not in used]
            for i in rng.sample(rest, min(2, len(rest))):
                out.append(_pair(r["claim"], sents[i], NEI, "scifact"))
    return _keep(iter(out))


# ---------------------------------------------------------------- fact verification sets


def _nli(root: Path) -> Path:
    return root / "nli"


def load_vitaminc_real(root: Path) -> list[StancePair]:
    p = _nli(root) / "vitaminc" / "vitaminc_real" / "test.jsonl"
    return _keep(
        _anchor_tag(
            _pair(r["claim"], r["evidence"], _map(r["label"]), "vitaminc_real"), fold("vitaminc-anchor", i, 5) == 0
        )
        for i, r in enumerate(_jsonl(p))
    )


def load_vitaminc_synthetic(root: Path) -> list[StancePair]:
    p = _nli(root) / "vitaminc" / "vitaminc_synthetic" / "test.jsonl"
    return _keep(_pair(r["claim"], r["evidence"], _map(r["label"]), "vitaminc_synthetic") for r in _jsonl(p))


def load_fever_misc(root: Path) -> list[StancePair]:
    """FEVER 2.0 adversarial, universal triggers and FEVER-Symmetric (v0.1 full, v0.2)."""
    out: list[StancePair | None] = []
    v = _nli(root) / "vitaminc"
    for name in ("fever_adversarial", "fever_triggers"):
        out += [
            _pair(r["claim"], r["evidence"], _map(r["label"]), "fever_misc") for r in _jsonl(v / name / "test.jsonl")
        ]
    fs = _nli(root) / "fever_symmetric"
    for f in sorted(fs.glob("*.jsonl")):
        for r in _jsonl(f):
            out.append(
                _pair(
                    r["claim"],
                    r.get("evidence") or r.get("evidence_sentence"),
                    _map(r.get("gold_label") or r.get("label")),
                    "fever_misc",
                )
            )
    return _keep(iter(out))


def load_fever_rte_dev(root: Path) -> list[StancePair]:
    """FEVER dev with gold evidence, binary: entailment -> supports, not_entailment -> refutes."""
    d = _nli(root) / "fever_rte_dev"
    ev = (d / "RTE-Fever_processed_dev.raw.input0").read_text(encoding="utf-8").splitlines()
    cl = (d / "RTE-Fever_processed_dev.raw.input1").read_text(encoding="utf-8").splitlines()
    lb = (d / "RTE-Fever_processed_dev.label").read_text(encoding="utf-8").splitlines()
    m = {"entailment": SUPPORTS, "not_entailment": REFUTES}
    return _keep(_pair(c, e, m.get(lab.strip()), "fever_rte") for e, c, lab in zip(ev, cl, lb))


def load_fm2(root: Path) -> list[StancePair]:
    out: list[StancePair | None] = []
    for f in ("dataset_dev.jsonl", "dataset_test.jsonl"):
        for r in _jsonl(_nli(root) / "fm2" / f):
            ev = " ".join(_clean(g["text"]) for g in r.get("gold_evidence") or [])
            out.append(_pair(r["text"] if "text" in r else r.get("claim"), ev, _map(r["label"]), "fm2"))
    return _keep(iter(out))


def load_sufficient_facts(root: Path) -> list[StancePair]:
    """SufficientFacts: reduced evidence that is no longer enough -> NEI; the rest keeps its label."""
    out: list[StancePair | None] = []
    for f in sorted((_nli(root) / "sufficient_facts").glob("*_sufficient_facts.jsonl")):
        for r in _jsonl(f):
            ev = " ".join(_clean(e[1]) if isinstance(e, list) else _clean(e) for e in r["evidence"])
            lab = NEI if r["label_after"] == "NOT ENOUGH" else _map(r["label_before"])
            out.append(_pair(r["claim"], ev, lab, "sufficient_facts"))
    return _keep(iter(out))


def load_healthver(root: Path) -> list[StancePair]:
    out: list[StancePair | None] = []
    for f in ("data_healthver_dev.csv", "data_healthver_test.csv"):
        with (_nli(root) / "healthver" / f).open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                out.append(_pair(r["claim"], r["evidence"], _map(r["label"]), "healthver"))
    return _keep(iter(out))


def load_check_covid(root: Path) -> list[StancePair]:
    """Check-COVID: claim vs its evidence sentences in the CORD-19 abstract (via corpus.json)."""
    d = _nli(root) / "check_covid"
    corpus = {r["cord_id"]: r["abstract"] for r in _jsonl(d / "Check-COVID_corpus.json")}
    out: list[StancePair | None] = []
    for r in _jsonl(d / "Check-COVID_Check-COVID_all.json"):
        sents = corpus.get(r.get("cord_id"))
        if not sents:
            continue
        idx = [e["sent_index"] for e in r.get("evidence_set") or [] if e["sent_index"] < len(sents)]
        ev = " ".join(sents[i] for i in idx) if idx else " ".join(sents[:3])
        out.append(_pair(r["claim"], ev, _map(r["label"]), "check_covid"))
    return _keep(iter(out))


def load_covidfact(root: Path) -> list[StancePair]:
    """COVID-Fact RTE train split: entailment -> supports, not_entailment -> refutes."""
    m = {"entailment": SUPPORTS, "not_entailment": REFUTES}
    out: list[StancePair | None] = []
    with (_nli(root) / "covidfact" / "RTE-covidfact_train.tsv").open(encoding="utf-8") as fh:
        for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(r) >= 4 and r[0] != "index":
                out.append(_pair(r[2], r[1], m.get(r[3].strip()), "covidfact"))
    return _keep(iter(out))


def load_wice(root: Path) -> list[StancePair]:
    """WiCE oracle chunks: supported -> supports, not_supported -> NEI (partial left out)."""
    m = {"supported": SUPPORTS, "not_supported": NEI}
    out: list[StancePair | None] = []
    d = _nli(root) / "wice"
    for f in sorted(d.glob("code_and_resources_entailment_inputs_oracle_chunks_claim_*.jsonl")):
        for r in _jsonl(f):
            ev = r["evidence"]
            out.append(_pair(r["claim"], " ".join(ev) if isinstance(ev, list) else ev, m.get(r["label"]), "wice"))
    return _keep(iter(out))


def load_liar_plus(root: Path) -> list[StancePair]:
    """LIAR-PLUS: claim vs the fact-checker's justification (true/mostly-true, false/pants-fire)."""
    m = {"true": SUPPORTS, "mostly-true": SUPPORTS, "false": REFUTES, "pants-fire": REFUTES}
    out: list[StancePair | None] = []
    for f in ("dataset_jsonl_val2.jsonl", "dataset_jsonl_test2.jsonl"):
        for r in _jsonl(_nli(root) / "liar_plus" / f):
            out.append(
                _pair(
                    r.get("claim") or r.get("statement"),
                    r.get("justification"),
                    m.get(str(r.get("label")).strip().lower()),
                    "liar_plus",
                )
            )
    return _keep(iter(out))


# ---------------------------------------------------------------- general NLI sets


def load_anli(root: Path) -> list[StancePair]:
    out: list[StancePair | None] = []
    for f in sorted((_nli(root) / "anli").glob("*.jsonl")):
        out += [_pair(r["hypothesis"], r["context"], _map(r["label"]), "anli") for r in _jsonl(f)]
    return _keep(iter(out))


def load_mnli(root: Path) -> list[StancePair]:
    p = _nli(root) / "mnli" / "data_mnli_dev.jsonl"
    return _keep(
        _anchor_tag(_pair(r["hypothesis"], r["premise"], _map(r["label"]), "mnli"), fold("mnli-anchor", i, 2) == 0)
        for i, r in enumerate(_jsonl(p))
    )


def load_snli(root: Path) -> list[StancePair]:
    d = _nli(root) / "snli_esnli"
    out: list[StancePair | None] = []
    for split in ("dev", "test"):
        s1 = (d / f"dataset_eSNLI_s1.{split}").read_text(encoding="utf-8").splitlines()
        s2 = (d / f"dataset_eSNLI_s2.{split}").read_text(encoding="utf-8").splitlines()
        lb = (d / f"dataset_eSNLI_labels.{split}").read_text(encoding="utf-8").splitlines()
        out += [_anchor_tag(_pair(h, p, _map(lab), "snli"), split == "test") for p, h, lab in zip(s1, s2, lb)]
    return _keep(iter(out))


def load_sick(root: Path) -> list[StancePair]:
    out: list[StancePair | None] = []
    with (_nli(root) / "sick" / "SICK.txt").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            out.append(_pair(r["sentence_B"], r["sentence_A"], _map(r["entailment_label"]), "sick"))
    return _keep(iter(out))


def load_semi_auto_nli(root: Path) -> list[StancePair]:
    out: list[StancePair | None] = []
    for f in sorted((_nli(root) / "semi_auto_nli").glob("*_train.jsonl")):
        out += [_pair(r["hypothesis"], r["premise"], _map(r["label"]), "semi_auto_nli") for r in _jsonl(f)]
    return _keep(iter(out))


def load_rte_glue(root: Path) -> list[StancePair]:
    """GLUE RTE train: entailment -> supports; not_entailment is ambiguous and is left out."""
    out: list[StancePair | None] = []
    with (_nli(root) / "rte_glue" / "data_RTE_train.tsv").open(encoding="utf-8") as fh:
        for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(r) >= 4 and r[3].strip() == "entailment":
                out.append(_pair(r[2], r[1], SUPPORTS, "rte"))
    return _keep(iter(out))


# ---------------------------------------------------------------- contrastive pairs

_NUM = re.compile(r"(?<![\w.\-/])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w\-/]|\.\d)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_COPULA = re.compile(r"\b(is|are|was|were|has|have|had|will|can|did|does|do)\b(?! not\b)")


def _changed_number(token: str, rng: random.Random) -> str:
    value = float(token.replace(",", ""))
    while True:
        factor = rng.choice((0.25, 0.4, 0.5, 2.0, 2.5, 3.0, 10.0))
        new = value * factor if value else float(rng.randint(2, 90))
        text = f"{new:,.0f}" if "," in token else (f"{new:.1f}" if "." in token else f"{round(new)}")
        if text != token:
            return text


def contrast(p: StancePair, rng: random.Random) -> StancePair | None:
    """A refuting twin of a supporting pair: the claim with a number, a year or its polarity changed.

    Only numbers and years that the evidence itself states are changed, so the evidence
    really contradicts the new claim ("4.3 million" against "10 million"); negation inserts
    "not" after the claim's first auxiliary verb.

    >>> contrast(StancePair("Turkey hosts 3.6 million refugees.", "Turkey hosts 3.6 million refugees, UNHCR says.",
    ...          "supports", "x"), random.Random(1)).label
    'refutes'
    """
    if p.label != SUPPORTS:
        return None
    years = [m for m in _YEAR.finditer(p.claim) if m.group(1) in p.evidence]
    nums = [m for m in _NUM.finditer(p.claim) if not _YEAR.fullmatch(m.group(1)) and m.group(1) in p.evidence]
    choice = rng.random()
    if years and choice < 0.35:
        m = rng.choice(years)
        new = str(int(m.group(1)) + rng.choice((-5, -3, -2, -1, 1, 2, 3, 5)))
    elif nums and choice < 0.8:
        m = rng.choice(nums)
        new = _changed_number(m.group(1), rng)
    else:
        m2 = _COPULA.search(p.claim)
        if m2 is None or " not " in f" {p.evidence} " or "n't" in p.evidence:
            return None
        claim = p.claim[: m2.end()] + " not" + p.claim[m2.end() :]
        return StancePair(claim, p.evidence, REFUTES, "contrastive")
    claim = p.claim[: m.start(1)] + new + p.claim[m.end(1) :]
    return StancePair(claim, p.evidence, REFUTES, "contrastive") if claim != p.claim else None


CONTRAST_SOURCES = ("averitec_qa", "climate_fever", "scifact", "fever_rte", "fm2", "healthver")


def load_contrastive(root: Path, seed: int = 0) -> list[StancePair]:
    """Refuting twins (`contrast`) of the supporting pairs of the in-domain sets, and the originals' twins only."""
    rng = random.Random(seed)
    out: list[StancePair] = []
    for name in CONTRAST_SOURCES:
        try:
            pairs = LOADERS[name](root)
        except FileNotFoundError:
            continue
        out += _keep(contrast(p, rng) for p in pairs)
    return out


Loader = Callable[[Path], list[StancePair]]


@dataclass(frozen=True)
class StanceSource:
    """One public set a stance model can train on: its loader, licence and cap in each named mix.

    A cap is the most pairs sampled from the set (0 = every pair); None leaves the set out of
    that mix.
    """

    name: str
    loader: Loader
    licence: str
    v2: int | None
    """Cap in the v2 mix (stance-minilm-l6-v2's 27k sample, sized for ~40 minutes on 2 CPU cores)."""
    v3: int | None
    """Cap in the v3 mix (every usable pair at hand, anchors excluded, ~190k)."""
    permissive: bool = False
    """Permissively licensed (CC BY / BY-SA / CC0 / MIT / Apache / ODC-BY): kept by `--permissive-only`."""


# The one table of stance data sources; the mixes are read from it in this order (the order
# decides the seeded sample, so it is part of a mix). In the v2 mix, in-domain fact-checking
# data is kept whole or nearly (claim-level AVeriTeC pairs are doubled in `build_mix`) and the
# big general NLI sets are sampled down so they do not drown it. In the v3 mix the in-domain
# sets and the large general NLI sets are kept whole, the contrastive pairs teach numbers,
# years and negation, the semi-automatic NLI pairs are sampled to 10k and SICK's short, simple
# image captions to 3k so they do not dominate. `rte` is in no mix.
SOURCES: tuple[StanceSource, ...] = (
    StanceSource("averitec_claim", load_averitec_claim, "CC BY-NC 4.0", 0, 0),
    StanceSource("averitec_qa", load_averitec_qa, "CC BY-NC 4.0", 3500, 0),
    StanceSource("climate_fever", load_climate_fever, "see upstream README (research data)", 3000, 0),
    StanceSource("scifact", load_scifact, "CC BY 4.0 (claims); abstracts from S2ORC/ODC-BY", 2000, 0, True),
    StanceSource("vitaminc_real", load_vitaminc_real, "CC BY-SA 3.0", 5000, 0, True),
    StanceSource("vitaminc_synthetic", load_vitaminc_synthetic, "CC BY-SA 3.0", 1500, 0, True),
    StanceSource("fever_rte", load_fever_rte_dev, "CC BY-SA 3.0", 1000, 0, True),
    StanceSource("fever_misc", load_fever_misc, "CC BY-SA 3.0", 500, 0, True),
    StanceSource("fm2", load_fm2, "Apache-2.0 / CC BY-SA (Wikipedia)", 800, 0, True),
    StanceSource("sufficient_facts", load_sufficient_facts, "no licence file; derived from CC BY-SA data", 800, 0),
    StanceSource("healthver", load_healthver, "no licence file", 1200, 0),
    StanceSource("check_covid", load_check_covid, "MIT", 400, 0, True),
    StanceSource("covidfact", load_covidfact, "no licence file", 400, 0),
    StanceSource("wice", load_wice, "ODC-BY annotations; CC BY-SA text", 300, 0, True),
    StanceSource("liar_plus", load_liar_plus, "CC0 1.0", 500, 0, True),
    StanceSource("anli", load_anli, "CC BY-NC 4.0", 800, 0),
    StanceSource("mnli", load_mnli, "OANC / CC BY 3.0 / CC BY-SA 3.0", 800, 0, True),
    StanceSource("snli", load_snli, "CC BY-SA 4.0", 400, 0, True),
    StanceSource("sick", load_sick, "CC BY-NC-SA 3.0", 200, 3000),
    StanceSource("semi_auto_nli", load_semi_auto_nli, "CC BY-SA (wiki premises)", 300, 10000, True),
    StanceSource("rte", load_rte_glue, "PASCAL RTE, research use", None, None),
    # Issue 23: same-topic, off-claim NEI pairs; in no mix yet (v2/v3 replay unchanged).
    StanceSource("averitec_offtopic", load_averitec_offtopic, "CC BY-NC 4.0", None, None),
    StanceSource(
        "contrastive",
        load_contrastive,
        "derived from its sources (AVeriTeC CC BY-NC 4.0, Climate-FEVER, SciFact, FEVER, FM2, HealthVer)",
        None,
        0,
    ),
)

SOURCE_BY_NAME: dict[str, StanceSource] = {s.name: s for s in SOURCES}

LOADERS: dict[str, Loader] = {s.name: s.loader for s in SOURCES}
"""Every set a stance model can be trained on, by name (read from `SOURCES`)."""

LICENCES: dict[str, str] = {s.name: s.licence for s in SOURCES}
"""Each set's licence, by name (read from `SOURCES`)."""

V2_MIX: dict[str, int] = {s.name: s.v2 for s in SOURCES if s.v2 is not None}
"""The mix the v2 model (stance-minilm-l6-v2) was trained on, kept to replay its sample."""

DEFAULT_MIX: dict[str, int] = V2_MIX
"""`build_mix`'s default: the v2 mix."""

V3_MIX: dict[str, int] = {s.name: s.v3 for s in SOURCES if s.v3 is not None}
"""The v3 mix (the CLI's default, `--mix v3`)."""

OFFTOPIC_MIX: dict[str, int] = {"averitec_offtopic": 8000}
"""Same-topic off-claim NEI pairs only: beside a v4 pack (`--pairs`), the v4 stage's mix."""

MIXES: dict[str, dict[str, int]] = {"v3": V3_MIX, "v2": V2_MIX, "offtopic": OFFTOPIC_MIX, "none": {}}
"""The named mixes of `factdesk train stance --mix`."""

PERMISSIVE = frozenset(s.name for s in SOURCES if s.permissive)
"""Sets under permissive licences: `--permissive-only`."""


def mix_named(name: str, permissive_only: bool = False) -> dict[str, int]:
    """A copy of the named mix (`MIXES`), optionally only its permissively licensed sets.

    >>> sorted(mix_named("v3", permissive_only=True))[:3]
    ['check_covid', 'fever_misc', 'fever_rte']
    """
    if name not in MIXES:
        raise InputError(f"unknown mix {name!r}: choose from {', '.join(MIXES)}")
    return {k: v for k, v in MIXES[name].items() if not permissive_only or k in PERMISSIVE}


def check_root(root: Path) -> Path:
    """Fail early, with what to do, when the shared data root is not where we expect."""
    root = Path(root).resolve()
    if not (root / "data").is_dir():
        raise InputError(
            f"no data/ folder under {root}: pass --data pointing at the folder that holds "
            "data/ (AVeriTeC, Climate-FEVER, SciFact) and nli/ (NLI sets), e.g. ../shared"
        )
    return root


def build_mix(
    root: Path,
    mix: dict[str, int] | None = None,
    seed: int = 13,
    max_pairs: int | None = None,
    claim_level_repeat: int = 2,
    exclude_anchors: bool = True,
) -> list[StancePair]:
    """Load the chosen sets, sample each down to its cap, and shuffle them together.

    Sets whose files are absent are skipped with a note on stderr rather than failing, so
    a partial data folder still trains. ``max_pairs`` caps the total after mixing. The
    evaluation anchors are dropped after sampling (``exclude_anchors=False`` replays the v2
    sample exactly, which `v2_seen` needs).
    """
    import sys

    root = check_root(root)
    mix = DEFAULT_MIX if mix is None else mix
    rng = random.Random(seed)
    out: list[StancePair] = []
    for name, cap in mix.items():
        if name not in LOADERS:
            raise InputError(f"unknown training set {name!r}: choose from {sorted(LOADERS)}")
        try:
            pairs = LOADERS[name](root)
        except FileNotFoundError as e:
            print(f"[stance data] skipping {name}: {e}", file=sys.stderr)
            continue
        if cap and len(pairs) > cap:
            pairs = rng.sample(pairs, cap)
        if exclude_anchors:
            pairs = [p for p in pairs if not p.anchor]
        if name == "averitec_claim" and claim_level_repeat > 1:
            pairs = pairs * claim_level_repeat
        out.extend(pairs)
    rng.shuffle(out)
    if max_pairs is not None and len(out) > max_pairs:
        out = out[:max_pairs]
    return out


def v2_seen(root: Path) -> set[tuple[str, str]]:
    """(claim, evidence) of every pair the v2 model's run sampled (train and validation).

    The v2 run (seed 13, `V2_MIX`) drew from the whole of MNLI dev-matched, SNLI and VitaminC
    real; replaying its sample lets the anchors leave out the few hundred pairs it saw.
    """
    return {
        (p.claim, p.evidence)
        for p in build_mix(root, V2_MIX, seed=13, exclude_anchors=False)
        if p.source in ("mnli", "snli", "vitaminc_real")
    }


ANCHOR_SETS = ("snli", "mnli", "vitaminc_real")


def anchor_pairs(root: Path, per_set: int | None = None, seed: int = 0) -> dict[str, list[StancePair]]:
    """The held-out NLI anchors by set, less what v2 trained on; ``per_set`` samples each down."""
    root = check_root(root)
    seen = v2_seen(root)
    rng = random.Random(seed)
    out: dict[str, list[StancePair]] = {}
    for name in ANCHOR_SETS:
        pairs = [p for p in LOADERS[name](root) if p.anchor and (p.claim, p.evidence) not in seen]
        if per_set and len(pairs) > per_set:
            pairs = rng.sample(pairs, per_set)
        out[name] = pairs
    return out


def describe(pairs: list[StancePair]) -> dict[str, dict[str, int]]:
    """Counts of pairs per source and label, for logs and the model card."""
    table: dict[str, Counter[str]] = {}
    for p in pairs:
        table.setdefault(p.source, Counter())[p.label] += 1
    return {s: dict(c) for s, c in sorted(table.items())}


__all__ = [
    "LABELS",
    "SOURCES",
    "StanceSource",
    "LOADERS",
    "LICENCES",
    "DEFAULT_MIX",
    "V2_MIX",
    "V3_MIX",
    "MIXES",
    "PERMISSIVE",
    "mix_named",
    "StancePair",
    "build_mix",
    "describe",
    "fold",
    "anchor_pairs",
    "averitec_qa_text",
    "averitec_pair_label",
    "averitec_evidence_concat",
    "check_root",
    "climate_fever_heldout_ids",
    "scifact_heldout_ids",
]
