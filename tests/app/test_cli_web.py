"""`factdesk user add` and `factdesk serve`."""

from __future__ import annotations

from click.testing import CliRunner

from factdesk.app.cli import main
from factdesk.app.web import hash_token
from factdesk.store.sqlite import SQLiteStore


def test_user_add_prints_a_token_once_and_stores_its_hash(tmp_path) -> None:
    db = str(tmp_path / "u.db")
    r = CliRunner().invoke(main, ["user", "add", "alice", "--role", "admin", "--db", db])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[0]
    assert len(token) >= 40
    store = SQLiteStore(db)
    assert store.get_user_by_token_hash(hash_token(token)) == {"name": "alice", "role": "admin"}
    assert store.get_user_by_token_hash(token) is None  # never stored in the clear


def test_user_add_rejects_unknown_roles(tmp_path) -> None:
    r = CliRunner().invoke(main, ["user", "add", "bob", "--role", "owner", "--db", str(tmp_path / "u.db")])
    assert r.exit_code == 2 and "editor" in r.output and "admin" in r.output


def test_serve_help_lists_its_options() -> None:
    r = CliRunner().invoke(main, ["serve", "--help"])
    assert r.exit_code == 0
    for opt in ("--host", "--port", "--db", "--workers"):
        assert opt in r.output


def test_serve_refuses_several_workers_on_an_in_memory_store() -> None:
    r = CliRunner().invoke(main, ["serve", "--workers", "2", "--db", ":memory:"])
    assert r.exit_code == 2 and "in-memory store is seen by one process only" in r.output


def test_serve_defaults_to_the_cpu_count_capped(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from factdesk.app import cli_web

    monkeypatch.setattr(cli_web.os, "cpu_count", lambda: 64)
    assert cli_web.default_workers() == cli_web.MAX_DEFAULT_WORKERS == 4
    monkeypatch.setattr(cli_web.os, "cpu_count", lambda: None)
    assert cli_web.default_workers() == 1
