"""The demo's years: 2026's counties reported and approved, figures that add up to the krone, a
purged gathering that reads the same with no names left; 2024 and 2025 in other counties by
their own rules, a period's national report that is the sum of its years; the same data every
run."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.gatherings.models import Gathering
from eventapp.grants.models import BudgetLine, FinalReport, GrantApplication
from eventapp.registration.models import Registration


def _previous_year(db) -> dict[str, Gathering]:
    gatherings = db.session.scalars(select(Gathering).where(
        Gathering.start_date.between(date(2026, 1, 1), date(2026, 12, 31)))).all()
    return {g.county.number: g for g in gatherings}


@pytest.fixture
def purges(monkeypatch):
    """Wrap the demo's purge to see each gathering just before and after its personal data
    goes."""
    import eventapp.demo.grants as demo
    from eventapp.grants.services import count_participants, figures, rules_for
    from eventapp.mail.models import OutboxMessage

    seen = []
    original = demo._purge

    def snapshot(gathering):
        from eventapp.extensions import db

        people = db.session.scalars(select(Registration).where(
            Registration.gathering_id == gathering.id).order_by(Registration.id)).all()
        mail = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.to_address.in_([r.email for r in people])))
        return {
            "names": {r.name for r in people}, "emails": {r.email for r in people},
            "mail": mail,
            "rows": [(r.id, r.organisation_kind, r.municipality_id, r.partner_name, r.role,
                      r.day1, r.day2, r.status, r.attended, r.attended_day1, r.attended_day2)
                     for r in people],
            "counts": count_participants(gathering, rules_for(2026)),
            "figures": figures(gathering).settlement,
            "travel": [sorted(r.id for r in line.registrations) for line in db.session.scalars(
                select(BudgetLine).where(BudgetLine.gathering_id == gathering.id))],
        }

    def wrapped(gathering, plan, host):
        before = snapshot(gathering)
        original(gathering, plan, host)
        seen.append((gathering, before, snapshot))

    monkeypatch.setattr(demo, "_purge", wrapped)
    return seen


def test_the_previous_year_is_reported_and_adds_up(app, db, purges):
    from eventapp.demo import demo_setup
    from eventapp.demo.grants import CURRENT_APPLIED, PLANS
    from eventapp.grants.services import (
        application_for,
        budget_totals,
        count_participants,
        figures,
        report_for,
        rules_for,
    )

    demo_setup()
    year = _previous_year(db)
    assert set(year) == {"46", "11", "42", "50", "18", "34"}
    reports = {number: report_for(g) for number, g in year.items()}
    assert {n for n, r in reports.items() if r.status == "approved"} == {"46", "11", "42", "34"}
    assert reports["50"].status == "submitted" and reports["50"].review_comment is None
    assert reports["18"].status == "returned" and "send rapporten på nytt" in \
        reports["18"].review_comment
    for number, gathering in year.items():
        assert gathering.days == 2
        assert gathering.status == ("reported" if reports[number].status == "approved"
                                    else "held")

    rules = rules_for(2026)
    plans = {p.county: p for p in PLANS}
    sums = {"participants": 0, "granted": 0, "spent": 0, "ceiling": 0, "repay": 0}
    for number, gathering in year.items():
        plan, report, live = plans[number], reports[number], figures(gathering)
        people = db.session.scalars(select(Registration).where(
            Registration.gathering_id == gathering.id)).all()
        assert 30 <= len(people) <= 80
        # Participants by the rule (any day, speakers not counted), by group.
        counts = count_participants(gathering, rules)
        assert counts.participants == plan.participants
        assert counts.participants == counts.municipal_staff + counts.county_staff \
            + counts.partners
        assert counts.speakers == plan.speakers
        assert 0 < counts.municipalities_covered < counts.municipalities_total
        # Most came both days, a few one day, a few not at all.
        both = sum(1 for r in people if r.attended_day1 and r.attended_day2)
        one = sum(1 for r in people if bool(r.attended_day1) != bool(r.attended_day2))
        absent = sum(1 for r in people if not r.attended)
        assert both >= 0.75 * len(people) and one >= 2 and absent == plan.no_shows
        assert all(bool(r.attended) == bool(r.attended_day1 or r.attended_day2) for r in people)
        pool = [r for r in people if r.organisation_kind in ("county", "partner")]
        assert len(pool) <= 20 and len(people) - len(pool) > len(pool)
        # The money: application, decision, budget and report agree.
        application = application_for(gathering)
        assert application.status == "decided" and application.granted_nok == plan.granted
        assert application.applied_nok <= application.rate_nok * application.planned_participants
        planned, actual = budget_totals(gathering)
        assert planned == plan.applied and actual == sum(line.actual for line in plan.lines)
        assert len({line.category for line in plan.lines}) >= 6
        assert report.participants == counts.participants
        assert (report.granted_nok, report.spent_nok) == (plan.granted, actual)
        assert live.frozen == (report.status != "returned")
        assert live.settlement.participants == report.participants
        assert report.follow_up_actions
        # Travel support paid to people who asked for it and came.
        travel = db.session.scalars(select(BudgetLine).where(
            BudgetLine.gathering_id == gathering.id,
            BudgetLine.category == "travel_support")).one()
        assert travel.registrations
        assert all(r.travel_support_requested and r.attended for r in travel.registrations)
        s = live.settlement
        sums["participants"] += s.participants
        sums["granted"] += s.granted_nok
        sums["spent"] += s.spent_nok
        sums["ceiling"] += s.ceiling_nok
        sums["repay"] += s.repay_nok

    # The example is Rogaland; Agder spent more than its grant.
    rogaland = figures(year["11"]).settlement
    assert (rogaland.participants, rogaland.ceiling_nok, rogaland.granted_nok,
            rogaland.spent_nok, rogaland.repay_nok) == (58, 232_000, 250_000, 210_000, 40_000)
    rogaland_application = application_for(year["11"])
    assert rogaland_application.granted_nok < rogaland_application.applied_nok
    assert rogaland_application.decision_comment
    assert figures(year["42"]).settlement.overspent_nok == 25_300

    # The national sums, from the reports' own columns, match the counties' figures.
    by_sql = db.session.execute(select(
        func.sum(FinalReport.participants), func.sum(FinalReport.granted_nok),
        func.sum(FinalReport.spent_nok), func.sum(FinalReport.rate_nok
                                                  * FinalReport.participants),
    ).join(Gathering).where(Gathering.id.in_([g.id for g in year.values()]))).one()
    assert tuple(by_sql) == (sums["participants"], sums["granted"], sums["spent"],
                             sums["ceiling"])
    assert sums == {"participants": 315, "granted": 1_370_000, "spent": 1_279_800,
                    "ceiling": 1_260_000, "repay": 138_500}
    follow_up = " ".join(r.follow_up_actions for r in reports.values())
    for action in ("samarbeidsrutiner", "Bookingsystem", "andre veiledningstime",
                   "Informasjonsmateriell", "digitale møter"):
        assert action.lower() in follow_up.lower(), action

    # Vestland's personal data is gone; every count and krone reads as before.
    purged_2026 = [p for p in purges if p[0].start_date.year == 2026]
    assert [g.county.number for g, _before, _snap in purged_2026] == ["46"]
    gathering, before, snapshot = purged_2026[0]
    after = snapshot(gathering)
    assert reports["46"].purged_at is not None and reports["46"].purged_at > \
        reports["46"].decided_at
    assert not before["names"] & after["names"] and before["mail"] > 0 and after["mail"] == 0
    assert all(n.startswith("Slettet deltaker") for n in after["names"])
    assert all(e.endswith("@purged.invalid") for e in after["emails"])
    for key in ("rows", "counts", "figures", "travel"):
        assert after[key] == before[key], key
    people = db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id)).all()
    assert all(r.phone is None and r.dietary_needs is None and r.accessibility_needs is None
               for r in people)
    from eventapp.mail.models import OutboxMessage

    leaked = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.to_address.in_(before["emails"])))
    assert leaked == 0
    # The other counties keep their people until their own purge.
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.gathering_id == year["11"].id,
        Registration.email.like("%@purged.invalid"))) == 0

    # Each gathering's survey was answered by about half of those invited, closed two weeks on,
    # with every question answered and the free texts tagged; Vestland's outlived the purge.
    from eventapp.surveys import services as surveys
    from eventapp.surveys.models import (
        AGREE,
        DONT_KNOW,
        SurveyAnswer,
        SurveyResponse,
        SurveyTheme,
    )

    for number, gathering in year.items():
        survey = surveys.find_survey(gathering)
        assert survey.status == "closed" and survey.closes_on == gathering.end_date \
            + timedelta(days=14), number
        result = surveys.results(survey)
        assert 0.4 <= result["response_rate"] <= 0.65 and result["responses_qr"] >= 2, number
        assert all(q["answered"] >= 5 for q in result["questions"]), number
        assert db.session.scalar(select(func.count(SurveyTheme.id)).where(
            SurveyTheme.survey_id == survey.id)) >= 8
    national = surveys.national_report(2026)
    cooperation = next(q for q in national["questions"] if q["code"] == "cooperation")
    assert [c["county_number"] for c in cooperation["counties"]] == \
        ["11", "18", "34", "42", "46", "50"]
    assert not any(c["suppressed"] for c in cooperation["counties"])
    shares = [c["agree_share"] for c in cooperation["counties"]]
    assert cooperation["range"] == {"min": min(shares), "max": max(shares)}
    assert max(shares) - min(shares) > 0.2
    # The answers the figures count: those released (the last few of each survey wait).
    choices = db.session.scalars(
        select(SurveyAnswer.choice).join(SurveyResponse).where(SurveyAnswer.question_id.in_(
            [surveys.find_survey(g).questions[4].id for g in year.values()]),
            SurveyResponse.state != "pending")).all()
    assert {surveys.find_survey(g).questions[4].code for g in year.values()} == {"cooperation"}
    agree = sum(1 for c in choices if c in AGREE)
    # Of all who answered, "vet ikke" included, as HK-dir's evaluation computed it.
    assert cooperation["agree_share"] == agree / len(choices)
    assert DONT_KNOW in choices  # 2026's scale has it, so the whole differs from "took a position"

    # Each follow-up log answered its questions to the participants, and the report the county
    # submitted carries the log's actions and the survey's figures as they were then.
    from eventapp.followup.services import items_for

    for number, gathering in year.items():
        items = items_for(gathering)
        assert {i.kind for i in items} == {"question", "input"}
        assert all(i.mailed_at for i in items if i.kind == "question")
        snapshot = reports[number].snapshot
        if reports[number].status == "returned":
            assert snapshot is None
            continue
        assert [a["action"] for a in snapshot["actions"]] == [i.action for i in items if i.action]
        assert snapshot["survey"]["responses"] == surveys.results(
            surveys.find_survey(gathering))["responses"]

    # The current Vestland gathering has applied and awaits the decision, with a budget.
    current = db.session.scalars(select(Gathering).where(Gathering.status == "open")).one()
    application = application_for(current)
    assert application.status == "submitted" and application.applied_nok == CURRENT_APPLIED
    planned, actual = budget_totals(current)
    assert planned == CURRENT_APPLIED and actual == 0
    assert report_for(current) is None


YEARS = (2024, 2025, 2026)


def _year(db, year: int) -> dict[str, Gathering]:
    gatherings = db.session.scalars(select(Gathering).where(
        Gathering.start_date.between(date(year, 1, 1), date(year, 12, 31)))).all()
    return {g.county.number: g for g in gatherings}


def _by_hand(db, gathering: Gathering, rules) -> dict:
    """A gathering's settlement from its raw rows: the registrations counted by the year's
    rule, the budget lines' actual sums, the grant decided."""
    people = db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "confirmed")).all()

    def came(r):
        if rules.attendance == "all_days":
            return bool(r.attended_day1 and r.attended_day2)
        return bool(r.attended_day1 or r.attended_day2 or r.attended)

    participants = sum(1 for r in people if came(r)
                       and (rules.include_speakers or r.role != "speaker"))
    spent = sum(db.session.scalars(select(BudgetLine.actual_nok).where(
        BudgetLine.gathering_id == gathering.id)))
    granted = db.session.scalars(select(GrantApplication.granted_nok).where(
        GrantApplication.gathering_id == gathering.id)).one()
    ceiling = rules.rate_nok * participants
    return {"gatherings": 1, "participants": participants, "ceiling_nok": ceiling,
            "granted_nok": granted, "spent_nok": spent,
            "repay_nok": granted - min(granted, ceiling, spent)}


FIGURES = ("gatherings", "participants", "ceiling_nok", "granted_nok", "spent_nok", "repay_nok")


def test_three_years_in_several_counties_add_up_by_period(app, db):
    from eventapp.demo import demo_setup
    from eventapp.demo.accounts import demo_user
    from eventapp.demo.grants import PLANS_BY_YEAR, RULES
    from eventapp.demo.surveys import UKRAINE_TALK
    from eventapp.gatherings.models import ProgrammeItem
    from eventapp.grants.models import GrantRules
    from eventapp.grants.services import figures, report_for
    from eventapp.places.models import County
    from eventapp.reporting.services import grant_report
    from eventapp.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
    from eventapp.surveys.services import national_report

    demo_setup()
    years = {y: _year(db, y) for y in YEARS}
    all_counties = set(db.session.scalars(select(County.number)))
    # Several counties a year, not always the same, each year with its own rules.
    for year, gatherings in years.items():
        assert set(gatherings) == {p.county for p in PLANS_BY_YEAR[year]}, year
        assert 4 <= len(gatherings) < len(all_counties), year
        rules = db.session.get(GrantRules, year)
        assert {k: getattr(rules, k) for k in RULES[year]} == RULES[year]
    assert set(years[2024]) != set(years[2025]) != set(years[2026])
    assert set(years[2024]) - set(years[2026]) and set(years[2025]) - set(years[2026])
    assert len({(r.rate_nok, r.attendance, r.include_speakers) for r in
                db.session.scalars(select(GrantRules).where(GrantRules.year.in_(YEARS)))}) == 3

    # Each gathering's report and live figures are what its raw rows give by its year's rule.
    hand: dict[int, dict[str, dict]] = {}
    for year, gatherings in years.items():
        rules = db.session.get(GrantRules, year)
        for number, gathering in gatherings.items():
            mine = hand.setdefault(year, {})[number] = _by_hand(db, gathering, rules)
            s = figures(gathering).settlement
            assert (s.participants, s.ceiling_nok, s.granted_nok, s.spent_nok, s.repay_nok) \
                == tuple(mine[k] for k in FIGURES[1:]), (year, number)
            report = report_for(gathering)
            assert (report.participants, report.rate_nok, report.granted_nok,
                    report.spent_nok) == (mine["participants"], rules.rate_nok,
                                          mine["granted_nok"], mine["spent_nok"])
    # 2026 is as it was: the example is Rogaland.
    assert tuple(hand[2026]["11"][k] for k in FIGURES[1:]) == (58, 232_000, 250_000, 210_000,
                                                             40_000)
    # The rule of 2024 counts fewer than came on any day; 2025's counts the speakers too.
    plans = {(p.year, p.county): p for y in YEARS for p in PLANS_BY_YEAR[y]}
    assert all(hand[2024][n]["participants"] < plans[(2024, n)].participants
               for n in years[2024])
    assert all(hand[2025][n]["participants"] >= plans[(2025, n)].participants
               + plans[(2025, n)].speakers - plans[(2025, n)].no_shows for n in years[2025])
    sums = {y: {k: sum(h[k] for h in hand[y].values()) for k in FIGURES} for y in YEARS}
    assert len({tuple(v.values()) for v in sums.values()}) == 3

    # The period's national report is the sum of its years, per county and in all, by hand.
    directorate = demo_user(0)
    period = grant_report.national(directorate, 2024, 2026)
    single = {y: grant_report.national(directorate, y) for y in YEARS}
    for k in FIGURES:
        assert getattr(period.totals, k) == sum(getattr(single[y].totals, k) for y in YEARS) \
            == sum(sums[y][k] for y in YEARS), k
        for y in YEARS:
            assert getattr(single[y].totals, k) == sums[y][k], (y, k)
    held = set().union(*years.values())
    assert {row.county.number for row in period.rows} == held
    for row in period.rows:
        for k in FIGURES:
            assert getattr(row.line, k) == sum(hand[y][row.county.number][k] for y in YEARS
                                               if row.county.number in hand[y]), k
    assert {c.number for c in period.counties_without} == all_counties - held
    for y in YEARS:
        assert {c.number for c in single[y].counties_without} == all_counties - set(years[y])
    assert national_report(2024, 2026)["responses"] == sum(
        national_report(y)["responses"] for y in YEARS)

    # The surveys answer only the options their questions have; the agreement scale is used
    # end to end every year, and what municipalities settle differs between counties.
    answers = db.session.execute(
        select(SurveyQuestion, SurveyAnswer.choice, Gathering.start_date, Gathering.county_id)
        .join(SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id)
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .join(Gathering, Gathering.id == Survey.gathering_id)
        .where(SurveyAnswer.choice.is_not(None))).all()
    assert answers
    points: dict[int, set] = {}
    settles: dict[tuple, list] = {}
    for question, choice, start, county_id in answers:
        assert choice in question.values, (question.code, choice)
        if question.kind == "agreement":
            points.setdefault(start.year, set()).add(choice)
        if question.code == "settles" and choice != "none":
            settles.setdefault((start.year, county_id), []).append(choice)
    scale = ("helt_enig", "delvis_enig", "noytral", "delvis_uenig", "helt_uenig")
    assert all(set(scale) <= points[y] for y in YEARS), points
    both = [c.count("both") / len(c) for c in settles.values()]
    ukrainian = [c.count("ukrainian") / len(c) for c in settles.values()]
    assert len(settles) == sum(len(g) for g in years.values())
    assert max(both) - min(both) > 0.2 and max(ukrainian) - min(ukrainian) > 0.2
    assert db.session.scalar(select(func.count(SurveyResponse.id))) > 400

    # Who came: every role, every year, mostly leaders and programme advisers.
    for year, gatherings in years.items():
        roles = [r for (r,) in db.session.execute(select(Registration.role).where(
            Registration.gathering_id.in_([g.id for g in gatherings.values()])))]
        assert {"leader", "programme_adviser", "career_counsellor", "county_staff", "partner",
                "speaker"} <= set(roles), year
        assert roles.count("leader") + roles.count("programme_adviser") > len(roles) / 2

    # The talk on Ukrainian refugees was held at most gatherings, not all.
    played = [g for gatherings in years.values() for g in gatherings.values()]
    held_ukraine = {g.id for g in played if db.session.scalar(select(func.count()).where(
        ProgrammeItem.gathering_id == g.id, ProgrammeItem.title == UKRAINE_TALK))}
    assert len(played) / 2 < len(held_ukraine) < len(played)


def test_the_other_parts_get_demo_data(app, db):
    """Made-up settlement figures per municipality for each year, and partner organisations
    that two of three partner registrations pick."""
    from eventapp.demo import demo_setup

    demo_setup()
    from eventapp.partners.models import Partner
    from eventapp.places.models import Municipality, MunicipalityYear

    units = db.session.scalar(select(func.count()).select_from(Municipality).where(
        Municipality.kind == "municipality", Municipality.active.is_(True)))
    for year in YEARS:
        rows = db.session.scalars(select(MunicipalityYear).where(
            MunicipalityYear.year == year)).all()
        assert len(rows) == units
        settling = sum(1 for r in rows if r.settles)
        assert units / 2 < settling < units
        assert {r.size_class for r in rows if r.settles} == {"small", "medium", "large"}
    # The current gathering's year has requests and decisions, nothing settled yet: the board
    # counts the settling municipalities and suggests higher caps for the large ones.
    from eventapp.invitations.services.board import board_coverage, board_rows, cap_suggestions

    current = db.session.scalars(select(Gathering).where(Gathering.status == "open")).one()
    coming = db.session.scalars(select(MunicipalityYear).where(
        MunicipalityYear.year == current.start_date.year)).all()
    assert len(coming) == units and all(r.settled is None for r in coming)
    coverage = board_coverage(current, board_rows(current))
    assert coverage.settling_only and coverage.total < coverage.all_units
    assert cap_suggestions(current)
    kinds = set(db.session.scalars(select(Partner.kind)))
    assert {"nav", "imdi", "statsforvalteren", "adult_education", "interpreter_service",
            "voluntary"} <= kinds
    partner_rows = db.session.execute(select(Registration.partner_id, Registration.partner_name)
                                      .where(Registration.role == "partner")).all()
    picked = [r for r in partner_rows if r.partner_id is not None]
    assert len(partner_rows) / 2 < len(picked) < len(partner_rows)
    names = dict(db.session.execute(select(Partner.id, Partner.name)).all())
    assert all(names[r.partner_id] == r.partner_name for r in picked)


def _fingerprint(db) -> list:
    rows = db.session.execute(select(
        Gathering.title, Registration.name, Registration.email, Registration.role,
        Registration.day1, Registration.day2, Registration.attended_day1,
        Registration.attended_day2, Registration.checked_in_at, Registration.dietary_needs,
    ).join(Gathering, Registration.gathering_id == Gathering.id)).all()
    return sorted(tuple(r) for r in rows)


def test_the_demo_year_is_the_same_every_run_and_made_once(app, db):
    from eventapp.demo import demo_setup
    from tests.conftest import _truncate

    demo_setup()

    def counts():
        return [db.session.scalar(select(func.count()).select_from(m)) for m in
                (Gathering, Registration, GrantApplication, BudgetLine, FinalReport)]

    first, made = _fingerprint(db), counts()
    demo_setup()  # again: nothing new, nothing changed
    assert counts() == made and _fingerprint(db) == first
    db.session.remove()
    _truncate()
    demo_setup()  # a fresh database: the same people, days and check-ins
    assert _fingerprint(db) == first
