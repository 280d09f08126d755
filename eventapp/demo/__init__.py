"""The demo's data: a user per role, a county with a gathering, its committee, programme and
municipal input, its invitation campaign and grant application, and the previous year's
gatherings of six counties with their accounts, surveys, follow-up logs and reports. Safe to
run again.

One module per part, each building on those it imports and none importing back: ``places``
and ``accounts`` first, the current gathering (``gatherings``) and its campaign
(``invitations``), then the previous year (``grants``, which plays each gathering through with
``surveys`` and ``followup``). Features never import the demo; ``cli`` calls ``demo_setup``.
"""

from flask import current_app

from eventapp.demo.accounts import DEMO_PASSWORD, DEMO_USERS, demo_user, demo_users
from eventapp.demo.gatherings import DEMO_PROGRAMME, demo_gathering
from eventapp.demo.grants import demo_grants, previous_year_hosts
from eventapp.demo.invitations import demo_campaign
from eventapp.demo.places import load_places
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
    demo_grants(host, demo_user(0), gathering)
    db.session.commit()
    return logins
