"""`factdesk serve` (the web desk) and `factdesk user` (API tokens for editors).

factdesk user add alice --role admin --db factdesk.db   # prints a token once
factdesk serve --db factdesk.db --port 8000             # then log in with the token
"""

from __future__ import annotations

import click

from factdesk.app.options import setting_option
from factdesk.errors import FactdeskError

ROLES = ("editor", "admin")


_db_option = setting_option("db")  # one declaration of --db, from the settings table


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@_db_option
def serve(host: str, port: int, db: str) -> None:
    """Run the web desk (pages, JSON API at /api, OpenAPI docs at /docs)."""
    import uvicorn

    from factdesk.app.web import create_app

    try:
        app = create_app(db=db)
    except FactdeskError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"factdesk web desk on http://{host}:{port}/ (store {db}); create a login with `factdesk user add NAME`",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


@click.group()
def user() -> None:
    """Manage the editors who can log in and use the write API."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(ROLES), default="editor", show_default=True, help="admin can also unpublish checks."
)
@_db_option
def add(name: str, role: str, db: str) -> None:
    """Create NAME (or give NAME a new token) and print the token once; only its hash is stored."""
    from factdesk.app.web import hash_token, new_token
    from factdesk.registry import open_store

    if not name.strip():
        raise click.BadParameter("give the user a name, e.g. `factdesk user add alice`", param_hint="NAME")
    try:
        store = open_store(db)
    except FactdeskError as exc:
        raise click.ClickException(str(exc)) from exc
    token = new_token()
    store.add_user(name.strip(), role, hash_token(token))
    store.close()
    click.echo(token)
    click.echo(
        f"user {name.strip()!r} ({role}) saved in {db}. Keep the token above: it is not shown again. "
        "Log in with it at /login, or send it as `Authorization: Bearer TOKEN`.",
        err=True,
    )
