"""Export a fine-tuned MiniLM classifier to int8 ONNX, and read such an export back into torch.

`export_onnx` is the last step of both trainers: torch.onnx (opset 17, dynamic batch and
sequence axes) -> optionally onnxruntime's BERT graph fusions -> `quantize_dynamic` to int8.
The folder it writes (with the tokenizer and a config.json the recipe adds) is what the run-time
classes load with onnxruntime alone. `load_onnx_weights` is its inverse for resuming a stance
stage from a shipped int8 model: quantised matrices are dequantised into a torch model.

>>> from factdesk.train.export import ONNX_INPUTS
>>> ONNX_INPUTS
('input_ids', 'attention_mask', 'token_type_ids')
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import ModelError
from factdesk.train.finetune import require_torch

ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
"""The exported graph's inputs, in order; its one output is ``logits``."""


def export_onnx(model: Any, out_dir: Path, max_length: int, fuse: bool = False) -> tuple[Path, float]:
    """Export to ONNX (dynamic batch and sequence axes), quantise to int8; return path and MB.

    ``fuse`` runs onnxruntime's BERT graph fusions (attention, layer norm, GELU) before
    quantising: the same function, about a third faster on a 2-core CPU. No fp32 or fused
    intermediate is left in ``out_dir``, even when a step fails.
    """
    torch = require_torch()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    try:  # the eager attention path exports to plain ONNX ops on every torch version
        model.set_attn_implementation("eager")
    except Exception:  # noqa: BLE001 - older transformers
        model.config._attn_implementation = "eager"
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32, fused, int8 = out_dir / "model.fp32.onnx", out_dir / "model.fused.onnx", out_dir / "model.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    # Trace with a padded row: transformers skips building the attention mask when every
    # position is real, and a trace of that branch would ignore padding at run time.
    mask[1, 10:] = 0
    types = torch.zeros((2, 16), dtype=torch.long)

    class _Wrap(torch.nn.Module):  # type: ignore[name-defined,misc]
        def __init__(self, m: Any) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    axes = {
        "input_ids": {0: "batch", 1: "seq"},
        "attention_mask": {0: "batch", 1: "seq"},
        "token_type_ids": {0: "batch", 1: "seq"},
        "logits": {0: "batch"},
    }
    try:
        torch.onnx.export(
            _Wrap(model),
            (ids, mask, types),
            str(fp32),
            dynamo=False,
            input_names=list(ONNX_INPUTS),
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=17,
            do_constant_folding=True,
        )
        if fuse:
            import onnx
            from onnxruntime.transformers import optimizer

            cfg = model.config
            opt = optimizer.optimize_model(
                str(fp32),
                model_type="bert",
                num_heads=cfg.num_attention_heads,
                hidden_size=cfg.hidden_size,
                opt_level=1,
            )
            opt.save_model_to_file(str(fused))
            # Shape inference cannot type the fused (com.microsoft) ops' outputs: they are float.
            quantize_dynamic(
                str(fused),
                str(int8),
                weight_type=QuantType.QInt8,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        else:
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    finally:
        for p in (fp32, fused):
            p.unlink(missing_ok=True)
    return int8, int8.stat().st_size / 2**20


def load_onnx_weights(model: Any, onnx_path: Path) -> dict[str, Any]:
    """Load an exported stance model's weights (int8 `quantize_dynamic` ONNX) back into `model`.

    Quantised matrices are dequantised (``(q - zero_point) * scale``); float initialisers
    (biases, LayerNorms) are copied exactly. A MatMul weight is tied to its `nn.Linear` by
    the bias that the exported graph adds to its output. Parameters the ONNX file lacks keep
    the base model's values: with v2's recipe those are the frozen embeddings and bottom
    layers, which are the base model's anyway. Returns counts of what was loaded.
    """
    torch = require_torch()
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_path)).graph
    raw = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

    def key_of(name: str) -> str:  # export_onnx wraps the model as `m`
        return name[2:] if name.startswith("m.") else name

    floats: dict[str, np.ndarray] = {}
    step: dict[str, float] = {}  # quantisation step of each dequantised tensor
    for name, arr in raw.items():
        if name.endswith("_quantized"):
            base = name[: -len("_quantized")]
            scale, zp = raw.get(base + "_scale"), raw.get(base + "_zero_point")
            if scale is not None:
                zp_arr = np.zeros(1) if zp is None else zp.astype(np.float32)
                floats[base] = (arr.astype(np.float32) - zp_arr) * scale.astype(np.float32)
                step[base] = float(np.max(scale))
        elif arr.dtype == np.float32:
            floats[name] = arr
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for inp in node.input:
            consumers[inp].append(node)
    state = model.state_dict()
    new: dict[str, Any] = {}
    kept_exact = 0

    def put(key: str, arr: np.ndarray, qstep: float | None) -> None:
        nonlocal kept_exact
        if key not in state or tuple(state[key].shape) != arr.shape:
            return
        # A tensor that training never changed (frozen) is within half a quantisation step of
        # the base model's: keep the base's exact fp32 values rather than the int8 round trip.
        if qstep is not None and float(np.abs(arr - state[key].numpy()).max()) <= 0.51 * qstep:
            kept_exact += 1
            return
        new[key] = torch.from_numpy(np.array(arr, dtype=np.float32, copy=True))

    for name, arr in floats.items():
        put(key_of(name), arr, step.get(name))
    # MatMul weights: find the Linear by the bias added downstream of the (integer) matmul.
    for node in graph.node:
        if node.op_type not in ("MatMulInteger", "MatMul") or len(node.input) < 2:
            continue
        wname = node.input[1][: -len("_quantized")] if node.input[1].endswith("_quantized") else node.input[1]
        if wname not in floats:
            continue
        frontier, bias = list(node.output), None
        for _ in range(6):
            nxt = []
            for t in frontier:
                for c in consumers.get(t, []):
                    hit = [i for i in c.input if i.endswith(".bias") and i in floats]
                    if c.op_type == "Add" and hit:
                        bias = hit[0]
                        break
                    nxt += list(c.output)
                if bias:
                    break
            if bias:
                break
            frontier = nxt
        if bias is None:
            continue
        put(key_of(bias[: -len(".bias")] + ".weight"), floats[wname].T, step.get(wname))
    trainable = {n for n, p_ in model.named_parameters() if p_.requires_grad}
    missing = sorted(trainable - set(new))
    if not new or any(k.startswith("classifier") for k in missing):
        raise ModelError(
            f"{onnx_path} does not hold this model's weights ({len(new)} tensors matched; "
            f"missing {missing[:4]}...): resume from a factdesk stance model folder"
        )
    model.load_state_dict(new, strict=False)
    return {"tensors_loaded": len(new), "kept_base_exact": kept_exact, "trainable_missing": missing}
