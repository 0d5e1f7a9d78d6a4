"""Safe home care: condition rules as data, routine doses, conditions that name areas, plans
that keep their review reasons, omissions and confirmed warnings; a tick's note becomes
discomfort (0 none, 10 worst), one direction with the intake's pain.

The shipped routines found unsafe are fixed in place (by name): the calf strokes that ran away
from the heart are retired; every shipped routine gets the exclusions it has now (added to a
row's own, never taken away), its spots and dose; the cautions that named a pressure or let the
hands near the throat are replaced where staff left them as shipped. `flask spa
load-techniques` then adds the new routines and the condition rules.

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
#: The routines shipped before this revision, as it ships them now: conditions they are left out
#: for (only ever added to what a row has), other areas, body-map spots and dose. Staff edits
#: to the rest of a row are kept.
SHIPPED = {
    "Calf strokes towards the ankle": {  # retired; should staff turn it back on
        "excluded_by": ["pregnancy", "blood_clots", "varicose_veins"],
        "also_areas": [],
        "spots": ["calves"],
        "min_minutes": 4,
        "hold_seconds": None,
        "sides": 2,
    },
    "Neck release with the fingertips": {
        "excluded_by": [],
        "also_areas": [],
        "spots": ["neck_back", "neck_sides"],
        "min_minutes": 3,
        "hold_seconds": None,
        "sides": 1,
    },
    "Side-of-neck tilt and stroke": {
        "excluded_by": [],
        "also_areas": [],
        "spots": ["neck_sides", "top_of_shoulders"],
        "min_minutes": 2,
        "hold_seconds": None,
        "sides": 2,
    },
    "Top-of-the-shoulders pressure point": {
        "excluded_by": ["pregnancy"],
        "also_areas": [],
        "spots": ["top_of_shoulders"],
        "min_minutes": 3,
        "hold_seconds": 90,
        "sides": 2,
    },
    "Shoulder knead": {
        "excluded_by": [],
        "also_areas": ["neck"],
        "spots": ["top_of_shoulders"],
        "min_minutes": 3,
        "hold_seconds": None,
        "sides": 2,
    },
    "Upper back on a tennis ball": {
        "excluded_by": ["osteoporosis", "blood_thinners", "cancer_treatment", "spreading_numbness"],
        "also_areas": [],
        "spots": ["beside_upper_spine"],
        "min_minutes": 4,
        "hold_seconds": None,
        "sides": 2,
    },
    "Upper back on a foam roller": {
        "excluded_by": [
            "pregnancy",
            "osteoporosis",
            "blood_thinners",
            "cancer_treatment",
            "spreading_numbness",
        ],
        "also_areas": [],
        "spots": ["upper_back_shoulder_blades"],
        "min_minutes": 3,
        "hold_seconds": None,
        "sides": 1,
    },
    "Lower back circles with the palms": {
        "excluded_by": [],
        "also_areas": [],
        "spots": ["beside_lower_spine"],
        "min_minutes": 3,
        "hold_seconds": None,
        "sides": 1,
    },
    "Base-of-the-spine pressure point": {
        "excluded_by": ["pregnancy"],
        "also_areas": [],
        "spots": ["base_of_spine_points"],
        "min_minutes": 2,
        "hold_seconds": 60,
        "sides": 2,
    },
    "Lower back on a massage ball": {
        "excluded_by": [
            "pregnancy",
            "osteoporosis",
            "blood_thinners",
            "cancer_treatment",
            "spreading_numbness",
        ],
        "also_areas": [],
        "spots": ["beside_lower_spine"],
        "min_minutes": 4,
        "hold_seconds": None,
        "sides": 2,
    },
    "Hand and finger massage": {
        "excluded_by": [],
        "also_areas": [],
        "spots": ["palms", "backs_of_hands"],
        "min_minutes": 5,
        "hold_seconds": None,
        "sides": 2,
    },
    "Wrist circles and palm roll": {
        "excluded_by": [
            "blood_thinners",
            "cancer_treatment",
            "diabetes_neuropathy",
            "osteoporosis",
        ],
        "also_areas": [],
        "spots": ["wrists", "palms"],
        "min_minutes": 5,
        "hold_seconds": None,
        "sides": 2,
    },
    "Foot arch and ankle massage": {
        "excluded_by": ["pregnancy", "blood_clots", "varicose_veins", "diabetes_neuropathy"],
        "also_areas": [],
        "spots": ["arches", "ankles"],
        "min_minutes": 4,
        "hold_seconds": None,
        "sides": 2,
    },
}
#: Shipped words that contradicted the plan or the seeds, replaced where staff left them as
#: they were.
CAUTIONS = {
    "Keep the pressure off the front of the throat.": (
        "Keep off the front of the neck and the sides just under the jaw, where the throat and the "
        "large blood vessels lie; work only the back of the neck and the back part of its sides."
    ),
    "Deep but steady: if the point throbs or the pain sharpens, ease off.": (
        "Steady, never jabbing: ease off if the point throbs or the ache sharpens, and stop if "
        "tingling runs down the arm."
    ),
    "Gentle pressure only on this point.": (
        "Steady and slow on this point; stop if pain shoots into a leg."
    ),
}


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
        *(sa.column(c, sa.String) for c in ("name", "caution", "kind")),
        *(sa.column(c, sa.Integer) for c in ("minutes", "min_minutes", "hold_seconds", "sides")),
        *(sa.column(c, sa.Boolean) for c in ("active", "deep_tool", "build_up")),
        *(sa.column(c, sa.JSON) for c in ("tools", "excluded_by", "also_areas", "spots")),
    )
    bind = op.get_bind()
    op.execute(routines.update().values(min_minutes=routines.c.minutes))
    op.execute(routines.update().where(routines.c.name.in_(RETIRED)).values(active=False))
    for old, new in CAUTIONS.items():
        op.execute(routines.update().where(routines.c.caution == old).values(caution=new))
    columns = (routines.c.name, routines.c.kind, routines.c.minutes, routines.c.tools,
               routines.c.excluded_by)  # fmt: skip
    for name, kind, minutes, tools, excluded_by in bind.execute(sa.select(*columns)).all():
        deep = bool({"tennis ball", "massage ball", "foam roller"} & set(tools or []))
        values = {
            "deep_tool": deep,
            "build_up": deep,
            "excluded_by": sorted(set(excluded_by or [])),
        }
        if kind == "pressure_point":  # one to two minutes a side, as the seeds say
            values |= {"hold_seconds": 60, "sides": 2, "min_minutes": min(minutes, 2)}
        if shipped := SHIPPED.get(name):
            values["excluded_by"] = sorted(set(values["excluded_by"]) | set(shipped["excluded_by"]))
            values |= {k: shipped[k] for k in ("also_areas", "spots", "hold_seconds", "sides")}
            values["min_minutes"] = min(minutes, shipped["min_minutes"])
        bind.execute(routines.update().where(routines.c.name == name).values(**values))
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
