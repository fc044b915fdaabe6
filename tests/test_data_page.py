"""The Data page: its plain functions (playground.logic.data) and the page itself through AppTest."""

import warnings
from pathlib import Path

import numpy as np
import pytest
from plotly_json import page_figures
from rendered import shown
from streamlit.testing.v1 import AppTest

from playground.core import session
from playground.figures import data as data_figures
from playground.logic import data as datainfo
from playground.ui import upload
from scratchnet.data import MAX_COLUMNS, DataError, Dataset, load_boston, load_dataset, make_sine

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LIMIT = 5 * 2**20  # server.maxUploadSize in .streamlit/config.toml, in bytes
SVG_TRACES = {"bar", "heatmap", "scatter"}


@pytest.fixture(scope="module")
def boston():
    return load_boston()


def wide_data(n=60, d=40, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X[:, [5]] * 2 - X[:, [17]] + 0.1 * rng.standard_normal((n, 1))
    return Dataset("wide", X, y, [f"f{j}" for j in range(d)], "t")


# ----- statistics -------------------------------------------------------------------------
def test_summary_table_matches_numpy_for_every_column_target_included(boston):
    table = datainfo.summary(boston)
    values = np.hstack([boston.X, boston.y])
    assert list(table.index) == [*boston.feature_names, "MEDV"]
    assert list(table.columns) == ["mean", "std", "min", "25%", "50%", "75%", "max"]
    assert np.allclose(table["mean"], values.mean(axis=0))
    assert np.allclose(table["std"], values.std(axis=0, ddof=1))
    assert np.allclose(table["min"], values.min(axis=0)) and np.allclose(table["max"], values.max(axis=0))
    for q, column in ((25, "25%"), (50, "50%"), (75, "75%")):
        assert np.allclose(table[column], np.percentile(values, q, axis=0))
    assert table.loc["MEDV", "max"] == 50.0 and table.loc["CHAS", "50%"] == 0.0


def test_correlation_matrix_includes_the_target_and_matches_corrcoef(boston):
    names, matrix = datainfo.correlation(boston)
    assert names[-1] == "MEDV" and matrix.shape == (14, 14)
    assert np.allclose(matrix, np.corrcoef(np.hstack([boston.X, boston.y]), rowvar=False))
    assert np.allclose(np.diag(matrix), 1.0)
    assert matrix[-1, names.index("LSTAT")] < -0.7 and matrix[-1, names.index("RM")] > 0.6
    assert datainfo.best_feature(boston) == "LSTAT"


def test_a_constant_column_has_no_correlation_and_no_warning():
    X = np.column_stack([np.arange(12.0), np.full(12, 4.0)])
    data = Dataset("c", X, np.arange(12.0).reshape(-1, 1) ** 2, ["a", "flat"], "y")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, matrix = datainfo.correlation(data)
    assert np.isnan(matrix[1]).all() and np.isnan(matrix[:, 1]).all()
    assert np.isfinite(matrix[np.ix_([0, 2], [0, 2])]).all()


@pytest.mark.parametrize("n", [10, 506, 20_000])
def test_histogram_counts_sum_to_the_row_count(n):
    y = np.random.default_rng(n).gamma(2.0, size=(n, 1))
    counts, edges = datainfo.histogram(y)
    assert counts.sum() == n and len(edges) == len(counts) + 1 <= datainfo.MAX_BINS + 1
    bars = data_figures.target_histogram(y, "t")["data"][0]
    assert bars["type"] == "bar" and bars["y"].sum() == n
    assert np.allclose(bars["x"], (edges[:-1] + edges[1:]) / 2)


@pytest.mark.parametrize("n, shown", [(300, 300), (1000, 1000), (5000, 1000)])
def test_scatter_is_capped_at_1000_points_of_real_rows(n, shown):
    data = make_sine(n=n, seed=1)
    fig = data_figures.feature_scatter(data.X[:, 0], data.y, "x", "y")
    points = fig["data"][0]
    assert points["type"] == "scatter" and len(points["x"]) == len(points["y"]) == shown
    rows = {(a, b) for a, b in zip(data.X[:, 0], data.y[:, 0], strict=True)}
    assert all((a, b) in rows for a, b in zip(points["x"], points["y"], strict=True))
    assert ("1000 of" in fig["layout"]["title"]["text"]) == (n > 1000)


def test_heatmap_keeps_the_target_and_its_strongest_features_when_there_are_many_columns():
    names, matrix = datainfo.correlation(wide_data())
    fig = data_figures.correlation_heatmap(names, matrix)
    trace = fig["data"][0]
    assert trace["type"] == "heatmap" and len(trace["x"]) == datainfo.MAX_HEATMAP
    assert trace["x"][-1] == "t" and {"f5", "f17"} <= set(trace["x"])
    assert trace["z"].shape == (datainfo.MAX_HEATMAP, datainfo.MAX_HEATMAP)
    assert "25 of 41 columns" in fig["layout"]["title"]["text"]


def test_every_figure_uses_svg_traces_only(boston):
    figs = [
        data_figures.target_histogram(boston.y, "MEDV"),
        data_figures.correlation_heatmap(*datainfo.correlation(boston)),
        data_figures.feature_scatter(boston.X[:, 0], boston.y, "CRIM", "MEDV"),
    ]
    assert {t["type"] for f in figs for t in f["data"]} == SVG_TRACES


# ----- texts and the shared feature selection ------------------------------------------------
@pytest.mark.parametrize("name", ["boston", "diabetes", "sine"])
def test_every_built_in_column_has_a_meaning(name):
    data = load_dataset(name)
    table = datainfo.column_table(name, data, None)
    assert list(table["column"]) == [*data.feature_names, data.target_name]
    assert list(table["role"])[-1] == "target" and table["used"].all()
    assert not any("your CSV" in m for m in table["meaning"])
    assert datainfo.about(name, data) == datainfo.SOURCES[name]


def test_the_b_note_says_what_b_encodes_and_what_scikit_learn_did():
    note = datainfo.B_NOTE
    assert "(Bk − 0.63)²" in note and "Black residents" in note
    assert "deprecated" in note and "1.0" in note and "removed it in 1.2" in note


def test_set_features_writes_the_playground_selection_and_drops_its_widget(boston):
    names = boston.feature_names
    state = {"features": None, "_features_0": list(names), "preset": "book-deep"}
    datainfo.set_features(state, [n for n in names if n != "B"], names)
    assert state["features"] == [n for n in names if n != "B"]
    assert "_features_0" not in state and session.features_key(state) == "_features_1"
    assert state["preset"] == "custom"
    datainfo.set_features(state, list(reversed(names)), names)
    assert state["features"] is None
    with pytest.raises(TypeError):
        datainfo.set_features(state, "B", names)


def test_the_same_file_twice_keeps_its_name_and_different_data_gets_a_new_one():
    first = make_sine(n=20, seed=1)
    uploads = {}
    assert datainfo.add_upload(uploads, first) == "sine"
    assert datainfo.add_upload(uploads, make_sine(n=20, seed=1)) == "sine"
    assert datainfo.add_upload(uploads, make_sine(n=20, seed=2)) == "sine-2"
    assert list(uploads) == ["sine", "sine-2"] and uploads["sine-2"].name == "sine-2"


# ----- uploads --------------------------------------------------------------------------------
def rows_csv(header="a,b,y", rows=20, cell=lambda i: f"{i},{i % 3},{2 * i + i % 5}"):
    return "\n".join([header] + [cell(i) for i in range(rows)]).encode()


GOOD = rows_csv()
BAD_CSVS = {
    "empty": (b"", "the file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "binary data"),
    "latin-1": (("a,b,y\n" + "\n".join(f"{i},caf\xe9,{i}" for i in range(20))).encode("latin-1"), "not UTF-8"),
    "one column": (rows_csv("y", cell=str), "at least one feature column, it has 1 column"),
    "semicolons": (rows_csv("a;b;y", cell=lambda i: f"{i};{i};{i}"), "separate the columns with commas"),
    "unnamed column": (rows_csv(",b,y"), "column 1 has no name"),
    "duplicate names": (rows_csv("a,a,y"), "duplicate column names: ['a']"),
    "too many columns": (
        rows_csv(",".join(f"c{j}" for j in range(MAX_COLUMNS + 1)), 12, lambda i: ",".join(["1"] * 501)),
        "501 columns; at most 500",
    ),
    "ragged row": (GOOD + b"\n1,2,3,4", "data row 21 has 4 values but the header names 3 columns"),
    "header only": (b"a,b,y\n", "a header but no data rows"),
    "single row": (b"a,b,y\n1,2,3\n", "a single data row"),
    "too few rows": (rows_csv(rows=5), "5 rows; at least 10 are needed"),
    "non-numeric": (rows_csv(cell=lambda i: f"{i},{'x' if i == 7 else i},{i}"), "non-numeric cell 'x' in data row 8"),
    "missing value": (rows_csv(cell=lambda i: f"{i},{'' if i == 3 else i},{i}"), "1 missing value(s), first in data"),
    "infinite value": (rows_csv(cell=lambda i: f"{i},{'inf' if i == 3 else i},{i}"), "'b' has an infinite value"),
    "constant target": (rows_csv(cell=lambda i: f"{i},{i % 2},7"), "'y' is constant"),
    "too large": (GOOD + b"\n" + b"1,2,3\n" * (LIMIT // 6 + 1), "the limit is 5 MB"),
}


def check_upload(content, target=None):
    columns = datainfo.read_upload(content, LIMIT)
    return datainfo.load_upload(content, columns[-1] if target is None else target, "mine.csv")


@pytest.mark.parametrize("case", list(BAD_CSVS))
def test_each_bad_csv_raises_one_data_error_naming_its_problem(case):
    content, message = BAD_CSVS[case]
    with pytest.raises(DataError) as info:
        check_upload(content)
    assert message in str(info.value)


def test_a_good_csv_loads_with_the_chosen_target():
    data = check_upload(GOOD, target="a")
    assert data.name == "mine" and data.feature_names == ["b", "y"] and data.target_name == "a"
    assert data.X.shape == (20, 2) and np.array_equal(data.y.ravel(), np.arange(20.0))


# ----- the page through AppTest -----------------------------------------------------------------
def open_data_page():
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.switch_page("pages/data.py").run()


def page_charts(at):
    figs = page_figures(at)
    return {f["layout"]["title"]["text"].split(" (")[0]: f for f in figs}


def test_data_page_opens_with_boston_and_shows_the_column_b_note():
    at = open_data_page()
    assert not at.exception and not at.error
    notes = [w.value for w in at.warning if "column B" in w.value]
    assert len(notes) == 1 and "load_boston" in notes[0] and "removed it in 1.2" in notes[0]
    assert [m.value for m in at.metric] == ["506", "13", "13", "MEDV"]
    figs = page_charts(at)
    assert int(np.asarray(figs["Distribution of the target MEDV"]["data"][0]["y"]).sum()) == 506
    assert figs["Correlations, target included"]["data"][0]["x"][-1] == "MEDV"
    scatter = figs["MEDV against LSTAT"]["data"][0]
    assert len(scatter["x"]) == 506 and {t["type"] for f in figs.values() for t in f["data"]} <= SVG_TRACES
    summary = next(d.value for d in at.dataframe if "mean" in d.value.columns)
    assert summary.loc["MEDV", "mean"] == pytest.approx(22.5328, abs=1e-4)
    at.selectbox(key="data_scatter").set_value("RM").run()
    assert "MEDV against RM" in page_charts(at)


def test_dropping_a_feature_on_the_data_page_reaches_the_playground():
    at = open_data_page()
    names = at.session_state["run"].data.feature_names
    at.multiselect(key="data_features").unselect("B").run()
    kept = [n for n in names if n != "B"]
    assert not at.exception and at.session_state["features"] == kept
    assert at.session_state["preset"] == "custom"
    at.switch_page("pages/playground.py").run()
    assert not at.exception and not at.error
    assert at.multiselect(key=session.features_key(at.session_state)).value == kept
    assert at.session_state["run"].split.X_train.shape[1] == 12
    at.switch_page("pages/data.py").run()
    assert at.multiselect(key="data_features").value == kept and [m.value for m in at.metric][2] == "12"


@pytest.mark.parametrize("name, rows, features", [("diabetes", 442, 10), ("sine", 300, 1)])
def test_choosing_another_dataset_on_the_data_page_is_the_playgrounds_choice_too(name, rows, features):
    at = open_data_page()
    at.selectbox(key="data_dataset").set_value(name).run()
    assert not at.exception and not at.error and at.session_state["dataset"] == name
    assert not [w for w in at.warning if "column B" in w.value]
    assert [m.value for m in at.metric][:2] == [str(rows), str(features)]
    hist = next(f for t, f in page_charts(at).items() if t.startswith("Distribution"))
    assert int(np.asarray(hist["data"][0]["y"]).sum()) == rows
    at.switch_page("pages/playground.py").run()
    assert not at.exception and at.selectbox(key="dataset").value == name
    assert at.session_state["run"].data.X.shape == (rows, features)


def test_a_good_csv_uploaded_on_the_data_page_is_usable_everywhere():
    at = open_data_page()
    content = rows_csv("size,rooms,price", 40, lambda i: f"{50 + i},{1 + i % 4},{100 + 3 * i + 10 * (i % 4)}")
    at.file_uploader(key=upload.uploader_key(at.session_state)).set_value(("flats.csv", content, "text/csv")).run()
    assert not at.error and at.selectbox(key="csv_target").value == "price"
    at.selectbox(key="csv_target").set_value("size").run()
    assert any("40 rows, 2 feature(s), target size" in shown(s.value) for s in at.success)
    next(b for b in at.button if b.label == "Use this CSV").click().run()
    assert not at.exception and not at.error
    loaded = at.session_state["uploads"]["flats"]
    assert loaded.target_name == "size" and loaded.feature_names == ["rooms", "price"]
    assert at.session_state["dataset"] == "csv:flats" and at.session_state["features"] is None
    assert [m.value for m in at.metric] == ["40", "2", "2", "size"]
    assert at.selectbox(key="data_dataset").value == "csv:flats"
    at.switch_page("pages/playground.py").run()
    run = at.session_state["run"]
    assert not at.exception and run.data.feature_names == ["rooms", "price"] and run.split.X_train.shape == (28, 2)
    assert at.session_state["batch_size"] <= 28
    next(b for b in at.button if b.label == "Step").click().run()
    assert run.epoch == 1 and not at.exception


def test_bad_csvs_each_give_their_own_message_and_lose_nothing():
    at = AppTest.from_file(APP, default_timeout=60).run()
    next(b for b in at.button if b.label == "Step").click().run()
    run = at.session_state["run"]
    at.switch_page("pages/data.py").run()
    seen = set()
    for case, (content, message) in BAD_CSVS.items():
        uploader = at.file_uploader(key=upload.uploader_key(at.session_state))
        uploader.set_value((f"{case}.csv", content, "text/csv")).run()
        errors = [shown(e.value) for e in at.error]
        assert not at.exception, case
        assert len(errors) == 1 and message in errors[0] and f"{case}.csv" in errors[0], (case, errors)
        assert not any(b.label == "Use this CSV" for b in at.button), case
        seen.add(errors[0])
    assert len(seen) == len(BAD_CSVS) >= 8
    assert at.session_state["run"] is run and run.epoch == 1
    assert at.session_state["dataset"] == "boston" and not at.session_state["uploads"]
    assert [m.value for m in at.metric][0] == "506"  # the page still describes Boston
    at.switch_page("pages/playground.py").run()
    assert not at.exception and at.session_state["run"] is run
    next(b for b in at.button if b.label == "Step").click().run()
    assert run.epoch == 2
