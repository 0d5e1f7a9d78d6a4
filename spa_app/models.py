"""Every model, imported once so that metadata (and Alembic's autogenerate) sees them all."""

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.calendar.models import CalendarFeed
from spa_app.catalog.models import Room, Service, Therapist, service_room, service_therapist
from spa_app.clients.models import ClientTag, DeskNote
from spa_app.feedback.models import Feedback
from spa_app.homecare.models import (
    AuditEntry,
    Completion,
    Intake,
    Plan,
    PlanItem,
    Routine,
    RoutineReminderTime,
)
from spa_app.homecare.notes.models import SessionAmendment, SessionFinding, SessionNote
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.homecare.watch.models import DigestRun, FlagNotice
from spa_app.notifications.models import (
    MailOptOut,
    Message,
    MessageAttempt,
    MessageKind,
    MessageState,
)
from spa_app.ops.models import Heartbeat
from spa_app.scheduling.models import BusinessSettings, Closure, TimeOff, WorkingHours
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer

__all__ = [
    "AuditEntry",
    "Completion",
    "Plan",
    "PlanItem",
    "Intake",
    "Routine",
    "RoutineReminderTime",
    "Booking",
    "CalendarFeed",
    "CheckIn",
    "CheckInScore",
    "ClientTag",
    "DeskNote",
    "Feedback",
    "DigestRun",
    "FlagNotice",
    "BookingStatus",
    "BusinessSettings",
    "Closure",
    "Heartbeat",
    "MailOptOut",
    "Message",
    "MessageAttempt",
    "MessageKind",
    "MessageState",
    "NextVisit",
    "Role",
    "Room",
    "Service",
    "SessionAmendment",
    "SessionFinding",
    "SessionNote",
    "Therapist",
    "TimeOff",
    "User",
    "WaitlistEntry",
    "WaitlistOffer",
    "WorkingHours",
    "service_room",
    "service_therapist",
]
