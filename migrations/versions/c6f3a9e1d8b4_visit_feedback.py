"""Feedback after a visit: the client's rating (1 to 5) and comment, one per visit; the spa's
public review page; the request and the staff's low-rating notice as e-mail kinds.

Revision ID: c6f3a9e1d8b4
Revises: b5d2e8a4c6f1
Create Date: 2026-12-03 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c6f3a9e1d8b4"
down_revision = "b5d2e8a4c6f1"
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
    "care_digest",
    "win_back",
    "win_back_last",
]
NEW_KINDS = [*OLD_KINDS, "feedback_request", "low_rating"]


def _allow_kinds(table: str, kinds: list[str]) -> None:
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_message_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f(f"ck_{table}_message_kind"), sa.column("kind").in_(kinds)
        )


def upgrade():
    _allow_kinds("messages", NEW_KINDS)
    _allow_kinds("mail_opt_outs", NEW_KINDS)
    with op.batch_alter_table("business_settings") as batch_op:
        batch_op.add_column(
            sa.Column("review_url", sa.String(length=500), nullable=False, server_default="")
        )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_feedback_rating")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_feedback_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_feedback_client_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        # One per visit: a second answer edits the first.
        sa.UniqueConstraint("booking_id", name="uq_feedback_booking"),
    )
    op.create_index(op.f("ix_feedback_client_id"), "feedback", ["client_id"])


def downgrade():
    op.drop_index(op.f("ix_feedback_client_id"), table_name="feedback")
    op.drop_table("feedback")
    with op.batch_alter_table("business_settings") as batch_op:
        batch_op.drop_column("review_url")
    gone = "('feedback_request', 'low_rating')"
    op.execute(f"DELETE FROM mail_opt_outs WHERE kind IN {gone}")
    op.execute("DELETE FROM message_attempts WHERE message_id IN "
               f"(SELECT id FROM messages WHERE kind IN {gone})")  # fmt: skip
    op.execute(f"DELETE FROM messages WHERE kind IN {gone}")
    _allow_kinds("mail_opt_outs", OLD_KINDS)
    _allow_kinds("messages", OLD_KINDS)
