"""Settings, each declared once (name, default, help): defaults in code, overridden by a TOML
file (`./factdesk.toml` or `FACTDESK_CONFIG`), then by `FACTDESK_<NAME>` environment variables,
then by CLI flags. `docs/config.md` lists them all (a test checks it does).

>>> Config().get("top_k")
6
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdesk.errors import InputError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "factdesk.db", "Evidence store: a SQLite file path or a postgresql:// URL."),
    Setting("top_k", 6, "Evidence passages weighed per claim."),
    Setting("candidates", 20, "Passages retrieved and judged before re-ranking down to top_k."),
    Setting("pg_index_memory", "", "PostgreSQL maintenance_work_mem for the HNSW build after `ingest --bulk` "
            "(about 2GB per million passages, e.g. 3GB); empty: the server's own setting."),
    Setting("threads", 0, "onnxruntime threads per model (0: up to 4, by CPU count)."),
    Setting("organization", "factdesk", "Organization named as the author of ClaimReview output."),
    Setting("llm_url", "", "Base URL of an OpenAI-compatible endpoint for the optional LLM writer."),
    Setting("llm_model", "", "Model name to request from llm_url."),
    Setting("llm_key", "", "API key for llm_url (often empty for local servers)."),
    Setting("gguf", "", "Path of a GGUF file for the optional local llama.cpp writer."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


class Config:
    """Resolved settings."""

    def __init__(self, path: str | os.PathLike[str] | None = None, **overrides: Any) -> None:
        self.values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
        p = Path(path or os.environ.get("FACTDESK_CONFIG", "factdesk.toml"))
        if p.is_file():
            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise InputError(f"{p} is not valid TOML: {exc}") from exc
            for k, v in data.items():
                if k not in _BY_NAME:
                    raise InputError(f"{p}: unknown setting {k!r}; valid: {', '.join(_BY_NAME)}")
                self.values[k] = v
        for s in SETTINGS:
            env = os.environ.get(f"FACTDESK_{s.name.upper()}")
            if env is not None and env != "":
                self.values[s.name] = type(s.default)(env) if not isinstance(s.default, str) else env
        for k, v in overrides.items():
            if v is not None:
                if k not in _BY_NAME:
                    raise InputError(f"unknown setting {k!r}; valid: {', '.join(_BY_NAME)}")
                self.values[k] = v

    def get(self, name: str) -> Any:
        return self.values[name]
