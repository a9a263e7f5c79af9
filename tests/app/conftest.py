"""Fixtures for the web desk: a real app over a real SQLite store, with fake models for speed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_helpers import add_users, make_desk

from factdesk.app.web import create_app
from factdesk.pipeline import Desk


@pytest.fixture
def desk(tmp_path) -> Iterator[Desk]:
    d = make_desk(str(tmp_path / "web.db"))
    add_users(d)
    yield d


@pytest.fixture
def client(desk: Desk) -> Iterator[TestClient]:
    app = create_app(desk, secret_key="test-secret")
    with TestClient(app) as c:
        yield c
