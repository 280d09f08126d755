"""Mail is written from templates in the recipient's language."""

from types import SimpleNamespace

from eventapp.extensions import db
from eventapp.mail.services import queue_template, render_mail, send_due
from tests.mail.helpers import row

LINK = "http://localhost/account/activate/abc123"
EN_SUBJECT = "Activate your account for the career guidance gatherings"


def test_render_mail_in_english(app):
    subject, body = render_mail("mail/activate", "en", user=SimpleNamespace(name="Kari Nordmann"),
                                link=LINK, hours=72)

    assert subject == EN_SUBJECT
    assert body.startswith("Hello Kari Nordmann,")
    assert "72 hours" in body
    assert LINK in body.splitlines()
    assert body.endswith("\n")
    assert "{{" not in body and "{%" not in body


def test_render_mail_in_norwegian_renders(app):
    subject, body = render_mail("mail/activate", "nb", user=SimpleNamespace(name="Kari Nordmann"),
                                link=LINK, hours=72)

    assert subject.strip()
    assert "\n" not in subject
    assert "Kari Nordmann" in body
    assert LINK in body
    assert "72" in body


def test_text_mail_is_not_html_escaped(app):
    _subject, body = render_mail("mail/activate", "en",
                                 user=SimpleNamespace(name="Per & Pål <Hansen>"), link=LINK, hours=2)

    assert "Hello Per & Pål <Hansen>," in body
    assert "&amp;" not in body


def test_queue_template_stores_the_rendered_mail_and_sends_it(app, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    message = queue_template("accounts.activate", "mail/activate", to="kari@example.no",
                             to_name="Kari Nordmann", locale="en",
                             user=SimpleNamespace(name="Kari Nordmann"), link=LINK, hours=72)
    db.session.commit()

    stored = row(message.id)
    assert stored.kind == "accounts.activate"
    assert stored.subject == EN_SUBJECT
    assert LINK in stored.body_text
    assert stored.status == "pending"

    assert send_due().sent == 1
    (mail,) = server.messages
    assert mail["Subject"] == EN_SUBJECT
    assert LINK in mail.get_body(("plain",)).get_content()


def test_the_locale_of_one_mail_does_not_leak_into_the_next(app):
    english, _ = render_mail("mail/activate", "en", user=SimpleNamespace(name="A"),
                             link=LINK, hours=1)
    default, _ = render_mail("mail/activate", None, user=SimpleNamespace(name="A"),
                             link=LINK, hours=1)
    norwegian, _ = render_mail("mail/activate", "nb", user=SimpleNamespace(name="A"),
                               link=LINK, hours=1)

    assert english == EN_SUBJECT
    assert default == norwegian  # the default language is Norwegian Bokmål
