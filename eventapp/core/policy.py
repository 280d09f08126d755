"""Who may do what: every action a user can take or see, named once with its rule.

An action is a name (``survey.export``) and a rule: for each role, how the object must relate
to the user (``OWN_COUNTY``: the object belongs to the user's county; ``ANY``: every object;
...). A role the rule does not name may not. Views, the API, services and templates all ask
the same question::

    can(user, "survey.export", gathering)          # True / False
    authorize(user, "survey.export", gathering)     # raises Forbidden with the rule's message

and every route names its action with ``@requires("survey.export")`` (or ``@public``, for
pages anyone may open, such as a participant's link). Lists are still filtered by
``core.access.scope``: the policy says what a user may *do* with an object they can see.

To add an action: add a line to ``ACTIONS`` below, name it on the route, and add its row to
the hand-written table in ``tests/core/test_policy.py``.

The policy decides *who*; whether the object's state allows the change (a locked report, a
closed survey) stays with the service that changes it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from eventapp.core.access import Role, get_scoped
from eventapp.core.errors import Forbidden, NotFound

# --- how an object relates to the user -------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """A named test of how ``obj`` relates to ``user``; ``needs_object`` is False for a rule
    that holds whatever the object (or with none)."""

    label: str
    test: Callable
    needs_object: bool = True

    def __call__(self, user, obj) -> bool:
        if self.needs_object and obj is None:
            return False
        return bool(self.test(user, obj))


def _county_id(obj) -> int | None:
    """The county an object belongs to: a gathering, a municipality, a contact ... or an id."""
    if isinstance(obj, int) and not isinstance(obj, bool):
        return obj
    return getattr(obj, "county_id", None)


def _gathering(obj):
    return getattr(obj, "gathering", None) or obj


ANY = Relation("any", lambda user, obj: True, needs_object=False)
OWN_COUNTY = Relation(
    "county",
    lambda user, obj: user.county_id is not None and _county_id(obj) == user.county_id)
COMMITTEE = Relation(
    "committee",
    lambda user, obj: any(m.user_id == user.id for m in getattr(_gathering(obj), "committee", ())))
OWN_MUNICIPALITY = Relation(
    "municipality",
    lambda user, obj: (user.municipality_id is not None and user.county_id is not None
                       and _county_id(obj) == user.county_id
                       and getattr(obj, "municipality_id", user.municipality_id)
                       == user.municipality_id))
ASSIGNED_MUNICIPALITY = Relation(
    "assigned",
    lambda user, obj: (user.county_id is not None and _county_id(obj) == user.county_id
                       and any(m.id == getattr(obj, "municipality_id", getattr(obj, "id", None))
                               for m in user.assigned_municipalities)))

# The user wrote the object (an outreach entry's ``user_id``), in their own county.
AUTHOR = Relation(
    "author",
    lambda user, obj: (user.county_id is not None and _county_id(obj) == user.county_id
                       and getattr(obj, "user_id", None) == user.id))


# --- the rules ---------------------------------------------------------------------------------

D, H, C, M = Role.DIRECTORATE, Role.COUNTY_HOST, Role.COUNSELLOR, Role.MUNICIPAL_CONTACT
ROLES = (D, H, C, M)


@dataclass(frozen=True)
class Rule:
    """For each role, the relations of which any one lets it act. ``everyone``: a relation
    that lets any signed-in user act (a committee member of any role)."""

    grants: dict = field(default_factory=dict)
    message: str = ""
    everyone: Relation | None = None

    @property
    def needs_object(self) -> bool:
        relations = [r for rs in self.grants.values() for r in rs]
        if self.everyone is not None:
            relations.append(self.everyone)
        return any(r.needs_object for r in relations)


def rule(message, everyone: Relation | None = None, **by_role) -> Rule:
    """``rule(msg, directorate=ANY, county_host=OWN_COUNTY)``; a tuple gives alternatives."""
    grants = {Role(role): (rel if isinstance(rel, tuple) else (rel,)) for role, rel in by_role.items()}
    return Rule(grants, message, everyone)


# The relations that repeat: the county's host runs it; the county's host and counsellors work
# it; the directorate reviews every county.
HOST = {"county_host": OWN_COUNTY}
COUNTY_STAFF = {"county_host": OWN_COUNTY, "counsellor": OWN_COUNTY}
FOLLOWERS = {"directorate": ANY, **COUNTY_STAFF}
SIGNED_IN = {"directorate": ANY, "county_host": ANY, "counsellor": ANY, "municipal_contact": ANY}

_ONLY_HOST = _l("Only the county's host may do this.")

ACTIONS: dict[str, Rule] = {
    # --- accounts and API tokens ---
    # The caller's own account (the API's whoAmI) and their own API tokens.
    "account.own": rule(_l("Log in to see this page."), **SIGNED_IN),
    "tokens.manage": rule(_l("Log in to see this page."), **SIGNED_IN),
    # The list of accounts and one account's page (the scope keeps a host to their county),
    # and the form that creates one.
    "users.view": rule(_l("Only the directorate and the county hosts manage accounts."),
                       directorate=ANY, county_host=ANY),
    "users.create": rule(_l("Only the directorate and the county hosts manage accounts."),
                         directorate=ANY, county_host=ANY),
    # Who creates (and sends a new activation link to) whom, one action per role
    # (``accounts.services.roles_creatable_by``): the directorate creates county hosts, a county
    # host the counsellors and municipal contacts of their county. The directorate's own accounts
    # come from the command line.
    "users.create_directorate": rule(_l("You may not create accounts with this role.")),
    "users.create_county_host": rule(_l("You may not create accounts with this role."),
                                     directorate=ANY),
    "users.create_counsellor": rule(_l("You may not create accounts with this role."),
                                    county_host=ANY),
    "users.create_municipal_contact": rule(_l("You may not create accounts with this role."),
                                           county_host=ANY),
    # On the counsellor (or, before the lookup, the host's own county).
    "users.assign_municipalities": rule(_l("You may only assign counsellors in your own county."),
                                        county_host=OWN_COUNTY),
    # --- places ---
    # Counties and municipalities are reference data; the scope narrows what each role lists.
    "places.view": rule(_l("Log in to see this page."), **SIGNED_IN),
    # A county's list of municipalities: a municipal contact sees only their own municipality.
    "places.view_county": rule(_l("Only the directorate and the county's staff see a county's "
                                  "municipalities."),
                               directorate=ANY, county_host=ANY, counsellor=ANY),
    "places.import": rule(_l("Only the directorate can do this."), directorate=ANY),
    # Municipality facts per year (IMDi's settlement figures, size classes): the directorate
    # imports them and sets the thresholds; the board's readers and the directorate read them.
    "facts.view": rule(_l("Only the directorate and the county's staff see the municipality "
                          "facts."), directorate=ANY, county_host=ANY, counsellor=ANY),
    "facts.manage": rule(_l("Only the directorate can do this."), directorate=ANY),
    # --- mail ---
    # The mail a user caused (the scope decides which), and trying a failed one again.
    "mail.view": rule(_l("Log in to see this page."), **SIGNED_IN),
    "mail.retry": rule(_l("Log in to see this page."), **SIGNED_IN),
    # --- gatherings and programme ---
    # The scope decides which gatherings a user lists and opens.
    "gathering.list": rule(_l("Log in to see this page."), **SIGNED_IN),
    "gathering.view": rule(_l("Log in to see this page."), **SIGNED_IN),
    # On the county's id (a County is not "of" a county to ``OWN_COUNTY``); the form asks of the
    # host's own.
    "gathering.create": rule(_l("You may only create gatherings for your own county."),
                             county_host=OWN_COUNTY),
    # Details, status, committee and other events.
    "gathering.manage": rule(_ONLY_HOST, **HOST),
    "programme.edit": rule(
        _l("Only the county's host and the programme committee may change the programme."),
        everyone=COMMITTEE, **HOST),
    "calendar.national": rule(_l("Only the directorate can do this."), directorate=ANY),
    # The national list of programme topics (add, rename, reorder, deactivate); everyone who
    # edits a programme picks from it.
    "topics.manage": rule(_l("Only the directorate keeps the list of programme topics."),
                          directorate=ANY),
    # --- municipal input to the programme ---
    # The municipalities' input to the programme: the committee reads and answers it.
    "input.review": rule(
        _l("Only the county's host and the programme committee may review input."),
        everyone=COMMITTEE, **HOST),
    # A signed-in municipal contact answers for their own municipality (anyone else answers
    # through the gathering's input link).
    "input.give": rule(_l("Only a municipal contact in the gathering's county answers for their "
                          "municipality here."), municipal_contact=OWN_MUNICIPALITY),
    # --- invitations, contacts, campaigns, the board ---
    # The object of contacts.*: a contact, a municipality or a county id (the user's own, for
    # the county's list and its import).
    "contacts.read": rule(_l("Only the county's host and career counsellors see the contacts."),
                          **COUNTY_STAFF),
    "contacts.manage": rule(_l("Only the county's host may change the contacts."), **HOST),
    "campaign.view": rule(_l("Only the county's host and career counsellors see the "
                             "invitations."), **COUNTY_STAFF),
    "campaign.send": rule(_ONLY_HOST, **HOST),
    "board.view": rule(_l("Only the county's host and career counsellors may see the "
                          "municipality board."), **FOLLOWERS),
    # On a municipality: outreach, barriers and the next step.
    "board.act_for": rule(_l("Only the county's host and the municipality's contact counsellor "
                             "may note barriers and next steps."),
                          county_host=OWN_COUNTY, counsellor=ASSIGNED_MUNICIPALITY),
    # On an outreach entry: changing or deleting it (its history is kept). The counsellor who
    # wrote it, or the county's host.
    "outreach.edit": rule(_l("Only the counsellor who logged the entry and the county's host "
                             "may change or delete it."),
                          county_host=OWN_COUNTY, counsellor=AUTHOR),
    "public_link.share": rule(_l("Only the county's host and career counsellors, the programme "
                                 "committee and the directorate hand out the public link."),
                              everyone=COMMITTEE, **FOLLOWERS),
    # --- partner organisations ---
    # The county's list of partners (NAV, adult education, IMDi ...) and their contacts: the
    # host keeps it, its counsellors and the directorate read it. On a partner or a county id.
    "partners.view": rule(_l("Only the directorate and the county's host and career counsellors "
                             "see the county's partners."), **FOLLOWERS),
    "partners.manage": rule(_l("Only the county's host may change the county's partners."),
                            **HOST),
    # --- registration, check-in, caps ---
    # The host's list, registering anyone (also after the deadline), swapping any place.
    "registration.manage": rule(_ONLY_HOST, **HOST),
    "registration.list": rule(_l("Only the county's host sees the registrations."),
                              directorate=ANY, **HOST),
    "registration.cancel": rule(_ONLY_HOST, **HOST),
    # Dietary and accessibility needs can reveal health: the venue summary and the exports.
    "registration.needs": rule(_ONLY_HOST, **HOST),
    # Writing to the registered (all, a municipality, the waitlist, day 2) and the record of it.
    "registration.message": rule(_ONLY_HOST, **HOST),
    "registration.municipal": rule(_l("Only a municipal contact registers people for their "
                                      "municipality here."),
                                   municipal_contact=OWN_MUNICIPALITY),
    "checkin.record": rule(_l("Only the county's host and career counsellors run the day: "
                              "check-in and name badges."), **COUNTY_STAFF),
    "badges.print": rule(_l("Only the county's host and career counsellors run the day: "
                            "check-in and name badges."), **COUNTY_STAFF),
    "caps.view": rule(_l("Only the county and the directorate see every municipality's places."),
                      **FOLLOWERS),
    "caps.set": rule(_l("Only the county's host may change the places."), **HOST),
    # --- seating ---
    # The county's career counsellors sit at the tables, so they read the plan; the host makes it.
    "seating.view": rule(_l("Only the county's host and career counsellors see the table plan."),
                         **COUNTY_STAFF),
    "seating.manage": rule(_l("Only the county's host can change the table plan."), **HOST),
    # --- surveys, survey results, reporting ---
    # The county's host runs the survey; its career counsellors and the directorate read it.
    "survey.view": rule(_l("Only the directorate and the county's host and career counsellors "
                           "see the survey."), **FOLLOWERS),
    "survey.manage": rule(_l("Only the county's host can change the survey."), **HOST),
    "survey.template": rule(_l("Only the directorate keeps the national template."),
                            directorate=ANY),
    "survey.results": rule(_l("Only the directorate and the county's host and career "
                              "counsellors see the survey."), **FOLLOWERS),
    # The files leave the app, so only those who answer for the survey take them; counsellors
    # read the page (which hides small groups) but take no copy away.
    "survey.export": rule(_l("Only the directorate and the county's host download the "
                             "survey's results."), directorate=ANY, **HOST),
    "survey.tag": rule(_l("Only the county's host and the directorate can sort answers into "
                          "themes."), directorate=ANY, **HOST),
    # For those who answer for the gatherings, not for counsellors; a host sees the national
    # figures and only their own county's row.
    "survey.compare": rule(_l("The survey comparison is for the directorate and the county "
                              "hosts."), directorate=ANY, county_host=ANY),
    # Every county's rows of the comparison (the page, and the API's whole report).
    "survey.national_report": rule(_l("Only the directorate sees the national survey report."),
                                   directorate=ANY),
    # The grant report: a county's staff see their own county's row, the directorate every one.
    "report.view": rule(_l("The grant reports are for the directorate and the counties."),
                        directorate=ANY, county_host=ANY, counsellor=ANY),
    "report.county": rule(_l("The grant reports are for the directorate and the counties."),
                          **FOLLOWERS),
    # Every county's rows and the counties without a gathering (the page, and the API).
    "report.national": rule(_l("Only the directorate sees the national report."),
                            directorate=ANY),
    # The "most useful items" by programme topic: the directorate over every county, a county
    # host over their own county's gatherings (the scope narrows it).
    "report.topics": rule(_l("The report by programme topic is for the directorate and the "
                             "county hosts."), directorate=ANY, county_host=ANY),
    # --- follow-up ---
    "followup.view": rule(_l("Only the directorate and the county's host and career "
                             "counsellors see the follow-up log."), **FOLLOWERS),
    "followup.edit": rule(_l("Only the county's host can change the follow-up log."), **HOST),
    # The log's answers and actions without its internal notes: also the county's municipal
    # contacts and the gathering's committee, whose input it follows up.
    "followup.read": rule(_l("Only the county's staff, its municipal contacts, the programme "
                             "committee and the directorate read the follow-up log."),
                          everyone=COMMITTEE, municipal_contact=OWN_MUNICIPALITY, **FOLLOWERS),
    # An action's status at the directorate's evaluation meeting, also after the final report.
    "followup.evaluate": rule(_l("Only the directorate and the county's host record the status "
                                 "at the evaluation meeting."), directorate=ANY, **HOST),
    # --- materials ---
    # Slides and handouts of the programme's items: the directorate, the county's host and the
    # programme committee read them (participants through their own link, after the
    # gathering); the host and the committee add and delete them.
    "materials.view": rule(_l("Only the directorate, the county's host and the programme "
                              "committee see the materials."),
                           everyone=COMMITTEE, directorate=ANY, **HOST),
    "materials.manage": rule(_l("Only the county's host and the programme committee add "
                                "slides and handouts."), everyone=COMMITTEE, **HOST),
    # A table's group-work notes and the host's and the directorate's own notes: theirs only.
    "materials.notes": rule(_l("Only the county's host and the directorate see the notes."),
                            directorate=ANY, **HOST),
    # --- grants, budget, final report ---
    # Municipal contacts see the gathering but not its accounts.
    "grant.view": rule(_l("Only the directorate and the county's host and career counsellors "
                          "see the grant."), **FOLLOWERS),
    "grant.apply": rule(_l("Only the county's host can do this."), **HOST),
    "grant.decide": rule(_l("Only the directorate can do this."), directorate=ANY),
    "grant.rules": rule(_l("Only the directorate can do this."), directorate=ANY),
    "budget.edit": rule(_l("Only the county's host can do this."), **HOST),
    "final_report.edit": rule(_l("Only the county's host can do this."), **HOST),
    "final_report.review": rule(_l("Only the directorate can do this."), directorate=ANY),
    "personal_data.purge": rule(_l("Only the county's host can do this."), **HOST),
    # --- the directorate in planning ---
    # The conversation per gathering between the county's hosts and the directorate: only they
    # read and write it (everyone else gets 404, as if it were not there).
    "dialogue.view": rule(_l("Only the county's host and the directorate see the "
                             "conversation."), directorate=ANY, **HOST),
    "dialogue.comment": rule(_l("Only the county's host and the directorate see the "
                                "conversation."), directorate=ANY, **HOST),
    "programme.quality_assure": rule(_l("Only the directorate can do this."), directorate=ANY),
    # Other counties' published programmes, read only (the page lists other counties' only),
    # and copying one of their items into a gathering of the host's own county.
    "programmes.browse": rule(_l("Only the county hosts read other counties' programmes here."),
                              county_host=ANY),
    "programmes.copy_item": rule(_l("You may only copy items into your own county's "
                                    "gatherings."), county_host=OWN_COUNTY),
    # The directorate's evaluation meeting with the organisers, shown to the county's host.
    "evaluation.view": rule(_l("Only the county's host and the directorate see the evaluation "
                               "meeting."), directorate=ANY, **HOST),
    "evaluation.record": rule(_l("Only the directorate can do this."), directorate=ANY),
}


# --- asking ------------------------------------------------------------------------------------

def rule_for(action: str) -> Rule:
    try:
        return ACTIONS[action]
    except KeyError:
        raise LookupError(f"no such action in the policy: {action!r}") from None


def can(user, action: str, obj=None, *, record: bool = True) -> bool:
    """May ``user`` do ``action`` on ``obj``? Anonymous users may do nothing here: pages for
    anyone are marked ``@public`` instead. Templates pass ``record=False``: what a page shows
    or hides does not count as the route having asked for its own action."""
    rule_ = rule_for(action)
    if record:
        _checked(action)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if any(relation(user, obj) for relation in rule_.grants.get(user.role, ())):
        return True
    return rule_.everyone is not None and rule_.everyone(user, obj)


def authorize(user, action: str, obj=None) -> None:
    """Raise ``Forbidden`` (403, with the rule's message) unless ``user`` may."""
    if not can(user, action, obj):
        raise Forbidden(str(rule_for(action).message))


def actor():
    """Who is acting in this request: the API token's user, else the signed-in user."""
    return g.get("api_user") or current_user


def load(model, ident, action: str | None = None, *, missing: str | None = None):
    """The object for a route: ``NotFound`` (404, with ``missing`` as its message) outside the
    actor's scope, ``Forbidden`` (403) when the policy says no to ``action`` (by default the
    route's own)."""
    user = actor()
    obj = get_scoped(model, ident, user)
    if obj is None:
        raise NotFound(str(missing or _l("Not found.")))
    authorize(user, action or g.policy_action, obj)
    return obj


def _checked(action: str) -> None:
    if has_app_context():  # not in a command or a test of the rule itself
        g.setdefault("policy_checked", set()).add(action)


# --- routes ------------------------------------------------------------------------------------

def guarded(view, action: str):
    """``view`` run under ``action``: a rule that needs no object is checked before the view,
    one that does when the view loads its object (``load``) or asks ``authorize``. With
    ``POLICY_STRICT`` (the tests) a view that answers without having asked fails loudly."""
    rule_ = rule_for(action)

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.policy_action = action
        if not rule_.needs_object:
            authorize(actor(), action)
        response = view(*args, **kwargs)
        if current_app.config.get("POLICY_STRICT") and action not in g.get("policy_checked", ()):
            raise AssertionError(f"{view.__module__}.{view.__name__} names {action!r} "
                                 "but never asked the policy")
        return response

    wrapped.policy_action = action
    return wrapped


def requires(action: str):
    """Name an HTML route's action; the user must be signed in (else the login page)."""
    rule_for(action)  # a misspelt action fails where the route is declared

    def decorator(view):
        wrapped = login_required(guarded(view, action))
        wrapped.policy_action = action
        return wrapped

    return decorator


def public(view):
    """Mark a route open to anyone on purpose (a participant's link, the login page)."""
    view.policy_action = PUBLIC
    return view


PUBLIC = "public"


def action_of(view) -> str | None:
    return getattr(view, "policy_action", None)


def matrix() -> dict[str, dict[str, str]]:
    """action -> role -> the relations that let the role act ('-' for none), for the test that
    compares the policy with a table written by hand."""
    table = {}
    for name, rule_ in sorted(ACTIONS.items()):
        row = {}
        for role in ROLES:
            labels = [r.label for r in rule_.grants.get(role, ())]
            if rule_.everyone is not None:
                labels.append(rule_.everyone.label)
            row[str(role)] = " or ".join(labels) or "-"
        table[name] = row
    return table
