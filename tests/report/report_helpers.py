"""Helpers for the report tests: judged evidence built by hand, a stub aggregator, scripted generators."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from factdesk.models.generators import LlamaCppGenerator
from factdesk.types import Claim, Document, Evidence, Passage, Rating, Stance, Verdict


def ev(
    text: str,
    publisher: str | None,
    published: str | None,
    probs: Sequence[float],
    url: str | None = None,
    title: str | None = None,
) -> Evidence:
    """One judged evidence passage (the whole document is the passage)."""
    d = Document(text=text, publisher=publisher, published=published, url=url, title=title)
    return Evidence(passage=Passage(d.id, text, 0, len(text)), document=d, stance=Stance.from_probs(list(probs)))


SUP = (0.85, 0.05, 0.10)
REF = (0.05, 0.85, 0.10)
NEI = (0.05, 0.05, 0.90)

CRASHING_WORKER = Path(__file__).with_name("crashing_llama_worker.py")


def crashing_generator(folder: Path, *worker_args: str, timeout: float = 60.0) -> LlamaCppGenerator:
    """A `LlamaCppGenerator` whose worker process dies (SIGILL on its first generate, by default).

    `worker_args` go to crashing_llama_worker.py (``--die-on load``, ``--how exit|hang``, ``--once FILE``).
    """
    gguf = folder / "model.gguf"
    gguf.write_bytes(b"GGUF")  # the worker never reads it; the generator only checks that it exists
    return LlamaCppGenerator(gguf, timeout=timeout, worker_command=[sys.executable, str(CRASHING_WORKER), *worker_args])


class StubAggregator:
    """A transparent stand-in for the verdict aggregator: counts strong stances."""

    def warm_up(self) -> None:
        pass

    def run(self, claim: Claim, evidence: list[Evidence]) -> Verdict:
        sup = sum(
            1 for e in evidence if e.stance and e.stance.label.value == "supports" and e.stance.probability >= 0.5
        )
        ref = sum(1 for e in evidence if e.stance and e.stance.label.value == "refutes" and e.stance.probability >= 0.5)
        if sup and ref:
            return Verdict(Rating.MISLEADING, 0.6, method="stub")
        if ref:
            return Verdict(Rating.FALSE, 0.8, method="stub")
        if sup:
            return Verdict(Rating.TRUE, 0.8, method="stub")
        return Verdict(Rating.UNSUBSTANTIATED, 0.5, method="stub")


class ScriptedGenerator:
    """A generator that returns fixed text (or raises), recording the prompts it was given."""

    def __init__(self, output: str | Exception) -> None:
        self.output = output
        self.prompts: list[list[dict[str, str]]] = []

    def warm_up(self) -> None:
        pass

    def generate(self, messages, max_tokens: int = 400, temperature: float = 0.0, stop=None) -> str:
        self.prompts.append([dict(m) for m in messages])
        if isinstance(self.output, Exception):
            raise self.output
        return self.output
