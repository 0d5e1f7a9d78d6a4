"""The client record for staff and therapists: the directory, each client's profile, and the
full lists a profile shows the start of (visits, desk notes, messages).

Staff see every client; a therapist sees their own clients (a visit with them not cancelled);
anyone else, or a deleted account, gets a 404. What staff change lives in staff_views.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from spa_app import paging, search
from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.models import Role, User
from spa_app.business import business_tz
from spa_app.catalog.service import active_services, all_therapists
from spa_app.clients import queries
from spa_app.clients.forms import EmailChoicesForm, NoteForm, TagForm, WaitlistForm
from spa_app.clients.models import TAG_MAX
from spa_app.clock import local_today
from spa_app.database import utcnow
from spa_app.fields import therapist_choices
from spa_app.notifications import preferences
from spa_app.notifications.models import OPTIONAL_KINDS
from spa_app.notifications.views import KIND_NAMES, STATE_WORDS
from spa_app.templating import use_timezone
from spa_app.waitlist import service as waitlist
from spa_app.waitlist.service import DEFAULT_DAYS

bp = Blueprint("clients", __name__)

staff_or_therapist = role_required(Role.STAFF, Role.THERAPIST)
TAG_REFUSED = _l("A tag is one line of at most 40 characters.")


def client_or_404(client_id: int) -> User:
    """The client whose record the person logged in may open, else a 404."""
    client = queries.client_for(current_user, client_id)
    if client is None:
        abort(404)
    return client


@bp.get("/staff/clients")
@staff_or_therapist
def directory():
    """Every client (a therapist: their own) by name, found by name, e-mail, phone or tag."""
    use_timezone(business_tz())
    number, term = paging.arg_page(), search.arg_term()
    tag = request.args.get("tag", "").strip()
    if term is None or len(tag) > TAG_MAX or not tag.isprintable():
        problem = search.TERM_REFUSED if term is None else TAG_REFUSED
        shown = {"filters": queries.DirectoryFilters(), "page": None, "kept": {}}
        return render_template("clients/directory.html", problem=problem, **shown), 422
    filters = queries.DirectoryFilters(term, tag)
    page = queries.directory_page(current_user, filters, utcnow(), number)
    kept = paging.kept_args("q", "tag")
    return render_template("clients/directory.html", filters=filters, page=page, kept=kept)


@bp.get("/clients/<id:client_id>")
@staff_or_therapist
def profile(client_id: int):
    return profile_page(client_or_404(client_id))


def profile_page(client: User, status: int = 200, **forms):
    """The profile of ``client``, with ``forms`` (a form sent back with its errors) in place
    of fresh ones. Staff see what they act on too; reading health data is audited."""
    now, tz = utcnow(), business_tz()
    use_timezone(tz)
    ahead = queries.ahead(client.id, now)
    coming = ahead.rows[0] if ahead.rows else None
    shown = {
        "client": client,
        "counts": queries.counts(client.id),
        "ahead": ahead,
        "past": queries.history(client.id, now),
        "health": queries.health_glance(
            current_user, client.id, now, local_today(now, tz), tz, coming
        ),  # fmt: skip
        "tags": queries.tags_of(client.id),
        "notes": queries.notes_of(client.id),
        "feedback": queries.feedback_of(client.id),
    }
    if current_user.is_staff:
        shown |= _staff_sections(client, local_today(now, tz), forms)
    return render_template("clients/profile.html", **shown), status


def _staff_sections(client: User, today, forms: dict) -> dict:
    """What only staff see and use on a profile: the forms, the e-mails, the waitlist."""
    waiting = forms.get("waitlist_form") or offer_choices(WaitlistForm(formdata=None))
    if waiting.first_day.data is None:
        waiting.first_day.data = today
        waiting.last_day.data = today + timedelta(days=DEFAULT_DAYS)
    return {
        "tag_form": forms.get("tag_form") or TagForm(formdata=None),
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "waitlist_form": waiting,
        "email_form": forms.get("email_form") or _email_choices(client.id),
        "waiting": waitlist.waiting(client.id, today),
        "messages": queries.messages_of(client.id),
        "kind_names": KIND_NAMES,
        "state_words": STATE_WORDS,
    }


def offer_choices(form: WaitlistForm) -> WaitlistForm:
    """The waitlist form with the services on offer and every therapist to choose from."""
    form.service.choices = [("", _("Choose a service"))] + [
        (str(s.id), s.name) for s in active_services()
    ]
    form.therapist.choices = therapist_choices({t.id: t.display_name for t in all_therapists()})
    return form


def _email_choices(client_id: int) -> EmailChoicesForm:
    form = EmailChoicesForm(formdata=None)
    off = preferences.opted_out(client_id)
    form.wanted.data = [k.value for k in OPTIONAL_KINDS if k not in off]
    form.routine_time.data = preferences.routine_time(client_id)
    return form


@bp.get("/clients/<id:client_id>/visits")
@staff_or_therapist
def visits(client_id: int):
    """Every visit of the client that has started, latest first, a page at a time."""
    client = client_or_404(client_id)
    use_timezone(business_tz())
    page = queries.history(client.id, utcnow(), paging.arg_page(), paging.PER_PAGE)
    return render_template("clients/visits.html", client=client, page=page)


@bp.get("/clients/<id:client_id>/notes")
@staff_or_therapist
def notes(client_id: int):
    """Every desk note about the client, newest first, a page at a time."""
    client = client_or_404(client_id)
    use_timezone(business_tz())
    page = queries.notes_of(client.id, paging.arg_page(), paging.PER_PAGE)
    return render_template("clients/notes.html", client=client, page=page)


@bp.get("/clients/<id:client_id>/messages")
@staff_required
def messages(client_id: int):
    """Every e-mail to the client, newest first, a page at a time."""
    client = client_or_404(client_id)
    use_timezone(business_tz())
    page = queries.messages_of(client.id, paging.arg_page(), paging.PER_PAGE)
    return render_template("clients/messages.html", client=client, page=page,
                           kind_names=KIND_NAMES, state_words=STATE_WORDS)  # fmt: skip
