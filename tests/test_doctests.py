"""The docstring examples of every factdesk module run as tests (ELLIPSIS on).

An example that needs a real model or a server carries ``# doctest: +SKIP`` where it stands.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import factdesk

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(factdesk.__path__, "factdesk.")
    if not m.name.startswith("factdesk.models.llama_worker")
)


def test_modules_are_found() -> None:
    assert "factdesk.types" in MODULES and "factdesk.pipeline" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (output above)"
