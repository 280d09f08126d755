"""The national list of programme topics the directorate keeps, and the topics of an item.

The list starts from the topics HK-dir's evaluation of the 2023–2025 gatherings read the
programmes by (``SEED``). It is loaded by an idempotent function rather than written by the
migration: the tests empty every table between tests and the demo builds its database from
scratch, so both call ``seed_topics`` as they call ``places.load_shipped``; a new installation
runs ``flask topics load`` (or the directorate presses the button on the empty list). Loading
adds only the codes that are missing and never renames or reactivates a topic the directorate
has changed.

Topics are deactivated, never deleted: earlier programmes and the roll-up by topic keep them.
The checklist (``gatherings.checks``) reads some topics by their code (``REFUGEE_GROUPS``,
``COMPETENCE_MAPPING``, ``LEGAL_FRAMEWORK``); the directorate may rename them, but codes never change.
"""

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.checks import COMPETENCE_MAPPING, LEGAL_FRAMEWORK, REFUGEE_GROUPS
from eventapp.gatherings.models import ProgrammeItem, ProgrammeTopic, programme_item_topics

# (code, Bokmål, English), in the list's order.
SEED = (
    (LEGAL_FRAMEWORK, "Regelverket og HK-dirs rolle", "The legal framework and HK-dir's role"),
    (COMPETENCE_MAPPING, "Kompetansekartlegging og karriereveilederens notat",
     "Competence mapping and the counsellor's note"),
    ("county_municipality", "Samarbeid fylkeskommune – kommune",
     "Cooperation county – municipality"),
    (REFUGEE_GROUPS, "Flyktninggrupper, Ukraina og ukrainere",
     "Refugee groups, Ukraine and Ukrainians"),
    ("training_education", "Opplæring og utdanning", "Training and education"),
    ("prior_learning", "Realkompetansevurdering", "Recognition of prior learning"),
    ("nav_measures", "NAVs tiltak", "NAV's measures"),
    ("adult_education", "Voksenopplæring", "Adult education"),
    ("user_involvement", "Brukermedvirkning", "User involvement"),
    ("municipal_experience", "Erfaringer fra en kommune", "Experience from a municipality"),
)

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NAME_MAX = 200


def seed_topics() -> int:
    """Add the topics of ``SEED`` whose codes are missing, after those there are; how many were
    added. Safe to run again; the caller commits."""
    have = set(db.session.scalars(select(ProgrammeTopic.code)))
    position = _next_position()
    added = 0
    for code, name, name_en in SEED:
        if code in have:
            continue
        db.session.add(ProgrammeTopic(code=code, name=name, name_en=name_en, position=position,
                                      active=True))
        position += 1
        added += 1
    db.session.flush()
    return added


def _next_position() -> int:
    last = db.session.scalar(select(func.max(ProgrammeTopic.position)))
    return 0 if last is None else last + 1


def all_topics() -> list[ProgrammeTopic]:
    """The whole list in its order, deactivated topics included."""
    return list(db.session.scalars(
        select(ProgrammeTopic).order_by(ProgrammeTopic.position, ProgrammeTopic.id)))


def active_topics() -> list[ProgrammeTopic]:
    return [t for t in all_topics() if t.active]


def topic_choices(keep: list[ProgrammeTopic] = ()) -> list[ProgrammeTopic]:
    """The topics an item may be given: the active ones, and those ``keep`` already has (a
    deactivated topic stays on the items that carry it until someone takes it off)."""
    kept = {t.id for t in keep}
    return [t for t in all_topics() if t.active or t.id in kept]


def topic_usage() -> dict[int, int]:
    """topic id -> how many programme items (not cancelled) carry it, in one grouped query."""
    return dict(db.session.execute(
        select(programme_item_topics.c.topic_id, func.count())
        .join(ProgrammeItem, ProgrammeItem.id == programme_item_topics.c.item_id)
        .where(ProgrammeItem.cancelled_at.is_(None))
        .group_by(programme_item_topics.c.topic_id)).all())


def topics_for_codes(codes, keep: list[ProgrammeTopic] = ()) -> list[ProgrammeTopic]:
    """The topics named by ``codes``, in the list's order. Unknown or deactivated codes (other
    than those ``keep`` has) are refused beside the field ``topics``, naming them."""
    if codes is None:
        return []
    if isinstance(codes, str) or not all(isinstance(c, str) for c in codes):
        raise ValidationFailed(_("Give the topics as a list of codes."), field="topics")
    offered = {t.code: t for t in topic_choices(keep)}
    unknown = sorted({c for c in codes if c not in offered})
    if unknown:
        raise ValidationFailed(
            _("Unknown topic: %(codes)s. Choose topics from the directorate's list.",
              # The quotation marks are the language's («…» in Norwegian).
              codes=", ".join(_("“%(title)s”", title=c[:40]) for c in unknown[:5])),
            field="topics")
    wanted = set(codes)
    return [t for t in offered.values() if t.code in wanted]


# --- the directorate keeps the list ---------------------------------------------------------

def _clean_names(name, name_en, ignore: ProgrammeTopic | None = None) -> tuple[str, str]:
    problems = {}
    name = (name or "").strip()
    name_en = (name_en or "").strip()
    if not name:
        problems["name"] = _("Enter the topic's name in Norwegian.")
    elif len(name) > NAME_MAX:
        problems["name"] = _("The name can be at most %(max)d characters.", max=NAME_MAX)
    elif any(t.name.casefold() == name.casefold() for t in all_topics() if t is not ignore):
        # Two topics of one name could not be told apart on the form or in the report.
        problems["name"] = _("Another topic is already called “%(name)s”.", name=name)
    if len(name_en) > NAME_MAX:
        problems["name_en"] = _("The name can be at most %(max)d characters.", max=NAME_MAX)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return name, name_en


def add_topic(actor, code: str, name: str, name_en: str = "") -> ProgrammeTopic:
    policy.authorize(actor, "topics.manage")
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationFailed(_("Give a code of at most 40 small letters (a–z), digits, “_” "
                                 "or “-”, for example “housing”."), field="code")
    if db.session.scalar(select(ProgrammeTopic.id).where(ProgrammeTopic.code == code)):
        raise ValidationFailed(_("A topic has the code “%(code)s” already.", code=code),
                               field="code")
    name, name_en = _clean_names(name, name_en)
    topic = ProgrammeTopic(code=code, name=name, name_en=name_en, position=_next_position(),
                           active=True)
    db.session.add(topic)
    db.session.flush()
    return topic


def rename_topic(actor, topic: ProgrammeTopic, name: str, name_en: str = "") -> ProgrammeTopic:
    """A new name (the code stays, so links, exports and the API keep working)."""
    policy.authorize(actor, "topics.manage")
    topic.name, topic.name_en = _clean_names(name, name_en, ignore=topic)
    db.session.flush()
    return topic


def set_topic_active(actor, topic: ProgrammeTopic, active: bool) -> ProgrammeTopic:
    """Deactivate (no longer offered for items; kept where it is) or activate again."""
    policy.authorize(actor, "topics.manage")
    topic.active = bool(active)
    db.session.flush()
    return topic


def move_topic(actor, topic: ProgrammeTopic, step: int) -> ProgrammeTopic:
    """Move ``topic`` one place up (``step`` -1) or down (+1) in the list; at either end it
    stays. Positions are renumbered 0, 1, 2 ... on the way."""
    policy.authorize(actor, "topics.manage")
    if step not in (-1, 1):
        raise ValidationFailed(_("Move a topic one place up or down."))
    order = all_topics()
    at = order.index(topic)
    to = at + step
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
    for position, t in enumerate(order):
        t.position = position
    db.session.flush()
    return topic
