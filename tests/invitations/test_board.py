"""The municipality board, outreach, the public link and QR code, the channel report and
listInvitationStatus (issue 4)."""

import re
from datetime import timedelta

import jsonschema
import pytest
import segno
from sqlalchemy import event, func, select

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS
from eventapp.core.time import OSLO, utcnow
from eventapp.core.web import external_url
from eventapp.invitations import services
from eventapp.invitations.models import Campaign, Contact, Invitation, Outreach
from eventapp.mail.services import queue_mail
from eventapp.registration.models import GatheringMunicipality, Registration
from tests.conftest import get_csrf, login

BERGEN, STORD, VOSS, ASKOY, SOLUND, FEDJE = "4601", "4614", "4621", "4627", "4636", "4633"


def _today():
    return utcnow().astimezone(OSLO).date()


def _registration(db, gathering, unit, email, *, status="confirmed", channel="personal_link",
                  kind="municipality", county=None):
    reg = Registration(
        gathering_id=gathering.id, organisation_kind=kind, name=email.split("@")[0].title(),
        email=email.lower(), role="leader" if kind == "municipality" else "county_staff",
        day1=True, day2=True, status=status, channel=channel,
        municipality_id=unit.id if unit is not None else None,
        county_id=county.id if county is not None else None,
    )
    db.session.add(reg)
    return reg


def _invite(db, gathering, campaign, unit, email, *, opened=False, failed=False):
    message = queue_mail(kind="invitation", to=email, subject="Invitasjon", body_text="Hei",
                         county_id=gathering.county_id)
    db.session.flush()
    if failed:
        message.mark_permanent_failure("550 mailbox unknown")
    invitation = Invitation(gathering_id=gathering.id, campaign_id=campaign.id,
                            municipality_id=unit.id, name=email.split("@")[0], email=email,
                            outbox_message_id=message.id, open_count=0)
    if opened:
        invitation.mark_opened(utcnow())
    db.session.add(invitation)
    return invitation


@pytest.fixture
def world(db, places, make_user, make_gathering):
    """Vestland mid-campaign, built by hand:
    Bergen: invited by the career centre (2 contacts, one opened the link), 3 confirmed against
    a cap raised to 4, one waitlisted; Voss: one waitlisted (registered); Stord: a counsellor's
    visit (reached); Askøy: the only mail failed (not reached); Solund: travel cost noted,
    travel support offered; everyone else not reached."""
    host = make_user("county_host", county="46", email="vert@vestland.example")
    counsellor = make_user("counsellor", county="46", email="veileder@vestland.example",
                           name="Kari Veileder", municipalities=[BERGEN, SOLUND])
    other_counsellor = make_user("counsellor", county="46", email="annen@vestland.example",
                                 municipalities=[STORD])
    municipal = make_user("municipal_contact", county="46", municipality=BERGEN,
                          email="kommune@bergen.example")
    outsider = make_user("county_host", county="11", email="vert@rogaland.example")
    gathering = make_gathering(county="46", municipal_cap=2)
    other_gathering = make_gathering(county="11")
    unit = places.unit
    for number, name, email in [(BERGEN, "Berit Leder", "berit@bergen.example"),
                                (BERGEN, "Per Rådgiver", "per@bergen.example"),
                                (ASKOY, "Åse Askøy", "ase@askoy.example"),
                                (SOLUND, "Sol Lund", "sol@solund.example")]:
        db.session.add(Contact(county_id=gathering.county_id, municipality_id=unit(number).id,
                               name=name, email=email, role="leader"))
    campaign = Campaign(gathering_id=gathering.id, sender_kind="career_centre",
                        sender_name="Karrieresenteret", subject="Invitasjon", body="{link}",
                        status="sent", created_by_id=host.id)
    db.session.add(campaign)
    db.session.flush()
    _invite(db, gathering, campaign, unit(BERGEN), "berit@bergen.example", opened=True)
    _invite(db, gathering, campaign, unit(BERGEN), "per@bergen.example")
    _invite(db, gathering, campaign, unit(ASKOY), "ase@askoy.example", failed=True)
    db.session.add(Outreach(gathering_id=gathering.id, municipality_id=unit(STORD).id,
                            user_id=other_counsellor.id, channel="visit",
                            happened_on=_today() - timedelta(days=3), note="Besøk"))
    db.session.add(GatheringMunicipality(gathering_id=gathering.id, municipality_id=unit(BERGEN).id,
                                         cap=4))
    db.session.add(GatheringMunicipality(
        gathering_id=gathering.id, municipality_id=unit(SOLUND).id, barrier_travel_cost=True,
        offered_travel_support=True, next_step="Ring rådmannen om reisestøtte"))
    for i in range(3):
        _registration(db, gathering, unit(BERGEN), f"b{i}@bergen.example")
    _registration(db, gathering, unit(BERGEN), "ventar@bergen.example", status="waitlisted")
    _registration(db, gathering, unit(BERGEN), "avmeldt@bergen.example", status="cancelled")
    _registration(db, gathering, unit(VOSS), "v@voss.example", status="waitlisted",
                  channel="public_link")
    _registration(db, gathering, None, "stab@vestland.example", channel="host", kind="county",
                  county=places.county("46"))
    db.session.commit()
    return {"host": host, "counsellor": counsellor, "other_counsellor": other_counsellor,
            "municipal": municipal, "outsider": outsider, "gathering": gathering,
            "other_gathering": other_gathering, "unit": unit}


def _row(rows, number):
    return next(r for r in rows if r.municipality.number == number)


def test_board_rows_match_the_hand_built_data(world):
    g = world["gathering"]
    rows = services.board_rows(g)
    assert len(rows) == 43  # every active municipality of Vestland
    states = {r.municipality.number: r.state for r in rows}
    assert states[BERGEN] == "registered" and states[VOSS] == "registered"
    assert states[STORD] == "reached"
    assert states[ASKOY] == "not_reached"  # its only mail failed
    assert states[SOLUND] == "not_reached"

    bergen = _row(rows, BERGEN)
    assert (bergen.confirmed, bergen.waitlisted, bergen.cap, bergen.cap_overridden) == (3, 1, 4, True)
    assert bergen.opened == 1
    assert [c for c, _r in bergen.contacts] == ["Berit Leder", "Per Rådgiver"]
    assert bergen.counsellors == ["Kari Veileder"]
    assert bergen.channel_names == ["mail_career_centre"]
    assert bergen.channels[0].count == 2 and bergen.channels[0].last == _today()

    askoy = _row(rows, ASKOY)
    assert askoy.channels[0].failed == 1 and askoy.channel_names == []

    stord = _row(rows, STORD)
    assert stord.channel_names == ["visit"] and stord.channels[0].last == _today() - timedelta(days=3)

    voss = _row(rows, VOSS)
    assert (voss.confirmed, voss.waitlisted, voss.cap, voss.cap_overridden) == (0, 1, 2, False)

    solund = _row(rows, SOLUND)
    assert solund.barriers == ["travel_cost"] and solund.offers == ["travel_support"]
    assert solund.next_step == "Ring rådmannen om reisestøtte"

    # Sorted by state (not reached, reached, registered), then by name.
    order = [r.state for r in rows]
    assert order == sorted(order, key=services.BOARD_STATES.index)
    registered = [r.municipality.name for r in rows if r.state == "registered"]
    assert registered == ["Bergen", "Voss"]
    assert services.board_state_counts(rows) == {"not_reached": 40, "reached": 1, "registered": 2}
    assert [r.municipality.number for r in services.board_rows(g, state="reached")] == [STORD]


def test_board_page_filters_and_counts(client, world):
    gid = world["gathering"].id
    login(client, world["host"].email)
    page = client.get(f"/gatherings/{gid}/board").get_data(as_text=True)
    assert len(re.findall(r'<tr id="m-\d+" data-state=', page)) == 43
    # The filter links carry their counts.
    for state, count in (("not_reached", 40), ("reached", 1), ("registered", 2)):
        assert re.search(rf'state={state}"[^>]*>[^<]*<span class="count">{count}</span>', page), state
    reached = client.get(f"/gatherings/{gid}/board?state=reached").get_data(as_text=True)
    assert re.findall(r'<tr id="m-(\d+)" data-state="(\w+)"', reached) == [(STORD, "reached")]
    registered = client.get(f"/gatherings/{gid}/board?state=registered").get_data(as_text=True)
    assert re.findall(r'<tr id="m-(\d+)"', registered) == [BERGEN, VOSS]
    bergen = registered.split(f'id="m-{BERGEN}"')[1].split("</tr>")[0]
    assert "3" in bergen and "4" in bergen  # 3 of 4 places
    # An unknown filter shows everything instead of failing.
    assert client.get(f"/gatherings/{gid}/board?state=bogus").status_code == 200


def _count_statements(db, fn):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_board_queries_do_not_grow_with_the_municipalities(db, world, make_gathering, places,
                                                           client):
    g = world["gathering"]
    url = f"/gatherings/{g.id}/board"
    login(client, world["host"].email)
    db.session.expire_all()
    before = _count_statements(db, lambda: services.board_rows(g))
    page_before = _count_statements(db, lambda: client.get(url))
    # Now give every municipality of Vestland contacts, invitations, outreach, registrations
    # and a follow-up row.
    campaign = db.session.scalars(select(Campaign)).first()
    all_units = services.board_units(g)
    for n, u in enumerate(all_units):
        email = f"kontakt{n}@k{u.number}.example"
        db.session.add(Contact(county_id=g.county_id, municipality_id=u.id, name=f"K {n}",
                               email=email, role="other"))
        _invite(db, g, campaign, u, email, opened=n % 2 == 0)
        db.session.add(Outreach(gathering_id=g.id, municipality_id=u.id, channel="phone",
                                happened_on=_today(), user_id=world["counsellor"].id))
        _registration(db, g, u, f"r{n}@k{u.number}.example", channel="public_link")
        if u.number not in (BERGEN, SOLUND):
            db.session.add(GatheringMunicipality(gathering_id=g.id, municipality_id=u.id,
                                                 barrier_timing=True))
    db.session.commit()
    db.session.expire_all()
    after = _count_statements(db, lambda: services.board_rows(g))
    assert after == before
    assert len({r.state for r in services.board_rows(g)}) == 1  # the data really is there

    # A county with a different number of units (Oslo's 15 districts) costs the same.
    oslo = make_gathering(county="03")
    db.session.expire_all()
    assert _count_statements(db, lambda: services.board_rows(oslo)) == after

    # And so does the page.
    db.session.expire_all()
    assert _count_statements(db, lambda: client.get(url)) == page_before


def test_oslo_board_lists_districts_not_the_city(db, make_user, make_gathering):
    make_user("county_host", county="03")
    oslo = make_gathering(county="03")
    names = [r.municipality.name for r in services.board_rows(oslo)]
    assert len(names) == 15 and "Oslo" not in names and "Gamle Oslo" in names


# --- outreach ------------------------------------------------------------------------------

def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, url)})


def test_counsellor_logs_outreach_only_to_their_municipalities(client, db, world):
    g, unit = world["gathering"], world["unit"]
    url = f"/gatherings/{g.id}/outreach"
    login(client, world["counsellor"].email)
    page = client.get(url).get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"', page.split('name="municipality"')[1]
                         .split("</select>")[0])
    assert sorted(int(o) for o in options) == sorted([unit(BERGEN).id, unit(SOLUND).id])

    ok = _post(client, url, {"municipality": unit(BERGEN).id, "channel": "phone",
                             "happened_on": _today().isoformat(), "note": "Ringte Berit"})
    assert ok.status_code == 302
    logged = db.session.scalars(select(Outreach).where(Outreach.note == "Ringte Berit")).one()
    assert (logged.municipality_id, logged.user_id, logged.channel) == \
        (unit(BERGEN).id, world["counsellor"].id, "phone")

    before = db.session.scalar(select(Outreach.id).order_by(Outreach.id.desc()))
    # Not theirs: refused with a reason, nothing saved.
    refused = _post(client, url, {"municipality": unit(STORD).id, "channel": "visit",
                                  "happened_on": _today().isoformat()})
    assert refused.status_code == 403
    assert 'id="municipality-error"' in refused.get_data(as_text=True)
    # Not in the future.
    future = _post(client, url, {"municipality": unit(BERGEN).id, "channel": "visit",
                                 "happened_on": (_today() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    assert 'id="happened_on-error"' in future.get_data(as_text=True)
    # Unknown channel.
    bad = _post(client, url, {"municipality": unit(BERGEN).id, "channel": "pigeon",
                              "happened_on": _today().isoformat()})
    assert bad.status_code == 422
    assert db.session.scalar(select(Outreach.id).order_by(Outreach.id.desc())) == before
    # The board now shows Bergen's phone call.
    bergen = _row(services.board_rows(g), BERGEN)
    assert "phone" in bergen.channel_names


def test_outreach_service_rules(db, world):
    g, unit = world["gathering"], world["unit"]
    from eventapp.core.errors import Forbidden, ValidationFailed

    with pytest.raises(Forbidden):
        services.log_outreach(g, world["counsellor"], municipality=unit(STORD), channel="visit",
                              happened_on=_today())
    with pytest.raises(ValidationFailed) as exc:
        services.log_outreach(g, world["counsellor"], municipality=unit(BERGEN), channel="visit",
                              happened_on=_today() + timedelta(days=1))
    assert "happened_on" in exc.value.fields
    with pytest.raises(ValidationFailed):  # a municipality of another county
        services.log_outreach(g, world["host"], municipality=unit("1103"), channel="visit",
                              happened_on=_today())
    with pytest.raises(Forbidden):
        services.log_outreach(g, world["municipal"], municipality=unit(BERGEN), channel="visit",
                              happened_on=_today())
    # The host logs for any municipality of the county.
    entry = services.log_outreach(g, world["host"], municipality=unit(STORD), channel="video",
                                  happened_on=_today())
    assert entry.id is not None


# --- the municipality page -------------------------------------------------------------------

def test_host_notes_barriers_and_raises_the_cap(client, db, world):
    g, unit = world["gathering"], world["unit"]
    url = f"/gatherings/{g.id}/board/{unit(FEDJE).id}"
    login(client, world["host"].email)
    assert client.get(url).status_code == 200
    response = _post(client, url, {"which": "follow_up", "barrier_travel_cost": "y",
                                   "barrier_staffing": "y", "barrier_other_ticked": "y",
                                   "barrier_other": "Ferja går sjelden",
                                   "offered_travel_support": "y", "offered_digital": "y",
                                   "next_step": "Vertskapet bestiller ferjebilletter"})
    assert response.status_code == 302
    row = db.session.scalars(select(GatheringMunicipality).where(
        GatheringMunicipality.municipality_id == unit(FEDJE).id)).one()
    assert row.barriers == ["travel_cost", "staffing", "other"]
    assert row.barrier_other == "Ferja går sjelden"
    assert row.offered_travel_support and row.offered_digital
    assert row.updated_by_id == world["host"].id

    # "Other" ticked without saying what: refused beside the field, nothing changed.
    response = _post(client, url, {"which": "follow_up", "barrier_other_ticked": "y",
                                   "next_step": "Noe annet"})
    assert response.status_code == 422
    assert 'id="barrier_other-error"' in response.get_data(as_text=True)
    db.session.refresh(row)
    assert row.next_step == "Vertskapet bestiller ferjebilletter"

    response = _post(client, url, {"which": "cap", "cap": "5"})
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.cap == 5 and row.effective_cap(g.municipal_cap) == 5
    fedje = _row(services.board_rows(g), FEDJE)
    assert (fedje.cap, fedje.barriers, fedje.offers) == (5, ["travel_cost", "staffing", "other"],
                                                        ["travel_support", "digital"])
    # Empty: the gathering's cap applies again.
    assert _post(client, url, {"which": "cap", "cap": ""}).status_code == 302
    db.session.refresh(row)
    assert row.cap is None
    assert _post(client, url, {"which": "cap", "cap": "99"}).status_code == 422


def test_lowering_the_cap_below_confirmed_removes_nobody_and_raising_promotes(client, db, world):
    g, unit = world["gathering"], world["unit"]
    url = f"/gatherings/{g.id}/board/{unit(BERGEN).id}"
    login(client, world["host"].email)
    # Lowering below the 3 confirmed is allowed; all 3 keep their places, nobody is promoted.
    assert _post(client, url, {"which": "cap", "cap": "2"}).status_code == 302
    row = db.session.scalars(select(GatheringMunicipality).where(
        GatheringMunicipality.municipality_id == unit(BERGEN).id)).one()
    assert row.cap == 2
    bergen = select(Registration.status, func.count()).where(
        Registration.municipality_id == unit(BERGEN).id).group_by(Registration.status)
    assert dict(db.session.execute(bergen).all()) == {"confirmed": 3, "waitlisted": 1,
                                                      "cancelled": 1}
    waiting = db.session.scalars(select(Registration).where(
        Registration.email == "ventar@bergen.example")).one()
    assert waiting.status == "waitlisted"
    # Room for one more within a cap of 4: raising the cap confirms the first waiting.
    assert _post(client, url, {"which": "cap", "cap": "4"}).status_code == 302
    db.session.refresh(waiting)
    assert waiting.status == "confirmed"


def test_who_may_follow_up_which_municipality(client, db, world):
    g, unit = world["gathering"], world["unit"]
    solund = f"/gatherings/{g.id}/board/{unit(SOLUND).id}"
    stord = f"/gatherings/{g.id}/board/{unit(STORD).id}"
    login(client, world["counsellor"].email)
    # Their own municipality: may note barriers, but not change the cap.
    assert _post(client, solund, {"which": "follow_up", "barrier_finances": "y",
                                  "next_step": "Møte neste uke"}).status_code == 302
    row = db.session.scalars(select(GatheringMunicipality).where(
        GatheringMunicipality.municipality_id == unit(SOLUND).id)).one()
    assert row.barriers == ["finances"] and row.next_step == "Møte neste uke"
    assert _post(client, solund, {"which": "cap", "cap": "4"}).status_code == 403
    db.session.refresh(row)
    assert row.cap is None
    # Another counsellor's municipality: readable, no form, refused on post.
    page = client.get(stord)
    assert page.status_code == 200 and 'name="which" value="follow_up"' not in page.get_data(as_text=True)
    assert _post(client, solund.replace(str(unit(SOLUND).id), str(unit(STORD).id)),
                 {"which": "follow_up", "next_step": "x"}).status_code == 403
    assert db.session.scalars(select(GatheringMunicipality).where(
        GatheringMunicipality.municipality_id == unit(STORD).id)).first() is None
    # A municipality outside the county is not on this board.
    assert client.get(f"/gatherings/{g.id}/board/{unit('1103').id}").status_code == 404


def test_municipality_page_shows_everything(client, world):
    g, unit = world["gathering"], world["unit"]
    client.set_cookie("lang", "en")
    login(client, world["host"].email)
    page = client.get(f"/gatherings/{g.id}/board/{unit(BERGEN).id}").get_data(as_text=True)
    for text in ("Berit Leder", "per@bergen.example", "Kari Veileder", "Karrieresenteret",
                 "Ventar", "Waitlisted", "3 of 4 places"):
        assert text in page, text
    page = client.get(f"/gatherings/{g.id}/board/{unit(ASKOY).id}").get_data(as_text=True)
    assert "550 mailbox unknown" in page and "Failed" in page
    page = client.get(f"/gatherings/{g.id}/board/{unit(STORD).id}").get_data(as_text=True)
    assert "Besøk" in page and "Visit" in page


# --- the public link and QR code ---------------------------------------------------------------

def _qr_path(svg: str) -> str:
    return re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)


def test_public_link_and_qr(client, world):
    g = world["gathering"]
    url = external_url("registration.public", gathering_id=g.id)
    login(client, world["counsellor"].email)
    page = client.get(f"/gatherings/{g.id}/public-link")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert url in html
    assert "<script" not in html.split("<main")[1]
    # The QR code drawn on the page encodes exactly that URL (same modules as segno's own).
    assert _qr_path(html) == _qr_path(segno.make(url, error="m").svg_inline())
    assert _qr_path(html) != _qr_path(segno.make(url + "x", error="m").svg_inline())

    svg = client.get(f"/gatherings/{g.id}/public-link.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.data.startswith(b"<?xml") and b"<svg" in svg.data
    assert _qr_path(svg.get_data(as_text=True)) == _qr_path(segno.make(url, error="m").svg_inline())
    png = client.get(f"/gatherings/{g.id}/public-link.png?download=1")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "attachment" in png.headers["Content-Disposition"]
    assert client.get(f"/gatherings/{g.id}/public-link.gif").status_code == 404


# --- the channel report ------------------------------------------------------------------------

def test_channel_report_counts(client, db, world):
    g, unit = world["gathering"], world["unit"]
    _registration(db, g, unit(STORD), "s@stord.example", channel="host")
    _registration(db, g, unit(STORD), "t@stord.example", channel="public_link")
    db.session.commit()
    report = services.channel_report(g)
    rows = {r["municipality"].number: r for r in report["rows"]}
    # Bergen: 3 confirmed and 1 waitlisted by personal link; the cancelled one not counted.
    assert rows[BERGEN]["counts"]["personal_link"] == 4 and rows[BERGEN]["total"] == 4
    assert rows[VOSS]["counts"] == {"personal_link": 0, "public_link": 1, "host": 0,
                                    "municipal_contact": 0, "api": 0}
    assert rows[STORD]["counts"]["host"] == 1 and rows[STORD]["counts"]["public_link"] == 1
    assert report["pool"]["counts"]["host"] == 1
    assert report["totals"] == {"personal_link": 4, "public_link": 2, "host": 2,
                                "municipal_contact": 0, "api": 0}
    assert report["total"] == 8 and report["municipalities_registered"] == 3

    login(client, world["host"].email)
    page = client.get(f"/gatherings/{g.id}/channels").get_data(as_text=True)
    bergen = page.split(f'data-municipality="{BERGEN}"')[1].split("</tr>")[0]
    assert 'data-channel="personal_link">4<' in bergen
    assert re.search(r"data-total>8<", page)


# --- listInvitationStatus ----------------------------------------------------------------------

def _schema():
    return next(o for o in OPERATIONS if o.operation_id == "listInvitationStatus").response


def _bearer(db, user):
    _t, raw = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_api_rows_match_the_board_and_the_schema(client, db, world):
    g = world["gathering"]
    response = client.get(f"/api/v1/gatherings/{g.id}/invitations/status",
                          headers=_bearer(db, world["host"]))
    assert response.status_code == 200, response.get_json()
    rows = response.get_json()
    jsonschema.validate(rows, _schema())
    board = services.board_rows(g)
    assert [r["organisation_number"] for r in rows] == [b.municipality.number for b in board]
    by_number = {r["organisation_number"]: r for r in rows}
    assert by_number[BERGEN] | {"channel_details": None} == {
        "organisation_number": BERGEN, "name": "Bergen", "kind": "municipality",
        "state": "registered", "channels": ["mail_career_centre"], "channel_details": None,
        "opened": 1, "registered": 3, "waitlisted": 1, "cap": 4, "contacts": 2, "barriers": [],
        "barrier_other": None, "offers": [], "next_step": None,
    }
    assert by_number[STORD]["channels"] == ["visit"] and by_number[STORD]["state"] == "reached"
    assert by_number[SOLUND]["barriers"] == ["travel_cost"]
    assert by_number[SOLUND]["offers"] == ["travel_support"]
    assert by_number[ASKOY]["channels"] == []
    assert by_number[ASKOY]["channel_details"][0]["failed"] == 1
    reached = client.get(f"/api/v1/gatherings/{g.id}/invitations/status?state=reached",
                         headers=_bearer(db, world["counsellor"])).get_json()
    assert [r["organisation_number"] for r in reached] == [STORD]
    bad = client.get(f"/api/v1/gatherings/{g.id}/invitations/status?state=maybe",
                     headers=_bearer(db, world["host"]))
    assert bad.status_code == 422 and "state" in bad.get_json()["error"]["fields"]


def test_api_is_documented(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/gatherings/{id}/invitations/status"]["get"]
    assert op["operationId"] == "listInvitationStatus"
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"organisation_number", "name", "channels", "registered", "cap"} <= set(
        schema["items"]["required"])
    assert "403" in op["responses"]


def test_api_scoping(client, db, world):
    g = world["gathering"]
    path = f"/api/v1/gatherings/{g.id}/invitations/status"
    assert client.get(path, headers=_bearer(db, world["outsider"])).status_code == 404
    assert client.get(path, headers=_bearer(db, world["municipal"])).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get(f"/api/v1/gatherings/{g.id + 999}/invitations/status",
                      headers=_bearer(db, world["host"])).status_code == 404


# --- scoping of the pages ----------------------------------------------------------------------

def _pages(g, unit):
    return [f"/gatherings/{g.id}/board", f"/gatherings/{g.id}/board/{unit(BERGEN).id}",
            f"/gatherings/{g.id}/outreach", f"/gatherings/{g.id}/channels",
            f"/gatherings/{g.id}/public-link", f"/gatherings/{g.id}/public-link.svg"]


def test_another_county_gets_404_everywhere(client, world):
    login(client, world["outsider"].email)
    for url in _pages(world["gathering"], world["unit"]):
        assert client.get(url).status_code == 404, url
    token = get_csrf(client, f"/gatherings/{world['other_gathering'].id}")
    response = client.post(f"/gatherings/{world['gathering'].id}/outreach",
                           data={"csrf_token": token, "municipality": world["unit"](BERGEN).id,
                                 "channel": "visit", "happened_on": _today().isoformat()})
    assert response.status_code == 404


def test_municipal_contact_is_refused_the_board(client, world):
    login(client, world["municipal"].email)
    for url in _pages(world["gathering"], world["unit"]):
        assert client.get(url).status_code == 403, url


def test_host_and_directorate_and_counsellor_read_every_page(client, world, make_user):
    director = make_user("directorate", email="hk@dir.example")
    for user in (world["host"], world["counsellor"], director):
        client = client.application.test_client()
        login(client, user.email)
        for url in _pages(world["gathering"], world["unit"]):
            assert client.get(url).status_code == 200, (user.email, url)


def test_directorate_cannot_log_outreach(client, world, make_user, db):
    director = make_user("directorate", email="hk@dir.example")
    login(client, director.email)
    url = f"/gatherings/{world['gathering'].id}/outreach"
    page = client.get(url).get_data(as_text=True)
    assert 'name="channel"' not in page
    response = client.post(url, data={"csrf_token": get_csrf(client, url),
                                      "municipality": world["unit"](BERGEN).id,
                                      "channel": "visit", "happened_on": _today().isoformat()})
    assert response.status_code == 403
    assert db.session.scalars(select(Outreach).where(Outreach.user_id == director.id)).first() is None


def test_board_in_english_names_states_and_the_reminder(client, world):
    client.set_cookie("lang", "en")
    login(client, world["host"].email)
    page = client.get(f"/gatherings/{world['gathering'].id}/board").get_data(as_text=True)
    assert "Reached, not registered" in page and "Travel cost" in page
    assert "Offered: Travel support" in page
    assert "Ring rådmannen om reisestøtte" in page
    assert "Send them a reminder" in page


# --- the demo ----------------------------------------------------------------------------------

def test_demo_campaign_shows_a_county_mid_campaign(app, db, places):
    from eventapp.accounts.models import User
    from eventapp.demo import demo_setup
    from eventapp.demo.invitations import demo_campaign
    from eventapp.gatherings.models import Gathering
    from eventapp.mail.models import OutboxMessage

    demo_setup()
    host = db.session.scalars(select(User).where(User.email == "vert@demo.eventapp.no")).one()
    # The county's current gathering; its earlier years and its webinar are Vestland's too.
    gathering = db.session.scalars(select(Gathering).where(
        Gathering.county_id == host.county_id, Gathering.title.like("Fylkessamling%"))).one()
    demo_campaign(gathering, host)
    db.session.commit()

    def snapshot():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (Contact, Campaign, Invitation, Outreach, GatheringMunicipality,
                              Registration, OutboxMessage)]

    first = snapshot()
    demo_campaign(gathering, host)  # again: nothing new
    db.session.commit()
    assert snapshot() == first

    rows = {r.municipality.number: r for r in services.board_rows(gathering)}
    counts = services.board_state_counts(list(rows.values()))
    assert counts["registered"] >= 3 and counts["reached"] >= 3 and counts["not_reached"] >= 10
    channels = {c for r in rows.values() for c in r.channel_names}
    assert {"mail_career_centre", "mail_integration_adviser", "visit", "phone"} <= channels
    assert rows[SOLUND].barriers == ["travel_cost"] and rows[SOLUND].offers == ["travel_support"]
    assert rows[SOLUND].next_step
    assert rows[BERGEN].cap == 4 and rows[BERGEN].confirmed == 3
    assert rows["4602"].state == "not_reached" and rows["4602"].channels[0].failed == 1
    counsellor = db.session.scalars(select(User).where(
        User.email == "veileder@demo.eventapp.no")).one()
    assert db.session.scalars(select(Outreach).where(Outreach.user_id == counsellor.id)).first()
    report = services.channel_report(gathering)
    assert all(report["totals"][c] for c in ("personal_link", "public_link", "host"))
