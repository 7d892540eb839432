"""Downloads: CSV read back exactly, the zip of a page's matrices, PNG and SVG from vl-convert, and the
sidebar panel, whose files are built only on a click."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import threading
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pandas as pd
import pytest
import vl_convert
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from tests.conftest import PAGES, ROOT, assert_clean, charts, run_app
from ui import charts as chart_builders
from ui import downloads, layout

TOKENS = "the cat sat on the mat".split()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TITLES = {"row_title": "Query token (row)", "col_title": "Key token (column)", "value_title": "Score"}


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261201)


@pytest.fixture(autouse=True)
def no_kept_files():
    """Each test builds its own files: none kept from another test's click."""
    downloads.clear_files()
    yield
    downloads.clear_files()


def read_csv(data: bytes, comma: bool = False) -> pd.DataFrame:
    """The call the docstring of matrix_csv gives: labels stay text ("NA", "1"), values float64;
    ``comma``: the ";"-separated, ","-decimal file of the Portuguese pages."""
    dialect = {"sep": ";", "decimal": ","} if comma else {}
    return pd.read_csv(io.BytesIO(data), index_col=0, keep_default_na=False, dtype={0: str}, **dialect)


def scores(rng, n=6) -> np.ndarray:
    s = rng.normal(size=(n, n)) * 3
    s[np.triu_indices(n, 1)] = -np.inf  # a causal mask
    return s


def heatmap_figure(values, rows, cols, name="Q·Kᵀ (1)", **options) -> downloads.Figure:
    rows, cols = tuple(rows), tuple(cols)
    kwargs = {"title": name, **TITLES, "domain": chart_builders.symmetric_domain(values), "scheme": "blueorange"}
    kwargs.update(options)
    table = downloads.Table(values, rows, cols, kwargs["row_title"], kwargs.get("masked_value", "-inf"))
    return downloads.Figure(name, "heatmap", (values, rows, cols), kwargs, table)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def svg_root(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag.rsplit("}", 1)[-1] == "svg"
    return root


def svg_texts(root: ET.Element) -> list[str]:
    return [el.text for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "text" and el.text]


# ---------------------------------------------------------------------------------------
# CSV


def test_a_csv_reads_back_as_the_exact_matrix_with_its_labels(rng):
    values = scores(rng) * 10.0 ** rng.integers(-6, 6, size=(6, 6))  # digits a %.4f would lose
    data = downloads.matrix_csv(values, TOKENS, TOKENS, "Query token (row)")
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data  # BOM for Excel, CRLF lines
    frame = read_csv(data)
    repeated = ["the (#1)", "cat", "sat", "on", "the (#5)", "mat"]
    assert frame.index.tolist() == repeated and frame.columns.tolist() == repeated
    assert frame.index.name == "Query token (row)"
    assert frame.dtypes.eq(np.float64).all()
    np.testing.assert_array_equal(frame.to_numpy(), values)  # bit for bit, -inf where masked
    assert (frame.to_numpy() == values)[np.isfinite(values)].all()
    plain = pd.read_csv(io.BytesIO(data), index_col=0)  # the everyday call reads ordinary words the same
    np.testing.assert_array_equal(plain.to_numpy(), values)


def test_a_comma_csv_is_what_brazils_excel_opens_and_reads_back_exactly(rng):
    values = scores(rng) * 10.0 ** rng.integers(-9, 6, size=(6, 6))  # exponents too: "1,5e-07"
    labels = ["a;b", "x,y", "0,5", "the", "the", "atenção"]
    data = downloads.matrix_csv(values, labels, labels, "Token", comma=True)
    line = data.decode("utf-8-sig").splitlines()[1]
    assert line.startswith('"a;b";')  # a label holding ";" is quoted
    first = next(csv.reader([line], delimiter=";"))
    assert all("." not in cell for cell in first[1:]) and any("," in cell for cell in first[1:])  # "," decimals
    frame = read_csv(data, comma=True)
    assert frame.index.tolist() == ["a;b", "x,y", "0,5", "the (#4)", "the (#5)", "atenção"]
    assert frame.dtypes.eq(np.float64).all()
    np.testing.assert_array_equal(frame.to_numpy(), values)  # bit for bit, -inf where masked
    same = downloads.matrix_csv(values, labels, labels, "Token")  # the same digits either way
    assert read_csv(same).to_numpy().tobytes() == frame.to_numpy().tobytes()


def test_a_masked_attention_weight_is_written_as_zero(rng):
    weights = np.full((3, 3), 1 / 3)
    weights[0, 1:] = -np.inf
    frame = read_csv(downloads.matrix_csv(weights, "abc", "abc", "q", masked_value="0"))
    expected = np.where(np.isneginf(weights), 0.0, weights)
    np.testing.assert_array_equal(frame.to_numpy(), expected)
    assert frame.to_numpy()[0, 0] == 1 / 3  # the shortest round-trip text, not 0.3333


def test_labels_that_look_like_numbers_or_missing_values_stay_text():
    labels = ["NA", "1", "null", "x,y", 'say "hi"', "atenção"]
    values = np.arange(36.0).reshape(6, 6) - 17.5
    frame = read_csv(downloads.matrix_csv(values, labels, labels, "Token"))
    assert frame.index.tolist() == labels and frame.columns.tolist() == labels
    np.testing.assert_array_equal(frame.to_numpy(), values)


@pytest.mark.parametrize("comma", [False, True])
def test_labels_excel_would_run_as_formulas_are_written_as_text_and_numbers_stay_numbers(comma):
    labels = ['=HYPERLINK("http://x")', "+1", "-x", "@SUM(1)", "\tcmd", "\rcmd", "a=b", "'quoted"]
    values = -np.arange(64.0).reshape(8, 8) - 0.5  # negative numbers: written as numbers, not text
    data = downloads.matrix_csv(values, labels, labels, "=row", comma=comma)
    frame = read_csv(data, comma=comma)
    guarded = ["'" + s if s[0] in "=+-@\t\r" else s for s in labels]
    assert frame.index.tolist() == guarded and frame.columns.tolist() == guarded
    assert frame.index.name == "'=row"
    np.testing.assert_array_equal(frame.to_numpy(), values)
    cells = [
        cell
        for line in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";" if comma else ",")
        for cell in line
    ]
    numbers = cells[len(labels) + 2 :]
    assert any(cell.startswith("-") for cell in numbers)  # "-0.5" as it is: a number
    texts = [cell for cell in cells if not cell.lstrip("-").replace(",", ".").replace(".", "", 1).isdigit()]
    assert all(not cell or cell[0] not in "=+-@\t\r" for cell in texts)


def test_a_column_named_like_the_row_title_or_a_suffixed_label_stays_distinct():
    cols = ["Token", "a (#3)", "a", "a"]
    data = downloads.matrix_csv(np.zeros((1, 4)), ["r"], cols, "Token")
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[0] == "Token" and len(set(header)) == 5
    assert read_csv(data).shape == (1, 4)


def test_a_csv_refuses_labels_that_do_not_fit():
    with pytest.raises(ValueError, match="labels"):
        downloads.matrix_csv(np.zeros((2, 2)), "abc", "ab")


# ---------------------------------------------------------------------------------------
# zip and names


def test_the_zip_holds_one_csv_per_matrix_with_unique_names(rng):
    a, b = rng.random((4, 4)), rng.normal(size=(4, 3))
    figures = [
        heatmap_figure(a, "abcd", "abcd", name="Head 1"),
        downloads.Figure("Loss", "loss_curve", ([1.0, 0.5],), {"title": "Loss", "step_title": "s", "loss_title": "l"}),
        heatmap_figure(b, "abcd", ["v1", "v2", "v3"], name="Head 1"),  # the same title
        heatmap_figure(a, "abcd", "abcd", name="Q·Kᵀ/√d_k (1)"),
    ]
    with zipfile.ZipFile(io.BytesIO(downloads.zip_csvs(figures))) as zf:
        names = zf.namelist()
        assert names == ["01-head-1.csv", "03-head-1.csv", "04-q-kt-d-k-1.csv"]  # no CSV for the loss curve
        np.testing.assert_array_equal(read_csv(zf.read("03-head-1.csv")).to_numpy(), b)
        assert zf.read("01-head-1.csv") == downloads.figure_csv(figures[0])
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in zf.infolist())
    with zipfile.ZipFile(io.BytesIO(downloads.zip_csvs(figures, comma=True))) as zf:
        assert zf.read("03-head-1.csv") == downloads.figure_csv(figures[2], comma=True)
        np.testing.assert_array_equal(read_csv(zf.read("03-head-1.csv"), comma=True).to_numpy(), b)


@pytest.mark.parametrize(
    ("title", "stem"),
    [("Q·Kᵀ (1)", "q-kt-1"), ("Cabeça 2 · Peso", "cabeca-2-peso"), ("../../etc/passwd", "etc-passwd"), ("√∞", "chart")],
)
def test_file_names_are_ascii_slugs_of_the_titles(title, stem):
    assert downloads.slug(title) == stem
    assert downloads.file_stem(7, title) == f"07-{stem}"


# ---------------------------------------------------------------------------------------
# pictures


def test_a_heatmap_renders_as_png_and_svg_with_its_numbers(rng):
    values = scores(rng)
    figure = heatmap_figure(values, TOKENS, TOKENS, select="cell", legend=False, max_plot=150)
    spec = downloads.vega_lite(figure)
    json.dumps(spec, allow_nan=False)  # inline data, strict JSON: no Arrow bytes, no Infinity
    assert all(isinstance(rows, list) for rows in spec["datasets"].values())
    assert "params" not in json.dumps(spec)  # no click selection in a picture
    width, height = png_size(downloads.chart_png(figure))
    assert 2 * spec["width"] < width < 2 * (spec["width"] + 300)  # scale 2, axes and legend around the plot
    assert 2 * spec["height"] < height < 2 * (spec["height"] + 200)
    texts = svg_texts(svg_root(downloads.chart_svg(figure)))
    assert "−∞" in texts and "Score" in texts  # the masked cells' text, and the legend put back
    finite = values[np.isfinite(values)]
    decimals = chart_builders.cell_decimals(
        spec["layer"][0]["encoding"]["color"]["scale"]["domain"], 6, finite.min(), finite.max(), 150
    )
    assert all(f"{v:.{decimals}f}".replace("-0.00", "0.00") in texts for v in values[np.tril_indices(6)][:5])


def test_an_image_mode_heatmap_renders_with_its_picture(rng):
    values = rng.random((100, 100))
    assert chart_builders.uses_image(100, 100)
    figure = heatmap_figure(values, [str(i) for i in range(100)], [str(i) for i in range(100)], domain=(0.0, 1.0))
    width, height = png_size(downloads.chart_png(figure, scale=1))
    assert width > 420 and height > 420
    root = svg_root(downloads.chart_svg(figure))
    images = [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "image"]
    assert len(images) == 1
    href = images[0].get("href") or images[0].get("{http://www.w3.org/1999/xlink}href")
    assert href.startswith("data:image/png;base64,")


def test_a_chart_with_table_data_renders_past_altairs_row_limit(rng):
    T, H = 40, 4
    w = rng.random((H, T, T))
    w /= w.sum(axis=-1, keepdims=True)
    kwargs = {"title": "", "head_title": "Head", "query_title": "q", "key_title": "k", "weight_title": "w"}
    kwargs["max_lines"] = H * T * T  # every line: past the default bound
    figure = downloads.Figure("Head view", "head_view", ([f"t{i}" for i in range(T)], w), kwargs)
    spec = downloads.vega_lite(figure)
    assert downloads._rows(spec) > 5000  # Altair's to_dict would raise MaxRowsError
    assert "opacity" not in spec["layer"][0]["encoding"] and "strokeOpacity" in spec["layer"][0]["encoding"]
    svg_root(downloads.chart_svg(figure))


def test_a_figure_without_a_table_has_no_csv():
    figure = downloads.Figure(
        "Loss", "loss_curve", ([1.0, 0.5],), {"title": "Loss", "step_title": "s", "loss_title": "l"}
    )
    with pytest.raises(ValueError, match="not a matrix"):
        downloads.figure_csv(figure)
    assert png_size(downloads.chart_png(figure))[0] > 400


# ---------------------------------------------------------------------------------------
# limits, one build at a time, a second click served from the kept file


def test_files_past_their_limit_are_refused_before_anything_is_built(rng, renders):
    small = heatmap_figure(rng.random((4, 4)), "abcd", "abcd")
    assert all(downloads.refusal(kind, small) is None for kind in ("csv", "png", "svg"))
    wide = heatmap_figure(np.zeros((1, downloads.CSV_CELLS + 1)), "a", [str(i) for i in range(downloads.CSV_CELLS + 1)])
    assert downloads.refusal("csv", wide) == (downloads.CSV_CELLS + 1, downloads.CSV_CELLS)
    with pytest.raises(downloads.TooBig):
        downloads.download("csv", wide)
    n = int(np.ceil(np.sqrt(downloads.ZIP_CELLS / 3)))
    page = [heatmap_figure(np.zeros((n, n)), [str(i) for i in range(n)], [str(i) for i in range(n)]) for _ in range(4)]
    assert downloads.refusal("zip", page) == (4 * n * n, downloads.ZIP_CELLS)
    with pytest.raises(downloads.TooBig):
        downloads.download_zip(page)
    assert downloads.refusal("zip", page[:2]) is None
    lines = downloads.Figure("Head view", "head_view", (list("ab"), np.full((1, 2, 2), 0.5)), {"max_lines": 10**6})
    assert downloads.picture_marks(lines) == 4
    assert renders == {"png": 0, "svg": 0, "csv": 0}


def test_the_largest_head_view_and_curve_are_within_the_picture_limit(rng):
    H, T = 16, 40  # the head view's largest: 16 heads over the 40 tokens the page allows
    w = rng.random((H, T, T))
    w /= w.sum(axis=-1, keepdims=True)
    figure = downloads.Figure("Head view", "head_view", ([f"t{i}" for i in range(T)], w), {})
    assert downloads.picture_marks(figure) <= chart_builders.HEAD_VIEW_LINES <= downloads.PICTURE_MARKS
    curves = downloads.Figure("Loss", "loss_curve", ({"a": np.ones(5000), "b": np.ones(5000)},), {})
    assert downloads.picture_marks(curves) <= 2 * chart_builders.CURVE_POINTS <= downloads.PICTURE_MARKS
    assert 64 * 64 == chart_builders.RECT_CELL_LIMIT <= downloads.PICTURE_MARKS  # a heatmap in rects


def test_a_double_click_builds_once_under_the_heavy_work_slot(rng, renders, monkeypatch):
    from ui import budget

    held = []
    slot = budget.slot

    def recording_slot(*args, **kwargs):
        held.append(threading.current_thread().name)
        return slot(*args, **kwargs)

    monkeypatch.setattr(budget, "slot", recording_slot)
    figure = heatmap_figure(rng.random((5, 5)), "abcde", "abcde")
    files = []
    clicks = [threading.Thread(target=lambda: files.append(downloads.download("png", figure))) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(60)
    assert len(files) == 2 and files[0] == files[1]
    assert renders["png"] == 1  # the second click waited for the first one's file
    assert downloads.download("csv", figure, comma=True) == downloads.figure_csv(figure, comma=True)
    assert downloads.download("csv", figure, comma=True) and renders["csv"] == 2  # the kept one + the direct call
    assert len(held) >= 2


def test_a_page_past_the_zip_limit_disables_its_button_and_says_what_is_allowed(download_buttons):
    def script():
        import numpy as np

        from ui import downloads, draw, layout

        page = layout.start("nav.multi_head")
        n = 600
        labels = [str(i) for i in range(n)]
        with layout.guarded(page):
            for k in range(1 + downloads.ZIP_CELLS // (n * n)):
                draw.matrix(page, np.zeros((n, n)), labels, labels, title=f"M{k}")

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state[layout.SAVE_PANEL] = True
    at.run()
    assert not at.exception
    zip_button = download_buttons["dl_zip"]
    assert zip_button["disabled"] is True
    assert "750,000" in zip_button["help"] and "1,080,000" in zip_button["help"]
    assert download_buttons["dl_csv"]["disabled"] is False


# ---------------------------------------------------------------------------------------
# the panel on a page


@pytest.fixture
def renders(monkeypatch):
    """Counts the PNG and SVG renders and CSV files built, from any thread."""
    counts = {"png": 0, "svg": 0, "csv": 0}
    for name, key, module in (
        ("vegalite_to_png", "png", vl_convert),
        ("vegalite_to_svg", "svg", vl_convert),
        ("matrix_csv", "csv", downloads),
    ):
        original = getattr(module, name)

        def counted(*args, _original=original, _key=key, **kwargs):
            counts[_key] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return counts


@pytest.fixture
def download_buttons(monkeypatch):
    """The keyword arguments of every download button the panel draws (key "dl_..."), by key."""
    seen: dict[str, dict] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        if str(kwargs.get("key", "")).startswith("dl_"):
            seen[kwargs["key"]] = {"label": label, "data": data, **kwargs}
        return original(self, label, data, *args, **kwargs)

    def recording_st(label, data, *args, **kwargs):  # st.download_button: bound to the main container
        if str(kwargs.get("key", "")).startswith("dl_"):
            seen[kwargs["key"]] = {"label": label, "data": data, **kwargs}
        return original_st(label, data, *args, **kwargs)

    import streamlit

    original_st = streamlit.download_button
    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    monkeypatch.setattr(streamlit, "download_button", recording_st)
    return seen


def multi_head(**params) -> AppTest:
    at = run_app(PAGES["multi-head"], heads=3, preset="random", dim=6, sentence="the cat sat on the mat", **params)
    at.toggle(key="mh_analyse").set_value(True).run()  # the whole page: no st.stop()
    return saving_on(at)


def saving_on(at: AppTest) -> AppTest:
    """The sidebar's "Save charts, numbers or this session" switched on."""
    at.toggle(key=layout.SAVE_PANEL).set_value(True).run()
    assert_clean(at)
    return at


def test_nothing_to_save_is_drawn_until_asked_for():
    at = run_app(PAGES["multi-head"])
    assert_clean(at)
    assert not at.get("download_button") and not at.get("file_uploader")
    assert all(s.key != layout.DOWNLOAD_PICK for s in at.selectbox)
    saving_on(at)
    assert at.get("download_button") and at.get("file_uploader")


def test_the_panel_lists_every_chart_of_the_page_and_a_rerun_builds_no_file(renders, download_buttons):
    at = multi_head()
    at.run()  # a plain rerun
    assert renders == {"png": 0, "svg": 0, "csv": 0}
    assert "Save charts and numbers" in [s.value for s in at.sidebar.subheader]
    options = at.selectbox(key=layout.DOWNLOAD_PICK).options
    assert len(options) == len(charts(at))  # one entry per chart drawn
    assert options[:3] == ["1 · Head 1 · Weight", "2 · Head 2 · Weight", "3 · Head 3 · Weight"]
    assert options[3] == "4 · Head view: every weight as a line"
    assert options[4] == "5 · Head 1 · Value"
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"CSV", "PNG", "SVG", "All matrices (zip)"} <= set(labels)
    for key in ("dl_csv", "dl_png", "dl_svg", "dl_zip"):
        assert callable(download_buttons[key]["data"]) and download_buttons[key]["on_click"] == "ignore"


def test_the_buttons_build_their_files_on_a_click_without_the_session(renders, download_buttons, monkeypatch):
    at = multi_head(lang="pt")
    assert at.selectbox(key=layout.DOWNLOAD_PICK).options[0] == "1 · Cabeça 1 · Peso"
    at.selectbox(key=layout.DOWNLOAD_PICK).set_value(3).run()  # the head view: not a matrix
    assert download_buttons["dl_csv"]["disabled"] is True
    at.selectbox(key=layout.DOWNLOAD_PICK).set_value(0).run()
    buttons = {key: kwargs for key, kwargs in download_buttons.items()}
    assert buttons["dl_png"]["file_name"] == "multi-cabeca-01-cabeca-1-peso.png"
    assert renders == {"png": 0, "svg": 0, "csv": 0}

    class NoSession:  # what the callables would meet if they reached for the session
        def __getattr__(self, name):
            raise AssertionError("a download touched st.session_state")

        __getitem__ = __getattr__

    import streamlit

    monkeypatch.setattr(streamlit, "session_state", NoSession())
    files: dict[str, object] = {}

    def click_all():  # Streamlit runs them on a thread of its own, with no script context
        for key, kwargs in buttons.items():
            files[key] = kwargs["data"]()

    worker = threading.Thread(target=click_all)
    worker.start()
    worker.join(120)
    assert set(files) == {"dl_csv", "dl_png", "dl_svg", "dl_zip"}
    assert renders["png"] == 1 and renders["svg"] == 1
    assert ";" in files["dl_csv"].decode("utf-8-sig").splitlines()[1]  # in Portuguese: Brazil's Excel dialect
    frame = read_csv(files["dl_csv"], comma=True)
    assert frame.index.tolist() == ["the (#1)", "cat", "sat", "on", "the (#5)", "mat"]
    np.testing.assert_allclose(frame.sum(axis=1), 1.0, rtol=1e-12)  # a head's weights, rows sum to 1
    assert png_size(files["dl_png"])[0] > 200
    texts = svg_texts(svg_root(files["dl_svg"]))  # a head's weights in its cells and legend, as Portuguese writes them
    assert "0,5" in texts and any(t.startswith("0,") and len(t) == 4 for t in texts)
    assert not [t for t in texts if re.search(r"\d\.\d", t)]
    with zipfile.ZipFile(io.BytesIO(files["dl_zip"])) as zf:
        names = zf.namelist()
    n_matrices = len(at.selectbox(key=layout.DOWNLOAD_PICK).options) - 1  # all but the head view
    assert len(names) == len(set(names)) == n_matrices
    assert names[0] == "01-cabeca-1-peso.csv" and "04-" not in " ".join(names)


def test_a_page_that_stops_early_still_offers_its_charts():
    def script():
        import numpy as np
        import streamlit as st

        from ui import draw, layout

        page = layout.start("nav.multi_head")
        with layout.guarded(page):
            draw.matrix(page, np.eye(3), "abc", "abc", title="I")
            layout.stop(page)
            st.write("after the stop")

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state[layout.SAVE_PANEL] = True
    at.run()
    assert not at.exception
    assert at.selectbox(key=layout.DOWNLOAD_PICK).options == ["1 · I"]
    assert "after the stop" not in [m.value for m in at.markdown]


def test_a_page_that_fails_still_offers_the_charts_it_drew():
    def script():
        import numpy as np

        from ui import draw, layout

        page = layout.start("nav.multi_head")
        with layout.guarded(page):
            draw.matrix(page, np.eye(2), "ab", "ab", title="I")
            raise RuntimeError("boom")

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state[layout.SAVE_PANEL] = True
    at.run()
    assert at.error and "RuntimeError" in at.error[0].value
    assert at.selectbox(key=layout.DOWNLOAD_PICK).options == ["1 · I"]


def test_a_page_without_charts_has_no_panel():
    at = saving_on(run_app(PAGES["train"], mode="tutorial"))  # stops before any chart
    assert "Save charts and numbers" not in [s.value for s in at.sidebar.subheader]


def test_the_panel_follows_the_language_and_names_every_file_after_the_page():
    assert (ROOT / "ui" / "downloads.py").read_text(encoding="utf-8").count("import streamlit") == 0
    at = saving_on(run_app(PAGES["add-norm"], lang="pt"))
    assert "Salvar gráficos e números" in [s.value for s in at.sidebar.subheader]
    options = at.selectbox(key=layout.DOWNLOAD_PICK).options
    assert len(options) == len(charts(at)) and options[0] == "1 · x + MultiHead(x)"
    assert [b.proto.label for b in at.get("download_button")][-1] == "Todas as matrizes (zip)"
