"""Bounded input: a body over the limit is refused (413) before it is read, as a page or as
JSON; a state-changing request from another site's page is refused (400) over http too."""

from __future__ import annotations

import http.client
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from spa_app.accounts.models import User
from spa_app.extensions import db
from tests import factories

TWENTY_MB = 20 * 1024 * 1024


def test_an_oversized_anonymous_post_gets_413_before_csrf_or_parsing(client):
    reply = client.post("/login", data={"email": "x" * 300_000})
    assert reply.status_code == 413
    page = reply.get_data(as_text=True)
    assert (
        "more than this site takes in one request (256 KiB)" in page and "Nothing was saved" in page
    )


def test_the_api_answers_413_as_json(client):
    reply = client.get("/api/availability", data="x" * 300_000, content_type="text/plain")
    assert reply.status_code == 413 and reply.is_json and "Nothing was saved" in reply.json["error"]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(app):
    """The app on a real socket, so a body can be announced and never sent."""
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_twenty_megabytes_are_refused_on_their_length_alone(served):
    """The length header is enough: the server answers without waiting for the body."""
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    conn.putrequest("POST", "/register")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(TWENTY_MB))
    conn.endheaders()
    conn.send(b"name=" + b"x" * 1024)  # a trickle, never the 20 MB
    reply = conn.getresponse()
    assert reply.status == 413
    conn.close()


def test_a_post_from_another_sites_page_is_refused_over_http(client):
    user = factories.user(name="Orla Origin")
    factories.login(client, user)
    foreign = client.post(
        "/account/emails", data={"wanted": []}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 400 and "another site" in foreign.get_data(as_text=True)
    null = client.post("/logout", headers={"Origin": "null"})
    assert null.status_code == 400
    own = client.post("/logout", headers={"Origin": "http://localhost"})
    assert own.status_code == 302  # the test client's own host
    factories.fresh()
    assert db.session.get(User, user.id) is not None


def test_a_mail_apps_one_click_unsubscribe_may_come_from_anywhere(app, client):
    from spa_app.notifications.models import MessageKind
    from spa_app.notifications.preferences import unsubscribe_token

    user = factories.user()
    token = unsubscribe_token(app.config["SECRET_KEY"], user.id, MessageKind.APPOINTMENT_REMINDER)
    reply = client.post(
        f"/unsubscribe/{token}",
        data={"List-Unsubscribe": "One-Click"},
        headers={"Origin": "https://mail.example"},
    )
    assert reply.status_code == 200
