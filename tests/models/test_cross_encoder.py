"""The shipped stance cross-encoder: loads with onnxruntime only, and gets clear pairs right."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from factdesk.models.cross_encoder import DEFAULT_MODEL_DIR, OnnxCrossEncoder
from factdesk.types import STANCE_ORDER, StanceLabel
from factdesk.verdict.stance import StanceModel

pytestmark = pytest.mark.skipif(
    not (DEFAULT_MODEL_DIR / "model.onnx").is_file(),
    reason="shipped stance model absent: rebuild it with `factdesk train stance`",
)

SUP, REF, NEI = (
    STANCE_ORDER.index(x) for x in (StanceLabel.SUPPORTS, StanceLabel.REFUTES, StanceLabel.NOT_ENOUGH_INFO)
)

CLEAR = [
    ("The Eiffel Tower is in Paris.", "The Eiffel Tower is a landmark in Paris, France.", SUP),
    ("The Eiffel Tower is in Berlin.", "The Eiffel Tower is a landmark in Paris, France, not in Germany.", REF),
    ("The Eiffel Tower is in Paris.", "Bananas are a good source of potassium and fibre.", NEI),
]

HARDER = [
    (
        "Barack Obama was born in Hawaii.",
        "Obama was born on August 4, 1961, at Kapiolani Medical Center in Honolulu, Hawaii.",
        SUP,
    ),
    ("Water boils at 50 degrees Celsius at sea level.", "At sea level, pure water boils at 100 degrees Celsius.", REF),
    (
        "The unemployment rate in Kenya fell in 2019.",
        "The football club was founded in 1902 and plays in red shirts.",
        NEI,
    ),
]


@pytest.fixture(scope="module")
def model() -> OnnxCrossEncoder:
    m = OnnxCrossEncoder(batch_size=4)
    m.warm_up()
    return m


def test_cross_encoder_is_a_stance_model(model) -> None:
    assert isinstance(model, StanceModel)
    assert model.version
    assert model.config["labels"] == [x.value for x in STANCE_ORDER]


def test_cross_encoder_clear_pairs(model) -> None:
    probs = model.predict([(c, e) for c, e, _ in CLEAR])
    assert probs.shape == (len(CLEAR), 3)
    assert probs.argmax(1).tolist() == [lab for _, _, lab in CLEAR]


@pytest.mark.xfail(
    strict=False,
    reason="stance-minilm-l6-v3 reads 'boils at 50' vs 'boils at 100' near the support/refute "
    "boundary (stage 2: support; stage 3, 287k pairs: refute by a small margin that batching can flip)",
)
def test_cross_encoder_harder_pairs(model) -> None:
    probs = model.predict([(c, e) for c, e, _ in HARDER])
    assert probs.argmax(1).tolist() == [lab for _, _, lab in HARDER]


def test_cross_encoder_rows_sum_to_one_and_keep_order(model) -> None:
    pairs = [(c, e) for c, e, _ in CLEAR + HARDER] * 2
    probs = model.predict(pairs)
    assert probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    # Batched and sorted by length, yet each row is its own pair's: nearest to that pair scored
    # alone, and close to it. int8 dynamic quantisation takes activation scales from the whole
    # batch, so a row moves: by a few hundredths for clear pairs, by up to 0.19 for the
    # borderline boiling-point pair with the stage-3 model (measured 2026-12-01); a row from
    # another pair is further off, which the argmin checks.
    single = np.vstack([model.predict([p]) for p in pairs[:6]])
    dist = np.abs(probs[:6, None, :] - single[None, :, :]).max(-1)
    assert dist.argmin(1).tolist() == list(range(6))
    np.testing.assert_allclose(probs[:6], single, atol=0.25)
    clear = [i for i, (_, _, lab) in enumerate(CLEAR)]
    np.testing.assert_allclose(probs[clear], single[clear], atol=0.1)


def test_cross_encoder_empty_input(model) -> None:
    out = model.predict([])
    assert out.shape == (0, 3)


def test_cross_encoder_long_pair_is_truncated(model) -> None:
    out = model.predict([("A claim.", "word " * 2000)])
    assert out.shape == (1, 3)


def test_cross_encoder_needs_no_torch() -> None:
    code = (
        "import sys\n"
        "from factdesk.models.cross_encoder import OnnxCrossEncoder\n"
        "m = OnnxCrossEncoder(); m.predict([('a', 'b')])\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cross_encoder_missing_model_says_what_to_do(tmp_path) -> None:
    with pytest.raises(Exception, match="factdesk train stance"):
        OnnxCrossEncoder(tmp_path).warm_up()


def test_cross_encoder_checks_arguments() -> None:
    with pytest.raises(ValueError):
        OnnxCrossEncoder(batch_size=0)
    with pytest.raises(ValueError):
        OnnxCrossEncoder(max_length=4)
