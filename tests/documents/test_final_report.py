"""The final report as a PDF/A: read back with pypdf, its figures are the report page's and
the ones worked out by hand from the rows; its metadata, language and fonts make it fit to file.

PDF rendering is slow, so one test renders the report and checks all of it; the access tests
are refused before anything renders."""

import re
import shutil
import time

from tests.documents.conftest import (
    fonts_embedded,
    html_of,
    page_figures,
    pdf_reader,
    pdf_text,
)


def _spaced(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_the_report_pdf_has_the_pages_figures_and_is_pdfa(db, reported, as_user):
    g, host = reported["gathering"], reported["host"]
    client = as_user(host)
    page = page_figures(html_of(client.get(f"/gatherings/{g.id}/report")))
    started = time.perf_counter()
    response = client.get(f"/gatherings/{g.id}/report.pdf")
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="sluttrapport-vestland-2027.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    print(f"final report rendered in {seconds:.2f} s")

    reader = pdf_reader(response.data)
    text = pdf_text(reader)

    # By hand from the rows: 20 municipal staff on both days, a county employee on day 1
    # only (the rule is any day), one on both, a partner: 23; the speaker and the one who never
    # came are not counted. Spent 150 000 + 60 000; ceiling 4 000 × 23 = 92 000 below the
    # 250 000 granted, all of it spent: keep 92 000, repay 158 000; 210 000 / 23 = 9 130.
    assert page["participants"] == "23" and page["granted"] == "250 000"
    assert page["spent"] == "210 000" and page["per-participant"] == "9 130"
    assert page["repay"] == "158 000" and page["ceiling"] == "92 000"
    assert "Deltakere etter regelen 23" in text
    assert "Ansatt i kommune 20" in text and "Ansatt i fylkeskommunen 2" in text
    assert "Partnere 1" in text
    assert f"Tilskuddstak (4 000 × 23) {page['ceiling']}" in text
    assert f"Innvilget {page['granted']}" in text
    assert f"Brukt {page['spent']}" in text
    assert f"Per deltaker {page['per-participant']}" in text
    assert f"Tilbakebetaling {page['repay']}" in text
    assert "Tilbakebetaling i alt 158 000" in text
    assert "Lokaler og rom 160 000 150 000" in text and "Måltider 70 000 60 000" in text
    assert "Totalt 230 000 210 000" in text

    # The survey: 6 of the invited answered by their link, 4 by the QR code; of the 10 who
    # answered the question, 5 fully and 4 partly agree: 90 %.
    invited = reported["invited"]
    assert page["survey-rate"] == _spaced(f"{round(600 / invited)} %")
    assert page["survey-qr"] == "4" and page["agree-cooperation"] == "90 %"
    assert f"Svarprosent (6 av {invited} inviterte) {page['survey-rate']}" in text
    assert "Svart via QR-koden 4" in text
    assert "(9 av 10) 90 %" in text

    # The programme as held, the follow-up action, the texts and the approval.
    for clock, title in (("09:00–09:45", "Post 1: talk"), ("10:00–10:45", "Post 2: panel"),
                         ("11:00–11:45", "Post 3: group_work")):
        assert f"{clock} {title}" in text
    assert "Karrieresenteret setter opp booking av veiledning" in text
    assert "Vi følger opp kommunene i mai." in text and "Godt oppmøte." in text
    assert re.search(rf"Godkjent av {re.escape(reported['directorate'].name)} \d", text)

    # Charts as images, their labels drawn into the page (where a Chromium can draw them).
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        assert "Svarte via sin lenke" in text and "Invitert, ikke svart" in text
        assert "Diagrammet kunne ikke tegnes" not in text

    # Pages: as many as the footer counts.
    total = int(re.search(r"Side 1 av (\d+)", text).group(1))
    assert len(reader.pages) == total >= 2

    # Fit to file: PDF/A-3b, Norwegian, titled and authored, every font embedded (Inter).
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nb"
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    info = reader.metadata
    assert info["/Title"] == "Sluttrapport: Vestlandssamlinga"
    assert info["/Author"] == "Vestland"
    assert info["/CreationDate"].startswith("D:20")
    fonts = fonts_embedded(reader)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert {name.split("+")[-1].split("-")[0] for name, _e in fonts} == {"Inter"}


def test_the_report_pdf_is_refused_as_the_page_is(db, world, as_user, client):
    g = world["gathering"]
    url = f"/gatherings/{g.id}/report.pdf"
    for who, status in (("outsider", 404), ("contact", 403)):
        assert as_user(world[who]).get(url).status_code == status
        assert as_user(world[who]).get(f"/gatherings/{g.id}/report").status_code == status
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    assert as_user(world["host"]).get("/gatherings/999999/report.pdf").status_code == 404
