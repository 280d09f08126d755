"""What a played-through gathering of the demo is made of: its plan (who came, what was applied
for, granted and spent, how the report went) and its budget lines. The plans themselves live
with their year: ``grants`` (2026) and ``earlier`` (2024 and 2025)."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Line:
    category: str
    description: str
    planned: int
    actual: int
    note: str | None = None


@dataclass(frozen=True)
class Plan:
    """One county's gathering of the year and how it went.

    ``participants`` is who attended on any day, speakers not counted: the people registered
    are those, the ``no_shows`` and the ``speakers``. The year's rule (``grants.RULES``) decides
    how many of them the grant counts, so in a year that counts only those who came every day,
    or counts the speakers, the report's figure differs from this one."""

    county: str
    host_email: str | None  # None: the demo's own host (Vestland)
    host_name: str
    start: date
    venue: str
    participants: int
    county_staff: int
    partners: int
    speakers: int
    no_shows: int
    raised_caps: dict  # municipality number → places
    municipalities: int  # how many of the county's municipalities registered someone
    travel_from: tuple  # municipality numbers far from the venue that asked for travel support
    planned: int
    applied: int
    granted: int
    decision_comment: str | None
    lines: tuple
    follow_up: str
    remarks: str | None
    report: str  # approved | submitted | returned | draft (saved, not sent) | none
    review_comment: str | None = None
    purged: bool = False
    # When the report was submitted and decided, as days after the gathering ended.
    submitted_after: int = 30
    decided_after: int = 50
    # Reminded to delete the personal data, and not done yet (an approved report only).
    reminded: bool = False
    # Of a municipality's second and later people, the share who are its own career
    # counsellors rather than programme advisers (none in 2026).
    counsellor_share: float = 0.0
    # The talk that replaces the one on Ukrainian refugees, for the gatherings that held none.
    instead_of_ukraine: str | None = None

    @property
    def year(self) -> int:
        return self.start.year


# The budget's categories in the order the hosts list them, with each one's share of the plan.
SHARES = (("venue", 0.18), ("meals", 0.25), ("social_dinner", 0.19), ("accommodation", 0.17),
          ("speakers", 0.10), ("travel_support", 0.07), ("materials", 0.04))
DESCRIPTIONS = {
    "venue": "Konferansesal og grupperom, to dager",
    "meals": "Lunsj og pauseservering, to dager",
    "social_dinner": "Middag med kulturelt innslag",
    "accommodation": "Overnatting for deltakere med lang reisevei",
    "speakers": "Honorar og reise for foredragsholdere",
    "materials": "Program og navneskilt",
}


def budget(applied: int, spent: int, travel: str, used: tuple, notes: dict | None = None) -> tuple:
    """Budget lines planned to ``applied`` in all and spent to ``spent``: each category gets its
    share of the plan (whole thousands, meals taking what rounding leaves) and spends the part
    of it that ``used`` gives, in percent per category; meals take what makes the sum ``spent``
    exactly, so a plan states its two totals and the lines follow."""
    planned = [int(round(applied * share, -3)) for _c, share in SHARES]
    planned[1] += applied - sum(planned)
    actual = [int(round(p * u / 100, -2)) for p, u in zip(planned, used, strict=True)]
    actual[1] += spent - sum(actual)
    if actual[1] < 0:
        raise ValueError(f"{applied}/{spent}: the lines do not reach the sum spent")
    notes = notes or {}
    return tuple(
        Line(category, travel if category == "travel_support" else DESCRIPTIONS[category],
             p, a, notes.get(category))
        for (category, _share), p, a in zip(SHARES, planned, actual, strict=True))
