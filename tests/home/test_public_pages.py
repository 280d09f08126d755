"""The accessibility statement and the privacy notice: public, in Norwegian, linked from every
page's footer and from the forms a participant fills; and the vendored Designsystemet assets."""

import re
from pathlib import Path

import pytest

from eventapp.registration.services import RegistrationData, register
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"


def test_accessibility_statement_is_public_and_norwegian(client, db):
    response = client.get("/accessibility")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Tilgjengelighetserklæring</h1>" in html
    # Uutilsynet's parts: status, known deviations, how it was tested, feedback.
    for heading in ("Status for samsvar", "Kjente avvik", "Slik har vi testet",
                    "Tilbakemelding og kontakt"):
        assert heading in html
    assert 'href="https://www.uutilsynet.no/"' in html


def test_privacy_notice_states_the_retention_rule(client, db):
    response = client.get("/privacy")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Personvernerklæring for deltakere" in html
    for heading in ("Hva vi lagrer", "Hvorfor", "Hvor lenge", "Hvem ser det",
                    "Se, endre eller slette opplysningene"):
        assert heading in html
    # The purge rule as the code has it: until the final report is approved; a reminder after
    # the directorate's months (6 unless set).
    assert "sluttrapport" in html
    assert "6 måneder" in html


def test_contact_address_becomes_the_feedback_link(app, client, db):
    app.config["CONTACT_EMAIL"] = "tilbakemelding@example.no"
    html = client.get("/accessibility").get_data(as_text=True)
    assert 'href="mailto:tilbakemelding@example.no?subject=' in html
    html = client.get("/privacy").get_data(as_text=True)
    assert 'href="mailto:tilbakemelding@example.no?subject=' in html


@pytest.mark.parametrize("url", ["/", "/account/login", "/accessibility", "/privacy"])
def test_footer_links_to_both_pages(client, db, url):
    html = client.get(url).get_data(as_text=True)
    footer = html[html.index('<footer'):]
    assert re.search(r'<a href="/accessibility">Tilgjengelighetserklæring</a>', footer)
    assert re.search(r'<a href="/privacy">Personvernerklæring</a>', footer)


def test_footer_links_when_signed_in(client, make_user, make_gathering):
    host = make_user("county_host", county="46")
    make_gathering(county="46")
    login(client, host.email)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/accessibility"' in html and 'href="/privacy"' in html


def test_participant_forms_link_the_privacy_notice(client, db, open_gathering):
    html = client.get(f"/gatherings/{open_gathering.id}/register").get_data(as_text=True)
    form = html[html.index('<form method="post" novalidate'):]
    assert '<a href="/privacy">Slik behandler vi personopplysningene dine</a>' in form


def test_own_registration_pages_link_the_privacy_notice(client, db, open_gathering):
    reg = register(open_gathering, RegistrationData(
        name="Kari Nordmann", email="kari@kommune.example", organisation_kind="municipality",
        municipality_number="4601", role="programme_adviser"), channel="public_link")
    db.session.commit()
    for url in (f"/registration/{reg.manage_token}", f"/registration/{reg.manage_token}/edit"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<a href="/privacy">Slik behandler vi personopplysningene dine</a>' in (
            response.get_data(as_text=True)), url


def test_vendored_assets_are_there_with_their_licences():
    assert (VENDOR / "README.md").is_file()
    readme = (VENDOR / "README.md").read_text()
    for package in ("@digdir/designsystemet-css", "@digdir/designsystemet-theme", "@fontsource/inter"):
        assert package in readme
    for name in ("designsystemet-css", "designsystemet-theme", "inter"):
        assert (VENDOR / name / "LICENSE").is_file()
    assert "MIT" in (VENDOR / "designsystemet-css" / "LICENSE").read_text()
    assert "SIL OPEN FONT LICENSE" in (VENDOR / "inter" / "LICENSE").read_text().upper()
    css = (VENDOR / "designsystemet-css" / "index.css").read_text()
    assert ".ds-error-summary" in css and ".ds-button" in css
    theme = (VENDOR / "designsystemet-theme" / "designsystemet.css").read_text()
    assert "--ds-color-accent-base-default" in theme
    fonts = (VENDOR / "inter" / "inter.css").read_text()
    for url in re.findall(r"url\(([^)]+)\)", fonts):
        assert (VENDOR / "inter" / url).is_file(), url
    assert (ROOT / "scripts" / "update-vendor.sh").is_file()


def test_no_external_urls_for_styles_fonts_or_scripts(client, db):
    """Nothing loads from a CDN: no page links an external stylesheet or script, and no vendored
    or own stylesheet imports or points at anything outside the app (data: URIs only)."""
    for url in ("/", "/account/login", "/accessibility", "/privacy"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r'<(link|script)[^>]+(href|src)="(https?:)?//', html), url
    for sheet in list((ROOT / "static").rglob("*.css")):
        text = sheet.read_text()
        assert not re.search(r"@import", text), sheet
        for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            assert not re.match(r"(https?:)?//", target), (sheet, target)
