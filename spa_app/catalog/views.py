"""The service menu for visitors; staff pages that manage services, therapists and rooms."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from spa_app.accounts.guards import staff_required
from spa_app.accounts.service import EmailTaken
from spa_app.catalog import images, picture_views, service
from spa_app.catalog.forms import (
    ActiveForm,
    NewTherapistForm,
    RoomForm,
    ServiceForm,
    TherapistForm,
    picture_change,
)
from spa_app.catalog.models import Room, Service, Therapist
from spa_app.database import unit_of_work
from spa_app.extensions import db

bp = Blueprint("catalog", __name__)
#: The staff pages with a picture field: they take a larger body than the rest of the site.
picture_views.register(
    bp, picture_pages={"catalog.new_service", "catalog.edit_service", "catalog.edit_therapist"}
)

NAME_TAKEN = _l("That name is already in use; please choose another.")
CHOICE_GONE = _l("One of the choices no longer exists; please choose again.")
#: Browsers cannot fill a file field in again: said when a form with a good picture is refused.
CHOOSE_AGAIN = _l(
    "Please choose the picture again: it was not saved, as something else needs fixing."
)


def _done(message: str, endpoint: str, **values):
    """Say what was saved and go on. Callers build ``message`` inside the unit of work, before
    its commit expires the rows, so nothing is read afterwards (on SQLite that read would hold
    the write lock until teardown)."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


@bp.get("/")
def index():
    return render_template("catalog/index.html", menu=service.menu())


@bp.get("/staff/")
@staff_required
def staff_home():
    return render_template("catalog/staff_home.html")


# Services ---------------------------------------------------------------------------------------


@bp.get("/staff/services/")
@staff_required
def services():
    return render_template("catalog/services.html", services=service.all_services())


@bp.route("/staff/services/new", methods=["GET", "POST"])
@staff_required
def new_service():
    return _service_page(None)


@bp.route("/staff/services/<id:service_id>", methods=["GET", "POST"])
@staff_required
def edit_service(service_id: int):
    return _service_page(db.get_or_404(Service, service_id))


def _service_page(svc: Service | None):
    form = ServiceForm(data=None if svc is None else _service_data(svc))
    form.therapists.choices = _therapist_choices()
    form.rooms.choices = _room_choices()
    if form.validate_on_submit():
        try:
            with images.changes() as files, unit_of_work():
                saved = service.save_service(svc, _service_details(form), files)
                message = _("Saved the service “%(name)s”.", name=saved.name)
        except service.NameTaken:
            form.name.errors.append(NAME_TAKEN)
        except service.UnknownChoice as gone:
            (form.rooms if gone.model is Room else form.therapists).errors.append(CHOICE_GONE)
        except images.NotStored as failed:
            form.image.errors.append(str(failed))
        else:
            return _done(message, "catalog.services")
    _ask_again(form.image, form)
    return render_template(
        "catalog/service_form.html", form=form, service=svc, categories=service.categories()
    )


def _ask_again(upload, form) -> None:
    """A good picture on a refused form is lost (no browser fills a file field in again)."""
    if form.errors and upload.data is not None and not upload.errors:
        upload.errors.append(CHOOSE_AGAIN)


def _service_data(svc: Service) -> dict:
    return {
        "name": svc.name,
        "description": svc.description,
        "duration_min": svc.duration_min,
        "price": svc.price_cents,
        "buffer_min": svc.buffer_min,
        "active": svc.active,
        "therapists": _ids(svc.therapists),
        "rooms": _ids(svc.rooms),
        "category": svc.category,
        "position": svc.position,
    }


def _service_details(form: ServiceForm) -> service.ServiceDetails:
    return service.ServiceDetails(
        name=form.name.data,
        description=form.description.data or "",
        duration_min=form.duration_min.data,
        price_cents=form.price.data,
        buffer_min=form.buffer_min.data,
        active=form.active.data,
        therapist_ids=form.therapists.data,
        room_ids=form.rooms.data,
        category=form.category.data or "",
        position=form.position.data or 0,
        image=picture_change(form.image, form.remove_image),
    )


def _room_choices() -> list[SelectChoice]:
    return [
        SelectChoice(r.id, r.name if r.active else _("%(name)s (closed)", name=r.name))
        for r in service.all_rooms()
    ]


def _therapist_choices() -> list[SelectChoice]:
    return [
        SelectChoice(
            t.id, t.display_name if t.active else _("%(name)s (inactive)", name=t.display_name)
        )
        for t in service.all_therapists()
    ]


def _ids(rows) -> list[int]:
    return [row.id for row in rows]


# Rooms ------------------------------------------------------------------------------------------


@bp.get("/staff/rooms/")
@staff_required
def rooms():
    return render_template("catalog/rooms.html", rooms=service.all_rooms())


@bp.route("/staff/rooms/new", methods=["GET", "POST"])
@staff_required
def new_room():
    return _room_page(None)


@bp.route("/staff/rooms/<id:room_id>", methods=["GET", "POST"])
@staff_required
def edit_room(room_id: int):
    return _room_page(db.get_or_404(Room, room_id))


def _room_page(room: Room | None):
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                saved = service.save_room(room, form.name.data)
                message = _("Saved the room “%(name)s”.", name=saved.name)
        except service.NameTaken:
            form.name.errors.append(NAME_TAKEN)
        else:
            return _done(message, "catalog.rooms")
    return render_template("catalog/room_form.html", form=form, room=room)


@bp.post("/staff/rooms/<id:room_id>/active")
@staff_required
def set_room_active(room_id: int):
    room = db.get_or_404(Room, room_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work():
        service.set_room_active(room, form.active.data == "1")
        if room.active:
            message = _("The room “%(name)s” is open for bookings.", name=room.name)
        else:
            message = _("The room “%(name)s” is closed to new bookings.", name=room.name)
    return _done(message, "catalog.rooms")


# Therapists -------------------------------------------------------------------------------------


@bp.get("/staff/therapists/")
@staff_required
def therapists():
    return render_template("catalog/therapists.html", therapists=service.therapists_with_details())


@bp.route("/staff/therapists/new", methods=["GET", "POST"])
@staff_required
def new_therapist():
    form = NewTherapistForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                therapist = service.create_therapist(
                    display_name=form.display_name.data,
                    email=form.email.data,
                    password=form.password.data,
                )
                message = _(
                    "Added %(name)s. Now choose their services.", name=therapist.display_name
                )
                therapist_id = therapist.id
        except EmailTaken:
            form.email.errors.append(_("An account with this e-mail already exists."))
        else:
            return _done(message, "catalog.edit_therapist", therapist_id=therapist_id)
    return render_template("catalog/therapist_new.html", form=form)


@bp.route("/staff/therapists/<id:therapist_id>", methods=["GET", "POST"])
@staff_required
def edit_therapist(therapist_id: int):
    therapist = db.get_or_404(Therapist, therapist_id)
    form = TherapistForm(
        display_name=therapist.display_name,
        bio=therapist.bio,
        active=therapist.active,
        services=_ids(therapist.services),
    )
    form.services.choices = [SelectChoice(s.id, s.name) for s in service.all_services()]
    if form.validate_on_submit():
        try:
            with images.changes() as files, unit_of_work():
                service.update_therapist(
                    therapist,
                    display_name=form.display_name.data,
                    bio=form.bio.data or "",
                    active=form.active.data,
                    service_ids=form.services.data,
                    photo=picture_change(form.photo, form.remove_photo),
                    files=files,
                )
                message = _("Saved %(name)s.", name=therapist.display_name)
        except service.UnknownChoice:
            form.services.errors.append(CHOICE_GONE)
        except images.NotStored as failed:
            form.photo.errors.append(str(failed))
        else:
            return _done(message, "catalog.therapists")
    _ask_again(form.photo, form)
    return render_template("catalog/therapist_form.html", form=form, therapist=therapist)
