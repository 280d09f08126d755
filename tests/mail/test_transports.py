"""The SMTP transport: encrypted connections check the server's certificate."""

import shutil
import subprocess

import pytest

from eventapp.mail.services import send_due
from tests.conftest import _free_port
from tests.mail.helpers import TLSSMTPServer, received_ids, row


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


@pytest.fixture(params=["ssl", "starttls"])
def tls_server(request, app, certificate):
    implicit = request.param == "ssl"
    server = TLSSMTPServer(_free_port(), *certificate, implicit=implicit)
    server.start()
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                      MAIL_USE_SSL=implicit, MAIL_USE_TLS=not implicit)
    yield server
    server.stop()


def test_a_server_whose_certificate_is_not_trusted_gets_no_mail(app, queue, tls_server):
    ident = queue()

    report = send_due()

    assert report.retried == 1
    assert tls_server.messages == []
    message = row(ident)
    assert message.status == "pending"
    assert "CERTIFICATE_VERIFY_FAILED" in message.last_error


def test_a_server_whose_certificate_is_trusted_gets_the_mail(
    app, queue, tls_server, certificate, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    ident = queue()

    assert send_due().sent == 1

    assert received_ids(tls_server) == [row(ident).message_id]
