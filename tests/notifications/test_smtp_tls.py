"""Handing mail over on an encrypted connection: STARTTLS, implicit TLS, and AUTH behind them.

In process, against a real aiosmtpd server with a certificate from a test CA (trustme). The
product builds its client contexts with ssl.create_default_context(), which reads the
SSL_CERT_FILE environment variable, so pointing that at the test CA is all the trust needed.
"""

from __future__ import annotations

import ssl
from email.message import EmailMessage

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from spa_app.notifications import delivery
from spa_app.notifications.delivery import Outcome
from tests.conftest import free_port
from tests.notifications import conftest

USER, PASSWORD = "spa-mailer", "s3cret-pass"


class TLSSink:
    """Accepts mail (250) and keeps (envelope, TLS version or None, login or None)."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        tls = server.transport.get_extra_info("ssl_object")
        login = session.auth_data.login.decode() if session.auth_data else None
        self.received.append((envelope, tls.version() if tls else None, login))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data == (USER.encode(), PASSWORD.encode())
    # handled=False: aiosmtpd itself answers 535 to a wrong password.
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def trust(ca, tmp_path, monkeypatch):
    """Make the client trust ``ca`` (and only it) the way production code would: SSL_CERT_FILE."""

    def trust(authority: trustme.CA) -> None:
        pem = tmp_path / f"ca-{id(authority)}.pem"
        authority.cert_pem.write_to_path(str(pem))
        monkeypatch.setenv("SSL_CERT_FILE", str(pem))
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    trust(ca)
    return trust


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*(names or ("127.0.0.1", "localhost"))).configure_cert(context)
    return context


@pytest.fixture
def serve():
    """Start an aiosmtpd server with a TLSSink and the given Controller/SMTP options."""
    controllers = []

    def serve(**options) -> TLSSink:
        sink = TLSSink()
        controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        controllers.append(controller)
        sink.port = controller.port
        return sink

    yield serve
    for controller in controllers:
        controller.stop()


def mail_settings(app, port: int, **overrides) -> delivery.MailSettings:
    """Settings with room for a slow handshake on a busy machine: these tests are about what the
    certificates and the server's answers lead to, not about timeouts."""
    return conftest.mail_settings(app, port, **{"MAIL_TIMEOUT_SECONDS": 15, **overrides})


def an_email() -> EmailMessage:
    email = EmailMessage()
    email["From"] = "Spa <bookings@spa.example>"
    email["To"] = "client@example.com"
    email["Subject"] = "Your visit"
    email.set_content("See you on Monday.")
    return email


def test_the_test_ca_is_trusted_through_ssl_cert_file(ca, trust):
    """The premise of this module: create_default_context() reads SSL_CERT_FILE when called."""
    trusted = ssl.create_default_context().get_ca_certs(binary_form=True)
    assert trusted == [ssl.PEM_cert_to_DER_cert(ca.cert_pem.bytes().decode())]


def test_starttls(app, ca, trust, serve):
    sink = serve(tls_context=server_context(ca), require_starttls=True)
    mail = mail_settings(app, sink.port, MAIL_SECURITY="starttls")

    assert delivery.hand_over(an_email(), mail) == (Outcome.SENT, "250 accepted")
    ((envelope, tls, login),) = sink.received
    assert envelope.rcpt_tos == ["client@example.com"]
    assert tls in {"TLSv1.2", "TLSv1.3"} and login is None


def test_implicit_tls(app, ca, trust, serve):
    sink = serve(ssl_context=server_context(ca))
    mail = mail_settings(app, sink.port, MAIL_SECURITY="ssl")

    assert delivery.hand_over(an_email(), mail) == (Outcome.SENT, "250 accepted")
    ((envelope, tls, login),) = sink.received
    assert envelope.rcpt_tos == ["client@example.com"]
    assert tls in {"TLSv1.2", "TLSv1.3"} and login is None


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_login_over_tls(app, ca, trust, serve, security):
    tls = server_context(ca)
    if security == "ssl":
        # aiosmtpd does not count implicit TLS as TLS for AUTH (aio-libs/aiosmtpd#281): with
        # auth_require_tls it never offers AUTH. The connection is encrypted all the same, and
        # auth_required without auth_require_tls only warns, so the login is checked below.
        sink = serve(ssl_context=tls, authenticator=authenticator, auth_require_tls=False)
    else:
        sink = serve(
            tls_context=tls,
            require_starttls=True,
            authenticator=authenticator,
            auth_required=True,
        )
    mail = mail_settings(
        app, sink.port, MAIL_SECURITY=security, MAIL_USERNAME=USER, MAIL_PASSWORD=PASSWORD
    )

    assert delivery.hand_over(an_email(), mail) == (Outcome.SENT, "250 accepted")
    ((_, version, login),) = sink.received
    assert version is not None and login == USER


def test_a_wrong_password_is_retried_until_the_setup_is_fixed(app, ca, trust, serve):
    """535 from AUTH is our setup at fault (a password changed on one side), not the message's:
    failing every message sent meanwhile would lose them, so it is retried."""
    sink = serve(
        tls_context=server_context(ca),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    mail = mail_settings(
        app, sink.port, MAIL_SECURITY="starttls", MAIL_USERNAME=USER, MAIL_PASSWORD="wrong"
    )

    outcome, detail = delivery.hand_over(an_email(), mail)
    assert outcome is Outcome.RETRY and detail.startswith("mail server setup refused: 535 "), detail
    assert sink.received == []


def test_plain_smtp_to_a_server_that_requires_starttls_is_retried(app, ca, serve):
    """MAIL_SECURITY=none against a STARTTLS-only server: it answers 530 to MAIL FROM, a setup
    matter the operator can fix, so the message waits rather than fails."""
    sink = serve(tls_context=server_context(ca), require_starttls=True)
    mail = mail_settings(app, sink.port, MAIL_SECURITY="none")

    outcome, detail = delivery.hand_over(an_email(), mail)
    assert outcome is Outcome.RETRY and detail.startswith("530 "), detail
    assert sink.received == []


@pytest.mark.parametrize("security", ["starttls", "ssl"])
@pytest.mark.parametrize("problem", ["unknown CA", "wrong host name"])
def test_a_certificate_the_client_cannot_verify_is_retried_and_nothing_is_sent(
    app, ca, trust, serve, security, problem
):
    """Certificate trouble is TLS trouble: hand_over treats it as transient (RETRY), so the
    message waits and goes again later; nothing reaches the server meanwhile."""
    if problem == "unknown CA":
        trust(trustme.CA())  # the client trusts another CA only
        tls = server_context(ca)
    else:
        tls = server_context(ca, "mail.example.com")  # the client connects to 127.0.0.1
    sink = serve(ssl_context=tls) if security == "ssl" else serve(tls_context=tls)
    mail = mail_settings(app, sink.port, MAIL_SECURITY=security)

    outcome, detail = delivery.hand_over(an_email(), mail)
    assert outcome is Outcome.RETRY, detail
    assert detail.startswith("SSLCertVerificationError: "), detail
    expected = "unable to get local issuer" if problem == "unknown CA" else "IP address mismatch"
    assert expected in detail, detail
    assert sink.received == []
