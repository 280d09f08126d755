"""Contacts: by hand and imported from CSV/XLSX with a preview of every row.

The issue's acceptance: a CSV with a bad email, an unknown municipality number and a duplicate
is previewed with each problem named, and importing it adds only the good rows.
"""

import html as htmllib
import io
import re

import pytest
from sqlalchemy import select

from eventapp.invitations.models import Contact
from tests.conftest import get_csrf, login

CONTACTS = "/gatherings/contacts"
IMPORT = "/gatherings/contacts/import"
CONFIRM = "/gatherings/contacts/import/confirm"


@pytest.fixture
def world(make_user, places):
    return {
        "host46": make_user("county_host", county="46", name="Vestland-vert"),
        "counsellor46": make_user("counsellor", county="46", name="Kari Karriere",
                                  municipalities=["4601", "4602"]),
        "contact4601": make_user("municipal_contact", county="46", municipality="4601"),
        "host11": make_user("county_host", county="11", name="Rogaland-vert"),
        "host03": make_user("county_host", county="03", name="Oslo-vert"),
        "directorate": make_user("directorate", county=None),
    }


def _contact(db, places, number="4601", email="kari@bergen.kommune.no", name="Kari Nordmann",
             role="leader", phone=None, active=True) -> Contact:
    unit = places.unit(number)
    contact = Contact(county_id=unit.county_id, municipality_id=unit.id, name=name, email=email,
                      role=role, phone=phone, active=active)
    db.session.add(contact)
    db.session.commit()
    return contact


def _all(db) -> list[Contact]:
    return db.session.scalars(select(Contact).order_by(Contact.id)).all()


def _upload(client, filename: str, content: bytes):
    token = get_csrf(client, IMPORT)
    return client.post(IMPORT, data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


ROW_RE = re.compile(r'<tr class="import-row[^"]*" id="row-(\d+)" data-action="(\w+)" '
                    r'data-reason="([^"]*)"')


def _rows(page: str) -> dict[int, tuple[str, str]]:
    """Row number in the file → (action, reason codes), as the preview shows them."""
    return {int(line): (action, reason) for line, action, reason in ROW_RE.findall(page)}


def _row_html(page: str, line: int) -> str:
    match = re.search(rf'<tr[^>]* id="row-{line}".*?</tr>', page, re.S)
    assert match, f"row {line} is not in the preview"
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", match.group(0)))


def _counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def _payload(page: str) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]*)"', page) or \
        re.search(r'type="hidden" name="payload" value="([^"]*)"', page) or \
        re.search(r'id="payload" name="payload" type="hidden" value="([^"]*)"', page)
    assert match, "no confirmation on the page"
    return htmllib.unescape(match.group(1))


def _confirm(client, payload: str):
    token = get_csrf(client, IMPORT)
    return client.post(CONFIRM, data={"csrf_token": token, "payload": payload})


def _error_beside(page: str, field: str) -> str:
    match = re.search(rf'<p class="error-message[^"]*"[^>]* id="{field}-error">([^<]*)</p>',
                      page)
    return htmllib.unescape(match.group(1)) if match else ""


# --- the acceptance ---------------------------------------------------------------------

ACCEPTANCE_CSV = (
    "municipality_number,name,email,role,phone\n"
    "4601,Kari Nordmann,kari@bergen.kommune.no,leader,55 56 00 00\n"
    "4602,Ola Nordmann,ola@@kinn,programme_adviser,\n"
    "9999,Per Ukjent,per@example.no,other,\n"
    "4601,Kari Igjen,KARI@Bergen.kommune.no,leader,\n"
    "4611,Lise Lund,lise@etne.kommune.no,,\n"
)


def test_preview_names_each_problem_and_import_adds_only_the_good_rows(client, world, db):
    client.set_cookie("lang", "en")
    login(client, world["host46"].email)
    response = _upload(client, "kontakter.csv", ACCEPTANCE_CSV.encode())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _rows(page) == {
        2: ("add", ""),
        3: ("refused", "bad_email"),
        4: ("refused", "unknown_municipality"),
        5: ("refused", "duplicate"),
        6: ("add", ""),
    }
    assert _counts(page) == {"add": 2, "change": 0, "unchanged": 0, "refused": 3}
    assert "“ola@@kinn” is not a valid email address." in _row_html(page, 3)
    assert "There is no municipality or district with number “9999”." in _row_html(page, 4)
    assert "Same municipality and email address as row 2" in _row_html(page, 5)
    # The preview saves nothing.
    assert _all(db) == []

    response = _confirm(client, _payload(page))
    assert response.status_code == 302
    saved = [(c.municipality.number, c.name, c.email, c.role, c.phone) for c in _all(db)]
    assert saved == [
        ("4601", "Kari Nordmann", "kari@bergen.kommune.no", "leader", "55 56 00 00"),
        ("4611", "Lise Lund", "lise@etne.kommune.no", "other", None),
    ]
    assert all(c.county_id == world["host46"].county_id and c.active for c in _all(db))
    listing = client.get(CONTACTS).get_data(as_text=True)
    assert "Kari Nordmann" in listing and "lise@etne.kommune.no" in listing

    # The same confirmation again adds nothing twice.
    _confirm(client, _payload(page))
    assert len(_all(db)) == 2


def test_semicolon_csv_with_bom_and_norwegian_headers(client, world, db):
    content = ("Kommunenummer;Navn;E-post;Rolle;Telefon\r\n"
               "4601;\"Nordmann; Åse\";ASE@bergen.kommune.no;Programrådgiver;+47 900 00 000\r\n"
               "4602;Øystein Ærlig;oystein@kinn.kommune.no;Leder;\r\n"
               ";;;;\r\n"
               "4611;Bjørn Annen;bjorn@etne.kommune.no;annen;\r\n")
    login(client, world["host46"].email)
    page = _upload(client, "kontakter.csv", content.encode("utf-8-sig")).get_data(as_text=True)
    # The empty line is not a row; row numbers are the spreadsheet's.
    assert _rows(page) == {2: ("add", ""), 3: ("add", ""), 5: ("add", "")}
    assert _confirm(client, _payload(page)).status_code == 302
    saved = [(c.municipality.number, c.name, c.email, c.role, c.phone) for c in _all(db)]
    assert saved == [
        ("4601", "Nordmann; Åse", "ase@bergen.kommune.no", "programme_adviser", "+47 900 00 000"),
        ("4602", "Øystein Ærlig", "oystein@kinn.kommune.no", "leader", None),
        ("4611", "Bjørn Annen", "bjorn@etne.kommune.no", "other", None),
    ]


def test_windows_1252_csv_from_plain_excel_is_read(client, world, db):
    content = "kommunenummer;navn;e-post\n4624;Bjørg Ås;bjorg@bjornafjorden.kommune.no\n"
    login(client, world["host46"].email)
    page = _upload(client, "kontakter.csv", content.encode("cp1252")).get_data(as_text=True)
    assert _rows(page) == {2: ("add", "")}
    _confirm(client, _payload(page))
    assert [c.name for c in _all(db)] == ["Bjørg Ås"]


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    # A second sheet is not read.
    book.create_sheet("Notes").append(["kommunenummer", "navn", "e-post"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_first_sheet_with_numbers_as_numbers(client, world, db):
    data = _xlsx([
        ["Municipality_Number", "Name", "EMAIL", "Role", "Phone"],
        [4601, "Kari Nordmann", "kari@bergen.kommune.no", "Leader", 55560000],
        [4602, "Ola Nordmann", "not-an-email", "other", None],
        [None, None, None, None, None],
        ["4602", "Nina Ny", "nina@kinn.kommune.no", "programme adviser", "91 23 45 67"],
    ])
    login(client, world["host46"].email)
    page = _upload(client, "Kontakter.XLSX", data).get_data(as_text=True)
    assert _rows(page) == {2: ("add", ""), 3: ("refused", "bad_email"), 5: ("add", "")}
    _confirm(client, _payload(page))
    saved = [(c.municipality.number, c.name, c.email, c.role, c.phone) for c in _all(db)]
    assert saved == [
        ("4601", "Kari Nordmann", "kari@bergen.kommune.no", "leader", "55560000"),
        ("4602", "Nina Ny", "nina@kinn.kommune.no", "programme_adviser", "91 23 45 67"),
    ]


def test_spreadsheet_dropped_leading_zero_of_oslo_numbers_is_restored(client, world, db):
    data = _xlsx([["kommunenummer", "navn", "e-post"],
                  [30101, "Gunn Gamle", "gunn@bga.oslo.kommune.no"],
                  [301, "Oline Oslo", "oline@oslo.kommune.no"]])
    login(client, world["host03"].email)
    page = _upload(client, "oslo.xlsx", data).get_data(as_text=True)
    assert _rows(page) == {2: ("add", ""), 3: ("add", "")}
    _confirm(client, _payload(page))
    assert [(c.municipality.number, c.municipality.kind) for c in _all(db)] == [
        ("030101", "district"), ("0301", "municipality")]


def test_existing_contact_is_shown_as_change_and_changed_and_the_same_is_skipped(
        client, world, db, places):
    kari = _contact(db, places, name="Kari N.", role="other", phone="11 22 33 44")
    ola = _contact(db, places, number="4602", email="ola@kinn.kommune.no", name="Ola Nordmann",
                   role="programme_adviser")
    content = ("kommunenummer,navn,e-post,rolle,telefon\n"
               "4601,Kari Nordmann,Kari@Bergen.Kommune.no,leder,\n"
               "4602,Ola Nordmann,ola@kinn.kommune.no,programrådgiver,\n"
               "4602,Ola Nordmann,ola@kinn.kommune.no,,\n")
    client.set_cookie("lang", "en")
    login(client, world["host46"].email)
    page = _upload(client, "k.csv", content.encode()).get_data(as_text=True)
    rows = _rows(page)
    assert rows[2] == ("change", "")
    assert rows[3] == ("unchanged", "")
    # The third row repeats the second (same municipality and address): refused as a duplicate.
    assert rows[4] == ("refused", "duplicate")
    change = _row_html(page, 2)
    assert "Kari N." in change and "Kari Nordmann" in change
    assert "Other" in change and "Leader of the refugee service" in change
    # An empty phone in the file keeps the known number: not listed as a change.
    assert "Phone" not in change
    assert _counts(page) == {"add": 0, "change": 1, "unchanged": 1, "refused": 1}

    assert _confirm(client, _payload(page)).status_code == 302
    db.session.refresh(kari)
    db.session.refresh(ola)
    assert (kari.name, kari.role, kari.phone) == ("Kari Nordmann", "leader", "11 22 33 44")
    assert (ola.name, ola.role) == ("Ola Nordmann", "programme_adviser")
    assert len(_all(db)) == 2


def test_deactivated_contact_is_not_brought_back_by_an_import(client, world, db, places):
    gone = _contact(db, places, active=False, name="Kari Gone")
    login(client, world["host46"].email)
    page = _upload(client, "k.csv", b"kommunenummer,navn,e-post\n4601,Kari Back,kari@bergen.kommune.no\n"
                   ).get_data(as_text=True)
    assert _rows(page) == {2: ("unchanged", "inactive_contact")}
    assert "payload" not in page  # nothing to confirm
    db.session.refresh(gone)
    assert (gone.active, gone.name) == (False, "Kari Gone")


def test_municipality_of_another_county_and_missing_name_are_refused(client, world, db):
    content = ("kommunenummer,navn,e-post,rolle\n"
               "1103,Stina Stavanger,stina@stavanger.kommune.no,leder\n"
               "4601,,tom@bergen.kommune.no,leder\n"
               "4601,Rolf Rolle,rolf@bergen.kommune.no,sjef\n"
               "4601,Gunnar God,gunnar@bergen.kommune.no,leder\n")
    client.set_cookie("lang", "en")
    login(client, world["host46"].email)
    page = _upload(client, "k.csv", content.encode()).get_data(as_text=True)
    assert _rows(page) == {2: ("refused", "other_county"), 3: ("refused", "missing_name"),
                           4: ("refused", "unknown_role"), 5: ("add", "")}
    assert "Stavanger (1103) is in another county." in _row_html(page, 2)
    assert "The name is missing." in _row_html(page, 3)
    _confirm(client, _payload(page))
    assert [c.email for c in _all(db)] == ["gunnar@bergen.kommune.no"]


@pytest.mark.parametrize(("filename", "content", "expected"), [
    ("kontakter.pdf", b"%PDF-1.4 kommunenummer,navn,e-post", "Choose a CSV file (.csv) or an Excel workbook"),
    ("kontakter.xlsx", b"kommunenummer,navn,e-post\n4601,A,a@b.no\n", "could not be read as an Excel"),
    ("kontakter.csv", b"kommune,navn,telefon\n4601,Kari,1234\n",
     "Missing: municipality number (kommunenummer), email (e-post)."),
    ("kontakter.csv", b"", "The file is empty."),
    ("kontakter.csv", b"\n \n", "The file is empty."),
    ("kontakter.csv", b"kommunenummer;navn;e-post\n", "column names but no contacts"),
    ("kontakter.csv", b"kommunenummer;navn;e-post\n" + b"4601;Kari;kari@bergen.no\n" * 5001,
     "more than 5000 rows"),
])
def test_unusable_files_are_refused_with_a_message_and_nothing_saved(client, world, db, filename,
                                                                      content, expected):
    client.set_cookie("lang", "en")
    login(client, world["host46"].email)
    response = _upload(client, filename, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert expected in _error_beside(page, "file")
    assert 'data-action="' not in page
    assert _all(db) == []


def test_no_file_chosen_is_refused_beside_the_field(client, world, db):
    login(client, world["host46"].email)
    response = client.post(IMPORT, data={"csrf_token": get_csrf(client, IMPORT)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert _error_beside(response.get_data(as_text=True), "file")


def _tamper(payload: str) -> str:
    # Flip one character in the middle of the signed data.
    middle = len(payload) // 2
    return payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1:]


def test_tampered_or_foreign_confirmation_is_refused_and_saves_nothing(client, world, db, app):
    from itsdangerous import URLSafeTimedSerializer

    client.set_cookie("lang", "en")
    login(client, world["host46"].email)
    page = _upload(client, "k.csv", b"kommunenummer,navn,e-post\n4601,Kari,kari@bergen.kommune.no\n"
                   ).get_data(as_text=True)
    payload = _payload(page)

    response = _confirm(client, _tamper(payload))
    assert response.status_code == 400
    assert "could not be confirmed" in response.get_data(as_text=True)
    # Rows signed with another key (a forged confirmation adding a contact elsewhere).
    forged = URLSafeTimedSerializer("not-the-key", salt="contact-import").dumps(
        {"u": world["host46"].id, "c": world["host46"].county_id,
         "f": "x.csv", "r": [[2, "4602", "Eve", "eve@example.no", "", ""]]})
    assert _confirm(client, forged).status_code == 400
    # Correctly signed but by the app for rows of another county: classified again and refused.
    signed = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="contact-import").dumps(
        {"u": world["host46"].id, "c": world["host46"].county_id,
         "f": "x.csv", "r": [[2, "1103", "Eve", "eve@stavanger.kommune.no", "", ""]]})
    assert _confirm(client, signed).status_code == 302
    assert _all(db) == []

    # Another county's host cannot use this host's confirmation.
    client.post("/account/logout", data={"csrf_token": get_csrf(client, CONTACTS)})
    login(client, world["host11"].email)
    assert _confirm(client, payload).status_code == 400
    assert _all(db) == []


def test_confirmation_checks_again_against_what_was_saved_since_the_preview(client, world, db,
                                                                            places):
    login(client, world["host46"].email)
    page = _upload(client, "k.csv", b"kommunenummer,navn,e-post\n4601,Kari,kari@bergen.kommune.no\n"
                   b"4602,Ola,ola@kinn.kommune.no\n").get_data(as_text=True)
    # Someone adds Kari by hand while the preview is open.
    _contact(db, places, name="Kari")
    response = _confirm(client, _payload(page))
    assert response.status_code == 302
    assert sorted(c.email for c in _all(db)) == ["kari@bergen.kommune.no", "ola@kinn.kommune.no"]


# --- by hand --------------------------------------------------------------------------------------

def _add(client, **data):
    token = get_csrf(client, CONTACTS)
    return client.post(CONTACTS, data={"csrf_token": token, "role": "leader", "phone": "", **data})


def test_host_adds_a_contact_by_hand(client, world, db, places):
    login(client, world["host46"].email)
    bergen = places.unit("4601")
    response = _add(client, municipality=str(bergen.id), name="  Kari  Nordmann ",
                    email="Kari.Nordmann@Bergen.Kommune.NO", role="programme_adviser",
                    phone="55 56 00 00")
    assert response.status_code == 302
    [kari] = _all(db)
    assert (kari.municipality_id, kari.county_id, kari.name, kari.email, kari.role, kari.phone) == (
        bergen.id, bergen.county_id, "Kari Nordmann", "kari.nordmann@bergen.kommune.no",
        "programme_adviser", "55 56 00 00")


def test_bad_email_and_duplicate_are_refused_beside_the_field(client, world, db, places):
    _contact(db, places)
    bergen, kinn = places.unit("4601"), places.unit("4602")
    client.set_cookie("lang", "en")
    login(client, world["host46"].email)

    response = _add(client, municipality=str(bergen.id), name="Per", email="per@")
    assert response.status_code == 422
    assert "is not a valid email address" in _error_beside(response.get_data(as_text=True), "email")

    response = _add(client, municipality=str(bergen.id), name="Kari to", email="KARI@bergen.kommune.no")
    assert response.status_code == 422
    assert "Bergen already has a contact with this email address." in _error_beside(
        response.get_data(as_text=True), "email")

    response = _add(client, municipality=str(bergen.id), name="", email="ny@bergen.kommune.no")
    assert response.status_code == 422
    assert _error_beside(response.get_data(as_text=True), "name")

    # A municipality of another county is not among the choices.
    stavanger = places.unit("1103")
    response = _add(client, municipality=str(stavanger.id), name="Stina", email="s@stavanger.no")
    assert response.status_code == 422
    assert _error_beside(response.get_data(as_text=True), "municipality")
    assert len(_all(db)) == 1

    # The same address in another municipality is another contact.
    assert _add(client, municipality=str(kinn.id), name="Kari", email="kari@bergen.kommune.no"
                ).status_code == 302
    assert len(_all(db)) == 2


def test_service_refuses_a_municipality_outside_the_county(app, world, db, places):
    from eventapp.core.errors import Forbidden, ValidationFailed
    from eventapp.invitations import services

    with pytest.raises(ValidationFailed) as refused:
        services.add_contact(world["host46"], municipality=places.unit("1103"), name="Stina",
                             email="stina@stavanger.kommune.no", role="leader", phone=None)
    assert "municipality" in refused.value.fields
    with pytest.raises(Forbidden):
        services.add_contact(world["counsellor46"], municipality=places.unit("4601"), name="Stina",
                             email="stina@bergen.kommune.no", role="leader", phone=None)
    db.session.rollback()
    assert _all(db) == []


def test_host_edits_deactivates_and_reactivates(client, world, db, places):
    kari = _contact(db, places)
    _contact(db, places, email="ola@bergen.kommune.no", name="Ola")
    login(client, world["host46"].email)
    url = f"{CONTACTS}/{kari.id}/edit"
    assert client.get(url).status_code == 200
    token = get_csrf(client, url)
    form = {"csrf_token": token, "municipality": str(places.unit("4602").id), "name": "Kari Kinn",
            "email": "kari@kinn.kommune.no", "role": "other", "phone": "123"}
    assert client.post(url, data=form).status_code == 302
    db.session.refresh(kari)
    assert (kari.municipality.number, kari.name, kari.email, kari.role, kari.phone) == (
        "4602", "Kari Kinn", "kari@kinn.kommune.no", "other", "123")
    # Moving back to Bergen with Ola's address is a duplicate.
    duplicate = {**form, "municipality": str(places.unit("4601").id), "email": "ola@bergen.kommune.no"}
    response = client.post(url, data=duplicate)
    assert response.status_code == 422
    assert _error_beside(response.get_data(as_text=True), "email")
    db.session.refresh(kari)
    assert kari.email == "kari@kinn.kommune.no"

    toggle = f"{CONTACTS}/{kari.id}/toggle"
    assert client.post(toggle, data={"csrf_token": token}).status_code == 302
    db.session.refresh(kari)
    assert kari.active is False
    page = client.get(CONTACTS).get_data(as_text=True)
    assert f'id="contact-{kari.id}" data-email="kari@kinn.kommune.no" data-active="no"' in page
    assert client.post(toggle, data={"csrf_token": token}).status_code == 302
    db.session.refresh(kari)
    assert kari.active is True


def test_contacts_grouped_by_municipality_with_counsellor_and_filter(client, world, db, places):
    _contact(db, places, name="Kari Bergen")
    _contact(db, places, number="4602", email="ola@kinn.kommune.no", name="Ola Kinn")
    login(client, world["host46"].email)
    page = client.get(CONTACTS).get_data(as_text=True)
    bergen = re.search(r'data-municipality="4601".*?</section>', page, re.S).group(0)
    assert "Kari Bergen" in bergen and "Ola Kinn" not in bergen
    assert "Kari Karriere" in bergen  # the contact counsellor of Bergen
    # Municipalities without contacts are listed together, each with its counsellor if any.
    empty = re.search(r'id="no-contacts".*?</section>', page, re.S).group(0)
    assert re.findall(r'<li data-municipality="(\d+)"', empty)[:3] == ["4611", "4612", "4613"]
    assert "4601" not in empty and "4602" not in empty
    assert "Kari Karriere" not in empty
    assert 'data-municipality="1103"' not in page

    kinn = places.unit("4602")
    filtered = client.get(f"{CONTACTS}?municipality={kinn.id}").get_data(as_text=True)
    assert re.findall(r'data-municipality="(\d+)"', filtered) == ["4602"]
    assert "Ola Kinn" in filtered and "Kari Bergen" not in filtered
    # A municipality of another county in the filter shows nothing of it.
    other = client.get(f"{CONTACTS}?municipality={places.unit('1103').id}")
    assert other.status_code == 200
    assert 'data-municipality="1103"' not in other.get_data(as_text=True)


# --- who may do what --------------------------------------------------------------------------------

def test_counsellor_reads_but_does_not_change(client, world, db, places):
    kari = _contact(db, places)
    login(client, world["counsellor46"].email)
    page = client.get(CONTACTS)
    assert page.status_code == 200
    assert "kari@bergen.kommune.no" in page.get_data(as_text=True)
    assert f"{CONTACTS}/{kari.id}/edit" not in page.get_data(as_text=True)
    assert _add(client, municipality=str(places.unit("4601").id), name="Per",
                email="per@bergen.kommune.no").status_code == 403
    assert client.get(f"{CONTACTS}/{kari.id}/edit").status_code == 403
    token = get_csrf(client, CONTACTS)
    assert client.post(f"{CONTACTS}/{kari.id}/toggle", data={"csrf_token": token}).status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert client.post(CONFIRM, data={"csrf_token": token, "payload": "x"}).status_code == 403
    db.session.refresh(kari)
    assert kari.active and len(_all(db)) == 1


def test_host_of_another_county_gets_404_and_sees_nothing(client, world, db, places):
    kari = _contact(db, places)
    login(client, world["host11"].email)
    assert client.get(f"{CONTACTS}/{kari.id}/edit").status_code == 404
    token = get_csrf(client, CONTACTS)
    assert client.post(f"{CONTACTS}/{kari.id}/toggle", data={"csrf_token": token}).status_code == 404
    page = client.get(CONTACTS).get_data(as_text=True)
    assert "kari@bergen.kommune.no" not in page
    db.session.refresh(kari)
    assert kari.active


@pytest.mark.parametrize("who", ["contact4601", "directorate"])
def test_municipal_contact_and_directorate_have_no_contacts_pages(client, world, db, places, who):
    kari = _contact(db, places)
    login(client, world[who].email)
    assert client.get(CONTACTS).status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert client.get(f"{CONTACTS}/{kari.id}/edit").status_code == 403


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(CONTACTS)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_list_contacts_is_scoped(app, world, db, places):
    from eventapp.invitations.services import list_contacts

    _contact(db, places)
    _contact(db, places, number="4602", email="ola@kinn.kommune.no", name="Ola")
    _contact(db, places, number="1103", email="stina@stavanger.kommune.no", name="Stina")
    emails = lambda user: [c.email for c in list_contacts(user)]  # noqa: E731
    assert emails(world["host46"]) == ["kari@bergen.kommune.no", "ola@kinn.kommune.no"]
    assert emails(world["counsellor46"]) == ["kari@bergen.kommune.no", "ola@kinn.kommune.no"]
    assert emails(world["contact4601"]) == ["kari@bergen.kommune.no"]
    assert emails(world["host11"]) == ["stina@stavanger.kommune.no"]
    assert len(emails(world["directorate"])) == 3
