"""Invitations: services."""


# --- contacts ---------------------------------------------------------------------------------
# The people to invite in each municipality (and Oslo district). They belong to the county, not
# to one gathering, so they carry over to next year. Entered by hand or imported from CSV/XLSX:
# ``plan_contact_import`` reads the file and says, row by row, what would be added, changed,
# left as it is or refused and why; ``apply_contact_import`` saves the good rows.
#
# Between the preview and the confirmation the good rows travel in a hidden form field signed
# with SECRET_KEY (``sign_contact_import`` / ``load_contact_import``), bound to the user and
# county and valid for two hours. A tampered or stale field is refused, and the rows are
# classified again against the database on confirmation, so nothing the client sends back is
# trusted beyond what a fresh upload of the same rows would allow.
import csv as _csv  # noqa: E402
import io as _io  # noqa: E402
import re as _re  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402
from dataclasses import field as _field  # noqa: E402

from flask_babel import gettext as _  # noqa: E402,F811
from sqlalchemy import select  # noqa: E402,F811

from eventapp.accounts.models import User  # noqa: E402,F811
from eventapp.core.access import Role, may_manage_county  # noqa: E402,F811
from eventapp.core.errors import Forbidden, ValidationFailed  # noqa: E402,F811
from eventapp.extensions import db  # noqa: E402,F811
from eventapp.places.models import Municipality  # noqa: E402,F811

CONTACT_IMPORT_MAX_ROWS = 5000
CONTACT_IMPORT_MAX_BYTES = 4_000_000
CONTACT_IMPORT_MAX_AGE = 2 * 3600
_CONTACT_IMPORT_SALT = "contact-import"
_NAME_MAX, _EMAIL_MAX, _PHONE_MAX = 200, 254, 40

# Accepted headers, compared after lower-casing and turning "_" and "-" into spaces.
_CONTACT_COLUMNS = {
    "municipality_number": ("municipality number", "municipality no", "kommunenummer", "kommunenr",
                            "kommune nr", "kommune nummer", "knr", "bydelsnummer"),
    "name": ("name", "navn", "full name", "fullt navn"),
    "email": ("email", "e mail", "e post", "epost", "e postadresse", "email address"),
    "role": ("role", "rolle"),
    "phone": ("phone", "telefon", "tlf", "telephone", "mobile", "mobil", "phone number",
              "telefonnummer"),
}
_REQUIRED_COLUMNS = ("municipality_number", "name", "email")
_CONTACT_ROLE_WORDS = {
    "leader": "leader", "leder": "leader", "manager": "leader", "head": "leader",
    "programme adviser": "programme_adviser", "program adviser": "programme_adviser",
    "programme advisor": "programme_adviser", "program advisor": "programme_adviser",
    "programrådgiver": "programme_adviser", "programradgiver": "programme_adviser",
    "other": "other", "annen": "other", "annet": "other", "andre": "other",
}


def _header_key(text) -> str:
    return " ".join(str(text or "").strip().lower().replace("_", " ").replace("-", " ").split())


def _column_of(header: str) -> str | None:
    key = _header_key(header)
    for column, names in _CONTACT_COLUMNS.items():
        if key == _header_key(column) or key in names:
            return column
    return None


def contact_role_code(value) -> str | None:
    """The role code for a role as written in a file or form ('' for none), or None if unknown."""
    key = _header_key(value)
    if not key:
        return ""
    return _CONTACT_ROLE_WORDS.get(key)


def normalise_contact_email(raw) -> tuple[str | None, str | None]:
    """(the address lower-cased, None) or (None, why it is refused)."""
    from email_validator import EmailNotValidError, validate_email

    text = str(raw or "").strip()
    if not text:
        return None, _("The email address is missing.")
    try:
        found = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None, _("“%(email)s” is not a valid email address.", email=text)
    email = found.normalized.lower()
    if len(email) > _EMAIL_MAX:
        return None, _("The email address is too long.")
    return email, None


def _municipality_number(value) -> str:
    """A municipality (4 digits) or Oslo district (6 digits) number as text; spreadsheets drop
    the leading zero of 0301 and 030101, so it is put back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _re.sub(r"\s+", "", str(value if value is not None else ""))
    if text.isdigit() and len(text) in (3, 5):
        text = "0" + text
    return text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _require_contact_host(actor, county_id: int | None) -> None:
    if not may_manage_county(actor, county_id):
        raise Forbidden(_("Only the county's host may change the contacts."))


def may_read_contacts(actor, county_id: int | None) -> bool:
    """County hosts and counsellors read their own county's contacts; the directorate all."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.role == Role.DIRECTORATE:
        return True
    return actor.role in (Role.COUNTY_HOST, Role.COUNSELLOR) and actor.county_id == county_id


def list_contacts(actor, *, municipality_id: int | None = None, active: bool | None = None):
    """The contacts ``actor`` may see, by municipality number then name."""
    from eventapp.core.access import scope
    from eventapp.invitations.models import Contact

    stmt = (select(Contact).join(Contact.municipality)
            .order_by(Municipality.number, Contact.name, Contact.email))
    if municipality_id is not None:
        stmt = stmt.where(Contact.municipality_id == municipality_id)
    if active is not None:
        stmt = stmt.where(Contact.active.is_(active))
    return list(db.session.scalars(scope(stmt, Contact, actor)))


def contact_places(county_id: int) -> list[Municipality]:
    """The county's municipalities and Oslo districts that contacts can belong to."""
    return list(db.session.scalars(
        select(Municipality)
        .where(Municipality.county_id == county_id, Municipality.active.is_(True))
        .order_by(Municipality.number)
    ))


def contact_counsellors(county_id: int) -> dict[int, list]:
    """Municipality id → the career counsellors of the county who have it as theirs."""
    counsellors = db.session.scalars(
        select(User).where(User.county_id == county_id, User.role == Role.COUNSELLOR,
                           User.active.is_(True)).order_by(User.name)
    )
    found: dict[int, list] = {}
    for user in counsellors:
        for municipality in user.assigned_municipalities:
            found.setdefault(municipality.id, []).append(user)
    return found


def _find_contact(municipality_id: int, email: str):
    from eventapp.invitations.models import Contact

    return db.session.scalars(
        select(Contact).where(Contact.municipality_id == municipality_id, Contact.email == email)
    ).first()


def _contact_values(actor, municipality, name, email, role, phone, contact=None) -> dict:
    """Checked and cleaned values for a contact, or ValidationFailed naming each bad field."""
    from eventapp.invitations.models import CONTACT_ROLES

    problems: dict[str, str] = {}
    if municipality is None:
        problems["municipality"] = _("Choose the municipality.")
    elif municipality.county_id != actor.county_id or not municipality.active:
        problems["municipality"] = _("Choose a municipality in your county.")
    name = " ".join((name or "").split())
    if not name:
        problems["name"] = _("Enter the name.")
    elif len(name) > _NAME_MAX:
        problems["name"] = _("The name is too long: at most %(n)d characters.", n=_NAME_MAX)
    clean_email, problem = normalise_contact_email(email)
    if problem:
        problems["email"] = problem
    role = role or "other"
    if role not in CONTACT_ROLES:
        problems["role"] = _("Choose a role.")
    phone = " ".join((phone or "").split()) or None
    if phone and len(phone) > _PHONE_MAX:
        problems["phone"] = _("The phone number is too long: at most %(n)d characters.", n=_PHONE_MAX)
    if "municipality" not in problems and clean_email:
        twin = _find_contact(municipality.id, clean_email)
        if twin is not None and (contact is None or twin.id != contact.id):
            problems["email"] = _("%(name)s already has a contact with this email address.",
                                  name=municipality.name)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return {"municipality_id": municipality.id, "county_id": municipality.county_id, "name": name,
            "email": clean_email, "role": role, "phone": phone}


def add_contact(actor, *, municipality, name, email, role="other", phone=None):
    """A contact by hand. Only the county's host, in their own county."""
    from eventapp.invitations.models import Contact

    _require_contact_host(actor, actor.county_id if actor is not None else None)
    contact = Contact(**_contact_values(actor, municipality, name, email, role, phone))
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(actor, contact, *, municipality, name, email, role="other", phone=None):
    _require_contact_host(actor, contact.county_id)
    for key, value in _contact_values(actor, municipality, name, email, role, phone,
                                      contact=contact).items():
        setattr(contact, key, value)
    db.session.flush()
    return contact


def set_contact_active(actor, contact, active: bool):
    """Deactivate (no more invitations) or reactivate a contact; nothing is deleted, so past
    invitations keep their recipient."""
    _require_contact_host(actor, contact.county_id)
    contact.active = bool(active)
    db.session.flush()
    return contact


@_dataclass
class ContactRow:
    """One data row of an import file and what importing it would do."""

    line: int
    municipality_number: str
    name: str
    email: str
    role: str  # as written
    phone: str
    action: str = "refused"  # add | change | unchanged | refused
    reasons: list = _field(default_factory=list)  # [(code, message)]
    changes: list = _field(default_factory=list)  # [(label, old, new)]
    municipality: Municipality | None = None
    contact_id: int | None = None
    clean: dict = _field(default_factory=dict)

    @property
    def reason_codes(self) -> str:
        return " ".join(code for code, _message in self.reasons)


@_dataclass
class ContactImportPlan:
    filename: str
    rows: list
    county_id: int

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict:
        return {a: self.count(a) for a in ("add", "change", "unchanged", "refused")}

    @property
    def good_rows(self) -> list:
        return [row for row in self.rows if row.action in ("add", "change")]


def _file_problem(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def _read_csv(data: bytes) -> list[list]:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Excel's plain "CSV" on a Norwegian Windows machine is Windows-1252.
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise _file_problem(_("The file is not a CSV text file."))
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    return list(_csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter))


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    unreadable = _("The file could not be read as an Excel workbook (.xlsx).")
    try:
        book = load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises many kinds of error on a damaged or disguised file.
        raise _file_problem(unreadable) from exc
    try:
        rows, filled = [], 0
        for values in book.worksheets[0].iter_rows(values_only=True) if book.worksheets else ():
            rows.append(list(values))
            filled += any(_cell(v) for v in values)
            # Enough to tell "too many rows" without reading a huge sheet to its end.
            if filled > CONTACT_IMPORT_MAX_ROWS + 1:
                break
        return rows
    except Exception as exc:
        raise _file_problem(unreadable) from exc
    finally:
        book.close()


def _table_rows(filename: str, data: bytes) -> list[list]:
    name = (filename or "").strip().lower()
    if not data:
        raise _file_problem(_("The file is empty."))
    if len(data) > CONTACT_IMPORT_MAX_BYTES:
        raise _file_problem(_("The file is too large: at most %(n)d MB.",
                              n=CONTACT_IMPORT_MAX_BYTES // 1_000_000))
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt"):
        if data.startswith(b"PK\x03\x04"):
            raise _file_problem(_("This is an Excel workbook: save it as .xlsx or as CSV."))
        return _read_csv(data)
    raise _file_problem(_("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."))


def _rows_from_table(table: list[list]) -> tuple[list, set]:
    """The data rows as ContactRow (not yet classified) and the optional columns present."""
    filled = [(i, row) for i, row in enumerate(table, start=1) if any(_cell(v) for v in row)]
    if not filled:
        raise _file_problem(_("The file is empty."))
    header_line, header = filled[0]
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        column = _column_of(_cell(title))
        if column and column not in columns:
            columns[column] = index
    missing = [c for c in _REQUIRED_COLUMNS if c not in columns]
    if missing:
        labels = {"municipality_number": _("municipality number (kommunenummer)"),
                  "name": _("name (navn)"), "email": _("email (e-post)")}
        raise _file_problem(_("The first row must name the columns. Missing: %(columns)s.",
                              columns=", ".join(str(labels[c]) for c in missing)))
    data_rows = filled[1:]
    if not data_rows:
        raise _file_problem(_("The file has column names but no contacts."))
    if len(data_rows) > CONTACT_IMPORT_MAX_ROWS:
        raise _file_problem(_("The file has more than %(n)d rows. Split it into smaller files.",
                              n=CONTACT_IMPORT_MAX_ROWS))

    def value(row, column):
        index = columns.get(column)
        return row[index] if index is not None and index < len(row) else None

    rows = [ContactRow(line=line, municipality_number=_municipality_number(value(row, "municipality_number")),
                       name=_cell(value(row, "name")), email=_cell(value(row, "email")),
                       role=_cell(value(row, "role")), phone=_cell(value(row, "phone")))
            for line, row in data_rows]
    return rows, {c for c in ("role", "phone") if c in columns}


def contact_role_label(role: str) -> str:
    return {"leader": _("Leader of the refugee service"), "programme_adviser": _("Programme adviser"),
            "other": _("Other")}.get(role, role)


def _classify_contact_rows(actor, rows: list) -> None:
    """Decide each row's action, in file order: refused (with every reason), a duplicate of an
    earlier accepted row, add, change (saying what changes) or unchanged."""
    from eventapp.invitations.models import Contact

    numbers = {r.municipality_number for r in rows if r.municipality_number}
    places = {m.number: m for m in db.session.scalars(
        select(Municipality).where(Municipality.number.in_(numbers)))} if numbers else {}
    existing = {(c.municipality_id, c.email): c for c in db.session.scalars(
        select(Contact).where(Contact.county_id == actor.county_id))}
    seen: dict[tuple, int] = {}
    for row in rows:
        row.action, row.reasons, row.changes, row.clean = "refused", [], [], {}
        row.municipality, row.contact_id = None, None
        reasons = row.reasons
        place = places.get(row.municipality_number)
        if place is None:
            reasons.append(("unknown_municipality",
                            _("There is no municipality or district with number “%(number)s”.",
                              number=row.municipality_number) if row.municipality_number
                            else _("The municipality number is missing.")))
        elif place.county_id != actor.county_id:
            reasons.append(("other_county", _("%(name)s (%(number)s) is in another county.",
                                              name=place.name, number=place.number)))
        elif not place.active:
            reasons.append(("inactive_municipality",
                            _("%(name)s (%(number)s) no longer exists as a municipality.",
                              name=place.name, number=place.number)))
        else:
            row.municipality = place
        if not row.name:
            reasons.append(("missing_name", _("The name is missing.")))
        elif len(row.name) > _NAME_MAX:
            reasons.append(("too_long", _("The name is too long: at most %(n)d characters.",
                                          n=_NAME_MAX)))
        email, problem = normalise_contact_email(row.email)
        if problem:
            reasons.append(("bad_email", problem))
        role = contact_role_code(row.role)
        if role is None:
            reasons.append(("unknown_role",
                            _("Unknown role “%(role)s”: use leader, programme adviser or other.",
                              role=row.role)))
        phone = row.phone or None
        if phone and len(phone) > _PHONE_MAX:
            reasons.append(("too_long", _("The phone number is too long: at most %(n)d characters.",
                                          n=_PHONE_MAX)))
        if reasons:
            continue
        key = (row.municipality.id, email)
        if key in seen:
            reasons.append(("duplicate",
                            _("Same municipality and email address as row %(line)d, which is used.",
                              line=seen[key])))
            continue
        seen[key] = row.line
        row.clean = {"municipality_id": row.municipality.id, "county_id": row.municipality.county_id,
                     "name": row.name, "email": email}
        # An empty role or phone leaves what is known; a new contact's empty role is "other".
        if role:
            row.clean["role"] = role
        if phone:
            row.clean["phone"] = phone
        contact = existing.get(key)
        if contact is None:
            row.action = "add"
            continue
        row.contact_id = contact.id
        if not contact.active:
            row.action = "unchanged"
            reasons.append(("inactive_contact", _("Deactivated here: an import does not bring a "
                                                  "contact back. Reactivate by hand if needed.")))
            continue
        labels = {"name": _("Name"), "role": _("Role"), "phone": _("Phone")}
        for name in ("name", "role", "phone"):
            if name in row.clean and getattr(contact, name) != row.clean[name]:
                old, new = getattr(contact, name) or "", row.clean[name]
                if name == "role":
                    old, new = contact_role_label(old), contact_role_label(new)
                row.changes.append((labels[name], old, new))
        row.action = "change" if row.changes else "unchanged"


def plan_contact_import(actor, filename: str, data: bytes) -> ContactImportPlan:
    """Read a CSV or XLSX file of contacts and say what importing it would do. Saves nothing.
    A file that cannot be used as a whole raises ValidationFailed on the field ``file``."""
    _require_contact_host(actor, actor.county_id if actor is not None else None)
    rows, _optional = _rows_from_table(_table_rows(filename, data or b""))
    _classify_contact_rows(actor, rows)
    return ContactImportPlan(filename=filename, rows=rows, county_id=actor.county_id)


def apply_contact_import(actor, plan: ContactImportPlan) -> dict:
    """Add and change the contacts of the plan's good rows; refused and unchanged rows are left
    alone. Returns the counts of added and changed."""
    from eventapp.invitations.models import Contact

    _require_contact_host(actor, plan.county_id)
    counts = {"added": 0, "changed": 0}
    for row in plan.good_rows:
        if row.action == "add":
            db.session.add(Contact(role=row.clean.get("role", "other"), phone=row.clean.get("phone"),
                                   **{k: row.clean[k] for k in ("municipality_id", "county_id",
                                                                "name", "email")}))
            counts["added"] += 1
        else:
            contact = db.session.get(Contact, row.contact_id)
            for key in ("name", "role", "phone"):
                if key in row.clean:
                    setattr(contact, key, row.clean[key])
            counts["changed"] += 1
    db.session.flush()
    return counts


def _contact_serializer():
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CONTACT_IMPORT_SALT)


def sign_contact_import(actor, plan: ContactImportPlan) -> str:
    """The good rows of a previewed plan, signed for the confirmation form."""
    rows = [[r.line, r.municipality_number, r.name, r.email, r.role, r.phone] for r in plan.good_rows]
    return _contact_serializer().dumps(
        {"u": actor.id, "c": plan.county_id, "f": plan.filename[:200], "r": rows})


def load_contact_import(actor, token: str) -> ContactImportPlan:
    """The plan behind a signed confirmation, classified again against the database now.
    A changed, foreign or expired token is refused and nothing is saved."""
    from itsdangerous import BadSignature, SignatureExpired

    _require_contact_host(actor, actor.county_id if actor is not None else None)
    try:
        payload = _contact_serializer().loads(token or "", max_age=CONTACT_IMPORT_MAX_AGE)
    except SignatureExpired as exc:
        raise ValidationFailed(_("The preview is too old. Upload the file again.")) from exc
    except BadSignature as exc:
        raise ValidationFailed(_("The import could not be confirmed: the preview was changed or "
                                 "is not yours. Upload the file again.")) from exc
    if (not isinstance(payload, dict) or payload.get("u") != actor.id
            or payload.get("c") != actor.county_id or not isinstance(payload.get("r"), list)):
        raise ValidationFailed(_("The import could not be confirmed: the preview was changed or "
                                 "is not yours. Upload the file again."))
    rows = [ContactRow(line=int(r[0]), municipality_number=str(r[1]), name=str(r[2]),
                       email=str(r[3]), role=str(r[4]), phone=str(r[5])) for r in payload["r"]]
    _classify_contact_rows(actor, rows)
    return ContactImportPlan(filename=str(payload.get("f", "")), rows=rows, county_id=actor.county_id)


# --- campaigns ---
# Email campaigns and reminders. A campaign is a text with placeholders, sent in the name of a
# sender identity; each recipient gets an Invitation (unique per campaign and address, so a
# resend never mails anyone twice) and one outbox mail with a personal link and the gathering's
# calendar file. ``municipality_states`` classifies every municipality once for the campaigns,
# the reminder and the municipality board.

import string as _campaign_string  # noqa: E402,F811
from dataclasses import dataclass as _campaign_dataclass  # noqa: E402,F811
from dataclasses import field as _campaign_field  # noqa: E402,F811
from datetime import timedelta as _campaign_timedelta  # noqa: E402,F811

from sqlalchemy import select  # noqa: E402,F811

from eventapp.extensions import db  # noqa: E402,F811
from eventapp.invitations.models import new_link_token  # noqa: E402,F811

CAMPAIGN_PLACEHOLDERS = ("name", "municipality", "link", "gathering", "dates", "venue")
CAMPAIGN_SUBJECT_MAX = 300
CAMPAIGN_BODY_MAX = 20_000
CAMPAIGN_SENDER_NAME_MAX = 200
CAMPAIGN_ATTACHMENT = ("samling.ics", "text/calendar")
# A municipality's state on the way to the gathering (municipality_states).
NOT_REACHED = "not_reached"
REACHED = "reached"
REGISTERED = "registered"
MUNICIPALITY_STATES = (NOT_REACHED, REACHED, REGISTERED)
LIVE_REGISTRATION = ("confirmed", "waitlisted")
# A second reminder this soon after one is taken for a double click and refused.
REMINDER_PAUSE = _campaign_timedelta(minutes=10)

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
    from eventapp.places.models import County

    county = db.session.get(County, gathering.county_id)
    if sender_kind == "integration_adviser":
        return f"Integreringsrådgiveren i {county.name} fylkeskommune"
    return f"Karrieresenteret i {county.name}"


def _campaign_parse(text: str) -> list[tuple[str, str | None]]:
    """The text as (literal, placeholder) pieces. Raises ValueError for unbalanced braces and
    for anything but a bare known name in braces (no attributes, indexes, formats)."""
    pieces, unknown = [], []
    for literal, name, spec, conversion in _campaign_string.Formatter().parse(text):
        if name is None:
            pieces.append((literal, None))
            continue
        if name not in CAMPAIGN_PLACEHOLDERS or spec or conversion:
            shown = "".join(("{", name, f"!{conversion}" if conversion else "",
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
    from flask_babel import gettext as _

    known = ", ".join("{" + n + "}" for n in CAMPAIGN_PLACEHOLDERS)
    try:
        pieces = _campaign_parse(text)
    except _CampaignUnknown as exc:
        return _("Unknown placeholders: %(names)s. You can use %(known)s.",
                 names=", ".join(exc.names), known=known)
    except ValueError:
        return _("A brace { or } is not matched. Placeholders are written like {name}; to show a "
                 "brace itself, write {{ or }}.")
    if need_link and not any(name == "link" for _literal, name in pieces):
        return _("Put {link} in the text: it becomes each recipient's personal registration link.")
    return None


def render_campaign_text(text: str, values: dict[str, str]) -> str:
    """Fill in the placeholders. Only the known names are looked up, as plain strings: nothing
    in the text can reach an attribute or call anything."""
    return "".join(literal + (values.get(name, "") if name else "")
                   for literal, name in _campaign_parse(text))


def campaign_dates(gathering) -> str:
    """The gathering's days the Norwegian way: "10.–11. mars 2027"."""
    from babel.dates import format_date

    start, end = gathering.start_date, gathering.end_date
    if start == end:
        return format_date(end, "d. MMMM y", locale="nb")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}.–{format_date(end, 'd. MMMM y', locale='nb')}"
    if start.year == end.year:
        return f"{format_date(start, 'd. MMMM', locale='nb')} – {format_date(end, 'd. MMMM y', locale='nb')}"
    return f"{format_date(start, 'd. MMMM y', locale='nb')} – {format_date(end, 'd. MMMM y', locale='nb')}"


def campaign_values(gathering, *, name: str, municipality: str, link: str) -> dict[str, str]:
    venue = ", ".join(p for p in (gathering.venue, gathering.address) if p)
    return {"name": name, "municipality": municipality, "link": link, "gathering": gathering.title,
            "dates": campaign_dates(gathering), "venue": venue}


def campaign_sample_recipient(gathering) -> dict[str, str]:
    """Who a preview is shown for: the county's first active contact, or a made-up one."""
    from eventapp.core.web import external_url
    from eventapp.gatherings.services import answering_units
    from eventapp.invitations.models import Contact
    from eventapp.places.models import Municipality

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


def _campaign_email(value: str | None, field_name: str, problems: dict) -> str | None:
    from email_validator import EmailNotValidError, validate_email
    from flask_babel import gettext as _

    value = (value or "").strip().lower()
    if not value:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        problems[field_name] = _("Enter a valid email address.")
        return None
    return value


def county_counsellors(gathering) -> list:
    """The county's career counsellors who may appear as a campaign's sender."""
    from eventapp.accounts.models import User
    from eventapp.core.access import Role

    return list(db.session.scalars(
        select(User).where(User.role == Role.COUNSELLOR, User.county_id == gathering.county_id,
                           User.active.is_(True)).order_by(User.name)
    ))


def create_campaign(gathering, actor, *, kind: str = "invitation", sender_kind: str,
                    sender_name: str | None = None, sender_email: str | None = None,
                    counsellor=None, subject: str, body: str):
    """A draft campaign in the name of the career centre, the county's integration adviser or
    one of the county's counsellors. Refuses unknown placeholders and a body without {link}."""
    from flask_babel import gettext as _

    from eventapp.core.access import Role
    from eventapp.core.errors import ValidationFailed
    from eventapp.gatherings.services import require_host
    from eventapp.invitations.models import CAMPAIGN_KINDS, SENDER_KINDS, Campaign

    require_host(actor, gathering)
    problems: dict[str, str] = {}
    if kind not in CAMPAIGN_KINDS:
        raise ValueError(kind)
    if sender_kind not in SENDER_KINDS:
        problems["sender_kind"] = _("Choose who the mail comes from.")
    if sender_kind == "counsellor":
        if (counsellor is None or counsellor.role != Role.COUNSELLOR
                or counsellor.county_id != gathering.county_id):
            problems["sender_kind"] = _("Choose a career counsellor of this county.")
        else:
            sender_name = (sender_name or "").strip() or counsellor.name
            sender_email = (sender_email or "").strip() or counsellor.email
    else:
        counsellor = None
        if not (sender_name or "").strip() and sender_kind in SENDER_KINDS:
            sender_name = default_sender_name(gathering, sender_kind)
    sender_name = " ".join((sender_name or "").split())
    if not sender_name:
        problems["sender_name"] = _("Enter the sender's name as recipients will see it.")
    elif len(sender_name) > CAMPAIGN_SENDER_NAME_MAX:
        problems["sender_name"] = _("Use at most %(num)d characters.", num=CAMPAIGN_SENDER_NAME_MAX)
    reply_to = _campaign_email(sender_email, "sender_email", problems) or actor.email
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if not subject:
        problems["subject"] = _("Enter a subject.")
    elif len(subject) > CAMPAIGN_SUBJECT_MAX:
        problems["subject"] = _("Use at most %(num)d characters.", num=CAMPAIGN_SUBJECT_MAX)
    elif problem := campaign_text_problem(subject):
        problems["subject"] = problem
    if not body:
        problems["body"] = _("Write the text of the mail.")
    elif len(body) > CAMPAIGN_BODY_MAX:
        problems["body"] = _("Use at most %(num)d characters.", num=CAMPAIGN_BODY_MAX)
    elif problem := campaign_text_problem(body, need_link=True):
        problems["body"] = problem
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    campaign = Campaign(
        gathering_id=gathering.id, kind=kind, sender_kind=sender_kind, sender_name=sender_name,
        sender_email=reply_to, counsellor_id=counsellor.id if counsellor is not None else None,
        subject=subject, body=body + "\n", status="draft", created_by_id=actor.id,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def municipality_states(gathering) -> dict[int, str]:
    """Every municipality (and Oslo district) of the gathering's county, by id: ``registered``
    (at least one live registration), ``reached`` (an invitation whose mail has not failed, or
    outreach by another channel, but no live registration) or ``not_reached``."""
    from sqlalchemy import or_

    from eventapp.gatherings.services import answering_units
    from eventapp.invitations.models import Invitation, Outreach
    from eventapp.mail.models import OutboxMessage
    from eventapp.registration.models import Registration

    ids = [unit.id for unit in answering_units(gathering)]
    registered = set(db.session.scalars(
        select(Registration.municipality_id).where(
            Registration.gathering_id == gathering.id,
            Registration.status.in_(LIVE_REGISTRATION),
            Registration.municipality_id.is_not(None)).distinct()
    ))
    invited = set(db.session.scalars(
        select(Invitation.municipality_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .where(Invitation.gathering_id == gathering.id,
               or_(OutboxMessage.id.is_(None), OutboxMessage.status != "failed"))
        .distinct()
    ))
    visited = set(db.session.scalars(
        select(Outreach.municipality_id).where(Outreach.gathering_id == gathering.id).distinct()
    ))
    return {
        ident: REGISTERED if ident in registered
        else REACHED if ident in invited or ident in visited else NOT_REACHED
        for ident in ids
    }


def municipality_state_label(state: str) -> str:
    from flask_babel import gettext as _

    return {NOT_REACHED: _("Not reached yet"), REACHED: _("Reached, not registered"),
            REGISTERED: _("Registered")}.get(state, state)


def _campaign_recipients(gathering, municipality_ids) -> list:
    from eventapp.invitations.models import Contact
    from eventapp.places.models import Municipality

    if not municipality_ids:
        return []
    return list(db.session.scalars(
        select(Contact).join(Municipality, Municipality.id == Contact.municipality_id)
        .where(Contact.county_id == gathering.county_id, Contact.active.is_(True),
               Contact.municipality_id.in_(list(municipality_ids)))
        .order_by(Municipality.number, Contact.name, Contact.id)
    ))


def _campaign_units(gathering, municipalities, only_not_registered: bool) -> list[int]:
    """The ids of the municipalities a send goes to, in the gathering's county."""
    from flask_babel import gettext as _

    from eventapp.core.errors import ValidationFailed
    from eventapp.places.models import Municipality

    states = municipality_states(gathering)
    if municipalities is None:
        chosen = list(states)
    else:
        chosen = [getattr(m, "id", m) for m in municipalities]
        known = set(db.session.scalars(
            select(Municipality.id).where(Municipality.id.in_(chosen),
                                          Municipality.county_id == gathering.county_id)
        ))
        if not chosen or set(chosen) - known:
            raise ValidationFailed(_("Choose municipalities of this county."),
                                   field="municipalities")
    if only_not_registered:
        chosen = [m for m in chosen if states.get(m) != REGISTERED]
    return list(dict.fromkeys(chosen))


@_campaign_dataclass
class CampaignSendCounts:
    """What one send did: mails queued now, addresses that already had this campaign, and the
    chosen municipalities that have no active contact (so nobody there was mailed)."""

    queued: int = 0
    already_sent: int = 0
    municipalities: int = 0
    without_contacts: list = _campaign_field(default_factory=list)


def send_campaign(campaign, actor, municipalities=None, only_not_registered: bool = False):
    """Queue the campaign to the active contacts of ``municipalities`` (ids or objects; None:
    every municipality and Oslo district of the county), leaving out those with a live
    registration when ``only_not_registered``. Each address gets one Invitation and one mail
    per campaign, however often this runs; the mails leave after commit, through the outbox.
    Returns CampaignSendCounts."""
    from email.headerregistry import Address
    from email.utils import parseaddr

    from flask import current_app
    from flask_babel import gettext as _
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from eventapp.core.errors import ValidationFailed
    from eventapp.core.time import utcnow
    from eventapp.core.web import external_url
    from eventapp.gatherings.services import gathering_ics, require_host
    from eventapp.invitations.models import Campaign, Invitation
    from eventapp.mail.services import queue_mail
    from eventapp.places.models import Municipality

    gathering = campaign.gathering
    require_host(actor, gathering)
    # Two sends of one campaign at once (a double click) take turns on PostgreSQL; the second
    # then sees the first one's invitations and queues nothing twice.
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    units = _campaign_units(gathering, municipalities, only_not_registered)
    contacts = _campaign_recipients(gathering, units)
    counts = CampaignSendCounts(municipalities=len(units))
    with_contacts = {c.municipality_id for c in contacts}
    counts.without_contacts = list(db.session.scalars(
        select(Municipality).where(Municipality.id.in_([u for u in units if u not in with_contacts]))
        .order_by(Municipality.number)
    )) if len(with_contacts) < len(units) else []
    if not contacts:
        raise ValidationFailed(
            _("None of the chosen municipalities has an active contact to send to. Add contacts "
              "first."), field="municipalities")

    campaign.status = "sending"
    db.session.flush()
    existing = set(db.session.scalars(
        select(Invitation.email).where(Invitation.campaign_id == campaign.id)
    ))
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    sender_address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    from_address = str(Address(display_name=campaign.sender_name, addr_spec=sender_address))
    ics = None
    municipalities_by_id: dict[int, Municipality] = {}
    for contact in contacts:
        if contact.email in existing:
            counts.already_sent += 1
            continue
        existing.add(contact.email)
        # ON CONFLICT DO NOTHING: should another send have taken this address meanwhile (where
        # the lock above does not hold, as on SQLite), this one skips it instead of failing.
        invitation_id = db.session.scalar(
            insert(Invitation).values(
                gathering_id=gathering.id, campaign_id=campaign.id, contact_id=contact.id,
                municipality_id=contact.municipality_id, name=contact.name, email=contact.email,
                token=new_link_token(), open_count=0, created_at=utcnow(),
            ).on_conflict_do_nothing(index_elements=["campaign_id", "email"])
            .returning(Invitation.id)
        )
        if invitation_id is None:
            counts.already_sent += 1
            continue
        invitation = db.session.get(Invitation, invitation_id)
        municipality = municipalities_by_id.setdefault(
            contact.municipality_id, db.session.get(Municipality, contact.municipality_id))
        values = campaign_values(
            gathering, name=contact.name, municipality=municipality.name,
            link=external_url("registration.personal", token=invitation.token))
        if ics is None:
            ics = gathering_ics(gathering)
        message = queue_mail(
            kind=f"campaign_{campaign.kind}", to=contact.email, to_name=contact.name,
            subject=render_campaign_text(campaign.subject, values),
            body_text=render_campaign_text(campaign.body, values),
            from_address=from_address, reply_to=campaign.sender_email, created_by=actor,
            county_id=gathering.county_id, gathering_id=gathering.id,
            attachments=((*CAMPAIGN_ATTACHMENT, ics),),
        )
        invitation.outbox_message_id = message.id
        counts.queued += 1
    campaign.status = "sent"
    if counts.queued and campaign.sent_at is None:
        campaign.sent_at = utcnow()
    db.session.flush()
    return counts


def reminder_targets(gathering) -> tuple[list, int]:
    """The municipalities a reminder goes to (reached, not registered) and how many active
    contacts they have."""
    from eventapp.places.models import Municipality

    ids = [m for m, state in municipality_states(gathering).items() if state == REACHED]
    units = list(db.session.scalars(
        select(Municipality).where(Municipality.id.in_(ids)).order_by(Municipality.number)
    )) if ids else []
    return units, len(_campaign_recipients(gathering, ids))


def latest_reminder(gathering):
    from eventapp.invitations.models import Campaign

    return db.session.scalars(
        select(Campaign).where(Campaign.gathering_id == gathering.id, Campaign.kind == "reminder")
        .order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(1)
    ).first()


def send_reminder(gathering, actor, *, sender_kind: str, sender_name: str | None = None,
                  sender_email: str | None = None, counsellor=None, subject: str, body: str):
    """Remind every municipality that was reached but has not registered, in one go: a campaign
    of kind "reminder" to their active contacts. Returns (campaign, CampaignSendCounts)."""
    from flask_babel import format_time
    from flask_babel import gettext as _

    from eventapp.core.errors import ValidationFailed
    from eventapp.core.time import to_oslo, utcnow
    from eventapp.gatherings.models import Gathering
    from eventapp.gatherings.services import require_host

    require_host(actor, gathering)
    # A double click must not remind everyone twice: reminders of one gathering take turns
    # (on PostgreSQL), and one shortly after another is refused.
    db.session.execute(select(Gathering.id).where(Gathering.id == gathering.id).with_for_update())
    last = latest_reminder(gathering)
    if last is not None and last.created_at > utcnow() - REMINDER_PAUSE:
        raise ValidationFailed(_(
            "A reminder went out at %(time)s. Wait %(minutes)d minutes before you send another, "
            "so nobody gets two by a double click.",
            time=format_time(to_oslo(last.created_at), "HH:mm"),
            minutes=int(REMINDER_PAUSE.total_seconds() // 60)))
    campaign = create_campaign(
        gathering, actor, kind="reminder", sender_kind=sender_kind, sender_name=sender_name,
        sender_email=sender_email, counsellor=counsellor, subject=subject, body=body)
    units, contacts = reminder_targets(gathering)
    if not units or not contacts:
        raise ValidationFailed(_("No municipality has been reached without registering, or none of "
                                 "them has an active contact: there is nobody to remind."))
    counts = send_campaign(campaign, actor, municipalities=[u.id for u in units])
    return campaign, counts


def campaign_progress(campaign_ids) -> dict[int, dict[str, int]]:
    """Per campaign: recipients, and how many of their mails wait, were sent or failed, and how
    many personal links were opened."""
    from sqlalchemy import func

    from eventapp.invitations.models import Invitation
    from eventapp.mail.models import OutboxMessage

    ids = list(campaign_ids)
    result = {ident: {"recipients": 0, "waiting": 0, "sent": 0, "failed": 0, "opened": 0}
              for ident in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(Invitation.campaign_id, OutboxMessage.status, func.count(Invitation.id),
               func.count(Invitation.opened_at))
        .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .where(Invitation.campaign_id.in_(ids))
        .group_by(Invitation.campaign_id, OutboxMessage.status)
    )
    for campaign_id, status, number, opened in rows:
        counts = result[campaign_id]
        counts["recipients"] += number
        counts["opened"] += opened
        state = "waiting" if status in ("pending", "sending") else status
        if state in counts:
            counts[state] += number
    return result


def campaign_recipients(campaign) -> list:
    """The campaign's invitations with their municipality, mail and whether a live registration
    came through the link, for the campaign page."""
    from sqlalchemy.orm import selectinload

    from eventapp.invitations.models import Invitation
    from eventapp.places.models import Municipality
    from eventapp.registration.models import Registration

    invitations = list(db.session.scalars(
        select(Invitation).join(Municipality, Municipality.id == Invitation.municipality_id)
        .where(Invitation.campaign_id == campaign.id)
        .options(selectinload(Invitation.municipality), selectinload(Invitation.outbox_message))
        .order_by(Municipality.name, Invitation.email)
    ))
    registered = set(db.session.scalars(
        select(Registration.invitation_id).where(
            Registration.invitation_id.in_([i.id for i in invitations]),
            Registration.status.in_(LIVE_REGISTRATION))
    )) if invitations else set()
    return [(invitation, invitation.id in registered) for invitation in invitations]


# --- board ---------------------------------------------------------------------------------
# The municipality board: one row per municipality (Oslo: per city district) with everything
# done to bring it to the gathering, built from a fixed number of queries however many
# municipalities the county has. Also the counsellors' outreach log, the follow-up notes
# (barriers, offers, next step), a municipality's own cap, and the channel report.
# The state of each municipality comes from municipality_states (the campaigns section).

from dataclasses import dataclass as _board_dataclass  # noqa: E402
from dataclasses import field as _board_field  # noqa: E402

BOARD_STATES = MUNICIPALITY_STATES  # the campaigns section's classification
BOARD_OFFERS = ("travel_support", "digital")
OUTREACH_NOTE_MAX = 2000
NEXT_STEP_MAX = 2000
BARRIER_OTHER_MAX = 300


def outreach_channel_label(channel: str) -> str:
    from flask_babel import gettext as _

    return {
        "visit": _("Visit"),
        "phone": _("Phone call"),
        "video": _("Video meeting"),
        "own_mail": _("Mail from own mailbox"),
        "other": _("Other contact"),
    }.get(channel, channel)


def board_sender_label(sender_kind: str) -> str:
    from flask_babel import gettext as _

    return {
        "career_centre": _("Mail from the career centre"),
        "integration_adviser": _("Mail from the integration adviser"),
        "counsellor": _("Mail from a counsellor"),
    }.get(sender_kind, sender_kind)


def barrier_label(barrier: str) -> str:
    from flask_babel import gettext as _

    return {
        "travel_cost": _("Travel cost"),
        "finances": _("Finances"),
        "staffing": _("Staffing"),
        "timing": _("Timing"),
        "other": _("Other"),
    }.get(barrier, barrier)


def offer_label(offer: str) -> str:
    from flask_babel import gettext as _

    return {"travel_support": _("Travel support"), "digital": _("Digital option")}.get(offer, offer)


def registration_channel_label(channel: str) -> str:
    from flask_babel import gettext as _

    return {
        "personal_link": _("Personal link"),
        "public_link": _("Public link"),
        "host": _("Entered by the host"),
        "municipal_contact": _("Municipal contact"),
        "api": _("API"),
    }.get(channel, channel)


def board_role_label(role: str) -> str:
    """A contact's or registrant's role."""
    from flask_babel import gettext as _

    return {
        "leader": _("Leader of the refugee service"),
        "programme_adviser": _("Programme adviser"),
        "career_counsellor": _("Career counsellor"),
        "county_staff": _("County staff"),
        "partner": _("Partner"),
        "speaker": _("Speaker"),
        "other": _("Other"),
    }.get(role, role)


def board_status_label(status: str) -> str:
    """A registration's or an outbox mail's status."""
    from flask_babel import gettext as _

    return {
        "confirmed": _("Confirmed"),
        "waitlisted": _("Waitlisted"),
        "cancelled": _("Cancelled"),
        "pending": _("Waiting to be sent"),
        "sending": _("Sending"),
        "sent": _("Sent"),
        "failed": _("Failed"),
    }.get(status, status)


def board_channel_label(name: str) -> str:
    """A channel as the board and the API name it: ``mail_<sender kind>`` or an outreach
    channel."""
    if name.startswith("mail_"):
        return board_sender_label(name[5:])
    return outreach_channel_label(name)


@_board_dataclass
class ChannelUse:
    """One channel used towards one municipality: how often, first and last time."""

    name: str
    count: int
    first: object  # date
    last: object  # date
    failed: int = 0

    @property
    def label(self) -> str:
        return board_channel_label(self.name)

    @property
    def short_label(self) -> str:
        """For the board's narrow column."""
        from flask_babel import gettext as _

        return {
            "mail_career_centre": _("Mail: career centre"),
            "mail_integration_adviser": _("Mail: integration adviser"),
            "mail_counsellor": _("Mail: counsellor"),
            "own_mail": _("Own mail"),
        }.get(self.name) or board_channel_label(self.name)


@_board_dataclass
class BoardRow:
    municipality: object
    state: str
    cap: int
    cap_overridden: bool = False
    contacts: list = _board_field(default_factory=list)  # [(name, role)]
    counsellors: list = _board_field(default_factory=list)  # [name]
    channels: list = _board_field(default_factory=list)  # [ChannelUse]
    opened: int = 0
    confirmed: int = 0
    waitlisted: int = 0
    barriers: list = _board_field(default_factory=list)
    barrier_other: str | None = None
    offers: list = _board_field(default_factory=list)
    next_step: str | None = None

    @property
    def channel_names(self) -> list[str]:
        return [c.name for c in self.channels if c.count > c.failed]


def board_units(gathering) -> list:
    """The municipalities of the board: the county's active ones, Oslo's districts instead of
    Oslo."""
    from eventapp.gatherings.services import answering_units

    return answering_units(gathering)


def _board_day(moment):
    from eventapp.core.time import to_oslo

    return to_oslo(moment).date() if moment is not None else None


def _board_offers(row) -> list[str]:
    return [name for name in BOARD_OFFERS if getattr(row, f"offered_{name}")]


def board_rows(gathering, state: str | None = None) -> list[BoardRow]:
    """The board, sorted by state then name; ``state`` keeps only that state's rows.

    Nine queries whatever the number of municipalities: the units, the states, then one
    aggregate each for contacts, counsellors, campaign mails, outreach, registrations and
    follow-up rows."""
    from sqlalchemy import case, func, select

    from eventapp.accounts.models import User, counsellor_municipalities
    from eventapp.core.access import Role
    from eventapp.extensions import db
    from eventapp.invitations.models import Campaign, Contact, GatheringMunicipality, Invitation, Outreach
    from eventapp.mail.models import OutboxMessage
    from eventapp.registration.models import Registration

    units = board_units(gathering)
    states = municipality_states(gathering)
    rows: dict[int, BoardRow] = {
        u.id: BoardRow(municipality=u, state=states.get(u.id, "not_reached"),
                       cap=gathering.municipal_cap)
        for u in units
    }

    for municipality_id, name, role in db.session.execute(
        select(Contact.municipality_id, Contact.name, Contact.role)
        .where(Contact.county_id == gathering.county_id, Contact.active.is_(True))
        .order_by(Contact.name)
    ):
        if municipality_id in rows:
            rows[municipality_id].contacts.append((name, role))

    for municipality_id, name in db.session.execute(
        select(counsellor_municipalities.c.municipality_id, User.name)
        .join(User, User.id == counsellor_municipalities.c.user_id)
        .where(User.county_id == gathering.county_id, User.role == Role.COUNSELLOR,
               User.active.is_(True))
        .order_by(User.name)
    ):
        if municipality_id in rows:
            rows[municipality_id].counsellors.append(name)

    failed = case((OutboxMessage.status == "failed", 1), else_=0)
    mail_rows = db.session.execute(
        select(Invitation.municipality_id, Campaign.sender_kind, func.count(Invitation.id),
               func.sum(failed), func.min(Invitation.created_at), func.max(Invitation.created_at),
               func.count(Invitation.opened_at))
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .where(Invitation.gathering_id == gathering.id)
        .group_by(Invitation.municipality_id, Campaign.sender_kind)
        .order_by(Invitation.municipality_id, Campaign.sender_kind)
    ).all()
    for municipality_id, sender_kind, count, n_failed, first, last, opened in mail_rows:
        row = rows.get(municipality_id)
        if row is None:
            continue
        row.channels.append(ChannelUse(f"mail_{sender_kind}", count, _board_day(first),
                                       _board_day(last), int(n_failed or 0)))
        row.opened += opened

    for municipality_id, channel, count, first, last in db.session.execute(
        select(Outreach.municipality_id, Outreach.channel, func.count(Outreach.id),
               func.min(Outreach.happened_on), func.max(Outreach.happened_on))
        .where(Outreach.gathering_id == gathering.id)
        .group_by(Outreach.municipality_id, Outreach.channel)
        .order_by(Outreach.municipality_id, Outreach.channel)
    ):
        if municipality_id in rows:
            rows[municipality_id].channels.append(ChannelUse(channel, count, first, last))

    for municipality_id, status, count in db.session.execute(
        select(Registration.municipality_id, Registration.status, func.count(Registration.id))
        .where(Registration.gathering_id == gathering.id,
               Registration.municipality_id.is_not(None),
               Registration.status.in_(("confirmed", "waitlisted")))
        .group_by(Registration.municipality_id, Registration.status)
    ):
        row = rows.get(municipality_id)
        if row is not None:
            setattr(row, status, count)

    for follow_up in db.session.scalars(
        select(GatheringMunicipality).where(GatheringMunicipality.gathering_id == gathering.id)
    ):
        row = rows.get(follow_up.municipality_id)
        if row is None:
            continue
        row.cap = follow_up.effective_cap(gathering.municipal_cap)
        row.cap_overridden = follow_up.cap is not None
        row.barriers = follow_up.barriers
        row.barrier_other = follow_up.barrier_other
        row.offers = _board_offers(follow_up)
        row.next_step = follow_up.next_step

    order = {s: i for i, s in enumerate(BOARD_STATES)}
    result = sorted(rows.values(), key=lambda r: (order.get(r.state, len(order)),
                                                  r.municipality.name.casefold(),
                                                  r.municipality.number))
    if state:
        result = [r for r in result if r.state == state]
    return result


def board_state_counts(rows: list[BoardRow]) -> dict[str, int]:
    counts = dict.fromkeys(BOARD_STATES, 0)
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts


# Who may see and do what on the board.

def may_view_board(user, gathering) -> bool:
    """The county's host and counsellors work the board; the directorate reads it. The
    gathering itself must already be in the user's scope."""
    from eventapp.core.access import may_follow_county

    return may_follow_county(user, gathering.county_id)


def require_board_viewer(user, gathering) -> None:
    from flask_babel import gettext as _

    from eventapp.core.errors import Forbidden

    if not may_view_board(user, gathering):
        raise Forbidden(_("Only the county's host and career counsellors may see the "
                          "municipality board."))


def may_act_for(user, gathering, municipality) -> bool:
    """The county's host acts for every municipality of the county; a counsellor for the
    municipalities assigned to them."""
    from eventapp.core.access import Role, may_manage_county

    if user is None or not user.is_authenticated or municipality is None:
        return False
    if municipality.county_id != gathering.county_id:
        return False
    if may_manage_county(user, gathering.county_id):
        return True
    return (user.role == Role.COUNSELLOR and user.county_id == gathering.county_id
            and any(m.id == municipality.id for m in user.assigned_municipalities))


def outreach_units(user, gathering) -> list:
    """The municipalities ``user`` may log outreach to (and follow up) for this gathering."""
    return [u for u in board_units(gathering) if may_act_for(user, gathering, u)]


def board_unit(gathering, municipality_id: int):
    """A municipality of the board, or None when it is not one of this gathering's."""
    return next((u for u in board_units(gathering) if u.id == municipality_id), None)


# The outreach log.

def log_outreach(gathering, actor, *, municipality, channel: str, happened_on, note: str = ""):
    """Record a visit, call, video meeting or mail from the counsellor's own mailbox."""
    from flask_babel import gettext as _

    from eventapp.core.errors import Forbidden, ValidationFailed
    from eventapp.core.time import OSLO, utcnow
    from eventapp.extensions import db
    from eventapp.invitations.models import OUTREACH_CHANNELS, Outreach

    if municipality is None or board_unit(gathering, municipality.id) is None:
        raise ValidationFailed(_("Choose a municipality in %(county)s.",
                                 county=gathering.county.name), field="municipality")
    if not may_act_for(actor, gathering, municipality):
        raise Forbidden(_("You may log outreach only to the municipalities you are the contact "
                          "counsellor for."), field="municipality")
    problems = {}
    if channel not in OUTREACH_CHANNELS:
        problems["channel"] = _("Choose how you made contact.")
    today = utcnow().astimezone(OSLO).date()
    if happened_on is None:
        problems["happened_on"] = _("Enter the date of the contact.")
    elif happened_on > today:
        problems["happened_on"] = _("The date cannot be in the future. Log the contact once it "
                                    "has happened.")
    note = (note or "").strip()
    if len(note) > OUTREACH_NOTE_MAX:
        problems["note"] = _("The note can be at most %(n)d characters.", n=OUTREACH_NOTE_MAX)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    entry = Outreach(gathering_id=gathering.id, municipality_id=municipality.id,
                     user_id=actor.id, channel=channel, happened_on=happened_on, note=note)
    db.session.add(entry)
    db.session.flush()
    return entry


def outreach_log(gathering, municipality=None, limit: int = 500) -> list:
    """The gathering's outreach, newest first, with who logged it and where."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from eventapp.extensions import db
    from eventapp.invitations.models import Outreach

    stmt = (select(Outreach).where(Outreach.gathering_id == gathering.id)
            .options(joinedload(Outreach.municipality), joinedload(Outreach.user))
            .order_by(Outreach.happened_on.desc(), Outreach.id.desc()).limit(limit))
    if municipality is not None:
        stmt = stmt.where(Outreach.municipality_id == municipality.id)
    return list(db.session.scalars(stmt))


# Follow-up: barriers, offers, next step, and the municipality's own cap.

def follow_up_row(gathering, municipality):
    """The municipality's row for this gathering, or None while nothing is noted."""
    from sqlalchemy import select

    from eventapp.extensions import db
    from eventapp.invitations.models import GatheringMunicipality

    return db.session.scalars(
        select(GatheringMunicipality).where(
            GatheringMunicipality.gathering_id == gathering.id,
            GatheringMunicipality.municipality_id == municipality.id)
    ).first()


def save_follow_up(gathering, actor, municipality, *, barriers, barrier_other: str | None,
                   offers, next_step: str | None):
    """Note what stops the municipality from coming, what was offered, and the next step."""
    from flask_babel import gettext as _

    from eventapp.core.errors import Forbidden, ValidationFailed
    from eventapp.core.time import utcnow
    from eventapp.extensions import db
    from eventapp.invitations.models import BARRIERS
    from eventapp.registration.services import cap_row

    if not may_act_for(actor, gathering, municipality):
        raise Forbidden(_("Only the county's host and the municipality's contact counsellor may "
                          "note barriers and next steps."))
    barriers = set(barriers or ())
    offers = set(offers or ())
    barrier_other = (barrier_other or "").strip()
    next_step = (next_step or "").strip()
    problems = {}
    unknown = (barriers - set(BARRIERS)) | (offers - set(BOARD_OFFERS))
    if unknown:
        problems["barriers"] = _("Unknown choice: %(names)s", names=", ".join(sorted(unknown)))
    if "other" in barriers and not barrier_other:
        problems["barrier_other"] = _("Say what the other barrier is.")
    elif len(barrier_other) > BARRIER_OTHER_MAX:
        problems["barrier_other"] = _("At most %(n)d characters.", n=BARRIER_OTHER_MAX)
    if len(next_step) > NEXT_STEP_MAX:
        problems["next_step"] = _("At most %(n)d characters.", n=NEXT_STEP_MAX)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    row = cap_row(gathering, municipality)
    for name in BARRIERS[:-1]:
        setattr(row, f"barrier_{name}", name in barriers)
    # Text without the box ticked still names a barrier: keep it rather than lose it.
    row.barrier_other = barrier_other or None
    for name in BOARD_OFFERS:
        setattr(row, f"offered_{name}", name in offers)
    row.next_step = next_step or None
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    return row


def set_municipality_cap(gathering, actor, municipality, cap: int | None) -> list:
    """Raise or lower one municipality's places (None: the gathering's cap applies).

    Taken under the same locks as registration (gathering, then the municipality's row). A
    cap below the number already confirmed is allowed and removes nobody: those confirmed keep
    their places, and nobody new gets one until the count is below the cap again. A raised cap
    confirms the first on the municipality's waitlist. Returns the promoted registrations."""
    from flask_babel import gettext as _
    from sqlalchemy import select

    from eventapp.core.errors import ValidationFailed
    from eventapp.core.time import utcnow
    from eventapp.extensions import db
    from eventapp.gatherings.models import Gathering
    from eventapp.gatherings.services import MAX_MUNICIPAL_CAP, require_host
    from eventapp.registration.models import Registration
    from eventapp.registration.services import cap_row, promote_waitlist

    require_host(actor, gathering)
    if board_unit(gathering, municipality.id) is None:
        raise ValidationFailed(_("Choose a municipality in %(county)s.",
                                 county=gathering.county.name), field="cap")
    if cap is not None and not 0 <= cap <= MAX_MUNICIPAL_CAP:
        raise ValidationFailed(_("Choose between 0 and %(n)d places.", n=MAX_MUNICIPAL_CAP),
                               field="cap")
    db.session.execute(select(Gathering.id).where(Gathering.id == gathering.id).with_for_update())
    row = cap_row(gathering, municipality, lock=True)
    row.cap = cap
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    first_waiting = db.session.scalars(
        select(Registration).where(
            Registration.gathering_id == gathering.id,
            Registration.municipality_id == municipality.id,
            Registration.status == "waitlisted")
        .order_by(Registration.created_at, Registration.id).limit(1)
    ).first()
    return promote_waitlist(gathering, first_waiting, actor) if first_waiting else []


def municipality_detail(gathering, municipality) -> dict:
    """Everything about one municipality for this gathering."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from eventapp.accounts.models import User
    from eventapp.core.access import Role
    from eventapp.extensions import db
    from eventapp.invitations.models import Contact, Invitation
    from eventapp.registration.models import Registration

    contacts = db.session.scalars(
        select(Contact).where(Contact.municipality_id == municipality.id,
                              Contact.county_id == gathering.county_id)
        .order_by(Contact.active.desc(), Contact.name)
    ).all()
    counsellors = [u for u in db.session.scalars(
        select(User).where(User.county_id == gathering.county_id, User.role == Role.COUNSELLOR,
                           User.active.is_(True),
                           User.assigned_municipalities.any(id=municipality.id))
        .order_by(User.name))]
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.gathering_id == gathering.id,
                                 Invitation.municipality_id == municipality.id)
        .options(joinedload(Invitation.campaign), joinedload(Invitation.outbox_message))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    registrations = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.municipality_id == municipality.id)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    follow_up = follow_up_row(gathering, municipality)
    cap = follow_up.effective_cap(gathering.municipal_cap) if follow_up else gathering.municipal_cap
    return {
        "state": municipality_states(gathering).get(municipality.id, "not_reached"),
        "contacts": contacts,
        "counsellors": counsellors,
        "invitations": invitations,
        "outreach": outreach_log(gathering, municipality),
        "registrations": registrations,
        "follow_up": follow_up,
        "offers": _board_offers(follow_up) if follow_up else [],
        "cap": cap,
        "confirmed": sum(1 for r in registrations if r.status == "confirmed"),
        "waitlisted": sum(1 for r in registrations if r.status == "waitlisted"),
    }


# The channel report.

def channel_report(gathering) -> dict:
    """How many live registrations (confirmed or waitlisted) each channel brought: per
    municipality, for county staff and partners together, and overall."""
    from sqlalchemy import func, select

    from eventapp.extensions import db
    from eventapp.registration.models import CHANNELS, Registration

    units = board_units(gathering)
    per_unit = {u.id: dict.fromkeys(CHANNELS, 0) for u in units}
    pool = dict.fromkeys(CHANNELS, 0)
    totals = dict.fromkeys(CHANNELS, 0)
    for municipality_id, channel, count in db.session.execute(
        select(Registration.municipality_id, Registration.channel, func.count(Registration.id))
        .where(Registration.gathering_id == gathering.id,
               Registration.status.in_(("confirmed", "waitlisted")))
        .group_by(Registration.municipality_id, Registration.channel)
    ):
        target = per_unit.get(municipality_id, pool)
        target[channel] = target.get(channel, 0) + count
        totals[channel] = totals.get(channel, 0) + count
    rows = [{"municipality": u, "counts": per_unit[u.id], "total": sum(per_unit[u.id].values())}
            for u in sorted(units, key=lambda u: u.name.casefold())]
    total = sum(totals.values())
    return {
        "channels": list(CHANNELS),
        "rows": rows,
        "pool": {"counts": pool, "total": sum(pool.values())},
        "totals": totals,
        "total": total,
        "shares": {c: (round(100 * n / total) if total else 0) for c, n in totals.items()},
        "municipalities_registered": sum(1 for r in rows if r["total"]),
    }


# The public registration link and its QR code.

def public_registration_url(gathering) -> str:
    from eventapp.core.web import external_url

    return external_url("registration.public", gathering_id=gathering.id)


def public_link_qr(gathering, kind: str = "svg") -> bytes:
    """The public link as a QR code: SVG for the page and newsletters, PNG for slides."""
    import io

    import segno

    qr = segno.make(public_registration_url(gathering), error="m")
    out = io.BytesIO()
    if kind == "png":
        qr.save(out, kind="png", scale=10, border=4)
    else:
        qr.save(out, kind="svg", scale=6, border=4, xmldecl=True, svgns=True,
                title=gathering.title)
    return out.getvalue()


def public_link_svg_inline(gathering) -> str:
    """The QR code as markup for the page (presentation attributes only: no style, no script,
    so it passes the Content-Security-Policy)."""
    import segno

    url = public_registration_url(gathering)
    # No fixed size: the stylesheet sizes it. The title is what a screen reader announces.
    return segno.make(url, error="m").svg_inline(
        scale=5, border=4, svgclass="qr-code", lineclass=None, omitsize=True,
        title=f"QR: {url}")
