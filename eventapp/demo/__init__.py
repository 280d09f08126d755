"""The demo's data: a user per role, a county with a gathering, its committee, programme and
municipal input, its invitation campaign and grant application, and three years (2024–2026) of
gatherings in several counties with their accounts, surveys, follow-up logs and reports, the
counties' partner organisations, made-up settlement figures per municipality and topics on the
programme items. Safe to run again.

One module per part, each building on those it imports and none importing back: ``places``
and ``accounts`` first, the current gathering (``gatherings``) and its campaign
(``invitations``), the made-up municipality facts (``facts``, before any survey is answered),
then the played years (``grants`` with ``plans`` and ``earlier``, which plays each gathering
through with ``partners``, ``surveys`` and ``followup``), and last the items' ``topics``.
Features never import the demo; ``cli`` calls ``demo_setup``.
"""

from flask import current_app

from eventapp.demo.accounts import DEMO_PASSWORD, DEMO_USERS, demo_user, demo_users
from eventapp.demo.dialogue import demo_dialogue
from eventapp.demo.facts import demo_facts
from eventapp.demo.gatherings import DEMO_PROGRAMME, demo_gathering, demo_webinar
from eventapp.demo.grants import demo_grants, previous_year_hosts
from eventapp.demo.invitations import demo_campaign
from eventapp.demo.materials import demo_materials
from eventapp.demo.places import load_places
from eventapp.demo.seating import demo_seating
from eventapp.demo.topics import demo_topics
from eventapp.extensions import db

__all__ = ["DEMO_PASSWORD", "DEMO_PROGRAMME", "DEMO_USERS", "demo_setup", "previous_year_hosts"]


def demo_setup() -> list[tuple[str, str, str]]:
    """Everything the demo needs; running it again changes nothing that exists."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)
    load_places()
    logins = demo_users()
    host, counsellor, municipal = demo_user(1), demo_user(2), demo_user(3)
    gathering = demo_gathering(host, counsellor, municipal)
    demo_campaign(gathering, host)
    demo_seating(gathering, host)
    demo_facts(demo_user(0))
    demo_grants(host, demo_user(0), gathering)
    demo_topics()
    demo_materials(gathering, host)
    demo_dialogue(host, demo_user(0), gathering)
    demo_webinar(host)
    db.session.commit()
    return logins
