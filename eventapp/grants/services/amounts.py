"""Amounts of money as the grant handles them: whole kroner, checked and written out."""

from flask_babel import gettext as _

from eventapp.core.errors import ValidationFailed

MAX_NOK = 100_000_000  # far above any gathering; keeps typing slips out of the accounts


def whole_nok(value, field: str, *, minimum: int = 0, maximum: int = MAX_NOK) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Give a whole number of kroner."), field=field)
    if value < minimum or value > maximum:
        raise ValidationFailed(
            _("Give an amount from %(low)s to %(high)s kroner.", low=f"{minimum:,}".replace(",", " "),
              high=f"{maximum:,}".replace(",", " ")), field=field)
    return value


def nok(amount: int | None) -> str:
    """Whole kroner with a narrow space between thousands, as Norwegians write them."""
    if amount is None:
        return "–"
    return f"{amount:,}".replace(",", "\u00a0")
