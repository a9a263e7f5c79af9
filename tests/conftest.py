"""Shared fixtures: tiny inline corpora, fakes for the slow models, the ../shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdesk.config import shared_root
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
from factdesk.types import Document

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    p = shared_root()
    return p if (p / "data").is_dir() else None


@pytest.fixture
def shared() -> Path:
    p = shared_dir()
    if p is None:
        pytest.skip("../shared/data is absent (set FACTDESK_SHARED to the folder holding data/ and nli/)")
    return p


TINY_CORPUS = [
    Document(
        text="Russian warplanes began air strikes in Syria on 30 September 2015.",
        publisher="Reuters",
        title="Russia strikes Syria",
        published="2015-10-01",
        url="https://example.org/a",
    ),
    Document(
        text="UNHCR registered almost 4.3 million Syrian refugees in neighbouring countries.",
        publisher="UNHCR",
        title="Regional plan",
        published="2015-12-18",
        url="https://example.org/b",
    ),
    Document(
        text="The European Union imposed new sanctions on Belarus in November 2021.",
        publisher="Council of the EU",
        title="Sanctions",
        published="2021-11-15",
        url="https://example.org/c",
    ),
    Document(
        text="The football team won its qualifying match on Tuesday.",
        publisher="Sports Desk",
        title="Match report",
        published="2021-10-05",
    ),
]


@pytest.fixture
def tiny_corpus() -> list[Document]:
    return [Document.from_dict(d.to_dict()) for d in TINY_CORPUS]


@pytest.fixture
def fake_desk(tmp_path):
    from factdesk.pipeline import Desk

    desk = Desk(db=str(tmp_path / "t.db"), embedder=FakeEmbedder(), stance_model=FakeStanceModel())
    yield desk
    desk.close()
