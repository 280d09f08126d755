"""Programme checks: HK-dir's learning points about a good programme, as advice to the committee.

A pure module: plain data in (``Programme``), plain data out (``Check``); no Flask, no database.
``eventapp.gatherings.services.programme_checks`` maps a gathering's rows to a ``Programme`` and
hands in Flask-Babel's ``gettext``. The checks advise; nothing here ever refuses a change.

Translation: every check takes a ``gettext``-like callable ``_(msgid, **params) -> str`` and
writes its texts as ``_("literal %(name)s", name=...)``, so pybabel extracts them from this file
like any other. Without one, the English texts are filled in with ``%`` (``english``).

The rules, made precise (cancelled items are never passed in; times are Oslo wall-clock times;
"content" items are all but breaks, meals and the social dinner):

``directorate_framework``
    A talk or a panel has a speaker whose organisation kind is ``directorate`` (HK-dir on its
    role and the legal framework, integreringsloven § 11, was on every gathering's programme).
``municipal_experience``
    A talk, panel or experience-sharing item has a speaker from a municipality (organisation
    kind ``municipality``). An experience-sharing item with no municipal speaker does not count;
    the message names it.
``small_municipality``
    The model does not know how big a municipality is, but a municipality says so itself in its
    programme input ("we are a small municipality"). So one of the municipal-experience items
    above must be (a) linked to a municipal input that said it is small, or (b) have a municipal
    speaker whose organisation names a municipality that said so in its input (a whole-word
    match without regard to case, e.g. "Solund kommune" for Solund; for names with several
    language forms, "Kåfjord - Gáivuotna - Kaivuono", any form counts).
``refugee_background_voice``
    Some content item has a speaker of kind ``refugee_background`` (user involvement was valued).
``social_dinner_day_one``
    An item of kind ``social_dinner`` on day 1 starts at 17:00 or later.
``group_work_both_days``
    Every day of the gathering has a ``group_work`` item, and the group work is spread over at
    least two sessions. A session is a run of group work on one day with no other content item
    starting between its parts: breaks and meals do not split a session, a talk does. (On a
    two-day gathering, group work on both days is already two sessions.)
``questions_after_talks``
    Every ``talk`` has minutes for questions (``question_minutes > 0``), or the next item in the
    same room on the same day starts at most 15 minutes after the talk ends and is a plenary
    discussion, a panel or group work (discussion at the tables counts as discussion). With no
    talks at all the check has nothing to complain about.
``nav_or_adult_education``
    Some content item has a speaker of kind ``nav`` or ``adult_education``.
``municipal_committee_member``
    At least one member of the programme committee works in a municipality.
``refugee_groups``
    Some content item carries the programme topic ``refugee_groups`` (refugee groups, Ukraine
    and Ukrainians: the talks participants most often found useful). Topics, not words in
    titles: the directorate keeps the list (``ProgrammeTopic``), the committee tags the items.
``imdi_competence_mapping``
    Some content item carries the topic ``competence_mapping`` and has a speaker of kind
    ``imdi``. An item on the topic without IMDi, or IMDi on another topic, is named.
``icebreaker_day_one``
    An item of kind ``icebreaker`` on day 1 (one on day 2 only is named, to be moved).
``overview_then_depth``
    On a gathering of two days or more: day 1 gives the overview, i.e. a day-1 item carries the
    topic ``legal_framework`` or is a talk or panel with a speaker of kind ``directorate``; and
    day 2 goes deeper, i.e. a day-2 item of kind group work, experience sharing, panel or
    plenary discussion carries a topic that some day-1 content item carries too. A one-day
    gathering has nothing to split and passes.

Statsforvalteren (the County Governor) is an organisation kind of its own
(``statsforvalteren``), so a host records it as such rather than as "other"; no check demands
it.

Each ``Check`` carries ``fix``, a key the view turns into a link: ``"programme"`` (the programme
editor), ``"committee"`` (the committee page), ``"inputs"`` (the committee's view of municipal
input) or ``"item:<id>"`` (edit that item); and ``items``, the items the message is about.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

# Items that are not part of the content of the programme.
NOT_CONTENT = frozenset({"break", "meal", "social_dinner"})
FRAMEWORK_KINDS = frozenset({"talk", "panel"})
SHARING_KINDS = frozenset({"talk", "panel", "experience_sharing"})
DISCUSSION_KINDS = frozenset({"plenary_discussion", "panel", "group_work"})
# A session of group work is split only by content; these do not split it.
DOES_NOT_SPLIT_GROUP_WORK = frozenset({"group_work", "break", "meal"})
QUESTIONS_GAP = timedelta(minutes=15)
DINNER_FROM = time(17, 0)

CODES = (
    "directorate_framework", "municipal_experience", "small_municipality",
    "refugee_background_voice", "social_dinner_day_one", "group_work_both_days",
    "questions_after_talks", "nav_or_adult_education", "municipal_committee_member",
    "refugee_groups", "imdi_competence_mapping", "icebreaker_day_one", "overview_then_depth",
)
# The programme topics (``ProgrammeTopic.code``) the checks read; codes never change.
REFUGEE_GROUPS = "refugee_groups"
COMPETENCE_MAPPING = "competence_mapping"
LEGAL_FRAMEWORK = "legal_framework"
# Working forms in which day two goes deeper into day one's topics.
DEEPER_KINDS = frozenset({"group_work", "experience_sharing", "panel", "plenary_discussion"})

Translate = Callable[..., str]


def english(msgid: str, **params) -> str:
    """The untranslated text, filled in the way gettext fills it."""
    return msgid % params if params else msgid


@dataclass(frozen=True)
class Speaker:
    name: str
    organisation: str = ""
    kind: str = "other"


@dataclass(frozen=True)
class Item:
    """One (not cancelled) programme item, in Oslo wall-clock time on day 1 or 2."""

    id: int | None
    day: int
    start: time
    end: time
    kind: str
    title: str
    room: str = ""
    question_minutes: int = 0
    speakers: tuple[Speaker, ...] = ()
    # Linked to a municipal input in which the municipality said it is small.
    linked_to_small_municipality: bool = False
    # The codes of its programme topics.
    topics: tuple[str, ...] = ()

    @property
    def room_key(self) -> str:
        return " ".join(self.room.lower().split())

    def speaker_kinds(self) -> set[str]:
        return {s.kind for s in self.speakers}


@dataclass(frozen=True)
class Programme:
    days: int
    items: tuple[Item, ...] = ()
    committee_size: int = 0
    municipal_members: int = 0
    # Municipalities that said in their input that they are small (names as in the register).
    small_municipalities: tuple[str, ...] = ()
    # (code, name) of the programme topics, in the user's language, for the messages.
    topic_names: tuple[tuple[str, str], ...] = ()

    def topic_name(self, code: str) -> str:
        return dict(self.topic_names).get(code, code)


@dataclass(frozen=True)
class ItemRef:
    id: int | None
    title: str


@dataclass(frozen=True)
class Check:
    code: str
    ok: bool
    label: str
    message: str
    fix: str | None = None
    items: tuple[ItemRef, ...] = field(default=())


def run_checks(programme: Programme, gettext: Translate = english) -> list[Check]:
    """Every check, in a fixed order (``CODES``)."""
    _ = gettext
    items = sorted(programme.items, key=lambda i: (i.day, i.start, i.end, i.id or 0))
    sharing = [i for i in items if i.kind in SHARING_KINDS and "municipality" in i.speaker_kinds()]
    return [
        _directorate(items, _),
        _municipal_experience(items, sharing, _),
        _small_municipality(sharing, programme.small_municipalities, _),
        _refugee_voice(items, _),
        _social_dinner(items, _),
        _group_work(items, programme.days, _),
        _questions(items, _),
        _nav_or_adult_education(items, _),
        _committee(programme, _),
        _refugee_groups(items, programme, _),
        _imdi_competence_mapping(items, programme, _),
        _icebreaker(items, _),
        _overview_then_depth(items, programme, _),
    ]


def _ref(item: Item) -> ItemRef:
    return ItemRef(item.id, item.title)


def _item_fix(item: Item) -> str:
    return f"item:{item.id}" if item.id is not None else "programme"


def _titles(items, _: Translate) -> str:
    # The quotation marks are the language's: «…» in Norwegian.
    return ", ".join(_("“%(title)s”", title=i.title) for i in items)


def _directorate(items: list[Item], _: Translate) -> Check:
    code, label = "directorate_framework", _("The directorate presents the framework")
    with_directorate = [i for i in items if "directorate" in i.speaker_kinds()]
    framework = [i for i in with_directorate if i.kind in FRAMEWORK_KINDS]
    if framework:
        return Check(code, True, label, _("HK-dir speaks in %(titles)s.", titles=_titles(framework, _)),
                     items=tuple(map(_ref, framework)))
    if with_directorate:
        first = with_directorate[0]
        return Check(code, False, label, _(
            "HK-dir takes part in %(titles)s, but has no talk or panel. Make HK-dir's part a talk "
            "on its role and the legal framework (integreringsloven § 11).",
            titles=_titles(with_directorate, _)), _item_fix(first), tuple(map(_ref, with_directorate)))
    return Check(code, False, label, _(
        "No talk or panel has a speaker from the directorate. Add HK-dir's talk on its role and "
        "the legal framework (integreringsloven § 11), with a speaker of the organisation kind "
        "“%(kind)s”.", kind=_("The directorate (HK-dir)")), "programme")


def _municipal_experience(items: list[Item], sharing: list[Item], _: Translate) -> Check:
    code, label = "municipal_experience", _("Municipalities share their experience")
    if sharing:
        return Check(code, True, label, _("Municipalities share their experience in %(titles)s.",
                                          titles=_titles(sharing, _)), items=tuple(map(_ref, sharing)))
    unnamed = [i for i in items if i.kind == "experience_sharing"]
    if unnamed:
        return Check(code, False, label, _(
            "No speaker from a municipality in %(titles)s. Add the municipal speakers, with the "
            "organisation kind “%(kind)s”.", titles=_titles(unnamed, _), kind=_("Municipality")),
            _item_fix(unnamed[0]), tuple(map(_ref, unnamed)))
    return Check(code, False, label, _(
        "No municipality shares its experience. Add an experience-sharing item (or a talk or "
        "panel) with speakers from municipalities."), "programme")


def _name_forms(name: str) -> list[str]:
    return [form.strip().lower() for form in name.split(" - ") if form.strip()]


def _names_small(organisation: str, small: tuple[str, ...]) -> bool:
    text = organisation.lower()
    return any(re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text)
               for name in small for form in _name_forms(name))


def _small_municipality(sharing: list[Item], small: tuple[str, ...], _: Translate) -> Check:
    code, label = "small_municipality", _("A small municipality shares its experience")
    found = [i for i in sharing if i.linked_to_small_municipality or any(
        s.kind == "municipality" and _names_small(s.organisation, small) for s in i.speakers)]
    if found:
        return Check(code, True, label, _("A small municipality shares its experience in %(titles)s.",
                                          titles=_titles(found, _)), items=tuple(map(_ref, found)))
    if not sharing:
        return Check(code, False, label, _(
            "No municipality shares its experience yet. When you add municipalities that do, "
            "include a small one among them."),
            "programme")
    if small:
        return Check(code, False, label, _(
            "None of the municipalities sharing experience is known to be small. %(names)s said in "
            "their input that they are small: invite one of them, and link its input to the item.",
            names=", ".join(small)), "inputs", tuple(map(_ref, sharing)))
    return Check(code, False, label, _(
        "None of the municipalities sharing experience is known to be small. Invite a small "
        "municipality to share, and link the item to its input where it says it is small."),
        "programme", tuple(map(_ref, sharing)))


def _refugee_voice(items: list[Item], _: Translate) -> Check:
    code, label = "refugee_background_voice", _("Someone with refugee background speaks")
    found = [i for i in items if i.kind not in NOT_CONTENT
             and "refugee_background" in i.speaker_kinds()]
    if found:
        return Check(code, True, label, _("Someone with refugee background speaks in %(titles)s.",
                                          titles=_titles(found, _)), items=tuple(map(_ref, found)))
    return Check(code, False, label, _(
        "Nobody with refugee background speaks. Invite someone with refugee background to a talk, "
        "a panel or experience sharing, with the organisation kind “%(kind)s”: participants "
        "valued hearing them.", kind=_("Person with refugee background")), "programme")


def _social_dinner(items: list[Item], _: Translate) -> Check:
    code, label = "social_dinner_day_one", _("Social dinner on the evening of day one")
    dinners = [i for i in items if i.kind == "social_dinner"]
    good = [i for i in dinners if i.day == 1 and i.start >= DINNER_FROM]
    if good:
        return Check(code, True, label, _("%(titles)s starts at %(time)s on day 1.",
                                          titles=_titles(good[:1], _), time=good[0].start.strftime("%H:%M")),
                     items=(_ref(good[0]),))
    if dinners:
        dinner = dinners[0]
        if dinner.day != 1:
            message = _("%(titles)s is on day %(day)d. Move it to the evening of day one (from 17:00).",
                        titles=_titles([dinner], _), day=dinner.day)
        else:
            message = _("%(titles)s starts at %(time)s. Move it to the evening of day one (from 17:00).",
                        titles=_titles([dinner], _), time=dinner.start.strftime("%H:%M"))
        return Check(code, False, label, message, _item_fix(dinner), (_ref(dinner),))
    return Check(code, False, label, _(
        "There is no social dinner. Add a social dinner with a cultural element on the evening of "
        "day one: every gathering had one."), "programme")


def _group_work_sessions(items: list[Item]) -> list[list[Item]]:
    sessions: list[list[Item]] = []
    current: list[Item] | None = None
    day = None
    for item in items:  # sorted by day and start
        if item.day != day:
            day, current = item.day, None
        if item.kind == "group_work":
            if current is None:
                current = []
                sessions.append(current)
            current.append(item)
        elif item.kind not in DOES_NOT_SPLIT_GROUP_WORK:
            current = None
    return sessions


def _group_work(items: list[Item], days: int, _: Translate) -> Check:
    code = "group_work_both_days"
    label = (_("Group work on both days, not in one block") if days > 1
             else _("Group work in more than one session"))
    sessions = _group_work_sessions(items)
    if not sessions:
        message = (_("There is no group work. Plan group work at the tables on both days.") if days > 1
                   else _("There is no group work. Plan group work at the tables in two sessions."))
        return Check(code, False, label, message, "programme")
    with_group_work = {s[0].day for s in sessions}
    missing = [d for d in range(1, days + 1) if d not in with_group_work]
    if missing:
        return Check(code, False, label, _(
            "There is no group work on day %(days)s. Spread the group work across both days "
            "instead of one block.", days=", ".join(map(str, missing))), "programme",
            tuple(_ref(i) for s in sessions for i in s))
    if len(sessions) < 2:
        first = sessions[0][0]
        return Check(code, False, label, _(
            "All group work is in one block (%(titles)s). Split it into two sessions with other "
            "items between them.", titles=_titles(sessions[0], _)), _item_fix(first),
            tuple(map(_ref, sessions[0])))
    return Check(code, True, label, _("Group work in %(n)d sessions, on every day.", n=len(sessions)),
                 items=tuple(_ref(s[0]) for s in sessions))


def _moment(item: Item, clock: time) -> datetime:
    return datetime.combine(date(2000, 1, item.day), clock)


def _discussed_after(talk: Item, items: list[Item]) -> bool:
    following = [i for i in items if i is not talk and i.day == talk.day
                 and i.room_key == talk.room_key and i.start >= talk.end]
    if not following:
        return False
    nxt = min(following, key=lambda i: (i.start, i.end))
    gap = _moment(nxt, nxt.start) - _moment(talk, talk.end)
    return gap <= QUESTIONS_GAP and nxt.kind in DISCUSSION_KINDS


def _questions(items: list[Item], _: Translate) -> Check:
    code, label = "questions_after_talks", _("Time for questions after every talk")
    talks = [i for i in items if i.kind == "talk"]
    if not talks:
        return Check(code, True, label, _("There are no talks yet."))
    lacking = [t for t in talks if t.question_minutes <= 0 and not _discussed_after(t, items)]
    if not lacking:
        return Check(code, True, label, _("Every talk (%(n)d) leaves time for questions or "
                                          "discussion.", n=len(talks)))
    return Check(code, False, label, _(
        "No time for questions or discussion after %(titles)s. Set minutes for questions, or "
        "follow the talk with a plenary discussion, a panel or group work.",
        titles=_titles(lacking, _)),
        _item_fix(lacking[0]) if len(lacking) == 1 else "programme", tuple(map(_ref, lacking)))


def _nav_or_adult_education(items: list[Item], _: Translate) -> Check:
    code, label = "nav_or_adult_education", _("NAV or adult education takes part")
    found = [i for i in items if i.kind not in NOT_CONTENT
             and i.speaker_kinds() & {"nav", "adult_education"}]
    if found:
        return Check(code, True, label, _("NAV or adult education speaks in %(titles)s.",
                                          titles=_titles(found, _)), items=tuple(map(_ref, found)))
    return Check(code, False, label, _(
        "Neither NAV nor adult education is on the programme. Invite them to speak about their "
        "measures and courses (organisation kind “%(nav)s” or “%(adult)s”).", nav=_("NAV"),
        adult=_("Adult education")), "programme")


def _committee(programme: Programme, _: Translate) -> Check:
    code, label = "municipal_committee_member", _("A municipal member on the committee")
    if programme.municipal_members > 0:
        return Check(code, True, label, _("Members from municipalities: %(n)d of %(total)d.",
                                          n=programme.municipal_members,
                                          total=programme.committee_size))
    if programme.committee_size == 0:
        return Check(code, False, label, _(
            "The committee has no members yet. Add county staff and at least one person from a "
            "municipality's refugee service: they make the programme relevant to municipalities."),
            "committee")
    return Check(code, False, label, _(
        "No member of the committee works in a municipality. Add someone from a municipality's "
        "refugee service: they make the programme relevant to municipalities."), "committee")


def _content(items: list[Item]) -> list[Item]:
    return [i for i in items if i.kind not in NOT_CONTENT]


def _refugee_groups(items: list[Item], programme: Programme, _: Translate) -> Check:
    code, label = "refugee_groups", _("Knowledge about refugee groups")
    found = [i for i in _content(items) if REFUGEE_GROUPS in i.topics]
    if found:
        return Check(code, True, label, _("Refugee groups are the topic of %(titles)s.",
                                          titles=_titles(found, _)), items=tuple(map(_ref, found)))
    return Check(code, False, label, _(
        "No item has the topic “%(topic)s”. Add a talk on who the refugees are now, from "
        "Ukraine and elsewhere, and what they need, and give it that topic: participants found "
        "such talks among the most useful.", topic=programme.topic_name(REFUGEE_GROUPS)),
        "programme")


def _imdi_competence_mapping(items: list[Item], programme: Programme, _: Translate) -> Check:
    code = "imdi_competence_mapping"
    label = _("IMDi on competence mapping and the counsellor's note")
    topic = programme.topic_name(COMPETENCE_MAPPING)
    content = _content(items)
    on_topic = [i for i in content if COMPETENCE_MAPPING in i.topics]
    with_imdi = [i for i in on_topic if "imdi" in i.speaker_kinds()]
    if with_imdi:
        return Check(code, True, label, _("IMDi speaks on competence mapping in %(titles)s.",
                                          titles=_titles(with_imdi, _)),
                     items=tuple(map(_ref, with_imdi)))
    if on_topic:
        return Check(code, False, label, _(
            "%(titles)s has the topic “%(topic)s”, but no speaker from IMDi. Invite IMDi to "
            "present the competence mapping and how the counsellor's note is passed on "
            "(organisation kind “%(kind)s”).", titles=_titles(on_topic, _), topic=topic,
            kind=_("IMDi")), _item_fix(on_topic[0]), tuple(map(_ref, on_topic)))
    imdi = [i for i in content if "imdi" in i.speaker_kinds()]
    if imdi:
        return Check(code, False, label, _(
            "IMDi speaks in %(titles)s, but no item has the topic “%(topic)s”. If IMDi covers "
            "competence mapping and the counsellor's note there, give the item that topic.",
            titles=_titles(imdi, _), topic=topic), _item_fix(imdi[0]), tuple(map(_ref, imdi)))
    return Check(code, False, label, _(
        "Nobody presents competence mapping and the counsellor's note. Invite IMDi to a talk on "
        "it, and give the item the topic “%(topic)s”.", topic=topic), "programme")


def _icebreaker(items: list[Item], _: Translate) -> Check:
    code, label = "icebreaker_day_one", _("An icebreaker on day one")
    icebreakers = [i for i in items if i.kind == "icebreaker"]
    first_day = [i for i in icebreakers if i.day == 1]
    if first_day:
        return Check(code, True, label, _("%(titles)s on day 1.", titles=_titles(first_day, _)),
                     items=tuple(map(_ref, first_day)))
    if icebreakers:
        late = icebreakers[0]
        return Check(code, False, label, _(
            "%(titles)s is on day %(day)d. Move it to day one, early, so the people at each "
            "table know each other before the group work.", titles=_titles([late], _),
            day=late.day), _item_fix(late), (_ref(late),))
    return Check(code, False, label, _(
        "There is no icebreaker. Start day one with an icebreaker at the tables (the kind "
        "“%(kind)s”), so people know each other before the group work.",
        kind=_("Icebreaker or role play")), "programme")


def _gives_overview(item: Item) -> bool:
    return LEGAL_FRAMEWORK in item.topics or (
        item.kind in FRAMEWORK_KINDS and "directorate" in item.speaker_kinds())


def _overview_then_depth(items: list[Item], programme: Programme, _: Translate) -> Check:
    code, label = "overview_then_depth", _("Day one gives the overview, day two goes deeper")
    if programme.days < 2:
        return Check(code, True, label, _("The gathering has one day: nothing to split."))
    content = _content(items)
    overview = [i for i in content if _gives_overview(i)]
    first = [i for i in overview if i.day == 1]
    if not first:
        if overview:
            return Check(code, False, label, _(
                "The overview (%(titles)s) comes after day one. Give the framework and the "
                "overview on day one, and go deeper on day two.", titles=_titles(overview, _)),
                _item_fix(overview[0]), tuple(map(_ref, overview)))
        return Check(code, False, label, _(
            "Day one has no overview: no talk or panel from the directorate and no item with "
            "the topic “%(topic)s”. Open day one with the framework and the overview.",
            topic=programme.topic_name(LEGAL_FRAMEWORK)), "programme")
    day_one_topics = {t for i in content if i.day == 1 for t in i.topics}
    working = [i for i in content if i.day >= 2 and i.kind in DEEPER_KINDS]
    deeper = [i for i in working if day_one_topics & set(i.topics)]
    if deeper:
        return Check(code, True, label, _(
            "Day one gives the overview in %(overview)s; day two goes deeper in %(titles)s.",
            overview=_titles(first, _), titles=_titles(deeper, _)),
            items=tuple(map(_ref, first + deeper)))
    return Check(code, False, label, _(
        "Day two does not go deeper into day one's topics: no group work, experience sharing, "
        "panel or discussion after day one has a topic from day one. Give those items their "
        "topics, and take day one's themes further at the tables."),
        _item_fix(working[0]) if working else "programme", tuple(map(_ref, working)))


# --- the directorate's quality assurance ------------------------------------------------------
# Not a check: HK-dir's judgement of the programme as a whole, which the checklist shows above
# the checks. The dialogue feature sets the mark on the gathering and hands it in here.

@dataclass(frozen=True)
class QualityMark:
    on: date
    by: str
    # The programme has changed after the mark was set.
    changed_since: bool = False


def quality_note(mark: QualityMark | None, gettext: Translate = english,
                 format_day: Callable[[date], str] = date.isoformat) -> str:
    """The checklist's line on the directorate's quality assurance."""
    _ = gettext
    if mark is None:
        return _("The directorate has not yet marked the programme quality assured.")
    day = format_day(mark.on)
    text = (_("Quality assured by the directorate (%(who)s) on %(day)s.", who=mark.by, day=day)
            if mark.by else _("Quality assured by the directorate on %(day)s.", day=day))
    if mark.changed_since:
        text += " " + _("The programme has changed since.")
    return text
