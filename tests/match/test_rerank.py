"""The same-claim second stage: reranking, calibrated probabilities, the decision, the dense index."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from factdesk.errors import ModelError
from factdesk.match import previous
from factdesk.match.previous import FactCheckMatcher, build_dense_index, import_checks
from factdesk.match.rerank import (
    DEFAULT_MODEL_DIR,
    ClaimReranker,
    SameClaimReranker,
    check_pair_text,
    features,
    rerank_order,
)
from factdesk.store.sqlite import SQLiteStore
from factdesk.testing.fakes import FakeEmbedder
from factdesk.train.same_claim import choose_threshold, fit_logistic, fit_platt

CHECKS = [
    {
        "claim": {"text": "Drinking bleach cures the coronavirus"},
        "title": "Bleach cure",
        "source_id": "ct:1",
        "verdict": "False",
        "publisher": "Example Checks",
        "url": "https://example.org/bleach",
    },
    {
        "claim": {"text": "Bleach sales rose during the coronavirus pandemic"},
        "title": "Bleach sales",
        "source_id": "ct:2",
    },
    {"claim": {"text": "The moon landing was filmed in a studio"}, "title": "Moon hoax", "source_id": "ct:3"},
]


class MarkerReranker:
    """Logit 4 for a check whose text holds the marker word, else -4; P = sigmoid(logit)."""

    def __init__(self, marker: str, rerank_top: int = 2, reorder: bool = True) -> None:
        self.marker = marker
        self.threshold = 0.5
        self.rerank_top = rerank_top
        self.reorder = reorder
        self.seen: list[tuple[str, str]] = []

    def warm_up(self) -> None:
        pass

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        self.seen.extend(pairs)
        return np.array([4.0 if self.marker in c else -4.0 for _, c in pairs], dtype=np.float32)

    def calibrate(self, logits: np.ndarray, cosines: np.ndarray, rrf_k: int = 10) -> np.ndarray:
        assert len(cosines) == len(logits)
        return (1 / (1 + np.exp(-logits))).astype(np.float32)


@pytest.fixture
def store() -> SQLiteStore:
    s = SQLiteStore(":memory:")
    import_checks(s, CHECKS)
    return s


def test_reranker_reorders_the_head_and_gives_probabilities(store: SQLiteStore):
    rr = MarkerReranker("sales")
    assert isinstance(rr, ClaimReranker)
    m = FactCheckMatcher(store, FakeEmbedder(), reranker=rr)
    ranked = m.rank("drinking bleach cures coronavirus https://t.co/x", k=3)
    # The first stage puts ct:1 first; the reranker prefers the check that says "sales".
    assert [h.source_id for h in ranked[:2]] == ["ct:2", "ct:1"]
    assert ranked[0].probability == pytest.approx(0.982, abs=1e-3) and ranked[0].same_claim
    assert ranked[1].probability == pytest.approx(0.018, abs=1e-3) and not ranked[1].same_claim
    assert all(h.probability is None and not h.same_claim for h in ranked[2:])  # beyond rerank_top
    # The reranker reads the cleaned post and the claim with its title.
    assert rr.seen[0][0] == "drinking bleach cures coronavirus"
    assert "Drinking bleach cures the coronavirus Bleach cure" in {c for _, c in rr.seen}
    assert [h.source_id for h in m.run("drinking bleach cures coronavirus")] == ["ct:2"]
    assert m.threshold == 0.5 and m.describe_decision().startswith("P(same claim) >= 0.50 (chosen on")
    # Without reordering the first stage's order stays; the probabilities and the decision are the same.
    kept = FactCheckMatcher(store, FakeEmbedder(), reranker=MarkerReranker("sales", reorder=False))
    ranked = kept.rank("drinking bleach cures coronavirus https://t.co/x", k=3)
    assert [h.source_id for h in ranked[:2]] == ["ct:1", "ct:2"] and [h.same_claim for h in ranked[:2]] == [False, True]


def test_threshold_given_overrides_the_models(store: SQLiteStore):
    m = FactCheckMatcher(store, FakeEmbedder(), threshold=0.99, reranker=MarkerReranker("sales"))
    assert m.run("bleach coronavirus") == [] and "set by the caller" in m.describe_decision()
    assert FactCheckMatcher(store, FakeEmbedder(), reranker=None).describe_decision() == "cosine similarity >= 0.75"
    with pytest.raises(ValueError, match="probability between 0 and 1"):
        FactCheckMatcher(store, FakeEmbedder(), threshold=-0.5, reranker=MarkerReranker("x"))


def test_rerank_order_features_and_pair_text():
    assert rerank_order([7, 8, 9, 10], np.array([0.0, 2.0, 1.0])) == [8, 9, 7, 10]
    assert rerank_order([7, 8, 9], np.array([0.5, 0.5, 0.2])) == [7, 8, 9]  # ties keep the first stage's order
    f = features(np.array([2.0, -1.0]), np.array([0.9, 0.4]), rrf_k=10)
    assert f.tolist() == [[2.0, 0.9, pytest.approx(10 / 11)], [-1.0, 0.4, pytest.approx(10 / 12)]]
    assert check_pair_text("A claim", "A title") == "A claim A title"
    assert check_pair_text("A claim", "A claim") == check_pair_text("A claim", None) == "A claim"


def test_platt_scaling_recovers_a_known_slope_and_offset():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 3, 20_000)
    y = (rng.random(x.size) < 1 / (1 + np.exp(-(0.5 * x - 1.0)))).astype(float)
    a, b = fit_platt(x, y)
    assert a == pytest.approx(0.5, abs=0.03) and b == pytest.approx(-1.0, abs=0.06)


def test_logistic_fit_on_several_features():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(20_000, 3))
    y = (rng.random(len(x)) < 1 / (1 + np.exp(-(x @ np.array([1.0, -2.0, 0.0]) + 0.5)))).astype(float)
    w, b = fit_logistic(x, y)
    assert w == pytest.approx([1.0, -2.0, 0.0], abs=0.08) and b == pytest.approx(0.5, abs=0.08)


def test_choose_threshold_is_the_lowest_probability_meeting_the_precision():
    shown = [(0.95, True), (0.9, True), (0.8, False), (0.7, True), (0.6, False), (0.5, False)]
    assert choose_threshold(shown, 0.75) == {"threshold": 0.7, "precision": 0.75, "kept": 4.0}
    assert choose_threshold(shown, 1.0)["threshold"] == 0.9
    # Ties are kept or dropped together.
    assert choose_threshold([(0.9, True), (0.8, True), (0.8, False)], 0.9)["threshold"] == 0.9
    assert choose_threshold([(0.5, False)], 0.9) == {"threshold": 1.0, "precision": 0.0, "kept": 0.0}


def test_hnsw_index_finds_the_same_neighbours_as_the_exact_one(monkeypatch: pytest.MonkeyPatch):
    rng = np.random.default_rng(1)
    v = rng.normal(size=(500, 32)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    flat = build_dense_index(v)
    monkeypatch.setattr(previous, "HNSW_FROM", 100)
    hnsw = build_dense_index(v)
    assert type(flat).__name__ == "IndexFlatIP" and type(hnsw).__name__ == "IndexHNSWFlat"
    q = v[:20] + 0.05 * rng.normal(size=(20, 32)).astype(np.float32)
    _, a = flat.search(q, 5)
    _, b = hnsw.search(q, 5)
    assert (a[:, 0] == np.arange(20)).all() and np.mean([len(set(x) & set(y)) / 5 for x, y in zip(a, b)]) >= 0.9


def test_missing_model_says_how_to_rebuild(tmp_path):
    with pytest.raises(ModelError, match="train.same_claim"):
        SameClaimReranker(tmp_path).warm_up()


@pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "model.onnx").is_file(), reason="the same-claim model is not built")
def test_shipped_model_prefers_the_paraphrase_and_is_calibrated():
    r = SameClaimReranker(num_threads=1)
    lg = r.logits(
        [
            (
                "Obama released 122 terrorists from Guantanamo and they went back to the battlefield",
                "122 detainees released from Guantanamo Bay under President Obama have re-engaged in terrorist "
                "activities. Did 122 Prisoners Released from Guantanamo by President Obama Return to the Battlefield?",
            ),
            (
                "Obama released 122 terrorists from Guantanamo and they went back to the battlefield",
                "A photograph shows a shark swimming on a flooded highway in Houston. Shark on the highway",
            ),
        ]
    )
    assert lg[0] > lg[1]
    # As first candidates both, the paraphrase (cosine 0.7) passes the threshold, the shark (0.05) does not.
    p_same = r.calibrate(lg[:1], np.array([0.7]))[0]
    p_other = r.calibrate(lg[1:], np.array([0.05]))[0]
    assert 0.0 <= p_other < r.threshold <= p_same <= 1.0
    assert 0.0 < r.threshold < 1.0 and 1 <= r.rerank_top <= 100
