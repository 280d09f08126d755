"""Invitations: services, by what they do. The names other features, the views, the demo and
the tests use are re-exported here, so ``from eventapp.invitations import services`` keeps
working.

- ``contacts``: the county's contacts by municipality; ``contact_import``: from a file.
- ``texts``: a campaign's text and placeholders; ``campaigns``: creating, sending, reminding.
- ``states``: where each municipality stands (not reached, reached, registered).
- ``board``: the municipality board and its labels; ``municipality``: one municipality's page.
- ``outreach``: the outreach log and the follow-up (barriers, offers, next step).
- ``channels``: the channel report, the public link and its QR code.
- ``links``: the invitation behind a personal link; ``purge``: clearing invitations.

A municipality's cap is registration's: ``set_municipality_cap`` is re-exported from there.
"""

from eventapp.invitations.services.board import (
    BOARD_OFFERS,
    BOARD_SORTS,
    BOARD_STATES,
    BoardRow,
    ChannelUse,
    barrier_label,
    board_channel_label,
    board_offers,
    board_role_label,
    board_rows,
    board_sender_label,
    board_state_counts,
    board_status_label,
    board_unit,
    board_units,
    offer_label,
    outreach_channel_label,
    registration_channel_label,
    search_board,
)
from eventapp.invitations.services.campaigns import (
    CAMPAIGN_ATTACHMENT,
    CAMPAIGN_BODY_MAX,
    CAMPAIGN_SENDER_NAME_MAX,
    CAMPAIGN_SUBJECT_MAX,
    REMINDER_PAUSE,
    CampaignSendCounts,
    CampaignSendPlan,
    active_contact_count,
    campaign_partners,
    campaign_progress,
    campaign_recipients,
    campaign_send_plan,
    county_counsellors,
    create_campaign,
    latest_reminder,
    reminder_targets,
    send_campaign,
    send_reminder,
    units_without_contacts,
)
from eventapp.invitations.services.channels import (
    channel_report,
    public_link_qr,
    public_link_svg_inline,
    public_registration_url,
)
from eventapp.invitations.services.contact_import import (
    CONTACT_IMPORT_MAX_AGE,
    CONTACT_IMPORT_MAX_BYTES,
    CONTACT_IMPORT_MAX_ROWS,
    ContactImportPlan,
    ContactRow,
    apply_contact_import,
    contact_role_code,
    load_contact_import,
    plan_contact_import,
    sign_contact_import,
)
from eventapp.invitations.services.contacts import (
    add_contact,
    contact_counsellors,
    contact_places,
    contact_role_label,
    list_contacts,
    normalise_contact_email,
    set_contact_active,
    update_contact,
)
from eventapp.invitations.services.links import invitation_by_token
from eventapp.invitations.services.municipality import municipality_detail
from eventapp.invitations.services.outreach import (
    BARRIER_OTHER_MAX,
    NEXT_STEP_MAX,
    OUTREACH_NOTE_MAX,
    delete_outreach,
    edit_outreach,
    follow_up_row,
    log_outreach,
    outreach_entry,
    outreach_history,
    outreach_log,
    outreach_units,
    save_follow_up,
)
from eventapp.invitations.services.purge import purge_invitations
from eventapp.invitations.services.states import (
    LIVE_REGISTRATION,
    MUNICIPALITY_STATES,
    NOT_REACHED,
    REACHED,
    REGISTERED,
    municipality_state_label,
    municipality_states,
)
from eventapp.invitations.services.texts import (
    CAMPAIGN_PLACEHOLDER_ALIASES,
    CAMPAIGN_PLACEHOLDERS,
    DEFAULT_INVITATION_BODY,
    DEFAULT_INVITATION_SUBJECT,
    DEFAULT_REMINDER_BODY,
    DEFAULT_REMINDER_SUBJECT,
    campaign_dates,
    campaign_placeholder_help,
    campaign_sample_recipient,
    campaign_text_problem,
    campaign_values,
    default_campaign_texts,
    default_sender_name,
    render_campaign_text,
)
from eventapp.registration.services import set_municipality_cap

__all__ = [
    "purge_invitations",
    "BARRIER_OTHER_MAX", "BOARD_OFFERS", "BOARD_STATES", "CAMPAIGN_ATTACHMENT", "CAMPAIGN_BODY_MAX",
    "CAMPAIGN_PLACEHOLDERS", "CAMPAIGN_SENDER_NAME_MAX", "CAMPAIGN_SUBJECT_MAX",
    "CONTACT_IMPORT_MAX_AGE", "CONTACT_IMPORT_MAX_BYTES", "CONTACT_IMPORT_MAX_ROWS",
    "DEFAULT_INVITATION_BODY", "DEFAULT_INVITATION_SUBJECT", "DEFAULT_REMINDER_BODY",
    "DEFAULT_REMINDER_SUBJECT", "LIVE_REGISTRATION", "MUNICIPALITY_STATES", "NEXT_STEP_MAX",
    "NOT_REACHED", "OUTREACH_NOTE_MAX", "REACHED", "REGISTERED", "REMINDER_PAUSE", "BoardRow",
    "CampaignSendCounts", "ChannelUse", "ContactImportPlan", "ContactRow", "add_contact",
    "apply_contact_import", "barrier_label", "board_channel_label", "board_offers",
    "board_role_label", "board_rows", "board_sender_label", "board_state_counts",
    "search_board", "BOARD_SORTS",
    "board_status_label", "board_unit", "board_units", "campaign_dates", "campaign_progress",
    "campaign_recipients", "campaign_sample_recipient", "campaign_text_problem", "campaign_values",
    "channel_report", "contact_counsellors", "contact_places", "contact_role_code",
    "contact_role_label", "county_counsellors", "create_campaign", "default_campaign_texts",
    "default_sender_name", "follow_up_row", "invitation_by_token", "latest_reminder",
    "list_contacts", "load_contact_import", "log_outreach", "municipality_detail",
    "municipality_state_label", "municipality_states", "normalise_contact_email", "offer_label",
    "outreach_channel_label", "outreach_log", "outreach_units", "plan_contact_import",
    "public_link_qr", "public_link_svg_inline", "public_registration_url",
    "registration_channel_label", "reminder_targets", "render_campaign_text", "save_follow_up",
    "send_campaign", "send_reminder", "set_contact_active", "set_municipality_cap",
    "sign_contact_import", "update_contact",
    "CAMPAIGN_PLACEHOLDER_ALIASES", "CampaignSendPlan", "active_contact_count",
    "campaign_placeholder_help", "campaign_send_plan", "units_without_contacts",
    "delete_outreach", "edit_outreach", "outreach_entry", "outreach_history",
    "campaign_partners",
]
