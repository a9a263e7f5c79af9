"""`factdesk db status|upgrade`, `factdesk backup` and `factdesk restore`: thin over
`factdesk.store.schema` and `factdesk.store.backup`."""

from __future__ import annotations

import sys

import click

from factdesk.app.options import setting_option
from factdesk.errors import FactdeskError

db_option = setting_option("db")  # one declaration of --db, from the settings table


def fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group("db")
def db_group() -> None:
    """The store's schema version: see where it stands, and upgrade it.

    \b
    factdesk db status --db desk.db
    factdesk backup desk-before-upgrade.db --db desk.db
    factdesk db upgrade --db desk.db
    """


@db_group.command("status")
@db_option
def status_cmd(db: str) -> None:
    """Say which schema revision the store holds and which steps an upgrade would run.

    Exits 0 when the store is current (or new: it is created on first use), 1 when it needs
    `factdesk db upgrade`, 3 when it is newer than this factdesk.
    """
    from factdesk.store import schema

    try:
        state = schema.status(db)
    except FactdeskError as exc:
        fail(str(exc))
    click.echo(f"store {db}: {state.describe()}")
    for rev, what in state.pending:
        click.echo(f"  pending {rev}: {what}")
    messages = {
        "current": "up to date",
        "new": "empty: created at the newest schema when a desk first opens it (or by `factdesk db upgrade`)",
        "behind": f"run `factdesk db upgrade --db {db}`",
        "unversioned": f"made by factdesk 0.1.0: run `factdesk db upgrade --db {db}`",
        "ahead": "newer than this factdesk: upgrade factdesk (pip install -U factdesk)",
    }
    click.echo(messages[state.status])
    raise SystemExit({"current": 0, "new": 0, "ahead": 3}.get(state.status, 1))


@db_group.command("upgrade")
@click.option("--to", "revision", default="head", show_default=True, help="The schema revision to stop at.")
@db_option
def upgrade_cmd(revision: str, db: str) -> None:
    """Run the pending schema steps, all in one transaction (a failed step changes nothing).

    Back up first (`factdesk backup PATH`); stop the desk's servers while it runs, since a
    desk of the old version refuses a store of the new schema.
    """
    from factdesk.store import schema

    try:
        before, after = schema.upgrade(db, revision)
    except FactdeskError as exc:
        fail(str(exc))
    if before.revision == after.revision:
        click.echo(f"store {db}: already at schema revision {after.revision}; nothing to do")
    else:
        click.echo(f"store {db}: upgraded from {before.revision or 'none'} to {after.revision}")


@click.command("backup")
@click.argument("path")
@db_option
def backup_cmd(path: str, db: str) -> None:
    """Copy the store to PATH while the desk keeps serving and writing.

    SQLite: a SQLite file, checked with PRAGMA integrity_check. PostgreSQL: a pg_dump
    custom-format archive. The copy holds everything committed when the backup began.
    """
    from factdesk.store.backup import backup

    try:
        result = backup(db, path)
    except FactdeskError as exc:
        fail(str(exc))
    click.echo(f"backed up {db} to {result.summary()}")


@click.command("restore")
@click.argument("path")
@click.option("--force", is_flag=True, help="Replace the store that --db already holds.")
@db_option
def restore_cmd(path: str, force: bool, db: str) -> None:
    """Restore the backup at PATH into --db (a new path or an empty database, or --force).

    Stop the desk's servers first. A backup of an older schema is restored as it is: run
    `factdesk db upgrade` afterwards.
    """
    from factdesk.store import schema
    from factdesk.store.backup import restore

    try:
        result = restore(path, db, force=force)
        state = schema.status(db)
    except FactdeskError as exc:
        fail(str(exc))
    click.echo(f"restored {path} into {result.summary()}")
    if state.status in ("behind", "unversioned"):
        click.echo(f"its schema is older than this factdesk's: run `factdesk db upgrade --db {db}`")
