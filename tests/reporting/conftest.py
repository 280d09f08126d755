import pytest

from tests.reporting.builders import Builder


@pytest.fixture
def builder(db, places, make_user):
    return Builder(make_user)
