"""The grant rule as arithmetic: the issue's worked example and its edges."""

import pytest

from eventapp.grants.rules import Settlement, per_participant


def test_worked_example_58_attended():
    s = Settlement(participants=58, rate_nok=4000, granted_nok=250_000, spent_nok=210_000)
    assert s.ceiling_nok == 232_000
    assert s.allowed_nok == 232_000          # granted above the ceiling: keeps the ceiling
    assert s.keep_nok == 210_000             # ... of which only what was spent
    assert s.repay_nok == 40_000             # 18 000 over the ceiling + 22 000 unspent
    assert s.over_ceiling_nok == 18_000 and s.unspent_nok == 22_000
    assert s.overspent_nok == 0
    assert s.per_participant_nok == 3621     # 210 000 / 58 = 3620.69, rounded half up


def test_spending_everything_up_to_the_ceiling_repays_only_the_excess_grant():
    s = Settlement(participants=58, rate_nok=4000, granted_nok=250_000, spent_nok=240_000)
    assert s.keep_nok == 232_000 and s.repay_nok == 18_000 and s.unspent_nok == 0


def test_nobody_attended_repays_the_whole_grant():
    s = Settlement(participants=0, rate_nok=4000, granted_nok=120_000, spent_nok=35_000)
    assert s.ceiling_nok == 0 and s.keep_nok == 0 and s.repay_nok == 120_000
    assert s.per_participant_nok is None


def test_granted_less_than_the_ceiling_caps_at_the_grant():
    s = Settlement(participants=58, rate_nok=4000, granted_nok=200_000, spent_nok=230_000)
    assert s.allowed_nok == 200_000 and s.keep_nok == 200_000 and s.repay_nok == 0
    assert s.overspent_nok == 30_000         # the county's own cost; the page warns


def test_granted_less_than_the_ceiling_and_underspent():
    s = Settlement(participants=40, rate_nok=4000, granted_nok=150_000, spent_nok=149_999)
    assert s.keep_nok == 149_999 and s.repay_nok == 1


def test_nothing_granted_keeps_nothing():
    s = Settlement(participants=30, rate_nok=4000, granted_nok=0, spent_nok=50_000)
    assert s.keep_nok == 0 and s.repay_nok == 0 and s.overspent_nok == 50_000


def test_rate_is_a_setting():
    s = Settlement(participants=10, rate_nok=3500, granted_nok=40_000, spent_nok=40_000)
    assert s.ceiling_nok == 35_000 and s.repay_nok == 5_000


@pytest.mark.parametrize("field, value", [("participants", -1), ("granted_nok", 1.5),
                                          ("spent_nok", True), ("rate_nok", "4000")])
def test_only_whole_non_negative_kroner(field, value):
    values = {"participants": 1, "rate_nok": 4000, "granted_nok": 0, "spent_nok": 0, field: value}
    with pytest.raises(ValueError):
        Settlement(**values)


def test_per_participant_rounds_half_up_exactly():
    assert per_participant(5, 2) == 3          # 2.5 → 3, not banker's 2
    assert per_participant(7, 2) == 4
    assert per_participant(0, 3) == 0
    assert per_participant(10, 0) is None
