import pytest

from tests.grants.conftest import api_headers  # noqa: F401
from tests.reporting.builders import Builder


@pytest.fixture
def builder(db, places, make_user):
    return Builder(make_user)
