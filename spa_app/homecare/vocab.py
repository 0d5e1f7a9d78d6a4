"""The words of home care: body areas, goals, daily context, pressure and contraindications.

Values are stored; labels are what people read.
"""

from __future__ import annotations

import enum


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
    Area.NECK: "Neck",
    Area.SHOULDERS: "Shoulders",
    Area.UPPER_BACK: "Upper back",
    Area.LOWER_BACK: "Lower back",
    Area.HANDS_WRISTS: "Hands and wrists",
    Area.LOWER_LEGS_FEET: "Lower legs and feet",
}
GOAL_LABELS = {
    Goal.PAIN_RELIEF: "Pain relief",
    Goal.STRESS: "Less stress",
    Goal.CIRCULATION: "Better circulation",
    Goal.MOBILITY: "Easier movement",
    Goal.SLEEP: "Better sleep",
    Goal.HEADACHES: "Fewer tension headaches",
    Goal.POSTURE: "Better posture",
    Goal.CRAMPS: "Fewer cramps",
}
CONTEXT_LABELS = {
    Context.DESK_WORK: "Desk work",
    Context.STANDING_WORK: "Work on my feet",
    Context.SPORT: "Sport or training",
    Context.REPETITIVE_HANDS: "Repetitive hand use (typing, tools, instruments)",
}
PRESSURE_LABELS = {Pressure.LIGHT: "Light", Pressure.MEDIUM: "Medium", Pressure.FIRM: "Firm"}
CONDITION_LABELS = {
    Condition.PREGNANCY: "Pregnancy",
    Condition.RECENT_INJURY: "A recent injury or surgery (in the last three months)",
    Condition.BLOOD_CLOTS: "A blood clot, now or in the past",
    Condition.VARICOSE_VEINS: "Varicose veins",
    Condition.SKIN_CONDITION: "A skin condition, a rash or broken skin in one of my areas",
    Condition.OSTEOPOROSIS: "Osteoporosis or fragile bones",
    Condition.BLOOD_THINNERS: "Blood-thinning medicine, or I bruise easily",
    Condition.DIABETES_NEUROPATHY: "Diabetes, or reduced feeling in the feet or hands",
    Condition.CANCER_TREATMENT: "Cancer treatment now or in the past year, or lymph nodes removed",
    Condition.ARTHRITIS_FLARE: (
        "A flare of inflammatory arthritis (such as rheumatoid arthritis) right now"
    ),
    Condition.SPREADING_NUMBNESS: "Numbness or tingling that spreads, such as down an arm or a leg",
    Condition.FEVER_INFECTION: "A fever or an infection",
    Condition.OTHER: "Something else (please say)",
}
#: How a reason or a warning names each condition ("left out because of ...").
CONDITION_NAMES = {
    Condition.PREGNANCY: "pregnancy",
    Condition.RECENT_INJURY: "a recent injury or surgery",
    Condition.BLOOD_CLOTS: "a blood clot",
    Condition.VARICOSE_VEINS: "varicose veins",
    Condition.SKIN_CONDITION: "a skin condition",
    Condition.OSTEOPOROSIS: "osteoporosis",
    Condition.BLOOD_THINNERS: "blood-thinning medicine or easy bruising",
    Condition.DIABETES_NEUROPATHY: "diabetes or reduced feeling",
    Condition.CANCER_TREATMENT: "cancer treatment",
    Condition.ARTHRITIS_FLARE: "an arthritis flare",
    Condition.SPREADING_NUMBNESS: "spreading numbness or tingling",
    Condition.FEVER_INFECTION: "a fever or infection",
    Condition.OTHER: "what you told us",
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
    TimeOfDay.ANY: "Any time",
    TimeOfDay.MORNING: "In the morning",
    TimeOfDay.MIDDAY: "In the middle of the day",
    TimeOfDay.EVENING: "In the evening",
    TimeOfDay.BEFORE_BED: "Before bed",
}

KIND_LABELS = {Kind.ROUTINE: "Self-massage routine", Kind.PRESSURE_POINT: "Pressure point"}

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
    "where": {**AREA_LABELS, ELSEWHERE: "Somewhere else"},
}
