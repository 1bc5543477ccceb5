"""Checks over a page's DOM that axe-core cannot make: every chart has its numbers in a table,
and no status is told by colour alone. The journey's ``look`` runs them on every page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from playwright.sync_api import Page

# A number as a table prints it ("83.3%", "2.45", "12"); a date's "-11" is not negative.
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
# Tables round to one or two decimals; the figures keep more.
ROUNDING = 0.05 + 1e-9

CHARTS = """() => [...document.querySelectorAll(".chart")].map((chart) => {
    const data = document.getElementById(chart.id + "-figure");
    const table = data && data.nextElementSibling;
    return {
        id: chart.id,
        figure: data ? data.textContent : null,
        table: table && table.tagName === "TABLE" ? table.innerText : null,
    };
})"""

# Each kind of element that carries a status, and the words it must show besides its colour.
COLOUR_SIGNALS = """() => {
    const problems = [];
    const text = (element) => element.textContent.replace(/\\s+/g, " ").trim();
    const check = (selector, words, why) => {
        for (const element of document.querySelectorAll(selector)) {
            if (!words.test(text(element))) {
                problems.push(`${selector}: "${text(element).slice(0, 80)}" ${why}`);
            }
        }
    };
    check(".flash-error", /^Error:/, "is an error by colour only");
    check(".flash-warning", /^Warning:/, "is a warning by colour only");
    check(".field-invalid .error, .form-errors, p.error, span.error", /\\S/, "is empty");
    check(".field-invalid", /Error:/, "is invalid by colour only");
    check("tr.failed", /Failed/, "has failed by colour only");
    check(".tag, .tag-warning, .tag-review", /\\S/, "is an empty coloured tag");
    for (const field of document.querySelectorAll("[aria-invalid=true]")) {
        const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        const said = ids.map((id) => text(document.getElementById(id) || document.body)).join(" ");
        if (!/Error:/.test(said)) problems.push(`#${field.id} is invalid but says no error`);
    }
    return problems;
}"""


def assert_status_not_by_colour_alone(page: Page) -> None:
    """Marked statuses say so in words; a chart's series differ in more than colour."""
    problems = page.evaluate(COLOUR_SIGNALS)
    for chart in page.evaluate(CHARTS):
        figure = json.loads(chart["figure"])
        looks = series_looks(figure)
        if len(set(looks)) < len(looks):
            problems.append(f"#{chart['id']}: series told apart by colour alone: {looks}")
        for trace in figure["data"]:
            if trace.get("type") == "heatmap" and not trace.get("texttemplate"):
                problems.append(f"#{chart['id']}: heat map cells show their value by colour only")
    assert not problems, f"{page.url}: status by colour alone:\n" + "\n".join(problems)


def series_looks(figure: dict[str, Any]) -> list[tuple[object, ...]]:
    """Each data series' look besides its colour: kind, bar pattern, line dash, marker."""
    looks = []
    for trace in figure["data"]:
        if trace.get("hoverinfo") == "skip" or trace.get("type") not in ("bar", "scatter"):
            continue
        marker = trace.get("marker", {})
        pattern = marker.get("pattern", {}).get("shape")
        looks.append(
            (trace["type"], pattern, trace.get("line", {}).get("dash"), marker.get("symbol"))
        )
    return looks


def assert_charts_have_tables(page: Page) -> int:
    """Each chart is followed by a table holding every value and category it draws; returns
    how many charts the page has."""
    charts = page.evaluate(CHARTS)
    for chart in charts:
        where = f"{page.url} #{chart['id']}"
        assert chart["figure"], f"{where}: the chart has no figure data"
        assert chart["table"], f"{where}: no table follows the chart"
        numbers, labels = figure_values(json.loads(chart["figure"]))
        printed = [float(match) for match in NUMBER.findall(chart["table"])]
        missing = [n for n in numbers if not any(abs(n - p) <= ROUNDING for p in printed)]
        assert not missing, f"{where}: the table lacks the chart's numbers {missing}"
        unnamed = sorted({label for label in labels if label not in chart["table"]})
        assert not unnamed, f"{where}: the table does not name {unnamed}"
    return len(charts)


def figure_values(figure: dict[str, Any]) -> tuple[list[float], list[str]]:
    """The numbers and category names a Plotly figure shows. Values on an axis with tick
    labels count as those labels; hidden axes and traces without hover (lines drawn only to
    connect markers) carry no data; a trace's text labels are data."""
    layout = figure.get("layout", {})
    numbers: list[float] = []
    labels: list[str] = []
    for trace in figure["data"]:
        if trace.get("hoverinfo") == "skip":
            continue
        for letter in ("x", "y", "z"):
            axis = layout.get(_axis_key(letter, trace.get(f"{letter}axis", letter)), {})
            if axis.get("visible") is False:
                continue
            ticks = dict(zip(axis.get("tickvals", []), axis.get("ticktext", []), strict=True))
            for value in _flat(trace.get(letter)):
                shown = ticks.get(value, value)
                if isinstance(shown, str):
                    labels.append(shown)
                elif isinstance(shown, int | float) and not isinstance(shown, bool):
                    numbers.append(float(shown))
        if isinstance(trace.get("text"), list):
            labels += [text for text in _flat(trace["text"]) if isinstance(text, str)]
    return numbers, labels


def _axis_key(letter: str, reference: str) -> str:
    """A trace's axis reference ("x", "y2") as its layout key ("xaxis", "yaxis2")."""
    return f"{letter}axis{reference[1:]}"


def _flat(values: Any) -> Iterator[Any]:
    if isinstance(values, list):
        for value in values:
            yield from _flat(value)
    elif values is not None:
        yield values
