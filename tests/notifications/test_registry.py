"""Each feature declares its own e-mails in the outbox's registry: every kind has exactly one
composer, and no feature can take over another's kind."""

from __future__ import annotations

import pytest

from spa_app.notifications import outbox
from spa_app.notifications.models import MessageKind


def test_every_kind_has_a_composer_once_the_app_is_made(app):
    for kind in MessageKind:
        assert callable(outbox.composer(kind)), kind


def test_a_second_composer_for_a_kind_is_refused(app):
    with pytest.raises(ValueError, match="already has a composer"):

        @outbox.composes(MessageKind.WAITLIST_OFFER)
        def _another(message, settings, sender):
            raise AssertionError("never called")

    assert outbox.composer(MessageKind.WAITLIST_OFFER).__name__ == "_offer_letter"


def test_a_second_pointless_check_for_a_kind_is_refused(app):
    with pytest.raises(ValueError, match="already has a pointless check"):
        outbox.pointless_when(MessageKind.APPOINTMENT_REMINDER)(lambda message, now: True)
