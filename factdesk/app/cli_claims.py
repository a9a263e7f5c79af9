"""`factdesk claims`, `factdesk check-article` and `factdesk train checkworthy`.

    factdesk claims article.txt --top 5
    cat transcript.txt | factdesk claims - --format json
    factdesk check-article article.html --top 3 --db factdesk.db
    factdesk train checkworthy --model finetune --epochs 3 --max-minutes 20 --seed 13

A thin layer over `factdesk.claims.ClaimExtractor` and `factdesk.pipeline.Desk`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from factdesk.app.options import setting_option
from factdesk.errors import FactdeskError

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def read_input(file: str) -> tuple[str, Any, str | None]:
    """(text, document date, source) from a path or `-` (stdin)."""
    if file == "-":
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        if not text.strip():
            _fail("stdin is empty: pipe in an article, transcript or press release")
        return text, None, None
    from factdesk.ingest.loaders import Skip, load_file

    p = Path(file)
    if not p.exists():
        _fail(f"{file}: no such file (check the path, or pass - to read stdin)")
    if p.is_dir():
        _fail(f"{file} is a folder: pass one file (.txt .md .html .pdf) or - for stdin")
    if p.suffix.lower() not in TEXT_SUFFIXES:
        _fail(
            f"{file}: unknown extension {p.suffix or '(none)'}: use one of {', '.join(TEXT_SUFFIXES)}, or - for stdin"
        )
    for item in load_file(p):
        if isinstance(item, Skip):
            _fail(f"{item.path}: {item.reason}")
        return item.text, item.published, item.url or str(p)
    _fail(f"{file}: no text found")


def _extract(
    file: str,
    top: int,
    date_: str | None,
    progress: bool | None,
    min_score: float,
    ingest_date: str | None = None,
    lang: str | None = None,
) -> Any:
    from factdesk.claims import ClaimExtractor
    from factdesk.types import parse_date

    text, published, source = read_input(file)
    try:
        when = parse_date(date_) if date_ else published
    except ValueError:
        _fail(f"--date {date_!r} is not a date: use YYYY-MM-DD, e.g. --date 2021-12-14")
    try:
        ex = ClaimExtractor(top=top, progress=progress, min_score=min_score)
        res = ex.run(text, doc_date=when, source=source, ingest_date=_ingest_date(ingest_date), lang=lang)
    except FactdeskError as exc:
        _fail(f"{file}: {exc}")
    for note in res.notes:
        click.echo(f"note: {note}", err=True)
    return res, source


DATE_SOURCES = {
    "text": "text",
    "speaker": "text, for this speaker",
    "document": "document's date",
    "inferred": "latest date in the text",
    "dateline": "text's dateline",
    "ingest": "ingest date",
}


def _ingest_date(value: str | None) -> Any:
    """--ingest-date, or today: the date of last resort for a claim nothing else dates."""
    import datetime as dt

    from factdesk.types import parse_date

    if not value:
        return dt.date.today()
    try:
        return parse_date(value)
    except ValueError:
        _fail(f"--ingest-date {value!r} is not a date: use YYYY-MM-DD, e.g. --ingest-date 2021-12-15")


def claims_markdown(res: Any, source: str | None) -> str:
    """The ranked claims as a Markdown list."""
    from factdesk.report.render import language_name

    lines = [
        f"# Claims worth checking{f' in {source}' if source else ''}",
        "",
        f"{len(res)} claims from {res.sentences} sentences, best first"
        + (f"; the text is in {language_name(res.language)}." if getattr(res, "language", None) else "."),
        "",
    ]
    for n, ec in enumerate(res, 1):
        c = ec.claim
        who = c.speaker or "(no speaker named: the document's own statement)"
        if c.speaker and c.speaker_title:
            who += f", {c.speaker_title}"
        when = c.date.isoformat() if c.date else "undated"
        if c.date and ec.date_source:
            when += f" (date from the {DATE_SOURCES.get(ec.date_source, ec.date_source)})"
        marks = f" [{c.language}]" if c.language and c.language != "en" else ""
        marks += " (paraphrase)" if c.paraphrase else ""
        if not ec.checkable:
            marks += f" ({ec.category}: not checkable yet)"
        lines.append(f"{n}. **{c.text}**{marks}  ")
        lines.append(
            f"   {who}; {when}; score {ec.score:.2f} (check-worthiness {ec.checkworthiness:.2f}, {ec.kind}); "
            f"characters {ec.start}-{ec.end}  "
        )
        if c.quote and c.quote != c.text:
            lines.append(f"   > “{c.quote}”")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_progress_opt = click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: only for inputs over 1 MB)."
)
_date_opt = click.option("--date", "date_", help="The document's date (YYYY-MM-DD) for claims that carry none.")
_ingest_opt = click.option(
    "--ingest-date",
    help="The day the text came in (YYYY-MM-DD; default today): the date of a "
    "claim that neither the text nor --date dates.",
)
_lang_opt = click.option(
    "--lang",
    help="The text's language (ISO 639-1: en, ru, uk, be, pl, ...) instead of detecting it. ru, uk, be and pl "
    "are read with their own speech verbs, titles and dates.",
)
_min_opt = click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Leave out claims ranked below this score.",
)


@click.command("claims")
@click.argument("file")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 10_000), help="How many claims to list.")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@_date_opt
@_ingest_opt
@_min_opt
@_progress_opt
@_lang_opt
def claims(
    file: str,
    top: int,
    fmt: str,
    date_: str | None,
    min_score: float,
    progress: bool | None,
    ingest_date: str | None,
    lang: str | None,
) -> None:
    """List the claims worth checking in FILE (.txt .md .html .pdf, or - for stdin),
    with who made them and when."""
    res, source = _extract(file, top, date_, progress, min_score, ingest_date, lang)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "source": source,
                    "language": res.language,
                    "sentences": res.sentences,
                    "notes": res.notes,
                    "claims": [c.to_dict() for c in res],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(claims_markdown(res, source), nl=False)
    if not res:
        sys.exit(1)


@click.command("check-article")
@click.argument("file")
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 100), help="How many claims to check.")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@setting_option("top_k")
@setting_option("db")
@_date_opt
@_ingest_opt
@_progress_opt
@_lang_opt
def check_article(
    file: str,
    top: int,
    fmt: str,
    top_k: int,
    db: str,
    date_: str | None,
    progress: bool | None,
    ingest_date: str | None,
    lang: str | None,
) -> None:
    """Find the top claims in FILE and fact-check each against the evidence store.

    Claims in another language are checked as said and quoted in the original, marked with their
    language; add an English rendering with `factdesk check CLAIM --claim-en ...` or in the web desk."""
    from factdesk.config import Config
    from factdesk.pipeline import Desk
    from factdesk.report.render import render

    try:
        desk = Desk(db=db, candidates=Config().get("candidates"))
        if desk.store.stats()["passages"] == 0:
            _fail(f"the store {db} holds no evidence yet: run `factdesk ingest PATH --db {db}` first")
    except FactdeskError as exc:
        _fail(str(exc))
    res, source = _extract(file, top, date_, progress, 0.0, ingest_date, lang)
    if not res:
        _fail(f"{file}: no claims found to check")
    checks = []
    for ec in res:
        try:
            checks.append((ec, desk.check(ec.claim, top_k=top_k)))
        except (FactdeskError, ValueError) as exc:
            _fail(f"checking claim {ec.claim.text[:60]!r}: {exc}")
    desk.close()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "source": source,
                    "claims": [{"extracted": ec.to_dict(), "fact_check": fc.to_dict()} for ec, fc in checks],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
        return
    out = [f"# Fact-check of {source or 'stdin'}", "", f"{len(checks)} claims checked, best first.", ""]
    out += ["| # | claim | speaker | verdict | confidence |", "|---|---|---|---|---|"]
    for n, (ec, fc) in enumerate(checks, 1):
        cl = ec.claim.text.replace("|", "\\|")
        if ec.claim.language and ec.claim.language != "en":
            cl = f"[{ec.claim.language}] {cl}"
        out.append(
            f"| {n} | {cl[:120]} | {ec.claim.speaker or '-'} | {fc.verdict.rating.value} | "
            f"{fc.verdict.confidence:.2f} |"
        )
    out.append("")
    for n, (_ec, fc) in enumerate(checks, 1):
        body = render(fc, "md").replace("\n# ", "\n## ")
        if body.startswith("# "):
            body = f"## {n}. " + body[2:]
        out += [
            "---",
            "",
            body.replace("\n## Summary", "\n### Summary")
            .replace("\n## Analysis", "\n### Analysis")
            .replace("\n## Evidence weighed", "\n### Evidence weighed")
            .replace("\n## Sources", "\n### Sources"),
        ]
    click.echo("\n".join(out).rstrip() + "\n", nl=False)


@click.command("checkworthy")
@click.option(
    "--model",
    "kind",
    type=click.Choice(["finetune", "head"]),
    default="finetune",
    show_default=True,
    help="finetune: fine-tune MiniLM-L6 and export int8 ONNX (needs torch + transformers); "
    "head: the logistic-regression fallback over embeddings (numpy + scipy).",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with claimbuster_train.json, CT19-T1-Training.csv, CT20-T5-train.tsv "
    "(default: ../shared/data/checkworthiness).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Model folder to write (default: the shipped factdesk/models/checkworthy). finetune writes "
    "model.onnx, tokenizer.json and config.json; head writes head.npz and head.json.",
)
@click.option(
    "--seed", type=int, default=13, show_default=True, help="Seed for the splits, the CT20 sample and training."
)
@click.option(
    "--epochs",
    type=click.FloatRange(min=0.01),
    default=3.0,
    show_default=True,
    help="finetune: passes over the train part (fractions allowed).",
)
@click.option(
    "--max-minutes",
    type=click.FloatRange(min=0.1),
    default=20.0,
    show_default=True,
    help="finetune: time budget; the learning rate decays to 0 by then, so the run ends annealed.",
)
@click.option("--max-steps", type=click.IntRange(min=1), default=None, help="finetune: stop after this many steps.")
@click.option(
    "--lr",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="finetune: peak learning rate (default 8e-5).",
)
@click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True, help="finetune: torch threads.")
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="head: embedding cache (.npz; default ~/.cache/factdesk/checkworthy-embeddings.npz).",
)
@click.option(
    "--ct-weight",
    type=float,
    default=None,
    help="Weight of CheckThat! sentences (default 0.3): the head's sample weight, the share drawn per "
    "epoch when fine-tuning.",
)
@click.option("--claimbuster-only", is_flag=True, help="Train on ClaimBuster alone.")
@click.option("--progress/--no-progress", default=True, help="head: progress bar while embedding.")
def train_checkworthy(
    kind: str,
    data: Path | None,
    out: Path | None,
    seed: int,
    epochs: float,
    max_minutes: float,
    max_steps: int | None,
    lr: float | None,
    threads: int,
    cache: Path | None,
    ct_weight: float | None,
    claimbuster_only: bool,
    progress: bool,
) -> None:
    """Rebuild the check-worthiness model: fine-tuned MiniLM-L6 (default) or the logistic-regression head."""
    log = lambda m: click.echo(m, err=True)  # noqa: E731
    # Options left unset keep the config's own defaults.
    given: dict[str, Any] = {
        k: (str(v) if isinstance(v, Path) else v)
        for k, v in {"data": data, "out": out, "ct_weight": ct_weight}.items()
        if v is not None
    }
    try:
        if kind == "head":
            from factdesk.train.checkworthy import TrainConfig
            from factdesk.train.checkworthy import train_checkworthy as train_head

            if cache is not None:
                given["cache"] = str(cache)
            conf = train_head(TrainConfig(seed=seed, use_ct=not claimbuster_only, **given), progress=progress, log=log)
            click.echo(json.dumps(conf["metrics"], indent=1))
            return
        from factdesk.train.checkworthy_model import FinetuneConfig, finetune_checkworthy

        if lr is not None:
            given["lr"] = lr
        conf = finetune_checkworthy(
            FinetuneConfig(
                seed=seed,
                epochs=epochs,
                max_minutes=max_minutes,
                max_steps=max_steps,
                num_threads=threads,
                use_ct=not claimbuster_only,
                **given,
            ),
            log=log,
        )
    except FactdeskError as exc:
        _fail(str(exc))
    click.echo(json.dumps({k: v for k, v in conf["metrics"].items() if k != "training"}, indent=1))


checkworthy = train_checkworthy  # the click command is named `checkworthy`
