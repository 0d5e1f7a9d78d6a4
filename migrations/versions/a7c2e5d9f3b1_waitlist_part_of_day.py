"""A waitlist request's part of the day: morning, afternoon or evening (NULL: any time).

Revision ID: a7c2e5d9f3b1
Revises: 9d3f6a1c7e20
Create Date: 2026-12-02 14:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c2e5d9f3b1"
down_revision = "9d3f6a1c7e20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("waitlist_entries") as batch_op:
        batch_op.add_column(sa.Column("part_of_day", sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_waitlist_entries_part_of_day"),
            "part_of_day IN ('morning', 'afternoon', 'evening')",
        )


def downgrade():
    with op.batch_alter_table("waitlist_entries") as batch_op:
        batch_op.drop_constraint(op.f("ck_waitlist_entries_part_of_day"), type_="check")
        batch_op.drop_column("part_of_day")
