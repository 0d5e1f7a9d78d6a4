"""The spa-wide settings, read once per request (or task, or command) and kept as plain values.

``business()`` answers every later call in the same application context without a query, even
after a commit has expired the session's objects. Saving the settings row forgets the copy, so
the rest of that request reads the new values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import g, has_app_context
from flask_babel import gettext, ngettext
from sqlalchemy import event
from sqlalchemy.orm import Session

from spa_app.clock import zone
from spa_app.extensions import db
from spa_app.scheduling.availability import Rules
from spa_app.scheduling.models import BusinessSettings


@dataclass(frozen=True)
class Business:
    business_name: str
    timezone: str
    tz: ZoneInfo
    slot_step_min: int
    min_notice_min: int
    horizon_days: int
    cancel_window_hours: int
    grace_min: int
    address: str
    phone: str
    map_url: str
    review_url: str
    opening_hours: str
    cancellation_policy: str
    currency: str
    locale: str

    @property
    def rules(self) -> Rules:
        """What free times need: the zone, the step, the notice and how far ahead."""
        return Rules(
            self.tz,
            timedelta(minutes=self.slot_step_min),
            timedelta(minutes=self.min_notice_min),
            self.horizon_days,
        )

    @property
    def policy(self) -> str:
        """The cancellation policy as clients read it: the spa's own words, or else the rule
        the site applies, in a sentence."""
        if self.cancellation_policy.strip():
            return self.cancellation_policy.strip()
        hours = self.cancel_window_hours
        if not hours:
            return gettext("You can cancel or move a visit online until it starts.")
        if not self.grace_min:
            return ngettext(
                "You can cancel or move a visit online up to %(num)d hour before it starts.",
                "You can cancel or move a visit online up to %(num)d hours before it starts.",
                hours,
            )
        return ngettext(
            "You can cancel or move a visit online up to %(num)d hour before it starts, and "
            "within %(grace)d minutes of booking it whenever it is.",
            "You can cancel or move a visit online up to %(num)d hours before it starts, and "
            "within %(grace)d minutes of booking it whenever it is.",
            hours,
            grace=self.grace_min,
        )

    @classmethod
    def of(cls, row: BusinessSettings) -> Business:
        return cls(
            business_name=row.business_name,
            timezone=row.timezone,
            tz=zone(row.timezone),
            slot_step_min=row.slot_step_min,
            min_notice_min=row.min_notice_min,
            horizon_days=row.horizon_days,
            cancel_window_hours=row.cancel_window_hours,
            grace_min=row.grace_min,
            address=row.address,
            phone=row.phone,
            map_url=row.map_url,
            review_url=row.review_url,
            opening_hours=row.opening_hours,
            cancellation_policy=row.cancellation_policy,
            currency=row.currency,
            locale=row.locale,
        )


def business() -> Business:
    """The settings, from the application context's copy or one read of the row."""
    cached = g.get("business") if has_app_context() else None
    if cached is not None:
        return cached
    row = db.session.get(BusinessSettings, 1)
    if row is None:
        raise LookupError("the business settings row is missing: run the migrations")
    fresh = Business.of(row)
    if has_app_context():
        g.business = fresh
    return fresh


def business_tz() -> ZoneInfo:
    """The business time zone: every date and time a person reads is in it."""
    return business().tz


def remember(values: Business) -> None:
    """Use ``values`` for the rest of this context (a caller that has just read the row)."""
    if has_app_context():
        g.business = values


@event.listens_for(Session, "after_flush")
def _forget_changed_settings(session, flush_context):
    if has_app_context() and any(
        isinstance(row, BusinessSettings) for row in (*session.dirty, *session.new)
    ):
        g.pop("business", None)
