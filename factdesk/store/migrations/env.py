"""Alembic's entry point for factdesk's store: `factdesk.store.schema` runs it.

`factdesk.store.schema` hands over an open SQLAlchemy connection in `config.attributes`, inside
a transaction it owns (one transaction for every pending revision: a failed step leaves the
store as it was). Use `factdesk db upgrade` (or `factdesk.store.schema.upgrade`), not the
`alembic` command, which would not set up that transaction.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from factdesk.store import schema

_config: Any
try:
    _config = context.config
except (AttributeError, NameError):  # imported outside a migration run (pkgutil.walk_packages, the doctests)
    _config = None

if _config is not None:
    connection = _config.attributes.get("connection")
    if connection is None or context.is_offline_mode():
        raise SystemExit("factdesk's schema steps run through `factdesk db upgrade --db PATH_OR_URL`")
    schema.run_in_context(context, connection)
