from pathlib import Path

import pytest

from factdesk.config import SETTINGS, Config
from factdesk.errors import InputError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "config.md"


def test_every_setting_is_documented():
    text = DOCS.read_text()
    for s in SETTINGS:
        assert f"`{s.name}`" in text, f"docs/config.md does not document {s.name}"


def test_precedence_file_env_override(tmp_path, monkeypatch):
    f = tmp_path / "factdesk.toml"
    f.write_text('top_k = 9\norganization = "Desk A"\n')
    monkeypatch.setenv("FACTDESK_ORGANIZATION", "Desk B")
    c = Config(f, candidates=40)
    assert (c.get("top_k"), c.get("organization"), c.get("candidates")) == (9, "Desk B", 40)


def test_unknown_setting_is_named(tmp_path):
    f = tmp_path / "factdesk.toml"
    f.write_text("topk = 3\n")
    with pytest.raises(InputError, match="unknown setting 'topk'"):
        Config(f)
