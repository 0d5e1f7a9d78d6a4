"""Plan e-mails: "your plan is ready" and the daily routine reminder, and the client's hour.

Revision ID: fc2d3b3e431e
Revises: 5dbf54676e38
Create Date: 2026-11-21 08:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "fc2d3b3e431e"
down_revision = "5dbf54676e38"
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
]
NEW_KINDS = [*OLD_KINDS, "plan_ready", "routine_reminder"]


def _allow_kinds(batch_op, table: str, kinds: list[str]) -> None:
    batch_op.drop_constraint(op.f(f"ck_{table}_message_kind"), type_="check")
    batch_op.create_check_constraint(op.f(f"ck_{table}_message_kind"), sa.column("kind").in_(kinds))


def upgrade():
    op.create_table(
        "routine_reminder_times",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.CheckConstraint("length(local_time) = 5", name=op.f("ck_routine_reminder_times_format")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_routine_reminder_times_client_id_users")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_routine_reminder_times")),
    )
    # Batch mode: ALTERs on PostgreSQL, one copy of each table on SQLite.
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_messages_plan_id_plans"), "plans", ["plan_id"], ["id"]
        )
        _allow_kinds(batch_op, "messages", NEW_KINDS)
    with op.batch_alter_table("mail_opt_outs") as batch_op:
        _allow_kinds(batch_op, "mail_opt_outs", NEW_KINDS)


def downgrade():
    gone = "('plan_ready', 'routine_reminder')"
    op.execute(f"DELETE FROM mail_opt_outs WHERE kind IN {gone}")
    op.execute(
        "DELETE FROM message_attempts WHERE message_id IN "
        f"(SELECT id FROM messages WHERE kind IN {gone})"
    )
    op.execute(f"DELETE FROM messages WHERE kind IN {gone}")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_messages_plan_id_plans"), type_="foreignkey")
        batch_op.drop_column("plan_id")
        _allow_kinds(batch_op, "messages", OLD_KINDS)
    with op.batch_alter_table("mail_opt_outs") as batch_op:
        _allow_kinds(batch_op, "mail_opt_outs", OLD_KINDS)
    op.drop_table("routine_reminder_times")
