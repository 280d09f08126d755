"""Municipal input to the programme, and the committee's review of it."""


from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering, ProgrammeItem
from eventapp.places.models import Municipality

# What municipalities want from the programme: anyone with the gathering's input link (or a
# logged-in municipal contact) answers a short form; the committee reads it, marks what it
# adopted and links it to the programme items that answer it.

INPUT_TEXT_MAX = 2000
INPUT_NOTE_MAX = 2000


def input_places(gathering: Gathering) -> list[Municipality]:
    """The municipalities (and Oslo's city districts) that may answer for this gathering."""
    return list(db.session.scalars(
        select(Municipality)
        .where(Municipality.county_id == gathering.county_id, Municipality.active.is_(True))
        .order_by(Municipality.number)
    ))


def answering_units(gathering: Gathering) -> list[Municipality]:
    """Who is asked: every municipality, except that where city districts play the
    municipality's part (Oslo), the districts are counted instead of the city."""
    places = input_places(gathering)
    with_districts = {m.parent_id for m in places if m.is_district}
    return [m for m in places if m.id not in with_districts]


def submit_input(gathering: Gathering, *, municipality: Municipality | None, name: str = "",
                 email: str = "", topics: str = "", questions: str = "", experience: str = "",
                 small: bool | None = None, submitted_by=None):
    """Record one municipality's input to the programme. Refuses, changing nothing, when no
    municipality of the gathering's county is given or nothing at all is said."""
    from eventapp.gatherings.models import MunicipalInput

    texts = {"topics": (topics or "").strip(), "questions": (questions or "").strip(),
             "experience": (experience or "").strip()}
    name, email = (name or "").strip(), (email or "").strip().lower()
    problems: dict = {}
    if municipality is None:
        problems["municipality"] = _("Choose your municipality or city district.")
    elif municipality.county_id != gathering.county_id or not municipality.active:
        problems["municipality"] = _("Choose a municipality in %(county)s.",
                                     county=gathering.county.name)
    if not any(texts.values()):
        problems["topics"] = _("Write at least one topic, question or experience you could share.")
    for key, text in texts.items():
        if len(text) > INPUT_TEXT_MAX:
            problems[key] = _("Keep it to at most %(n)d characters.", n=INPUT_TEXT_MAX)
    if len(name) > 200:
        problems["name"] = _("The name can be at most 200 characters.")
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        problems["email"] = _("Enter a valid email address, or leave it empty.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    given = MunicipalInput(
        gathering_id=gathering.id, municipality_id=municipality.id, name=name or None,
        email=email or None, small_municipality=small,
        submitted_by_id=getattr(submitted_by, "id", None), **texts,
    )
    db.session.add(given)
    db.session.flush()
    return given


def gathering_inputs(gathering: Gathering) -> list:
    """All input to ``gathering``, newest first (for the committee)."""
    from eventapp.gatherings.models import MunicipalInput

    return list(db.session.scalars(
        select(MunicipalInput).where(MunicipalInput.gathering_id == gathering.id)
        .order_by(MunicipalInput.created_at.desc(), MunicipalInput.id.desc())
    ))


def municipality_inputs(gathering: Gathering, municipality_id: int | None) -> list:
    """What one municipality has sent for ``gathering`` (its own contact sees how it went)."""
    from eventapp.gatherings.models import MunicipalInput

    if municipality_id is None:
        return []
    return list(db.session.scalars(
        select(MunicipalInput).where(MunicipalInput.gathering_id == gathering.id,
                                     MunicipalInput.municipality_id == municipality_id)
        .order_by(MunicipalInput.created_at.desc(), MunicipalInput.id.desc())
    ))


def input_coverage(gathering: Gathering) -> tuple[int, int]:
    """(how many of the county's municipalities answered, how many were asked)."""
    asked = answering_units(gathering)
    asked_ids = {m.id for m in asked}
    answered = {i.municipality_id for i in gathering_inputs(gathering)
                if i.municipality_id in asked_ids}
    return len(answered), len(asked)


def review_input(given, actor, status: str, note: str | None, items: list[ProgrammeItem]):
    """The committee's answer to one input: adopted or declined, a note, and the programme
    items that take it up."""
    from eventapp.gatherings.models import INPUT_STATUSES

    gathering = given.gathering
    policy.authorize(actor, "input.review", gathering)
    note = (note or "").strip()
    problems: dict = {}
    if status not in INPUT_STATUSES:
        problems["status"] = _("Choose new, adopted or declined.")
    if len(note) > INPUT_NOTE_MAX:
        problems["note"] = _("Keep the note to at most %(n)d characters.", n=INPUT_NOTE_MAX)
    if any(i.gathering_id != gathering.id or i.cancelled_at is not None for i in items):
        problems["items"] = _("Choose items from this gathering's programme.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    given.status = status
    given.committee_note = note or None
    # Links to items removed from the programme since are kept: they tell what happened.
    kept = [i for i in given.items if i.cancelled_at is not None]
    given.items = kept + [i for i in items if i not in kept]
    db.session.flush()
    return given
