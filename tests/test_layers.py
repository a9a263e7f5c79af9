"""Layers point down: nothing below `app/` imports `factdesk.app`, and the report stage does not import `eval/`."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "factdesk"


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names; `from factdesk import app` counts as factdesk.app)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def _offenders(folder: str, forbidden: str) -> list[str]:
    return sorted(
        f"{p.relative_to(PACKAGE.parent)} imports {m}"
        for p in PACKAGE.rglob("*.py")
        if not p.is_relative_to(PACKAGE / "app") and (folder == "" or p.is_relative_to(PACKAGE / folder))
        for m in _imports(p)
        if m == forbidden or m.startswith(forbidden + ".")
    )


def test_nothing_below_app_imports_app() -> None:
    assert _offenders("", "factdesk.app") == []


def test_the_report_stage_does_not_import_eval() -> None:
    assert _offenders("report", "factdesk.eval") == []


def test_the_matcher_does_not_import_train_or_eval() -> None:
    """The runtime matcher is used by every check; its trainer lives in `train/` (issue 25)."""
    assert _offenders("match", "factdesk.train") == _offenders("match", "factdesk.eval") == []


def test_the_check_finds_an_offender(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from factdesk.app.cli_train import train\n    from factdesk import eval\n")
    assert _imports(f) >= {"factdesk.app.cli_train", "factdesk.eval"}
