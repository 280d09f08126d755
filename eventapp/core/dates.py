"""Dates read one way app-wide: a gathering's days as "10.–11. mars 2027" in Norwegian and
"10–11 March 2027" in English, written once here so every page says it alike."""

from datetime import date

from babel.dates import format_date

# What a range shares is said once: the year, and the month when both days fall in it.
_PATTERNS = {
    "nb": {"day": "d.", "day_month": "d. MMMM", "full": "d. MMMM y"},
    "en": {"day": "d", "day_month": "d MMMM", "full": "d MMMM y"},
}
DASH = "\u2013"  # an en dash, unspaced between two dates (Språkrådet's rule)


def daterange(start: date | None, end: date | None = None, locale: str = "nb") -> str:
    """``start`` to ``end`` as one reads it: one day "10. mars 2027"; days of one month
    "10.–11. mars 2027"; across months "30. april–1. mai 2027"; across years in full."""
    if start is None:
        return ""
    language = str(locale).split("_")[0].split("-")[0]
    loc = "en" if language == "en" else "nb"  # the app speaks these two; Bokmål first
    patterns = _PATTERNS[loc]

    def fmt(value: date, pattern: str) -> str:
        return format_date(value, patterns[pattern], locale=loc)

    if end is None or end == start:
        return fmt(start, "full")
    if end < start:
        start, end = end, start
    if (start.year, start.month) == (end.year, end.month):
        return fmt(start, "day") + DASH + fmt(end, "full")
    if start.year == end.year:
        return fmt(start, "day_month") + DASH + fmt(end, "full")
    return fmt(start, "full") + DASH + fmt(end, "full")
