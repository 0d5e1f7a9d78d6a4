"""The nudges' effect: of the notes sent in the range, how many a booking followed within
seven days (made by the client after the note, not before)."""

from __future__ import annotations

from datetime import date

import pytest

from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind, MessageState
from spa_app.reports.queries import Scope, nudges
from tests import factories
from tests.factories import LONDON
from tests.reports.conftest import COMPLETED, utc
from tests.sqlcount import count_statements

K = MessageKind


@pytest.fixture(params=["app", "pg_app"])
def database(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def sent(database):
    svc, (anna, ben), (room,) = factories.spa(therapists=2)

    def note(kind, therapist, sent_at, *, booked_at=None, state=MessageState.SENT, hhmm="10:00"):
        who = factories.user()
        visit = factories.booking(who, therapist, room, svc, utc(f"2027-02-01 {hhmm}"), COMPLETED)
        db.session.add(Message(kind=kind, idempotency_key=f"{kind.value}:{visit.id}",
                               user_id=who.id, booking_id=visit.id, state=state,
                               due_at=utc(sent_at), sent_at=utc(sent_at)))  # fmt: skip
        db.session.commit()
        if booked_at:
            later = factories.booking(who, therapist, room, svc, utc(f"2027-06-01 {hhmm}"))
            later.created_at = utc(booked_at)
        db.session.commit()

    note(K.REBOOK_WINDOW_OPEN, anna, "2027-03-29 10:00", booked_at="2027-04-02 20:00", hhmm="09:00")
    note(
        K.REBOOK_WINDOW_CLOSING,
        anna,
        "2027-04-12 10:00",
        booked_at="2027-04-20 10:00",
        hhmm="11:00",
    )
    note(K.WIN_BACK, ben, "2027-04-15 10:00", booked_at="2027-04-15 09:00", hhmm="12:00")  # before
    note(K.REBOOK_WINDOW_OPEN, ben, "2027-04-20 10:00", state=MessageState.PENDING, hhmm="13:00")
    note(K.REBOOK_WINDOW_OPEN, ben, "2027-05-02 10:00", booked_at="2027-05-03 10:00", hhmm="14:00")
    return anna


def test_each_note_by_what_followed_it(sent):
    got = nudges(Scope(date(2027, 3, 1), date(2027, 4, 30), LONDON)).by_kind
    assert {k: (r.part, r.whole) for k, r in got.items()} == {
        K.REBOOK_WINDOW_OPEN: (1, 1), K.REBOOK_WINDOW_CLOSING: (0, 1),
        K.WIN_BACK: (0, 1), K.WIN_BACK_LAST: (0, 0),
    }  # fmt: skip


def test_one_therapists_notes_in_one_statement(sent):
    scope = Scope(date(2027, 3, 1), date(2027, 4, 30), LONDON, therapist_id=sent.id)
    nudges(scope)
    with count_statements() as statements:
        got = nudges(scope).by_kind
    assert len(statements) == 1
    assert got[K.WIN_BACK].whole == 0 and got[K.REBOOK_WINDOW_OPEN].whole == 1
