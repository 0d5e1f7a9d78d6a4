"""Messages the mail server never answered: the "unconfirmed" state.

A message whose whole text went out to the mail server, which then never answered, may have
arrived; it is held as unconfirmed for staff instead of being sent again. Downgrade turns any
unconfirmed message into a failed one (staff can still send it again from the message log).

Revision ID: 4e7a0c9b2d15
Revises: 263065d8e722
Create Date: 2026-12-02 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4e7a0c9b2d15"
down_revision = "263065d8e722"
branch_labels = None
depends_on = None

STATES = ["pending", "sent", "failed", "dropped"]


def _allow_states(states: list[str]) -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_constraint(op.f("ck_messages_message_state"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_messages_message_state"), sa.column("state").in_(states)
        )


def upgrade():
    _allow_states([*STATES, "unconfirmed"])


def downgrade():
    op.execute("UPDATE messages SET state = 'failed' WHERE state = 'unconfirmed'")
    _allow_states(STATES)
