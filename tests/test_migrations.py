"""The migrations and the models agree, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from spa_app import create_app
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from spa_app.waitlist.models import WaitlistEntry
from tests import factories
from tests.conftest import PG_ADMIN_URL, PROJECT_ROOT, base_config
from tests.factories import at


class OldRows:
    """People, services, therapists and rooms written through the tables as the database has
    them at the revision under test (reflected), not through today's models, which may carry
    columns that revision does not. Each row comes back as a namespace of what was written,
    with its id."""

    def __init__(self):
        self.tables = sa.MetaData()
        self.tables.reflect(db.engine)

    def add(self, table: str, **values) -> SimpleNamespace:
        insert = self.tables.tables[table].insert().values(**values)
        row_id = db.session.execute(insert).inserted_primary_key[0]
        db.session.commit()
        return SimpleNamespace(id=row_id, **values)

    def user(self, role: str = "client") -> SimpleNamespace:
        n = next(factories._seq)
        return self.add("users", email=f"old{n}@example.com", name=f"Old {n}", role=role,
                        password_hash=None, created_at=datetime.now(UTC))  # fmt: skip

    def spa(self, therapists: int = 1, rooms: int = 1, buffer: int = 0):
        """As factories.spa: one service, its therapists and the rooms (no working hours)."""
        ts = []
        for _ in range(therapists):
            login = self.user("therapist")
            ts.append(self.add("therapists", user_id=login.id, display_name=login.name, bio="",
                               active=True))  # fmt: skip
        name = f"Massage {next(factories._seq)}"
        svc = self.add("services", name=name, description="", duration_min=60,
                       buffer_min=buffer, price_cents=6000, active=True)  # fmt: skip
        for t in ts:
            self.add("service_therapist", service_id=svc.id, therapist_id=t.id)
        rs = [self.add("rooms", name=f"Room {next(factories._seq)}", active=True)
              for _ in range(rooms)]  # fmt: skip
        return svc, ts, rs

    def booking(self, client, therapist, room, svc, starts_at, status=BookingStatus.BOOKED):
        """As factories.booking, with only the columns every revision under test has."""
        ends_at = starts_at + timedelta(minutes=svc.duration_min)
        return self.add("bookings", client_id=client.id, therapist_id=therapist.id,
                        room_id=room.id, service_id=svc.id, starts_at=starts_at, ends_at=ends_at,
                        busy_until=ends_at + timedelta(minutes=svc.buffer_min),
                        price_cents=svc.price_cents, status=status.value,
                        created_at=datetime.now(UTC))  # fmt: skip


def pending_diff():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_sqlite_schema_matches_the_models(app):
    assert pending_diff() == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_app):
    assert pending_diff() == []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request, tmp_path):
    """The URL of an empty database of each kind, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    request.getfixturevalue("pg_url")  # skips (or fails in CI) without PostgreSQL
    name = f"spa_migration_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_next_visits_are_filled_from_visits_already_completed(empty_database):
    """Clients who completed visits before the nudges existed get their window on upgrade."""
    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(revision="0278ce7633ee")
        old = OldRows()
        svc, (t,), (r,) = old.spa(therapists=1, rooms=1)
        client = old.user()
        client_id = client.id
        winter = datetime(2027, 3, 1, 10, tzinfo=UTC)  # 10:00 in London, in GMT
        for days, status in ((0, BookingStatus.COMPLETED), (-14, BookingStatus.COMPLETED),
                             (7, BookingStatus.NO_SHOW)):  # fmt: skip
            old.booking(client, t, r, svc, winter + timedelta(days=days), status=status)
        # An e-mail already sent, with its attempt: the upgrade rebuilds their table on SQLite.
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO messages (kind, idempotency_key, user_id, state, due_at, "
                    "attempts, created_at) VALUES ('password_reset', 'reset:1', :user, 'sent', "
                    ":now, 1, :now)"
                ),
                {"user": client_id, "now": winter.replace(tzinfo=None)},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO message_attempts (message_id, at, outcome, detail) "
                    "VALUES (1, :now, 'sent', '250')"
                ),
                {"now": winter.replace(tzinfo=None)},
            )
        db.session.remove()  # no read transaction left open on the old schema
        upgrade()
        (row,) = db.session.execute(db.select(NextVisit)).scalars()
        assert row.client_id == client_id and row.last_visit_at == winter
        # Four weeks on the London clock: 10:00 BST on 29 March, 09:00 UTC.
        assert row.opens_at == datetime(2027, 3, 29, 9, tzinfo=UTC)
        assert row.closes_at == datetime(2027, 4, 12, 9, tzinfo=UTC)
        assert db.session.execute(sa.text("SELECT count(*) FROM message_attempts")).scalar() == 1
        db.session.remove()
        downgrade(revision="0278ce7633ee")  # and back, with the message and its attempt kept
        assert db.session.execute(sa.text("SELECT count(*) FROM messages")).scalar() == 1
        assert "next_visits" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


ONE_VISIT_AT_A_TIME = "263065d8e722"


def _revision_before(revision: str) -> str:
    scripts = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    return scripts.get_revision(revision).down_revision


def _status(booking_id: int) -> tuple[str, str | None]:
    """A visit's status and cancel reason, read with plain SQL (the schema may be an old one)."""
    query = sa.text("SELECT status, cancel_reason FROM bookings WHERE id = :id")
    return tuple(db.session.execute(query, {"id": booking_id}).one())


def test_one_visit_at_a_time_settles_the_overlaps_already_there(empty_database):
    """Per client: a visit that recorded something stays, then the one booked first; the rest
    still booked are cancelled (told, if ahead and the account is not deleted). Downgrade drops
    the PostgreSQL constraint and leaves those cancelled."""
    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(revision=_revision_before(ONE_VISIT_AT_A_TIME))
        old = OldRows()
        svc, (anna, ben, cleo, dee), (r1, r2, r3, r4) = old.spa(4, 4, buffer=15)
        me, gone, other = old.user(), old.user(), old.user()
        ten = at(factories.next_weekday(2), "10:00")
        yesterday = datetime.now(UTC) - timedelta(days=1)
        kept = old.booking(me, anna, r1, svc, ten)
        twice = old.booking(me, ben, r2, svc, ten)  # Back and Confirm again
        after = old.booking(me, dee, r4, svc, ten + timedelta(hours=1))  # buffer: no clash
        unmarked = old.booking(me, anna, r1, svc, yesterday)
        done = old.booking(me, ben, r2, svc, yesterday + timedelta(minutes=30),
                                 status=BookingStatus.COMPLETED)  # fmt: skip
        theirs = old.booking(other, cleo, r3, svc, ten)
        gone_kept = old.booking(gone, cleo, r3, svc, ten + timedelta(hours=3))
        gone_twice = old.booking(gone, ben, r2, svc, ten + timedelta(hours=3))
        db.session.execute(
            old.tables.tables["users"].update().where(sa.column("id") == gone.id)
            .values(email=f"deleted-{gone.id}@deleted.invalid")
        )  # fmt: skip
        db.session.add(
            Message(kind=MessageKind.APPOINTMENT_REMINDER, idempotency_key="reminder-twice",
                    user_id=me.id, booking_id=twice.id, due_at=ten - timedelta(days=1))
        )  # fmt: skip
        db.session.commit()
        old.add("waitlist_entries", client_id=me.id, service_id=svc.id, booking_id=twice.id,
                first_day=ten.date(), last_day=ten.date(), created_at=yesterday)  # fmt: skip
        visits = (kept, twice, after, unmarked, done, theirs, gone_kept, gone_twice)
        names = ("kept", "twice", "after", "unmarked", "done", "theirs", "gone_kept", "gone_twice")
        ids = {name: b.id for name, b in zip(names, visits, strict=True)}
        me_id, svc_name = me.id, svc.name
        overlapping = {"client_id": me_id, "therapist_id": ben.id, "room_id": r2.id,
                       "service_id": svc.id, "starts_at": ten + timedelta(minutes=30),
                       "ends_at": ten + timedelta(minutes=90),
                       "busy_until": ten + timedelta(minutes=105), "price_cents": 1}  # fmt: skip
        db.session.remove()
        upgrade()

        for name in ("kept", "after", "done", "theirs", "gone_kept"):
            assert _status(ids[name])[0] != "cancelled", name
        for name, instead in (("twice", "kept"), ("unmarked", "done"), ("gone_twice", "gone_kept")):
            assert _status(ids[name]) == (
                "cancelled", f"staff: overlapped visit {ids[instead]} of the same client; "
                "cancelled by the upgrade to one visit at a time",
            ), name  # fmt: skip
        notices = db.session.scalars(
            sa.select(Message).where(Message.kind == MessageKind.BOOKING_CANCELLED)
        ).all()
        assert [(m.booking_id, m.user_id, m.changed_by, m.visit_sequence) for m in notices] == [
            (ids["twice"], me_id, "staff", 1)
        ]  # only the visit ahead, and not to the deleted account
        assert f"We have kept your {svc_name} at 10:00 on {ten:%A} {ten.day}" in notices[0].reason
        reminder = db.session.scalar(sa.select(Message).where(Message.idempotency_key ==
                                                              "reminder-twice"))  # fmt: skip
        assert reminder.state.value == "dropped"
        assert db.session.scalar(sa.select(WaitlistEntry.closed_why)) == "cancelled"
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(sa.exc.IntegrityError, match="ex_bookings_client_id_overlap"):
                db.session.add(Booking(**overlapping))
                db.session.commit()
            db.session.rollback()
        db.session.remove()

        downgrade(revision=_revision_before(ONE_VISIT_AT_A_TIME))
        assert _status(ids["twice"])[0] == "cancelled"
        old = OldRows()  # the schema as it is again
        old.add("bookings", **overlapping, status="booked", created_at=datetime.now(UTC))
        # no constraint now
        db.session.remove()
        db.engine.dispose()


def test_one_visit_at_a_time_stops_on_two_overlapping_visits_that_both_happened(empty_database):
    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(revision=_revision_before(ONE_VISIT_AT_A_TIME))
        old = OldRows()
        svc, (anna, ben), (r1, r2) = old.spa(therapists=2, rooms=2)
        me = old.user()
        me_id = me.id
        last_week = datetime.now(UTC) - timedelta(days=7)
        one = old.booking(me, anna, r1, svc, last_week, status=BookingStatus.COMPLETED)
        two = old.booking(me, ben, r2, svc, last_week, status=BookingStatus.NO_SHOW)
        ids = one.id, two.id
        db.session.remove()
        # Straight to Alembic for the error itself: `flask db upgrade` logs it and exits 1.
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match="both are marked as having happened") as stopped:
            command.upgrade(config, "head")
        assert f"client {me_id}: bookings {ids[0]} (completed) and {ids[1]} (no_show)" in str(
            stopped.value
        )
        db.session.remove()
        assert [_status(i)[0] for i in ids] == ["completed", "no_show"]
        version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        assert version == _revision_before(ONE_VISIT_AT_A_TIME)
        db.session.remove()
        db.engine.dispose()


SAFE_HOME_CARE = "b7e4c1d2a9f0"


def parsed(value):
    """A JSON column as read with plain SQL: text on SQLite, already parsed on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def test_safe_home_care_fixes_the_shipped_routines_and_keeps_every_answer(empty_database):
    """The calf strokes that ran towards the ankle are retired, the pregnancy exclusions added,
    a skin condition's areas kept, a comfort note turned round to discomfort; and back."""
    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(revision=_revision_before(SAFE_HOME_CARE))
        old = OldRows()
        svc, (anna,), (room,) = old.spa()
        client = old.user()
        visit = old.booking(client, anna, room, svc, datetime(2027, 3, 1, 10, tzinfo=UTC))
        ids = {"client": client.id, "visit": visit.id, "author": anna.user_id}
        now = datetime(2027, 3, 1, 12).isoformat(sep=" ")
        routine = (
            "INSERT INTO routines (id, name, kind, area, summary, steps, tools, minutes, "
            "times_per_week, pressure, goals, contexts, excluded_by, caution, active) VALUES "
            "(:id, :name, :kind, :area, '', 'Step.', :tools, :minutes, 5, 2, '[]', '[]', "
            ":excluded_by, :caution, :active)"
        )
        with db.engine.begin() as conn:
            for values in (
                (1, "Calf strokes towards the ankle", "routine", "lower_legs_feet", "[]", 6,
                 '["blood_clots"]'),
                (2, "Top-of-the-shoulders pressure point", "pressure_point", "shoulders", "[]",
                 4, "[]"),
                (3, "Upper back on a tennis ball", "routine", "upper_back", '["tennis ball"]', 6,
                 '["osteoporosis"]'),
            ):  # fmt: skip
                keys = ("id", "name", "kind", "area", "tools", "minutes", "excluded_by")
                row = dict(zip(keys, values, strict=True))
                caution = "Deep but steady: if the point throbs or the pain sharpens, ease off."
                conn.execute(sa.text(routine), {**row, "active": True, "caution": caution})
            conn.execute(
                sa.text(
                    "INSERT INTO intakes (client_id, severity, goals, contexts, pressure, "
                    "minutes_per_day, conditions, skin_areas, condition_note, updated_at) VALUES "
                    "(:client, '{\"neck\": 4}', '[]', '[]', 2, 15, '[\"skin_condition\"]', "
                    "'[\"neck\"]', '', :now)"
                ),
                {**ids, "now": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO plans (id, booking_id, client_id, author_id, version, status, "
                    "cautions, reviewed, created_at, published_at) VALUES (1, :visit, :client, "
                    ":author, 1, 'published', '[]', :no, :now, :now)"
                ),
                {**ids, "now": now, "no": False},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO plan_items (id, plan_id, position, routine_id, name, area, kind, "
                    "steps, tools, caution, minutes, days, pressure, note, why) VALUES (1, 1, 0, "
                    "3, 'Upper back on a tennis ball', 'upper_back', 'routine', 'Step.', '[]', "
                    "'', 6, '024', 2, '', '')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO plan_completions (plan_item_id, day, comfort, recorded_at) "
                    "VALUES (1, '2027-03-03', 7, :now)"
                ),
                {"now": now},
            )
        db.session.remove()
        upgrade(revision=SAFE_HOME_CARE)
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT name, active, excluded_by, min_minutes, deep_tool, build_up, "
                    "hold_seconds, sides, spots, caution FROM routines ORDER BY id"
                )
            ).all()
            intake = conn.execute(sa.text("SELECT condition_areas, no_conditions FROM intakes"))
            areas, none_ticked = intake.one()
            discomfort = conn.execute(sa.text("SELECT discomfort FROM plan_completions"))
            felt = discomfort.scalar_one()

        calf, point, ball = rows
        assert not calf.active and "pregnancy" in parsed(calf.excluded_by)
        assert point.active and parsed(point.excluded_by) == ["pregnancy"]
        assert (point.min_minutes, point.hold_seconds, point.sides) == (3, 90, 2)
        assert point.caution.startswith("Steady, never jabbing") and not point.deep_tool
        assert parsed(point.spots) == ["top_of_shoulders"]
        assert bool(ball.deep_tool) and bool(ball.build_up)
        # Exclusions are only ever added to a row's own.
        assert set(parsed(ball.excluded_by)) >= {"osteoporosis", "cancer_treatment"}
        assert parsed(areas) == {"skin_condition": ["neck"]} and not none_ticked
        assert felt == 3  # comfort 7 of 10 is discomfort 3 of 10
        db.session.remove()
        downgrade(revision=_revision_before(SAFE_HOME_CARE))
        with db.engine.connect() as conn:
            skin = conn.execute(sa.text("SELECT skin_areas FROM intakes")).scalar_one()
            comfort = conn.execute(sa.text("SELECT comfort FROM plan_completions")).scalar_one()
        assert parsed(skin) == ["neck"] and comfort == 7
        db.session.remove()
        db.engine.dispose()
