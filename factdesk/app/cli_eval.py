"""``factdesk eval ...``: run a benchmark suite on a data file and print ONE JSON object.

Each command reads any file of its format by path, prints its metrics as a single JSON
object on stdout, and appends a run record to ``bench/results/`` (``--no-record`` to skip).
A missing or malformed file is a one-line error on stderr and exit code 2.

    factdesk eval averitec --data ../shared/data/averitec/dev_public.json --limit 5
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from factdesk.errors import FactdeskError, InputError


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {' '.join(str(message).split())}", err=True)
    sys.exit(code)


def _need_file(path: str | None, option: str) -> Path:
    if not path:
        _fail(f"{option} is required: pass the path to the data file")
    p = Path(str(path))
    if not p.is_file():
        _fail(f"{option} {str(p)!r} does not exist or is not a file: check the path")
    return p


def _run(suite: str, fn: Callable[[], dict[str, Any]], args: dict[str, Any], record: bool) -> None:
    t0 = time.perf_counter()
    try:
        metrics = fn()
    except InputError as exc:
        _fail(str(exc), 2)
        return
    except FactdeskError as exc:
        _fail(str(exc), 1)
        return
    wall = time.perf_counter() - t0
    metrics = {"suite": suite, **metrics, "wall_seconds": wall}
    if record:
        from factdesk.eval.records import append_record, make_record

        rec = make_record(suite, metrics, wall, args)
        metrics["peak_rss_mb"] = rec["peak_rss_mb"]
        append_record(rec)
    click.echo(json.dumps(metrics, ensure_ascii=False, default=str))


_record = click.option(
    "--record/--no-record",
    default=True,
    show_default=True,
    help="Append a run record to bench/results/ (or $FACTDESK_RESULTS_DIR).",
)
_limit = click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N items.")


@click.group("eval")
def eval_group() -> None:
    """Measure the desk on real fact-checks; each command prints one JSON object of metrics."""


@eval_group.command("averitec")
@click.option("--data", "data", type=str, required=False, help="AVeriTeC claims JSON (e.g. dev_public.json).")
@click.option(
    "--setting",
    type=click.Choice(["gold", "retrieved"]),
    default="gold",
    show_default=True,
    help="gold: judge the annotated QA evidence; retrieved: retrieve from a pooled answer corpus.",
)
@click.option(
    "--train",
    "train",
    type=str,
    default=None,
    help="AVeriTeC train JSON whose answers join the pooled corpus (retrieved setting).",
)
@click.option("--db", type=str, default=None, help="Store for the pooled corpus (default: a temporary one).")
@click.option("--out", type=str, default=None, help="Write predictions (upstream scorer format) here.")
@_limit
@_record
def averitec_cmd(
    data: str | None, setting: str, train: str | None, db: str | None, out: str | None, limit: int | None, record: bool
) -> None:
    """AVeriTeC: Q-only, Q+A, label accuracy / macro-F1 and the AVeriTeC score."""
    path = _need_file(data, "--data")
    if train is not None:
        _need_file(train, "--train")
    if setting == "gold" and (train or db):
        _fail("--train and --db only apply to --setting retrieved")
    from factdesk.eval import averitec

    args = {"data": str(path), "setting": setting, "train": train, "db": db, "limit": limit}
    _run(
        f"averitec-{setting}",
        lambda: averitec.evaluate(path, setting=setting, train=train, db=db, out=out, limit=limit),
        args,
        record,
    )


@eval_group.command("scifact")
@click.option("--claims", "claims", type=str, required=False, help="SciFact claims JSON lines.")
@click.option("--corpus", "corpus", type=str, required=False, help="SciFact corpus.jsonl.")
@click.option("--db", type=str, default=None, help="Store for the corpus (default: a temporary one).")
@click.option("--out", type=str, default=None, help="Write predictions (leaderboard format) here.")
@_limit
@_record
def scifact_cmd(
    claims: str | None, corpus: str | None, db: str | None, out: str | None, limit: int | None, record: bool
) -> None:
    """SciFact: abstract-level and sentence-level P/R/F1 with open retrieval."""
    cp = _need_file(claims, "--claims")
    kp = _need_file(corpus, "--corpus")
    from factdesk.eval import scifact

    args = {"claims": str(cp), "corpus": str(kp), "db": db, "limit": limit}
    _run("scifact", lambda: scifact.evaluate(cp, kp, limit=limit, db=db, out=out), args, record)


@eval_group.command("climate-fever")
@click.option("--data", "data", type=str, required=False, help="Climate-FEVER JSON lines.")
@_limit
@_record
def climate_fever_cmd(data: str | None, limit: int | None, record: bool) -> None:
    """Climate-FEVER: claim labels from the 5 evidence sentences, and evidence stance."""
    path = _need_file(data, "--data")
    from factdesk.eval import climate_fever

    _run(
        "climate-fever", lambda: climate_fever.evaluate(path, limit=limit), {"data": str(path), "limit": limit}, record
    )


@eval_group.command("checkworthy")
@click.option(
    "--data", "data", type=str, required=False, help="ClaimBuster JSON, CheckThat! 2019 CSV or CheckThat! 2020 TSV."
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Score at or above which a sentence counts as check-worthy, for P/R/F1 "
    "[default: the model's tuned threshold, else 0.5].",
)
@_limit
@_record
def checkworthy_cmd(data: str | None, threshold: float | None, limit: int | None, record: bool) -> None:
    """Check-worthiness: P/R/F1 of the check-worthy class and MAP per debate."""
    path = _need_file(data, "--data")
    from factdesk.eval import checkworthy

    try:
        fmt = checkworthy.detect_format(path)
    except InputError as exc:
        _fail(str(exc))
        return
    _run(
        f"checkworthy-{fmt}",
        lambda: checkworthy.evaluate(path, limit=limit, threshold=threshold),
        {"data": str(path), "limit": limit, "threshold": threshold},
        record,
    )


@eval_group.command("claim-matching")
@click.option("--queries", type=str, required=False, help="Queries TSV (id<TAB>text, header), e.g. tweets.queries.tsv.")
@click.option("--qrels", type=str, required=False, help="TREC qrels (query_id 0 claim_id 1).")
@click.option(
    "--checks",
    type=str,
    required=False,
    help="Verified claims TSV (id<TAB>claim<TAB>title, header), e.g. verified_claims.docs.tsv.",
)
@click.option(
    "--db",
    type=str,
    default=None,
    help="Store to import the checks into (default: in memory); it caches their embeddings.",
)
@_limit
@_record
def claim_matching_cmd(
    queries: str | None, qrels: str | None, checks: str | None, db: str | None, limit: int | None, record: bool
) -> None:
    """Claim matching (CheckThat! 2020 Task 2 format): MAP@1/3/5, MRR, Recall@1/5/20 and
    latency of the matcher, and of plain BM25 in the same run."""
    qp = _need_file(queries, "--queries")
    rp = _need_file(qrels, "--qrels")
    cp = _need_file(checks, "--checks")
    from factdesk.eval import claim_matching

    args = {"queries": str(qp), "qrels": str(rp), "checks": str(cp), "db": db, "limit": limit}
    _run(
        "claim-matching",
        lambda: claim_matching.evaluate(qp, rp, cp, db=db, limit=limit, progress=lambda s: click.echo(s, err=True)),
        args,
        record,
    )


@eval_group.command("claims")
@click.option(
    "--data",
    "data",
    type=str,
    required=False,
    help="Folder of NAME.txt/.md/.html + NAME.gold.json pairs, e.g. examples/claims-eval/dev.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.5,
    show_default=True,
    help="Least token F1 between an extracted and a hand-written claim for them to match.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Extracted claims ranked below this are not counted as extracted.",
)
@_record
def claims_cmd(data: str | None, threshold: float, min_score: float, record: bool) -> None:
    """Claim extraction against hand-written claims: precision / recall / F1 (similarity match),
    speaker and date accuracy over the matched claims."""
    if not data:
        _fail("--data is required: pass a folder of NAME.txt + NAME.gold.json pairs")
    folder = Path(str(data))
    if not folder.is_dir():
        _fail(f"--data {str(folder)!r} is not a folder: pass e.g. examples/claims-eval/dev")
    from factdesk.eval import claims as claims_eval

    _run(
        "claims-eval",
        lambda: claims_eval.evaluate(folder, threshold=threshold, min_score=min_score),
        {"data": str(folder), "threshold": threshold, "min_score": min_score},
        record,
    )


@eval_group.command("narratives")
@click.option(
    "--queries",
    multiple=True,
    help="Queries TSV (id<TAB>text, header), e.g. train/tweets.queries.tsv; "
    "repeat with --qrels for several splits (each scored alone and all together).",
)
@click.option("--qrels", multiple=True, help="TREC qrels of those queries (query_id 0 claim_id 1), in the same order.")
@click.option("--threshold", type=float, default=None, help="Grouping score threshold [default: the tuned one].")
@click.option(
    "--checks",
    type=str,
    default=None,
    help="Verified claims TSV (verified_claims.docs.tsv): also score grouping through the fact-checks.",
)
@click.option(
    "--db",
    type=str,
    default=None,
    help="Store to import --checks into (default: in memory; it caches their embeddings).",
)
@_record
def narratives_cmd(
    queries: tuple[str, ...],
    qrels: tuple[str, ...],
    threshold: float | None,
    checks: str | None,
    db: str | None,
    record: bool,
) -> None:
    """Recurring-claim grouping (CheckThat! 2020 Task 2 files): pairwise P/R/F1 over co-grouped
    posts, and of the every-post-alone and BM25 baselines in the same run; with --checks, also
    with each post joining the group of the fact-check it matches."""
    if not queries or len(queries) != len(qrels):
        _fail(
            "pass --queries and --qrels, once each per split and in the same order "
            "(e.g. --queries train/tweets.queries.tsv --qrels train/tweet-vclaim-pairs.qrels)"
        )
    pairs = [(_need_file(q, "--queries"), _need_file(r, "--qrels")) for q, r in zip(queries, qrels, strict=True)]
    cp = _need_file(checks, "--checks") if checks else None
    from factdesk.eval import narratives
    from factdesk.narratives.group import DEFAULT_THRESHOLD

    t = DEFAULT_THRESHOLD if threshold is None else threshold
    args = {
        "queries": [str(q) for q, _ in pairs],
        "qrels": [str(r) for _, r in pairs],
        "threshold": t,
        "checks": str(cp) if cp else None,
        "db": db,
    }
    _run(
        "narratives",
        lambda: narratives.evaluate(pairs, threshold=t, checks=cp, db=db, progress=lambda s: click.echo(s, err=True)),
        args,
        record,
    )


@eval_group.command("nli")
@click.option("--data", "data", type=str, required=False, help="NLI file: premise/hypothesis/label (see --format).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "tsv", "xnli", "terra", "farstail", "ans", "ru22fact"]),
    default="auto",
    show_default=True,
    help="tsv: premise TAB hypothesis TAB label (XNLI layout); xnli: that or XNLI 1.0's headed tsv; "
    "terra: TERRa jsonl; farstail: FarsTail csv; ans: ANS Arabic stance csv; ru22fact: RU22Fact parquet; "
    "auto: guess from the name and first line.",
)
@click.option("--language", default=None, help="Keep one language's rows of a multilingual file (XNLI 1.0, RU22Fact).")
@click.option(
    "--model",
    "model",
    type=str,
    default="minilm",
    show_default=True,
    help="Stance model: minilm (English), e5 (multilingual), routed (the desk's default: MiniLM for "
    "English pairs, e5 for the rest), or a model folder.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the --limit sample.")
@click.option(
    "--name",
    default="nli",
    show_default=True,
    help="Suite name of the run record (bench/results/NAME.jsonl), e.g. nli-xnli-ru.",
)
@_limit
@_record
def nli_cmd(
    data: str | None,
    fmt: str,
    language: str | None,
    model: str,
    seed: int,
    name: str,
    limit: int | None,
    record: bool,
) -> None:
    """NLI: accuracy and per-label F1 of the stance model (entailment/neutral/contradiction, or binary).

    Pairs go to the model as (claim, evidence) = (hypothesis, premise); --limit samples N pairs
    with --seed instead of taking the first N.
    """
    path = _need_file(data, "--data")
    from factdesk.eval import nli

    def go() -> dict[str, Any]:
        metrics = nli.evaluate(path, model=model, fmt=fmt, limit=limit, seed=seed, language=language)
        return {"primary_metric": nli.NliEvaluator.primary_metric, "model": model, **metrics}

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
        _fail(f"--name {name!r}: use lower-case letters, digits, '-' and '_' (it names a results file)")
    args = {"data": str(path), "format": fmt, "language": language, "model": model, "limit": limit, "seed": seed}
    _run(name, go, args, record)


def main() -> None:  # `python -m factdesk.app.cli_eval ...` until the main CLI registers the group
    eval_group()


if __name__ == "__main__":
    main()
