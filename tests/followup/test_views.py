"""The follow-up pages as their users see them: the log with filters, the add and edit forms
with errors beside the fields, the status change, and the mail after a preview."""

from datetime import date
from html import unescape

from sqlalchemy import func, select

from eventapp.followup import services
from eventapp.followup.models import FollowUpItem
from eventapp.mail.models import OutboxMessage
from tests.conftest import get_csrf
from tests.followup.conftest import add_person


def post(client, url: str, data: dict, page: str | None = None):
    token = get_csrf(client, page or url)
    return client.post(url, data={**data, "csrf_token": token})


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_host_adds_edits_and_filters_the_log(db, world, as_user, add_item, monkeypatch):
    g = world["gathering"]
    client = as_user(world["host"])
    url = f"/gatherings/{g.id}/follow-up"
    assert 'data-note="empty"' in text(client.get(url))

    refused = post(client, url, {"kind": "question", "raised": "", "status": "done"})
    html = text(refused)
    assert refused.status_code == 422
    assert 'id="raised-error"' in html and 'id="answer-error"' in html
    assert 'aria-invalid="true"' in html and count(db, FollowUpItem) == 0

    brochure = {"kind": "input", "raised": "Felles informasjonsmateriell",
                "raised_by": "Bord 3", "action": "Fylket lager en brosjyre",
                "owner": "Karrieresenteret", "status": "done"}
    # A due date before the gathering (which starts 10 March 2027) or no date at all is refused
    # beside the field, the rest of what was typed kept.
    for wrong in ("2027-03-09", "2027-02-30", "neste uke"):
        refused = post(client, url, {**brochure, "due_on": wrong})
        html = text(refused)
        assert refused.status_code == 422, wrong
        assert 'id="due_on-error"' in html and 'id="raised-error"' not in html
        assert "Fylket lager en brosjyre" in html and count(db, FollowUpItem) == 0
    assert 'min="2027-03-10"' in html
    done = post(client, url, {**brochure, "due_on": "2027-05-01"})
    assert done.status_code == 302
    item = db.session.scalars(select(FollowUpItem)).one()
    assert (item.kind, item.status, item.owner) == ("input", "done", "Karrieresenteret")
    assert item.due_on == date(2027, 5, 1)
    question = add_item(g, world["host"], "Hvem betaler reisen?")

    edit = f"{url}/{question.id}"
    refused = post(client, edit, {"kind": "question", "raised": question.raised,
                                  "status": "done"})
    assert refused.status_code == 422 and 'id="answer-error"' in text(refused)
    db.session.expire_all()
    assert db.session.get(FollowUpItem, question.id).status == "open"
    answered = {"kind": "question", "raised": question.raised, "answer": "Fylket dekker reisen.",
                "status": "in_progress"}
    refused = post(client, edit, {**answered, "due_on": "2026-12-01"})
    assert refused.status_code == 422 and 'id="due_on-error"' in text(refused)
    db.session.expire_all()
    assert db.session.get(FollowUpItem, question.id).answer is None
    saved = post(client, edit, {**answered, "due_on": "2027-04-01"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUpItem, question.id).answer == "Fylket dekker reisen."
    assert 'value="2027-04-01"' in text(client.get(edit))

    # In the log: each due date, and the open one past its date marked; the done one is not.
    monkeypatch.setattr(services, "today", lambda: date(2027, 6, 1))
    html = text(client.get(url))
    assert html.count('data-due="') == 2 and 'data-due="2027-04-01"' in html
    assert 'data-count="overdue">1<' in html and html.count('data-overdue="1"') == 1
    row = html.split(f'id="item-{question.id}"')[1].split("</tr>")[0]
    assert 'data-note="overdue"' in row

    html = text(client.get(url + "?status=done"))
    assert f'data-item="{item.id}"' in html and f'data-item="{question.id}"' not in html
    html = text(client.get(url + "?kind=question&status=nonsense"))
    assert f'data-item="{question.id}"' in html and f'data-item="{item.id}"' not in html
    html = text(client.get(url))
    assert 'data-count="total">2<' in html and 'data-count="done">1<' in html


def test_status_change_needs_an_answer_and_says_so_beside_the_field(db, world, as_user, add_item):
    g = world["gathering"]
    item = add_item(g, world["host"], "Hvor finner vi presentasjonene?")
    client = as_user(world["host"])
    url = f"/gatherings/{g.id}/follow-up"
    status_url = f"{url}/{item.id}/status"
    refused = post(client, status_url, {f"item{item.id}-status": "done"}, page=url)
    assert refused.status_code == 422 and 'id="answer-error"' in text(refused)
    db.session.expire_all()
    assert db.session.get(FollowUpItem, item.id).status == "open"
    moved = post(client, status_url, {f"item{item.id}-status": "in_progress"}, page=url)
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUpItem, item.id).status == "in_progress"


def test_who_sees_and_who_changes(db, world, as_user, add_item):
    g = world["gathering"]
    item = add_item(g, world["host"], answer="Svar", status="done")
    url = f"/gatherings/{g.id}/follow-up"
    assert as_user(world["outsider"]).get(url).status_code == 404
    assert as_user(world["outsider"]).get(f"{url}/{item.id}").status_code == 404
    # Issue 17: the county's municipal contact reads the log (test_municipal_readers has more)
    # and changes nothing.
    contact = as_user(world["contact"])
    read = text(contact.get(url))
    assert f'data-item="{item.id}"' in read and 'id="add"' not in read
    assert 'data-action="mail"' not in read and 'data-action="evaluation"' not in read
    assert contact.get(f"{url}/{item.id}").status_code == 403
    assert contact.post(f"{url}/mail", data={"csrf_token": get_csrf(contact, url)}
                        ).status_code == 403
    for who in ("counsellor", "directorate"):
        client = as_user(world[who])
        html = text(client.get(url))
        assert f'data-item="{item.id}"' in html and 'id="add"' not in html
        assert 'data-action="mail"' not in html
        assert client.get(f"{url}/{item.id}").status_code == 403
        token = get_csrf(client, url)
        assert client.post(f"{url}/{item.id}/delete",
                           data={"csrf_token": token}).status_code == 403
        assert client.post(f"{url}/mail", data={"csrf_token": token}).status_code == 403
    assert count(db, FollowUpItem) == 1 and count(db, OutboxMessage) == 0


def test_mail_confirmation_shows_the_preview_and_sends(db, world, as_user, add_item):
    g = world["gathering"]
    people = [add_person(db, g) for _ in range(4)]
    add_person(db, g, status="cancelled")
    client = as_user(world["host"])
    url = f"/gatherings/{g.id}/follow-up"
    add_item(g, world["host"], "Uten svar")
    assert 'data-note="nothing-to-mail"' in text(client.get(f"{url}/mail"))
    refused = post(client, f"{url}/mail", {})
    assert refused.status_code == 422 and count(db, OutboxMessage) == 0

    add_item(g, world["host"], "Neste samling?", answer="I mars 2028 i Bergen.", status="done")
    log = text(client.get(url))
    # The participants and the county's municipal contact (issue 17).
    assert 'data-action="mail"' in log and f"({len(people) + 1})" in log
    page = text(client.get(f"{url}/mail"))
    assert 'data-figure="recipients">5<' in page and 'data-figure="left-out">1<' in page
    assert 'data-figure="participants">4<' in page \
        and 'data-figure="municipal-contacts">1<' in page and 'data-figure="committee">0<' in page
    assert "I mars 2028 i Bergen." in page and "Uten svar" not in page.split('data-preview="body"')[1]
    assert world["host"].email in page.split('data-preview="body"')[1]
    assert count(db, OutboxMessage) == 0
    sent = post(client, f"{url}/mail", {})
    assert sent.status_code == 302
    assert sorted(m.to_address for m in db.session.scalars(select(OutboxMessage))) == sorted(
        [p.email for p in people] + [world["contact"].email])


def test_locked_after_the_report_is_approved(db, world, as_user, add_item):
    g = world["gathering"]
    item = add_item(g, world["host"], answer="Svar", status="done")
    g.status = "reported"
    db.session.commit()
    client = as_user(world["host"])
    url = f"/gatherings/{g.id}/follow-up"
    html = text(client.get(url))
    assert 'data-note="locked"' in html and 'id="add"' not in html
    refused = post(client, url, {"kind": "question", "raised": "Ny", "status": "open"},
                   page=url)
    assert refused.status_code == 409 and count(db, FollowUpItem) == 1
    assert 'data-note="refused"' in text(refused)
    changed = post(client, f"{url}/{item.id}", {"kind": "question", "raised": "Endret",
                                                "status": "open"}, page=url)
    assert changed.status_code == 409
    db.session.expire_all()
    assert db.session.get(FollowUpItem, item.id).raised == "Hvordan søker vi om tilskudd?"
