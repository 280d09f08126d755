"""The policy: every route names its action (or is public on purpose), and the rules read as the
table below, written out by hand, so a rule changed by accident fails here.

Each cell says which relation of the object to the user lets the role act: ``any`` (every
object), ``county`` (the object is of the user's county), ``municipality`` (of the user's own
municipality), ``assigned`` (a municipality assigned to the counsellor), ``author`` (the user
wrote it), ``committee`` (the user sits on the gathering's programme committee), ``-``
(never). Change a rule in ``eventapp/core/policy.py`` and this table together, on purpose.
"""

from types import SimpleNamespace

import pytest
from flask import Flask, g

from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.errors import DomainError

TABLE = """
action                         | directorate      | county host         | counsellor          | municipal
account.own                    | any              | any                 | any                 | any
badges.print                   | -                | county              | county              | -
board.act_for                  | -                | county              | assigned            | -
board.view                     | any              | county              | county              | -
budget.edit                    | -                | county              | -                   | -
calendar.national              | any              | -                   | -                   | -
campaign.send                  | -                | county              | -                   | -
campaign.view                  | -                | county              | county              | -
caps.set                       | -                | county              | -                   | -
caps.view                      | any              | county              | county              | -
checkin.record                 | -                | county              | county              | -
contacts.manage                | -                | county              | -                   | -
contacts.read                  | -                | county              | county              | -
dialogue.comment               | any              | county              | -                   | -
dialogue.view                  | any              | county              | -                   | -
evaluation.record              | any              | -                   | -                   | -
evaluation.view                | any              | county              | -                   | -
facts.manage                   | any              | -                   | -                   | -
facts.view                     | any              | any                 | any                 | -
final_report.edit              | -                | county              | -                   | -
final_report.review            | any              | -                   | -                   | -
followup.edit                  | -                | county              | -                   | -
followup.evaluate              | any              | county              | -                   | -
followup.read                  | any or committee | county or committee | county or committee | municipality or committee
followup.view                  | any              | county              | county              | -
gathering.create               | -                | county              | -                   | -
gathering.list                 | any              | any                 | any                 | any
gathering.manage               | -                | county              | -                   | -
gathering.view                 | any              | any                 | any                 | any
grant.apply                    | -                | county              | -                   | -
grant.decide                   | any              | -                   | -                   | -
grant.rules                    | any              | -                   | -                   | -
grant.view                     | any              | county              | county              | -
input.give                     | -                | -                   | -                   | municipality
input.review                   | committee        | county or committee | committee           | committee
mail.retry                     | any              | any                 | any                 | any
mail.view                      | any              | any                 | any                 | any
materials.manage               | committee        | county or committee | committee           | committee
materials.notes                | any              | county              | -                   | -
materials.view                 | any or committee | county or committee | committee           | committee
outreach.edit                  | -                | county              | author              | -
partners.manage                | -                | county              | -                   | -
partners.view                  | any              | county              | county              | -
personal_data.purge            | -                | county              | -                   | -
places.import                  | any              | -                   | -                   | -
places.view                    | any              | any                 | any                 | any
places.view_county             | any              | any                 | any                 | -
programme.edit                 | committee        | county or committee | committee           | committee
programme.quality_assure       | any              | -                   | -                   | -
programmes.browse              | -                | any                 | -                   | -
programmes.copy_item           | -                | county              | -                   | -
public_link.share              | any or committee | county or committee | county or committee | committee
registration.cancel            | -                | county              | -                   | -
registration.list              | any              | county              | -                   | -
registration.manage            | -                | county              | -                   | -
registration.message           | -                | county              | -                   | -
registration.municipal         | -                | -                   | -                   | municipality
registration.needs             | -                | county              | -                   | -
report.county                  | any              | county              | county              | -
report.national                | any              | -                   | -                   | -
report.topics                  | any              | any                 | -                   | -
report.view                    | any              | any                 | any                 | -
seating.manage                 | -                | county              | -                   | -
seating.view                   | -                | county              | county              | -
survey.compare                 | any              | any                 | -                   | -
survey.export                  | any              | county              | -                   | -
survey.manage                  | -                | county              | -                   | -
survey.national_report         | any              | -                   | -                   | -
survey.results                 | any              | county              | county              | -
survey.tag                     | any              | county              | -                   | -
survey.template                | any              | -                   | -                   | -
survey.view                    | any              | county              | county              | -
tokens.manage                  | any              | any                 | any                 | any
topics.manage                  | any              | -                   | -                   | -
users.assign_municipalities    | -                | county              | -                   | -
users.create                   | any              | any                 | -                   | -
users.create_counsellor        | -                | any                 | -                   | -
users.create_county_host       | any              | -                   | -                   | -
users.create_directorate       | -                | -                   | -                   | -
users.create_municipal_contact | -                | any                 | -                   | -
users.view                     | any              | any                 | -                   | -
"""

ROLES = ("directorate", "county_host", "counsellor", "municipal_contact")


def _expected() -> dict[str, dict[str, str]]:
    rows = [line for line in TABLE.strip().splitlines()[1:] if line.strip()]
    table = {}
    for line in rows:
        action, *cells = (cell.strip() for cell in line.split("|"))
        table[action] = dict(zip(ROLES, cells, strict=True))
    return table


def unnamed_endpoints(app: Flask) -> list[str]:
    """Endpoints that name no action and are not marked public, or name one the policy lacks."""
    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        action = policy.action_of(app.view_functions[rule.endpoint])
        if action is None:
            problems.append(f"{rule.endpoint} ({rule.rule}) names no action")
        elif action != policy.PUBLIC and action not in policy.ACTIONS:
            problems.append(f"{rule.endpoint} ({rule.rule}) names unknown action {action!r}")
    return sorted(problems)


def test_every_route_names_its_action_or_is_public(app):
    assert unnamed_endpoints(app) == []
    # and the API's routes too: they are registered on the same map
    assert any(rule.rule.startswith("/api/v1/") for rule in app.url_map.iter_rules())


def test_a_route_that_names_no_action_is_listed():
    bare = Flask(__name__)
    bare.add_url_rule("/forgotten", "forgotten", lambda: "")
    bare.add_url_rule("/open", "open", policy.public(lambda: ""))
    bare.add_url_rule("/named", "named", policy.requires("survey.export")(lambda: ""))
    assert unnamed_endpoints(bare) == ["forgotten (/forgotten) names no action"]
    with pytest.raises(LookupError):  # a misspelt action fails when the route is declared
        policy.requires("survey.exprot")


def test_the_rules_read_as_the_table():
    assert policy.matrix() == _expected()


def test_a_rule_changed_by_accident_shows_in_the_table(monkeypatch):
    counsellors_too = policy.rule("", directorate=policy.ANY, county_host=policy.OWN_COUNTY,
                                  counsellor=policy.OWN_COUNTY)
    monkeypatch.setitem(policy.ACTIONS, "survey.export", counsellors_too)
    assert policy.matrix() != _expected()
    assert policy.matrix()["survey.export"]["counsellor"] == "county"


def _user(role, county_id=1, municipality_id=None, assigned=(), user_id=7):
    return SimpleNamespace(is_authenticated=True, role=Role(role), county_id=county_id,
                           municipality_id=municipality_id, id=user_id,
                           assigned_municipalities=[SimpleNamespace(id=m) for m in assigned])


def _gathering(county_id=1, committee=()):
    return SimpleNamespace(county_id=county_id,
                           committee=[SimpleNamespace(user_id=u) for u in committee])


def test_relations_read_the_object():
    host, other_host = _user("county_host"), _user("county_host", county_id=2)
    assert policy.can(host, "survey.export", _gathering())
    assert not policy.can(other_host, "survey.export", _gathering())
    assert policy.can(_user("directorate", county_id=None), "survey.export", _gathering(5))
    assert not policy.can(_user("counsellor"), "survey.export", _gathering())
    # an object rule without its object says no
    assert not policy.can(host, "survey.export", None)
    # committee members of any role edit the programme of their gathering only
    member = _user("municipal_contact", municipality_id=3, user_id=42)
    assert policy.can(member, "programme.edit", _gathering(committee=[42]))
    assert not policy.can(member, "programme.edit", _gathering(committee=[41]))
    # a counsellor acts for their assigned municipalities in their own county
    counsellor = _user("counsellor", assigned=[11])
    assert policy.can(counsellor, "board.act_for", SimpleNamespace(id=11, county_id=1))
    assert not policy.can(counsellor, "board.act_for", SimpleNamespace(id=12, county_id=1))
    assert not policy.can(counsellor, "board.act_for", SimpleNamespace(id=11, county_id=2))
    # a counsellor changes the outreach entries they wrote, in their own county; the host any
    entry = SimpleNamespace(county_id=1, user_id=7)
    assert policy.can(counsellor, "outreach.edit", entry)
    assert not policy.can(counsellor, "outreach.edit", SimpleNamespace(county_id=1, user_id=8))
    assert not policy.can(counsellor, "outreach.edit", SimpleNamespace(county_id=2, user_id=7))
    assert policy.can(host, "outreach.edit", SimpleNamespace(county_id=1, user_id=8))
    # a municipal contact registers for their own municipality, in their county
    contact = _user("municipal_contact", municipality_id=3)
    assert policy.can(contact, "registration.municipal", _gathering())
    assert not policy.can(contact, "registration.municipal", _gathering(2))
    assert not policy.can(contact, "registration.municipal", SimpleNamespace(county_id=1,
                                                                             municipality_id=4))
    anonymous = SimpleNamespace(is_authenticated=False)
    assert not policy.can(anonymous, "gathering.view")
    with pytest.raises(LookupError):
        policy.can(host, "no.such.action")


def test_authorize_refuses_with_the_rules_message(app):
    with pytest.raises(DomainError) as refused:
        policy.authorize(_user("counsellor"), "survey.export", _gathering())
    assert refused.value.status == 403
    assert refused.value.message == str(policy.ACTIONS["survey.export"].message)


def test_a_route_that_never_asks_the_policy_fails_under_strict():
    bare = Flask(__name__)
    bare.config.update(TESTING=True, POLICY_STRICT=True)

    @bare.before_request
    def act_as_a_host():
        g.api_user = _user("county_host")

    def forgets():
        return "data"

    def asks():
        policy.authorize(policy.actor(), "survey.export", _gathering())
        return "data"

    bare.add_url_rule("/forgets", "forgets", policy.guarded(forgets, "survey.export"))
    bare.add_url_rule("/asks", "asks", policy.guarded(asks, "survey.export"))
    client = bare.test_client()
    with pytest.raises(AssertionError, match="never asked the policy"):
        client.get("/forgets")
    assert client.get("/asks").status_code == 200
