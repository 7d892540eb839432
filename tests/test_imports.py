"""Imports flow one way: pages -> ui -> core; core is NumPy and the standard library only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)


def imported(path: Path) -> set[str]:
    """The top-level packages a file imports (relative imports count as its own package)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(path.parent.name if node.level else node.module.split(".")[0])
    return names


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


@pytest.mark.parametrize("path", files("core"), ids=lambda p: p.name)
def test_core_imports_numpy_and_the_standard_library_only(path):
    assert imported(path) <= STDLIB | {"numpy", "core", "__future__"}


@pytest.mark.parametrize("path", files("ui"), ids=lambda p: p.name)
def test_ui_never_imports_pages_or_the_router(path):
    names = imported(path)
    assert "pages" not in names and "app" not in names
    assert "torch" not in names


@pytest.mark.parametrize("path", [ROOT / "app.py", *files("pages")], ids=lambda p: p.name)
def test_pages_reach_core_through_ui_only(path):
    names = imported(path)
    assert "core" not in names, "a page computes nothing: core is called through ui.compute"
    assert "torch" not in names


def test_the_check_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("import streamlit\nfrom pandas import DataFrame\n", encoding="utf-8")
    assert {"streamlit", "pandas"} <= imported(bad)
    assert not imported(bad) <= STDLIB | {"numpy"}
