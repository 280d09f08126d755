"""Mail to the county's hosts about their grant: a decision, a reviewed report, a purge due."""

from sqlalchemy import select

from eventapp.core.access import Role
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering


def _hosts(gathering: Gathering) -> list:
    from eventapp.accounts.models import User

    return list(db.session.scalars(select(User).where(
        User.county_id == gathering.county_id, User.role == Role.COUNTY_HOST,
        User.active.is_(True)).order_by(User.id)))


def host_count(gathering: Gathering) -> int:
    """How many hosts a mail about the gathering's grant goes to (the confirmation says so)."""
    return len(_hosts(gathering))


def mail_hosts(gathering: Gathering, kind: str, template: str, endpoint: str, actor=None,
               **context) -> int:
    """Queue ``template`` to each active host of the gathering's county, with a link to
    ``endpoint``; sent after commit, like all mail."""
    from eventapp.core.web import external_url
    from eventapp.mail.services import queue_template

    hosts = _hosts(gathering)
    link = external_url(endpoint, gathering_id=gathering.id)
    for host in hosts:
        queue_template(kind, template, to=host.email, to_name=host.name, locale=host.language,
                       created_by=actor, county_id=gathering.county_id, gathering=gathering,
                       link=link, **context)
    return len(hosts)

