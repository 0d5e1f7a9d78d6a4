"""The therapist's "My schedule" list: each visit's markers come first, in symbols and words,
and reading the flag is audited like the calendar's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from spa_app.booking.models import BookingStatus
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry
from tests import factories


def test_my_schedule_lists_the_flags_first(client):
    svc, (anna,), (room,) = factories.spa()
    flagged = factories.user(name="Wilhelmina Featherstonehaugh-Cholmondeley")
    regular = factories.user(name="Ray Regular")
    factories.intake(flagged.id, conditions=["pregnancy"])
    factories.intake(regular.id)
    soon = datetime.now(UTC) + timedelta(days=3)
    factories.booking(regular, anna, room, svc, soon - timedelta(days=40), BookingStatus.COMPLETED)
    factories.booking(flagged, anna, room, svc, soon)
    factories.booking(regular, anna, room, svc, soon + timedelta(hours=2))
    factories.login(client, anna.user)
    page = client.get("/schedule").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tr>")
    first, second = rows[0], rows[1]
    assert first.index('class="marker flag"') < first.index("Wilhelmina")
    assert "Contraindication ticked, New client" in first
    assert "Ray Regular" in second and '<span class="skip">None</span>' in second
    factories.fresh()
    audited = db.session.execute(db.select(AuditEntry.client_id)).scalars().all()
    assert audited == [flagged.id]
