"""One visit at a time per client: active bookings of one client may not overlap.

On PostgreSQL an exclusion constraint like the therapist and room ones, over the visit itself
(starts_at to ends_at; the clean-up buffer holds only the therapist and the room). SQLite has
no exclusion constraints; there the booking service checks inside its immediate write
transaction, as it does for therapists and rooms.

Visits that already overlap (the bug this closes let a client book one time twice) are settled
first, on both backends, per client: a visit that recorded something (arrived, completed,
no-show) stays, then the one booked first; every other overlapping visit still "booked" is
cancelled with a staff-only note naming the one kept, its reminders are dropped, a waitlist
request to bring it earlier is closed, and, if it has not started and the account is not
deleted, the client is sent the ordinary cancellation e-mail saying which visit stays. Two
overlapping visits that both recorded something are not guessed at: the upgrade stops and
names them, for staff to cancel the one that did not happen, and changes nothing.

Downgrade drops the constraint; the visits cancelled here stay cancelled (their note says why).

Revision ID: 263065d8e722
Revises: b7e4c1d2a9f0
Create Date: 2026-12-02 09:30:00

"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "263065d8e722"
down_revision = "b7e4c1d2a9f0"
branch_labels = None
depends_on = None

CONSTRAINT = "ex_bookings_client_id_overlap"
DELETED = "%@deleted.invalid"

_BOOKINGS = sa.table(
    "bookings",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("cancelled_at", sa.DateTime()),
    sa.column("cancel_reason", sa.String()),
    sa.column("sequence", sa.Integer()),
)
_MESSAGES = sa.table(
    "messages",
    *(sa.column(name, sa.Integer()) for name in
      ("user_id", "booking_id", "visit_sequence", "attempts")),
    *(sa.column(name, sa.String()) for name in
      ("kind", "idempotency_key", "state", "changed_by", "reason")),
    *(sa.column(name, sa.DateTime()) for name in
      ("visit_starts_at", "visit_ends_at", "due_at", "created_at")),
)  # fmt: skip


class OverlappingVisits(RuntimeError):
    """Two visits of one client overlap and both recorded an outcome: a person must decide."""


def upgrade():
    _settle_overlaps(datetime.now(UTC))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE bookings ADD CONSTRAINT {CONSTRAINT} "
            "EXCLUDE USING gist (client_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE bookings DROP CONSTRAINT {CONSTRAINT}")


def _settle_overlaps(now: datetime) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT b.id, b.client_id, b.status, b.starts_at, b.ends_at, b.sequence, "
            "s.name AS service, u.email LIKE :deleted AS deleted FROM bookings b "
            "JOIN services s ON s.id = b.service_id JOIN users u ON u.id = b.client_id "
            "WHERE b.status <> 'cancelled' AND b.client_id IN ("
            " SELECT a.client_id FROM bookings a JOIN bookings o ON o.client_id = a.client_id"
            " AND o.id <> a.id AND o.starts_at < a.ends_at AND a.starts_at < o.ends_at"
            " WHERE a.status <> 'cancelled' AND o.status <> 'cancelled') "
            "ORDER BY b.client_id, CASE WHEN b.status = 'booked' THEN 1 ELSE 0 END, b.id"
        )
        .bindparams(deleted=DELETED)
        .columns(starts_at=sa.DateTime(), ends_at=sa.DateTime())
    ).all()
    if not rows:
        return
    tz = ZoneInfo(bind.execute(sa.text("SELECT timezone FROM business_settings")).scalar_one())
    kept_by_client: dict[int, list] = {}
    to_cancel, stuck = [], []
    for row in rows:  # per client: recorded visits first, then in the order they were booked
        kept = kept_by_client.setdefault(row.client_id, [])
        clash = next((k for k in kept if k.starts_at < row.ends_at and row.starts_at < k.ends_at),
                     None)  # fmt: skip
        if clash is None:
            kept.append(row)
        elif row.status == "booked":
            to_cancel.append((row, clash))
        else:
            stuck.append((clash, row))
    if stuck:
        raise OverlappingVisits(
            "These visits overlap for one client and both are marked as having happened; "
            "cancel the one that did not (UPDATE bookings SET status = 'cancelled' WHERE id = ...)"
            " and upgrade again. Nothing was changed. "
            + "; ".join(
                f"client {a.client_id}: bookings {a.id} ({a.status}) and {b.id} ({b.status})"
                for a, b in stuck
            )
        )
    for row, kept in to_cancel:
        _cancel(bind, row, kept, now, tz)


def _cancel(bind, row, kept, now: datetime, tz: ZoneInfo) -> None:
    """Cancel ``row`` as staff would, keeping ``kept``; tell the client if it is still ahead."""
    stamp = _stored(now, bind)
    sequence = row.sequence + 1
    bind.execute(
        _BOOKINGS.update()
        .where(_BOOKINGS.c.id == row.id)
        .values(
            status="cancelled",
            cancelled_at=stamp,
            sequence=sequence,
            cancel_reason=f"staff: overlapped visit {kept.id} of the same client; cancelled by "
            "the upgrade to one visit at a time",
        )
    )
    bind.execute(
        sa.text(
            "UPDATE messages SET state = 'dropped' WHERE booking_id = :id "
            "AND kind = 'appointment_reminder' AND state = 'pending'"
        ),
        {"id": row.id},
    )
    bind.execute(
        sa.text(
            "UPDATE waitlist_entries SET closed_at = :now, closed_why = 'cancelled' "
            "WHERE booking_id = :id AND closed_at IS NULL"
        ).bindparams(sa.bindparam("now", type_=sa.DateTime())),
        {"id": row.id, "now": stamp},
    )
    starts_at = _aware(row.starts_at)
    if starts_at <= now or row.deleted:
        return
    local = _aware(kept.starts_at).astimezone(tz)
    bind.execute(
        _MESSAGES.insert().values(
            kind="booking_cancelled",
            idempotency_key=f"booking_cancelled:booking-{row.id}:{sequence}",
            user_id=row.client_id,
            booking_id=row.id,
            visit_starts_at=row.starts_at,
            visit_ends_at=row.ends_at,
            visit_sequence=sequence,
            changed_by="staff",
            reason=f"You had two visits booked at the same time. We have kept your {kept.service} "
            f"at {local:%H:%M} on {local:%A} {local.day} {local:%B} and cancelled this one.",
            state="pending",
            attempts=0,
            due_at=stamp,
            created_at=stamp,
        )
    )


def _aware(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


def _stored(instant: datetime, bind):
    """As the app stores instants: naive UTC on SQLite, aware on PostgreSQL."""
    return instant.replace(tzinfo=None) if bind.dialect.name == "sqlite" else instant
