"""The reports: the national grant report (``grant_report``), a gathering's survey results
with their themes (``survey_results``, ``themes``) and the national survey comparison
(``survey_comparison``), with the year they show (``years``) and the files to download
(``files``)."""

from eventapp.reporting.services import years
from eventapp.reporting.services.files import (
    Share,
    sheets_to_csv,
    sheets_to_xlsx,
    slug,
    to_csv,
    to_xlsx,
)
from eventapp.reporting.services.grant_report import (
    EMPTY,
    STATUS_ORDER,
    CountyRow,
    GatheringRow,
    Line,
    NationalReport,
    Rule,
    county_line,
    county_report,
    county_table,
    gathering_line,
    national,
    national_table,
    status_label,
    total_line,
    visible_county,
)
from eventapp.reporting.services.survey_comparison import (
    default_survey_year,
    national_survey,
    national_survey_filename,
    national_survey_preamble,
    national_survey_table,
    settles_choices_for,
    survey_years,
)
from eventapp.reporting.services.survey_results import (
    SurveyResults,
    TextAnswer,
    english,
    filter_text,
    in_language,
    settles_choices,
    survey_filename,
    survey_group_choices,
    survey_preamble,
    survey_results,
    survey_tables,
)
from eventapp.reporting.services.themes import (
    THEME_MAX,
    create_theme,
    delete_theme,
    rename_theme,
    set_themes,
    tag,
    text_answer_of,
    theme_of,
    theme_usage,
    themes,
    untag,
)
from eventapp.reporting.services.years import (
    FIRST_YEAR,
    LAST_YEAR,
    default_year,
    parse_year,
    years_with_data,
)


def this_year() -> int:
    """This year in Oslo, as ``years.this_year`` gives it to every module here (the tests set
    it there)."""
    return years.this_year()


__all__ = [
    "EMPTY",
    "FIRST_YEAR",
    "LAST_YEAR",
    "STATUS_ORDER",
    "THEME_MAX",
    "CountyRow",
    "GatheringRow",
    "Line",
    "NationalReport",
    "Rule",
    "Share",
    "SurveyResults",
    "TextAnswer",
    "county_line",
    "county_report",
    "county_table",
    "create_theme",
    "default_survey_year",
    "default_year",
    "delete_theme",
    "english",
    "filter_text",
    "gathering_line",
    "in_language",
    "national",
    "national_survey",
    "national_survey_filename",
    "national_survey_preamble",
    "national_survey_table",
    "national_table",
    "parse_year",
    "rename_theme",
    "set_themes",
    "settles_choices",
    "settles_choices_for",
    "sheets_to_csv",
    "sheets_to_xlsx",
    "slug",
    "status_label",
    "survey_filename",
    "survey_group_choices",
    "survey_preamble",
    "survey_results",
    "survey_tables",
    "survey_years",
    "tag",
    "text_answer_of",
    "theme_of",
    "theme_usage",
    "themes",
    "this_year",
    "to_csv",
    "to_xlsx",
    "total_line",
    "untag",
    "visible_county",
    "years",
    "years_with_data",
]
