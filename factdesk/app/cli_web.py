"""`factdesk serve` (the web desk) and `factdesk user` (API tokens for editors).

factdesk user add alice --role admin --db factdesk.db   # prints a token once
factdesk serve --db factdesk.db --port 8000             # then log in with the token
factdesk serve --db factdesk.db --workers 2             # two server processes over one store
"""

from __future__ import annotations

import os
import secrets

import click

from factdesk.app.options import setting_option
from factdesk.errors import FactdeskError

ROLES = ("editor", "admin")


_db_option = setting_option("db")  # one declaration of --db, from the settings table


MAX_DEFAULT_WORKERS = 4  # each process loads its own models: more would trade memory for little
HEALTHCHECK_SECONDS = 60
KEEP_ALIVE_SECONDS = 75


def default_workers() -> int:
    """The CPU count, capped at MAX_DEFAULT_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help=f"Server processes (uvicorn workers) [default: the CPU count, at most {MAX_DEFAULT_WORKERS}].",
)
@_db_option
def serve(host: str, port: int, db: str, workers: int | None) -> None:
    """Run the web desk (pages, JSON API at /api, OpenAPI docs at /docs).

    With --workers N > 1, uvicorn runs N processes over the same store: the public page cache,
    the job queue, login sessions and CSRF tokens are shared through the store (docs/scaling.md).
    """
    import uvicorn

    from factdesk.app.web import create_app
    from factdesk.config import Config, setting

    n = workers or default_workers()
    if n > 1 and db.strip() in ("", ":memory:"):
        raise click.BadParameter(
            "an in-memory store is seen by one process only: use --workers 1, or a file or postgresql:// store",
            param_hint="--workers",
        )
    try:
        app = create_app(db=db)  # opens nothing yet; in the parent it only checks the settings
    except FactdeskError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"factdesk web desk on http://{host}:{port}/ (store {db}, {n} worker process{'es' if n > 1 else ''}); "
        "create a login with `factdesk user add NAME`",
        err=True,
    )
    # Idle keep-alive connections are kept 75 s (nginx's default), not uvicorn's 5 s: a client
    # that reuses its connection just as the server closes it gets a reset (the load benchmark saw
    # 4 ReadErrors in 2,500 requests with clients pausing up to 10 s).
    if n == 1:
        uvicorn.run(app, host=host, port=port, log_level="info", timeout_keep_alive=KEEP_ALIVE_SECONDS)
        return
    # uvicorn starts each worker by importing the app factory; the settings reach them through the
    # environment (the settings' own variables). The login form's CSRF cookie must verify in every
    # process, so an unset secret key becomes one random key shared by this server's workers.
    os.environ[setting("db").env] = db
    if not Config().get("secret_key"):
        os.environ[setting("secret_key").env] = secrets.token_hex(32)
    # uvicorn kills a worker that does not answer its supervisor's ping within the health-check
    # timeout (5 s by default). A worker running a check on a busy 2-core box can take longer to
    # answer without being hung, and a killed worker reloads its models (measured: 3x the CPU per
    # request), so the timeout is a minute.
    uvicorn.run(
        "factdesk.app.web:create_app",
        factory=True,
        host=host,
        port=port,
        workers=n,
        log_level="info",
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


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
