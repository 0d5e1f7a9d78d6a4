"""The SVG chart builder: well-formed XML with no inline style or script (our CSP), values where
they belong, gaps that break lines, escaped labels, stable output and the odd inputs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment, FileSystemLoader

from spa_app.charts import FONT, Series, bar_chart, line_chart
from tests.conftest import PROJECT_ROOT

NS = "{http://www.w3.org/2000/svg}"
NASTY = "Neck <b>& \"shoulders\"</b> 'x' ]]> \x00\x07"
WEEKS = ["Intake", "Week 1", "Week 2", "Week 3"]
MARKERS = ("circle", "rect", "polygon")


def scores(*series: Series, **kw) -> ET.Element:
    kw = {"x_labels": WEEKS, "y_label": "Score", "title": "Scores", "description": "By week"} | kw
    return ET.fromstring(str(line_chart(list(series), **kw)))


def bars(data, **kw) -> ET.Element:
    kw = {"y_label": "Done", "title": "Adherence", "description": "Per week"} | kw
    return ET.fromstring(str(bar_chart(data, **kw)))


def points(svg: ET.Element) -> list[ET.Element]:
    return [e for e in svg.iter() if e.get("class") == "point" and not _in_legend(svg, e)]


def _in_legend(svg: ET.Element, element: ET.Element) -> bool:
    return any(element in list(g) for g in svg.iter(f"{NS}g") if "legend" in g.get("class", ""))


def centre(marker: ET.Element) -> tuple[float, float]:
    if marker.tag == f"{NS}circle":
        return float(marker.get("cx")), float(marker.get("cy"))
    if marker.tag == f"{NS}rect":
        return (
            float(marker.get("x")) + float(marker.get("width")) / 2,
            float(marker.get("y")) + float(marker.get("height")) / 2,
        )
    xs, ys = zip(*(map(float, p.split(",")) for p in marker.get("points").split()), strict=True)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def plot_edges(svg: ET.Element) -> tuple[float, float]:
    """The y of the x axis (bottom) and of the top gridline, from the axis path and the grid."""
    grid = [float(line.get("y1")) for line in svg.iter(f"{NS}line") if line.get("class") == "grid"]
    return max(grid), min(grid)


def assert_csp_safe(svg: ET.Element) -> None:
    for element in svg.iter():
        assert element.tag not in (f"{NS}style", f"{NS}script", "style", "script")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)


def test_values_map_to_the_plot_edges_and_the_middle():
    svg = scores(Series("Neck", [(0, 0), (1, 5), (2, 10)]))
    bottom, top = plot_edges(svg)
    ys = [centre(m)[1] for m in points(svg)]
    assert ys == pytest.approx([bottom, (bottom + top) / 2, top], abs=0.1)
    xs = [centre(m)[0] for m in points(svg)]
    assert xs[0] < xs[1] < xs[2] and xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)


def test_ticks_are_round_numbers_across_the_range():
    labels = [t.text for t in scores(Series("Neck", [(0, 3)])).iter(f"{NS}text")]
    assert [label for label in labels if label in {"0", "2", "4", "6", "8", "10"}] == [
        "0", "2", "4", "6", "8", "10"
    ]  # fmt: skip


def test_a_gap_splits_the_line_and_a_lone_point_is_only_a_marker():
    svg = scores(Series("Neck", [(0, 4), (1, 5), (2, None), (3, 6)]))
    lines = list(svg.iter(f"{NS}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2
    assert len(points(svg)) == 3
    svg = scores(Series("Neck", [(0, 4), (1, None), (2, 5), (3, 6)]))
    assert [len(p.get("points").split()) for p in svg.iter(f"{NS}polyline")] == [2]
    svg = scores(Series("A", [(0, 1), (1, 2), (2, None), (3, 3)]), Series("B", [(0, 2), (3, 4)]))
    assert len(list(svg.iter(f"{NS}polyline"))) == 2


def test_points_series_draw_markers_only():
    svg = scores(Series("Visits", [(0, 4), (1, 5)], kind="points"))
    assert len(points(svg)) == 2 and not list(svg.iter(f"{NS}polyline"))
    with pytest.raises(ValueError):
        Series("Visits", [], kind="bars")


def test_series_differ_by_dash_and_marker_shape_not_only_colour():
    svg = scores(*(Series(f"S{i}", [(0, i), (1, i + 1)]) for i in range(4)))
    groups = [g for g in svg.iter(f"{NS}g") if g.get("class", "").startswith("series ")]
    dashes = [g.find(f"{NS}polyline").get("stroke-dasharray") for g in groups]
    shapes = [(m.tag, len(m.get("points", "").split())) for m in (g[1] for g in groups)]
    assert len(set(dashes)) == 4 and len(set(shapes)) == 4
    assert [g.get("class") for g in groups] == [f"series series-{i}" for i in range(1, 5)]


def test_title_and_description_name_the_chart():
    svg = scores(Series("Neck", [(0, 3)]), title="Pain & stiffness", description="From intake")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{NS}title").get("id") == title_id
    assert svg.find(f"{NS}title").text == "Pain & stiffness"
    assert svg.find(f"{NS}desc").get("id") == desc_id
    assert svg.find(f"{NS}desc").text == "From intake"


def test_each_marker_says_its_series_week_and_value():
    svg = scores(Series("Neck", [(1, 7)]))
    assert [m.find(f"{NS}title").text for m in points(svg)] == ["Neck, Week 1: 7"]


def test_nasty_labels_are_escaped_everywhere():
    svg = scores(
        Series(NASTY, [(0, 3)]), x_labels=[NASTY], y_label=NASTY, title=NASTY, description=NASTY
    )
    clean = NASTY.replace("\x00", "").replace("\x07", "")
    assert svg.find(f"{NS}title").text == clean
    assert svg.find(f"{NS}desc").text == clean
    assert clean in [t.text for t in svg.iter(f"{NS}text")]
    assert not svg.findall(f".//{NS}b")
    bar = bars([(NASTY, 3)])
    assert bar.find(f".//{NS}rect/{NS}title").text == f"{clean}: 3"
    assert_csp_safe(bar)


def test_no_style_or_script_anywhere():
    assert_csp_safe(scores(*(Series(f"S{i}", [(0, 1), (1, None), (2, 3)]) for i in range(7))))
    assert_csp_safe(bars([("Jan", 1), ("Feb", None)]))
    assert "style" not in str(line_chart([], x_labels=[], y_label="", title="", description=""))


def test_same_input_same_output_and_different_charts_get_different_ids():
    first = line_chart([Series("Neck", [(0, 3), (1, 4)])], x_labels=WEEKS, y_label="S",
                       title="A", description="d")  # fmt: skip
    again = line_chart([Series("Neck", [(0, 3), (1, 4)])], x_labels=WEEKS, y_label="S",
                       title="A", description="d")  # fmt: skip
    other = line_chart([Series("Hips", [(0, 3), (1, 4)])], x_labels=WEEKS, y_label="S",
                       title="A", description="d")  # fmt: skip
    assert first == again
    ids = [ET.fromstring(str(svg)).get("id") for svg in (first, other)]
    assert ids[0] != ids[1]
    assert scores(Series("N", [(0, 1)]), chart_id="progress").get("aria-labelledby") == (
        "progress-title progress-desc"
    )


@pytest.mark.parametrize(
    "svg",
    [
        lambda: scores(),
        lambda: scores(Series("Neck", [(0, None), (1, None)])),
        lambda: scores(x_labels=[]),
        lambda: bars([]),
        lambda: bars([("Week 1", None)]),
    ],
)
def test_no_data_says_so(svg):
    chart = svg()
    assert "No data yet" in [t.text for t in chart.iter(f"{NS}text")]
    assert not points(chart) and not list(chart.iter(f"{NS}polyline"))


def test_one_series_with_one_point_sits_in_the_middle():
    svg = scores(Series("Neck", [(0, 6)]), x_labels=["Intake"])
    [marker] = points(svg)
    box_left = float(svg.find(f"{NS}path").get("d")[1:].split()[0])
    width = float(svg.get("viewBox").split()[2])
    assert centre(marker)[0] == pytest.approx((box_left + width - 4) / 2, abs=0.1)
    assert not list(svg.iter(f"{NS}polyline"))


def test_x_may_be_a_date_ordinal_between_labelled_ticks():
    svg = scores(Series("Neck", [(739000, 4), (739007, 5), (739003.5, 6)]),
                 x_labels=[(739000, "1 Dec"), (739007, "8 Dec")])  # fmt: skip
    xs = [centre(m)[0] for m in points(svg)]
    assert xs[2] == pytest.approx((xs[0] + xs[1]) / 2, abs=0.1)
    assert [p.get("points").count(",") for p in svg.iter(f"{NS}polyline")] == [3]


@pytest.mark.parametrize("value", [-1, 10.5, float("nan"), float("inf")])
def test_a_value_off_the_axis_is_refused_not_clamped(value):
    with pytest.raises(ValueError):
        scores(Series("Neck", [(0, value)]))
    with pytest.raises(ValueError):
        bars([("Week 1", value)], y_max=10)


def test_bars_reach_their_value_and_label_it():
    svg = bars([("Week 1", 50), ("Week 2", 100), ("Week 3", None)], y_max=100,
               value_format=lambda v: f"{v:.0f}%")  # fmt: skip
    bottom, top = plot_edges(svg)
    rects = [r for r in svg.iter(f"{NS}rect") if r.get("class") == "bar"]
    assert [float(r.get("y")) for r in rects] == pytest.approx([(bottom + top) / 2, top], abs=0.1)
    assert [float(r.get("y")) + float(r.get("height")) for r in rects] == pytest.approx(
        [bottom, bottom], abs=0.1
    )
    values = [t.text for t in svg.iter(f"{NS}text") if t.get("class") == "value"]
    assert values == ["50%", "100%", "\u2013"]
    assert [r.find(f"{NS}title").text for r in rects] == ["Week 1: 50%", "Week 2: 100%"]


def test_bars_without_a_maximum_round_the_largest_up():
    svg = bars([("Jan", 4120), ("Feb", 9120)])
    ticks = [t.text for t in svg.iter(f"{NS}text") if t.get("class") == "tick"]
    assert ticks[:6] == ["0", "2000", "4000", "6000", "8000", "10000"]


def test_crowded_labels_are_thinned_not_overlapped():
    labels = [f"Week {i}" for i in range(30)]
    svg = scores(Series("Neck", [(i, 5) for i in range(30)]), x_labels=labels)
    shown = [t for t in svg.iter(f"{NS}text") if t.text in labels]
    xs = [float(t.get("x")) for t in shown]
    assert 2 <= len(shown) < 30
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= len("Week 10") * FONT * 0.5


def test_the_macro_puts_the_same_numbers_in_a_table():
    env = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates"), autoescape=True)
    env.globals["_"] = lambda text, **kw: text % kw
    macro = env.get_template("_macros/charts.html").module.chart_with_table
    svg = bar_chart([("Week 1", 50)], y_label="Done", title="Adherence", description="Per week")
    html = str(
        macro(svg, "Adherence <per week>", ["Week", "Done"], [["Week 1", "50%"], ["W2", None]])
    )
    figure = ET.fromstring(html.replace("–", "-"))
    assert figure.find(f"{NS}svg") is not None
    assert figure.find("figcaption").text == "Adherence <per week>"
    assert [th.get("scope") for th in figure.iter("th")] == ["col", "col", "row", "row"]
    assert [td.text for td in figure.iter("td")] == ["50%", "-"]


@st.composite
def random_series(draw) -> list[Series]:
    value = st.one_of(st.none(), st.floats(0, 10), st.integers(0, 10))
    label = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
    return [
        Series(draw(label), draw(st.lists(st.tuples(st.integers(-5, 40), value), max_size=25)))
        for _ in range(draw(st.integers(0, 7)))
    ]


@settings(max_examples=150, deadline=None)
@given(random_series(), st.lists(st.text(max_size=12), max_size=20))
def test_any_series_parse_and_get_one_marker_per_value(series, labels):
    svg = scores(*series, x_labels=labels)
    assert_csp_safe(svg)
    assert len(points(svg)) == sum(y is not None for s in series for _x, y in s.points)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=20), st.one_of(st.none(), st.floats(0, 1e6))), max_size=30)
)
def test_any_bars_parse_and_draw_one_bar_per_value(data):
    data = list(data)
    svg = bars(data)
    assert_csp_safe(svg)
    assert len([r for r in svg.iter(f"{NS}rect") if r.get("class") == "bar"]) == sum(
        v is not None for _label, v in data
    )
