"""Every page of the demo under axe as municipal staff, a counsellor and the directorate
(see ``axe_sweep``)."""

import pytest

from tests.browser.axe_sweep import sweep

pytestmark = pytest.mark.browser


def test_every_page_is_clean_under_axe(app, db, places, browser, live_server, is_postgres):
    sweep(('municipal_contact', 'counsellor', 'directorate'), app, db, browser, live_server, is_postgres)
