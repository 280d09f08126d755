"""The scaled data set of issue 20 (``eventapp.demo.scaled``, built by ``bench/pages.py``), run
tiny: two counties (one of them Oslo, which registers by city district) over two years."""

from sqlalchemy import func, select

from eventapp.demo.scaled import build_scaled, scaled_plans
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import BudgetLine, FinalReport, GrantApplication
from eventapp.registration.models import Registration
from eventapp.seating.models import Seat, SeatingRound
from eventapp.surveys.models import Survey, SurveyAnswer, SurveyResponse

TINY = {"scale": 0.12, "counties": ["03", "39"], "years": (2025, 2026)}


def _count(query) -> int:
    return db.session.scalar(query)


def test_the_plans_are_the_same_for_a_seed_and_differ_for_another(places):
    first = scaled_plans(seed=7, **TINY)
    assert scaled_plans(seed=7, **TINY) == first
    assert scaled_plans(seed=8, **TINY) != first
    assert [(p.year, p.county) for p in first] == [(2025, "03"), (2025, "39"), (2026, "03"),
                                                   (2026, "39")]
    full = scaled_plans(seed=7)
    assert len(full) == 45  # all 15 counties over 2024-2026
    people = sum(p.participants + p.no_shows + p.speakers for p in full)
    assert 3_600 <= people <= 4_800


def test_a_tiny_set_is_played_through_as_its_plans_say(places):
    built = build_scaled(seed=7, demo=False, seating_every=1, **TINY)
    assert len(built.gatherings) == 4
    for plan, gathering in zip(built.plans, built.gatherings, strict=True):
        assert gathering.county.number == plan.county and gathering.start_date == plan.start
        assert gathering.status in ("held", "reported")
        registered = _count(select(func.count(Registration.id))
                            .where(Registration.gathering_id == gathering.id))
        assert registered == plan.participants + plan.no_shows + plan.speakers
        survey = db.session.scalars(select(Survey).where(Survey.gathering_id == gathering.id)).one()
        responses = _count(select(func.count(SurveyResponse.id))
                           .where(SurveyResponse.survey_id == survey.id))
        answers = _count(select(func.count(SurveyAnswer.id)).join(SurveyResponse)
                         .where(SurveyResponse.survey_id == survey.id))
        assert 0 < responses < answers
        application = db.session.scalars(select(GrantApplication).where(
            GrantApplication.gathering_id == gathering.id)).one()
        assert application.status == "decided" and application.granted_nok <= plan.applied
        lines = db.session.scalars(select(BudgetLine).where(
            BudgetLine.gathering_id == gathering.id)).all()
        assert sum(line.actual_nok for line in lines) == sum(line.actual for line in plan.lines)
        report = db.session.scalars(select(FinalReport).where(
            FinalReport.gathering_id == gathering.id)).first()
        assert (report.status if report else "none") == plan.report
    # Oslo's people registered through its city districts.
    oslo = built.gatherings[0]
    kinds = set(db.session.scalars(select(Registration.organisation_kind).where(
        Registration.gathering_id == oslo.id)))
    assert "district" in kinds and "municipality" not in kinds
    # Every 2026 gathering got a table plan (seating_every=1), with everyone confirmed seated
    # once per round.
    assert [g.start_date.year for g in built.seating] == [2026, 2026]
    for gathering in built.seating:
        rounds = _count(select(func.count(SeatingRound.id))
                        .where(SeatingRound.gathering_id == gathering.id))
        seats = _count(select(func.count(Seat.id)).join(SeatingRound)
                       .where(SeatingRound.gathering_id == gathering.id))
        assert rounds == 2 and seats > 0


def test_running_it_again_changes_nothing(places):
    build_scaled(seed=7, demo=False, seating_every=0, scale=0.12, counties=["39"],
                 years=(2026,))
    before = _count(select(func.count(Registration.id)))
    again = build_scaled(seed=7, demo=False, seating_every=0, scale=0.12, counties=["39"],
                         years=(2026,))
    assert again.gatherings == []
    assert _count(select(func.count(Registration.id))) == before
    assert _count(select(func.count(Gathering.id))) == 1
