"""Each loader on a 3-item slice of its format, written inline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factdesk.errors import InputError
from factdesk.eval.averitec import gold_evidence, load_averitec, pooled_documents, reference_strings
from factdesk.eval.checkworthy import load_checkworthy, score_checkworthy
from factdesk.eval.climate_fever import load_climate_fever
from factdesk.eval.scifact import load_claims, load_corpus, sentences_in


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_loaders_averitec(samples: dict, tmp_path: Path) -> None:
    p = write(tmp_path, "dev.json", json.dumps(samples["AVERITEC"]))
    ex = load_averitec(p)
    assert [e.label for e in ex] == ["Refuted", "Supported", "Not Enough Evidence"]
    assert ex[0].claim.date is not None and ex[0].claim.date.isoformat() == "2020-10-31"
    assert reference_strings(samples["AVERITEC"][1]) == [
        "Did the EU regulate banana curvature? Yes. Regulation 2257/94 set quality classes.",
        "Is the rule still in force? No answer could be found.",
    ]
    ev = gold_evidence(ex[1])
    assert ev[0].document.url == "https://eur-lex.europa.eu/x" and ev[0].passage.end == len(ev[0].passage.text)
    docs = pooled_documents([p, p])
    assert len(docs) == 3 and {d.url for d in docs} >= {"https://scoopertino.com/a"}
    assert load_averitec(p, limit=2)[-1].label == "Supported"


@pytest.mark.parametrize(
    "text, match",
    [
        ("{not json", "not valid JSON"),
        ('{"claim": "x"}', "JSON list"),
        ('[{"claim": "x", "label": "Maybe", "questions": []}]', "valid labels"),
        ('[{"label": "Refuted"}]', "no 'claim'"),
    ],
)
def test_loaders_averitec_malformed(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        load_averitec(write(tmp_path, "bad.json", text))


def test_loaders_averitec_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_averitec(tmp_path / "nope.json")


def test_loaders_scifact(samples: dict, tmp_path: Path) -> None:
    claims = load_claims(write(tmp_path, "claims.jsonl", samples["SCIFACT_CLAIMS"]))
    assert [c.id for c in claims] == [0, 2, 12] and claims[2].evidence["33409100"][1]["sentences"] == [12]
    corpus = load_corpus(write(tmp_path, "corpus.jsonl", samples["SCIFACT_CORPUS"]))
    a = corpus[0]
    assert a.doc_id == "4983" and a.text == "First sentence. Second one here."
    assert sentences_in(a, 16, 20) == [1] and sentences_in(a, 0, len(a.text)) == [0, 1]
    with pytest.raises(InputError, match="abstract"):
        load_corpus(write(tmp_path, "bad.jsonl", samples["SCIFACT_CLAIMS"]))


def test_loaders_climate_fever(samples: dict, tmp_path: Path) -> None:
    items = load_climate_fever(write(tmp_path, "cf.jsonl", samples["CLIMATE"]))
    assert [i.label for i in items] == ["SUPPORTS", "DISPUTED", "NOT_ENOUGH_INFO"]
    assert [e.label for e in items[1].evidences] == ["REFUTES", "SUPPORTS"]
    assert len(load_climate_fever(tmp_path / "cf.jsonl", limit=1)) == 1
    with pytest.raises(InputError, match="line 1"):
        load_climate_fever(write(tmp_path, "bad.jsonl", '{"claim": "x", "claim_label": "MAYBE", "evidences": []}'))


def test_loaders_checkworthy_formats(samples: dict, tmp_path: Path) -> None:
    fmt, items = load_checkworthy(write(tmp_path, "cb.json", samples["CLAIMBUSTER"]))
    assert fmt == "claimbuster" and [i.label for i in items] == [1, 0, 0]
    fmt, items = load_checkworthy(write(tmp_path, "ct19.csv", samples["CT19"]))
    assert fmt == "ct19" and [i.group for i in items] == ["debate_a.tsv", "debate_a.tsv", "debate_b.tsv"]
    assert items[0].text == "Good evening, and welcome." and items[1].speaker == "SANDERS"
    fmt, items = load_checkworthy(write(tmp_path, "ct20.tsv", samples["CT20"]))
    assert fmt == "ct20" and len(items) == 3 and items[1].text.endswith('How is business?"')
    with pytest.raises(InputError, match="check-worthiness file"):
        load_checkworthy(write(tmp_path, "x.txt", "hello\n"))


def test_checkworthy_scores_per_debate(samples: dict, tmp_path: Path) -> None:
    _, items = load_checkworthy(write(tmp_path, "ct19.csv", samples["CT19"]))
    m = score_checkworthy(items, [0.2, 0.9, 0.6])
    # debate_a ranks its positive first (AP 1); debate_b has no positive (AP 0)
    assert m["map"] == pytest.approx(0.5) and m["debates"] == 2
    assert (m["precision"], m["recall"]) == (pytest.approx(0.5), pytest.approx(1.0))
