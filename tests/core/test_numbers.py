"""Shares read as whole percentages rounded the way people round."""

from eventapp.core.numbers import percent, whole_percent


def test_halves_round_up_and_nothing_reads_as_a_dash():
    assert [whole_percent(n / 40) for n in (1, 13, 15, 27)] == [3, 33, 38, 68]
    assert whole_percent(2 / 3) == 67 and whole_percent(0) == 0 and whole_percent(1) == 100
    assert percent(13 / 40) == "33\u00a0%" and percent(None) == "–" and percent(None, "") == ""
