"""The survey's workflows: the national template (``template``), a gathering's survey and its
questions (``survey``), collecting answers by mail and QR code (``collecting``), answering
anonymously (``answering``) and the results (``results``), on the survey's calendar
(``dates``) and its answer options (``options``). Functions flush, never commit.

Anonymity: ``invite`` hands back tokens it does not store. The invitation keeps sha256(token)
to find itself from the link; the response keeps HMAC-SHA256(SECRET_KEY, token) so the same
link can edit it. With the database alone the two cannot be joined.
"""

from datetime import date

from eventapp.surveys.services import dates
from eventapp.surveys.services.answering import (
    MAX_SHORT_TEXT,
    Access,
    access_for,
    edit_key,
    group_of,
    saved_answers,
    submit,
    text_limit,
    token_hash,
    token_like,
)
from eventapp.surveys.services.collecting import (
    collection_figures,
    invite,
    invitees,
    mail_sender,
    open_due,
    pending_invitations,
    qr_image,
    qr_svg_inline,
    qr_url,
    reminder_recipients,
    send_invitations,
    send_reminders,
    unanswered,
)
from eventapp.surveys.services.dates import (
    DEFAULT_OPEN_DAYS,
    FIRST_YEAR,
    LAST_YEAR,
    default_closes_on,
    invites_from,
    opens_from,
    parse_year,
)
from eventapp.surveys.services.options import (
    AGREEMENT_OPTIONS,
    SETTLES_CODE,
    SETTLES_OPTIONS,
    programme_options,
)
from eventapp.surveys.services.results import (
    MIN_GROUP,
    Selection,
    agreement_figures,
    hidden_cells,
    national_figures,
    national_report,
    results,
    select_responses,
)
from eventapp.surveys.services.survey import (
    add_question,
    close_survey,
    find_survey,
    open_survey,
    refresh_programme,
    remove_question,
    response_count,
    survey_for,
)
from eventapp.surveys.services.template import (
    NATIONAL_DEFAULTS,
    TEMPLATE_VERSIONS,
    add_national_question,
    national_template,
    remove_national_question,
    template_changes,
    update_national_question,
)


def today() -> date:
    """Today in Oslo, as ``dates.today`` gives it to every module here (the tests set it
    there)."""
    return dates.today()


__all__ = [
    "AGREEMENT_OPTIONS",
    "DEFAULT_OPEN_DAYS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_SHORT_TEXT",
    "MIN_GROUP",
    "NATIONAL_DEFAULTS",
    "SETTLES_CODE",
    "SETTLES_OPTIONS",
    "TEMPLATE_VERSIONS",
    "Access",
    "Selection",
    "access_for",
    "add_national_question",
    "add_question",
    "agreement_figures",
    "close_survey",
    "collection_figures",
    "dates",
    "default_closes_on",
    "edit_key",
    "find_survey",
    "group_of",
    "hidden_cells",
    "invite",
    "invitees",
    "invites_from",
    "mail_sender",
    "national_figures",
    "national_report",
    "national_template",
    "open_due",
    "open_survey",
    "opens_from",
    "parse_year",
    "pending_invitations",
    "programme_options",
    "qr_image",
    "qr_svg_inline",
    "qr_url",
    "refresh_programme",
    "reminder_recipients",
    "remove_national_question",
    "remove_question",
    "response_count",
    "results",
    "saved_answers",
    "select_responses",
    "send_invitations",
    "send_reminders",
    "submit",
    "survey_for",
    "template_changes",
    "text_limit",
    "today",
    "token_hash",
    "token_like",
    "unanswered",
    "update_national_question",
]
