"""The front desk's client record and rooms as choices: the rooms each service may use, a late
cancellation marked on its visit, and the desk's tags and notes about a client.

Revision ID: d4b8e2f6a9c3
Revises: a7c2e5d9f3b1
Create Date: 2026-12-02 19:10:00

"""

import sqlalchemy as sa
from alembic import op

from spa_app.database import UTCDateTime

revision = "d4b8e2f6a9c3"
down_revision = "a7c2e5d9f3b1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "service_room",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_room_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_service_room_room_id_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "room_id", name=op.f("pk_service_room")),
    )
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.add_column(
            sa.Column("late_cancel", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "client_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(tag) > 0", name=op.f("ck_client_tags_tag_not_empty")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name=op.f("fk_client_tags_client_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_tags")),
        sa.UniqueConstraint("client_id", "tag", name="uq_client_tags_client_tag"),
    )
    op.create_index(op.f("ix_client_tags_client_id"), "client_tags", ["client_id"])
    op.create_table(
        "desk_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_desk_notes_body_not_empty")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name=op.f("fk_desk_notes_client_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_desk_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_notes")),
    )
    op.create_index(op.f("ix_desk_notes_client_id"), "desk_notes", ["client_id"])


def downgrade():
    op.drop_index(op.f("ix_desk_notes_client_id"), table_name="desk_notes")
    op.drop_table("desk_notes")
    op.drop_index(op.f("ix_client_tags_client_id"), table_name="client_tags")
    op.drop_table("client_tags")
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.drop_column("late_cancel")
    op.drop_table("service_room")
