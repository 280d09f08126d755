"""The grant decision letter and the printed programme as PDFs: the decision's figures and the
year's rule, the programme's titles and times; each refused where its page is. The fetcher
behind every document serves the static folder and nothing else, never the network."""

import asyncio
import shutil
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from eventapp.documents import charts, pdf
from eventapp.gatherings.models import ProgrammeItem
from tests.documents.conftest import decide_grant, fonts_embedded, pdf_reader, pdf_text
from tests.surveys.conftest import add_items


def test_the_decision_letter_has_the_decision_and_the_rule(db, world, as_user):
    g, host = world["gathering"], world["host"]
    client = as_user(host)
    url = f"/gatherings/{g.id}/grant/decision.pdf"
    assert client.get(url).status_code == 404  # nothing decided: no letter
    decide_grant(db, g, host, world["directorate"], planned=60, applied=230_000,
                 granted=212_500, comment="Vilkår: samlingen holdes som planlagt.")
    assert 'data-link="decision-pdf"' in client.get(f"/gatherings/{g.id}/grant").get_data(
        as_text=True)
    started = time.perf_counter()
    response = client.get(url)
    print(f"decision letter rendered in {time.perf_counter() - started:.2f} s")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="tilskuddsvedtak-vestland-2027.pdf"'
    reader = pdf_reader(response.data)
    text = pdf_text(reader)
    assert len(reader.pages) == 1
    assert ("HK-dir innvilger Vestland 212 500 kroner av de 230 000 kronene det er søkt om, "
            "til samlingen «Vestlandssamlinga».") in text
    assert "Søkt om 230 000" in text and "Innvilget 212 500" in text
    assert "Planlagt antall deltakere 60" in text
    assert "4 000 × 60 = 240 000" in text
    assert "Vilkår: samlingen holdes som planlagt." in text
    # The year's rule, as the grant page words it.
    assert "Tilskuddet er høyst 4 000 kroner per deltaker som møtte." in text
    assert "sjekket inn minst én dag" in text and "Innledere telles ikke som deltakere." in text
    assert reader.metadata["/Title"] == "Vedtak om tilskudd: Vestlandssamlinga"
    assert reader.trailer["/Root"]["/Lang"] == "nb"
    assert all(embedded for _name, embedded in fonts_embedded(reader))

    for who, status in (("outsider", 404), ("contact", 403)):
        assert as_user(world[who]).get(url).status_code == status


def test_the_programme_pdf_has_every_item_and_follows_the_print_page(db, world, as_user,
                                                                      client):
    g = world["gathering"]
    items = add_items(db, g, kinds=("talk", "panel"))
    removed = db.session.get(ProgrammeItem, items[1].id)
    from eventapp.core.time import utcnow

    removed.cancelled_at = utcnow()
    g.status = "draft"
    db.session.commit()
    url = f"/gatherings/{g.id}/programme.pdf"
    # A draft is for those signed in (as its printable page); anyone once published.
    assert client.get(url).status_code == 302
    assert client.get(f"/gatherings/{g.id}/programme/print").status_code == 302
    g.status = "held"
    db.session.commit()
    started = time.perf_counter()
    response = client.get(url)
    print(f"programme rendered in {time.perf_counter() - started:.2f} s")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="program-vestland-2027.pdf"'
    assert "private" in response.headers["Cache-Control"]
    text = pdf_text(pdf_reader(response.data))
    assert "09:00–09:45 Post 1: talk" in text
    assert "Post 2: panel" not in text  # removed from the programme
    assert "Dag 1 · onsdag 10. mars 2027" in text
    assert client.get("/gatherings/999999/programme.pdf").status_code == 404
    page = as_user(world["host"]).get(f"/gatherings/{g.id}/programme").get_data(as_text=True)
    assert 'data-link="programme-pdf"' in page


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a document tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_fetcher_serves_static_files_only_and_never_the_network(app, no_network, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = ('<html lang="nb"><head><title>T</title>'
            f'<link rel="stylesheet" href="{pdf.asset("css/print-pdf.css")}">'
            f'<link rel="stylesheet" href="{secret.as_uri()}"></head><body>'
            '<p>Hei</p><img src="http://example.com/x.png" alt="x">'
            '<img src="https://example.com/y.svg" alt="y"></body></html>')
    with app.test_request_context():
        fetcher = pdf.fetcher()
        data = pdf.render(html, url_fetcher=fetcher)
    assert fetcher.refused == [secret.as_uri(), "http://example.com/x.png",
                               "https://example.com/y.svg"]
    assert "Hei" in pdf_text(pdf_reader(data))
    with app.test_request_context(), pytest.raises(ValueError):
        pdf.fetcher().fetch("file:///etc/passwd")
    with app.test_request_context():
        served = pdf.fetcher().fetch(pdf.asset("vendor/inter/files/inter-latin-400-normal.woff2"))
    # Unpacked once to TrueType, so WeasyPrint does not unpack it for every document.
    assert served.read()[:4] == b"\x00\x01\x00\x00"


def test_charts_without_a_chromium_leave_a_note_not_an_error(app, monkeypatch):
    async def no_browser(figures):
        raise RuntimeError("no Chromium here")

    monkeypatch.setattr(charts, "_draw", no_browser)
    figure = charts.responses_figure(
        {"responses_personal": 3, "responses_qr": 1, "invitations": 9},
        {"personal": "a", "qr": "b", "silent": "c", "axis": "d"})
    assert charts.svg_images([figure]) == [None]
    assert charts.svg_images([]) == []


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="kaleido draws with the system Chromium")
def test_charts_draw_where_an_event_loop_already_runs(app):
    """As under Playwright's sync API in the full suite, or an async server: asyncio.run in
    that thread would refuse, and the report went out without its charts."""
    figure = charts.responses_figure(
        {"responses_personal": 3, "responses_qr": 1, "invitations": 9},
        {"personal": "a", "qr": "b", "silent": "c", "axis": "d"})

    async def inside_a_running_loop():
        return charts.svg_images([figure])

    # The loop runs in a thread of the test's own: this worker's main thread may hold
    # Playwright's already, where the test could not start one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        [image] = pool.submit(asyncio.run, inside_a_running_loop()).result()
    assert image is not None and image.startswith("data:image/svg+xml;base64,")
