"""The options a question offers: the agreement scale, what the municipality settles, the
gathering's programme items, and the options a host or the directorate types in."""

from flask_babel import gettext as _

from eventapp.core.errors import ValidationFailed
from eventapp.gatherings.models import Gathering

# Programme items that are not content: nobody is asked whether lunch was useful.
NOT_CONTENT = ("break", "meal")
SETTLES_CODE = "settles"

# The five points HK-dir's evaluation asked with (2023-2025), and the "don't know" a later
# template may add: the scale of a year is the template's, so a year that did not offer "Vet
# ikke" shows none (see template.TEMPLATE_VERSIONS).
AGREEMENT_FIVE = [
    {"value": "helt_enig", "label": "Helt enig", "label_en": "Strongly agree"},
    {"value": "delvis_enig", "label": "Delvis enig", "label_en": "Partly agree"},
    {"value": "noytral", "label": "Nøytral", "label_en": "Neutral"},
    {"value": "delvis_uenig", "label": "Delvis uenig", "label_en": "Partly disagree"},
    {"value": "helt_uenig", "label": "Helt uenig", "label_en": "Strongly disagree"},
]
DONT_KNOW_OPTION = {"value": "vet_ikke", "label": "Vet ikke", "label_en": "Don't know"}
# Every value the scale has had in any year: what results and exports label answers by.
AGREEMENT_OPTIONS = [*AGREEMENT_FIVE, DONT_KNOW_OPTION]

SETTLES_ASKED = [
    {"value": "ordinary", "label": "Ordinære flyktninger", "label_en": "Ordinary refugees"},
    {"value": "ukrainian", "label": "Flyktninger fra Ukraina", "label_en": "Refugees from Ukraine"},
    {"value": "both", "label": "Begge deler", "label_en": "Both"},
]
NO_SETTLING_OPTION = {"value": "none", "label": "Ingen / jobber ikke i en kommune",
                      "label_en": "None / I do not work in a municipality"}
# Every value the settles question has had in any year (the results' filter offers them all).
SETTLES_OPTIONS = [*SETTLES_ASKED, NO_SETTLING_OPTION]


def programme_options(gathering: Gathering) -> list[dict]:
    """The gathering's live programme items that carry content, as choice options."""
    return [{"value": f"item-{item.id}", "label": item.title, "label_en": item.title}
            for item in gathering.active_items if item.kind not in NOT_CONTENT]


def _split_label(option) -> tuple[object, object]:
    """An option's Norwegian and English labels: a dict's, or a line typed as
    "norsk | english" (no bar: the same label in both)."""
    if isinstance(option, dict):
        return option.get("label", ""), option.get("label_en")
    if isinstance(option, str) and "|" in option:
        label, _bar, label_en = option.partition("|")
        return label, label_en
    return option, None


def clean_options(options, field: str) -> list[dict]:
    if not isinstance(options, list) or len(options) < 2:
        raise ValidationFailed(_("Give at least two options."), field=field)
    cleaned, seen, labels = [], set(), set()
    for option in options:
        label, label_en = _split_label(option)
        if not isinstance(label, str) or not label.strip() or len(label) > 200 or not (
                label_en is None or (isinstance(label_en, str) and len(label_en) <= 200)):
            raise ValidationFailed(_("Each option needs a label of at most 200 characters."),
                                   field=field)
        # Two options of the same label could not be told apart in the results.
        if label.strip().casefold() in labels:
            raise ValidationFailed(_("Two options are both called \"%(label)s\": give each "
                                     "option its own label.", label=label.strip()), field=field)
        labels.add(label.strip().casefold())
        value = (option.get("value") if isinstance(option, dict) else None) \
            or f"o{len(cleaned) + 1}"
        if value in seen or len(value) > 100:
            raise ValidationFailed(_("Options must differ from each other."), field=field)
        seen.add(value)
        cleaned.append({"value": value, "label": label.strip(),
                        "label_en": (label_en or "").strip() or label.strip()})
    return cleaned
