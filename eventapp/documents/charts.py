"""Charts for the documents as static SVG: the same plotly figures as the pages build, drawn by
plotly's own export (kaleido 1.x), which drives the system Chromium (/usr/bin/chromium).

kaleido fetches nothing here: plotly.js comes from the installed plotly package and MathJax,
which it would otherwise load from a CDN, is switched off. It never downloads a Chrome of its own
unless asked to (``kaleido.get_chrome``, which the app never calls). Without a Chromium the
document still renders, with each chart's figures in its table and a note in place of the
image."""

import asyncio
import base64
import logging
from concurrent.futures import ThreadPoolExecutor

from eventapp.core import numbers
from eventapp.reporting import charts as page_charts

log = logging.getLogger(__name__)

# The documents' font, so the charts' text is embedded like the rest (PDF/A).
FONT = "Inter, sans-serif"
WIDTH = 640  # px at 96 per inch: the text column of an A4 page with 2 cm margins


def _print_ready(figure) -> None:
    """Inter, the page's width, and room for the labels on the left measured by their length:
    Chromium measures them in a font of its own (it has no Inter), so plotly's automargin
    would cut them once WeasyPrint sets them in Inter."""
    labels = [str(label) for trace in figure.data for label in (trace.y or ())]
    longest = max((len(line) for label in labels for line in label.split("<br>")), default=0)
    figure.update_layout(font={"family": FONT, "size": 12}, width=WIDTH)
    figure.update_yaxes(automargin=False)
    figure.update_layout(margin={"l": 16 + 7 * longest})


async def _draw(figures: list) -> list[bytes]:
    import kaleido

    out = []
    async with kaleido.Kaleido(mathjax=False, timeout=60) as k:
        for figure in figures:
            out.append(await k.calc_fig(figure, opts={"format": "svg"}))
    return out


def svg_images(figures: list) -> list[str | None]:
    """Each plotly figure as a data: URL of its SVG, all drawn by one browser; ``None`` for
    each when no Chromium can draw them (the reason is logged)."""
    if not figures:
        return []
    for figure in figures:
        _print_ready(figure)
    try:
        # In a thread of its own: asyncio.run refuses a thread whose event loop runs already
        # (an async server, or Playwright's sync API in the tests), and kaleido is async only.
        with ThreadPoolExecutor(max_workers=1) as pool:
            drawn = pool.submit(asyncio.run, _draw(figures)).result()
    except Exception:  # no Chromium, or it failed: the document goes out without images
        log.warning("document charts: Chromium could not draw them", exc_info=True)
        return [None] * len(figures)
    return ["data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
            for svg in drawn]


def agreement_figure(agreement: list[dict]):
    """The share who agree fully or partly per national agreement question, from the report's
    survey figures (as the report page lists them)."""
    import plotly.graph_objects as go

    shares = [numbers.whole_percent(q["agree_share"]) if q["agree_share"] is not None else 0
              for q in agreement]
    labels = [page_charts._wrap(q["text"], 40) for q in agreement]
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    layout = page_charts._layout(len(labels), 1, "", 100)
    layout["xaxis"].update({"range": [0, 100], "dtick": 20, "ticksuffix": "\u00a0%"})
    layout["margin"]["r"] = 40
    layout["height"] = 80 + len(labels) * max(page_charts.BAR_HEIGHT, lines * 16 + 8)
    return go.Figure(
        data=[go.Bar(x=shares, y=labels, orientation="h", marker={"color": page_charts.BLUE},
                     text=[f"{s}\u00a0%" for s in shares], textposition="auto")],
        layout=layout)


def responses_figure(survey: dict, labels: dict[str, str]):
    """Who answered: by personal link, by the QR code, and the invited who did not."""
    import plotly.graph_objects as go

    rows = [(labels["personal"], survey["responses_personal"]),
            (labels["qr"], survey["responses_qr"]),
            (labels["silent"], max(survey["invitations"] - survey["responses_personal"], 0))]
    values = [v for _label, v in rows]
    return go.Figure(
        data=[go.Bar(x=values, y=[label for label, _v in rows], orientation="h",
                     marker={"color": page_charts.BLUE}, text=values, textposition="auto")],
        layout=page_charts._layout(len(rows), 1, labels["axis"], max(values, default=0)))
