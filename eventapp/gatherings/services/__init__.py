"""Gathering workflows, one module per part: the gathering and its status (``gathering``), its
committee, its programme and checks (``programme``), municipal input (``inputs``), calendars
(``calendars``), other events and clashes (``events``).

Services validate, change and flush; the caller commits once. Who may act is the policy's
(``eventapp.core.policy``): each service asks it before changing anything.
"""

from eventapp.gatherings.services.calendars import (
    calendar_gathering_info,
    calendar_item_info,
    gathering_by_calendar_token,
    gathering_ics,
    programme_ics,
)
from eventapp.gatherings.services.committee import (
    add_committee_member,
    committee_users,
    is_committee_member,
    remove_committee_member,
)
from eventapp.gatherings.services.events import (
    CLASH_DAYS,
    MAX_ICS_BYTES,
    OTHER_EVENT_TEXT_MAX,
    add_other_event,
    calendar_years,
    clashes,
    delete_other_event,
    gathering_clashes,
    import_other_events,
    national_calendar,
    other_events,
)
from eventapp.gatherings.services.gathering import (
    EDITABLE,
    MAX_MUNICIPAL_CAP,
    change_status,
    create_gathering,
    lock_gathering,
    status_name,
    update_gathering,
)
from eventapp.gatherings.services.inputs import (
    INPUT_NOTE_MAX,
    INPUT_TEXT_MAX,
    answering_units,
    gathering_inputs,
    input_coverage,
    input_places,
    municipality_inputs,
    review_input,
    submit_input,
)
from eventapp.gatherings.services.programme import (
    ItemData,
    SpeakerData,
    add_item,
    cancel_item,
    change_log,
    local_moment,
    programme_by_day,
    programme_checks,
    programme_for_checks,
    update_item,
)

__all__ = [
    "CLASH_DAYS",
    "EDITABLE",
    "INPUT_NOTE_MAX",
    "INPUT_TEXT_MAX",
    "ItemData",
    "MAX_ICS_BYTES",
    "MAX_MUNICIPAL_CAP",
    "OTHER_EVENT_TEXT_MAX",
    "SpeakerData",
    "add_committee_member",
    "add_item",
    "add_other_event",
    "answering_units",
    "calendar_gathering_info",
    "calendar_item_info",
    "calendar_years",
    "cancel_item",
    "change_log",
    "change_status",
    "clashes",
    "committee_users",
    "create_gathering",
    "delete_other_event",
    "gathering_by_calendar_token",
    "gathering_clashes",
    "gathering_ics",
    "gathering_inputs",
    "import_other_events",
    "input_coverage",
    "input_places",
    "is_committee_member",
    "local_moment",
    "lock_gathering",
    "municipality_inputs",
    "national_calendar",
    "other_events",
    "programme_by_day",
    "programme_checks",
    "programme_for_checks",
    "programme_ics",
    "remove_committee_member",
    "review_input",
    "status_name",
    "submit_input",
    "update_gathering",
    "update_item",
]
