"""Every page of the demo under axe, logged out and as the county host (see ``axe_sweep``)."""

import pytest

from tests.browser.axe_sweep import sweep

pytestmark = pytest.mark.browser


def test_every_page_is_clean_under_axe(app, db, places, browser, live_server, is_postgres):
    sweep(('anonymous', 'county_host'), app, db, browser, live_server, is_postgres)
