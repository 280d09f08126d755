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
    "own county",
    lambda user, obj: user.county_id is not None and _county_id(obj) == user.county_id)
COMMITTEE = Relation(
    "committee member",
    lambda user, obj: any(m.user_id == user.id for m in getattr(_gathering(obj), "committee", ())))
OWN_MUNICIPALITY = Relation(
    "own municipality",
    lambda user, obj: (user.municipality_id is not None and user.county_id is not None
                       and _county_id(obj) == user.county_id
                       and getattr(obj, "municipality_id", user.municipality_id)
                       == user.municipality_id))
ASSIGNED_MUNICIPALITY = Relation(
    "assigned municipality",
    lambda user, obj: (user.county_id is not None and _county_id(obj) == user.county_id
                       and any(m.id == getattr(obj, "municipality_id", getattr(obj, "id", None))
                               for m in user.assigned_municipalities)))
OWN = Relation("own", lambda user, obj: getattr(obj, "user_id", None) == user.id)


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
    "account.own": rule(_l("Sign in first."), **SIGNED_IN),
    "users.list": rule(_ONLY_HOST, directorate=ANY, county_host=ANY),
    "users.manage": rule(_ONLY_HOST, directorate=ANY, county_host=OWN_COUNTY),
    "users.assign_municipalities": rule(_ONLY_HOST, county_host=OWN_COUNTY),
    "tokens.manage": rule(_l("Sign in first."), **SIGNED_IN),
    # --- places ---
    "places.view": rule(_l("Sign in first."), **SIGNED_IN),
    "places.import": rule(_l("Only the directorate can import place lists."), directorate=ANY),
    # --- mail ---
    "mail.view": rule(_l("Sign in first."), **SIGNED_IN),
    # --- gatherings and programme ---
    "gathering.list": rule(_l("Sign in first."), **SIGNED_IN),
    "gathering.create": rule(_l("Only a county host can create a gathering."), county_host=ANY),
    "gathering.view": rule(_l("Sign in first."), **SIGNED_IN),
    "gathering.manage": rule(_ONLY_HOST, **HOST),
    "programme.edit": rule(
        _l("Only the county's host and the programme committee may change the programme."),
        everyone=COMMITTEE, **HOST),
    "calendar.national": rule(_l("Only the directorate sees the national calendar."), directorate=ANY),
    # --- home, accounts, places, mail, api, gatherings, programme (more) ---
    # --- invitations, contacts, campaigns, the board ---
    # --- registration, check-in, caps ---
    # --- seating ---
    # --- surveys, survey results, reporting ---
    # --- follow-up ---
    # --- grants, budget, final report ---
}


# --- asking ------------------------------------------------------------------------------------

def rule_for(action: str) -> Rule:
    try:
        return ACTIONS[action]
    except KeyError:
        raise LookupError(f"no such action in the policy: {action!r}") from None


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj``? Anonymous users may do nothing here: pages for
    anyone are marked ``@public`` instead."""
    rule_ = rule_for(action)
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
            row[str(role)] = " | ".join(labels) or "-"
        table[name] = row
    return table
