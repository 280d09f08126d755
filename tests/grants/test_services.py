"""The grant workflows against the database: the rule counted from check-ins, the directorate's
settings, the application and decision, the budget lock, the report's frozen copy, reminders."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import Conflict, Forbidden, ValidationFailed
from eventapp.gatherings.models import Gathering
from eventapp.grants import services
from eventapp.grants.models import BudgetLine, GrantApplication
from eventapp.mail.models import OutboxMessage
from tests.grants.conftest import add_attended, add_person, decide_grant, spend, vestland_units


def test_the_issues_example_through_the_database(db, example):
    f = services.figures(example["gathering"])
    s = f.settlement
    assert f.counts.participants == 58
    assert (s.ceiling_nok, s.granted_nok, s.spent_nok) == (232_000, 250_000, 210_000)
    assert s.keep_nok == 210_000 and s.repay_nok == 40_000
    assert (s.over_ceiling_nok, s.unspent_nok, s.overspent_nok) == (18_000, 22_000, 0)
    assert s.per_participant_nok == 3621
    assert f.planned_nok == 230_000 and not f.frozen


def test_nobody_attended_repays_the_whole_grant(db, world):
    g, host = world["gathering"], world["host"]
    add_person(db, g, day1=None, day2=None)  # registered, never checked in
    decide_grant(db, g, host, world["directorate"], planned=30, applied=120_000, granted=120_000)
    spend(db, g, host, 35_000)
    s = services.figures(g).settlement
    assert s.ceiling_nok == 0 and s.keep_nok == 0 and s.repay_nok == 120_000
    assert s.per_participant_nok is None


def test_granted_less_than_the_ceiling_caps_what_the_county_keeps(db, world):
    g, host = world["gathering"], world["host"]
    add_attended(db, g, 40)  # ceiling 160 000
    decide_grant(db, g, host, world["directorate"], planned=40, applied=160_000,
                 granted=100_000, comment="Mindre ramme i år.")
    spend(db, g, host, 130_000)
    s = services.figures(g).settlement
    assert s.ceiling_nok == 160_000 and s.allowed_nok == 100_000
    assert s.keep_nok == 100_000 and s.repay_nok == 0 and s.overspent_nok == 30_000


def test_attendance_rule_any_day_or_all_days(db, world):
    g, directorate = world["gathering"], world["directorate"]
    add_person(db, g, day1=True, day2=True)
    add_person(db, g, day1=True, day2=None)
    add_person(db, g, day1=None, day2=True)
    add_person(db, g, day1=None, day2=None)
    assert services.figures(g).counts.participants == 3  # default: any day
    services.set_rules(2027, directorate, rate_nok=4000, attendance="all_days",
                       include_speakers=False, purge_after_months=6)
    db.session.commit()
    f = services.figures(g)
    assert f.counts.participants == 1 and f.attendance == "all_days"
    assert f.settlement.ceiling_nok == 4000


def test_all_days_on_a_one_day_gathering_needs_only_day_one(db, world, make_gathering):
    g = make_gathering(county="46", start=world["gathering"].start_date,
                       end=world["gathering"].start_date)
    add_person(db, g, day1=True, day2=None)
    services.set_rules(2027, world["directorate"], rate_nok=4000, attendance="all_days",
                       include_speakers=False, purge_after_months=6)
    db.session.commit()
    assert services.figures(g).counts.participants == 1


def test_speakers_count_only_when_the_directorate_says_so(db, world):
    g = world["gathering"]
    add_person(db, g)
    add_person(db, g, kind="partner", role="speaker")
    add_person(db, g, kind="county", role="speaker")
    f = services.figures(g)
    assert f.counts.participants == 1 and f.counts.speakers == 2
    assert f.counts.partners == 0 and f.counts.county_staff == 0
    services.set_rules(2027, world["directorate"], rate_nok=3500, attendance="any_day",
                       include_speakers=True, purge_after_months=6)
    db.session.commit()
    f = services.figures(g)
    assert f.counts.participants == 3 and f.counts.partners == 1 and f.counts.county_staff == 1
    assert f.settlement.ceiling_nok == 3 * 3500


def test_groups_and_coverage(db, world):
    g = world["gathering"]
    first, second = vestland_units(db)[:2]
    add_person(db, g, unit=first)
    add_person(db, g, unit=first)
    add_person(db, g, unit=second)
    add_person(db, g, unit=vestland_units(db)[2], day1=None, day2=None)  # did not come
    add_person(db, g, kind="county", role="county_staff")
    add_person(db, g, kind="partner", role="partner")
    add_person(db, g, status="cancelled", day1=True)  # cancelled rows never count
    c = services.figures(g).counts
    assert (c.participants, c.municipal_staff, c.county_staff, c.partners) == (5, 3, 1, 1)
    assert c.municipalities_covered == 2
    assert c.municipalities_total == len(vestland_units(db))


def test_oslo_districts_cover_oslo_once(db, places, make_gathering):
    g = make_gathering(county="03")
    for number in ("030101", "030102"):
        add_person(db, g, kind="district", unit=places.unit(number))
    c = services.figures(g).counts
    assert c.municipal_staff == 2 and c.municipalities_covered == 1 and c.municipalities_total == 1


# --- application and decision -------------------------------------------------------------------

def test_applying_above_the_ceiling_is_refused_and_saves_nothing(db, world):
    with pytest.raises(ValidationFailed) as refused:
        services.apply(world["gathering"], world["host"], planned_participants=50,
                       applied_nok=200_001)
    assert refused.value.fields == {"applied_nok": refused.value.message}
    assert "200\u00a0000" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(GrantApplication)) == 0


def test_only_the_host_applies_and_only_the_directorate_decides(db, world):
    g = world["gathering"]
    for user in (world["counsellor"], world["outsider"], world["directorate"]):
        with pytest.raises(Forbidden):
            services.apply(g, user, planned_participants=10, applied_nok=40_000)
    application = services.apply(g, world["host"], planned_participants=10, applied_nok=40_000)
    with pytest.raises(Forbidden):
        services.decide(application, world["host"], granted_nok=40_000)


def test_decision_above_applied_or_less_without_a_reason_is_refused(db, world):
    application = services.apply(world["gathering"], world["host"], planned_participants=10,
                                 applied_nok=40_000)
    with pytest.raises(ValidationFailed) as above:
        services.decide(application, world["directorate"], granted_nok=40_001)
    assert "granted_nok" in above.value.fields
    with pytest.raises(ValidationFailed) as no_reason:
        services.decide(application, world["directorate"], granted_nok=30_000, comment="  ")
    assert "comment" in no_reason.value.fields
    assert application.status == "submitted" and application.granted_nok is None
    services.decide(application, world["directorate"], granted_nok=30_000, comment="Ramme.")
    with pytest.raises(Conflict):
        services.apply(world["gathering"], world["host"], planned_participants=12,
                       applied_nok=48_000)


# --- budget, report, lock -----------------------------------------------------------------------

def _submitted(db, world):
    g = world["gathering"]
    services.save_report(g, world["host"], follow_up_actions="Faste digitale møter.")
    report = services.submit_report(g, world["host"])
    db.session.commit()
    return report


def test_submitting_freezes_the_figures_and_locks_the_budget(db, example):
    g, host = example["gathering"], example["host"]
    line = db.session.scalars(select(BudgetLine)).first()
    _submitted(db, example)
    before = services.figures(g)
    assert before.frozen and before.counts.participants == 58
    # A late check-in and a new rule change nothing in the submitted report.
    add_person(db, g)
    services.set_rules(2027, example["directorate"], rate_nok=5000, attendance="all_days",
                       include_speakers=True, purge_after_months=3)
    db.session.commit()
    after = services.figures(g)
    assert after.settlement == before.settlement and after.counts == before.counts
    assert after.rate_nok == 4000 and after.attendance == "any_day"
    for attempt in (
        lambda: services.add_line(g, host, services.LineData("other", "Mer", 1, 1)),
        lambda: services.update_line(line, host, services.LineData("venue", "X", 1, 1)),
        lambda: services.delete_line(line, host),
    ):
        with pytest.raises(Conflict):
            attempt()
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BudgetLine)) == 2


def test_submission_needs_a_held_gathering_a_decision_and_follow_up(db, world):
    g, host = world["gathering"], world["host"]
    g.status = "closed"
    db.session.commit()
    with pytest.raises(Conflict, match="som gjennomført"):  # "Mark the gathering as held …" (nb)
        services.submit_report(g, host)
    db.session.rollback()
    messages = [b.message for b in services.submission_blockers(g)]
    assert len(messages) == 3
    g.status = "held"
    decide_grant(db, g, host, world["directorate"], planned=10, applied=40_000, granted=40_000)
    with pytest.raises(ValidationFailed) as missing:
        services.submit_report(g, host)
    assert "follow_up_actions" in missing.value.fields


def test_return_then_approve(db, example):
    g, directorate = example["gathering"], example["directorate"]
    report = _submitted(db, example)
    with pytest.raises(ValidationFailed):
        services.return_report(report, directorate, "")
    services.return_report(report, directorate, "Mangler oppfølging for kommunene.")
    db.session.commit()
    assert not services.figures(g).frozen  # open to the county again
    services.submit_report(g, example["host"])
    services.approve_report(report, directorate)
    db.session.commit()
    assert report.status == "approved" and g.status == "reported"
    with pytest.raises(Conflict):
        services.save_report(g, example["host"], follow_up_actions="Endret")


def test_the_gathering_keeps_whether_its_report_locks_the_survey_and_the_log(db, example):
    g, directorate = example["gathering"], example["directorate"]

    def locked() -> bool:
        db.session.expire(g)
        return db.session.get(Gathering, g.id).report_locked

    services.save_report(g, example["host"], follow_up_actions="Faste digitale møter.")
    db.session.commit()
    assert not locked()  # a draft locks nothing
    report = _submitted(db, example)
    assert locked()
    services.return_report(report, directorate, "Mangler oppfølging for kommunene.")
    db.session.commit()
    assert not locked()
    services.submit_report(g, example["host"])
    db.session.commit()
    assert locked()
    services.approve_report(report, directorate)
    db.session.commit()
    assert locked()
    services.purge(g, example["host"])
    db.session.commit()
    assert locked()


# --- purge reminders ----------------------------------------------------------------------------

def _approved(db, world):
    report = _submitted(db, world)
    services.approve_report(report, world["directorate"])
    db.session.commit()
    return report


def test_purge_reminder_goes_once_to_the_countys_hosts_after_the_months(db, example, make_user):
    make_user("county_host", county="46", email="vert2@vestland.example")
    idle = make_user("county_host", county="46", email="borte@vestland.example")
    idle.active = False
    db.session.commit()
    report = _approved(db, example)
    due = services.purge_due_at(report)
    assert due == report.decided_at + timedelta(days=30 * 6)

    def mails():
        return sorted(db.session.scalars(select(OutboxMessage.to_address).where(
            OutboxMessage.kind == "grants.purge_reminder")))

    assert services.send_purge_reminders(now=due - timedelta(minutes=1)) == 0
    assert services.send_purge_reminders(now=due + timedelta(minutes=1)) == 2
    db.session.commit()
    assert mails() == ["vert2@vestland.example", "vert@vestland.example"]
    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "grants.purge_reminder")).first()
    assert f"/gatherings/{example['gathering'].id}/report" in message.body_text
    assert services.send_purge_reminders(now=due + timedelta(days=40)) == 0
    assert len(mails()) == 2


def test_no_reminder_after_the_purge(db, example):
    report = _approved(db, example)
    services.purge(example["gathering"], example["host"])
    db.session.commit()
    assert services.purge_due_at(report) is None
    assert services.send_purge_reminders(now=report.decided_at + timedelta(days=3650)) == 0


def test_purge_only_after_approval_only_by_the_host_and_only_once(db, example):
    g = example["gathering"]
    with pytest.raises(Conflict):
        services.purge(g, example["host"])
    db.session.rollback()
    _approved(db, example)
    with pytest.raises(Forbidden):
        services.purge(g, example["directorate"])
    services.purge(g, example["host"])
    db.session.commit()
    with pytest.raises(Conflict):
        services.purge(g, example["host"])


def test_hosts_hear_of_the_decision_and_the_review_by_mail(db, world):
    g, host, reviewer = world["gathering"], world["host"], world["directorate"]

    def mail(kind):
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                  .order_by(OutboxMessage.id)).all()

    decide_grant(db, g, host, reviewer, applied=250_000, granted=200_000,
                 comment="Overnatting er redusert.")
    decided = mail("grants.decided")
    # The county's host only: not the counsellor, not another county's host.
    assert [m.to_address for m in decided] == ["vert@vestland.example"]
    assert "200\u00a0000" in decided[0].body_text and "250\u00a0000" in decided[0].body_text
    assert "Overnatting er redusert." in decided[0].body_text
    assert f"/gatherings/{g.id}/grant" in decided[0].body_text

    services.save_report(g, host, follow_up_actions="Faste digitale møter")
    services.submit_report(g, host)
    services.return_report(services.report_for(g), reviewer, "Legg ved reiseutgiftene.")
    db.session.commit()
    services.submit_report(g, host)
    services.approve_report(services.report_for(g), reviewer)
    db.session.commit()
    reviewed = mail("grants.report_reviewed")
    assert [m.to_address for m in reviewed] == ["vert@vestland.example"] * 2
    assert "Legg ved reiseutgiftene." in reviewed[0].body_text
    assert reviewed[0].subject != reviewed[1].subject


def test_a_refused_decision_mails_nobody(db, world):
    g, host = world["gathering"], world["host"]
    application = services.apply(g, host, planned_participants=10, applied_nok=40_000)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.decide(application, world["directorate"], granted_nok=50_000)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
