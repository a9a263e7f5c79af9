"""Shared helpers for the eval tests: where ../shared lives, and the `slow` marker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factdesk.config import shared_root


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: loads real models or scores a whole data file")


def shared_dir() -> Path:
    """The `shared` setting (``$FACTDESK_SHARED``), else the ``shared`` folder next to the repository."""
    return shared_root()


def shared_file(*parts: str) -> Path:
    """A file under shared/data, or skip the test saying what is missing."""
    p = shared_dir().joinpath("data", *parts)
    if not p.is_file():
        pytest.skip(
            f"{p} is absent: put the project's shared data next to the repository or set FACTDESK_SHARED to its folder"
        )
    return p


@pytest.fixture(autouse=True)
def _results_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eval runs in tests never write into bench/results/."""
    monkeypatch.setenv("FACTDESK_RESULTS_DIR", str(tmp_path / "results"))


# ---- 3-item slices of each format, written by hand in the shape of the real files

AVERITEC = [
    {
        "claim": "Sean Connery refused to appear in an Apple commercial.",
        "label": "Refuted",
        "claim_date": "31-10-2020",
        "speaker": None,
        "questions": [
            {
                "question": "Where was the claim first published?",
                "answers": [
                    {
                        "answer": "On Scoopertino, a satire site.",
                        "answer_type": "Extractive",
                        "source_url": "https://scoopertino.com/a",
                    }
                ],
            }
        ],
    },
    {
        "claim": "The EU banned curved bananas.",
        "label": "Supported",
        "claim_date": "2020-01-02",
        "speaker": "A tabloid",
        "questions": [
            {
                "question": "Did the EU regulate banana curvature?",
                "answers": [
                    {
                        "answer": "Yes",
                        "answer_type": "Boolean",
                        "boolean_explanation": "Regulation 2257/94 set quality classes.",
                        "source_url": "https://eur-lex.europa.eu/x",
                    }
                ],
            },
            {"question": "Is the rule still in force?", "answers": []},
        ],
    },
    {
        "claim": "A city of 2 million had no rain in 2019.",
        "label": "Not Enough Evidence",
        "questions": [
            {
                "question": "What did the weather office report?",
                "answers": [
                    {"answer": "It reported 412 mm of rain.", "answer_type": "Abstractive", "source_url": None}
                ],
            }
        ],
    },
]

SCIFACT_CLAIMS = "\n".join(
    json.dumps(d)
    for d in [
        {
            "id": 0,
            "claim": "0-dimensional biomaterials lack inductive properties.",
            "evidence": {},
            "cited_doc_ids": [31715818],
        },
        {
            "id": 2,
            "claim": "1 in 5 million in UK have abnormal PrP positivity.",
            "evidence": {"13734012": [{"sentences": [4], "label": "CONTRADICT"}]},
            "cited_doc_ids": [13734012],
        },
        {
            "id": 12,
            "claim": "Folic acid does not affect CKD progression.",
            "evidence": {"33409100": [{"sentences": [8], "label": "SUPPORT"}, {"sentences": [12], "label": "SUPPORT"}]},
            "cited_doc_ids": [33409100],
        },
    ]
)
SCIFACT_CORPUS = "\n".join(
    json.dumps(d)
    for d in [
        {
            "doc_id": 4983,
            "title": "White matter.",
            "abstract": ["First sentence.", "Second one here."],
            "structured": False,
        },
        {"doc_id": 5836, "title": "Another.", "abstract": ["Only sentence."], "structured": False},
        {"doc_id": 7912, "title": "Third.", "abstract": ["A.", "B.", "C."], "structured": False},
    ]
)

CLIMATE = "\n".join(
    json.dumps(d)
    for d in [
        {
            "claim_id": "5",
            "claim": "The sun has gone into lockdown.",
            "claim_label": "SUPPORTS",
            "evidences": [
                {
                    "evidence_id": "Famine:386",
                    "evidence_label": "SUPPORTS",
                    "article": "Famine",
                    "evidence": "Aerosols cause cooler temperatures.",
                    "entropy": 0.0,
                    "votes": [],
                }
            ],
        },
        {
            "claim_id": "6",
            "claim": "Sea level rise is accelerating.",
            "claim_label": "DISPUTED",
            "evidences": [
                {
                    "evidence_id": "Sea:1",
                    "evidence_label": "REFUTES",
                    "article": "Sea",
                    "evidence": "Rise is constant.",
                    "entropy": 0.0,
                    "votes": [],
                },
                {
                    "evidence_id": "Sea:2",
                    "evidence_label": "SUPPORTS",
                    "article": "Sea",
                    "evidence": "Rise is faster now.",
                    "entropy": 0.0,
                    "votes": [],
                },
            ],
        },
        {
            "claim_id": "7",
            "claim": "CO2 is plant food.",
            "claim_label": "NOT_ENOUGH_INFO",
            "evidences": [
                {
                    "evidence_id": "CO2:3",
                    "evidence_label": "NOT_ENOUGH_INFO",
                    "article": "CO2",
                    "evidence": "CO2 is a gas.",
                    "entropy": 0.0,
                    "votes": [],
                }
            ],
        },
    ]
)

CLAIMBUSTER = json.dumps(
    [
        {"sentence_id": 23782, "label": 1, "text": "The 9/11 Commission said America is safer."},
        {"sentence_id": 1, "label": 0, "text": "Thank you."},
        {"sentence_id": 2, "label": 0, "text": "Good evening."},
    ]
)
CT19 = (
    "line_number,speaker,text,label,file_name\n"
    '1,TODD,"Good evening, and welcome.",0,debate_a.tsv\n'
    "2,SANDERS,Unemployment fell to 5 percent.,1,debate_a.tsv\n"
    "1,HOLT,We are live.,0,debate_b.tsv\n"
)
CT20 = (
    "text\tlabel\n"
    "And welcome back.\t0\n"
    '"At the meeting I asked, ""How are you doing?\nHow is business?"""\t0\n'
    "Crime is down 20 percent.\t1\n"
)


SAMPLES = {
    "AVERITEC": AVERITEC,
    "SCIFACT_CLAIMS": SCIFACT_CLAIMS,
    "SCIFACT_CORPUS": SCIFACT_CORPUS,
    "CLIMATE": CLIMATE,
    "CLAIMBUSTER": CLAIMBUSTER,
    "CT19": CT19,
    "CT20": CT20,
}


@pytest.fixture()
def samples() -> dict:
    """The inline 3-item slices above, by name."""
    return SAMPLES


@pytest.fixture()
def shared():
    """``shared("averitec", "dev_public.json")``: a shared data file, or skip the test."""
    return shared_file
