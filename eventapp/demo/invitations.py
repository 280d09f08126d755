"""The demo's invitation campaign: Vestland mid-campaign.

Contacts in twelve municipalities; an invitation from the career centre to nine of them and one
from the county's integration adviser to three; a few links opened; registrations from Bergen
(with places raised to four), Askøy, Voss and Øygarden through the personal link, the public
link and the host; the demo counsellor's visit and phone call; a mail to Kinn that bounced;
Solund held back by travel cost, with travel support offered and a next step; Fedje short of
staff, offered a digital option; the rest of the county not reached yet. Made through the real
services where they exist. Safe to run again: each part is skipped once it is there.
"""

from datetime import timedelta

from sqlalchemy import select

from eventapp.core import policy
from eventapp.extensions import db

# (municipality number, name, email, role)
DEMO_CONTACTS = [
    ("4601", "Ingrid Bakke", "ingrid.bakke@bergen.kommune.example", "leader"),
    ("4601", "Yusuf Ahmadi", "yusuf.ahmadi@bergen.kommune.example", "programme_adviser"),
    ("4602", "Terje Nesse", "postmottak@kinn.kommune.example", "leader"),
    ("4614", "Hilde Vikse", "hilde.vikse@stord.kommune.example", "leader"),
    ("4621", "Olav Lid", "olav.lid@voss.herad.example", "leader"),
    ("4621", "Mariam Yonas", "mariam.yonas@voss.herad.example", "programme_adviser"),
    ("4624", "Siri Hauge", "siri.hauge@bjornafjorden.kommune.example", "leader"),
    ("4626", "Knut Sotra", "knut.sotra@oygarden.kommune.example", "leader"),
    ("4627", "Anne Fjeld", "anne.fjeld@askoy.kommune.example", "leader"),
    ("4627", "Oksana Melnyk", "oksana.melnyk@askoy.kommune.example", "programme_adviser"),
    ("4631", "Per Alver", "per.alver@alver.kommune.example", "leader"),
    ("4633", "Bjørg Fedje", "bjorg@fedje.kommune.example", "leader"),
    ("4636", "Marit Hatlevik", "marit.hatlevik@solund.kommune.example", "leader"),
    ("4640", "Eva Sogn", "eva.sogn@sogndal.kommune.example", "leader"),
]
# The career centre's invitation goes to these; the integration adviser's to the second list.
CAREER_CENTRE_TO = ["4601", "4602", "4614", "4621", "4626", "4627", "4633", "4636", "4640"]
INTEGRATION_ADVISER_TO = ["4601", "4621", "4627"]
CAREER_CENTRE_SUBJECT = "Invitasjon: {gathering}, {dates}"
INTEGRATION_ADVISER_SUBJECT = "Bli med på {gathering} – hilsen integreringsrådgiveren"
# (municipality, name, email, role, status, channel, through the invitation sent to)
DEMO_REGISTRATIONS = [
    ("4601", "Ingrid Bakke", "ingrid.bakke@bergen.kommune.example", "leader", "confirmed",
     "personal_link", "ingrid.bakke@bergen.kommune.example"),
    ("4601", "Yusuf Ahmadi", "yusuf.ahmadi@bergen.kommune.example", "programme_adviser",
     "confirmed", "personal_link", "yusuf.ahmadi@bergen.kommune.example"),
    ("4601", "Lise Haugland", "lise.haugland@bergen.kommune.example", "programme_adviser",
     "confirmed", "public_link", None),
    ("4627", "Oksana Melnyk", "oksana.melnyk@askoy.kommune.example", "programme_adviser",
     "confirmed", "personal_link", "oksana.melnyk@askoy.kommune.example"),
    ("4621", "Olav Lid", "olav.lid@voss.herad.example", "leader", "confirmed", "host", None),
    ("4626", "Knut Sotra", "knut.sotra@oygarden.kommune.example", "leader", "confirmed",
     "public_link", None),
]
# Opened personal links that did not (yet) lead to a registration.
DEMO_OPENED_ONLY = ["hilde.vikse@stord.kommune.example", "marit.hatlevik@solund.kommune.example"]
BOUNCED = ("postmottak@kinn.kommune.example",
           "550 5.1.1 <postmottak@kinn.kommune.example>: Recipient address rejected: "
           "User unknown")
DEMO_COUNSELLOR = "veileder@demo.eventapp.no"


def demo_campaign(gathering, host) -> None:
    """Bring the demo gathering to mid-campaign (see the module's docstring). The caller
    commits."""
    from eventapp.places.models import Municipality

    units = {m.number: m for m in db.session.scalars(
        select(Municipality).where(Municipality.county_id == gathering.county_id))}
    _contacts(host, units)
    campaigns_sent = _campaigns(gathering, host, units)
    if campaigns_sent:
        _opened_and_bounced(gathering)
    _registrations(gathering, host, units)
    _outreach(gathering, host, units)
    _follow_up(gathering, host, units)
    db.session.flush()


def _contacts(host, units) -> None:
    from eventapp.invitations.models import Contact
    from eventapp.invitations.services import add_contact

    existing = set(db.session.execute(select(Contact.municipality_id, Contact.email)).all())
    for number, name, email, role in DEMO_CONTACTS:
        unit = units[number]
        if (unit.id, email) not in existing:
            add_contact(host, municipality=unit, name=name, email=email, role=role)


def _campaigns(gathering, host, units) -> bool:
    """The two invitations, once. True when they were sent now."""
    from eventapp.invitations.models import Campaign
    from eventapp.invitations.services import create_campaign, default_campaign_texts, send_campaign

    if db.session.scalars(select(Campaign.id).where(Campaign.gathering_id == gathering.id)).first():
        return False
    subject, body = default_campaign_texts(gathering, signature="Karriere Vestland")
    career_centre = create_campaign(
        gathering, host, sender_kind="career_centre", sender_name="Karriere Vestland",
        sender_email="karriere@vestland.example", subject=subject, body=body)
    send_campaign(career_centre, host, municipalities=[units[n].id for n in CAREER_CENTRE_TO])
    adviser_body = (
        "Hei {name},\n\n"
        "Som integreringsrådgiver i fylkeskommunen vil jeg gjerne se flyktningetjenesten i "
        "{municipality} på {gathering}, {dates} på {venue}. Her møtes kommunene og "
        "karrieresenteret for å gjøre samarbeidet om karriereveiledning bedre.\n\n"
        "Meld dere på her (kommunen er fylt ut):\n{link}\n\n"
        "Er reisen eller økonomien et hinder, så si fra – vi finner en løsning.\n\n"
        "Vennlig hilsen\nSolveig Rønneberg\nIntegreringsrådgiver, Vestland fylkeskommune\n"
    )
    adviser = create_campaign(
        gathering, host, sender_kind="integration_adviser", sender_name="Solveig Rønneberg",
        sender_email="solveig.ronneberg@vestland.example", subject=INTEGRATION_ADVISER_SUBJECT,
        body=adviser_body)
    send_campaign(adviser, host, municipalities=[units[n].id for n in INTEGRATION_ADVISER_TO])
    return True


def _opened_and_bounced(gathering) -> None:
    from eventapp.core.time import utcnow
    from eventapp.invitations.models import Invitation

    opened = {via for *_rest, via in DEMO_REGISTRATIONS if via} | set(DEMO_OPENED_ONLY)
    for invitation in db.session.scalars(
        select(Invitation).where(Invitation.gathering_id == gathering.id)
    ):
        if invitation.email in opened and invitation.opened_at is None:
            invitation.mark_opened(utcnow())
        if invitation.email == BOUNCED[0] and invitation.outbox_message is not None:
            invitation.outbox_message.mark_permanent_failure(BOUNCED[1])


def _registrations(gathering, host, units) -> None:
    from eventapp.invitations.models import Invitation
    from eventapp.invitations.services import follow_up_row, set_municipality_cap
    from eventapp.registration.models import Registration

    # Bergen settles many refugees: the host has raised its places to four.
    bergen = units["4601"]
    row = follow_up_row(gathering, bergen)
    if row is None or row.cap is None:
        set_municipality_cap(gathering, host, bergen, 4)
    taken = set(db.session.scalars(
        select(Registration.email).where(Registration.gathering_id == gathering.id)))
    for number, name, email, role, status, channel, via in DEMO_REGISTRATIONS:
        if email in taken:
            continue
        invitation_id = None
        if via:
            invitation_id = db.session.scalars(
                select(Invitation.id).where(Invitation.gathering_id == gathering.id,
                                            Invitation.email == via).order_by(Invitation.id)
            ).first()
            if invitation_id is None:
                channel = "public_link"  # the campaign was left out: count it as public
        db.session.add(Registration(
            gathering_id=gathering.id, organisation_kind="municipality",
            municipality_id=units[number].id, name=name, email=email, role=role,
            day1=True, day2=True, attends_dinner=True, status=status, channel=channel,
            invitation_id=invitation_id, created_by_id=host.id if channel == "host" else None,
        ))


def _outreach(gathering, host, units) -> None:
    """The demo counsellor visited Bjørnafjorden and phoned Alver and Askøy; the host phoned
    Solund (which is how the travel cost came up)."""
    from eventapp.accounts.models import User
    from eventapp.core.time import OSLO, utcnow
    from eventapp.invitations.models import Outreach
    from eventapp.invitations.services import log_outreach

    if db.session.scalars(select(Outreach.id).where(Outreach.gathering_id == gathering.id)).first():
        return
    today = utcnow().astimezone(OSLO).date()
    counsellor = db.session.scalars(select(User).where(User.email == DEMO_COUNSELLOR)).first()
    entries = [
        (counsellor, "4624", "visit", 12, "Besøk hos flyktningetjenesten. Leder Siri Hauge er "
         "positiv, men må sjekke hvem som kan gå fra i mars."),
        (counsellor, "4631", "phone", 6, "Snakket med Per Alver. Han melder på to etter "
         "ledermøtet neste uke."),
        (counsellor, "4627", "video", 9, "Teams-møte med Anne og Oksana om samlingen og "
         "veiledningstimene."),
        (host, "4636", "phone", 4, "Marit Hatlevik vil gjerne komme, men reise og overnatting "
         "fra Solund er for dyrt for budsjettet i år."),
        (host, "4633", "own_mail", 3, "Sendte invitasjonen fra egen e-post med kopi til rådmannen."),
    ]
    for who, number, channel, days_ago, note in entries:
        if who is None or not policy.can(who, "board.act_for", units[number]):
            who = host
        log_outreach(gathering, who, municipality=units[number], channel=channel,
                     happened_on=today - timedelta(days=days_ago), note=note)


def _follow_up(gathering, host, units) -> None:
    from eventapp.invitations.services import follow_up_row, save_follow_up

    notes = [
        ("4636", {"travel_cost"}, None, {"travel_support"},
         "Fylket dekker reise og én overnatting. Vertskapet sender bekreftelse til Marit "
         "Hatlevik innen fredag; hun melder på to."),
        ("4633", {"staffing"}, None, {"digital"},
         "Tilby digital deltakelse dag to. Følg opp på telefon neste uke."),
        ("4624", {"timing"}, None, set(),
         "Veilederen ringer igjen etter personalmøtet."),
    ]
    for number, barriers, other, offers, next_step in notes:
        row = follow_up_row(gathering, units[number])
        if row is not None and (row.barriers or row.next_step):
            continue
        save_follow_up(gathering, host, units[number], barriers=barriers, barrier_other=other,
                       offers=offers, next_step=next_step)
