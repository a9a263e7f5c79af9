"""The fine-tuning recipe: a smoke run of a few steps on inline sentences, exported to int8 ONNX."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

try:
    import torch  # noqa: F401
    import transformers  # noqa: F401

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

from factdesk.eval.checkworthy import CheckworthyItem
from factdesk.train.checkworthy_model import FinetuneConfig, epoch_plan

needs_torch = pytest.mark.skipif(
    not HAVE_TORCH,
    reason="torch/transformers not importable: install the train extra "
    "(pip install torch==2.13.0 transformers onnx) to run the fine-tuning smoke test",
)

POS = [
    "Unemployment fell to 3.5 percent in 2019.",
    "Crime rose 18 percent between 2019 and 2022.",
    "We hired 40 new police officers last year.",
    "The deficit doubled to $1.4 trillion under his watch.",
    "Taxes went up on 2 million families.",
    "The city spends more on consultants than on roads.",
    "Ten million Americans lost their insurance.",
    "Exports to China fell by a third in 2020.",
    "He voted against the budget 12 times.",
    "Gas prices are the highest they have been since 2008.",
]
NEG = [
    "Thank you all for coming tonight.",
    "Good evening and welcome to the debate.",
    "I think we can do better.",
    "Let us move on to the next question.",
    "That is a great question.",
    "I love this country.",
    "We will be right back after the break.",
    "Please keep your answers short.",
    "My opponent should be ashamed.",
    "God bless you and God bless America.",
]


def _items(texts: list[str], label: int, group: str = "claimbuster") -> list[CheckworthyItem]:
    return [CheckworthyItem(text=t, label=label, group=group) for t in texts]


def test_epoch_plan_keeps_claimbuster_and_samples_checkthat():
    items = _items(["a b c"] * 40, 1) + _items(["d e f"] * 400, 0, group="ct19")
    cfg = FinetuneConfig(batch_size=8, ct_weight=0.25)
    plan = epoch_plan(items, [3] * len(items), cfg, random.Random(0))
    seen = [i for b in plan for i in b]
    assert len(seen) == len(set(seen))
    assert set(range(40)) <= set(seen)  # every ClaimBuster sentence, every epoch
    n_ct = len([i for i in seen if i >= 40])
    assert 60 < n_ct < 140  # about a quarter of the 400 CheckThat! sentences
    assert all(len(b) <= 8 for b in plan)


@needs_torch
def test_finetune_smoke(tmp_path):
    from factdesk.claims.checkworthy import CheckWorthiness
    from factdesk.train.checkworthy_model import finetune_checkworthy

    splits = {
        "train": _items(POS[:8], 1) + _items(NEG[:8], 0) + _items(["Thanks again, everyone."], 0, "ct19"),
        "dev": _items(POS[8:], 1) + _items(NEG[8:], 0),
        "cb_test": _items(POS[8:], 1) + _items(NEG[8:], 0),
        "ct19_test": _items(POS[:3], 1, "d1") + _items(NEG[:3], 0, "d1"),
    }
    cfg = FinetuneConfig(out=str(tmp_path), max_steps=3, batch_size=8, seed=1, max_minutes=None, log_every=1)
    conf = finetune_checkworthy(cfg, log=lambda m: None, splits=splits)
    assert conf["metrics"]["training"]["steps"] == 3
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"model.onnx", "tokenizer.json", "config.json", "MODEL_CARD.md"}  # no fp32 or checkpoint leftovers
    saved = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    assert saved["kind"] == "finetuned" and saved["threshold"] == 0.5
    assert 0.0 <= saved["metrics"]["claimbuster_test"]["f1"] <= 1.0
    assert saved["metrics"]["ct19_heldout"]["debates"] == 1
    # The exported model loads with the run-time class, and the logit shift puts the
    # dev-tuned threshold at 0.5.
    cw = CheckWorthiness(model_dir=tmp_path)
    assert cw.backend == "finetuned"
    p = cw.score(POS[8:] + NEG[8:] + [""])
    assert p.shape == (5,) and p[-1] == 0.0 and np.all((p >= 0) & (p <= 1))
    raw = 1 / (1 + np.exp(-(cw.logits(POS[8:]) + saved["logit_shift"])))
    assert np.allclose((raw >= saved["raw_threshold"]), (cw.score(POS[8:]) >= 0.5))
