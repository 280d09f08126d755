"""The conversation: only the county's hosts and the directorate read and write it (everyone
else 404), each comment is mailed once to each person on the other side, and bad input changes
nothing."""

from sqlalchemy import func, select

from eventapp.dialogue.models import DialogueComment
from eventapp.gatherings.services import add_committee_member
from eventapp.mail.models import OutboxMessage
from tests.conftest import csrf_from


def _post(client, gathering, body, topic="programme"):
    url = f"/gatherings/{gathering.id}/conversation"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"topic": topic, "body": body, "csrf_token": token})


def _mail_to(db) -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.to_address, func.count(OutboxMessage.id))
                              .where(OutboxMessage.kind == "dialogue.comment")
                              .group_by(OutboxMessage.to_address)).all()
    return {address: n for address, n in rows}


def test_a_host_comment_is_mailed_once_to_each_directorate_reviewer(db, people, as_user):
    g = people["gathering"]
    response = _post(as_user(people["host"]), g, "Kan dere se på dag 2?", topic="programme")
    assert response.status_code == 302
    comment = db.session.scalars(select(DialogueComment)).one()
    assert (comment.side, comment.topic, comment.body) == ("county", "programme",
                                                          "Kan dere se på dag 2?")
    assert _mail_to(db) == {"hkdir@example.no": 1, "hkdir2@example.no": 1}
    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_address == "hkdir@example.no")).one()
    assert "Kan dere se på dag 2?" in message.body_text
    assert f"/gatherings/{g.id}/conversation#comment-{comment.id}" in message.body_text


def test_a_directorate_comment_is_mailed_once_to_each_host_of_the_county(db, people, as_user):
    g = people["gathering"]
    response = _post(as_user(people["directorate"]), g, "Søknaden mangler budsjett for reise.",
                     topic="application")
    assert response.status_code == 302
    # Both Vestland hosts, once each; not the other reviewer, not Rogaland's host, not the
    # counsellor.
    assert _mail_to(db) == {"vert@vestland.example": 1, "vert2@vestland.example": 1}
    assert db.session.scalars(select(DialogueComment.side)).one() == "directorate"


def test_both_sides_read_the_conversation(db, people, as_user):
    g = people["gathering"]
    _post(as_user(people["host"]), g, "Første innspill fra fylket")
    _post(as_user(people["directorate"]), g, "Svar fra HK-dir", topic="report")
    for who in ("host", "host2", "directorate"):
        html = as_user(people[who]).get(f"/gatherings/{g.id}/conversation").get_data(as_text=True)
        assert "Første innspill fra fylket" in html and "Svar fra HK-dir" in html
    # Filtered by topic: only the report's comment.
    html = as_user(people["host"]).get(
        f"/gatherings/{g.id}/conversation?topic=report").get_data(as_text=True)
    assert "Svar fra HK-dir" in html and "Første innspill fra fylket" not in html


def test_everyone_else_gets_404_and_writes_nothing(db, people, as_user, make_user):
    g = people["gathering"]
    _post(as_user(people["host"]), g, "Internt mellom fylket og HK-dir")
    member = make_user("municipal_contact", county="46", municipality="4601",
                       email="komite@bergen.example")
    add_committee_member(g, people["host"], email=member.email)
    db.session.commit()
    before = db.session.scalar(select(func.count(DialogueComment.id)))
    mails = db.session.scalar(select(func.count(OutboxMessage.id)))
    for user in (people["counsellor"], people["contact"], member, people["outsider"]):
        client = as_user(user)
        response = client.get(f"/gatherings/{g.id}/conversation")
        assert response.status_code == 404, user.email
        assert "Internt mellom fylket" not in response.get_data(as_text=True)
        token = csrf_from(client.get("/gatherings/").get_data(as_text=True))
        response = client.post(f"/gatherings/{g.id}/conversation",
                               data={"topic": "programme", "body": "Hei", "csrf_token": token})
        assert response.status_code == 404, user.email
    assert db.session.scalar(select(func.count(DialogueComment.id))) == before
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == mails


def test_an_empty_comment_is_refused_beside_the_field(db, people, as_user):
    g = people["gathering"]
    response = _post(as_user(people["host"]), g, "   ")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="body-error"' in html and "Write the comment." in html
    response = _post(as_user(people["host"]), g, "Hei", topic="budget")
    assert response.status_code == 422
    assert 'id="topic-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(DialogueComment.id))) == 0
    assert _mail_to(db) == {}


def test_the_gathering_the_grant_and_the_report_link_to_it(db, people, as_user):
    g = people["gathering"]
    host = as_user(people["host"])
    conversation = f"/gatherings/{g.id}/conversation"
    assert conversation in host.get(f"/gatherings/{g.id}").get_data(as_text=True)
    assert f"{conversation}?topic=application" in host.get(
        f"/gatherings/{g.id}/grant").get_data(as_text=True)
    assert f"{conversation}?topic=report" in host.get(
        f"/gatherings/{g.id}/report").get_data(as_text=True)
    # The counsellor reads the grant but not the conversation: no link.
    html = as_user(people["counsellor"]).get(f"/gatherings/{g.id}/grant").get_data(as_text=True)
    assert conversation not in html
