import pytest

from eventapp.api.services import create_token
from eventapp.partners.models import Partner, PartnerContact


@pytest.fixture
def auth(db, make_user):
    """A user and the headers of an API token of theirs."""
    def make(role="county_host", **kwargs):
        user = make_user(role, **kwargs)
        _token, raw = create_token(user, "test")
        db.session.commit()
        return user, {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def make_partner(db, places):
    """A partner in a county (by number) with contacts given as (name, email) pairs."""
    def make(name, kind="nav", county="46", active=True, contacts=()):
        partner = Partner(county_id=places.county(county).id, name=name, kind=kind, active=active)
        for contact_name, email, *rest in contacts:
            partner.contacts.append(PartnerContact(name=contact_name, email=email,
                                                   active=rest[0] if rest else True))
        db.session.add(partner)
        db.session.commit()
        return partner

    return make
