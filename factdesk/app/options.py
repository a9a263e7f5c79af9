"""Click options generated from the settings table (`factdesk.config.SETTINGS`).

`@setting_option("db")` declares `--db` with the table's help; when the flag is not given the
value comes from `Config` (environment, then `factdesk.toml`, then the declared default), so
every command resolves a setting the same way and `--db` is declared once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from factdesk.config import Config, setting
from factdesk.errors import InputError


def resolve(name: str) -> Any:
    """The value of setting `name` from the environment, `factdesk.toml` or its default; a bad
    settings file or variable is a usage error (one line, exit 2), never a traceback."""
    try:
        return Config().get(name)
    except InputError as exc:
        raise click.UsageError(str(exc)) from exc


def _click_type(name: str) -> Any:
    s = setting(name)
    if s.kind is int:
        return click.IntRange(
            None if s.minimum is None else int(s.minimum), None if s.maximum is None else int(s.maximum)
        )
    if s.kind is float:
        return click.FloatRange(s.minimum, s.maximum)
    if s.kind is bool:
        return click.BOOL
    return click.STRING


def setting_option(name: str, *decls: str, help: str | None = None) -> Callable[[Any], Any]:
    """A click option for setting `name` (flag from the name, e.g. `--top-k`, unless `decls` are given)."""
    s = setting(name)
    shown = s.default if s.default != "" else "(empty)"
    text = f"{help or s.help} [default: {shown}; env {s.env}; factdesk.toml `{s.name}`]"
    return click.option(
        *(decls or (s.flag,)),
        s.name,
        default=lambda: resolve(name),
        show_default=False,
        type=_click_type(name),
        help=text,
    )
