"""The house style every figure shares."""

from __future__ import annotations

import plotly.graph_objects as go

from intrapreneur.core.charts import styled


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
