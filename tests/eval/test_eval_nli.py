"""`factdesk.eval.nli` and `factdesk eval nli`: readers, the stance -> NLI mapping, exact metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from factdesk.app.cli_eval import eval_group
from factdesk.config import shared_root
from factdesk.errors import InputError
from factdesk.eval import nli

# One stance answer per hypothesis, so expectations are exact.
ANSWERS = {"H-sup": 0, "H-ref": 1, "H-nei": 2}


class KeyedModel:
    """Answers supports / refutes / NEI from the claim's text; records the pairs it saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def predict(self, pairs):  # type: ignore[no-untyped-def]
        self.seen += list(pairs)
        out = np.full((len(pairs), 3), 0.1)
        for i, (claim, _evidence) in enumerate(pairs):
            out[i, ANSWERS[claim]] = 0.8
        return out


def _tsv(tmp_path: Path, rows: list[tuple[str, str, str]], header: bool = False) -> Path:
    p = tmp_path / "set.tsv"
    lines = (["premise\thypothesis\tlabel"] if header else []) + ["\t".join(r) for r in rows]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


THREE = [
    ("P1", "H-sup", "entailment"),
    ("P2", "H-ref", "contradiction"),
    ("P3", "H-nei", "neutral"),
    ("P4", "H-sup", "neutral"),  # wrong: predicted entailment
]


def test_three_way_metrics_are_exact_and_pairs_go_in_as_hypothesis_premise(tmp_path) -> None:
    model = KeyedModel()
    res = nli.evaluate(_tsv(tmp_path, THREE), model=model)
    assert res["accuracy"] == 0.75
    assert res["f1_entailment"] == pytest.approx(2 / 3)  # P 1/2, R 1
    assert res["f1_neutral"] == pytest.approx(2 / 3)  # P 1, R 1/2
    assert res["f1_contradiction"] == 1.0
    assert res["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert res["n"] == 4.0 and res["binary"] == 0.0
    assert model.seen[0] == ("H-sup", "P1")


def test_binary_sets_count_refutes_and_nei_as_not_entailment(tmp_path) -> None:
    rows = [{"premise": "P1", "hypothesis": "H-ref", "label": "not_entailment"}]
    rows += [{"premise": "P2", "hypothesis": "H-nei", "label": "not_entailment"}]
    rows += [{"premise": "P3", "hypothesis": "H-sup", "label": "entailment"}]
    rows += [{"premise": "P4", "hypothesis": "H-ref", "label": "entailment"}]
    p = tmp_path / "terra.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    res = nli.evaluate(p, model=KeyedModel())
    assert res["binary"] == 1.0 and res["accuracy"] == 0.75
    assert res["f1_not_entailment"] == pytest.approx(0.8)  # P 2/3, R 1
    assert res["f1_entailment"] == pytest.approx(2 / 3)  # P 1, R 1/2
    assert "f1_neutral" not in res


def test_farstail_csv_with_multiline_quoted_fields(tmp_path) -> None:
    p = tmp_path / "Val-word.csv"
    p.write_text('premise\thypothesis\tlabel\n"line one\nline two"\tH-sup\te\nP\tH-ref\tc\n', encoding="utf-8")
    assert nli.detect_format(p) == "farstail"
    ex = nli.read_nli(p)
    assert [(e.premise, e.label) for e in ex] == [("line one line two", "entailment"), ("P", "contradiction")]


def test_xnli_headed_file_is_read_by_its_own_columns(tmp_path) -> None:
    p = tmp_path / "xnli.dev.tsv"
    p.write_text(
        "language\tgold_label\tsentence1\tsentence2\nen\tneutral\tP-en\tH-nei\nru\tentailment\tP-ru\tH-sup\n",
        encoding="utf-8",
    )
    assert nli.detect_format(p) == "xnli"
    assert nli.read_xnli(p, language="ru") == [nli.NliExample("P-ru", "H-sup", "entailment")]
    assert len(nli.read_nli(p)) == 2


def test_header_is_skipped_and_bad_rows_say_what_is_wrong(tmp_path) -> None:
    assert len(nli.read_nli(_tsv(tmp_path, THREE, header=True))) == 4
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one column\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected premise TAB hypothesis TAB label"):
        nli.read_nli(bad)
    bad.write_text("P\tH\tmaybe\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown NLI label 'maybe'"):
        nli.read_nli(bad)


def test_sample_is_seeded_and_keeps_file_order() -> None:
    ex = [nli.NliExample(f"P{i}", "H", "entailment") for i in range(50)]
    a, b = nli.sample(ex, 10, seed=3), nli.sample(ex, 10, seed=3)
    assert a == b and len(a) == 10
    assert [int(e.premise[1:]) for e in a] == sorted(int(e.premise[1:]) for e in a)
    assert nli.sample(ex, None) == ex


def test_models_by_name_or_folder(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "stance"
    folder.mkdir()
    (folder / "tokenizer.json").write_text("{}")
    m = nli.load_stance_model(str(folder))
    assert type(m).__name__ == "OnnxCrossEncoder" and m.model_dir == folder
    with pytest.raises(InputError, match="choose from minilm, e5"):
        nli.load_stance_model("bert-huge")
    monkeypatch.setitem(nli.MODELS, "e5", ("factdesk.models.no_such_module", "E5CrossEncoder"))
    with pytest.raises(InputError, match="use --model minilm or a model folder"):
        nli.load_stance_model("e5")


def test_cli_prints_one_json_object_with_the_primary_metric(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(nli, "load_stance_model", lambda name: KeyedModel())
    r = CliRunner().invoke(eval_group, ["nli", "--data", str(_tsv(tmp_path, THREE)), "--no-record"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["suite"] == "nli" and out["primary_metric"] == "accuracy" and out["accuracy"] == 0.75
    r = CliRunner().invoke(eval_group, ["nli", "--data", str(tmp_path / "none.tsv"), "--no-record"])
    assert r.exit_code == 2 and "does not exist" in r.stderr


@pytest.mark.slow
@pytest.mark.shared
def test_shipped_minilm_beats_chance_on_xnli_english() -> None:
    path = shared_root() / "data" / "multilingual" / "xnli_dev" / "data_xnli_dev-en.first-half.tsv"
    if not path.is_file():
        pytest.skip(f"{path} is absent: put the shared data next to the repository or set FACTDESK_SHARED")
    res = nli.evaluate(path, model="minilm", limit=60, seed=0)
    assert res["n"] == 60.0 and res["accuracy"] > 0.45  # chance is 1/3; MiniLM measured ~0.6


def test_routed_model_is_the_desks_default_router() -> None:
    m = nli.load_stance_model("routed")
    assert type(m).__name__ == "LanguageRouter"
    assert type(m.english).__name__ == "OnnxCrossEncoder" and type(m.multilingual).__name__ == "E5CrossEncoder"


def test_cli_name_sets_the_record_file_and_is_checked(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(nli, "load_stance_model", lambda name: KeyedModel())
    monkeypatch.setenv("FACTDESK_RESULTS_DIR", str(tmp_path / "results"))
    data = str(_tsv(tmp_path, THREE))
    r = CliRunner().invoke(eval_group, ["nli", "--data", data, "--name", "nli-xnli-ru"])
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "results" / "nli-xnli-ru.jsonl").read_text().splitlines()[-1])
    assert rec["suite"] == "nli-xnli-ru" and rec["metrics"]["accuracy"] == 0.75
    r = CliRunner().invoke(eval_group, ["nli", "--data", data, "--name", "../../etc/x"])
    assert r.exit_code == 2 and "--name" in r.stderr
    assert not (tmp_path / "etc").exists()


def test_ans_stance_csv_reads_as_nli(tmp_path) -> None:
    p = tmp_path / "data_stance_dev.csv"
    p.write_text("s1,s2,stance\nP1,H-sup,agree\nP2,H-ref,disagree\nP3,H-nei,other\n", encoding="utf-8")
    assert nli.detect_format(p) == "ans"
    ex = nli.read_nli(p)
    assert [(e.premise, e.hypothesis, e.label) for e in ex] == [
        ("P1", "H-sup", "entailment"),
        ("P2", "H-ref", "contradiction"),
        ("P3", "H-nei", "neutral"),
    ]
    assert nli.evaluate(p, model=KeyedModel())["accuracy"] == 1.0


def test_ru22fact_parquet_one_language_claim_copy_removed(tmp_path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    p = tmp_path / "fact_validate.parquet"
    rows = {
        "claim": ["H-sup", "H-ref", "H-nei"],
        "evidence": ["H-sup The facts.", "Other facts.", "Nothing here."],
        "label": ["Supported", "Refuted", "NEI"],
        "language": ["ru", "ru", "uk"],
    }
    pq.write_table(pa.table(rows), p)
    assert nli.detect_format(p) == "ru22fact"
    ex = nli.read_nli(p, language="ru")
    assert [(e.premise, e.hypothesis, e.label) for e in ex] == [
        ("The facts.", "H-sup", "entailment"),
        ("Other facts.", "H-ref", "contradiction"),
    ]
    assert len(nli.read_nli(p)) == 3
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="not a RU22Fact parquet"):
        nli.read_nli(bad)
