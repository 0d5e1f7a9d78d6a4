"""The therapists' daily digest of clients whose home care needs a look: the flags told (once
each) and the days it ran, and its e-mail kind; a carried-forward routine's advice for the
therapist; and the win-back notes after a next-visit window closed with nothing booked.

Revision ID: b5d2e8a4c6f1
Revises: a3c9f1d7e5b2
Create Date: 2026-12-03 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b5d2e8a4c6f1"
down_revision = "a3c9f1d7e5b2"
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
    "plan_needs_review",
    "routine_reminder",
    "waitlist_offer",
    "visit_needs_new_time",
]
NEW_KINDS = [*OLD_KINDS, "care_digest", "win_back", "win_back_last"]


def _allow_kinds(table: str, kinds: list[str]) -> None:
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_message_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f(f"ck_{table}_message_kind"), sa.column("kind").in_(kinds)
        )


def upgrade():
    with op.batch_alter_table("plan_items") as batch_op:
        batch_op.add_column(
            sa.Column("advice", sa.String(length=500), nullable=False, server_default="")
        )
    _allow_kinds("messages", NEW_KINDS)
    _allow_kinds("mail_opt_outs", NEW_KINDS)
    op.create_table(
        "care_flag_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("therapist_user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_care_flag_notices_client_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["therapist_user_id"],
            ["users.id"],
            name=op.f("fk_care_flag_notices_therapist_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_care_flag_notices_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flag_notices")),
        # Each flag told once: the digest that finds it again adds nothing.
        sa.UniqueConstraint("client_id", "key", name="uq_care_flag_notices_client_key"),
    )
    op.create_index(
        "ix_care_flag_notices_therapist_untold",
        "care_flag_notices",
        ["therapist_user_id", "message_id"],
    )
    op.create_index(op.f("ix_care_flag_notices_message_id"), "care_flag_notices", ["message_id"])
    op.create_table(
        "care_digest_runs",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_care_digest_runs")),
    )


def downgrade():
    op.drop_table("care_digest_runs")
    op.drop_index(op.f("ix_care_flag_notices_message_id"), table_name="care_flag_notices")
    op.drop_index("ix_care_flag_notices_therapist_untold", table_name="care_flag_notices")
    op.drop_table("care_flag_notices")
    gone = "('care_digest', 'win_back', 'win_back_last')"
    op.execute(f"DELETE FROM mail_opt_outs WHERE kind IN {gone}")
    op.execute("DELETE FROM message_attempts WHERE message_id IN "
               f"(SELECT id FROM messages WHERE kind IN {gone})")  # fmt: skip
    op.execute(f"DELETE FROM messages WHERE kind IN {gone}")
    _allow_kinds("mail_opt_outs", OLD_KINDS)
    _allow_kinds("messages", OLD_KINDS)
    with op.batch_alter_table("plan_items") as batch_op:
        batch_op.drop_column("advice")
