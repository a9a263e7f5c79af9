from __future__ import annotations

import numpy as np
import pytest

from factdesk.eval.meteor import hungarian_match, hungarian_meteor, meteor, pairwise_meteor, tokenize
from factdesk.eval.nltk_data import LEXNAMES, ensure_nltk_data, lexnames_text


@pytest.fixture(scope="module", autouse=True)
def _nltk_data(tmp_path_factory: pytest.TempPathFactory) -> None:
    try:
        ensure_nltk_data(tmp_path_factory.mktemp("nltk_data"))
    except Exception as exc:  # no WordNet / punkt on this machine
        pytest.skip(f"offline nltk data cannot be built: {exc}")


def test_nltk_data_lexnames_has_45_files() -> None:
    lines = lexnames_text().splitlines()
    assert len(LEXNAMES) == 45 and len(lines) == 45
    assert lines[0] == "00\tadj.all\t3" and lines[18] == "18\tnoun.person\t1" and lines[44] == "44\tadj.ppl\t3"


def test_meteor_tokenizer_uses_punkt_sentence_split() -> None:
    # With punkt sentence splitting, the period after "Paris" is split off; not with preserve_line.
    assert tokenize("He lives in Paris. It rains.") == ["He", "lives", "in", "Paris", ".", "It", "rains", "."]
    assert tokenize("He lives in Paris. It rains.", preserve_line=True)[3] == "Paris."


def test_meteor_identical_strings_by_hand() -> None:
    # fmean = 1, one chunk of m matches: penalty 0.5 * (1/m)^3
    assert meteor("rain falls in Spain", "rain falls in Spain") == pytest.approx(1 - 0.5 / 4**3)


def test_meteor_hungarian_2x3_by_hand() -> None:
    p1, p2 = "rain falls in Spain", "rain falls in Spain mainly on plains"
    g = [p2, p1, "dogs bark loudly"]
    pen4 = 1 - 0.5 / 4**3
    # hypothesis 4 tokens vs reference 7: P=1, R=4/7, fmean = PR/(0.9P+0.1R)
    x11 = (4 / 7) / (0.9 + 0.1 * 4 / 7) * pen4
    # hypothesis 7 tokens vs reference 4: P=4/7, R=1
    x22 = (4 / 7) / (0.9 * 4 / 7 + 0.1) * pen4
    expected = np.array([[x11, pen4, 0.0], [1 - 0.5 / 7**3, x22, 0.0]])
    got = pairwise_meteor([p1, p2], g)
    np.testing.assert_allclose(got, expected, atol=1e-9)
    assert hungarian_meteor([p1, p2], g) == pytest.approx((pen4 + 1 - 0.5 / 7**3) / 3)


def test_meteor_hungarian_beats_greedy() -> None:
    # Greedy takes 0.9 and is left with 0; the assignment takes 0.8 + 0.85.
    total, pairs = hungarian_match(np.array([[0.9, 0.8, 0.0], [0.85, 0.0, 0.0]]))
    assert total == pytest.approx(1.65) and sorted(pairs) == [(0, 1), (1, 0)]


def test_meteor_only_first_ten_predictions_count() -> None:
    preds = ["dogs bark loudly"] * 10 + ["rain falls in Spain"]
    assert hungarian_meteor(preds, ["rain falls in Spain"]) == 0.0
    assert hungarian_meteor([], ["rain falls in Spain"]) == 0.0
