"""The national list of programme topics, and topics on the demo's programme items.

The demo programmes are written as titles (``gatherings.DEMO_PROGRAMME``, ``surveys.PROGRAMME``);
here their items get the topics a committee would give them, by words in the titles. That is
the demo's shortcut, not how the app decides topics: the committee picks them on the form.
Items that have topics are left alone, so running it again changes nothing.
"""

import re

from sqlalchemy import select

from eventapp.extensions import db

# (pattern in the title, lower case) -> topic codes
RULES = (
    (r"hk-dir|rammene|integreringsloven", ("legal_framework",)),
    (r"kartlegging|notat", ("competence_mapping",)),
    (r"samarbeid|kommunene|hvem gjør hva|i vår region", ("county_municipality",)),
    (r"ukrain|flyktninger: |hvem er de", ("refugee_groups",)),
    (r"(?<!voksen)opplæring|utdanning|kurs", ("training_education",)),
    (r"realkompetanse|godkjenning", ("prior_learning",)),
    (r"\bnav\b", ("nav_measures",)),
    (r"voksenopplæring", ("adult_education",)),
    (r"brukermedvirkning|å komme som flyktning", ("user_involvement",)),
    (r"erfaringsdeling|erfaringer fra", ("municipal_experience",)),
)


def topics_for_title(title: str) -> list[str]:
    text = title.lower()
    codes: list[str] = []
    for pattern, found in RULES:
        if re.search(pattern, text):
            codes += [c for c in found if c not in codes]
    return codes


def demo_topics() -> None:
    """Load the suggested topics, then tag every demo item that has none."""
    from eventapp.gatherings.models import ProgrammeItem, ProgrammeTopic
    from eventapp.gatherings.services import seed_topics

    seed_topics()
    by_code = {t.code: t for t in db.session.scalars(select(ProgrammeTopic))}
    for item in db.session.scalars(select(ProgrammeItem).order_by(ProgrammeItem.id)):
        if item.topics or item.kind in ("break", "meal", "social_dinner"):
            continue
        item.topics = [by_code[c] for c in topics_for_title(item.title) if c in by_code]
    db.session.flush()
