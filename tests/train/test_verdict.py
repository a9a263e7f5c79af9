"""Fitting the verdict aggregator: grouped folds, sign-constrained fit, retrieved rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.pipeline import Desk
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
from factdesk.train.verdict import _folds, fit_aggregator, predict_with, score_retrieved
from factdesk.types import Document
from factdesk.verdict.aggregate import FEATURES


def test_folds_keep_a_claims_rows_together() -> None:
    groups = np.concatenate([np.arange(50), np.arange(50)])  # each claim twice (gold + retrieved)
    f = _folds(len(groups), 5, seed=3, groups=groups)
    assert (f[:50] == f[50:]).all()
    assert sorted(set(f.tolist())) == [0, 1, 2, 3, 4]


def _synthetic(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose support/refute features track the label (0 Supported, 1 Refuted, 2 NEE)."""
    y = rng.integers(0, 3, n)
    x = rng.uniform(0.0, 0.2, (n, len(FEATURES)))
    sup = [FEATURES.index(f) for f in ("max_sup", "mean_sup", "claim_sup")]
    ref = [FEATURES.index(f) for f in ("max_ref", "mean_ref", "claim_ref")]
    x[np.ix_(y == 0, sup)] += 0.7
    x[np.ix_(y == 1, ref)] += 0.7
    return x, y


def test_fit_aggregator_learns_separable_rows_and_stays_monotone() -> None:
    rng = np.random.default_rng(0)
    x, y = _synthetic(300, rng)
    params = fit_aggregator(x, y, seed=1, groups=np.arange(300) % 150)
    assert params["oof"]["argmax"]["accuracy"] > 0.9
    p = predict_with(params, x[:5])
    assert p.sum(1) == pytest.approx(np.ones(5))
    base = np.full((1, len(FEATURES)), 0.1)
    more_ref = base.copy()
    more_ref[0, FEATURES.index("max_ref")] = 0.9
    # Stronger refutation never raises P(Supported).
    assert predict_with(params, more_ref)[0, 0] <= predict_with(params, base)[0, 0] + 1e-9


def test_score_retrieved_reads_the_pool_and_caches(tmp_path) -> None:
    db = tmp_path / "pool.db"
    desk = Desk(db=str(db), embedder=FakeEmbedder(), stance_model=FakeStanceModel())
    desk.ingest(
        [
            Document(
                text="The bridge over the river opened in 1998 after four years of work.",
                url="https://example.org/bridge",
            ),
            Document(text="Cats sleep for most of the day.", url="https://example.org/cats"),
        ]
    )
    items = [{"claim": "The bridge over the river opened in 1998.", "label": "Supported", "claim_date": "1-2-2020"}]
    cache = tmp_path / "ret.json"
    claims, evs, cps = score_retrieved(items, db, FakeStanceModel(), cache, top_k=2, embedder=FakeEmbedder())
    assert claims[0].text.startswith("The bridge")
    assert evs[0] and "1998" in evs[0][0].passage.text
    assert evs[0][0].stance is not None and cps.shape == (1, 3)
    assert json.loads(cache.read_text())["texts"][0] == [e.passage.text for e in evs[0]]
    again = score_retrieved(items, db, FakeStanceModel(), cache, top_k=2, embedder=FakeEmbedder())
    assert [e.passage.text for e in again[1][0]] == [e.passage.text for e in evs[0]]


def test_score_retrieved_missing_pool_says_how_to_build_it(tmp_path) -> None:
    with pytest.raises(InputError, match="--setting retrieved --db"):
        score_retrieved([], tmp_path / "absent.db", FakeStanceModel())


# --------------------------------------------------------------------------- irrelevant-evidence rows


def _claims_and_evidence() -> tuple[list, list]:
    from factdesk.train.verdict import averitec_claim, averitec_evidence

    items = [
        {
            "claim": "The bridge over the river opened in 1998.",
            "label": "Supported",
            "questions": [
                {"question": "When did the bridge open?", "answers": [{"answer": "The bridge opened in 1998."}]}
            ],
        },
        {
            "claim": "Cats sleep for most of the day.",
            "label": "Supported",
            "questions": [
                {"question": "How long do cats sleep?", "answers": [{"answer": "Cats sleep 15 hours a day."}]}
            ],
        },
        {
            "claim": "The city budget adds four bus lines.",
            "label": "Refuted",
            "questions": [
                {"question": "How many bus lines?", "answers": [{"answer": "The budget adds two bus lines."}]}
            ],
        },
    ]
    return [averitec_claim(it) for it in items], [averitec_evidence(it) for it in items]


def test_donor_claims_never_lend_a_claim_its_own_or_a_near_copys_evidence() -> None:
    from factdesk.train.verdict import donor_claims
    from factdesk.types import Claim

    claims = [
        Claim("The bridge over the river opened in 1998."),
        Claim("The bridge over the river opened in 1998!"),
        Claim("Cats sleep for most of the day."),
        Claim("The city budget adds four bus lines."),
    ]
    donors = donor_claims(claims, FakeEmbedder(), seed=1)
    assert len(donors) == 4 and all(d != i for i, d in enumerate(donors))
    assert donors[0] in (2, 3) and donors[1] in (2, 3)  # claims 0 and 1 are near copies
    assert donor_claims(claims, FakeEmbedder(), seed=1) == donors  # seeded
    with pytest.raises(InputError, match="two claims"):
        donor_claims(claims[:1], FakeEmbedder(), seed=1)


def test_irrelevant_rows_rejudge_borrowed_evidence_and_cache(tmp_path) -> None:
    from factdesk.train.verdict import irrelevant_rows

    claims, evs = _claims_and_evidence()
    cache = tmp_path / "irr.npz"
    cl, rows, cps = irrelevant_rows(claims, evs, [1, 2, 0], FakeStanceModel(), cache)
    assert [r[0].passage.text for r in rows] == [evs[1][0].passage.text, evs[2][0].passage.text, evs[0][0].passage.text]
    assert all(r[0].stance is not None for r in rows) and cps.shape == (3, 3)
    assert evs[1][0].stance is None  # the donor's own evidence is left as it was
    expected = FakeStanceModel().predict([(claims[0].text, evs[1][0].passage.text)])[0]
    assert rows[0][0].stance.probs["not_enough_info"] == pytest.approx(float(expected[2]))

    model = FakeStanceModel()
    first = irrelevant_rows(claims, evs, [1, 2, 0], model, cache)[2]
    model.predict = lambda pairs: (_ for _ in ()).throw(AssertionError("scored again"))  # the cache must answer
    again = irrelevant_rows(claims, evs, [1, 2, 0], model, cache)
    assert first == pytest.approx(cps)
    assert again[2] == pytest.approx(cps)


def test_add_similarities_sets_cosines_and_caches(tmp_path) -> None:
    from factdesk.train.verdict import add_similarities

    claims, evs = _claims_and_evidence()
    cache = tmp_path / "sim.npz"
    add_similarities(claims, evs, FakeEmbedder(), cache)
    own = evs[0][0].scores["similarity"]
    assert 0.3 < own <= 1.0
    fresh = _claims_and_evidence()[1]

    exploding = FakeEmbedder()
    exploding.embed = lambda texts: (_ for _ in ()).throw(AssertionError("embedded again"))  # the cache must answer
    add_similarities(claims, fresh, exploding, cache)
    assert fresh[0][0].scores["similarity"] == pytest.approx(own)


def test_bounds_keep_relevance_from_raising_not_enough_evidence() -> None:
    from factdesk.train.verdict import _bounds
    from factdesk.verdict.aggregate import RELEVANCE_FEATURES

    b = _bounds(FEATURES)
    d = len(FEATURES)
    for f in RELEVANCE_FEATURES:
        j = FEATURES.index(f)
        assert [b[k * d + j] for k in range(4)] == [(0.0, 0.0), (0.0, None), (None, 0.0), (0.0, None)]


def test_fit_aggregator_learns_that_unrelated_evidence_is_not_enough_evidence() -> None:
    rng = np.random.default_rng(0)
    x, y = _synthetic(300, rng)
    sims = [FEATURES.index(f) for f in ("max_sim", "mean_sim")]
    x[:, sims] = rng.uniform(0.4, 0.8, (300, 2))
    xi = rng.uniform(0.0, 0.3, (150, len(FEATURES)))  # stance noise, low similarity
    xi[:, sims] = rng.uniform(0.0, 0.2, (150, 2))
    params = fit_aggregator(np.vstack([x, xi]), np.concatenate([y, np.full(150, 2)]), seed=1)
    p = predict_with(params, xi)
    assert (p.argmax(1) == 2).mean() > 0.9 and p[:, 2].mean() > 0.7


def test_fit_gate_separates_unrelated_evidence_with_non_negative_weights() -> None:
    from factdesk.train.verdict import fit_gate

    rng = np.random.default_rng(2)
    x = rng.uniform(0.0, 1.0, (400, len(FEATURES)))
    relevant = np.arange(400) < 200
    sims = [FEATURES.index(f) for f in ("max_sim", "mean_sim")]
    x[np.ix_(relevant, sims)] = rng.uniform(0.5, 0.9, (200, 2))
    x[np.ix_(~relevant, sims)] = rng.uniform(0.0, 0.3, (200, 2))
    gate, oof = fit_gate(x, relevant, seed=1, groups=np.arange(400) % 200)
    assert gate["features"] == ["max_sim", "mean_sim"] and min(gate["weights"]) >= 0.0
    assert (oof[relevant] > 0.5).mean() > 0.95 and (oof[~relevant] < 0.5).mean() > 0.95
    params = fit_aggregator(*_synthetic(300, rng), seed=1)
    ungated = predict_with(params, x[~relevant][:5])
    params["gate"] = gate
    p = predict_with(params, x[~relevant][:5])
    assert p.sum(1) == pytest.approx(np.ones(5))
    assert (p[:, 2] > ungated[:, 2]).all() and (p[:, 2] > 0.9).all()


def test_decision_weights_never_discount_supported_nor_boost_past_3x() -> None:
    from factdesk.train.verdict import WIDE_DECISION_GRID, choose_decision_weights

    # refuted claims whose probabilities lean slightly to Supported: the v3 grid buys accuracy
    # by discounting Supported (the lean that rated true claims false on unseen data)
    y = np.array([1] * 8 + [0] * 2)
    p = np.array([[0.45, 0.40, 0.10, 0.05]] * 8 + [[0.60, 0.30, 0.05, 0.05]] * 2)
    assert choose_decision_weights(p, y, WIDE_DECISION_GRID)[0] < 1.0
    w = choose_decision_weights(p, y)
    assert w[0] == 1.0 and w[1] == 1.0 and max(w) <= 3.0


def test_stance_model_for_reads_minilm_and_e5_folders(tmp_path) -> None:
    from factdesk.models.cross_encoder import OnnxCrossEncoder
    from factdesk.models.e5_cross_encoder import E5CrossEncoder
    from factdesk.train.verdict import stance_model_for

    models = Path(__file__).resolve().parents[2] / "factdesk" / "models"
    minilm = stance_model_for(models / "stance")
    assert type(minilm) is OnnxCrossEncoder
    assert isinstance(stance_model_for(models / "stance_e5"), E5CrossEncoder)
    assert type(stance_model_for(None)) is OnnxCrossEncoder
    with pytest.raises(InputError, match="--stance-dir"):
        stance_model_for(tmp_path)
