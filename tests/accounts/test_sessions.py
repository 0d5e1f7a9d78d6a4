"""Sessions and remember-me cookies end when the password changes or is reset."""

from __future__ import annotations

from itsdangerous import URLSafeTimedSerializer

from spa_app.accounts import service
from spa_app.accounts.models import User
from spa_app.extensions import db
from tests import factories

NEW = "a-brand-new-pass"


def logged_in(client) -> bool:
    return client.get("/bookings").status_code == 200


def change(client, current=factories.PASSWORD, new=NEW):
    return client.post(
        "/account/password", data={"current": current, "password": new, "confirm": new}
    )


def remembered_login(client, user):
    return client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "remember": "y"}
    )


def restart_browser(client) -> None:
    """What closing the browser does: the session cookie goes, the remember-me cookie stays."""
    client.delete_cookie("session")


def test_changing_the_password_logs_out_every_other_session(app):
    me = factories.user()
    mine, other = app.test_client(), app.test_client()
    factories.login(mine, me)
    factories.login(other, me)
    assert logged_in(other)
    reply = change(mine)
    assert reply.status_code == 302 and reply.location == "/bookings"
    assert logged_in(mine)  # this device carries on
    assert not logged_in(other)
    assert factories.login(other, me, NEW).status_code == 302


def test_a_wrong_current_password_changes_nothing(app, client):
    me = factories.user()
    other = app.test_client()
    factories.login(client, me)
    factories.login(other, me)
    page = change(client, current="not-my-password")
    assert page.status_code == 200 and "not your current password" in page.get_data(as_text=True)
    factories.fresh()
    assert db.session.get(User, me.id).check_password(factories.PASSWORD)
    assert logged_in(other)


def test_the_change_password_page_needs_a_login(client):
    reply = client.get("/account/password")
    assert reply.status_code == 302 and reply.location.startswith("/login")


def test_a_reset_by_e_mail_link_logs_out_every_session(app, client):
    me = factories.user()
    factories.login(client, me)
    anyone = app.test_client()
    path = f"/reset-password/{service.reset_token(app.config['SECRET_KEY'], me)}"
    assert anyone.post(path, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert not logged_in(client)


def test_a_remember_me_cookie_outlives_the_session_but_not_a_password_change(app):
    me = factories.user()
    laptop, phone = app.test_client(), app.test_client()
    remembered_login(laptop, me)
    assert laptop.get_cookie("remember_token") is not None
    restart_browser(laptop)
    assert logged_in(laptop)  # the cookie logged it back in
    factories.login(phone, me)
    change(phone)
    restart_browser(laptop)
    assert not logged_in(laptop)


def test_without_keep_me_logged_in_a_restart_logs_out(app, client):
    factories.login(client, factories.user())
    assert client.get_cookie("remember_token") is None
    restart_browser(client)
    assert not logged_in(client)


def test_changing_the_password_keeps_this_devices_remember_me_cookie(app, client):
    me = factories.user()
    remembered_login(client, me)
    change(client)
    restart_browser(client)
    assert logged_in(client)


def test_a_session_without_a_password_stamp_is_not_accepted(app, client):
    """Sessions made before stamps existed (a bare id) end, as a password change would end them."""
    me = factories.user()
    with client.session_transaction() as session:
        session["_user_id"] = str(me.id)
    assert not logged_in(client)
    with client.session_transaction() as session:
        session["_user_id"] = me.get_id()
    assert logged_in(client)


def test_neither_the_session_nor_the_reset_link_shows_the_password_hash(app):
    me = factories.user()
    stamp = me.get_id().split(".", 1)[1]
    token = service.reset_token(app.config["SECRET_KEY"], me)
    _, fingerprint = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=service.RESET_SALT
    ).loads(token)
    for shown in (stamp, fingerprint):
        assert len(shown) >= 16 and shown not in me.password_hash
