"""Outcomes: the client's check-ins (a week's or a visit's), with a 0-10 score per area.

Revision ID: a3c9f1d7e5b2
Revises: e7a1c5f3b9d2
Create Date: 2026-12-03 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3c9f1d7e5b2"
down_revision = "e7a1c5f3b9d2"
branch_labels = None
depends_on = None

AREAS = ("neck", "shoulders", "upper_back", "lower_back", "hands_wrists", "lower_legs_feet")
GOALS = ("pain_relief", "stress", "circulation", "mobility", "sleep", "headaches", "posture",
         "cramps")  # fmt: skip


def upgrade():
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column(
            "goal",
            sa.Enum(*GOALS, name="goal", native_enum=False, create_constraint=True, length=16),
            nullable=True,
        ),
        sa.Column("goal_score", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "goal_score IS NULL OR goal_score BETWEEN 0 AND 10",
            name=op.f("ck_checkins_goal_score"),
        ),
        sa.CheckConstraint(
            "goal_score IS NULL OR goal IS NOT NULL", name=op.f("ck_checkins_goal_asked")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_checkins_client_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_checkins_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        # One per client and period: a double submit, or the link used twice, edits the one.
        # It also serves reading a client's check-ins (client_id leads).
        sa.UniqueConstraint("client_id", "period", name="uq_checkins_client_period"),
    )
    op.create_table(
        "checkin_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column(
            "area",
            sa.Enum(*AREAS, name="body_area", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),  # fmt: skip
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 0 AND 10", name=op.f("ck_checkin_scores_score")),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name=op.f("fk_checkin_scores_checkin_id_checkins")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_scores")),
        sa.UniqueConstraint("checkin_id", "area", name="uq_checkin_scores_checkin_area"),
    )


def downgrade():
    op.drop_table("checkin_scores")
    op.drop_table("checkins")
