"""Benchmark the report writers on AVeriTeC dev_public, retrieved setting.

For each claim the desk retrieves from a pooled store of every AVeriTeC answer (train +
dev_public, each answer a document with its source URL; see the leakage caveat in
`factdesk.eval.averitec`), judges, writes and grounds a report, then we measure:

- grounded-sentence rate: of the cited analysis sentences the writer produced, the share the
  grounding check kept as written (``pre_check``), and of those published, the share grounded
  (``published``, 1.0 by construction: the check rewrites or drops the rest);
- FactCheck's own ``grounded_sentence_rate`` (summary + analysis + dropped), averaged;
- justification METEOR: summary + analysis text against the gold justification (nltk's
  single_meteor_score, `factdesk.eval.meteor.justification_meteor`);
- words per analysis, seconds per report (whole check, and the writer alone), fallbacks.

    python bench/bench_writer.py --limit 40                       # template writer
    python bench/bench_writer.py --limit 40 --writer llm          # SmolLM2 via llama.cpp
    FACTDESK_LLM_URL=http://127.0.0.1:8000/v1 python bench/bench_writer.py --writer llm

Results go to bench/results/writer-<writer>-<stance>.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.config import shared_root  # noqa: E402
from factdesk.eval.averitec import load_averitec, pooled_documents  # noqa: E402
from factdesk.eval.meteor import justification_meteor  # noqa: E402
from factdesk.report.averitec import to_averitec  # noqa: E402
from factdesk.report.writer import is_desk_note  # noqa: E402
from factdesk.types import Claim, Evidence, Sentence, Verdict  # noqa: E402

SHARED = shared_root() / "data" / "averitec"


class TimedWriter:
    """Wraps a writer, timing each run and keeping what it produced before the grounding check."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds: list[float] = []
        self.produced: list[list[Sentence]] = []
        self.fallbacks: list[str | None] = []
        self.requires_grounding = getattr(inner, "requires_grounding", False)

    def warm_up(self) -> None:
        self.inner.warm_up()

    def run(
        self, claim: Claim, evidence: list[Evidence], verdict: Verdict
    ) -> tuple[str, list[Sentence], list[Sentence]]:
        t = time.perf_counter()
        out = self.inner.run(claim, evidence, verdict)
        self.seconds.append(time.perf_counter() - t)
        self.produced.append(list(out[2]))
        self.fallbacks.append(getattr(self.inner, "last_fallback", None))
        return out


def stance_model(name: str) -> tuple[Any, str]:
    """The real ONNX stance model when its weights are shipped (or asked for), else the fake."""
    from factdesk.models.cross_encoder import DEFAULT_MODEL_DIR

    if name == "real" or (name == "auto" and (DEFAULT_MODEL_DIR / "model.onnx").is_file()):
        from factdesk.registry import registry

        return registry.create("stance", "minilm-stance"), "real"
    from factdesk.testing.fakes import FakeStanceModel

    return FakeStanceModel(), "fake"


def make_writer(name: str) -> Any:
    from factdesk.report.writer import TemplateWriter

    if name == "template":
        return TemplateWriter()
    from factdesk.models.generators import create_generator, generator_from_env
    from factdesk.report.llm_writer import LLMWriter

    return LLMWriter(generator_from_env() or create_generator("smollm2"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(SHARED / "dev_public.json"))
    ap.add_argument("--train", default=str(SHARED / "train.json"), help="pooled into the store; '' for dev only")
    ap.add_argument("--limit", type=int, default=40, help="claims (the first N of the file)")
    ap.add_argument("--top-k", type=int, default=6)
    ap.add_argument("--writer", choices=("template", "llm"), default="template")
    ap.add_argument("--stance", choices=("auto", "real", "fake"), default="auto")
    ap.add_argument("--db", default="/tmp/factdesk-bench-writer/pool.db", help="store, reused between runs")
    ap.add_argument("--out", help="results JSON (default bench/results/writer-<writer>-<stance>.json)")
    args = ap.parse_args()

    from factdesk.pipeline import Desk

    stance, stance_name = stance_model(args.stance)
    writer = TimedWriter(make_writer(args.writer))
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    desk = Desk(db=args.db, stance_model=stance, writer=writer)
    t0 = time.perf_counter()
    desk.warm_up()
    if desk.store.stats()["passages"] == 0:
        paths = [p for p in (args.train, args.data) if p]
        desk.ingest(pooled_documents(paths))
    setup = time.perf_counter() - t0

    examples = load_averitec(args.data, limit=args.limit)
    preds, refs, rows = [], [], []
    for i, ex in enumerate(examples):
        t = time.perf_counter()
        # AVeriTeC answers are undated and the store's date filter drops undated passages, so the
        # claim goes in without its date (as factdesk.eval.averitec's retrieved run does).
        claim = Claim(text=ex.claim.text, speaker=ex.claim.speaker, source=ex.claim.source)
        fc = desk.check(claim, top_k=args.top_k)
        seconds = time.perf_counter() - t
        produced = [s for s in writer.produced[-1] if s.citations or not is_desk_note(s.text)]
        kept_as_written = {s.text for s in fc.analysis if s.citations}
        cited_out = [s for s in fc.analysis if s.citations]
        rows.append(
            {
                "produced": len(produced),
                "kept_as_written": sum(1 for s in produced if s.text in kept_as_written),
                "published_cited": len(cited_out),
                "published_grounded": sum(1 for s in cited_out if s.grounded),
                "uncited_published": sum(1 for s in fc.analysis if not s.citations and not is_desk_note(s.text)),
                "dropped": len(fc.dropped),
                "fc_rate": fc.to_dict()["grounded_sentence_rate"],
                "words": sum(len(s.text.split()) for s in fc.analysis),
                "seconds": seconds,
                "writer_seconds": writer.seconds[-1],
                "fallback": writer.fallbacks[-1],
                "label": fc.verdict.averitec_label.value if fc.verdict.averitec_label else None,
                "gold": ex.label,
            }
        )
        preds.append(to_averitec(fc, claim_id=i))
        refs.append(ex.raw)
        if i == 0:
            sample = {
                "claim": ex.claim.text,
                "headline": fc.headline,
                "summary": [s.to_dict() for s in fc.summary],
                "analysis": [s.to_dict() for s in fc.analysis],
                "dropped": [s.to_dict() for s in fc.dropped],
                "gold_justification": ex.raw.get("justification"),
            }
        print(
            f"{i + 1}/{len(examples)} {seconds:.2f}s {rows[-1]['kept_as_written']}/{rows[-1]['produced']} kept",
            file=sys.stderr,
        )

    produced = sum(r["produced"] for r in rows)
    published = sum(r["published_cited"] for r in rows)
    met = justification_meteor(preds, refs)
    result = {
        "benchmark": "writer",
        "writer": args.writer,
        "generator": getattr(writer.inner, "to_dict", lambda: None)(),
        "stance_model": stance_name,
        "data": Path(args.data).name,
        "setting": (
            f"retrieved from pooled AVeriTeC answers of {' + '.join(Path(p).name for p in (args.train, args.data) if p)}"
            " (leaky: holds the gold answers; not comparable to open-web AVeriTeC)"
        ),
        "claims": len(rows),
        "subset": f"first {len(rows)} claims of {Path(args.data).name}",
        "top_k": args.top_k,
        "grounded_rate_pre_check": (sum(r["kept_as_written"] for r in rows) / produced) if produced else 1.0,
        "grounded_rate_published": (sum(r["published_grounded"] for r in rows) / published) if published else 1.0,
        "uncited_non_note_sentences_published": sum(r["uncited_published"] for r in rows),
        "factcheck_grounded_sentence_rate_mean": statistics.mean(r["fc_rate"] for r in rows),
        "sentences_dropped": sum(r["dropped"] for r in rows),
        "justification_meteor": met["justification_meteor"],
        "words_per_analysis_mean": statistics.mean(r["words"] for r in rows),
        "words_per_analysis_median": statistics.median(r["words"] for r in rows),
        "seconds_per_report_mean": statistics.mean(r["seconds"] for r in rows),
        "writer_seconds_per_report_mean": statistics.mean(r["writer_seconds"] for r in rows),
        "fallbacks": sum(1 for r in rows if r["fallback"]),
        "fallback_reasons": sorted({r["fallback"] for r in rows if r["fallback"]}),
        "label_accuracy": statistics.mean(1.0 if r["label"] == r["gold"] else 0.0 for r in rows),
        "setup_seconds": setup,
        "store": desk.store.stats(),
        "machine": f"{platform.machine()}, {platform.python_version()}, shared 2-core box under load",
        "sample": sample,
    }
    out = Path(args.out or REPO / "bench" / "results" / f"writer-{args.writer}-{stance_name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    desk.close()
    print(json.dumps({k: v for k, v in result.items() if k not in ("sample", "store")}, indent=1))


if __name__ == "__main__":
    main()
