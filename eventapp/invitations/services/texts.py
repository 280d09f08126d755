"""A campaign's text: placeholders filled in for each recipient, the Norwegian texts a new
campaign or reminder starts from, and the sample a preview is shown for."""

import string

from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core.web import external_url
from eventapp.extensions import db
from eventapp.gatherings.services import answering_units
from eventapp.invitations.models import Contact
from eventapp.places.models import County, Municipality

CAMPAIGN_PLACEHOLDERS = ("name", "municipality", "link", "gathering", "dates", "venue")
# The Norwegian name of each field: hosts write their mail in Norwegian, so {kommune} must work
# as well as {municipality}. Both are kept as written in the stored text and filled in alike.
CAMPAIGN_PLACEHOLDER_ALIASES = {"navn": "name", "kommune": "municipality", "lenke": "link",
                                "samling": "gathering", "dato": "dates", "sted": "venue"}
NORWEGIAN_PLACEHOLDERS = {english: norwegian
                          for norwegian, english in CAMPAIGN_PLACEHOLDER_ALIASES.items()}


def campaign_placeholder_help() -> list[tuple[str, str, str]]:
    """(Norwegian field, English field, what it becomes) for the form's list of fields."""
    meaning = {"name": _("the recipient's name"),
               "municipality": _("the recipient's municipality"),
               "link": _("the recipient's personal registration link (required in the text)"),
               "gathering": _("the gathering's title"),
               "dates": _("the gathering's dates"),
               "venue": _("the venue and address")}
    return [("{" + NORWEGIAN_PLACEHOLDERS[name] + "}", "{" + name + "}", meaning[name])
            for name in CAMPAIGN_PLACEHOLDERS]

# The default texts are Norwegian: the mail goes to Norwegian refugee services whatever
# language the host's screen is in.
DEFAULT_INVITATION_SUBJECT = "Invitasjon: {gathering}, {dates}"
DEFAULT_INVITATION_BODY = """Hei {name},

Vi inviterer flyktningetjenesten i {municipality} til {gathering}, {dates} på {venue}.

Samlingen bringer karrieresenteret og kommunenes flyktningetjenester sammen i to dager for å \
styrke samarbeidet om karriereveiledning for flyktninger i introduksjonsprogrammet. Vi håper \
både en leder og en programrådgiver som samarbeider med karrieresenteret kan komme.

Meld dere på med denne personlige lenken (kommunen er allerede fylt ut):
{link}

Kalenderfilen ligger vedlagt, så dere kan legge samlingen rett inn i kalenderen.

Er det noe som gjør det vanskelig å komme, som reisekostnader, økonomi eller bemanning? \
Svar på denne e-posten, så finner vi en løsning sammen.
"""
DEFAULT_REMINDER_SUBJECT = "Påminnelse: {gathering}, {dates}"
DEFAULT_REMINDER_BODY = """Hei {name},

Vi har ennå ikke fått noen påmelding fra {municipality} til {gathering}, {dates} på {venue}. \
Det er fortsatt plass, og vi vil gjerne ha dere med.

Meld dere på med denne personlige lenken (kommunen er allerede fylt ut):
{link}

Er det noe som gjør det vanskelig å komme, som reisekostnader, økonomi eller bemanning? \
Svar på denne e-posten, så ser vi på det sammen.
"""


def default_campaign_texts(gathering, kind: str = "invitation",
                           signature: str | None = None) -> tuple[str, str]:
    """The subject and body a new campaign (or reminder) starts from, signed by ``signature``
    (default: the county's career centre)."""

    signature = signature or default_sender_name(gathering, "career_centre")
    if kind == "reminder":
        return DEFAULT_REMINDER_SUBJECT, f"{DEFAULT_REMINDER_BODY}\nVennlig hilsen\n{signature}\n"
    return DEFAULT_INVITATION_SUBJECT, f"{DEFAULT_INVITATION_BODY}\nVennlig hilsen\n{signature}\n"


def default_sender_name(gathering, sender_kind: str) -> str:
    """The name a campaign's mail shows when the host gives none (Norwegian, as the mail)."""

    county = db.session.get(County, gathering.county_id)
    if sender_kind == "integration_adviser":
        return f"Integreringsrådgiveren i {county.name} fylkeskommune"
    return f"Karrieresenteret i {county.name}"


def _campaign_parse(text: str) -> list[tuple[str, str | None]]:
    """The text as (literal, placeholder) pieces. Raises ValueError for unbalanced braces and
    for anything but a bare known name in braces (no attributes, indexes, formats)."""
    pieces, unknown = [], []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            pieces.append((literal, None))
            continue
        written, name = name, CAMPAIGN_PLACEHOLDER_ALIASES.get(name, name)
        if name not in CAMPAIGN_PLACEHOLDERS or spec or conversion:
            shown = "".join(("{", written, f"!{conversion}" if conversion else "",
                             f":{spec}" if spec else "", "}"))
            if shown not in unknown:
                unknown.append(shown)
        pieces.append((literal, name))
    if unknown:
        raise _CampaignUnknown(unknown)
    return pieces


class _CampaignUnknown(ValueError):
    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def campaign_text_problem(text: str, *, need_link: bool = False) -> str | None:
    """Why ``text`` cannot be used as a campaign's subject or body, or None."""

    known = ", ".join(f"{norwegian} ({english})"
                      for norwegian, english, _meaning in campaign_placeholder_help())
    try:
        pieces = _campaign_parse(text)
    except _CampaignUnknown as exc:
        return _("Unknown placeholders: %(names)s. You can use %(known)s.",
                 names=", ".join(exc.names), known=known)
    except ValueError:
        return _("A brace { or } is not matched. Placeholders are written like {name}; to show a "
                 "brace itself, write {{ or }}.")
    if need_link and not any(name == "link" for _literal, name in pieces):
        return _("Put {lenke} (or {link}) in the text: it becomes each recipient's personal "
                 "registration link.")
    return None


def render_campaign_text(text: str, values: dict[str, str]) -> str:
    """Fill in the placeholders. Only the known names are looked up, as plain strings: nothing
    in the text can reach an attribute or call anything."""
    return "".join(literal + (values.get(name, "") if name else "")
                   for literal, name in _campaign_parse(text))


def campaign_dates(gathering) -> str:
    """The gathering's days the Norwegian way: "10.–11. mars 2027"."""

    start, end = gathering.start_date, gathering.end_date
    if start == end:
        return format_date(end, "d. MMMM y", locale="nb")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}.–{format_date(end, 'd. MMMM y', locale='nb')}"
    if start.year == end.year:
        return f"{format_date(start, 'd. MMMM', locale='nb')} – {format_date(end, 'd. MMMM y', locale='nb')}"
    return f"{format_date(start, 'd. MMMM y', locale='nb')} – {format_date(end, 'd. MMMM y', locale='nb')}"


def campaign_values(gathering, *, name: str, municipality: str, link: str) -> dict[str, str]:
    venue = ", ".join(p for p in (gathering.venue, gathering.address) if p) or gathering.place
    return {"name": name, "municipality": municipality, "link": link, "gathering": gathering.title,
            "dates": campaign_dates(gathering), "venue": venue}


def campaign_sample_recipient(gathering) -> dict[str, str]:
    """Who a preview is shown for: the county's first active contact, or a made-up one."""

    link = external_url("registration.personal", token="eksempel")  # noqa: S106 - a sample link
    contact = db.session.scalars(
        select(Contact).join(Municipality, Municipality.id == Contact.municipality_id)
        .where(Contact.county_id == gathering.county_id, Contact.active.is_(True))
        .order_by(Municipality.number, Contact.name).limit(1)
    ).first()
    if contact is not None:
        return {"name": contact.name, "municipality": contact.municipality.name, "link": link}
    units = answering_units(gathering)
    return {"name": "Kari Nordmann", "municipality": units[0].name if units else "", "link": link}
