"""Safe home care: condition rules as data, routine doses, conditions that name areas, plans
that keep their review reasons, omissions and confirmed warnings; a tick's note becomes
discomfort (0 none, 10 worst), one direction with the intake's pain.

The shipped routines found unsafe are fixed in place (by name): the calf strokes that ran away
from the heart are retired, and the points and leg work to avoid in pregnancy are excluded for
it. `flask spa load-techniques` then adds the new routines and the condition rules.

Revision ID: b7e4c1d2a9f0
Revises: 59e21b655926
Create Date: 2026-12-02 00:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e4c1d2a9f0"
down_revision = "59e21b655926"
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
    "waitlist_offer",
]
NEW_KINDS = [*OLD_KINDS, "plan_needs_review"]

RETIRED = ["Calf strokes towards the ankle"]
NOT_IN_PREGNANCY = [
    "Top-of-the-shoulders pressure point",
    "Foot arch and ankle massage",
    "Calf strokes towards the ankle",
]


def _allow_kinds(batch_op, table: str, kinds: list[str]) -> None:
    batch_op.drop_constraint(op.f(f"ck_{table}_message_kind"), type_="check")
    batch_op.create_check_constraint(op.f(f"ck_{table}_message_kind"), sa.column("kind").in_(kinds))


def upgrade():
    op.create_table(
        "condition_rules",
        sa.Column("condition", sa.String(length=40), nullable=False),
        sa.Column("names_areas", sa.Boolean(), nullable=False),
        sa.Column("excludes_named_areas", sa.Boolean(), nullable=False),
        sa.Column("excludes_areas", sa.JSON(), nullable=False),
        sa.Column("pauses_all", sa.Boolean(), nullable=False),
        sa.Column("pressure_cap", sa.Integer(), nullable=False),
        sa.Column("therapist_note", sa.String(length=500), nullable=False),
        sa.Column("client_caution", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "pressure_cap BETWEEN 1 AND 3", name=op.f("ck_condition_rules_pressure_cap")
        ),
        sa.PrimaryKeyConstraint("condition", name=op.f("pk_condition_rules")),
    )
    false, empty = sa.false(), sa.text("'[]'")
    with op.batch_alter_table("routines") as batch_op:
        batch_op.add_column(sa.Column("min_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hold_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sides", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("deep_tool", sa.Boolean(), nullable=False, server_default=false)
        )
        batch_op.add_column(
            sa.Column("build_up", sa.Boolean(), nullable=False, server_default=false)
        )
        batch_op.add_column(
            sa.Column("time_of_day", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("also_areas", sa.JSON(), nullable=False, server_default=empty)
        )
        batch_op.add_column(sa.Column("spots", sa.JSON(), nullable=False, server_default=empty))
    routines = sa.table(
        "routines",
        sa.column("name", sa.String),
        sa.column("minutes", sa.Integer),
        sa.column("min_minutes", sa.Integer),
        sa.column("active", sa.Boolean),
        sa.column("deep_tool", sa.Boolean),
        sa.column("build_up", sa.Boolean),
        sa.column("tools", sa.JSON),
        sa.column("excluded_by", sa.JSON),
    )
    bind = op.get_bind()
    op.execute(routines.update().values(min_minutes=routines.c.minutes))
    op.execute(routines.update().where(routines.c.name.in_(RETIRED)).values(active=False))
    rows = bind.execute(sa.select(routines.c.name, routines.c.tools, routines.c.excluded_by))
    for name, tools, excluded_by in rows.all():
        deep = bool({"tennis ball", "massage ball", "foam roller"} & set(tools or []))
        excluded = set(excluded_by or [])
        if name in NOT_IN_PREGNANCY:
            excluded.add("pregnancy")
        bind.execute(
            routines.update()
            .where(routines.c.name == name)
            .values(deep_tool=deep, build_up=deep, excluded_by=sorted(excluded))
        )
    with op.batch_alter_table("routines") as batch_op:
        batch_op.alter_column("min_minutes", existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_routines_min_minutes"), "min_minutes BETWEEN 1 AND minutes"
        )
        batch_op.create_check_constraint(op.f("ck_routines_sides"), "sides IN (1, 2)")

    with op.batch_alter_table("intakes") as batch_op:
        batch_op.add_column(
            sa.Column("condition_areas", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("no_conditions", sa.Boolean(), nullable=False, server_default=false)
        )
        batch_op.add_column(
            sa.Column("medicines", sa.String(length=500), nullable=False, server_default="")
        )
    intakes = sa.table(
        "intakes",
        sa.column("client_id", sa.Integer),
        sa.column("skin_areas", sa.JSON),
        sa.column("condition_areas", sa.JSON),
    )
    for client_id, skin in bind.execute(sa.select(intakes.c.client_id, intakes.c.skin_areas)):
        if skin:
            bind.execute(
                intakes.update()
                .where(intakes.c.client_id == client_id)
                .values(condition_areas={"skin_condition": list(skin)})
            )
    with op.batch_alter_table("intakes") as batch_op:
        batch_op.drop_column("skin_areas")

    with op.batch_alter_table("plans") as batch_op:
        batch_op.add_column(
            sa.Column("review_reasons", sa.JSON(), nullable=False, server_default=empty)
        )
        batch_op.add_column(
            sa.Column("review_needed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("left_out", sa.JSON(), nullable=False, server_default=empty))
        batch_op.add_column(sa.Column("overrides", sa.JSON(), nullable=False, server_default=empty))
    with op.batch_alter_table("plan_items") as batch_op:
        batch_op.add_column(
            sa.Column("build_up", sa.Boolean(), nullable=False, server_default=false)
        )
        batch_op.add_column(sa.Column("spots", sa.JSON(), nullable=False, server_default=empty))

    _flip_comfort("comfort", "discomfort")

    with op.batch_alter_table("messages") as batch_op:
        _allow_kinds(batch_op, "messages", NEW_KINDS)
    with op.batch_alter_table("mail_opt_outs") as batch_op:
        _allow_kinds(batch_op, "mail_opt_outs", NEW_KINDS)


def _flip_comfort(old: str, new: str) -> None:
    """A tick's note runs one way with the intake's pain: 0 is none, 10 the worst. The old
    comfort score ran the other way, so each stored value becomes 10 minus itself."""
    with op.batch_alter_table("plan_completions") as batch_op:
        batch_op.drop_constraint(op.f(f"ck_plan_completions_{old}"), type_="check")
        batch_op.alter_column(old, new_column_name=new, existing_type=sa.Integer())
    op.execute(f"UPDATE plan_completions SET {new} = 10 - {new} WHERE {new} IS NOT NULL")
    with op.batch_alter_table("plan_completions") as batch_op:
        batch_op.create_check_constraint(
            op.f(f"ck_plan_completions_{new}"), f"{new} IS NULL OR {new} BETWEEN 0 AND 10"
        )


def downgrade():
    op.execute("DELETE FROM mail_opt_outs WHERE kind = 'plan_needs_review'")
    op.execute("DELETE FROM message_attempts WHERE message_id IN "
               "(SELECT id FROM messages WHERE kind = 'plan_needs_review')")  # fmt: skip
    op.execute("DELETE FROM messages WHERE kind = 'plan_needs_review'")
    with op.batch_alter_table("mail_opt_outs") as batch_op:
        _allow_kinds(batch_op, "mail_opt_outs", OLD_KINDS)
    with op.batch_alter_table("messages") as batch_op:
        _allow_kinds(batch_op, "messages", OLD_KINDS)
    _flip_comfort("discomfort", "comfort")
    with op.batch_alter_table("plan_items") as batch_op:
        batch_op.drop_column("spots")
        batch_op.drop_column("build_up")
    with op.batch_alter_table("plans") as batch_op:
        for column in ("overrides", "left_out", "review_needed_at", "review_reasons"):
            batch_op.drop_column(column)
    with op.batch_alter_table("intakes") as batch_op:
        batch_op.add_column(
            sa.Column("skin_areas", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    intakes = sa.table(
        "intakes",
        sa.column("client_id", sa.Integer),
        sa.column("skin_areas", sa.JSON),
        sa.column("condition_areas", sa.JSON),
    )
    bind = op.get_bind()
    for client_id, areas in bind.execute(sa.select(intakes.c.client_id, intakes.c.condition_areas)):
        if skin := (areas or {}).get("skin_condition"):
            bind.execute(
                intakes.update().where(intakes.c.client_id == client_id).values(skin_areas=skin)
            )
    with op.batch_alter_table("intakes") as batch_op:
        for column in ("medicines", "no_conditions", "condition_areas"):
            batch_op.drop_column(column)
    with op.batch_alter_table("routines") as batch_op:
        batch_op.drop_constraint(op.f("ck_routines_sides"), type_="check")
        batch_op.drop_constraint(op.f("ck_routines_min_minutes"), type_="check")
        for column in (
            "spots", "also_areas", "time_of_day", "build_up", "deep_tool", "sides",
            "hold_seconds", "min_minutes",
        ):  # fmt: skip
            batch_op.drop_column(column)
    op.drop_table("condition_rules")
