"""Stance data v4: the new English sets and the permissive multilingual sets of issue 23.

The v4 mix is the v3 mix (`stance_data.build_mix` with `V3_MIX`) plus the sets of
`V4_SOURCES`, each sampled to its cap, deduplicated and with every pair that also occurs in
an evaluation set removed (`eval_keys`). Labels are `stance_data.LABELS`; each loader says
how it maps the set's own labels.

Hold-out discipline (issue 23: "before training, drop every pair that also occurs in a set
you evaluate on"):

* Splits we evaluate on are never read by a training loader: XNLI (CC BY-NC, evaluation
  only), FarsTail Val, ANS dev, RU22Fact validate, the TERRa public dev (a seeded 20% of
  TERRa train, `terra_split`), the NLI anchors of `stance_data.is_anchor`.
* Every training pair whose (premise, hypothesis) occurs in one of those sets is dropped,
  compared after `norm_text` (case, punctuation and spacing folded, because e-SNLI is
  tokenised and lower-cased). A training pair whose premise is an XNLI premise is dropped
  too: XNLI's English premises come from the MNLI genres, so an MNLI train pair on the same
  premise would teach the evaluation passage.

TERRa is binary: ``not_entailment`` is mapped to not_enough_info (it lumps neutral and
contradiction together, so it can never teach *refutes*).

Run ``python -m factdesk.train.stance_data_v4 --out v4.jsonl.gz`` to write the mix as
gzip JSON lines ``{"claim", "evidence", "label", "source", "lang"}``.

>>> norm_text("Two  men, SMILING!") == norm_text("two men smiling")
True
>>> sorted(FNC_STANCE.items())[0]
('agree', 'supports')
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from factdesk.errors import InputError
from factdesk.train.stance_data import (
    LABELS,
    LOADERS,
    V3_MIX,
    StancePair,
    _clean,
    _jsonl,
    _keep,
    _pair,
    build_mix,
    check_root,
    is_anchor,
)

SUPPORTS, REFUTES, NEI = LABELS

Loader = Callable[[Path], list[StancePair]]

_NLI3 = {
    "entailment": SUPPORTS,
    "e": SUPPORTS,
    "contradiction": REFUTES,
    "c": REFUTES,
    "neutral": NEI,
    "n": NEI,
    "not_entailment": NEI,
}
"""Three-way NLI labels (and TERRa's ``not_entailment``, which can only say NEI)."""

FNC_STANCE = {"agree": SUPPORTS, "disagree": REFUTES, "discuss": NEI, "unrelated": NEI}
"""FNC-1 / ARC stances: a headline that an article only discusses, or that is off-topic for
it, is not settled by it (issue 23: off-topic passages must be not-enough-info)."""

ANS_STANCE = {"agree": SUPPORTS, "disagree": REFUTES, "other": NEI}

CITINT_LABEL = {"SUPPORT": SUPPORTS, "REFUTE": REFUTES}

RU22FACT_LABEL = {"supported": SUPPORTS, "refuted": REFUTES, "nei": NEI, "not enough info": NEI}

CLAIM_LEVEL_REPEAT = 2
"""As `stance_data.build_mix`: claim-level AVeriTeC pairs count twice."""

TERRA_DEV_SEED = 24
TERRA_DEV_FRACTION = 0.2


def _nli3(label: object) -> str | None:
    return _NLI3.get(str(label).strip().lower())


def _ml(root: Path) -> Path:
    return root / "data" / "multilingual"


def norm_text(text: str) -> str:
    """Case, punctuation and spacing folded: the key that eval-overlap checks compare on."""
    return " ".join(re.sub(r"[\W_]+", " ", str(text).lower()).split())


def _cap_by(rows: list[tuple[str, StancePair]], caps: dict[str, int], seed: int) -> list[StancePair]:
    """Rows are (original label, pair); an original label with a cap is sampled down to it."""
    rng = random.Random(seed)
    by: dict[str, list[StancePair]] = {}
    for tag, p in rows:
        by.setdefault(tag, []).append(p)
    out: list[StancePair] = []
    for tag in sorted(by):
        ps = by[tag]
        cap = caps.get(tag)
        out += rng.sample(ps, cap) if cap is not None and len(ps) > cap else ps
    return out


# ---------------------------------------------------------------- English NLI samples


def _glue_json(path: Path, source: str) -> list[StancePair]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return _keep(_pair(r["text_b"], r["text_a"], _nli3(r["label"]), source) for r in data.values())


def load_mnli_train_sample(root: Path) -> list[StancePair]:
    """MNLI train random sample (train.json and dev.json: both drawn from MNLI train)."""
    d = root / "nli" / "mnli_train_sample"
    return [
        p
        for f in ("data_glue_pretrain_MNLI_train.json", "data_glue_pretrain_MNLI_dev.json")
        for p in _glue_json(d / f, "mnli_train_sample")
    ]


def load_snli_train_sample(root: Path) -> list[StancePair]:
    """SNLI train random sample (train.json and dev.json: both drawn from SNLI train)."""
    d = root / "nli" / "snli_train_sample"
    return [
        p
        for f in ("data_glue_pretrain_SNLI_train.json", "data_glue_pretrain_SNLI_dev.json")
        for p in _glue_json(d / f, "snli_train_sample")
    ]


def _tsv_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def load_snli_counterfactual(root: Path) -> list[StancePair]:
    """Counterfactually-augmented SNLI train: the original pairs and their minimal label-flipping edits."""
    d = root / "nli" / "snli_counterfactual"
    out: list[StancePair | None] = []
    for f in ("NLI_original_train.tsv", "NLI_revised_combined_train.tsv"):
        out += [
            _pair(r["sentence2"], r["sentence1"], _nli3(r["gold_label"]), "snli_counterfactual")
            for r in _tsv_rows(d / f)
        ]
    return _keep(iter(out))


# ---------------------------------------------------------------- FNC-1 and ARC stance


def _bodies(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["Body ID"]: r["articleBody"] for r in csv.DictReader(fh)}


def _fnc_rows(stance_files: Iterable[Path], bodies: dict[str, str], source: str) -> list[tuple[str, StancePair]]:
    rows: list[tuple[str, StancePair]] = []
    for f in stance_files:
        with f.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                stance = r["Stance"].strip().lower()
                p = _pair(r["Headline"], bodies.get(r["Body ID"]), FNC_STANCE.get(stance), source)
                if p is not None:
                    rows.append((stance, p))
    return rows


FNC1_CAPS = {"unrelated": 4000, "discuss": 4000}
"""FNC-1 is 73% unrelated: sampled down so that off-topic NEI teaches, not dominates."""

ARC_CAPS = {"unrelated": 2500}


def load_fnc1_train(root: Path, seed: int = 0) -> list[StancePair]:
    """FNC-1 official train stances (both files of the 90/10 split) joined with train bodies.

    agree -> supports, disagree -> refutes, discuss and unrelated -> not_enough_info;
    unrelated and discuss are sampled down to `FNC1_CAPS`.
    """
    d = root / "nli" / "fnc1_train"
    bodies = _bodies(root / "nli" / "fnc1" / "train_bodies.csv")
    files = sorted(d.glob("*_train_*_stances.csv"))
    if not files:
        raise FileNotFoundError(f"no FNC-1 train stance files in {d}")
    return _cap_by(_fnc_rows(files, bodies, "fnc1_train"), FNC1_CAPS, seed)


def load_arc_stance(root: Path, seed: int = 0) -> list[StancePair]:
    """ARC stance train split (its test split is left alone), FNC-1 mapping; unrelated capped (`ARC_CAPS`)."""
    d = root / "nli" / "arc_stance"
    bodies = _bodies(d / "data_fnc-1_corpora_ARC_arc_bodies.csv")
    rows = _fnc_rows([d / "data_fnc-1_corpora_ARC_arc_stances_train.csv"], bodies, "arc_stance")
    return _cap_by(rows, ARC_CAPS, seed)


# ---------------------------------------------------------------- other English sets


def load_citation_integrity(root: Path) -> list[StancePair]:
    """Citation-Integrity train: citing sentence vs the cited abstract's rationale sentences.

    SUPPORT -> supports, REFUTE -> refutes; a claim with no rationale in its cited abstract is
    paired with the whole abstract as not_enough_info. Dev and test are left alone.
    """
    d = root / "nli" / "citation_integrity"
    corpus = {int(r["doc_id"]): r for r in _jsonl(d / "data_citint_corpus.jsonl")}
    out: list[StancePair | None] = []
    for r in _jsonl(d / "data_citint_claims_train.jsonl"):
        claim = re.sub(r"\[<\|multi_cit\|>[^\]]*\]|<\|multi_cit\|>", "", r["claim"])
        ev = r.get("evidence") or {}
        for doc_id in r.get("cited_doc_ids") or []:
            doc = corpus.get(int(doc_id))
            if doc is None:
                continue
            sents = doc["abstract"]
            rsets = ev.get(str(doc_id)) or []
            for rs in rsets:
                idx = [i for i in rs["sentences"] if i < len(sents)]
                out.append(
                    _pair(claim, " ".join(sents[i] for i in idx), CITINT_LABEL.get(rs["label"]), "citation_integrity")
                )
            if not rsets:
                out.append(_pair(claim, " ".join(sents), NEI, "citation_integrity"))
    return _keep(iter(out))


def load_conjnli(root: Path) -> list[StancePair]:
    """ConjNLI adversarial train (rule-labelled conjunct edits); the human-labelled dev is left alone."""
    p = root / "nli" / "conjnli" / "data_NLI_adversarial_train_15k.tsv"
    return _keep(_pair(r["Hypothesis"], r["Premise"], _nli3(r["Label"]), "conjnli") for r in _tsv_rows(p))


def load_breaking_nli(root: Path) -> list[StancePair]:
    """Breaking NLI: SNLI premises with one word swapped (contradiction-heavy hard negatives)."""
    p = root / "nli" / "breaking_nli" / "breaking_nli_dataset_data_dataset.jsonl"
    return _keep(_pair(r["sentence2"], r["sentence1"], _nli3(r["gold_label"]), "breaking_nli") for r in _jsonl(p))


def load_med(root: Path) -> list[StancePair]:
    """MED monotonicity: entailment -> supports, neutral -> not_enough_info.

    MED's "neutral" also holds its contradictions (a non-entailment label), so it is mapped to
    not_enough_info, never to refutes.
    """
    p = root / "nli" / "med" / "MED.tsv"
    return _keep(_pair(r["sentence2"], r["sentence1"], _nli3(r["gold_label"]), "med") for r in _tsv_rows(p))


def load_monli(root: Path) -> list[StancePair]:
    """MoNLI: PMoNLI and NMoNLI train (entailment / neutral); NMoNLI test is left alone."""
    d = root / "nli" / "monli"
    out: list[StancePair | None] = []
    for f in ("pmonli.jsonl", "nmonli_train.jsonl"):
        out += [_pair(r["sentence2"], r["sentence1"], _nli3(r["gold_label"]), "monli") for r in _jsonl(d / f)]
    return _keep(iter(out))


def load_control(root: Path) -> list[StancePair]:
    """ConTRoL dev + test (train is absent): long verbal-reasoning premises, e / n / c."""
    d = root / "nli" / "control"
    out: list[StancePair | None] = []
    for f in ("data_dev.jsonl", "data_test.jsonl"):
        out += [_pair(r["hypothesis"], r["premise"], _nli3(r["label"]), "control") for r in _jsonl(d / f)]
    return _keep(iter(out))


# ---------------------------------------------------------------- multilingual (permissive)


def farstail_rows(path: Path) -> list[dict[str, str]]:
    """FarsTail csv rows (TAB-separated, quoted multi-line fields): premise, hypothesis, label (e/n/c)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def load_farstail(root: Path) -> list[StancePair]:
    """FarsTail (fa) train only; Val is our evaluation set and Test is not here."""
    rows = farstail_rows(_ml(root) / "farstail" / "data_Train-word.csv")
    return _keep(_pair(r["hypothesis"], r["premise"], _nli3(r["label"]), "farstail") for r in rows)


def terra_split(root: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """TERRa train rows split into (train, public dev); the dev is evaluation only.

    TERRa repeats premises (1,617 distinct premises in 2,616 rows), so the split is by
    premise: distinct premises are shuffled with seed `TERRA_DEV_SEED` and taken into the dev
    until it holds `TERRA_DEV_FRACTION` of the rows. No dev premise is ever trained on.
    Deterministic for a given file.
    """
    rows = list(_jsonl(_ml(root) / "terra_ru" / "data_TERRa_train.jsonl"))
    premises = sorted({norm_text(str(r["premise"])) for r in rows})
    random.Random(TERRA_DEV_SEED).shuffle(premises)
    size = Counter(norm_text(str(r["premise"])) for r in rows)
    want, held, dev = round(len(rows) * TERRA_DEV_FRACTION), 0, set()
    for prem in premises:
        if held >= want:
            break
        dev.add(prem)
        held += size[prem]
    is_dev = [norm_text(str(r["premise"])) in dev for r in rows]
    return [r for r, d in zip(rows, is_dev) if not d], [r for r, d in zip(rows, is_dev) if d]


def load_terra(root: Path) -> list[StancePair]:
    """TERRa (ru) train less our public dev: entailment -> supports, not_entailment -> not_enough_info."""
    train, _ = terra_split(root)
    return _keep(_pair(r["hypothesis"], r["premise"], _nli3(r["label"]), "terra") for r in train)


def load_ans_stance(root: Path) -> list[StancePair]:
    """ANS Arabic stance train: s2 (annotator's paraphrase or contradiction) as the claim, s1 (headline) as evidence.

    agree -> supports, disagree -> refutes, other -> not_enough_info; dev is evaluation.
    """
    p = _ml(root) / "ans_arabic_stance" / "data_stance_train.csv"
    with p.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return _keep(_pair(r["s2"], r["s1"], ANS_STANCE.get(r["stance"].strip().lower()), "ans_stance") for r in rows)


def _parquet_rows(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        raise FileNotFoundError(str(path))
    try:
        import pyarrow.parquet as pq
    except ImportError as e:  # pyarrow is an optional dependency
        raise FileNotFoundError(f"{path.name} needs pyarrow ({e})") from e
    rows: list[dict[str, object]] = pq.read_table(path).to_pylist()
    return rows


def load_ru22fact_uk(root: Path) -> list[StancePair]:
    """RU22Fact Ukrainian train: claim vs its LLM-rewritten evidence (weak signal, capped in the mix)."""
    rows = _parquet_rows(_ml(root) / "ru22fact_subsets" / "data_parquets_ukrainian_fact_train.parquet")
    return _keep(
        _pair(
            r.get("claim"),
            _without_claim(str(r.get("claim") or ""), str(r.get("evidence") or "")),
            RU22FACT_LABEL.get(str(r.get("label")).strip().lower()),
            "ru22fact_uk",
        )
        for r in rows
    )


def _without_claim(claim: str, evidence: str) -> str:
    """The evidence less a leading copy of the claim (RU22Fact's rewritten evidence often opens with it,
    which would teach that restating the claim refutes it).

    >>> _without_claim("Claim here", "Claim here   The facts.")
    'The facts.'
    """
    c, e = _clean(claim), _clean(evidence)
    return e[len(c) :].strip() if c and e.startswith(c) else e


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class V4Source:
    """One new set of the v4 mix: loader, licence, cap (0 = every pair), permissive, language."""

    name: str
    loader: Loader
    licence: str
    cap: int
    permissive: bool
    lang: str


# Order matters: it decides the seeded sample (as in stance_data.SOURCES).
V4_SOURCES: tuple[V4Source, ...] = (
    V4Source("mnli_train_sample", load_mnli_train_sample, "OANC / CC BY 3.0 / CC BY-SA 3.0 (repo MIT)", 0, True, "en"),
    V4Source("snli_train_sample", load_snli_train_sample, "CC BY-SA 4.0 (repo MIT)", 0, True, "en"),
    V4Source("snli_counterfactual", load_snli_counterfactual, "Apache-2.0; SNLI CC BY-SA 4.0", 0, True, "en"),
    V4Source("fnc1_train", load_fnc1_train, "no licence file (FNC-1, from Emergent)", 0, False, "en"),
    V4Source("arc_stance", load_arc_stance, "repo Apache-2.0; no separate data licence", 0, False, "en"),
    V4Source("citation_integrity", load_citation_integrity, "repo MIT; corpus licence not checked", 0, False, "en"),
    V4Source("conjnli", load_conjnli, "MIT", 6000, True, "en"),
    V4Source("breaking_nli", load_breaking_nli, "CC BY-SA 4.0", 3000, True, "en"),
    V4Source("med", load_med, "CC BY-SA 4.0", 0, True, "en"),
    V4Source("monli", load_monli, "no licence file (SNLI-derived, CC BY-SA)", 0, False, "en"),
    V4Source("control", load_control, "CC BY-NC-SA 4.0", 0, False, "en"),
    V4Source("farstail", load_farstail, "Apache-2.0", 0, True, "fa"),
    V4Source("terra", load_terra, "MIT", 0, True, "ru"),
    V4Source("ans_stance", load_ans_stance, "Apache-2.0", 0, True, "ar"),
    V4Source("ru22fact_uk", load_ru22fact_uk, "no licence file (weak: LLM-rewritten evidence)", 1000, False, "uk"),
)

V4_BY_NAME: dict[str, V4Source] = {s.name: s for s in V4_SOURCES}
V4_PERMISSIVE = frozenset(s.name for s in V4_SOURCES if s.permissive)


def source_lang(source: str) -> str:
    """Language of a pair's source set: the v4 multilingual sets say theirs, everything else is English."""
    s = V4_BY_NAME.get(source)
    return s.lang if s else "en"


# ---------------------------------------------------------------- evaluation overlap


def xnli_rows(path: Path) -> list[tuple[str, str, str]]:
    """XNLI tsv rows (premise TAB hypothesis TAB label, no header)."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                out.append((parts[0], parts[1], parts[2]))
    return out


@dataclass
class EvalKeys:
    """Normalised (hypothesis, premise) pairs of every evaluation set, and XNLI's premises."""

    pairs: dict[tuple[str, str], str]
    """(norm claim, norm evidence) -> the evaluation set it comes from."""
    premises: dict[str, str]
    """norm premise -> evaluation set, for sets whose premises must not be trained on (XNLI, TERRa dev)."""

    def hit(self, p: StancePair) -> str | None:
        """The evaluation set this training pair overlaps, or None."""
        c, e = norm_text(p.claim), norm_text(p.evidence)
        return self.pairs.get((c, e)) or self.premises.get(e)


def eval_keys(root: Path) -> EvalKeys:
    """Keys of every set we report on: XNLI first half (all languages), NLI anchors, TERRa dev,
    FarsTail Val, ANS dev, RU22Fact validate (when pyarrow is there). Absent files are skipped."""
    pairs: dict[tuple[str, str], str] = {}
    premises: dict[str, str] = {}

    def add(name: str, claim: object, evidence: object) -> None:
        pairs.setdefault((norm_text(_clean(claim)), norm_text(_clean(evidence))), name)

    for f in sorted((_ml(root) / "xnli_dev").glob("*.tsv")):
        for prem, hyp, _ in xnli_rows(f):
            add("xnli", hyp, prem)
            premises.setdefault(norm_text(_clean(prem)), "xnli_premise")
    for name in ("snli", "mnli", "vitaminc_real"):
        try:
            for p in LOADERS[name](root):
                if is_anchor(p):
                    add(f"{name}_anchor", p.claim, p.evidence)
        except FileNotFoundError:
            pass
    try:
        for r in terra_split(root)[1]:
            add("terra_dev", r["hypothesis"], r["premise"])
            premises.setdefault(norm_text(_clean(r["premise"])), "terra_dev_premise")
    except FileNotFoundError:
        pass
    fv = _ml(root) / "farstail" / "data_Val-word.csv"
    if fv.is_file():
        for fr in farstail_rows(fv):
            add("farstail_val", fr["hypothesis"], fr["premise"])
    ad = _ml(root) / "ans_arabic_stance" / "data_stance_dev.csv"
    if ad.is_file():
        with ad.open(encoding="utf-8-sig", newline="") as fh:
            for ar in csv.DictReader(fh):
                add("ans_dev", ar["s2"], ar["s1"])
    try:
        for r in _parquet_rows(_ml(root) / "ru22fact_subsets" / "data_parquets_ukrainian_fact_validate.parquet"):
            add("ru22fact_validate", r.get("claim"), r.get("evidence"))
    except FileNotFoundError:
        pass
    return EvalKeys(pairs, premises)


# ---------------------------------------------------------------- the mix


@dataclass
class V4Report:
    """What `build_v4_mix` loaded, skipped and dropped: for the log and the model card."""

    loaded: Counter[str]
    duplicates: Counter[str]
    eval_overlap: Counter[str]
    """(source -> pairs dropped) for overlap with an evaluation set."""
    overlap_by_eval: Counter[str]
    skipped: dict[str, str]


def build_v4_mix(
    root: Path,
    seed: int = 13,
    include_v3: bool = True,
    sources: Iterable[str] | None = None,
    report: V4Report | None = None,
) -> list[StancePair]:
    """The v3 mix plus the `V4_SOURCES` sets at their caps, deduplicated, eval overlap removed, shuffled.

    ``sources`` picks some of the new sets (default: all); absent sets are skipped with a note
    on stderr. Pass a `V4Report` to get the counts of what was dropped and why.
    """
    root = check_root(root)
    rep = report if report is not None else V4Report(Counter(), Counter(), Counter(), Counter(), {})
    names = list(V4_BY_NAME) if sources is None else list(sources)
    for n in names:
        if n not in V4_BY_NAME:
            raise InputError(f"unknown v4 set {n!r}: choose from {', '.join(V4_BY_NAME)}")
    rng = random.Random(seed)
    # v3 doubles its claim-level AVeriTeC pairs on purpose: dedup first, then double them again.
    pairs: list[StancePair] = build_mix(root, V3_MIX, seed=seed, claim_level_repeat=1) if include_v3 else []
    for n in names:
        src = V4_BY_NAME[n]
        try:
            got = src.loader(root)
        except FileNotFoundError as e:
            rep.skipped[n] = str(e)
            print(f"[stance data v4] skipping {n}: {e}", file=sys.stderr)
            continue
        if src.cap and len(got) > src.cap:
            got = rng.sample(got, src.cap)
        pairs += got
    keys = eval_keys(root)
    seen: set[tuple[str, str]] = set()
    out: list[StancePair] = []
    for p in pairs:
        rep.loaded[p.source] += 1
        if p.anchor:
            rep.eval_overlap[p.source] += 1
            rep.overlap_by_eval["anchor"] += 1
            continue
        where = keys.hit(p)
        if where:
            rep.eval_overlap[p.source] += 1
            rep.overlap_by_eval[where] += 1
            continue
        k = (norm_text(p.claim), norm_text(p.evidence))
        if k in seen:
            rep.duplicates[p.source] += 1
            continue
        seen.add(k)
        out.append(p)
    out += [p for p in out if p.source == "averitec_claim"] * (CLAIM_LEVEL_REPEAT - 1)
    rng.shuffle(out)
    return out


def write_jsonl_gz(pairs: Iterable[StancePair], path: Path) -> int:
    """Write pairs as gzip JSON lines {"claim","evidence","label","source","lang"}; returns the count."""
    n = 0
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for p in pairs:
            row = {"claim": p.claim, "evidence": p.evidence, "label": p.label, "source": p.source}
            row["lang"] = source_lang(p.source)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def counts_table(pairs: Iterable[StancePair]) -> dict[str, dict[str, int]]:
    """Pairs per source and label, plus a ``TOTAL`` row."""
    table: dict[str, Counter[str]] = {}
    for p in pairs:
        table.setdefault(p.source, Counter())[p.label] += 1
        table.setdefault("TOTAL", Counter())[p.label] += 1
    return {s: {lab: c[lab] for lab in LABELS} | {"all": sum(c.values())} for s, c in sorted(table.items())}


def main(argv: list[str] | None = None) -> int:
    from factdesk.config import shared_root

    ap = argparse.ArgumentParser(prog="python -m factdesk.train.stance_data_v4", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="output file (.jsonl.gz)")
    ap.add_argument("--data", type=Path, default=None, help="shared data root (holds data/ and nli/); default: config")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--no-v3", action="store_true", help="only the new v4 sets, without the v3 mix")
    ap.add_argument("--terra-dev-out", type=Path, default=None, help="also write our TERRa public dev (jsonl)")
    args = ap.parse_args(argv)
    root = check_root(args.data or shared_root())
    rep = V4Report(Counter(), Counter(), Counter(), Counter(), {})
    pairs = build_v4_mix(root, seed=args.seed, include_v3=not args.no_v3, report=rep)
    n = write_jsonl_gz(pairs, args.out)
    if args.terra_dev_out:
        _, dev = terra_split(root)
        args.terra_dev_out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in dev), encoding="utf-8")
    summary = {
        "out": str(args.out),
        "pairs": n,
        "counts": counts_table(pairs),
        "langs": dict(Counter(source_lang(p.source) for p in pairs)),
        "dropped_eval_overlap": dict(rep.eval_overlap),
        "dropped_by_eval_set": dict(rep.overlap_by_eval),
        "dropped_duplicates": dict(rep.duplicates),
        "skipped": rep.skipped,
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
