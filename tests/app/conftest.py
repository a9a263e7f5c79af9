"""Fixtures for the web desk: the demo desk (a real SQLite store of `WEB_CORPUS`, fake models, an
editor and an admin) and TestClients over it. Every web test builds its desk through `demo_desk`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import add_users, make_desk

from factdesk.app.web import create_app
from factdesk.pipeline import Desk
from factdesk.types import Document

DemoDesk = Callable[..., Desk]
Web = Callable[..., TestClient]


@pytest.fixture
def demo_desk(tmp_path: Path) -> Iterator[DemoDesk]:
    """`demo_desk(corpus=None, users=True)`: a new demo desk in its own SQLite file under tmp_path;
    `corpus=[]` for an empty store; `users` adds erin (editor) and ada (admin). Closed at the end."""
    made: list[Desk] = []
    numbers = itertools.count()

    def make(corpus: list[Document] | None = None, users: bool = True) -> Desk:
        desk = make_desk(str(tmp_path / f"desk-{next(numbers)}.db"), corpus)
        if users:
            add_users(desk)
        made.append(desk)
        return desk

    yield make
    for desk in made:
        desk.close()


@pytest.fixture
def web(demo_desk: DemoDesk) -> Web:
    """`web(desk=None, *, base_url=..., raise_server_exceptions=True, **create_app options)`: a
    TestClient (use it in a `with` block: that runs the app's start-up) over `desk`, or a new demo desk."""

    def make(
        desk: Desk | None = None,
        *,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        **options: Any,
    ) -> TestClient:
        options.setdefault("secret_key", "test-secret")
        app = create_app(desk if desk is not None else demo_desk(), **options)
        return TestClient(app, base_url=base_url, raise_server_exceptions=raise_server_exceptions)

    return make


@pytest.fixture
def desk(demo_desk: DemoDesk) -> Desk:
    return demo_desk()


@pytest.fixture
def client(desk: Desk, web: Web) -> Iterator[TestClient]:
    with web(desk) as c:
        yield c
