"""Next visits: each client's window after their latest completed visit, and its nudges.

Adds the next_visits table (filled from visits already completed), the two nudge kinds to the
CHECK constraints on messages.kind and mail_opt_outs.kind, and to messages who made a change
and the reason they gave.

Revision ID: 4188842b8bcf
Revises: 0278ce7633ee
Create Date: 2026-11-21 07:39:15.449979

"""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4188842b8bcf"
down_revision = "0278ce7633ee"
branch_labels = None
depends_on = None

OLD_KINDS = [
    "booking_confirmed",
    "booking_moved",
    "booking_cancelled",
    "appointment_reminder",
    "password_reset",
]
NEW_KINDS = [*OLD_KINDS, "rebook_window_open", "rebook_window_closing"]


def _allow_kinds(batch_op, table: str, kinds: list[str]) -> None:
    batch_op.drop_constraint(op.f(f"ck_{table}_message_kind"), type_="check")
    batch_op.create_check_constraint(op.f(f"ck_{table}_message_kind"), sa.column("kind").in_(kinds))


def upgrade():
    op.create_table(
        "next_visits",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_next_visits_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_next_visits_client_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_next_visits_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_next_visits_therapist_id_therapists"),
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_next_visits")),
    )
    op.create_index(op.f("ix_next_visits_closes_at"), "next_visits", ["closes_at"])
    # Batch mode: ALTERs on PostgreSQL, one copy of each table on SQLite.
    with op.batch_alter_table("messages") as batch_op:
        _allow_kinds(batch_op, "messages", NEW_KINDS)
        batch_op.add_column(sa.Column("changed_by", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=500), nullable=True))
    with op.batch_alter_table("mail_opt_outs") as batch_op:
        _allow_kinds(batch_op, "mail_opt_outs", NEW_KINDS)
    _fill_from_completed_visits()


def _fill_from_completed_visits():
    """One row per client from their latest completed visit, windows on the local clock."""
    bind = op.get_bind()
    tz = ZoneInfo(bind.execute(sa.text("SELECT timezone FROM business_settings")).scalar_one())
    latest = bind.execute(
        sa.text(
            "SELECT id, client_id, therapist_id, service_id, starts_at FROM bookings b "
            "WHERE status = 'completed' AND NOT EXISTS (SELECT 1 FROM bookings later "
            "WHERE later.client_id = b.client_id AND later.status = 'completed' "
            "AND (later.starts_at, later.id) > (b.starts_at, b.id))"
        ).columns(starts_at=sa.DateTime(timezone=True))
    ).all()
    rows = []
    for booking_id, client_id, therapist_id, service_id, starts_at in latest:
        start = starts_at.replace(tzinfo=UTC) if starts_at.tzinfo is None else starts_at
        local = start.astimezone(tz)
        rows.append(
            {
                "client_id": client_id,
                "booking_id": booking_id,
                "therapist_id": therapist_id,
                "service_id": service_id,
                "last_visit_at": _stored(start, bind),
                "opens_at": _stored((local + timedelta(weeks=4)).astimezone(UTC), bind),
                "closes_at": _stored((local + timedelta(weeks=6)).astimezone(UTC), bind),
            }
        )
    if rows:
        # Typed, so SQLite gets the same text form of a time as the app writes.
        table = sa.table(
            "next_visits",
            *(sa.column(name, sa.DateTime() if name.endswith("_at") else sa.Integer())
              for name in rows[0]),
        )  # fmt: skip
        bind.execute(table.insert(), rows)


def _stored(instant, bind):
    """As the app stores instants: naive UTC on SQLite, aware on PostgreSQL."""
    return instant.replace(tzinfo=None) if bind.dialect.name == "sqlite" else instant


def downgrade():
    op.execute(
        "DELETE FROM mail_opt_outs WHERE kind IN ('rebook_window_open', 'rebook_window_closing')"
    )
    op.execute(
        "DELETE FROM message_attempts WHERE message_id IN (SELECT id FROM messages "
        "WHERE kind IN ('rebook_window_open', 'rebook_window_closing'))"
    )
    op.execute("DELETE FROM messages WHERE kind IN ('rebook_window_open', 'rebook_window_closing')")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("changed_by")
        _allow_kinds(batch_op, "messages", OLD_KINDS)
    with op.batch_alter_table("mail_opt_outs") as batch_op:
        _allow_kinds(batch_op, "mail_opt_outs", OLD_KINDS)
    op.drop_index(op.f("ix_next_visits_closes_at"), table_name="next_visits")
    op.drop_table("next_visits")
