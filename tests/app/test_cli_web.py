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
    for opt in ("--host", "--port", "--db"):
        assert opt in r.output
