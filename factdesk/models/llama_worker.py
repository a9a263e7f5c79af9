"""The child process that runs llama.cpp for `LlamaCppGenerator`: JSON lines over stdin/stdout.

llama.cpp is native code: an illegal instruction (a build with AMX tiles on a machine that does
not grant them) or a segfault kills the process it runs in. Run here, in its own process, such a
crash kills only this worker; the parent sees the exit signal and turns it into a
`GeneratorError` (and falls back to the template writer).

Protocol: one JSON object a line in, one a line out, one request at a time.

- ``{"op": "load", "model_path": ..., "n_ctx": 2048, "n_threads": 2, "seed": 0}`` loads the model;
- ``{"op": "generate", "messages": [...], "max_tokens": 400, "temperature": 0.0, "stop": [...]}``
  answers ``{"ok": true, "text": "..."}``;
- every failure answers ``{"ok": false, "stage": "import" | "load" | "generate" | "request",
  "error": "..."}`` and the worker keeps serving; end of stdin ends the worker.

Run by hand (it waits for requests on stdin)::

    python -m factdesk.models.llama_worker
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any


def _protocol_stdout() -> IO[str]:
    """A private copy of stdout for replies; fd 1 then points at stderr.

    llama.cpp (C code) may print to fd 1; on the protocol channel that would corrupt a reply.
    """
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def _no_core_dumps() -> None:
    # A crash is reported to the parent by its signal; a core file of the model's memory in the
    # user's working folder helps nobody.
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    except (ImportError, ValueError, OSError):
        pass


class Worker:
    """Holds the loaded model and answers one request at a time."""

    def __init__(self) -> None:
        self.llm: Any = None
        self.seed = 0

    def handle(self, req: dict[str, Any]) -> dict[str, Any]:
        op = req.get("op")
        if op == "load":
            return self.load(req)
        if op == "generate":
            return self.generate(req)
        return {"ok": False, "stage": "request", "error": f"unknown op {op!r}: use load or generate"}

    def load(self, req: dict[str, Any]) -> dict[str, Any]:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            return {"ok": False, "stage": "import", "error": str(exc)}
        self.seed = int(req.get("seed", 0))
        try:
            self.llm = Llama(
                model_path=str(req["model_path"]),
                n_ctx=int(req.get("n_ctx", 2048)),
                n_threads=int(req.get("n_threads", 2)),
                seed=self.seed,
                verbose=False,
            )
        except (ValueError, RuntimeError, KeyError) as exc:
            return {"ok": False, "stage": "load", "error": str(exc)}
        return {"ok": True}

    def generate(self, req: dict[str, Any]) -> dict[str, Any]:
        if self.llm is None:
            return {"ok": False, "stage": "request", "error": "no model loaded: send a load request first"}
        try:
            out = self.llm.create_chat_completion(
                messages=list(req["messages"]),
                max_tokens=int(req.get("max_tokens", 400)),
                temperature=float(req.get("temperature", 0.0)),
                stop=list(req.get("stop") or []) or None,
                seed=self.seed,
            )
        except (ValueError, RuntimeError, KeyError) as exc:  # e.g. prompt longer than n_ctx
            return {"ok": False, "stage": "generate", "error": str(exc)}
        return {"ok": True, "text": str(out["choices"][0]["message"]["content"] or "")}


def main() -> int:
    """Serve requests from stdin until it closes."""
    _no_core_dumps()
    out = _protocol_stdout()
    worker = Worker()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            reply = (
                worker.handle(req)
                if isinstance(req, dict)
                else {"ok": False, "stage": "request", "error": "a request is one JSON object a line"}
            )
        except json.JSONDecodeError as exc:
            reply = {"ok": False, "stage": "request", "error": f"not JSON: {exc}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
