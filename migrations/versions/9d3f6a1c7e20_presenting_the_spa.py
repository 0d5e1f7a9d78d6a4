"""Presenting the spa: its address, phone, hours, policy, money and language; service
categories, order and images; therapist photos; each account's language; the grace period
after booking; and the e-mail telling a client the spa closed on their visit.

Revision ID: 9d3f6a1c7e20
Revises: 4e7a0c9b2d15
Create Date: 2026-12-02 14:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "9d3f6a1c7e20"
down_revision = "4e7a0c9b2d15"
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
]
NEW_KINDS = [*OLD_KINDS, "visit_needs_new_time"]


def _allow_kinds(table: str, kinds: list[str]) -> None:
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_message_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f(f"ck_{table}_message_kind"), sa.column("kind").in_(kinds)
        )


def upgrade():
    with op.batch_alter_table("business_settings") as batch_op:
        batch_op.add_column(
            sa.Column("grace_min", sa.Integer(), nullable=False, server_default="10")
        )
        for name, length in (("address", 300), ("phone", 40), ("map_url", 500)):
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
        for name in ("opening_hours", "cancellation_policy"):
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="GBP")
        )
        batch_op.add_column(
            sa.Column("locale", sa.String(length=10), nullable=False, server_default="en")
        )
        batch_op.create_check_constraint(
            op.f("ck_business_settings_grace"), "grace_min BETWEEN 0 AND 120"
        )
    with op.batch_alter_table("services") as batch_op:
        batch_op.add_column(
            sa.Column("category", sa.String(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("image", sa.String(length=64), nullable=True))
    with op.batch_alter_table("therapists") as batch_op:
        batch_op.add_column(sa.Column("photo", sa.String(length=64), nullable=True))
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=10), nullable=True))
    _allow_kinds("messages", NEW_KINDS)
    _allow_kinds("mail_opt_outs", NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM mail_opt_outs WHERE kind = 'visit_needs_new_time'")
    op.execute("DELETE FROM message_attempts WHERE message_id IN "
               "(SELECT id FROM messages WHERE kind = 'visit_needs_new_time')")  # fmt: skip
    op.execute("DELETE FROM messages WHERE kind = 'visit_needs_new_time'")
    _allow_kinds("mail_opt_outs", OLD_KINDS)
    _allow_kinds("messages", OLD_KINDS)
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("locale")
    with op.batch_alter_table("therapists") as batch_op:
        batch_op.drop_column("photo")
    with op.batch_alter_table("services") as batch_op:
        for name in ("image", "position", "category"):
            batch_op.drop_column(name)
    with op.batch_alter_table("business_settings") as batch_op:
        batch_op.drop_constraint(op.f("ck_business_settings_grace"), type_="check")
        for name in ("locale", "currency", "cancellation_policy", "opening_hours", "map_url",
                     "phone", "address", "grace_min"):  # fmt: skip
            batch_op.drop_column(name)
