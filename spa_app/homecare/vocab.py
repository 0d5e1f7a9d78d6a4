"""The words of home care: body areas, goals, daily context, pressure and contraindications.

Values are stored; labels are what people read, in their language: lazy (``_l``), so each is
translated where it is shown. Code that needs a plain string (JSON, a stored text) takes str() of
a label, or uses it inside a translated sentence.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Area(enum.StrEnum):
    NECK = "neck"
    SHOULDERS = "shoulders"
    UPPER_BACK = "upper_back"
    LOWER_BACK = "lower_back"
    HANDS_WRISTS = "hands_wrists"
    LOWER_LEGS_FEET = "lower_legs_feet"


class Goal(enum.StrEnum):
    PAIN_RELIEF = "pain_relief"
    STRESS = "stress"
    CIRCULATION = "circulation"
    MOBILITY = "mobility"
    SLEEP = "sleep"
    HEADACHES = "headaches"
    POSTURE = "posture"
    CRAMPS = "cramps"


class Context(enum.StrEnum):
    DESK_WORK = "desk_work"
    STANDING_WORK = "standing_work"
    SPORT = "sport"
    REPETITIVE_HANDS = "repetitive_hands"


class Pressure(enum.IntEnum):
    LIGHT = 1
    MEDIUM = 2
    FIRM = 3


class Condition(enum.StrEnum):
    PREGNANCY = "pregnancy"
    RECENT_INJURY = "recent_injury"  # or surgery
    BLOOD_CLOTS = "blood_clots"
    VARICOSE_VEINS = "varicose_veins"
    SKIN_CONDITION = "skin_condition"  # in the areas named with it
    OSTEOPOROSIS = "osteoporosis"
    BLOOD_THINNERS = "blood_thinners"
    DIABETES_NEUROPATHY = "diabetes_neuropathy"
    CANCER_TREATMENT = "cancer_treatment"  # or lymph nodes removed
    ARTHRITIS_FLARE = "arthritis_flare"
    SPREADING_NUMBNESS = "spreading_numbness"
    FEVER_INFECTION = "fever_infection"
    OTHER = "other"


class Kind(enum.StrEnum):
    ROUTINE = "routine"
    PRESSURE_POINT = "pressure_point"


AREA_LABELS = {
    Area.NECK: _l("Neck"),
    Area.SHOULDERS: _l("Shoulders"),
    Area.UPPER_BACK: _l("Upper back"),
    Area.LOWER_BACK: _l("Lower back"),
    Area.HANDS_WRISTS: _l("Hands and wrists"),
    Area.LOWER_LEGS_FEET: _l("Lower legs and feet"),
}
GOAL_LABELS = {
    Goal.PAIN_RELIEF: _l("Pain relief"),
    Goal.STRESS: _l("Less stress"),
    Goal.CIRCULATION: _l("Better circulation"),
    Goal.MOBILITY: _l("Easier movement"),
    Goal.SLEEP: _l("Better sleep"),
    Goal.HEADACHES: _l("Fewer tension headaches"),
    Goal.POSTURE: _l("Better posture"),
    Goal.CRAMPS: _l("Fewer cramps"),
}
CONTEXT_LABELS = {
    Context.DESK_WORK: _l("Desk work"),
    Context.STANDING_WORK: _l("Work on my feet"),
    Context.SPORT: _l("Sport or training"),
    Context.REPETITIVE_HANDS: _l("Repetitive hand use (typing, tools, instruments)"),
}
PRESSURE_LABELS = {
    Pressure.LIGHT: _l("Light"),
    Pressure.MEDIUM: _l("Medium"),
    Pressure.FIRM: _l("Firm"),
}
CONDITION_LABELS = {
    Condition.PREGNANCY: _l("Pregnancy"),
    Condition.RECENT_INJURY: _l("A recent injury or surgery (in the last three months)"),
    Condition.BLOOD_CLOTS: _l("A blood clot, now or in the past"),
    Condition.VARICOSE_VEINS: _l("Varicose veins"),
    Condition.SKIN_CONDITION: _l("A skin condition, a rash or broken skin in one of my areas"),
    Condition.OSTEOPOROSIS: _l("Osteoporosis or fragile bones"),
    Condition.BLOOD_THINNERS: _l("Blood-thinning medicine, or I bruise easily"),
    Condition.DIABETES_NEUROPATHY: _l("Diabetes, or reduced feeling in the feet or hands"),
    Condition.CANCER_TREATMENT: _l(
        "Cancer treatment now or in the past year, or lymph nodes removed"
    ),
    Condition.ARTHRITIS_FLARE: (
        _l("A flare of inflammatory arthritis (such as rheumatoid arthritis) right now")
    ),
    Condition.SPREADING_NUMBNESS: _l(
        "Numbness or tingling that spreads, such as down an arm or a leg"
    ),
    Condition.FEVER_INFECTION: _l("A fever or an infection"),
    Condition.OTHER: _l("Something else (please say)"),
}
#: How a reason or a warning names each condition ("left out because of ...").
CONDITION_NAMES = {
    Condition.PREGNANCY: _l("pregnancy"),
    Condition.RECENT_INJURY: _l("a recent injury or surgery"),
    Condition.BLOOD_CLOTS: _l("a blood clot"),
    Condition.VARICOSE_VEINS: _l("varicose veins"),
    Condition.SKIN_CONDITION: _l("a skin condition"),
    Condition.OSTEOPOROSIS: _l("osteoporosis"),
    Condition.BLOOD_THINNERS: _l("blood-thinning medicine or easy bruising"),
    Condition.DIABETES_NEUROPATHY: _l("diabetes or reduced feeling"),
    Condition.CANCER_TREATMENT: _l("cancer treatment"),
    Condition.ARTHRITIS_FLARE: _l("an arthritis flare"),
    Condition.SPREADING_NUMBNESS: _l("spreading numbness or tingling"),
    Condition.FEVER_INFECTION: _l("a fever or infection"),
    Condition.OTHER: _l("what you told us"),
}
#: The checklist's explicit "none of these" (stored as Intake.no_conditions, not as a condition)
NO_CONDITIONS = "none"


class TimeOfDay(enum.StrEnum):
    ANY = ""
    MORNING = "morning"
    MIDDAY = "midday"
    EVENING = "evening"
    BEFORE_BED = "before_bed"


TIME_OF_DAY_LABELS = {
    TimeOfDay.ANY: _l("Any time"),
    TimeOfDay.MORNING: _l("In the morning"),
    TimeOfDay.MIDDAY: _l("In the middle of the day"),
    TimeOfDay.EVENING: _l("In the evening"),
    TimeOfDay.BEFORE_BED: _l("Before bed"),
}

KIND_LABELS = {Kind.ROUTINE: _l("Self-massage routine"), Kind.PRESSURE_POINT: _l("Pressure point")}

#: Most a client can give each day, in minutes; the least.
MINUTES_RANGE = (5, 60)

#: "Where?" for a condition that names areas, when it is none of the client's areas.
ELSEWHERE = "elsewhere"

#: Every label set, for templates.
LABELS = {
    "areas": AREA_LABELS,
    "conditions": CONDITION_LABELS,
    "contexts": CONTEXT_LABELS,
    "goals": GOAL_LABELS,
    "pressure": PRESSURE_LABELS,
    "kinds": KIND_LABELS,
    "where": {**AREA_LABELS, ELSEWHERE: _l("Somewhere else")},
}
