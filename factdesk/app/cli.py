"""The `factdesk` command: a thin layer over `factdesk.pipeline.Desk`."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable
from typing import Any

import click

from factdesk.app.options import resolve, setting_option
from factdesk.config import SETTINGS, Config, docs_markdown
from factdesk.errors import FactdeskError, InputError
from factdesk.report.render import FORMATS
from factdesk.types import parse_date


def fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _printable(text: str) -> str:
    """Text any terminal can take: file names undecodable as UTF-8 and lone surrogates are escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--db`, from the settings table (flag > FACTDESK_DB > factdesk.toml > factdesk.db)."""
    return setting_option("db")(f)


def date_arg(value: str | None, flag: str) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError as exc:  # parse_date's message says why (an impossible day, a partial form)
        fail(f"{flag}: {exc}")
    return None


JUDGES = ("default", "llm")


def lang_arg(value: str | None) -> str | None:
    """A --lang value checked (None: detect); a bad code is a usage error naming valid ones."""
    from factdesk.lang import check_code

    try:
        return check_code(value)
    except InputError as exc:
        fail(str(exc))
    return None


def open_desk(db: str, writer: str = "template", judge: str = "default", **settings: Any) -> Any:
    """The desk for a command; `judge="llm"` puts the LLM judge in place of the aggregator, and
    `settings` are further options from the settings table (e.g. judge_model)."""
    from factdesk.pipeline import Desk

    generator = None
    aggregator = None
    try:
        cfg = Config(db=db, **settings)
    except InputError as exc:
        fail(str(exc))
    if judge not in JUDGES:
        fail(f"--judge {judge!r} is not a judge: choose {' or '.join(JUDGES)} (setting judge, FACTDESK_JUDGE)")
    if judge == "llm":
        from factdesk.models.llm_judge import llm_judge_from_config

        try:
            aggregator = llm_judge_from_config(cfg)
        except InputError as exc:
            fail(str(exc))
    if writer == "llm":
        from factdesk.models.generators import generator_from_config

        generator = generator_from_config(cfg)
        if generator is None:
            fail(
                "--writer llm needs llm_url (FACTDESK_LLM_URL: an OpenAI-compatible /v1 endpoint) or gguf "
                "(FACTDESK_GGUF: a .gguf file), in the environment or factdesk.toml"
            )
    try:
        desk = Desk(db=cfg.get("db"), candidates=cfg.get("candidates"), generator=generator, aggregator=aggregator)
        _ = desk.store
        return desk
    except FactdeskError as exc:
        fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factdesk")
def main() -> None:
    """factdesk: an offline-first fact-checking desk.

    \b
    factdesk ingest examples/demo_corpus/
    factdesk check "NATO countries have become a real machine producing refugees" --speaker "Anatoly Glaz"
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--publisher", help="Publisher for documents that do not name one.")
@click.option("--date", "date_", help="Publication date (YYYY-MM-DD) for documents that do not carry one.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@click.option("--bulk", is_flag=True, help="Large load into PostgreSQL: build the vector index once at the end.")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Read what symlinks in a folder point to, also outside it (by default they are skipped with a reason).",
)
@setting_option("ingest_file_seconds", "--file-seconds")
@click.option(
    "--claims",
    "with_claims",
    is_flag=True,
    help="Also extract the check-worthy claims of the new documents (see `factdesk narratives`).",
)
@click.option(
    "--lang",
    help="Language of the documents (ISO 639-1: en, ru, uk, be, pl, ...) instead of detecting it per document.",
)
@db_option
def ingest(
    paths: tuple[str, ...],
    publisher: str | None,
    date_: str | None,
    progress: bool,
    bulk: bool,
    follow_symlinks: bool,
    ingest_file_seconds: float,
    db: str,
    with_claims: bool = False,
    lang: str | None = None,
) -> None:
    """Ingest evidence files or folders (.txt .md .html .pdf .jsonl, AVeriTeC .json, .urls).

    HTML, PDF and .urls files are parsed in a child process: one that stalls the parser is
    skipped with the reason (--file-seconds) and the rest are ingested.
    """
    when = date_arg(date_, "--date")
    language = lang_arg(lang)
    desk = open_desk(db)
    try:
        report = desk.ingest_paths(
            list(paths),
            publisher=publisher,
            date=when,
            progress=progress,
            bulk=bulk,
            follow_symlinks=follow_symlinks,
            file_seconds=ingest_file_seconds,
            language=language,
        )
    except FactdeskError as exc:
        fail(_printable(str(exc)))
    except Exception as exc:  # an ingest must end with a line that says what happened, never a traceback
        fail(
            _printable(
                f"the ingest stopped ({type(exc).__name__}: {exc}); documents stored before this are kept, "
                "and re-running the same command resumes (stored documents are not added twice)"
            )
        )
    click.echo(_printable(report.summary()))
    stats = desk.store.stats()
    click.echo(f"store {db}: {stats['documents']} documents, {stats['passages']} passages")
    if with_claims:
        from factdesk.app.cli_narratives import extract_into_store

        click.echo(extract_into_store(desk.store, min_checkworthiness=0.5).summary())
    desk.close()
    if report.documents_added == 0 and report.documents_unchanged == 0 and report.skipped:
        sys.exit(1)


@main.command()
@click.argument("claim")
@click.option("--speaker", help="Who made the claim.")
@click.option("--speaker-title", help="The speaker's job title or affiliation.")
@click.option("--date", "date_", help="When the claim was made (YYYY-MM-DD); evidence must predate it.")
@click.option("--before", help="Only use evidence published before this date (YYYY-MM-DD).")
@setting_option("top_k")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--source", help="Where the claim appeared (URL).")
@click.option("--lang", help="The claim's language (ISO 639-1: en, ru, uk, be, pl, ...) instead of detecting it.")
@click.option(
    "--claim-en",
    help="An English rendering of a claim said in another language, for the report (the desk never translates "
    "on its own).",
)
@click.option(
    "--writer",
    type=click.Choice(["template", "llm"]),
    default="template",
    show_default=True,
    help="llm: phrase the analysis with FACTDESK_LLM_URL or FACTDESK_GGUF (still grounding-checked).",
)
@setting_option("judge", help="Who decides the verdict: default (stance model + learned aggregator) or llm.")
@setting_option("judge_model", "--llm-model")
@setting_option("judge_url", "--llm-url")
@db_option
def check(
    claim: str,
    speaker: str | None,
    speaker_title: str | None,
    date_: str | None,
    before: str | None,
    top_k: int,
    fmt: str,
    source: str | None,
    lang: str | None,
    claim_en: str | None,
    writer: str,
    judge: str,
    judge_model: str,
    judge_url: str,
    db: str,
) -> None:
    """Fact-check CLAIM against the evidence store.

    With --judge llm a local LLM (--llm-model PATH.gguf, or --llm-url URL) decides the rating
    from the passages the desk weighs; its reason is for the editor: it is printed on stderr
    and kept in the JSON output (verdict_detail.reason), never in the published analysis.
    """
    from factdesk.report.render import render
    from factdesk.types import Claim

    if not claim.strip():
        fail('the claim is empty: pass the words to check, e.g. factdesk check "Minsk is in Belarus"')
    cdate = date_arg(date_, "--date")
    bdate = date_arg(before, "--before")
    desk = open_desk(db, writer, judge, judge_model=judge_model, judge_url=judge_url)
    if desk.store.stats()["passages"] == 0:
        fail(f"the store {db} holds no evidence yet: run `factdesk ingest PATH --db {db}` first")
    try:
        from factdesk.lang import detect

        c = Claim(
            text=claim,
            speaker=speaker,
            speaker_title=speaker_title,
            date=cdate,
            source=source,
            language=lang_arg(lang) or detect(claim),
            text_en=claim_en,
        )
        fc = desk.check(c, top_k=top_k, before=bdate)
    except (FactdeskError, ValueError) as exc:
        fail(str(exc))
    click.echo(render(fc, fmt, organization=resolve("organization")), nl=False)
    if fc.verdict.reason:
        click.echo(f"judge's reason (for the editor, not published): {fc.verdict.reason}", err=True)
    for m in fc.previous_checks:
        p = f", P(same claim) {m.probability:.2f}" if m.probability is not None else ""
        click.echo(
            f"checked before by {m.publisher or 'an unnamed publisher'} on {m.date or 'an unknown date'} "
            f"(rated {m.rating or 'unrated'}{p}): {m.url or m.claim}",
            err=True,
        )
    if fc.previous_checks:
        click.echo(f"(earlier checks listed only when {desk.matcher.describe_decision()})", err=True)
    desk.close()


@main.command()
@click.option("--query", "-q", help="Full-text search in the documents.")
@click.option("--limit", default=20, show_default=True)
@db_option
def documents(query: str | None, limit: int, db: str) -> None:
    """List (or search) the documents in the store."""
    desk = open_desk(db)
    for d in desk.store.list_documents(limit=limit, query=query):
        date = d.published.isoformat() if d.published else "undated"
        click.echo(f"{d.id}  {date}  {d.publisher or '-'}  {d.title or '-'}")
    s = desk.store.stats()
    click.echo(f"({s['documents']} documents, {s['passages']} passages)", err=True)


@main.command("import-checks")
@click.argument("path")
@db_option
def import_checks_cmd(path: str, db: str) -> None:
    """Import published fact-checks (ClaimReview JSON-LD, JSON lines, or AVeriTeC JSON) for matching."""
    desk = open_desk(db)
    try:
        n = desk.import_checks(path)
    except FactdeskError as exc:
        fail(str(exc))
    click.echo(f"imported {n} fact-checks into {db}")


@main.command()
@click.argument("claim")
@click.option("--k", default=5, show_default=True, help="How many ranked checks to list.")
@click.option("--same-only", is_flag=True, help="List only the checks that count as the same claim.")
@db_option
def match(claim: str, k: int, same_only: bool, db: str) -> None:
    """Find fact-checks already published of CLAIM (or a paraphrase of it).

    Prints the K best-ranked checks as JSON lines (`same_claim` says whether each counts as
    the same claim) and, on stderr, whether the claim has been checked before.
    """
    import json as _json

    if not claim.strip():
        fail("the claim is empty")
    desk = open_desk(db)
    matcher = desk.matcher
    hits = matcher.run(claim, k=k) if same_only else matcher.rank(claim, k=k)
    for m in hits:
        click.echo(_json.dumps(m.to_dict(), ensure_ascii=False))
    same = sum(m.same_claim for m in hits)
    click.echo(
        f"checked before: {'yes' if same else 'no'} ({same} of {len(hits)} listed count as the same "
        f"claim: {matcher.describe_decision()})",
        err=True,
    )


@main.command("config")
@click.option("--docs", is_flag=True, help="Print docs/config.md (generated from the settings table) instead.")
def config_cmd(docs: bool) -> None:
    """List the settings in effect and where each came from (flag names, environment variables
    and defaults are in docs/config.md)."""
    if docs:
        click.echo(docs_markdown(), nl=False)
        return
    try:
        cfg = Config()
    except InputError as exc:
        fail(str(exc))
    for s in SETTINGS:
        value = cfg.get(s.name)
        shown = (
            "(set)"
            if s.secret and value
            else ("(empty)" if value == "" else str(value).lower() if isinstance(value, bool) else str(value))
        )
        click.echo(f"{s.name} = {shown}  [{cfg.source(s.name)}]")


# Sub-commands that live in their own modules (each a click command or group).
_PLUGINS = {
    "train": "factdesk.app.cli_train:train",
    "eval": "factdesk.app.cli_eval:eval_group",
    "claims": "factdesk.app.cli_claims:claims",
    "check-article": "factdesk.app.cli_claims:check_article",
    "serve": "factdesk.app.cli_web:serve",
    "user": "factdesk.app.cli_web:user",
    "batch": "factdesk.app.cli_batch:batch",
    "narratives": "factdesk.app.cli_narratives:narratives",
    "extract-claims": "factdesk.app.cli_narratives:extract_claims",
    "watch": "factdesk.app.cli_narratives:watch",
    "db": "factdesk.app.cli_db:db_group",
    "backup": "factdesk.app.cli_db:backup_cmd",
    "restore": "factdesk.app.cli_db:restore_cmd",
}
for _name, _target in _PLUGINS.items():
    _mod, _attr = _target.split(":")
    main.add_command(getattr(importlib.import_module(_mod), _attr), _name)

from factdesk.app.cli_claims import train_checkworthy  # noqa: E402

main.commands["train"].add_command(train_checkworthy, "checkworthy")  # type: ignore[attr-defined]

if __name__ == "__main__":
    main()
