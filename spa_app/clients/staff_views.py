"""What staff do on a client's record, often for a client on the phone: correct the contact
details, tag, write a desk note, put them on the waitlist, set their e-mail choices, download
their data, and delete their account. Each is a POST with its form's token; a refusal shows
the page again with the reason and a 4xx, nothing changed."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from spa_app.accounts.guards import staff_required
from spa_app.clients import service
from spa_app.clients.forms import (
    ContactForm,
    EmailChoicesForm,
    EraseForm,
    NoteForm,
    TagForm,
    WaitlistForm,
)
from spa_app.clients.views import client_or_404, offer_choices, profile_page
from spa_app.database import unit_of_work, utcnow
from spa_app.fields import ANY, therapist_id
from spa_app.notifications.models import MessageKind
from spa_app.privacy import erasure
from spa_app.waitlist import service as waitlist

bp = Blueprint("clients_staff", __name__)


def _back(client_id: int, section: str = ""):
    return redirect(url_for("clients.profile", client_id=client_id) + section)


@bp.route("/clients/<id:client_id>/contact", methods=["GET", "POST"])
@staff_required
def contact(client_id: int):
    """The client's name, e-mail and phone, as they tell the desk."""
    client = client_or_404(client_id)
    form = ContactForm(obj=client) if request.method == "GET" else ContactForm()
    if request.method == "GET":
        form.email.data = client.shown_email
    if form.validate_on_submit():
        details = service.Contact(form.name.data, form.email.data or "", form.phone.data or "")
        try:
            with unit_of_work():
                changed = service.update_contact(client, details, actor=current_user)
        except service.ClientError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Contact details saved.") if changed else _("Nothing changed."), "success")
            return _back(client_id)
    page = render_template("clients/contact.html", client=client, form=form)
    return page, (422 if form.errors else 200)


@bp.post("/clients/<id:client_id>/tags")
@staff_required
def add_tag(client_id: int):
    client, form = client_or_404(client_id), TagForm()
    if form.validate():
        try:
            with unit_of_work():
                added = service.add_tag(client.id, form.tag.data)
        except service.ClientError as exc:
            form.tag.errors.append(str(exc))
        else:
            flash(_("Tagged “%(tag)s”.", tag=added.tag), "success")
            return _back(client_id, "#tags")
    return profile_page(client, 422, tag_form=form)


@bp.post("/clients/<id:client_id>/tags/<id:tag_id>/delete")
@staff_required
def remove_tag(client_id: int, tag_id: int):
    client = client_or_404(client_id)
    with unit_of_work():
        removed = service.remove_tag(client.id, tag_id)
    if removed:
        flash(_("Tag removed."), "success")
    return _back(client_id, "#tags")


@bp.post("/clients/<id:client_id>/notes")
@staff_required
def add_note(client_id: int):
    client, form = client_or_404(client_id), NoteForm()
    if form.validate():
        try:
            with unit_of_work():
                service.add_note(client.id, current_user, form.body.data, utcnow())
        except service.ClientError as exc:
            form.body.errors.append(str(exc))
        else:
            flash(_("Note added."), "success")
            return _back(client_id, "#notes")
    return profile_page(client, 422, note_form=form)


@bp.post("/clients/<id:client_id>/waitlist")
@staff_required
def join_waitlist(client_id: int):
    """Put the client on the waitlist for a service (or change their request for it)."""
    client, form = client_or_404(client_id), offer_choices(WaitlistForm())
    if form.validate():
        wanted = waitlist.Request(
            int(form.service.data), therapist_id(form.therapist), form.first_day.data,
            form.last_day.data, part=None if form.part.data == ANY else form.part.data,
        )  # fmt: skip
        try:
            with unit_of_work():
                _entry, created = waitlist.join(client, wanted, utcnow())
        except waitlist.WaitlistError as exc:
            form.last_day.errors.append(str(exc))
        else:
            flash(
                _("On the waitlist: they will get an e-mail when a time frees up.")
                if created
                else _("Their waitlist request is changed; their place is kept."),
                "success",
            )
            return _back(client_id, "#waitlist")
    return profile_page(client, 422, waitlist_form=form)


@bp.post("/clients/<id:client_id>/emails")
@staff_required
def email_choices(client_id: int):
    client, form = client_or_404(client_id), EmailChoicesForm()
    if form.validate():
        wanted = {MessageKind(k) for k in form.wanted.data or ()}
        hhmm = form.routine_time.data.strftime("%H:%M")
        with unit_of_work():
            service.set_email_choices(client.id, wanted, hhmm, actor=current_user)
        flash(_("Their e-mail choices are saved."), "success")
        return _back(client_id, "#emails")
    return profile_page(client, 422, email_form=form)


@bp.post("/clients/<id:client_id>/data")
@staff_required
def download(client_id: int):
    """The client's data as the file they would download themselves; never cached."""
    client, now = client_or_404(client_id), utcnow()
    with unit_of_work():
        document = service.data_for(client, actor=current_user, now=now)
    response = current_app.response_class(
        json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json"
    )
    filename = f"spa-client-{client.id}-data-{now:%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/clients/<id:client_id>/erase", methods=["GET", "POST"])
@staff_required
def erase(client_id: int):
    """Delete the client's account as they asked: the staff member types their name first."""
    client, form = client_or_404(client_id), EraseForm()
    visits = erasure.visits_ahead(client.id, utcnow())
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cancelled = service.erase(client, form.name.data, actor=current_user,
                                          now=utcnow())  # fmt: skip
        except (service.ClientError, erasure.ErasureRefused) as exc:
            form.name.errors.append(str(exc))
        else:
            flash(ngettext("The account is deleted; %(num)d visit ahead was cancelled.",
                           "The account is deleted; %(num)d visits ahead were cancelled.",
                           cancelled) if cancelled else _("The account is deleted."),
                  "success")  # fmt: skip
            return redirect(url_for("clients.directory"))
    page = render_template("clients/erase.html", client=client, form=form, visits=visits)
    return page, (422 if form.errors else 200)
