"""Settings: one table, read once; a value in factdesk.toml, the environment or a flag takes effect
where the desk uses it (the CLI runs in-process on a real SQLite store with the fake models)."""

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdesk.app import cli
from factdesk.config import CONFIG_ENV, SETTINGS, Config, docs_markdown, onnx_threads, shared_root
from factdesk.errors import InputError
from factdesk.pipeline import Desk
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "config.md"
EVIDENCE = (
    "Russia began air strikes in Syria on 30 September 2015, the defence ministry said. "
    "The strikes targeted positions near Homs and Hama."
)


@pytest.fixture
def clean_env(monkeypatch):
    """No FACTDESK_* variable from the caller's shell leaks into a test."""
    for name in [*(s.env for s in SETTINGS), CONFIG_ENV]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_docs_config_md_is_generated_from_the_table():
    assert DOCS.read_text(encoding="utf-8") == docs_markdown(), (
        "docs/config.md is out of date: run `factdesk config --docs > docs/config.md`"
    )
    for s in SETTINGS:
        assert f"| `{s.name}` |" in docs_markdown() and s.env in docs_markdown()


def test_precedence_file_env_override(tmp_path, clean_env):
    f = tmp_path / "factdesk.toml"
    f.write_text('top_k = 9\norganization = "Desk A"\n')
    clean_env.setenv("FACTDESK_ORGANIZATION", "Desk B")
    c = Config(f, candidates=40)
    assert (c.get("top_k"), c.get("organization"), c.get("candidates")) == (9, "Desk B", 40)
    assert (c.source("top_k"), c.source("organization"), c.source("candidates"), c.source("db")) == (
        "factdesk.toml",
        "env FACTDESK_ORGANIZATION",
        "option",
        "default",
    )


def test_unknown_setting_is_named(tmp_path):
    f = tmp_path / "factdesk.toml"
    f.write_text("topk = 3\n")
    with pytest.raises(InputError, match="unknown setting 'topk'"):
        Config(f)


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ('top_k = "many"\n', {}, r"top_k must be a whole number, e\.g\. 6, not 'many'"),
        ("top_k = 0\n", {}, "top_k must be at least 1 and at most 50, not 0"),
        ("db = 3\n", {}, "db must be a string"),
        (
            "",
            {"FACTDESK_ALLOW_NETWORK": "maybe"},
            "environment variable FACTDESK_ALLOW_NETWORK: allow_network must be true",
        ),
        ("", {"FACTDESK_THREADS": "2.5"}, "environment variable FACTDESK_THREADS: threads must be a whole number"),
        ("top_k = [\n", {}, "is not valid TOML"),
    ],
)
def test_bad_values_say_where_they_came_from(tmp_path, toml, env, message):
    f = tmp_path / "factdesk.toml"
    f.write_text(toml)
    with pytest.raises(InputError, match=message):
        Config(f, env=env)


def test_env_values_are_typed_and_empty_means_unset(tmp_path):
    f = tmp_path / "factdesk.toml"
    f.write_text('db = "x.db"\n')
    c = Config(
        f, env={"FACTDESK_ALLOW_NETWORK": "yes", "FACTDESK_TOP_K": "3", "FACTDESK_DB": "", "FACTDESK_LLM_TIMEOUT": "7"}
    )
    assert (c.get("allow_network"), c.get("top_k"), c.get("db"), c.get("llm_timeout")) == (True, 3, "x.db", 7.0)


def test_a_settings_file_named_by_the_environment_must_exist(tmp_path):
    with pytest.raises(InputError, match=f"{CONFIG_ENV} names .*nope.toml, which is not a file"):
        Config(env={CONFIG_ENV: str(tmp_path / "nope.toml")})
    other = tmp_path / "desk.toml"
    other.write_text('organization = "Other Desk"\n')
    assert Config(env={CONFIG_ENV: str(other)}).get("organization") == "Other Desk"


def test_threads_and_shared_root_come_from_the_table():
    assert onnx_threads(Config(env={"FACTDESK_THREADS": "3"})) == 3
    assert onnx_threads(Config(env={})) == max(1, min(4, os.cpu_count() or 1))
    assert shared_root(Config(env={"FACTDESK_SHARED": "/data/sets"})) == Path("/data/sets")
    assert shared_root(Config(env={})) == REPO.parent / "shared"


def test_llm_settings_in_factdesk_toml_select_the_generator(tmp_path):
    from factdesk.models.generators import LlamaCppGenerator, OpenAICompatibleGenerator, generator_from_config

    f = tmp_path / "factdesk.toml"
    f.write_text('llm_url = "http://127.0.0.1:9/v1"\nllm_model = "m"\nllm_timeout = 12\n')
    g = generator_from_config(Config(f, env={}))
    assert isinstance(g, OpenAICompatibleGenerator) and (g.base_url, g.model, g.timeout) == (
        "http://127.0.0.1:9/v1",
        "m",
        12.0,
    )
    g = generator_from_config(Config(f, env={"FACTDESK_LLM_URL": "", "FACTDESK_GGUF": "/x.gguf"}))
    assert isinstance(g, OpenAICompatibleGenerator)  # an empty variable is unset: the file's llm_url stays
    f.write_text('gguf = "/x.gguf"\nllm_timeout = 5\n')
    g = generator_from_config(Config(f, env={}))
    assert isinstance(g, LlamaCppGenerator) and (g.model_path, g.timeout) == ("/x.gguf", 5.0)


ENV_READ = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["'](FACTDESK_[A-Z0-9_]+)""")


def test_no_module_reads_a_factdesk_variable_around_the_table():
    """Declared once means read once: only config.py reads FACTDESK_* variables, and every
    FACTDESK_* name the package mentions is a declared setting's variable."""
    declared = {s.env for s in SETTINGS} | {CONFIG_ENV}
    bypass, undeclared = [], []
    for path in sorted((REPO / "factdesk").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(REPO).as_posix()
        if rel != "factdesk/config.py":
            bypass += [f"{rel}: {m.group(1)}" for m in ENV_READ.finditer(text)]
        undeclared += [f"{rel}: {name}" for name in set(re.findall(r"FACTDESK_[A-Z0-9_]+", text)) - declared]
    assert bypass == [], "read these through factdesk.config.Config instead"
    assert undeclared == [], "declare these in factdesk.config.SETTINGS"


# --- the CLI ----------------------------------------------------------------------------------


@pytest.fixture
def desk_dir(tmp_path, clean_env):
    """A working directory with one evidence file; `factdesk` opens desks with the fake models
    and records the `top_k` each check was given."""
    clean_env.chdir(tmp_path)
    (tmp_path / "evidence.txt").write_text(EVIDENCE)
    calls: list[int] = []
    real_check = Desk.check

    def check(self, claim, top_k=6, before=None):
        calls.append(top_k)
        return real_check(self, claim, top_k=top_k, before=before)

    def open_desk(db, writer="template", judge="default", **settings):
        return Desk(db=db, embedder=FakeEmbedder(), stance_model=FakeStanceModel())

    clean_env.setattr(cli, "open_desk", open_desk)
    clean_env.setattr(Desk, "check", check)
    return tmp_path, calls


def _invoke(*args):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_db_in_factdesk_toml_is_the_store_ingest_and_check_use(desk_dir):
    folder, calls = desk_dir
    (folder / "factdesk.toml").write_text('db = "x.db"\n')
    r = _invoke("ingest", "evidence.txt", "--no-progress")
    assert r.exit_code == 0, r.output
    assert "store x.db: 1 documents" in r.output
    assert (folder / "x.db").is_file() and not (folder / "factdesk.db").exists()
    r = _invoke("check", "Russia began air strikes in Syria in 2015.", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["evidence"][0]["text"].startswith("Russia began air strikes")
    assert not (folder / "factdesk.db").exists()


def test_env_beats_factdesk_toml_and_the_flag_beats_both(desk_dir, clean_env):
    folder, _ = desk_dir
    (folder / "factdesk.toml").write_text('db = "x.db"\n')
    assert _invoke("ingest", "evidence.txt", "--no-progress").exit_code == 0
    clean_env.setenv("FACTDESK_DB", "y.db")
    r = CliRunner().invoke(cli.main, ["check", "Russia began air strikes in Syria in 2015."])
    assert r.exit_code == 2 and "the store y.db holds no evidence yet" in r.output
    r = _invoke("check", "Russia began air strikes in Syria in 2015.", "--db", "x.db", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["evidence"]


def test_top_k_and_organization_from_the_file_and_the_environment_take_effect(desk_dir, clean_env):
    folder, calls = desk_dir
    (folder / "factdesk.toml").write_text('top_k = 3\norganization = "Example Fact Check"\n')
    assert _invoke("ingest", "evidence.txt", "--no-progress").exit_code == 0
    claim = "Russia began air strikes in Syria in 2015."
    r = _invoke("check", claim, "--format", "claimreview")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["author"] == {"@type": "Organization", "name": "Example Fact Check"}
    clean_env.setenv("FACTDESK_TOP_K", "4")
    clean_env.setenv("FACTDESK_ORGANIZATION", "Env Desk")
    r = _invoke("check", claim, "--format", "html")
    assert '"name": "Env Desk"' in r.output
    _invoke("check", claim, "--top-k", "5")
    assert calls == [3, 4, 5]


def test_a_bad_setting_is_one_line_and_exit_2(desk_dir, clean_env):
    folder, _ = desk_dir
    (folder / "factdesk.toml").write_text("top_k = 0\n")
    r = CliRunner().invoke(cli.main, ["check", "A claim."])
    assert r.exit_code == 2 and "top_k must be at least 1" in r.output and "Traceback" not in r.output
    (folder / "factdesk.toml").write_text("")
    clean_env.setenv("FACTDESK_DB", "")
    clean_env.setenv("FACTDESK_INGEST_FILE_SECONDS", "soon")
    r = CliRunner().invoke(cli.main, ["ingest", "evidence.txt"])
    assert r.exit_code == 2 and "FACTDESK_INGEST_FILE_SECONDS: ingest_file_seconds must be a number" in r.output


def test_factdesk_config_lists_values_and_sources_and_prints_the_docs(desk_dir, clean_env):
    folder, _ = desk_dir
    (folder / "factdesk.toml").write_text('db = "x.db"\nllm_key = "hunter2"\n')
    clean_env.setenv("FACTDESK_TOP_K", "7")
    out = _invoke("config").output.splitlines()
    assert "db = x.db  [factdesk.toml]" in out and "top_k = 7  [env FACTDESK_TOP_K]" in out
    assert "llm_key = (set)  [factdesk.toml]" in out and "hunter2" not in "\n".join(out)
    assert _invoke("config", "--docs").output == docs_markdown()
