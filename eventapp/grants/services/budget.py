"""The budget: planned and actual amounts by category, and which registrations a travel support
line pays for."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import CATEGORIES, BudgetLine
from eventapp.grants.services.amounts import whole_nok
from eventapp.grants.services.figures import budget_lines, check_accounts_open
from eventapp.registration.models import Registration


@dataclass
class LineData:
    category: str
    description: str
    planned_nok: int
    actual_nok: int
    note: str | None = None


def _check_line(data: LineData) -> None:
    fields = {}
    if data.category not in CATEGORIES:
        fields["category"] = _("Choose a category.")
    description = (data.description or "").strip()
    if not description:
        fields["description"] = _("Describe the line.")
    elif len(description) > 200:
        fields["description"] = _("Keep it to 200 characters.")
    for name in ("planned_nok", "actual_nok"):
        try:
            whole_nok(getattr(data, name), name)
        except ValidationFailed as exc:
            fields.update(exc.fields)
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)


def add_line(gathering: Gathering, actor, data: LineData) -> BudgetLine:
    policy.authorize(actor, "budget.edit", gathering)
    lock_row(Gathering, gathering.id)
    check_accounts_open(gathering)
    _check_line(data)
    line = BudgetLine(gathering_id=gathering.id)
    db.session.add(line)
    _fill_line(line, data)
    db.session.flush()
    return line


def _fill_line(line: BudgetLine, data: LineData) -> None:
    line.category = data.category
    line.description = data.description.strip()
    line.planned_nok = data.planned_nok
    line.actual_nok = data.actual_nok
    line.note = (data.note or "").strip() or None
    line.updated_at = utcnow()


def update_line(line: BudgetLine, actor, data: LineData) -> BudgetLine:
    policy.authorize(actor, "budget.edit", line.gathering)
    lock_row(Gathering, line.gathering_id)
    check_accounts_open(line.gathering)
    _check_line(data)
    if data.category != "travel_support" and line.registrations:
        raise ValidationFailed(_("This line pays travel support to registrations; unlink them "
                                 "before changing its category."), field="category")
    _fill_line(line, data)
    db.session.flush()
    return line


def delete_line(line: BudgetLine, actor) -> None:
    policy.authorize(actor, "budget.edit", line.gathering)
    lock_row(Gathering, line.gathering_id)
    check_accounts_open(line.gathering)
    db.session.delete(line)
    db.session.flush()


def travel_requests(gathering: Gathering) -> list[Registration]:
    """Confirmed registrations that asked for travel support."""
    return list(db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "confirmed",
        Registration.travel_support_requested.is_(True)).order_by(Registration.id)
        # The page names each one's organisation.
        .options(joinedload(Registration.municipality), joinedload(Registration.county))))


def travel_coverage(gathering: Gathering) -> dict[int, BudgetLine]:
    """Which travel support line pays for each registration, by registration id."""
    covered = {}
    for line in budget_lines(gathering):
        for registration in line.registrations:
            covered[registration.id] = line
    return covered


def link_travel(line: BudgetLine, actor, registration_ids: list[int]) -> BudgetLine:
    """Say which registrations a travel support line pays for (replacing the earlier choice)."""
    policy.authorize(actor, "budget.edit", line.gathering)
    lock_row(Gathering, line.gathering_id)
    check_accounts_open(line.gathering)
    if line.category != "travel_support":
        raise ValidationFailed(_("Only a travel support line pays for registrations."),
                               field="registrations")
    asked = {r.id: r for r in travel_requests(line.gathering)}
    wanted = list(dict.fromkeys(registration_ids))
    if any(i not in asked for i in wanted):
        raise ValidationFailed(_("Choose among the confirmed registrations that asked for travel "
                                 "support."), field="registrations")
    elsewhere = db.session.scalars(select(BudgetLine).join(BudgetLine.registrations).where(
        BudgetLine.gathering_id == line.gathering_id, BudgetLine.id != line.id,
        Registration.id.in_(wanted or [0]))).first()
    if elsewhere is not None:
        raise ValidationFailed(_("Someone you chose is already paid from «%(line)s».",
                                 line=elsewhere.description), field="registrations")
    line.registrations = [asked[i] for i in wanted]
    line.updated_at = utcnow()
    db.session.flush()
    return line
