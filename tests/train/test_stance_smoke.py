"""A training smoke run: a few optimiser steps on inline pairs, exported to int8 ONNX."""

from __future__ import annotations

import json

import numpy as np
import pytest

try:
    import torch  # noqa: F401
    import transformers  # noqa: F401

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

from factdesk.train.stance_data import LABELS, StancePair, build_mix, fold

pytestmark = pytest.mark.skipif(
    not HAVE_TORCH,
    reason="torch/transformers not importable: install the train extra "
    "(pip install torch==2.13.0 transformers onnx) to run the training smoke test",
)

S, R, N = LABELS
PAIRS = [
    ("The Eiffel Tower is in Paris.", "The Eiffel Tower is a landmark in Paris, France.", S),
    ("The Eiffel Tower is in Rome.", "The Eiffel Tower is a landmark in Paris, France.", R),
    ("The Eiffel Tower is in Paris.", "Bananas are rich in potassium.", N),
    ("Water boils at 100 C at sea level.", "At sea level water boils at 100 degrees Celsius.", S),
    ("Water boils at 50 C at sea level.", "At sea level water boils at 100 degrees Celsius.", R),
    ("Water boils at 100 C at sea level.", "The river flooded the town in 1998.", N),
    ("Obama was born in Hawaii.", "Barack Obama was born in Honolulu, Hawaii.", S),
    ("Obama was born in Kenya.", "Barack Obama was born in Honolulu, Hawaii.", R),
    ("Obama was born in Hawaii.", "Cats sleep for most of the day.", N),
    ("The Nile is the longest river in Africa.", "The Nile, at 6,650 km, is Africa's longest river.", S),
    ("The Nile is in South America.", "The Nile flows through north-eastern Africa.", R),
    ("The Nile is the longest river in Africa.", "Chess is played on an 8x8 board.", N),
    ("Mount Everest is the tallest mountain.", "Everest is Earth's highest mountain above sea level.", S),
    ("Mount Everest is in Brazil.", "Everest lies in the Himalayas on the Nepal-China border.", R),
    ("Mount Everest is the tallest mountain.", "The stock market rose on Friday.", N),
    ("Python was created by Guido van Rossum.", "Guido van Rossum began Python in the late 1980s.", S),
    ("Python was created by Bill Gates.", "Guido van Rossum created the Python language.", R),
    ("Python was created by Guido van Rossum.", "The weather in Oslo is cold in winter.", N),
    ("The moon orbits the Earth.", "The Moon is Earth's only natural satellite.", S),
    ("The moon orbits Mars.", "The Moon is Earth's only natural satellite, orbiting Earth.", R),
]


def test_stance_training_smoke(tmp_path) -> None:
    from factdesk.models.cross_encoder import OnnxCrossEncoder
    from factdesk.train.stance import StanceTrainConfig, fit_and_export

    pairs = [StancePair(c, e, lab, "inline") for c, e, lab in PAIRS]
    cfg = StanceTrainConfig(out=str(tmp_path), max_steps=3, batch_size=8, max_length=64, seed=1)
    res = fit_and_export(pairs[:16], pairs[16:], cfg, tmp_path)
    assert res["metrics"]["steps"] == 2  # 16 pairs / batch 8, capped by max_steps=3
    assert res["metrics"]["validation"]["inline"]["n"] == 4
    for name in ("model.onnx", "tokenizer.json", "config.json"):
        assert (tmp_path / name).is_file()
    assert (tmp_path / "model.onnx").stat().st_size < 30 * 2**20
    cfg_json = json.loads((tmp_path / "config.json").read_text())
    assert cfg_json["labels"] == list(LABELS) and cfg_json["max_length"] == 64

    m = OnnxCrossEncoder(tmp_path, batch_size=4)
    probs = m.predict([(c, e) for c, e, _ in PAIRS])
    assert probs.shape == (len(PAIRS), 3)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    # padding inside a batch must not change a pair's scores (the export keeps the mask)
    single = np.vstack([m.predict([(c, e)]) for c, e, _ in PAIRS[:4]])
    np.testing.assert_allclose(
        probs[:4], single, atol=5e-2
    )  # int8 dynamic quantisation: activation scales depend on the batch


def test_stance_data_folds_are_stable() -> None:
    assert fold("scifact", 13, 5) == fold("scifact", "13", 5)
    assert sorted({fold("x", i, 4) for i in range(200)}) == [0, 1, 2, 3]


def test_stance_data_missing_root_says_what_to_do(tmp_path) -> None:
    with pytest.raises(Exception, match="--data"):
        build_mix(tmp_path)


def test_resume_from_exported_int8_model_continues_and_logs_stages(tmp_path) -> None:
    from factdesk.models.cross_encoder import OnnxCrossEncoder
    from factdesk.train.finetune import base_model_path, encode_pairs, make_tokenizer, predict_torch
    from factdesk.train.stance import StanceTrainConfig, build_model, fit_and_export

    pairs = [StancePair(c, e, lab, "inline") for c, e, lab in PAIRS]
    first, second = tmp_path / "a", tmp_path / "b"
    fit_and_export(
        pairs[:16],
        pairs[16:],
        StanceTrainConfig(
            out=str(first), max_steps=4, batch_size=4, max_length=64, seed=1, lr=5e-4, checkpoint=str(tmp_path / "ck1")
        ),
        first,
    )
    model, info = build_model(StanceTrainConfig(resume=str(first)))
    assert info["from"] == "int8 ONNX (dequantised)" and info["trainable_missing"] == []
    assert info["tensors_loaded"] > 0 and info["kept_base_exact"] > 0  # frozen layers keep exact base weights
    exact, _ = build_model(StanceTrainConfig(resume=str(tmp_path / "ck1")))  # the fp32 weights that were exported
    fresh, _ = build_model(StanceTrainConfig())
    got, want, new = model.state_dict(), exact.state_dict(), fresh.state_dict()
    for name, _ in exact.named_parameters():
        step = float(want[name].abs().max()) / 127 + 1e-6  # one int8 quantisation step
        assert float((got[name] - want[name]).abs().max()) <= 0.51 * step * 2, name
    assert float((new["classifier.weight"] - want["classifier.weight"]).abs().max()) > 0.01
    tok = make_tokenizer(base_model_path() / "tokenizer.json", 64)
    resumed = predict_torch(model, encode_pairs(tok, [(c, e) for c, e, _ in PAIRS]))
    onnx = OnnxCrossEncoder(first).predict([(c, e) for c, e, _ in PAIRS])
    np.testing.assert_allclose(resumed, onnx, atol=0.08)  # int8 weights and activations vs dequantised fp32

    cfg = StanceTrainConfig(
        out=str(second),
        max_steps=2,
        batch_size=8,
        max_length=64,
        seed=2,
        resume=str(first),
        checkpoint=str(tmp_path / "ckpt"),
    )
    res = fit_and_export(pairs[:16], [], cfg, second)
    assert [st["stage"] for st in res["stages"]] == [1, 2]
    assert res["stages"][1]["from"] == "int8 ONNX (dequantised)" and res["stages"][1]["pairs_seen"] == 16
    assert res["pairs_seen_all_stages"] == res["stages"][0]["pairs_seen"] + 16
    # the kept fp32 checkpoint resumes exactly (no int8 round trip)
    model2, info2 = build_model(StanceTrainConfig(resume=str(tmp_path / "ckpt")))
    assert info2["from"] == "torch checkpoint"
    third = tmp_path / "c"
    res3 = fit_and_export(
        pairs[:8],
        [],
        StanceTrainConfig(out=str(third), max_steps=1, batch_size=8, max_length=64, resume=str(tmp_path / "ckpt")),
        third,
    )
    assert [st["from"] for st in res3["stages"]][1:] == ["int8 ONNX (dequantised)", "torch checkpoint"]


def test_resume_from_a_folder_without_a_model_says_what_to_do(tmp_path) -> None:
    from factdesk.errors import ModelError
    from factdesk.train.finetune import run_training
    from factdesk.train.stance import StanceTrainConfig, build_model

    with pytest.raises(ModelError, match="stance model folder"):
        build_model(StanceTrainConfig(resume=str(tmp_path)))
    with pytest.raises(ModelError, match="fp32 or bf16"):
        run_training(
            None,
            [],
            np.zeros(0),
            [],
            lr=1e-5,
            weight_decay=0.0,
            warmup=0.1,
            max_minutes=None,
            log_every=1,
            precision="fp16",
        )


def test_average_stages_interpolates_the_weights_and_logs_a_stage(tmp_path) -> None:
    from factdesk.errors import ModelError
    from factdesk.models.cross_encoder import OnnxCrossEncoder
    from factdesk.train.stance import StanceTrainConfig, average_stages, build_model, fit_and_export

    pairs = [StancePair(c, e, lab, "inline") for c, e, lab in PAIRS]
    first, second, mixed = tmp_path / "a", tmp_path / "b", tmp_path / "mix"
    fit_and_export(
        pairs[:16],
        [],
        StanceTrainConfig(
            out=str(first), max_steps=2, batch_size=8, max_length=64, seed=1, checkpoint=str(tmp_path / "ck1")
        ),
        first,
    )
    fit_and_export(
        pairs[:16],
        [],
        StanceTrainConfig(
            out=str(second),
            max_steps=4,
            batch_size=4,
            max_length=64,
            seed=2,
            lr=5e-3,
            resume=str(tmp_path / "ck1"),
            checkpoint=str(tmp_path / "ck2"),
        ),
        second,
    )
    res = average_stages(tmp_path / "ck1", tmp_path / "ck2", mixed, weight=0.25)
    assert [st["stage"] for st in res["stages"]] == [1, 2, 3]
    assert res["stages"][2]["from"].startswith("weight average: 0.75 x") and res["stages"][2]["pairs_seen"] == 0
    assert res["averaged"]["weight_of_second"] == 0.25 and res["max_length"] == 64

    a, _ = build_model(StanceTrainConfig(resume=str(tmp_path / "ck1")))
    b, _ = build_model(StanceTrainConfig(resume=str(tmp_path / "ck2")))
    got, _ = build_model(StanceTrainConfig(resume=str(mixed)))  # the exported int8 average, dequantised
    wa, wb, wg = (m.state_dict()["classifier.weight"] for m in (a, b, got))
    assert float((wa - wb).abs().max()) > 0.01  # the two stages differ, so the test can tell them apart
    want = 0.75 * wa + 0.25 * wb
    step = float(want.abs().max()) / 127 + 1e-6
    assert float((wg - want).abs().max()) <= 1.02 * step
    assert float((wg - wa).abs().max()) > 2 * step and float((wg - wb).abs().max()) > 2 * step
    probs = OnnxCrossEncoder(mixed).predict([(c, e) for c, e, _ in PAIRS[:3]])
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)

    with pytest.raises(ModelError, match="between 0 and 1"):
        average_stages(tmp_path / "ck1", tmp_path / "ck2", tmp_path / "bad", weight=1.5)
