"""Reading and changing what the spa offers."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa

from spa_app.accounts.models import Role
from spa_app.accounts.service import create_user
from spa_app.catalog import images
from spa_app.catalog.models import Room, Service, Therapist
from spa_app.extensions import db


class NameTaken(ValueError):
    """Another service or room already has this name (compared without regard to case)."""


class UnknownChoice(LookupError):
    """An id among the chosen therapists, services or rooms does not exist; ``model`` is which
    of them."""

    def __init__(self, missing, model=None):
        super().__init__(missing)
        self.model = model


@dataclass(frozen=True)
class ServiceDetails:
    """Everything staff set on a service; the price is in integer cents."""

    name: str
    description: str
    duration_min: int
    price_cents: int
    buffer_min: int
    active: bool
    therapist_ids: Collection[int]
    category: str = ""
    position: int = 0
    image: images.PictureChange = images.Change.KEEP
    #: The rooms it may use; none: any active room.
    room_ids: Collection[int] = ()


@dataclass(frozen=True)
class Section:
    """One category of the services page: its name ("" for services without one), in order."""

    category: str
    services: list[Service]


@dataclass(frozen=True)
class Menu:
    """The services page: the sections in order, and everyone who gives one of the services."""

    sections: list[Section]
    therapists: list[Therapist]


#: Staff order: by category (those without one last), then position, then name.
_STAFF_ORDER = (Service.category == "", Service.category, Service.position, Service.name)


def menu() -> Menu:
    """The active services by category in staff order, with who gives them (two statements).

    Only active therapists are named; a service nobody gives yet is still listed.
    """
    services = list(
        db.session.execute(
            db.select(Service)
            .where(Service.active)
            .options(db.selectinload(Service.therapists))
            .order_by(*_STAFF_ORDER)
        ).scalars()
    )
    sections: list[Section] = []
    people: dict[int, Therapist] = {}
    for svc in services:
        if not sections or sections[-1].category != svc.category:
            sections.append(Section(svc.category, []))
        sections[-1].services.append(svc)
        people.update((t.id, t) for t in svc.therapists if t.active)
    therapists = sorted(people.values(), key=lambda t: (t.display_name, t.id))
    return Menu(sections=sections, therapists=therapists)


def categories() -> list[str]:
    """The categories in use, in order, for staff to pick from."""
    query = db.select(Service.category).where(Service.category != "").distinct()
    return sorted(db.session.execute(query).scalars(), key=str.casefold)


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


def all_services() -> list[Service]:
    """Every service, active or not, in staff order (category, position, name), with its
    therapists loaded (two statements)."""
    return list(
        db.session.execute(
            db.select(Service).options(db.selectinload(Service.therapists)).order_by(*_STAFF_ORDER)
        ).scalars()
    )


def all_rooms() -> list[Room]:
    return list(db.session.execute(db.select(Room).order_by(Room.name)).scalars())


def active_rooms() -> list[Room]:
    """The rooms open for new bookings, by name."""
    return list(db.session.scalars(db.select(Room).where(Room.active).order_by(Room.name)))


def all_therapists() -> list[Therapist]:
    return list(db.session.execute(db.select(Therapist).order_by(Therapist.display_name)).scalars())


def therapists_with_details() -> list[Therapist]:
    """Every therapist by name, with their login and services loaded (three statements)."""
    return list(
        db.session.execute(
            db.select(Therapist)
            .options(db.selectinload(Therapist.services), db.joinedload(Therapist.user))
            .order_by(Therapist.display_name)
        ).scalars()
    )


def save_service(
    service: Service | None, details: ServiceDetails, files: images.FileChanges | None = None
) -> Service:
    """Create (``service`` None) or update a service, flushed; raises NameTaken or UnknownChoice.

    Its rooms limit where it can be booked from then on (visits booked keep their room); none
    means any active room. A new or removed image goes through ``files`` (images.changes(),
    which needs it whenever the image changes), so the files follow the transaction. Nothing
    is added or changed when it raises (images.NotStored too).
    """
    values = {
        "name": details.name.strip(),
        "description": details.description.strip(),
        "duration_min": details.duration_min,
        "price_cents": details.price_cents,
        "buffer_min": details.buffer_min,
        "active": details.active,
        "therapists": _load(Therapist, details.therapist_ids),
        "rooms": _load(Room, details.room_ids),
        "category": _category(details.category, service),
        "position": details.position,
    }
    values["image"] = _picture(service.image if service else None, details.image, files)
    return _save_named(Service, service, values)


def save_room(room: Room | None, name: str) -> Room:
    """Create (``room`` None) or rename a room, flushed; raises NameTaken, changing nothing."""
    return _save_named(Room, room, {"name": name.strip()})


def set_room_active(room: Room, active: bool) -> None:
    """Open or close a room for new bookings; existing bookings keep their room."""
    room.active = active
    db.session.flush()


def create_therapist(*, display_name: str, email: str, password: str) -> Therapist:
    """Add a therapist and their login (flushed); raises accounts EmailTaken, adding nothing."""
    user = create_user(email=email, name=display_name, role=Role.THERAPIST, password=password)
    therapist = Therapist(user_id=user.id, display_name=display_name.strip(), bio="")
    db.session.add(therapist)
    db.session.flush()
    return therapist


def update_therapist(
    therapist: Therapist,
    *,
    display_name: str,
    bio: str,
    active: bool,
    service_ids: Collection[int],
    photo: images.PictureChange = images.Change.KEEP,
    files: images.FileChanges | None = None,
) -> None:
    """Change a therapist's profile, photo and services (flushed); raises UnknownChoice or
    images.NotStored, changing nothing. A new or removed photo goes through ``files`` (see
    save_service).

    Deactivating keeps their existing bookings; it only stops new ones.
    """
    services = _load(Service, service_ids)
    therapist.photo = _picture(therapist.photo, photo, files)
    therapist.display_name = display_name.strip()
    therapist.bio = bio.strip()
    therapist.active = active
    therapist.services = services
    db.session.flush()


def _picture(current: str | None, change: images.PictureChange, files) -> str | None:
    if change is images.Change.KEEP:
        return current
    if files is None:
        raise TypeError("a picture change needs the files of images.changes()")
    return files.apply(current, change)


def _category(text: str, current: Service | None) -> str:
    """``text`` on one line with single spaces, spelt as another service's category it matches
    without regard to case, so "massage" joins "Massage" rather than making a second one."""
    text = " ".join(text.split())
    if not text:
        return ""
    same = sa.or_(Service.category == text, sa.func.lower(Service.category) == text.lower())
    query = db.select(Service.category).where(same)
    if current is not None and current.id is not None:
        query = query.where(Service.id != current.id)
    existing = db.session.execute(query.limit(1)).scalar()
    return existing if existing and existing.casefold() == text.casefold() else text


def _load(model, ids: Collection[int]) -> list:
    """The rows of ``model`` with these ids; raises UnknownChoice if any is missing."""
    wanted = set(ids)
    if not wanted:
        return []
    rows = list(db.session.execute(db.select(model).where(model.id.in_(wanted))).scalars())
    if len(rows) != len(wanted):
        raise UnknownChoice(sorted(wanted - {row.id for row in rows}), model)
    return rows


def _name_in_use(model, name: str, current) -> bool:
    # The exact name too: SQLite's lower() folds only ASCII, so "Ωmega" != "ωmega" there.
    same = sa.or_(model.name == name, sa.func.lower(model.name) == name.lower())
    query = db.select(model.id).where(same)
    if current is not None:
        query = query.where(model.id != current.id)
    return db.session.execute(query.limit(1)).first() is not None


def _save_named(model, row, values: dict):
    """Create or update ``row`` with ``values`` inside a savepoint, so that a name taken by a
    concurrent request becomes NameTaken and leaves the session usable."""
    if _name_in_use(model, values["name"], row):
        raise NameTaken(values["name"])
    row = row if row is not None else model()
    try:
        with db.session.begin_nested():
            for key, value in values.items():
                setattr(row, key, value)
            db.session.add(row)
    except sa.exc.IntegrityError as exc:
        if _name_in_use(model, values["name"], row if row.id is not None else None):
            raise NameTaken(values["name"]) from exc
        raise
    return row
