"""Reading and changing what the spa offers."""

from __future__ import annotations

from spa_app.catalog.models import Room, Service, Therapist
from spa_app.extensions import db


def active_services() -> list[Service]:
    """Active services by name, each with its active therapists loaded (two statements)."""
    return list(
        db.session.execute(
            db.select(Service)
            .where(Service.active)
            .options(db.selectinload(Service.therapists))
            .order_by(Service.name)
        ).scalars()
    )


def offering_therapists(service: Service) -> list[Therapist]:
    return [t for t in service.therapists if t.active]


def all_rooms() -> list[Room]:
    return list(db.session.execute(db.select(Room).order_by(Room.name)).scalars())


def all_therapists() -> list[Therapist]:
    return list(db.session.execute(db.select(Therapist).order_by(Therapist.display_name)).scalars())
