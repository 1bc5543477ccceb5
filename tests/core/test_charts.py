"""The house style every figure shares."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from intrapreneur.core.charts import GRID, HOUSE_LAYOUT, embeddable, styled


def test_series_differ_in_more_than_colour_unless_the_chart_chose_a_look() -> None:
    figure = styled(
        go.Figure(
            [
                go.Bar(x=["a"], y=[1]),
                go.Bar(x=["a"], y=[2]),
                go.Scatter(x=["a"], y=[1], mode="lines+markers"),
                go.Scatter(x=["a"], y=[2], line={"dash": "dot"}, marker={"symbol": "x"}),
            ]
        ),
        "Title",
    )

    first, second, line, chosen = figure.data
    assert {first.marker.pattern.shape, second.marker.pattern.shape} == {"", "/"}
    assert (line.line.dash, line.marker.symbol) == ("dot", "diamond")
    assert (chosen.line.dash, chosen.marker.symbol) == ("dot", "x")


def test_the_house_layout_is_valid_plotly_and_lies_under_what_a_chart_chose() -> None:
    go.Layout(HOUSE_LAYOUT)  # Plotly refuses an unknown or ill-typed property here

    figure = styled(go.Figure(go.Bar(x=["a"], y=[1])), "Title")
    figure.update_layout(height=600, xaxis={"title": {"text": "Month"}})
    layout = json.loads(embeddable(figure))["layout"]

    assert layout["title"]["text"] == "Title"
    assert layout["height"] == 600  # the chart's own choice wins
    assert layout["xaxis"] == {**GRID, "title": {"text": "Month"}}  # nested settings merge
    assert layout["yaxis"] == GRID and layout["plot_bgcolor"] == "white"
    assert "template" not in layout or layout["template"] == {}  # no Plotly template sent
