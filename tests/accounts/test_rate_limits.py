"""Login, reset, sign-up and password-change attempts: limited per account and per address."""

from __future__ import annotations

import uuid

import pytest
import redis

from spa_app.extensions import db
from tests import factories
from tests.conftest import REDIS_URL, base_config, free_port, make_app, missing_service

WRONG = "not-the-password"
#: The defaults: 10 tries per account and 50 per address in 15 minutes.
PER_ACCOUNT, PER_ADDRESS = 10, 50


def attempt(client, email, password=WRONG, address="198.51.100.1", forwarded_for=None):
    """A login POST from ``address`` (through a proxy that forwards ``forwarded_for``)."""
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers={"X-Forwarded-For": forwarded_for} if forwarded_for else {},
    )


def logged_in(client) -> bool:
    return client.get("/bookings").status_code == 200


def test_the_defaults_are_ten_per_account_and_fifty_per_address(app):
    assert app.config["LOGIN_LIMIT_PER_ACCOUNT"] == "10 per 15 minutes"
    assert app.config["LOGIN_LIMIT_PER_ADDRESS"] == "50 per 15 minutes"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_one_account_tried_from_many_addresses_is_limited(client):
    me = factories.user()
    for n in range(PER_ACCOUNT):
        assert attempt(client, me.email, address=f"203.0.113.{n}").status_code == 200
    # The right password, from a new address, with the e-mail written differently: still refused.
    refused = attempt(client, f" {me.email.upper()} ", factories.PASSWORD, address="203.0.113.99")
    assert refused.status_code == 429
    assert "too many attempts" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert not logged_in(client)


def test_only_failed_logins_count(client):
    """Someone logging in all day, or a whole office behind one address, is never held back."""
    me = factories.user()
    for _ in range(PER_ADDRESS + 1):
        assert attempt(client, me.email, factories.PASSWORD).status_code == 302
    for n in range(PER_ACCOUNT):
        assert attempt(client, me.email, address=f"203.0.113.{n}").status_code == 200
    assert attempt(client, me.email, factories.PASSWORD).status_code == 429


def test_other_accounts_still_log_in_from_those_addresses(client):
    me, other = factories.user(), factories.user()
    for n in range(PER_ACCOUNT + 1):
        attempt(client, me.email, address=f"203.0.113.{n}")
    assert (
        attempt(client, other.email, factories.PASSWORD, address="203.0.113.1").status_code == 302
    )
    assert logged_in(client)


def test_one_address_trying_many_accounts_is_limited(client):
    me = factories.user()
    for n in range(PER_ADDRESS):
        assert attempt(client, f"guess{n}@example.com", address="198.51.100.7").status_code == 200
    assert attempt(client, me.email, factories.PASSWORD, address="198.51.100.7").status_code == 429
    assert not logged_in(client)
    # The same account from another address is not held back.
    assert attempt(client, me.email, factories.PASSWORD, address="198.51.100.8").status_code == 302


def test_an_unknown_account_is_limited_exactly_like_a_real_one(client):
    """A limit that only real accounts reached would tell who has an account."""
    me = factories.user()
    for email in (me.email, "nobody@example.com"):
        codes = [attempt(client, email, address=f"203.0.113.{n}").status_code for n in range(11)]
        assert codes == [200] * PER_ACCOUNT + [429], email


def test_the_login_page_itself_is_never_limited(client):
    for n in range(PER_ACCOUNT + 1):
        attempt(client, "someone@example.com", address=f"203.0.113.{n}")
    assert client.get("/login", environ_base={"REMOTE_ADDR": "203.0.113.1"}).status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_block(client):
    me = factories.user()
    for n in range(PER_ADDRESS):
        attempt(client, f"guess{n}@example.com", address=f"2001:db8:1:2::{n + 1:x}")
    assert (
        attempt(client, me.email, factories.PASSWORD, address="2001:db8:1:2::ffff").status_code
        == 429
    )
    assert (
        attempt(client, me.email, factories.PASSWORD, address="2001:db8:1:3::1").status_code == 302
    )


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(client):
    """Otherwise a client could claim a new address on every try."""
    for n in range(PER_ADDRESS):
        attempt(client, f"guess{n}@example.com", address="198.51.100.9",
                forwarded_for=f"203.0.113.{n}")  # fmt: skip
    refused = attempt(client, "guess@example.com", address="198.51.100.9", forwarded_for="1.2.3.4")
    assert refused.status_code == 429


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self):
        return {"PROXY_COUNT": 1}

    def test_the_address_the_proxy_saw_is_the_one_counted(self, client):
        me = factories.user()
        proxy = "10.0.0.2"
        # Many clients behind the proxy share its address, but none holds another back...
        for n in range(PER_ADDRESS + 5):
            reply = attempt(client, f"guess{n}@example.com", address=proxy,
                            forwarded_for=f"203.0.113.{n}")  # fmt: skip
            assert reply.status_code == 200
        # ...while one client is counted whatever it writes in front of the proxy's entry.
        for n in range(PER_ADDRESS):
            attempt(client, f"other{n}@example.com", address=proxy,
                    forwarded_for=f"1.2.3.{n}, 198.51.100.20")  # fmt: skip
        refused = attempt(client, me.email, factories.PASSWORD, address=proxy,
                          forwarded_for="9.9.9.9, 198.51.100.20")  # fmt: skip
        assert refused.status_code == 429


def test_the_reset_request_is_limited_per_account(client):
    me = factories.user()
    for n in range(PER_ACCOUNT):
        reply = client.post("/reset-password", data={"email": me.email},
                            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"})  # fmt: skip
        assert reply.status_code == 302
    refused = client.post("/reset-password", data={"email": me.email})
    assert refused.status_code == 429
    assert client.post("/reset-password", data={"email": "x@example.com"}).status_code == 302


def test_sign_ups_are_limited_per_address(client):
    form = {"name": "N", "email": "not-an-email", "password": "x", "confirm": "x"}
    for _ in range(PER_ADDRESS):
        assert client.post("/register", data=form).status_code == 200
    assert client.post("/register", data=form).status_code == 429


def test_guessing_the_current_password_when_changing_it_is_limited(client):
    me = factories.user()
    factories.login(client, me)
    wrong = {"current": WRONG, "password": "a-brand-new-pass", "confirm": "a-brand-new-pass"}
    for _ in range(PER_ACCOUNT):
        assert client.post("/account/password", data=wrong).status_code == 200
    right = dict(wrong, current=factories.PASSWORD)
    assert client.post("/account/password", data=right).status_code == 429
    factories.fresh()
    assert db.session.get(type(me), me.id).check_password(factories.PASSWORD)


def test_two_app_processes_on_memory_storage_count_apart(app):
    """Why production sets a Redis URL: each gunicorn worker would otherwise count alone."""
    first, second = _twins(app, RATELIMIT_STORAGE_URI="memory://")
    try:
        for n in range(PER_ACCOUNT):
            attempt(first.test_client(), "someone@example.com", address=f"203.0.113.{n}")
        assert attempt(second.test_client(), "someone@example.com").status_code == 200
    finally:
        _dispose(first, second)


@pytest.mark.redis
def test_two_app_processes_on_one_redis_share_the_count(app):
    prefix = f"spa-test-{uuid.uuid4().hex}"
    store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        store.ping()
    except redis.RedisError as exc:
        missing_service(f"Redis not reachable at {REDIS_URL}: {exc}")
    first, second = _twins(app, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    try:
        me = factories.user()
        for n in range(PER_ACCOUNT):
            attempt(first.test_client(), me.email, address=f"203.0.113.{n}")
        on_second = second.test_client()
        assert attempt(on_second, me.email, factories.PASSWORD).status_code == 429
        assert not logged_in(on_second)
        other = factories.user()
        assert attempt(on_second, other.email, factories.PASSWORD).status_code == 302
        keys = list(store.scan_iter(match=f"*{prefix}*"))
        assert keys and not any(me.email.encode() in key for key in keys)  # no address stored
    finally:
        _dispose(first, second)
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
        store.close()


def test_logins_go_on_when_the_limit_storage_is_down(app):
    """Each process then counts on its own rather than refusing everyone."""
    (down,) = _twins(app, 1, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    try:
        me = factories.user()
        client = down.test_client()
        assert attempt(client, me.email, factories.PASSWORD).status_code == 302
        for n in range(PER_ACCOUNT):
            attempt(client, me.email, address=f"203.0.113.{n}")
        assert attempt(client, me.email, factories.PASSWORD).status_code == 429
    finally:
        _dispose(down)


def _twins(app, count: int = 2, **config):
    """Apps on the test's database, as separate worker processes would be."""
    settings = base_config(app.config["SQLALCHEMY_DATABASE_URI"], **config)
    return [make_app(settings) for _ in range(count)]


def _dispose(*apps):
    for other in apps:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


class TestTurnedOff:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": False}

    def test_nothing_is_limited_and_every_page_still_works(self, client):
        me = factories.user()
        for n in range(PER_ACCOUNT + 1):
            assert attempt(client, me.email, address=f"203.0.113.{n}").status_code == 200
        assert attempt(client, me.email, factories.PASSWORD).status_code == 302
