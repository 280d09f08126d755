"""The grant rule, as plain arithmetic on whole kroner.

HK-dir grants at most ``rate`` NOK per participant. The county may keep the least of what was
granted, the ceiling (``rate`` × participants who attended) and what it actually spent; the rest
of the grant is repaid. Spending beyond the grant is the county's own cost.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def per_participant(spent_nok: int, participants: int) -> int | None:
    """Spend per participant in whole NOK (half up), or None when nobody attended."""
    if participants <= 0:
        return None
    return int((Decimal(spent_nok) / Decimal(participants)).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class Settlement:
    participants: int
    rate_nok: int
    granted_nok: int
    spent_nok: int

    def __post_init__(self):
        for name in ("participants", "rate_nok", "granted_nok", "spent_nok"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")

    @property
    def ceiling_nok(self) -> int:
        return self.rate_nok * self.participants

    @property
    def allowed_nok(self) -> int:
        """What the county may keep if it spends it: the grant, capped by the ceiling."""
        return min(self.granted_nok, self.ceiling_nok)

    @property
    def keep_nok(self) -> int:
        return min(self.allowed_nok, self.spent_nok)

    @property
    def repay_nok(self) -> int:
        return self.granted_nok - self.keep_nok

    @property
    def over_ceiling_nok(self) -> int:
        """Granted beyond what the attendance allows."""
        return max(0, self.granted_nok - self.ceiling_nok)

    @property
    def unspent_nok(self) -> int:
        """Allowed but not spent."""
        return max(0, self.allowed_nok - self.spent_nok)

    @property
    def overspent_nok(self) -> int:
        """Spent beyond the grant: the page warns, and the county bears it."""
        return max(0, self.spent_nok - self.granted_nok)

    @property
    def per_participant_nok(self) -> int | None:
        return per_participant(self.spent_nok, self.participants)
