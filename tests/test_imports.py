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


UI = sorted((ROOT / "ui").rglob("*.py"))  # ui/ with its packages: charts, lesson
CORE = sorted((ROOT / "core").rglob("*.py"))
APP = [ROOT / "app.py", *UI, *files("pages"), *CORE]  # every module of the app


def name_of(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", CORE, ids=name_of)
def test_core_imports_numpy_and_the_standard_library_only(path):
    assert imported(path) <= STDLIB | {"numpy", "core", "__future__"}


@pytest.mark.parametrize("path", UI, ids=name_of)
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
    "ui/state.py": "the settings table (one field and spec per setting), the URL reader and the table/text rules",
    "ui/session.py": "the one module that touches st.session_state: every key, its default and its callback",
    # a backward pass mirrors its forward pass step by step, in the same file order (DESIGN.md)
    "core/backward.py": "the encoder block's every forward step beside its backward step, and the readout's",
    "core/translator.py": "one model: its token tables, forward and backward, training and greedy decoding share it",
}


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("path", APP, ids=name_of)
def test_no_module_is_longer_than_max_lines(path):
    name = name_of(path)
    if name not in LONGER:
        assert line_count(path) <= MAX_LINES, f"{name} has {line_count(path)} lines: split it by job (or list it here)"


@pytest.mark.parametrize("name", sorted(LONGER))
def test_every_module_allowed_to_be_longer_still_is(name):
    assert line_count(ROOT / name) > MAX_LINES, f"{name} is short enough now: remove it from LONGER"


def test_the_module_checks_see_every_package():
    seen = {path.parent.relative_to(ROOT).as_posix() for path in APP}
    assert {".", "core", "ui", "ui/charts", "ui/lesson", "pages"} <= seen


# A function past a screen usually wants a name for its middle: past MAX_FUNCTION_LINES, its docstring
# says why not ("Long because ...").
MAX_FUNCTION_LINES = 60


def long_functions(source: str) -> list[str]:
    """The functions of ``source`` (methods and nested ones too) longer than MAX_FUNCTION_LINES, from
    ``def`` to their last line, whose docstring gives no reason."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES and "Long because" not in (ast.get_docstring(node) or ""):
                found.append(f"{node.name} ({length} lines, line {node.lineno})")
    return found


@pytest.mark.parametrize("path", APP, ids=name_of)
def test_no_function_is_longer_than_a_screen_without_a_reason(path):
    assert long_functions(path.read_text(encoding="utf-8")) == []


def test_the_function_check_sees_a_long_function_and_reads_its_reason():
    body = "".join(f"    x{n} = {n}\n" for n in range(MAX_FUNCTION_LINES))
    assert long_functions(f"def f():\n{body}") == [f"f ({MAX_FUNCTION_LINES + 1} lines, line 1)"]
    assert long_functions(f"class A:\n    def f(self):\n{body}".replace("\n    x", "\n        x")) != []
    assert long_functions(f'def f():\n    """Long because it must."""\n{body}') == []
    assert long_functions(f"def f():\n{body[: -len(body) // MAX_FUNCTION_LINES]}") == []


def test_only_the_session_module_reads_or_writes_session_state():
    """Per-user state has one home (ui/session.py): a page or a drawing helper asks it, never st.session_state."""
    sources = [ROOT / "app.py", *files("pages"), *UI]
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
    # the line under the statistics charts quotes the range (min, max) of the means and spreads they draw
    "ui/draw.py": "quotes the range a chart draws",
    # a long row lists the explained key and the keys of largest weight: a ranking of what to show
    "ui/derivation.py": "picks the keys a derivation lists",
    # an answer the chart cannot tell from another: the values rounded as the chart writes them
    "ui/lesson/step.py": "rounds as a chart writes",
    # the lesson reads each answer off the very numbers its chart draws (a row's sum, the mean over
    # heads of a drawn map, e^5 for the text of the shift question), so the verdict cannot drift from
    # the chart; the math behind those numbers is core's
    "ui/lesson/attention.py": "picks the option nearest a drawn ratio, on a log scale",
    "ui/lesson/decoder.py": "reads an answer off a drawn map",
    "ui/lesson/heads.py": "reads an answer off a drawn map",
    "ui/lesson/words.py": "reads an answer off a drawn map",
}
# numpy's functions that compute (not those that build, reshape or pick: array, stack, where, arange...)
NP_MATH = {
    *("exp", "log", "log2", "log10", "sqrt", "power", "square", "tanh", "abs", "absolute", "sign", "round"),
    *("dot", "matmul", "einsum", "outer", "linalg", "trace", "diag", "triu", "tril", "clip", "maximum", "minimum"),
    *("sum", "mean", "std", "var", "cumsum", "prod", "cumprod", "diff", "median", "percentile", "average"),
    *("max", "min", "amax", "amin", "argmax", "argmin", "argsort", "sort", "ptp", "nansum", "nanmean"),
}
# an array's own methods that compute (a list or a str has none of these)
ARRAY_MATH = {"sum", "mean", "std", "var", "dot", "cumsum", "prod", "max", "min", "argmax", "argmin", "argsort"}
ARRAY_MATH |= {"round", "clip", "trace", "cumprod"}
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow, ast.MatMult)


def _core_arrays() -> tuple[set[str], set[str]]:
    """The fields of core's results that hold arrays, and core's functions that return one."""
    import dataclasses

    import core

    found, functions = set(), set()
    for name in core.__all__:
        obj = getattr(core, name)
        if dataclasses.is_dataclass(obj):
            found |= {f.name for f in dataclasses.fields(obj) if "ndarray" in str(f.type)}
        elif callable(obj) and str(getattr(obj, "__annotations__", {}).get("return")) == "np.ndarray":
            functions.add(name)
    return found, functions


ARRAY_FIELDS, ARRAY_FUNCTIONS = _core_arrays()


def _named(node: ast.AST, module: str, names) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == module
        and (node.attr in names if names else True)
    )


def _array_like(node: ast.AST, arrays: set[str]) -> bool:
    """Whether ``node`` is seen to be an array: a call into numpy, or to a core function that returns one,
    a name bound to one, a field of a core result that holds one, or a slice of any of these."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Call):
        return _named(node.func, "np", ()) or _named(node.func, "core", ARRAY_FUNCTIONS)
    if isinstance(node, ast.Name):
        return node.id in arrays
    return isinstance(node, ast.Attribute) and node.attr in ARRAY_FIELDS


def _array_names(tree: ast.AST) -> set[str]:
    """Names a module binds to something ``_array_like`` (x = np.ones(3); pe = core.sinusoidal_...(T, D))."""
    names: set[str] = set()
    for _ in range(2):  # a name bound to a name bound to an array
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if _array_like(node.value, names):
                    names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def arithmetic(source: str) -> list[int]:
    """Lines of ``source`` that compute on arrays: numpy's math functions, an array's sum, max, round...,
    and +, -, *, /, //, ** or @ with an operand seen to be an array. Arithmetic on sizes and indices
    (``H * d_v``, ``head - 1``, ``100 * share``) is not counted: its operands are plain names and numbers."""
    tree = ast.parse(source)
    arrays = _array_names(tree)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC):
            if isinstance(node.op, ast.MatMult) or _array_like(node.left, arrays) or _array_like(node.right, arrays):
                lines.append(node.lineno)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ARITHMETIC):
            if _array_like(node.target, arrays) or _array_like(node.value, arrays):
                lines.append(node.lineno)
        elif _named(node, "np", NP_MATH):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ARRAY_MATH:
            if not isinstance(node.func.value, ast.Name) or node.func.value.id != "np":
                lines.append(node.lineno)
    return sorted(set(lines))


@pytest.mark.parametrize(
    "code",
    [
        "y = np.exp(x)",
        "y = scores.sum(axis=1)",
        "y = a @ b",
        "y = result.attention.scores[h][i] * settings.temp",  # a core result's array, sliced
        "pe = core.sinusoidal_positional_encoding(T, D)\ny = x + pe[:S]",  # a name bound to core's array
        "y = np.asarray(d) - 1.0",
        "m = np.ones(3)\nw = m\nw += 1",
        "top = np.argsort(p)[::-1]",
        "y = out.probabilities[i][j] * 100",
    ],
)
def test_the_arithmetic_check_sees_math_on_arrays(code):
    assert arithmetic(code) != [], code


@pytest.mark.parametrize(
    "code",
    [
        "n = H * params.d_v",
        "i = settings.head - 1",
        "pct = 100 * share",
        "width = 2 * 32 * len(result.losses)",
        "i = int(np.argmax(w))\nj = i + 1",  # int() of an array's pick is a number
        "x = np.stack(rows)\nname = label + '!'",
        "w = np.where(m, a, b)\nsize = w.shape[0] // 2",
    ],
)
def test_the_arithmetic_check_leaves_sizes_and_indices_alone(code):
    found = arithmetic(code)
    if "argmax" in code:  # the pick itself is counted, the arithmetic on its int is not
        assert found == [1], code
    else:
        assert found == [], code


def test_ui_does_no_math_on_arrays_beyond_a_named_list():
    sources = [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    found = {
        str(path.relative_to(ROOT)): arithmetic(path.read_text(encoding="utf-8"))
        for path in sources
        if not str(path.relative_to(ROOT)).startswith("ui/charts/")
    }
    found = {name: lines for name, lines in found.items() if lines}
    assert set(found) <= set(ARITHMETIC_ALLOWED), {k: v for k, v in found.items() if k not in ARITHMETIC_ALLOWED}
    assert set(ARITHMETIC_ALLOWED) <= set(found), "a file on the list no longer computes: take it off"


def session_keys() -> set[str]:
    """The session-state keys ui/session.py names: its module-level ``_NAME = "key"`` constants."""
    keys = set()
    for node in ast.parse((ROOT / "ui" / "session.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            if all(isinstance(t, ast.Name) and t.id.startswith("_") and t.id.isupper() for t in node.targets):
                keys.add(node.value.value)
    return keys


def raw_session_keys(source: str, keys: set[str]) -> list[str]:
    """Where ``source`` names one of ``keys`` by its text on a session state: ``x.session_state["run"]``,
    ``"run" in x.session_state``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            target, key = node.value, node.slice
        elif isinstance(node, ast.Compare) and isinstance(node.comparators[0], ast.Attribute):
            target, key = node.comparators[0], node.left
        else:
            continue
        if target.attr == "session_state" and isinstance(key, ast.Constant) and key.value in keys:
            found.append(f"{key.value!r} at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("test_*.py")), ids=name_of)
def test_tests_read_session_state_through_the_keys_session_exports(path):
    """A key renamed in ui/session.py must not leave a test reading a key nobody writes."""
    assert raw_session_keys(path.read_text(encoding="utf-8"), session_keys()) == []


def test_the_session_key_check_sees_a_raw_key():
    keys = session_keys()
    assert {"run", "editor_version", "stopped_trainings", "custom_vocab", "lexicon_editor_version"} <= keys
    code = 'a = at.session_state["run"]\nb = "custom_vocab" in at.session_state\nc = at.session_state["mine"]\n'
    assert raw_session_keys(code, keys) == ["'run' at line 1", "'custom_vocab' at line 2"]
