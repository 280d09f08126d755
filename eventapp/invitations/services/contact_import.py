"""Importing contacts from a CSV or XLSX file: ``plan_contact_import`` reads the file and says,
row by row, what would be added, changed, left as it is or refused and why;
``apply_contact_import`` saves the good rows.

Between the preview and the confirmation the good rows travel in a hidden form field signed
with SECRET_KEY (``sign_contact_import`` / ``load_contact_import``), bound to the user and
county and valid for two hours. A tampered or stale field is refused, and the rows are
classified again against the database on confirmation, so nothing the client sends back is
trusted beyond what a fresh upload of the same rows would allow.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy, tabular
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.invitations.models import Contact
from eventapp.invitations.services.contacts import (
    NAME_MAX,
    PHONE_MAX,
    contact_role_label,
    normalise_contact_email,
)
from eventapp.places.models import Municipality

CONTACT_IMPORT_MAX_ROWS = 5000
CONTACT_IMPORT_MAX_BYTES = 4_000_000
CONTACT_IMPORT_MAX_AGE = 2 * 3600
_CONTACT_IMPORT_SALT = "contact-import"

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


def contact_role_code(value) -> str | None:
    """The role code for a role as written in a file or form ('' for none), or None if unknown."""
    role = tabular.key(value)
    if not role:
        return ""
    return _CONTACT_ROLE_WORDS.get(role)


@dataclass
class ContactRow:
    """One data row of an import file and what importing it would do."""

    line: int
    municipality_number: str
    name: str
    email: str
    role: str  # as written
    phone: str
    action: str = "refused"  # add | change | unchanged | refused
    reasons: list = field(default_factory=list)  # [(code, message)]
    changes: list = field(default_factory=list)  # [(label, old, new)]
    municipality: Municipality | None = None
    contact_id: int | None = None
    clean: dict = field(default_factory=dict)

    @property
    def reason_codes(self) -> str:
        return " ".join(code for code, _message in self.reasons)


@dataclass
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


# A sheet stops being read at four times the rows allowed, empty ones included. Unpacked, a
# workbook of the largest import is a few MB.
_LIMITS = tabular.Limits(
    max_bytes=CONTACT_IMPORT_MAX_BYTES, max_rows=CONTACT_IMPORT_MAX_ROWS, max_columns=50,
    max_lines=4 * CONTACT_IMPORT_MAX_ROWS, max_unpacked=40_000_000,
    unpacks_too_much=lambda n: _("The workbook unpacks to more than %(n)d MB. Save the contacts "
                                 "alone in a new workbook, or as CSV.", n=n),
    goes_on_too_far=lambda n: _("The sheet goes on below row %(n)d. Delete the empty rows and "
                                "cells below the contacts, or save the sheet as CSV.", n=n))


def _table_rows(filename: str, data: bytes) -> list[list]:
    return tabular.read_lines(filename, data, _LIMITS)


def _rows_from_table(lines: list[list]) -> tuple[list, set]:
    """The data rows as ContactRow (not yet classified) and the optional columns present."""
    table = tabular.find_columns(lines, _CONTACT_COLUMNS)
    missing = [c for c in _REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        labels = {"municipality_number": _("municipality number (kommunenummer)"),
                  "name": _("name (navn)"), "email": _("email (e-post)")}
        raise tabular.file_problem(_("The first row must name the columns. Missing: %(columns)s.",
                                     columns=", ".join(str(labels[c]) for c in missing)))
    if not table.rows:
        raise tabular.file_problem(_("The file has column names but no contacts."))
    if len(table.rows) > CONTACT_IMPORT_MAX_ROWS:
        raise tabular.file_problem(_("The file has more than %(n)d rows. Split it into smaller "
                                     "files.", n=CONTACT_IMPORT_MAX_ROWS))

    def text(cells, column):
        return tabular.cell(table.value(cells, column))

    # A municipality's number has 4 digits, an Oslo district's 6.
    rows = [ContactRow(line=line, name=text(cells, "name"), email=text(cells, "email"),
                       municipality_number=tabular.code_digits(
                           table.value(cells, "municipality_number"), (4, 6)),
                       role=text(cells, "role"), phone=text(cells, "phone"))
            for line, cells in table.rows]
    return rows, {c for c in ("role", "phone") if c in table.columns}


def _classify_contact_rows(actor, rows: list) -> None:
    """Decide each row's action, in file order: refused (with every reason), a duplicate of an
    earlier accepted row, add, change (saying what changes) or unchanged."""
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
        elif len(row.name) > NAME_MAX:
            reasons.append(("too_long", _("The name is too long: at most %(n)d characters.",
                                          n=NAME_MAX)))
        email, problem = normalise_contact_email(row.email)
        if problem:
            reasons.append(("bad_email", problem))
        role = contact_role_code(row.role)
        if role is None:
            reasons.append(("unknown_role",
                            _("Unknown role “%(role)s”: use leader, programme adviser or other.",
                              role=row.role)))
        phone = row.phone or None
        if phone and len(phone) > PHONE_MAX:
            reasons.append(("too_long", _("The phone number is too long: at most %(n)d characters.",
                                          n=PHONE_MAX)))
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
    policy.authorize(actor, "contacts.manage", getattr(actor, "county_id", None))
    rows, _optional = _rows_from_table(_table_rows(filename, data or b""))
    _classify_contact_rows(actor, rows)
    return ContactImportPlan(filename=filename, rows=rows, county_id=actor.county_id)


def apply_contact_import(actor, plan: ContactImportPlan) -> dict:
    """Add and change the contacts of the plan's good rows; refused and unchanged rows are left
    alone. Returns the counts of added and changed."""
    policy.authorize(actor, "contacts.manage", plan.county_id)
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

    policy.authorize(actor, "contacts.manage", getattr(actor, "county_id", None))
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
