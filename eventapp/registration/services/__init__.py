"""Registration: services, by what they do. The names other features, the views and the tests
use are re-exported here, so ``from eventapp.registration import services`` keeps working.

- ``registering``: the form's data, whether registration is open, taking a place under the cap
  locks, the private link.
- ``waitlist``: cancelling and promoting the first on the waitlist.
- ``caps``: each municipality's places and the pool; the host changes a municipality's cap.
- ``hosting``: the host's list and registrations, a municipal contact's own municipality.
- ``changes``: a swap to a colleague; the registrant's own changes.
- ``day``: lists, the venue summary, exports, badges and check-in.
- ``purge``: deleting a gathering's personal data.
"""

from eventapp.registration.services.caps import (
    CapLine,
    cap_lines,
    cap_overview,
    cap_status,
    set_municipality_cap,
    unit_by_number,
)
from eventapp.registration.services.changes import (
    OwnChanges,
    PersonData,
    editable,
    swap,
    update_own,
)
from eventapp.registration.services.day import (
    DayCount,
    NeedGroup,
    VenueSummary,
    attendance_days,
    checkin_counts,
    confirmed_registrations,
    default_checkin_day,
    export_csv,
    export_table,
    export_xlsx,
    normalise_need,
    public_participants,
    record_attendance,
    registration_for_the_day,
    safe_cell,
    venue_summary,
)
from eventapp.registration.services.hosting import (
    COUNTY_STAFF_ROLES,
    Delegation,
    chosen_registrations,
    delegation_check,
    host_cancel,
    host_promote,
    host_register,
    host_registrations,
    mix_hints,
    municipal_cancel,
    municipal_register,
    municipal_registration,
    own_unit,
    registration_for_host,
    unit_registrations,
)
from eventapp.registration.services.purge import purge_personal_data
from eventapp.registration.services.registering import (
    LIVE,
    RegistrationData,
    cap_row,
    ensure_unreported,
    register,
    registration_by_token,
    registration_open,
    registration_units,
)
from eventapp.registration.services.waitlist import cancel, promote_waitlist, waitlist_position

__all__ = [
    "COUNTY_STAFF_ROLES", "CapLine", "DayCount", "Delegation", "LIVE", "NeedGroup", "OwnChanges",
    "PersonData", "RegistrationData", "VenueSummary", "attendance_days", "cancel",
    "cap_lines", "cap_overview", "cap_row", "cap_status", "checkin_counts", "confirmed_registrations",
    "default_checkin_day", "delegation_check", "editable", "ensure_unreported", "export_csv",
    "export_table", "export_xlsx", "host_cancel", "host_promote", "host_register",
    "host_registrations", "chosen_registrations", "mix_hints", "municipal_cancel", "municipal_register",
    "municipal_registration", "normalise_need", "own_unit",
    "promote_waitlist", "public_participants", "purge_personal_data",
    "record_attendance", "register", "registration_by_token", "registration_for_host",
    "registration_for_the_day", "registration_open", "registration_units", "safe_cell",
    "set_municipality_cap", "swap", "unit_by_number", "unit_registrations", "update_own",
    "venue_summary", "waitlist_position",
]
