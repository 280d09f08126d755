"""Plotly figures for the national report, built from the same rows as its table.

The page embeds each figure as JSON and static/js/charts.js draws it with the plotly.js the app
serves itself; the table on the page holds every number for readers without script or sight.
"""

import os
import re
from functools import cache
from importlib.util import find_spec

from flask_babel import gettext as _

from eventapp.core import numbers
from eventapp.grants.services import nok
from eventapp.reporting.services import NationalReport

BLUE = "#0b5394"  # the app's brand colour
ORANGE = "#b35900"  # 4.5:1 on white, and told apart from the blue without colour vision
BAR_HEIGHT = 30


# plotly.js among the app's static files (core/assets.py gives it a hashed name and compressed
# copies: 4.8 MB, about 1.4 MB as gzip). The package ships it and a larger widget bundle only:
# plotly.min.js is the smallest bundle, and its partial bundles are not in the package.
PLOTLYJS = "vendor/plotly/plotly.min.js"


@cache
def plotlyjs_path() -> str:
    # Found without importing plotly, which the app start does not need.
    package = find_spec("plotly").submodule_search_locations[0]
    return os.path.join(package, "package_data", "plotly.min.js")


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


def bar(**properties) -> dict:
    """A bar trace as plotly.js takes it. The figures are plain dicts, not plotly's
    graph_objects: building and validating those took a third of a chart page's time, and
    tests/reporting/test_charts.py checks every figure against plotly's validators instead."""
    return {"type": "bar", **properties}


def plot(traces: list[dict], layout: dict) -> dict:
    return {"data": traces, "layout": layout}


def _texts(values) -> list[str]:
    # As plotly's validator gives them: a bar's text is a string.
    return [str(v) for v in values]


def participants_chart(report: NationalReport) -> dict:
    names = [row.county.name for row in report.rows]
    values = [row.line.participants for row in report.rows]
    figure = plot(
        [bar(x=values, y=names, orientation="h", name=_("Participants attended"),
              marker={"color": BLUE}, text=_texts(values), textposition="auto",
              hovertemplate="%{y}: %{x:,d}<extra></extra>")],
        _layout(len(names), 1, _("Participants"), max(values, default=0)))
    summary = "; ".join(f"{n}: {v}" for n, v in zip(names, values, strict=True))
    return {"figure": figure,
            "caption": _("Participants attended per county, %(period)s",
                         period=report.period.label),
            "label": _("Bar chart of participants attended per county. %(summary)s.",
                       summary=summary)}


def spend_chart(report: NationalReport) -> dict:
    names = [row.county.name for row in report.rows]
    granted = [row.line.granted_nok for row in report.rows]
    spent = [row.line.spent_nok for row in report.rows]
    kr = _("kr")
    figure = plot(
        [
            bar(x=granted, y=names, orientation="h", name=_("Granted"),
                marker={"color": BLUE},
                hovertemplate="%{y}: %{x:,d} " + kr + "<extra>" + _("Granted") + "</extra>"),
            bar(x=spent, y=names, orientation="h", name=_("Spent"),
                marker={"color": ORANGE},
                hovertemplate="%{y}: %{x:,d} " + kr + "<extra>" + _("Spent") + "</extra>"),
        ],
        {**_layout(len(names), 2, _("NOK"), max(granted + spent, default=0)),
         "barmode": "group"})
    summary = "; ".join(_("%(county)s: granted %(granted)s, spent %(spent)s", county=n,
                          granted=nok(g), spent=nok(s))
                        for n, g, s in zip(names, granted, spent, strict=True))
    return {"figure": figure,
            "caption": _("Granted and spent per county, %(period)s (NOK)",
                         period=report.period.label),
            "label": _("Bar chart of kroner granted and spent per county. %(summary)s.",
                       summary=summary)}


# --- survey results -------------------------------------------------------------------------

# The agreement scale from agree to disagree: blue through grey to orange, told apart by
# lightness as well as hue (safe for the common colour-vision deficiencies); "vet ikke" last,
# pale and hatched, so it never reads as a step on the scale.
AGREEMENT_COLOURS = {
    "helt_enig": BLUE,
    "delvis_enig": "#6fa8dc",
    "noytral": "#bcc2ca",
    "delvis_uenig": "#f0a35e",
    "helt_uenig": ORANGE,
    "vet_ikke": "#eef0f3",
}
# A bar shorter than this (in %) has its figure outside: there is no room in it for "100 %".
INSIDE_MIN = 12
LABEL_WIDTH = 28  # characters per line in a bar's label, so long ones wrap on a phone


def _wrap(label: str, width: int = LABEL_WIDTH) -> str:
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def percent(share) -> str:
    return numbers.percent(share, "")


def agreement_chart(result: dict, chart_id: str) -> dict:
    """One stacked bar: each step of the scale a segment, in the scale's order."""
    options = result["options"]
    traces = [bar(x=[o["count"]], y=[""], orientation="h", name=o["label"],
                  marker={"color": AGREEMENT_COLOURS[o["value"]],
                          "line": {"color": "#4a5260", "width": 1},
                          **({"pattern": {"shape": "/", "fgcolor": "#8a919c"}}
                             if o["value"] == "vet_ikke" else {})},
                  text=_texts([o["count"] or ""]), textposition="inside", insidetextanchor="middle",
                  hovertemplate=o["label"] + ": %{x}<extra></extra>")
              for o in options]
    layout = _layout(1, 1, _("Responses"), result["answered"])
    # The legend names the segments beneath the bar, in the scale's order.
    layout.update({"barmode": "stack", "showlegend": True, "height": 190,
                   "margin": {"l": 10, "r": 20, "t": 10, "b": 90, "pad": 4},
                   "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.45,
                              "yanchor": "top", "traceorder": "normal"},
                   "uniformtext": {"minsize": 11, "mode": "hide"}})
    del layout["xaxis"]["title"]
    figure = plot(traces, layout)
    summary = "; ".join(f"{o['label']}: {o['count']}" for o in options)
    return {"id": chart_id, "figure": figure,
            "label": _("Bar chart of the answers on the scale. %(summary)s.", summary=summary)}


def choice_chart(result: dict, chart_id: str) -> dict:
    """Bars by count, most chosen on top (results() sorts them)."""
    options = result["options"]
    labels = [_wrap(o["label"]) for o in options]
    counts = [o["count"] for o in options]
    # Bars are spaced evenly, so every row needs room for the longest wrapped label.
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    layout = _layout(len(labels), 1, _("Responses"), max(counts, default=0))
    layout["height"] = 80 + len(labels) * max(BAR_HEIGHT, lines * 16 + 8)
    figure = plot(
        [bar(x=counts, y=labels, orientation="h", marker={"color": BLUE},
              text=_texts(counts), textposition="auto", hovertemplate="%{x}<extra></extra>")],
        layout)
    summary = "; ".join(f"{o['label']}: {o['count']}" for o in options)
    return {"id": chart_id, "figure": figure,
            "label": _("Bar chart of how many chose each option. %(summary)s.", summary=summary)}


def survey_charts(figures: dict) -> dict[int, dict]:
    """{question id: chart} for the questions with options; none when suppressed."""
    charts = {}
    for result in figures["questions"]:
        chart_id = f"chart-q{result['question_id']}"
        if result["kind"] == "agreement" and result["answered"]:
            charts[result["question_id"]] = agreement_chart(result, chart_id)
        elif "options" in result and result["answered"] and result["options"]:
            charts[result["question_id"]] = choice_chart(result, chart_id)
    return charts


def national_agreement_chart(question: dict, chart_id: str) -> dict | None:
    """The agree share per county (counties with enough responses), the national figure a
    dashed line across."""
    shown = [r for r in question["counties"]
             if not r["suppressed"] and r["agree_share"] is not None]
    if not shown and question.get("agree_share") is None:
        return None
    names = [r["county_name"] for r in shown]
    shares = [numbers.whole_percent(r["agree_share"]) for r in shown]
    layout = _layout(max(len(names), 1), 1, _("Agree fully or partly (%)"), 100)
    layout["xaxis"].update({"range": [0, 100], "dtick": 20, "ticksuffix": "\u00a0%"})
    layout["margin"]["r"] = 40  # room for the "100 %" tick
    # Each figure in white inside its bar, which covers the national line drawn beneath the
    # bars: the two never cross. A bar too short to hold its figure has it just outside.
    inside = [s >= INSIDE_MIN for s in shares]
    figure = plot(
        [bar(x=shares, y=names, orientation="h", name=_("County"),
             marker={"color": BLUE}, text=[f"{s}\u00a0%" for s in shares],
             textposition=["inside" if i else "outside" for i in inside],
             insidetextanchor="end", cliponaxis=False,
             textfont={"color": ["#ffffff" if i else "#1b1f24" for i in inside]},
             hovertemplate="%{y}: %{x}\u00a0%<extra></extra>")],
        layout)
    national = question.get("agree_share")
    if national is not None:
        value = national * 100
        layout["shapes"] = [{"type": "line", "x0": value, "x1": value, "y0": 0, "y1": 1,
                             "yref": "paper", "layer": "below",
                             "line": {"color": ORANGE, "width": 3, "dash": "dash"}}]
        layout["annotations"] = [{"x": value, "y": 1, "yref": "paper", "yanchor": "bottom",
                                  "showarrow": False, "font": {"color": ORANGE},
                                  "text": _("National: %(share)s", share=percent(national))}]
        layout["margin"]["t"] = 30
    summary = "; ".join(f"{n}: {s}\u00a0%" for n, s in zip(names, shares, strict=True))
    return {"id": chart_id, "figure": figure,
            "label": _("Bar chart of the share who agree fully or partly per county, the "
                       "national figure %(national)s as a line. %(summary)s.",
                       national=percent(national), summary=summary)}


def national_single_chart(question: dict, options: list[tuple[str, str]],
                          chart_id: str) -> dict | None:
    """Each option's share of a county's answers, stacked to 100 % per county: counties of
    different size compare (the table keeps the counts)."""
    shown = [r for r in question["counties"]
             if not r["suppressed"] and sum((r["counts"] or {}).values())]
    if not shown:
        return None
    names = [r["county_name"] for r in shown]
    totals = [sum(r["counts"].values()) for r in shown]
    palette = [BLUE, "#6fa8dc", ORANGE, "#bcc2ca"]
    traces = [bar(x=[r["counts"].get(value, 0) / n * 100 for r, n in zip(shown, totals,
                                                                         strict=True)],
                  y=names, orientation="h", name=label,
                  marker={"color": palette[i % len(palette)]},
                  customdata=[r["counts"].get(value, 0) for r in shown],
                  hovertemplate="%{y}: %{x:.0f}\u00a0% (%{customdata})<extra>" + label
                  + "</extra>")
              for i, (value, label) in enumerate(options)]
    layout = _layout(len(names), 2, _("Share of those who answered (%)"), 100)
    layout["xaxis"].update({"range": [0, 100], "dtick": 20, "ticksuffix": "\u00a0%"})
    layout["margin"]["r"] = 40  # room for the "100 %" tick
    layout.update({"barmode": "stack", "height": 150 + len(names) * BAR_HEIGHT})
    # The options in their own order, not reversed with the county axis.
    layout["legend"]["traceorder"] = "normal"
    figure = plot(traces, layout)
    summary = "; ".join(
        f"{r['county_name']}: " + ", ".join(f"{label} {percent(r['counts'].get(v, 0) / n)}"
                                             for v, label in options)
        for r, n in zip(shown, totals, strict=True))
    return {"id": chart_id, "figure": figure,
            "label": _("Bar chart of the share of each answer per county. %(summary)s.",
                       summary=summary)}


# --- who came, and the survey over a period ---------------------------------------------------

# Seven roles or kinds told apart by lightness as well as hue, the brand blue first.
PALETTE = [BLUE, "#6fa8dc", ORANGE, "#f0a35e", "#4a5260", "#bcc2ca", "#7b4f9d"]


def _stacked(names: list[str], series: list[tuple[str, list[int]]], x_title: str,
             colours=None) -> dict:
    """Horizontal bars, one per name, stacked from ``series`` (label, values per name)."""
    colours = colours or PALETTE
    traces = [bar(x=values, y=names, orientation="h", name=label,
                  marker={"color": colours[i % len(colours)]},
                  hovertemplate="%{y}: %{x:,d}<extra>" + label + "</extra>")
              for i, (label, values) in enumerate(series) if any(values)]
    largest = max((sum(v) for v in zip(*(s[1] for s in series), strict=True)), default=0) \
        if series and names else 0
    layout = _layout(len(names), 2, x_title, largest)
    layout.update({"barmode": "stack", "height": 150 + len(names) * BAR_HEIGHT})
    layout["legend"]["traceorder"] = "normal"
    return plot(traces, layout)


def roles_chart(report: NationalReport, role_labels: list[tuple[str, str]]) -> dict | None:
    rows = [r for r in report.rows if r.who is not None and r.who.attended]
    if not rows:
        return None
    names = [r.county.name for r in rows]
    series = [(label, [r.who.roles[role] for r in rows]) for role, label in role_labels]
    summary = "; ".join(
        f"{r.county.name}: " + ", ".join(f"{label} {r.who.roles[role]}"
                                           for role, label in role_labels if r.who.roles[role])
        for r in rows)
    return {"id": "chart-roles", "figure": _stacked(names, series, _("Participants")),
            "caption": _("Participants by role per county, %(period)s",
                         period=report.period.label),
            "label": _("Bar chart of participants by role per county. %(summary)s.",
                       summary=summary)}


def sizes_chart(report: NationalReport, sizes: list[tuple[str, str]]) -> dict | None:
    rows = [r for r in report.rows if r.who is not None and sum(r.who.size_people.values())]
    if not rows:
        return None
    names = [r.county.name for r in rows]
    series = [(label, [r.who.size_people[size] for r in rows]) for size, label in sizes]
    summary = "; ".join(
        f"{r.county.name}: " + ", ".join(f"{label} {r.who.size_people[size]}"
                                           for size, label in sizes)
        for r in rows)
    colours = [BLUE, "#6fa8dc", ORANGE, "#bcc2ca"]
    return {"id": "chart-sizes", "figure": _stacked(names, series, _("Participants"), colours),
            "caption": _("Municipal participants by the size class of their municipality, "
                         "%(period)s", period=report.period.label),
            "label": _("Bar chart of municipal participants by size class per county. "
                       "%(summary)s.", summary=summary)}


def national_charts(report: NationalReport, role_labels=None, sizes=None) -> list[dict]:
    """The figures for the page, each with an id and a text alternative."""
    if not report.rows:
        return []
    found = [{"id": "chart-participants", **participants_chart(report)},
             {"id": "chart-spend", **spend_chart(report)}]
    if role_labels:
        found.append(roles_chart(report, role_labels))
    if sizes:
        found.append(sizes_chart(report, sizes))
    return [c for c in found if c is not None]


def response_rate_chart(report: dict) -> dict | None:
    """Per county the share of invited who answered by their personal link."""
    shown = [r for r in report["response_rates"] if r["response_rate"] is not None]
    if not shown:
        return None
    names = [r["county_name"] for r in shown]
    shares = [numbers.whole_percent(r["response_rate"]) for r in shown]
    layout = _layout(len(names), 1, _("Response rate (%)"), 100)
    layout["xaxis"].update({"range": [0, 100], "dtick": 20, "ticksuffix": "\u00a0%"})
    layout["margin"]["r"] = 40
    figure = plot(
        [bar(x=shares, y=names, orientation="h", marker={"color": BLUE},
             text=[f"{s}\u00a0%" for s in shares], textposition="auto",
             customdata=[r["responses_qr"] for r in shown],
             hovertemplate="%{y}: %{x}\u00a0%<extra></extra>")],
        layout)
    summary = "; ".join(f"{n}: {s}\u00a0%" for n, s in zip(names, shares, strict=True))
    return {"id": "chart-response-rate", "figure": figure,
            "label": _("Bar chart of the response rate per county. %(summary)s.",
                       summary=summary)}


def national_split_chart(question: dict, chart_id: str) -> dict | None:
    """Every option's share of those who answered, stacked to 100 % per county, the nation
    first: the full split of an agreement or single-choice question."""
    rows = [("national", _("National"), question.get("options"))]
    rows += [(r["county_number"], r["county_name"], r.get("options"))
             for r in question["counties"] if not r["suppressed"] and r["answered"]]
    rows = [r for r in rows if r[2] and sum(o["count"] for o in r[2])]
    if not rows:
        return None
    names = [name for _key, name, _options in rows]
    options = rows[0][2]
    palette = ([AGREEMENT_COLOURS.get(o["value"], "#bcc2ca") for o in options]
               if question["kind"] == "agreement" else PALETTE)
    traces = []
    for i, option in enumerate(options):
        traces.append(bar(
            x=[(opts[i]["share"] or 0) * 100 for _k, _n, opts in rows], y=names,
            orientation="h", name=option["label"],
            marker={"color": palette[i % len(palette)], "line": {"color": "#4a5260", "width": 1},
                    **({"pattern": {"shape": "/", "fgcolor": "#8a919c"}}
                       if option["value"] == "vet_ikke" else {})},
            customdata=[opts[i]["count"] for _k, _n, opts in rows],
            hovertemplate="%{y}: %{x:.0f}\u00a0% (%{customdata})<extra>" + option["label"]
            + "</extra>"))
    layout = _layout(len(names), 2, _("Share of those who answered (%)"), 100)
    layout["xaxis"].update({"range": [0, 100], "dtick": 20, "ticksuffix": "\u00a0%"})
    layout["margin"]["r"] = 40
    layout.update({"barmode": "stack", "height": 170 + len(names) * BAR_HEIGHT})
    layout["legend"]["traceorder"] = "normal"
    figure = plot(traces, layout)
    summary = "; ".join(
        f"{name}: " + ", ".join(f"{o['label']} {percent(o['share'])}" for o in opts)
        for _k, name, opts in rows)
    return {"id": chart_id, "figure": figure,
            "label": _("Bar chart of the share of each answer, nationally and per county. "
                       "%(summary)s.", summary=summary)}


def national_survey_charts(report: dict) -> dict[str, dict]:
    """{key: chart} for the national survey page: the response rate, and per agreement
    question the agree share and the full split, per single-choice question its split."""
    out = {}
    if (chart := response_rate_chart(report)) is not None:
        out["response-rate"] = chart
    for question in report["questions"]:
        code = question["code"]
        if question["kind"] == "agreement":
            chart = national_agreement_chart(question, f"chart-{code}")
            if chart is not None:
                out[code] = chart
            split = national_split_chart(question, f"chart-{code}-split")
            if split is not None:
                out[f"{code}-split"] = split
        elif question["kind"] == "single":
            options = [(o["value"], o["label"]) for o in _split_options(question)]
            chart = national_single_chart(question, options, f"chart-{code}")
            if chart is not None:
                out[code] = chart
    return out


def _split_options(question: dict) -> list[dict]:
    if question.get("options"):
        return question["options"]
    return next((r["options"] for r in question["counties"] if r.get("options")), [])
