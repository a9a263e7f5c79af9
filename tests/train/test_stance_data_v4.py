"""Stance data v4: label mappings, caps, the TERRa hold-out and the eval-overlap filter (issue 23)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from factdesk.train import stance_data_v4 as v4
from factdesk.train.stance_data import LABELS

S, R, N = LABELS
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def _root(tmp_path: Path) -> Path:
    (tmp_path / "data" / "multilingual").mkdir(parents=True)
    (tmp_path / "nli").mkdir()
    return tmp_path


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _glue(path: Path, rows: list[tuple[str, str, str]]) -> None:
    _write(path, json.dumps({str(i): {"text_a": a, "text_b": b, "label": lab} for i, (a, b, lab) in enumerate(rows)}))


def _fnc(root: Path, stances: list[tuple[str, str, str]]) -> None:
    _write(
        root / "nli" / "fnc1" / "train_bodies.csv",
        'Body ID,articleBody\n1,"The mayor opened a bridge."\n2,Bananas are yellow.\n',
    )
    body = "Headline,Body ID,Stance\n" + "".join(f"{h},{b},{s}\n" for h, b, s in stances)
    _write(root / "nli" / "fnc1_train" / "x_train_train_stances.csv", body)
    _write(
        root / "nli" / "fnc1_train" / "x_train_test_stances.csv",
        "Headline,Body ID,Stance\nMayor opens bridge,1,agree\n",
    )


def test_fnc1_maps_stances_and_caps_unrelated(tmp_path, monkeypatch) -> None:
    root = _root(tmp_path)
    unrelated = [(f"Headline {i}", "2", "unrelated") for i in range(10)]
    _fnc(root, [("No bridge was opened", "1", "disagree"), ("Mayor speaks", "1", "discuss"), *unrelated])
    monkeypatch.setitem(v4.FNC1_CAPS, "unrelated", 3)
    pairs = v4.load_fnc1_train(root)
    by_claim = {p.claim: p.label for p in pairs}
    assert by_claim["Mayor opens bridge"] == S
    assert by_claim["No bridge was opened"] == R
    assert by_claim["Mayor speaks"] == N
    assert sum(1 for c in by_claim if c.startswith("Headline")) == 3
    assert all(by_claim[c] == N for c in by_claim if c.startswith("Headline"))
    assert {p.evidence for p in pairs if p.claim == "Mayor opens bridge"} == {"The mayor opened a bridge."}


def _terra(root: Path, n: int = 50) -> None:
    rows = [
        {
            "premise": f"Посылка {i // 2}.",
            "hypothesis": f"Гипотеза {i}.",
            "label": "entailment" if i % 2 else "not_entailment",
            "idx": i,
        }
        for i in range(n)
    ]
    _write(
        root / "data" / "multilingual" / "terra_ru" / "data_TERRa_train.jsonl",
        "".join(json.dumps(r) + "\n" for r in rows),
    )


def test_terra_dev_is_a_fixed_fifth_and_never_trained_on(tmp_path) -> None:
    root = _root(tmp_path)
    _terra(root)
    train, dev = v4.terra_split(root)
    assert len(dev) == 10 and len(train) == 40
    assert not {r["premise"] for r in dev} & {r["premise"] for r in train}  # split by premise
    assert {r["idx"] for r in dev} == {r["idx"] for r in v4.terra_split(root)[1]}
    pairs = v4.build_v4_mix(root, include_v3=False, sources=["terra"])
    assert sorted((p.claim, p.evidence) for p in pairs) == sorted((r["hypothesis"], r["premise"]) for r in train)
    assert Counter(p.label for p in pairs) == Counter(S if int(str(r["idx"])) % 2 else N for r in train)


def test_eval_overlap_is_dropped_whatever_the_case_and_punctuation(tmp_path) -> None:
    root = _root(tmp_path)
    _glue(
        root / "nli" / "mnli_train_sample" / "data_glue_pretrain_MNLI_train.json",
        [
            ("A man walks his dog.", "A man is outside.", "entailment"),  # = XNLI pair, other case/punctuation
            ("The XNLI premise, verbatim.", "Something new.", "neutral"),  # XNLI premise
            ("Kept premise.", "Kept hypothesis.", "contradiction"),
            ("Kept premise.", "Kept hypothesis.", "contradiction"),  # duplicate
        ],
    )
    _glue(root / "nli" / "mnli_train_sample" / "data_glue_pretrain_MNLI_dev.json", [])
    _write(
        root / "data" / "multilingual" / "xnli_dev" / "data_xnli_dev-en.first-half.tsv",
        "a man walks his dog\ta man is outside\tentailment\nThe XNLI premise, verbatim.\tOther.\tneutral\n",
    )
    _write(
        root / "data" / "multilingual" / "farstail" / "data_Train-word.csv",
        "premise\thypothesis\tlabel\nالف\tب\tc\nج\tد\te\n",
    )
    _write(root / "data" / "multilingual" / "farstail" / "data_Val-word.csv", "premise\thypothesis\tlabel\nالف\tب\tc\n")
    rep = v4.V4Report(Counter(), Counter(), Counter(), Counter(), {})
    pairs = v4.build_v4_mix(root, include_v3=False, sources=["mnli_train_sample", "farstail"], report=rep)
    assert sorted((p.claim, p.evidence, p.label) for p in pairs) == [
        ("Kept hypothesis.", "Kept premise.", R),
        ("د", "ج", S),
    ]
    assert rep.overlap_by_eval == Counter({"xnli": 1, "xnli_premise": 1, "farstail_val": 1})
    assert rep.duplicates == Counter({"mnli_train_sample": 1})


def test_cli_writes_gzip_jsonl_with_language(tmp_path, capsys) -> None:
    root = _root(tmp_path)
    _terra(root, n=10)
    out = tmp_path / "mix.jsonl.gz"
    assert v4.main(["--out", str(out), "--data", str(root), "--no-v3"]) == 0
    rows = [json.loads(line) for line in gzip.open(out, "rt", encoding="utf-8")]
    assert len(rows) == 8
    assert {r["lang"] for r in rows} == {"ru"} and {r["source"] for r in rows} == {"terra"}
    assert set(rows[0]) == {"claim", "evidence", "label", "source", "lang"}
    summary = json.loads(capsys.readouterr().out)
    assert summary["pairs"] == 8 and "ru22fact_uk" in summary["skipped"]


def test_unknown_set_names_the_choices(tmp_path) -> None:
    with pytest.raises(Exception, match="choose from mnli_train_sample"):
        v4.build_v4_mix(_root(tmp_path), include_v3=False, sources=["xnli"])


@pytest.mark.shared
@pytest.mark.slow
def test_real_new_sets_are_balanced_and_free_of_eval_pairs() -> None:
    if not (SHARED / "nli" / "fnc1_train").is_dir() or not (SHARED / "data" / "multilingual").is_dir():
        pytest.skip(f"needs the shared data root at {SHARED} (nli/ and data/multilingual/): absent here")
    rep = v4.V4Report(Counter(), Counter(), Counter(), Counter(), {})
    pairs = v4.build_v4_mix(SHARED, include_v3=False, report=rep)
    by = Counter(p.source for p in pairs)
    assert by["farstail"] > 7000 and 2000 < by["terra"] < 2200 and by["ans_stance"] > 2500
    assert by["conjnli"] <= 6000 and by["breaking_nli"] <= 3000 and by["ru22fact_uk"] <= 1000
    assert Counter(p.label for p in pairs if p.source == "fnc1_train")[N] <= 8000
    labels = Counter(p.label for p in pairs)
    assert all(labels[lab] > 0.2 * len(pairs) for lab in LABELS)
    keys = v4.eval_keys(SHARED)
    assert not any(keys.hit(p) for p in pairs)
    dev = {v4.norm_text(str(r["premise"])) for r in v4.terra_split(SHARED)[1]}
    assert not any(v4.norm_text(p.evidence) in dev for p in pairs if p.source == "terra")
