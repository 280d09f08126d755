"""The gathering's overview by phase: planning, invitations, registration, the days, afterwards.

Each phase has a state (done, now, later) from the gathering's status and dates, and the facts
and next steps the features report for it. The figures live in features above ``gatherings``
(registrations, the board, the grant), which this module may not import, so each of them
registers a *provider* at app start (``register_phase_provider``, called from the feature's
``__init__``): a function ``(gathering, viewer) -> iterable of PhaseFacts`` that returns only what
the viewer may see, in a fixed number of queries however many registrations or municipalities
there are. The gathering's own facts (the checklist, the status) come from ``gathering_facts``
below, registered here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from eventapp.core import policy
from eventapp.core.time import OSLO, utcnow
from eventapp.gatherings.models import Gathering

PHASES = ("planning", "invitations", "registration", "days", "afterwards")
STATES = ("done", "now", "later")


def phase_title(phase: str) -> str:
    return {"planning": _("Planning"), "invitations": _("Invitations"),
            "registration": _("Registration"), "days": _("The days"),
            "afterwards": _("Afterwards")}.get(phase, phase)


def state_label(state: str) -> str:
    return {"done": _("Done"), "now": _("Now"), "later": _("Later")}.get(state, state)


@dataclass(frozen=True)
class Fact:
    """One figure: ``value`` as shown; with ``total``, ``count`` of ``total`` also as a meter."""

    label: str
    value: str
    count: int | None = None
    total: int | None = None
    # "ok" (nothing to do), "warn" (needs attention) or "" (neutral).
    tone: str = ""


@dataclass(frozen=True)
class Step:
    """Where to do the next thing. ``primary`` steps lead the "what now" list (check-in)."""

    label: str
    url: str
    primary: bool = False


@dataclass
class PhaseFacts:
    """What one feature says about one phase; ``order`` sorts the features within a phase."""

    phase: str
    facts: list[Fact] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    order: int = 50


@dataclass
class Phase:
    key: str
    state: str
    facts: list[Fact] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def title(self) -> str:
        return phase_title(self.key)

    @property
    def state_label(self) -> str:
        return state_label(self.state)


Provider = Callable[[Gathering, object], Iterable[PhaseFacts]]
_providers: list[Provider] = []


def register_phase_provider(provider: Provider) -> Provider:
    """Add a feature's provider (once, however often the app is built); usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def providers() -> tuple[Provider, ...]:
    return tuple(_providers)


def oslo_today() -> date:
    return utcnow().astimezone(OSLO).date()


def phase_states(gathering: Gathering, today: date | None = None) -> dict[str, str]:
    """Each phase's state from the status and the dates: a gathering in draft is being planned;
    an open one invites until its first day and registers until its last; the days are now
    while the calendar says so; afterwards begins when they are over (or it is marked held)
    and ends with the report."""
    today = today or oslo_today()
    status = gathering.status
    started, ended = today >= gathering.start_date, today > gathering.end_date
    over = ended or status in ("held", "reported")
    draft = status == "draft"
    return {
        "planning": "now" if draft else "done",
        "invitations": "later" if draft else "now" if status == "open" and not started
        else "done",
        "registration": "later" if draft else "now" if status == "open" and not ended
        else "done",
        "days": "done" if over else "now" if started else "later",
        "afterwards": "done" if status == "reported" else "now" if over else "later",
    }


def overview(gathering: Gathering, viewer, today: date | None = None) -> list[Phase]:
    """Every phase in order, with what each registered provider says of it for ``viewer``."""
    states = phase_states(gathering, today)
    collected: dict[str, list[PhaseFacts]] = {key: [] for key in PHASES}
    for provider in _providers:
        for part in provider(gathering, viewer) or ():
            if part.phase in collected:
                collected[part.phase].append(part)
    phases = []
    for key in PHASES:
        parts = sorted(collected[key], key=lambda p: p.order)
        phases.append(Phase(key, states[key], [f for p in parts for f in p.facts],
                            [s for p in parts for s in p.steps]))
    return phases


def next_steps(phases: list[Phase]) -> list[tuple[Phase, Step]]:
    """What to do now: the steps of the phases under way, primary ones (check-in) first."""
    steps = [(phase, step) for phase in phases if phase.state == "now" for step in phase.steps]
    return sorted(steps, key=lambda pair: not pair[1].primary)


def of(count: int, total: int) -> str:
    return _("%(count)d of %(total)d", count=count, total=total)


def _can(viewer, action: str, gathering: Gathering) -> bool:
    # What the page shows or hides does not count as the route asking for its action.
    return policy.can(viewer, action, gathering, record=False)


@register_phase_provider
def gathering_facts(gathering: Gathering, viewer) -> list[PhaseFacts]:
    """The checklist and the programme (planning), and moving the status on (the host)."""
    from eventapp.gatherings.services import programme_checks

    checks = programme_checks(gathering)
    passed = sum(1 for c in checks if c.ok)
    items = len(gathering.active_items)
    planning = PhaseFacts("planning", order=10, facts=[
        Fact(_("Checklist"), of(passed, len(checks)), passed, len(checks),
             "ok" if passed == len(checks) else "warn"),
        Fact(_("Programme"), ngettext("%(num)d item", "%(num)d items", items),
             tone="" if items else "warn"),
        Fact(_("Committee"), ngettext("%(num)d member", "%(num)d members",
                                      len(gathering.committee))),
    ])
    editor = _can(viewer, "programme.edit", gathering)
    if editor and not items:
        planning.steps.append(Step(_("Add the programme"),
                                   url_for("gatherings.programme", gathering_id=gathering.id)))
    if passed < len(checks):
        planning.steps.append(Step(
            _("See what the checklist misses (%(num)d)", num=len(checks) - passed),
            url_for("gatherings.checks", gathering_id=gathering.id)))
    parts = [planning]
    if _can(viewer, "gathering.manage", gathering):
        status_url = url_for("gatherings.show", gathering_id=gathering.id) + "#status"
        if gathering.status == "draft":
            planning.steps.append(Step(_("Open the gathering for registration"), status_url))
        elif gathering.status == "open" and gathering.registration_closes \
                and oslo_today() > gathering.registration_closes:
            parts.append(PhaseFacts("registration", order=90, steps=[
                Step(_("Close registration"), status_url)]))
        if gathering.status in ("open", "closed") and oslo_today() > gathering.end_date:
            parts.append(PhaseFacts("afterwards", order=10, steps=[
                Step(_("Mark the gathering as held"), status_url)]))
    return parts
