"""factdesk's small exception hierarchy. Every message says what to do next."""

from __future__ import annotations


class FactdeskError(Exception):
    """Base class; `status` is the HTTP status the web desk answers with."""

    status = 400


class InputError(FactdeskError):
    """Bad input from the user: an empty claim, an unreadable file, a malformed line."""


class InvalidValue(InputError, ValueError):
    """One value is malformed: a blank claim, an impossible or partial date.

    Also a `ValueError`, so validation code that catches `ValueError` keeps working.
    """


class StoreError(FactdeskError):
    """The evidence store cannot be opened or written."""

    status = 500


class ModelError(FactdeskError):
    """A model's files are missing or cannot be loaded."""

    status = 500


class NotFound(FactdeskError):
    status = 404
