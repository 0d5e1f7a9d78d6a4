"""What the spa offers: services, the therapists who give them, and treatment rooms."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.extensions import db

service_therapist = Table(
    "service_therapist",
    db.metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("therapist_id", ForeignKey("therapists.id", ondelete="CASCADE"), primary_key=True),
)

#: The rooms a service may use (a couples room, one with a table for hot stones); a service with
#: none may use any active room.
service_room = Table(
    "service_room",
    db.metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("room_id", ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
)


class Therapist(db.Model):
    __tablename__ = "therapists"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    bio: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: The stored name of the uploaded photo (see catalog.images), or None.
    photo: Mapped[str | None] = mapped_column(String(64))

    user = relationship("User")
    services: Mapped[list[Service]] = relationship(
        secondary=service_therapist, back_populates="therapists", order_by="Service.name"
    )


class Service(db.Model):
    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("duration_min > 0 AND duration_min <= 480", name="duration"),
        CheckConstraint("buffer_min >= 0 AND buffer_min <= 120", name="buffer"),
        CheckConstraint("price_cents >= 0", name="price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    duration_min: Mapped[int]
    price_cents: Mapped[int]
    buffer_min: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    category: Mapped[str] = mapped_column(String(80), default="")
    #: Staff-set order on the services page (within a category); ties go by name.
    position: Mapped[int] = mapped_column(default=0)
    #: The stored name of the uploaded image (see catalog.images), or None.
    image: Mapped[str | None] = mapped_column(String(64))

    therapists: Mapped[list[Therapist]] = relationship(
        secondary=service_therapist, back_populates="services", order_by="Therapist.display_name"
    )
    #: The rooms it may use; empty: any active room.
    rooms: Mapped[list[Room]] = relationship(secondary=service_room, order_by="Room.name")

    @property
    def price(self) -> str:
        return f"{self.price_cents // 100}.{self.price_cents % 100:02d}"


class Room(db.Model):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
