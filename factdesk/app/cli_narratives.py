"""``factdesk narratives`` (recurring claims), ``factdesk extract-claims`` and ``factdesk watch``:
thin commands over `factdesk.narratives`.

    factdesk ingest examples/narratives/ --claims --db demo.db
    factdesk import-checks examples/narratives/checks/ --db demo.db
    factdesk narratives --db demo.db --min-size 2
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from factdesk.app.options import setting_option
from factdesk.errors import FactdeskError
from factdesk.types import parse_date


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _date(value: str | None, flag: str) -> Any:
    try:
        return parse_date(value)
    except ValueError as exc:
        _fail(f"{flag}: {exc}")


def open_parts(db: str, need_embedder: bool = True) -> tuple[Any, Any]:
    """(store, embedder) for `db`; the embedder sets the store's dimension."""
    from factdesk.registry import open_store, registry

    try:
        embedder = registry.create("embedder", "minilm")
        return open_store(db, dim=embedder.dim), embedder
    except FactdeskError as exc:
        _fail(str(exc))


def extract_into_store(store: Any, min_checkworthiness: float, force: bool = False) -> Any:
    """Run `CorpusClaims` over the store's documents not read yet; the report."""
    from factdesk.narratives import CorpusClaims

    try:
        return CorpusClaims(store, min_checkworthiness=min_checkworthiness, force=force).run()
    except FactdeskError as exc:
        _fail(str(exc))


_min_cw = click.option(
    "--min-checkworthiness",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="The check-worthiness probability a sentence needs to be kept as a claim.",
)


@click.command("extract-claims")
@_min_cw
@click.option("--force", is_flag=True, help="Read every document again (stored claims are not duplicated).")
@setting_option("db")
def extract_claims(min_checkworthiness: float, force: bool, db: str) -> None:
    """Extract the check-worthy claims of the documents already stored (speaker, title, outlet,
    date, offsets); documents read before are skipped, so running it again adds nothing twice."""
    store, _ = open_parts(db)
    report = extract_into_store(store, min_checkworthiness, force)
    click.echo(report.summary())
    store.close()


@click.group("narratives", invoke_without_command=True)
@click.option("--since", help="Only members dated on or after this day (YYYY-MM-DD).")
@click.option("--until", help="Only members dated on or before this day (YYYY-MM-DD).")
@click.option(
    "--min-size",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Only groups seen in at least this many sources, documents and checks (in the date range).",
)
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md", show_default=True)
@click.option("--today", help="Reference day of the trends (default: the latest date in the store).")
@click.option(
    "--update/--no-update",
    default=True,
    show_default=True,
    help="Group the claims and checks not grouped yet before listing.",
)
@click.option(
    "--rebuild", is_flag=True, help="Group everything again from scratch, then replay the editors' merges and splits."
)
@click.option(
    "--match/--no-match",
    default=True,
    show_default=True,
    help="A claim the fact-check matcher says repeats a checked claim joins that check's group.",
)
@setting_option("db")
@click.pass_context
def narratives(
    ctx: click.Context,
    since: str | None,
    until: str | None,
    min_size: int,
    fmt: str,
    today: str | None,
    update: bool,
    rebuild: bool,
    match: bool,
    db: str,
) -> None:
    """Recurring claims: claims from the corpus, imported fact-checks and the desk's checks that
    assert the same thing, with speakers, outlets, timelines and trends (new, rising, steady, fading).

    \b
    factdesk narratives --since 2026-01-01 --min-size 3
    factdesk narratives --db DB merge N-KEEP N-OTHER   # an editor's merge, kept
    factdesk narratives --db DB split claim:ID         # one claim out of its group, kept
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    if ctx.invoked_subcommand is not None:
        return
    from factdesk.narratives import Narratives
    from factdesk.narratives.render import render

    lo, hi, ref = _date(since, "--since"), _date(until, "--until"), _date(today, "--today")
    if lo and hi and lo > hi:
        _fail(f"--since {since} is after --until {until}: swap them")
    store, embedder = open_parts(db)
    tracker = Narratives(store, embedder, matcher=_matcher(store, embedder) if match else None)
    try:
        if rebuild:
            rep = tracker.rebuild()
            click.echo(f"regrouped {rep.placed} claims and checks into {rep.new_groups} groups", err=True)
        elif update:
            rep = tracker.update()
            if rep.placed:
                click.echo(
                    f"grouped {rep.placed} new claims and checks ({rep.joined} joined a group, "
                    f"{rep.new_groups} started one)",
                    err=True,
                )
        items = tracker.list(since=lo, until=hi, min_size=min_size, today=ref)
    except FactdeskError as exc:
        _fail(str(exc))
    click.echo(render(items, fmt), nl=False)
    if not items:
        click.echo(
            f"no recurring claim seen in {min_size} or more sources: extract claims first "
            f"(`factdesk extract-claims --db {db}`) or lower --min-size",
            err=True,
        )
    store.close()


def _matcher(store: Any, embedder: Any) -> Any:
    from factdesk.match.previous import FactCheckMatcher

    return FactCheckMatcher(store, embedder)


def _tracker(ctx: click.Context, db: str | None) -> tuple[Any, Any]:
    from factdesk.narratives import Narratives

    store, embedder = open_parts(db or ctx.obj["db"])
    return store, Narratives(store, embedder)


@narratives.command("merge")
@click.argument("keep")
@click.argument("other")
@click.option("--note", default="", help="Why (kept in the edit log).")
@click.option("--user", default="cli", show_default=True)
@click.option("--db", "sub_db", default=None, help="The store (default: that of `factdesk narratives --db`).")
@click.pass_context
def merge_cmd(ctx: click.Context, keep: str, other: str, note: str, user: str, sub_db: str | None) -> None:
    """Merge group OTHER into group KEEP; later groupings keep the merge."""
    store, tracker = _tracker(ctx, sub_db)
    try:
        gid = tracker.merge(keep, other, user=user, note=note)
    except FactdeskError as exc:
        _fail(str(exc))
    click.echo(f"merged {other} into {gid}")
    store.close()


@narratives.command("split")
@click.argument("member")
@click.option("--note", default="", help="Why (kept in the edit log).")
@click.option("--user", default="cli", show_default=True)
@click.option("--db", "sub_db", default=None, help="The store (default: that of `factdesk narratives --db`).")
@click.pass_context
def split_cmd(ctx: click.Context, member: str, note: str, user: str, sub_db: str | None) -> None:
    """Take MEMBER (claim:ID or check:ID) out of its group into a new group; later groupings keep it."""
    store, tracker = _tracker(ctx, sub_db)
    try:
        gid = tracker.split(member, user=user, note=note)
    except FactdeskError as exc:
        _fail(str(exc))
    click.echo(f"{member} is now in {gid}")
    store.close()


@click.command("watch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--interval", type=click.FloatRange(min=1), default=60, show_default=True, help="Seconds between scans of FOLDER."
)
@click.option("--once", is_flag=True, help="Scan once, print the alerts and stop.")
@click.option(
    "--alerts",
    "alerts_file",
    default="factdesk-alerts.jsonl",
    show_default=True,
    help="JSON-lines file the alerts are appended to.",
)
@click.option("--webhook", help="Also POST each alert as JSON to this URL (needs allow_network).")
@click.option("--no-matcher", is_flag=True, help="Judge 'checked before' by the groups only, without the matcher.")
@_min_cw
@setting_option("db")
def watch(
    folder: str,
    interval: float,
    once: bool,
    alerts_file: str,
    webhook: str | None,
    no_matcher: bool,
    min_checkworthiness: float,
    db: str,
) -> None:
    """Watch FOLDER: ingest new or changed files, extract and group their claims, and print one
    JSON line per claim that repeats something already checked or joins a rising group (also
    appended to --alerts). Stopping and restarting loses and repeats nothing."""
    import json as _json
    import time
    import urllib.request
    from pathlib import Path

    from factdesk.config import Config
    from factdesk.narratives import CorpusClaims, Narratives
    from factdesk.narratives.watch import Watcher
    from factdesk.pipeline import Desk

    if webhook:
        if not Config().get("allow_network"):
            _fail("--webhook needs the network: set allow_network = true (FACTDESK_ALLOW_NETWORK=1 or factdesk.toml)")
        if not webhook.startswith(("http://", "https://")):
            _fail(f"--webhook {webhook!r} is not an http(s) URL")
    store, embedder = open_parts(db)
    desk = Desk(store=store, embedder=embedder)

    def emit(line: str) -> None:
        click.echo(line)
        if webhook:
            req = urllib.request.Request(
                webhook, data=line.encode("utf-8"), method="POST", headers={"Content-Type": "application/json"}
            )
            try:
                urllib.request.urlopen(req, timeout=10).close()  # noqa: S310 - the scheme is checked above
            except OSError as exc:
                click.echo(f"warning: webhook {webhook} failed ({exc}); the alert is in {alerts_file}", err=True)

    watcher = Watcher(
        desk,
        Narratives(store, embedder, matcher=None if no_matcher else desk.matcher),
        CorpusClaims(store, min_checkworthiness=min_checkworthiness),
        alerts_path=Path(alerts_file),
        emit=emit,
        use_matcher=not no_matcher,
    )
    try:
        while True:
            try:
                raised = watcher.run_once(folder)
            except FactdeskError as exc:
                _fail(str(exc))
            click.echo(_json.dumps({"scanned": folder, "alerts": len(raised)}), err=True)
            if once:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped; the next start resumes where this one stopped", err=True)
    finally:
        store.close()
