"""Numbers as people read them."""

from decimal import ROUND_HALF_UP, Decimal


def whole_percent(share: float) -> int:
    """A share as a whole percentage, halves rounded up as people do (13 of 40 is 33 %, where
    Python's round() would give 32)."""
    return int((Decimal(str(share)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent(share: float | None, empty: str = "–") -> str:
    """"33 %" with a no-break space; ``empty`` when there is no share."""
    return empty if share is None else f"{whole_percent(share)}\u00a0%"
