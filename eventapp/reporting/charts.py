"""Plotly figures for the national report, built from the same rows as its table.

The page embeds each figure as JSON and static/js/charts.js draws it with the plotly.js the app
serves itself; the table on the page holds every number for readers without script or sight.
"""

import json
import re
from functools import cache
from importlib.resources import files

from flask_babel import gettext as _

from eventapp.grants.services import nok
from eventapp.reporting.services import NationalReport

BLUE = "#0b5394"  # the app's brand colour
ORANGE = "#b35900"  # 4.5:1 on white, and told apart from the blue without colour vision
BAR_HEIGHT = 30


@cache
def plotlyjs_path() -> str:
    return str(files("plotly") / "package_data" / "plotly.min.js")


@cache
def plotlyjs_version() -> str:
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


# When loaded, the bundle puts the map library's CSS (maplibre) into an inline <style>, unless an
# element with the id it looks for is already on the page. The CSP refuses that inline CSS (and
# says so in the console), and bar charts do not need it: the page carries an empty element with
# each such id instead.
_INLINE_STYLE = re.compile(
    rb'getElementById\("([0-9a-f]{16,})"\)\)\{var \w+=document\.createElement\("style"\)')


@cache
def plotlyjs_inline_style_ids() -> tuple[str, ...]:
    with open(plotlyjs_path(), "rb") as f:
        return tuple(dict.fromkeys(m.decode() for m in _INLINE_STYLE.findall(f.read())))


def _layout(rows: int, groups: int, x_title: str, largest: int) -> dict:
    # No title inside the chart: the page's <figcaption> names it, for everyone alike.
    return {
        "template": "none",
        # Norwegian numbers: decimal comma, a space between thousands.
        "separators": ",\u00a0",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                 "size": 13, "color": "#1b1f24"},
        "height": (110 if groups > 1 else 80) + rows * BAR_HEIGHT * groups,
        # Room above the bars for the legend, when there is one.
        "margin": {"l": 10, "r": 20, "t": 40 if groups > 1 else 10, "b": 50, "pad": 4},
        "xaxis": {"title": {"text": x_title}, "rangemode": "tozero", "gridcolor": "#c9ced6",
                  "zerolinecolor": "#4a5260", "automargin": True, "fixedrange": True,
                  "tickformat": ",d",
                  # Whole numbers only: with small or no values plotly would tick 0.2, 0.4 ...
                  # and print them rounded as "0 0 0 1 1 1".
                  **({"dtick": 1, "range": [0, max(largest, 1)]} if largest < 5 else {})},
        # First county on top, as in the table.
        "yaxis": {"autorange": "reversed", "automargin": True, "fixedrange": True,
                  "type": "category"},
        "bargap": 0.25,
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"},
        "showlegend": groups > 1,
        "hovermode": "closest",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }


def _json(figure) -> dict:
    # Through plotly's own encoder, so whatever it adds becomes plain JSON for the page.
    return json.loads(figure.to_json())


def participants_chart(report: NationalReport) -> dict:
    import plotly.graph_objects as go

    names = [row.county.name for row in report.rows]
    values = [row.line.participants for row in report.rows]
    figure = go.Figure(
        data=[go.Bar(x=values, y=names, orientation="h", name=_("Participants attended"),
                     marker={"color": BLUE}, text=values, textposition="auto",
                     hovertemplate="%{y}: %{x:,d}<extra></extra>")],
        layout=_layout(len(names), 1, _("Participants"), max(values, default=0)),
    )
    summary = "; ".join(f"{n}: {v}" for n, v in zip(names, values, strict=True))
    return {"figure": _json(figure),
            "caption": _("Participants attended per county, %(year)d", year=report.year),
            "label": _("Bar chart of participants attended per county. %(summary)s.",
                       summary=summary)}


def spend_chart(report: NationalReport) -> dict:
    import plotly.graph_objects as go

    names = [row.county.name for row in report.rows]
    granted = [row.line.granted_nok for row in report.rows]
    spent = [row.line.spent_nok for row in report.rows]
    kr = _("kr")
    figure = go.Figure(
        data=[
            go.Bar(x=granted, y=names, orientation="h", name=_("Granted"),
                   marker={"color": BLUE},
                   hovertemplate="%{y}: %{x:,d} " + kr + "<extra>" + _("Granted") + "</extra>"),
            go.Bar(x=spent, y=names, orientation="h", name=_("Spent"),
                   marker={"color": ORANGE},
                   hovertemplate="%{y}: %{x:,d} " + kr + "<extra>" + _("Spent") + "</extra>"),
        ],
        layout={**_layout(len(names), 2, _("NOK"), max(granted + spent, default=0)),
                "barmode": "group"},
    )
    summary = "; ".join(_("%(county)s: granted %(granted)s, spent %(spent)s", county=n,
                          granted=nok(g), spent=nok(s))
                        for n, g, s in zip(names, granted, spent, strict=True))
    return {"figure": _json(figure),
            "caption": _("Granted and spent per county, %(year)d (NOK)", year=report.year),
            "label": _("Bar chart of kroner granted and spent per county. %(summary)s.",
                       summary=summary)}


def national_charts(report: NationalReport) -> list[dict]:
    """The figures for the page, each with an id and a text alternative."""
    if not report.rows:
        return []
    return [{"id": "chart-participants", **participants_chart(report)},
            {"id": "chart-spend", **spend_chart(report)}]
