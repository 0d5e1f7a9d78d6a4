"""Waitlist: clients waiting for a freed time, the offers they get, and the offer e-mail.

Revision ID: 59e21b655926
Revises: 17cc2cd689ba
Create Date: 2026-11-21 09:27:43

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "59e21b655926"
down_revision = "17cc2cd689ba"
branch_labels = None
depends_on = None

OLD_KINDS = [
    "booking_confirmed",
    "booking_moved",
    "booking_cancelled",
    "appointment_reminder",
    "password_reset",
    "rebook_window_open",
    "rebook_window_closing",
    "plan_ready",
    "routine_reminder",
]
NEW_KINDS = [*OLD_KINDS, "waitlist_offer"]
OPEN = sa.text("closed_at IS NULL")


def _allow_kinds(batch_op, table: str, kinds: list[str]) -> None:
    batch_op.drop_constraint(op.f(f"ck_{table}_message_kind"), type_="check")
    batch_op.create_check_constraint(op.f(f"ck_{table}_message_kind"), sa.column("kind").in_(kinds))


def upgrade():
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=True),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_why", sa.String(length=16), nullable=True),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_waitlist_entries_days")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_waitlist_entries_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_waitlist_entries_client_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_waitlist_entries_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_waitlist_entries_therapist_id_therapists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index("ix_waitlist_entries_days", "waitlist_entries", ["last_day", "first_day"])
    op.create_index(
        "uq_waitlist_entries_open",
        "waitlist_entries",
        ["client_id", "service_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_table(
        "waitlist_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("freed_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["waitlist_entries.id"],
            name=op.f("fk_waitlist_offers_entry_id_waitlist_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["freed_by_id"], ["bookings.id"], name=op.f("fk_waitlist_offers_freed_by_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_waitlist_offers_therapist_id_therapists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_offers")),
    )
    op.create_index(op.f("ix_waitlist_offers_entry_id"), "waitlist_offers", ["entry_id"])
    # Batch mode: ALTERs on PostgreSQL, one copy of each table on SQLite.
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("waitlist_offer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_messages_waitlist_offer_id_waitlist_offers"),
            "waitlist_offers",
            ["waitlist_offer_id"],
            ["id"],
        )
        _allow_kinds(batch_op, "messages", NEW_KINDS)
    with op.batch_alter_table("mail_opt_outs") as batch_op:
        _allow_kinds(batch_op, "mail_opt_outs", NEW_KINDS)


def downgrade():
    gone = "('waitlist_offer')"
    op.execute(f"DELETE FROM mail_opt_outs WHERE kind IN {gone}")
    op.execute(
        "DELETE FROM message_attempts WHERE message_id IN "
        f"(SELECT id FROM messages WHERE kind IN {gone})"
    )
    op.execute(f"DELETE FROM messages WHERE kind IN {gone}")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_messages_waitlist_offer_id_waitlist_offers"), type_="foreignkey"
        )
        batch_op.drop_column("waitlist_offer_id")
        _allow_kinds(batch_op, "messages", OLD_KINDS)
    with op.batch_alter_table("mail_opt_outs") as batch_op:
        _allow_kinds(batch_op, "mail_opt_outs", OLD_KINDS)
    op.drop_index(op.f("ix_waitlist_offers_entry_id"), table_name="waitlist_offers")
    op.drop_table("waitlist_offers")
    op.drop_index("uq_waitlist_entries_open", table_name="waitlist_entries")
    op.drop_index("ix_waitlist_entries_days", table_name="waitlist_entries")
    op.drop_table("waitlist_entries")
