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


def modules(path: Path) -> set[str]:
    """The full names of the modules a file imports (``from ui.charts import sizing``: ui.charts.sizing)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return names


UI = files("ui") + files("ui/charts")


@pytest.mark.parametrize("path", files("core"), ids=lambda p: p.name)
def test_core_imports_numpy_and_the_standard_library_only(path):
    assert imported(path) <= STDLIB | {"numpy", "core", "__future__"}


@pytest.mark.parametrize("path", UI, ids=lambda p: str(p.relative_to(ROOT)))
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


@pytest.mark.parametrize("path", files("ui/charts"), ids=lambda p: p.name)
def test_chart_builders_never_import_streamlit_or_the_rest_of_ui(path):
    """Numpy in, Altair out: the builders draw nothing themselves and know no session, page or language."""
    names = modules(path)
    assert not {n for n in names if n == "streamlit" or n.startswith("streamlit.")}
    assert not {n for n in names if n.startswith("ui.") and not n.startswith("ui.charts")}, names


def test_the_chart_check_sees_streamlit_and_the_rest_of_ui(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("import streamlit.runtime\nfrom ui import session\nfrom ui.charts import sizing\n", encoding="utf-8")
    assert {"streamlit.runtime", "ui.session", "ui.charts.sizing"} <= modules(bad)


def test_the_charts_package_is_found():
    assert len(files("ui/charts")) >= 5 and (ROOT / "ui" / "charts" / "__init__.py").exists()


# A file you can hold in your head: no module of the app past MAX_LINES, but these, each for a reason.
MAX_LINES = 500
LONGER = {
    "ui/state.py": "the settings table and the table/text rules; issue 17 item 2 makes Settings and SPECS one definition",
    "ui/session.py": "the one module that touches st.session_state: every key, its default and its callback",
}


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("path", [ROOT / "app.py", *UI, *files("pages")], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_longer_than_max_lines(path):
    name = path.relative_to(ROOT).as_posix()
    if name not in LONGER:
        assert line_count(path) <= MAX_LINES, f"{name} has {line_count(path)} lines: split it by job (or list it here)"


@pytest.mark.parametrize("name", sorted(LONGER))
def test_every_module_allowed_to_be_longer_still_is(name):
    assert line_count(ROOT / name) > MAX_LINES, f"{name} is short enough now: remove it from LONGER"


def test_only_the_session_module_reads_or_writes_session_state():
    """Per-user state has one home (ui/session.py): a page or a drawing helper asks it, never st.session_state."""
    sources = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    offenders = []
    for path in sources:
        if path == ROOT / "ui" / "session.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "session_state":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders


# Array arithmetic that stays outside core, by file, and why. Everything else a page shows is a field of a
# result core returned (issue: "math out of ui/"). The chart package is drawing code (palettes, PNG
# pixels, sizes) and is not counted.
ARITHMETIC_ALLOWED = {
    # a chart's accessible description: how many cells are masked
    "ui/describe.py": "describes a chart",
    # the lesson reads each answer off the very numbers its chart draws (a row's sum, the mean over
    # heads of a drawn map, e^5 for the text of the shift question), so the verdict cannot drift from
    # the chart; the math behind those numbers is core's
    "ui/lesson/attention.py": "picks the option nearest a drawn ratio, on a log scale",
    "ui/lesson/decoder.py": "reads an answer off a drawn map",
    "ui/lesson/heads.py": "reads an answer off a drawn map",
    "ui/lesson/words.py": "reads an answer off a drawn map",
}
NP_MATH = {"exp", "log", "sqrt", "dot", "matmul", "einsum", "linalg", "tanh", "sum", "mean", "std", "var", "cumsum"}
ARRAY_MATH = {"sum", "mean", "std", "var", "dot", "cumsum"}


def arithmetic(path: Path) -> list[int]:
    """Lines of ``path`` that compute on arrays: @, numpy's math functions, an array's sum/mean/std/var."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np":
            if node.attr in NP_MATH:
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ARRAY_MATH:
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "np"):
                lines.append(node.lineno)
    return sorted(lines)


def test_ui_does_no_math_on_arrays_beyond_a_named_list():
    sources = [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    found = {
        str(path.relative_to(ROOT)): arithmetic(path)
        for path in sources
        if not str(path.relative_to(ROOT)).startswith("ui/charts/")
    }
    found = {name: lines for name, lines in found.items() if lines}
    assert set(found) <= set(ARITHMETIC_ALLOWED), {k: v for k, v in found.items() if k not in ARITHMETIC_ALLOWED}
    assert set(ARITHMETIC_ALLOWED) <= set(found), "a file on the list no longer computes: take it off"
