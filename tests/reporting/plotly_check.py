"""The chart pages build their figures as plain dicts (eventapp/reporting/charts.py), not with
plotly's graph objects; plotly's own validators still check every one of them here."""

import json
import re
from html import unescape

FIGURE = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)


def assert_plotly_accepts(html: str) -> dict[str, dict]:
    """Every chart figure on the page, each passed through ``plotly.graph_objects.Figure``: an
    unknown property or a value of the wrong kind raises, and a figure that plotly would
    change (coerce a value, drop a None) fails the comparison. Returns {id: figure}."""
    import plotly.graph_objects as go

    figures = {name: json.loads(unescape(text)) for name, text in FIGURE.findall(html)}
    assert figures, "no chart on the page"
    for name, figure in figures.items():
        checked = json.loads(go.Figure(figure).to_json())
        # plotly adds its default template; plotly.js draws without one.
        checked["layout"].pop("template")
        assert checked == figure, name
    return figures
