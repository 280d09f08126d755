"""One way to write a gathering's dates, in both languages."""

from datetime import date

import pytest

from eventapp.core.dates import daterange


@pytest.mark.parametrize(("start", "end", "nb", "en"), [
    (date(2027, 3, 10), date(2027, 3, 10), "10. mars 2027", "10 March 2027"),
    (date(2027, 3, 10), None, "10. mars 2027", "10 March 2027"),
    (date(2027, 3, 10), date(2027, 3, 11), "10.–11. mars 2027", "10–11 March 2027"),
    (date(2027, 4, 30), date(2027, 5, 1), "30. april–1. mai 2027", "30 April–1 May 2027"),
    (date(2026, 12, 31), date(2027, 1, 1), "31. desember 2026–1. januar 2027",
     "31 December 2026–1 January 2027"),
])
def test_daterange_reads_one_way(start, end, nb, en):
    assert daterange(start, end, "nb") == nb
    assert daterange(start, end, "en") == en


def test_daterange_tolerates_reversed_and_missing():
    assert daterange(date(2027, 3, 11), date(2027, 3, 10)) == "10.–11. mars 2027"
    assert daterange(None) == ""
    assert daterange(date(2027, 3, 10), locale="nb_NO") == "10. mars 2027"


def test_the_filter_speaks_the_page_language(app):
    with app.test_request_context():
        rendered = app.jinja_env.from_string("{{ a|daterange(b) }}").render(
            a=date(2027, 3, 10), b=date(2027, 3, 11))
    assert rendered == "10.–11. mars 2027"
