"""Session notes (SOAP): one per visit, its findings per body area, and dated amendments.

Revision ID: e7a1c5f3b9d2
Revises: d4b8e2f6a9c3
Create Date: 2026-12-03 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7a1c5f3b9d2"
down_revision = "d4b8e2f6a9c3"
branch_labels = None
depends_on = None

AREAS = ("neck", "shoulders", "upper_back", "lower_back", "hands_wrists", "lower_legs_feet")
PARTS = ("subjective", "objective", "treatment", "plan")


def _area(nullable: bool) -> sa.Column:
    kind = sa.Enum(*AREAS, name="body_area", native_enum=False, create_constraint=True, length=16)
    return sa.Column("area", kind, nullable=nullable)


def upgrade():
    op.create_table(
        "session_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("subjective", sa.String(length=2000), nullable=False),
        sa.Column("techniques", sa.String(length=500), nullable=False),
        sa.Column("pressure", sa.Integer(), nullable=True),
        sa.Column("treated_areas", sa.JSON(), nullable=False),
        sa.Column("plan", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "pressure IS NULL OR pressure BETWEEN 1 AND 3", name=op.f("ck_session_notes_pressure")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_session_notes_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_session_notes_client_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_session_notes_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_notes")),
        # One note per visit: two first saves at once make one note (the loser edits it).
        sa.UniqueConstraint("booking_id", name=op.f("uq_session_notes_booking_id")),
    )
    with op.batch_alter_table("session_notes") as batch_op:
        batch_op.create_index(batch_op.f("ix_session_notes_client_id"), ["client_id"])

    op.create_table(
        "session_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        _area(nullable=False),
        sa.Column("tension", sa.Integer(), nullable=True),
        sa.Column("points", sa.String(length=200), nullable=False),
        sa.Column("avoid", sa.Boolean(), nullable=False),
        sa.Column("avoid_reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "tension IS NULL OR tension BETWEEN 0 AND 10",
            name=op.f("ck_session_findings_tension"),
        ),
        sa.CheckConstraint(
            "NOT avoid OR length(avoid_reason) > 0", name=op.f("ck_session_findings_avoid_reason")
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["session_notes.id"],
            name=op.f("fk_session_findings_note_id_session_notes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_findings")),
        sa.UniqueConstraint("note_id", "area", name="uq_session_findings_note_area"),
    )

    op.create_table(
        "session_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "part",
            sa.Enum(*PARTS, name="note_part", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        _area(nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("tension", sa.Integer(), nullable=True),
        sa.Column("points", sa.String(length=200), nullable=False),
        sa.Column("avoid", sa.Boolean(), nullable=True),
        sa.Column("avoid_reason", sa.String(length=200), nullable=False),
        sa.Column("pressure", sa.Integer(), nullable=True),
        sa.Column("treated_areas", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "tension IS NULL OR tension BETWEEN 0 AND 10",
            name=op.f("ck_session_amendments_tension"),
        ),
        sa.CheckConstraint(
            "pressure IS NULL OR pressure BETWEEN 1 AND 3",
            name=op.f("ck_session_amendments_pressure"),
        ),
        sa.CheckConstraint(
            "part <> 'objective' OR area IS NOT NULL", name=op.f("ck_session_amendments_area")
        ),
        sa.CheckConstraint(
            "avoid IS NULL OR NOT avoid OR length(avoid_reason) > 0",
            name=op.f("ck_session_amendments_avoid_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["session_notes.id"],
            name=op.f("fk_session_amendments_note_id_session_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_session_amendments_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_amendments")),
    )
    with op.batch_alter_table("session_amendments") as batch_op:
        batch_op.create_index(batch_op.f("ix_session_amendments_note_id"), ["note_id"])


def downgrade():
    op.drop_table("session_amendments")
    op.drop_table("session_findings")
    op.drop_table("session_notes")
