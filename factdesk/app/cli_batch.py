"""`factdesk batch`: check a JSONL file of claims, locally or on Ray; a thin layer over `factdesk.batch`."""

from __future__ import annotations

import sys

import click

from factdesk.app.options import setting_option
from factdesk.errors import FactdeskError


@click.command()
@click.argument("claims", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Results JSONL; ids already in it are skipped, so re-running resumes.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: this machine's processes; ray: Ray Data actors (pip install 'factdesk[ray]').",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 512),
    help="Processes (local) or Ray actors, each loading the models once.",
)
@setting_option("top_k")
@click.option(
    "--batch-size",
    default=4,
    show_default=True,
    type=click.IntRange(1, 1024),
    help="Claims per Ray batch (ray engine only).",
)
@click.option(
    "--ray-address", default=None, help="Connect to a running Ray cluster (e.g. auto) instead of a local one."
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@setting_option("db")
@click.pass_context
def batch(
    ctx: click.Context,
    claims: str,
    out: str,
    engine: str,
    workers: int,
    top_k: int,
    batch_size: int,
    ray_address: str | None,
    progress: bool,
    db: str,
) -> None:
    """Fact-check every claim in CLAIMS (JSONL: {"id", "claim", "speaker", "date"} per line).

    \b
    factdesk batch claims.jsonl --out results.jsonl
    factdesk batch claims.jsonl --out results.jsonl --engine ray --workers 2
    """
    from factdesk.batch import run_batch

    # Tests (and embedding applications) inject a desk factory via click's context object.
    factory = (ctx.obj or {}).get("desk_factory") if isinstance(ctx.obj, dict) else None
    if factory is None and not db.startswith(("postgresql://", "postgres://")):
        from pathlib import Path

        if not Path(db).is_file():
            click.echo(f"error: no evidence store at {db}: run `factdesk ingest PATH --db {db}` first", err=True)
            sys.exit(2)
    try:
        report = run_batch(
            claims,
            out,
            engine=engine,
            workers=workers,
            top_k=top_k,
            db=db,
            desk_factory=factory,
            progress=progress,
            batch_size=batch_size,
            ray_address=ray_address,
            on_skip=lambda msg: click.echo(msg, err=True),
        )
    except FactdeskError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(report.summary().splitlines()[0])
    if report.failed:
        sys.exit(1)
