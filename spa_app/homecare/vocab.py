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
    Condition.RECENT_INJURY: "A recent injury or surgery",
    Condition.BLOOD_CLOTS: "A history of blood clots",
    Condition.VARICOSE_VEINS: "Varicose veins",
    Condition.SKIN_CONDITION: "A skin condition in one of my areas",
    Condition.OSTEOPOROSIS: "Osteoporosis",
    Condition.BLOOD_THINNERS: "Blood-thinning medicine",
    Condition.FEVER_INFECTION: "A fever or an infection",
    Condition.OTHER: "Something else (please say)",
}

KIND_LABELS = {Kind.ROUTINE: "Self-massage routine", Kind.PRESSURE_POINT: "Pressure point"}

#: Most a client can give each day, in minutes; the least.
MINUTES_RANGE = (5, 60)
