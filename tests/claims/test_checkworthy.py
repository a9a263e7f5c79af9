"""Check-worthiness: features, the shipped fine-tuned model, the fallback head."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from factdesk.claims.checkworthy import (
    FEATURE_NAMES,
    HEAD_CONFIG_FILE,
    HEAD_FILE,
    MODEL_DIR,
    MODEL_FILE,
    CheckWorthiness,
    cheap_features,
    hashed_ngrams,
)
from factdesk.errors import ModelError
from factdesk.testing.fakes import FakeEmbedder

CLAIMS = [
    "Unemployment fell 3% in 2019.",
    "Crime rose 20 percent in Chicago last year.",
    "The city spent $4 million on consultants in 2022.",
]
CHATTER = ["Thank you all for coming tonight.", "Good evening and welcome, everyone.", "I love you all."]


def test_cheap_features_shape_and_signals():
    f = cheap_features(["Crime rose 20% in 2019, more than ever.", "Thank you."])
    assert f.shape == (2, len(FEATURE_NAMES))
    i = FEATURE_NAMES.index
    assert f[0, i("numbers")] > 0 and f[0, i("percent")] > 0 and f[0, i("year")] > 0
    assert f[1, i("numbers")] == 0 and f[1, i("short")] == 1.0


def test_hashed_ngrams_normalised_and_stable():
    m = hashed_ngrams(["Taxes rose 5 percent", "taxes rose 7 percent"], 1024)
    assert m.shape == (2, 1024)
    assert np.allclose(np.sqrt(m.multiply(m).sum(axis=1)), 1.0)
    assert (m[0] != m[1]).nnz == 0  # digits are folded, case is ignored


def test_checkworthiness_bad_settings():
    with pytest.raises(ValueError, match="auto, finetuned, head"):
        CheckWorthiness(backend="bert")
    with pytest.raises(ValueError, match="batch_size"):
        CheckWorthiness(batch_size=0)


def test_auto_backend_picks_finetuned_when_model_onnx_is_there(tmp_path):
    assert CheckWorthiness().backend == "finetuned"
    assert CheckWorthiness(model_dir=tmp_path).backend == "head"
    assert CheckWorthiness(backend="head").backend == "head"


# --- the shipped fine-tuned model (onnxruntime + tokenizers only) ---------------------------------


@pytest.fixture(scope="module")
def finetuned():
    cw = CheckWorthiness()
    cw.warm_up()
    return cw


def test_shipped_model_files_and_config():
    names = {p.name for p in MODEL_DIR.iterdir()}
    assert {MODEL_FILE, "tokenizer.json", "config.json", "MODEL_CARD.md", HEAD_FILE, HEAD_CONFIG_FILE} <= names
    assert not [n for n in names if "fp32" in n or "fused" in n or n.startswith("_torch")]  # no leftovers
    assert (MODEL_DIR / MODEL_FILE).stat().st_size < 30 * 2**20  # int8
    cfg = json.loads((MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    assert cfg["kind"] == "finetuned" and cfg["train"]["seed"] == 13
    assert cfg["rebuild"].startswith("factdesk train checkworthy --model finetune")
    for key in ("f1", "precision", "recall", "ap"):
        assert 0.0 < cfg["metrics"]["claimbuster_test"][key] <= 1.0
    assert 0.0 < cfg["metrics"]["ct19_heldout"]["map"] <= 1.0


def test_shipped_model_runs_without_torch():
    # A fresh interpreter where importing torch or transformers fails: the run-time path must
    # not need them.
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from factdesk.claims.checkworthy import CheckWorthiness\n"
        "cw = CheckWorthiness(); p = cw.score(['Unemployment fell 3% in 2019.', 'Thank you all for coming tonight.'])\n"
        "assert cw.backend == 'finetuned' and cw._w is None, cw.backend\n"
        "print(p[0] > 0.5 > p[1])\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True"


def test_shipped_model_scores_obvious_sentences(finetuned):
    p = finetuned.score(CLAIMS + CHATTER)
    assert p.dtype == np.float32 and p.shape == (6,)
    assert (p[:3] > 0.5).all(), p
    assert (p[3:] < 0.5).all(), p


def test_shipped_model_empty_and_non_strings(finetuned):
    p = finetuned.score(["Unemployment fell 3% in 2019.", "", "   ", None, 42])  # type: ignore[list-item]
    assert p.shape == (5,) and p[0] > 0.5 and (p[1:] == 0.0).all()
    assert finetuned.score([]).shape == (0,)
    assert finetuned.logits([]).shape == (0,)


def test_shipped_model_batches_and_repeats_do_not_change_scores(finetuned):
    texts = CLAIMS + CHATTER + CLAIMS[:1]
    one = np.concatenate([finetuned.score([t]) for t in texts])
    small = CheckWorthiness(batch_size=2)
    both = small.score(texts)
    # int8 dynamic quantisation scales activations per batch, so a sentence's score moves a
    # little with its batch-mates; padding must not move it more than that.
    assert np.allclose(one, both, atol=0.02)
    assert both[0] == both[-1]


def test_finetuned_embeddings_argument_is_ignored(finetuned):
    a = finetuned.score(CLAIMS)
    b = finetuned.score(CLAIMS, embeddings=np.zeros((3, 384), dtype=np.float32))
    assert np.array_equal(a, b)


def test_incomplete_finetuned_folder_says_what_to_do(tmp_path):
    (tmp_path / MODEL_FILE).write_bytes(b"not onnx")
    with pytest.raises(ModelError, match="factdesk train checkworthy --model finetune"):
        CheckWorthiness(model_dir=tmp_path).warm_up()
    (tmp_path / "tokenizer.json").write_text("{}")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError):
        CheckWorthiness(model_dir=tmp_path).warm_up()


# --- the fallback head -------------------------------------------------------------------------


def test_head_scores_with_fake_embedder():
    cw = CheckWorthiness(embedder=FakeEmbedder(), backend="head")
    p = cw.score(["Crime rose 20% last year.", "", "Thank you all for coming tonight."])
    assert p.shape == (3,) and p.dtype == np.float32
    assert np.all((p >= 0) & (p <= 1)) and p[1] == 0.0
    assert cw.score([]).shape == (0,)
    assert cw.config["metrics"]["claimbuster_test"]["f1"] > 0.5
    assert cw._session is None


def test_folder_without_model_onnx_falls_back_to_the_head(tmp_path):
    for name in (HEAD_FILE, HEAD_CONFIG_FILE):
        shutil.copyfile(MODEL_DIR / name, tmp_path / name)
    cw = CheckWorthiness(model_dir=tmp_path, embedder=FakeEmbedder())
    assert cw.backend == "head"
    assert cw.score(["Crime rose 20% last year."]).shape == (1,)


def test_head_reads_an_old_folder_with_config_json(tmp_path):
    shutil.copyfile(MODEL_DIR / HEAD_FILE, tmp_path / HEAD_FILE)
    shutil.copyfile(MODEL_DIR / HEAD_CONFIG_FILE, tmp_path / "config.json")
    cw = CheckWorthiness(model_dir=tmp_path, embedder=FakeEmbedder())
    assert cw.score(["Crime rose 20% last year."]).shape == (1,)


def test_missing_model_says_how_to_rebuild(tmp_path):
    with pytest.raises(ModelError, match="factdesk train checkworthy --model head"):
        CheckWorthiness(model_dir=tmp_path, embedder=FakeEmbedder()).warm_up()


@pytest.mark.slow
def test_real_head_ranks_claims_above_chatter():
    cw = CheckWorthiness(backend="head")
    p = cw.score(
        [
            "Unemployment fell to 3.5 percent in 2019, the lowest rate in fifty years.",
            "Thank you so much, it is great to be here tonight.",
        ]
    )
    assert p[0] > 0.5 > p[1]
