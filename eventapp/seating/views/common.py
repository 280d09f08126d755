"""What the seating pages share: the gathering loaded for a page, the labels, and the choices
of the forms' selects."""

from flask import abort
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventapp.core import policy
from eventapp.core.time import to_oslo
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.forms import role_label, wish_label
from eventapp.seating import services
from eventapp.seating.models import MODES, SeatingRound

# Shown when a remove button's form has expired.
REMOVE_EXPIRED = _l("Nothing was removed: the form had expired. Try again.")

RULES = ("capacity", "min_counsellors_per_table", "max_county_staff_per_table",
         "max_per_organisation", "apart", "apart_organisations", "pinned")
SOFT_RULES = services.SOFT_RULES
# Registration roles that count as county staff at the tables (counsellors included).
COUNTY_ROLES = ("career_counsellor", "county_staff")


# --- the gathering of a page ----------------------------------------------------------------------

def load_gathering(gathering_id: int, action: str = "seating.view") -> Gathering:
    """The gathering of a seating page. Whoever may not read its table plan gets 404, as if the
    page were not there; a reader who may not do ``action`` gets 403."""
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not policy.can(current_user, "seating.view", gathering):
        abort(404)
    if action != "seating.view":
        policy.authorize(current_user, action, gathering)
    return gathering


# --- labels shared by the pages -------------------------------------------------------------------

def person_label(registration) -> str:
    organisation = registration.organisation_name
    return f"{registration.name} · {organisation}" if organisation else registration.name


def round_labels(rounds: list[SeatingRound]) -> dict[int, str]:
    return {r.id: _("Round %(number)d", number=i) for i, r in enumerate(rounds, start=1)}


def item_label(item) -> str:
    """«Wednesday 10 March 13:00–14:00: Group work …» in the reader's language."""
    if item is None:
        return ""
    start, end = to_oslo(item.starts_at), to_oslo(item.ends_at)
    pattern = "EEEE d. MMMM" if str(get_locale()).startswith("nb") else "EEEE d MMMM"
    day = format_date(start.date(), pattern)
    return _("%(day)s %(start)s–%(end)s: %(title)s", day=day, start=start.strftime("%H:%M"),
             end=end.strftime("%H:%M"), title=item.title)


def _percent(value) -> str:
    return format_percent(value or 0, "#,##0 %") if value is not None else "–"


def page_labels(gathering: Gathering, rounds=None) -> dict:
    rounds = services.rounds(gathering) if rounds is None else rounds
    return {"round_label": round_labels(rounds), "item_label": item_label,
            "mode_label": services.mode_label, "rule_label": services.rule_label,
            "reg_role_label": role_label, "person_label": person_label, "percent": _percent,
            "decimal": format_decimal, "county_roles": COUNTY_ROLES, "soft_rules": SOFT_RULES,
            "wish_label": wish_label,
            "is_host": policy.can(current_user, "seating.manage", gathering)}


# --- the selects of the forms ---------------------------------------------------------------------

def people_choices(people) -> list[tuple[int, str]]:
    return [(p.id, person_label(p)) for p in sorted(people, key=lambda p: (p.name.lower(), p.id))]


def fill_choices(gathering: Gathering, *, people=None, rounds=None, tables=None, items=None,
                  forms=()) -> None:
    """Give every select the gathering's own rows to choose from."""
    labels = None
    for form in forms:
        if form is None:
            continue
        for field in form:
            name = field.short_name
            if name in ("registration_id", "first_id", "second_id"):
                people = services.people(gathering) if people is None else people
                field.choices = [("", _("Choose a person"))] + people_choices(people)
            elif name == "round_id" and hasattr(field, "refusal"):
                rounds = services.rounds(gathering) if rounds is None else rounds
                labels = labels or round_labels(rounds)
                field.choices = [("", _("Choose a round"))] + [(r.id, labels[r.id])
                                                              for r in rounds]
            elif name == "table_id" and hasattr(field, "refusal"):
                tables = services.tables(gathering) if tables is None else tables
                field.choices = [("", _("Choose a table"))] + [(t.id, t.name) for t in tables]
            elif name == "mode":
                field.choices = [(m, services.mode_label(m)) for m in MODES]
            elif name == "item":
                items = services.group_work_items(gathering) if items is None else items
                field.choices = [("", _("No programme item"))] + [(i.id, item_label(i))
                                                                   for i in items]
            elif name == "rounds":
                for entry in field:
                    fill_choices(gathering, items=items, forms=(entry.form,))


def parse_int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None
