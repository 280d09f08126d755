"""The participant rule for digital participants: the directorate sets per year whether those
who took part digitally count (everyone at a digital gathering, at a hybrid one those
registered as attending digitally). Every figure is counted by hand from the rows made here."""

from datetime import date

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import ValidationFailed
from eventapp.grants import services
from eventapp.grants.models import GrantRules
from tests.conftest import get_csrf
from tests.grants.conftest import add_person, decide_grant, figure, vestland_units

LINK = "https://teams.microsoft.com/l/meetup-join/abc"


def _rule(db, directorate, year: int, digital: str) -> None:
    services.set_rules(year, directorate, rate_nok=4000, attendance="any_day",
                       include_speakers=False, purge_after_months=6, digital_counts=digital)
    db.session.commit()


@pytest.fixture
def webinar(db, world, make_gathering):
    g = make_gathering(county="46", title="Oppfølgingswebinar", start=date(2027, 5, 20),
                       end=date(2027, 5, 20), mode="digital", meeting_url=LINK)
    g.status = "held"
    db.session.commit()
    return g


@pytest.fixture
def hybrid(db, world, make_gathering):
    g = make_gathering(county="46", title="Hybridsamling", start=date(2027, 9, 1),
                       end=date(2027, 9, 2), mode="hybrid", meeting_url=LINK, venue="Kilden")
    g.status = "held"
    db.session.commit()
    return g


def test_a_year_without_rules_counts_digital_participants_as_before(db, world, webinar):
    units = vestland_units(db, 3)
    for unit in units:
        add_person(db, webinar, unit=unit, day1=True, day2=None)
    add_person(db, webinar, unit=units[0], day1=None, day2=None)  # registered, never came
    assert services.rules_for(2027).digital_counts == "full"
    counts = services.count_participants(webinar, services.rules_for(2027))
    # By hand: three came, one did not; all three count, from three municipalities.
    assert (counts.participants, counts.municipal_staff, counts.municipalities_covered) == (3, 3, 3)


def test_not_counted_leaves_out_everyone_at_a_digital_gathering(db, world, webinar):
    for unit in vestland_units(db, 3):
        add_person(db, webinar, unit=unit, day1=True, day2=None)
    decide_grant(db, webinar, world["host"], world["directorate"], planned=10, applied=40_000,
                 granted=40_000)
    _rule(db, world["directorate"], 2027, "not_counted")
    f = services.figures(webinar)
    assert f.digital_counts == "not_counted"
    assert (f.counts.participants, f.counts.municipalities_covered) == (0, 0)
    # Nobody counted: the ceiling is 0, so the whole grant of 40 000 is repaid.
    assert (f.settlement.ceiling_nok, f.settlement.repay_nok) == (0, 40_000)
    # Another year keeps its own rule: the same rows counted in 2028 would all count.
    assert services.rules_for(2028).digital_counts == "full"


def test_hybrid_counts_the_room_and_the_digital_side_by_the_rule(db, world, hybrid):
    units = vestland_units(db, 4)
    in_room = [add_person(db, hybrid, unit=units[i], day1=True, day2=True) for i in range(3)]
    online = [add_person(db, hybrid, unit=units[3], day1=True, day2=None,
                         attends_digitally=True),
              add_person(db, hybrid, kind="county", day1=None, day2=True,
                         attends_digitally=True)]
    add_person(db, hybrid, unit=units[3], day1=None, day2=None, attends_digitally=True)  # absent
    assert len(in_room) == 3 and len(online) == 2

    _rule(db, world["directorate"], 2027, "full")
    full = services.count_participants(hybrid, services.rules_for(2027))
    # By hand: 3 in the room + 2 online who came = 5; municipal 3 + 1 = 4 from 4 municipalities;
    # one county staff.
    assert (full.participants, full.municipal_staff, full.county_staff,
            full.municipalities_covered) == (5, 4, 1, 4)

    _rule(db, world["directorate"], 2027, "not_counted")
    without = services.count_participants(hybrid, services.rules_for(2027))
    # By hand: only the 3 in the room, from 3 municipalities (the 4th came only online).
    assert (without.participants, without.municipal_staff, without.county_staff,
            without.municipalities_covered) == (3, 3, 0, 3)


def test_attends_digitally_means_nothing_at_a_gathering_in_person(db, world):
    g = world["gathering"]
    add_person(db, g, day1=True, day2=True, attends_digitally=True)
    add_person(db, g, day1=True, day2=True)
    _rule(db, world["directorate"], 2027, "not_counted")
    assert services.count_participants(g, services.rules_for(2027)).participants == 2


def test_set_rules_refuses_an_unknown_setting_and_keeps_it_when_not_given(db, world):
    with pytest.raises(ValidationFailed) as caught:
        services.set_rules(2027, world["directorate"], rate_nok=4000, attendance="any_day",
                           include_speakers=False, purge_after_months=6, digital_counts="half")
    assert caught.value.fields == {"digital_counts": caught.value.fields["digital_counts"]}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(GrantRules)) == 0
    _rule(db, world["directorate"], 2027, "not_counted")
    # Saved again without the setting (an older caller): the year keeps "not_counted".
    services.set_rules(2027, world["directorate"], rate_nok=3000, attendance="any_day",
                       include_speakers=False, purge_after_months=6)
    db.session.commit()
    assert db.session.get(GrantRules, 2027).digital_counts == "not_counted"


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, url)})


def test_the_directorate_sets_it_on_the_rules_page_and_the_grant_page_says_it(
        db, as_user, world, webinar):
    for unit in vestland_units(db, 2):
        add_person(db, webinar, unit=unit, day1=True, day2=None)
    hk = as_user(world["directorate"])
    page = hk.get("/grants/rules?year=2027").get_data(as_text=True)
    assert 'name="digital_counts"' in page
    base = {"rate_nok": "4000", "attendance": "any_day", "purge_after_months": "6"}
    bad = _post(hk, "/grants/rules?year=2027", {**base, "digital_counts": "half"})
    assert bad.status_code == 422 and 'class="error-message"' in bad.get_data(as_text=True)
    assert db.session.get(GrantRules, 2027) is None
    ok = _post(hk, "/grants/rules?year=2027", {**base, "digital_counts": "not_counted"})
    assert ok.status_code == 302
    grant = hk.get(f"/gatherings/{webinar.id}/grant").get_data(as_text=True)
    assert figure(grant, "participants") == "0"
    assert 'data-digital-rule="not_counted"' in grant
    _post(hk, "/grants/rules?year=2027", {**base, "digital_counts": "full"})
    grant = hk.get(f"/gatherings/{webinar.id}/grant").get_data(as_text=True)
    assert figure(grant, "participants") == "2"
    # A gathering in person does not mention the digital rule at all.
    in_person = hk.get(f"/gatherings/{world['gathering'].id}/grant").get_data(as_text=True)
    assert "data-digital-rule" not in in_person
