"""Staff act on a client's record, often for a client on the phone: contact details, tags,
desk notes, the waitlist, e-mail choices, the data download and erasure. Bad input gets a
clear message, a 4xx and no change; changes to personal data are audited by field."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from spa_app.accounts.models import User, no_email_address
from spa_app.booking.models import Booking, BookingStatus
from spa_app.clients import queries
from spa_app.clients.models import ClientTag, DeskNote
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry, Intake
from spa_app.notifications.models import MailOptOut, MessageKind
from spa_app.privacy import erasure, export
from spa_app.waitlist.models import WaitlistEntry
from tests import factories
from tests.clients.conftest import days_ago
from tests.factories import LONDON


@pytest.fixture
def cara(spa):
    person = factories.user(name="Cara Lind", email="cara@example.com")
    person.phone = "07700 900123"
    db.session.commit()
    return person


@pytest.fixture
def desk(app, spa):
    return factories.signed_in(app, spa.staff)


def audits() -> list[tuple[str, str]]:
    factories.fresh()
    return [(a.action, a.subject) for a in db.session.scalars(sa.select(AuditEntry))]


def reread(person: User) -> User:
    factories.fresh()
    return db.session.get(User, person.id)


# Contact details -------------------------------------------------------------------------


def test_staff_change_the_phone_and_name_and_the_audit_names_the_fields_only(desk, spa, cara):
    form = {"name": "Cara  Lind-Berg", "email": "cara@example.com", "phone": "+44 7700 900999"}
    reply = desk.post(f"/clients/{cara.id}/contact", data=form)
    assert reply.status_code == 302 and reply.location.endswith(f"/clients/{cara.id}")
    saved = reread(cara)
    assert (saved.name, saved.phone) == ("Cara Lind-Berg", "+44 7700 900999")
    ((action, subject),) = audits()
    assert (action, subject) == ("change contact", "name, phone")
    assert "900999" not in subject and "Berg" not in subject


def test_the_contact_form_shows_the_details_as_they_are(desk, cara):
    html = desk.get(f"/clients/{cara.id}/contact").get_data(as_text=True)
    assert 'value="Cara Lind"' in html and 'value="07700 900123"' in html
    assert 'value="cara@example.com"' in html and "They log in with it." in html


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "email": "cara@example.com", "phone": ""}, "Please give the client"),
        ({"name": "Cara", "email": "not-an-address", "phone": ""}, "not an e-mail address"),
        ({"name": "Cara", "email": "x@no-email.invalid", "phone": ""}, "not an e-mail address"),
        ({"name": "Cara", "email": "cara@example.com", "phone": "call me"}, "Use digits"),
        ({"name": "Cara\nLind", "email": "cara@example.com", "phone": ""}, "single line"),
        ({"name": "Cara", "email": "", "phone": ""}, "They log in with their e-mail"),
    ],
)
def test_bad_contact_details_are_refused_with_a_message_and_nothing_saved(
    desk, cara, form, message
):
    reply = desk.post(f"/clients/{cara.id}/contact", data=form)
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    saved = reread(cara)
    assert (saved.name, saved.email, saved.phone) == ("Cara Lind", "cara@example.com",
                                                      "07700 900123")  # fmt: skip
    assert audits() == []


def test_an_e_mail_another_account_uses_is_refused_and_nothing_half_saved(desk, cara):
    factories.user(name="Other", email="taken@example.com")
    form = {"name": "Cara Renamed", "email": "Taken@Example.com", "phone": "0123 456"}
    reply = desk.post(f"/clients/{cara.id}/contact", data=form)
    assert reply.status_code == 422
    assert "Another account already uses this e-mail address." in reply.get_data(as_text=True)
    saved = reread(cara)
    assert (saved.name, saved.email, saved.phone) == ("Cara Lind", "cara@example.com",
                                                      "07700 900123")  # fmt: skip
    assert audits() == []


def test_a_race_for_the_same_e_mail_is_decided_by_the_database(app, spa, cara):
    from spa_app.clients import service
    from spa_app.database import unit_of_work

    factories.user(name="Other", email="taken@example.com")
    # The check found the address free; another save took it before ours was written.
    original = service.find_by_email
    service.find_by_email = lambda email: None
    try:
        with pytest.raises(service.ClientError, match="Another account"), unit_of_work():
            service.update_contact(db.session.get(User, cara.id),
                                   service.Contact("Cara Lind", "taken@example.com", ""),
                                   actor=spa.staff)  # fmt: skip
    finally:
        service.find_by_email = original
    assert reread(cara).email == "cara@example.com" and audits() == []


def test_a_client_without_e_mail_is_given_one_and_can_then_get_mail(desk, spa):
    eve = factories.user(name="Eve Noor", email=no_email_address())
    eve.password_hash = None
    db.session.commit()
    html = desk.get(f"/clients/{eve.id}/contact").get_data(as_text=True)
    assert "no-email.invalid" not in html and "Leave it empty" in html
    same = desk.post(f"/clients/{eve.id}/contact", data={"name": "Eve Noor", "email": ""})
    assert same.status_code == 302 and audits() == []  # nothing changed: nothing audited
    form = {"name": "Eve Noor", "email": "eve@example.com", "phone": ""}
    reply = desk.post(f"/clients/{eve.id}/contact", data=form)
    assert reply.status_code == 302
    saved = reread(eve)
    assert saved.email == "eve@example.com" and saved.has_email
    assert audits() == [("change contact", "e-mail")]


def test_therapists_and_clients_cannot_edit_contact_details(app, spa, cara):
    spa.visit(cara, days_ago(-2))
    for person in (spa.anna.user, cara):
        browser = factories.signed_in(app, person)
        form = {"name": "Hacked", "email": "cara@example.com"}
        assert browser.post(f"/clients/{cara.id}/contact", data=form).status_code == 404
        assert browser.get(f"/clients/{cara.id}/contact").status_code == 404
    assert reread(cara).name == "Cara Lind"


# Tags and desk notes ---------------------------------------------------------------------


def tags_of(person) -> list[str]:
    factories.fresh()
    return [t.tag for t in queries.tags_of(person.id)]


def test_a_tag_is_added_tidied_and_refused_again_in_another_case(desk, cara):
    assert (
        desk.post(f"/clients/{cara.id}/tags", data={"tag": "  Prefers   mornings "}).status_code
        == 302
    )
    again = desk.post(f"/clients/{cara.id}/tags", data={"tag": "PREFERS MORNINGS"})
    assert again.status_code == 422
    assert "They already have the tag" in again.get_data(as_text=True)
    assert tags_of(cara) == ["Prefers mornings"]


def test_a_new_tag_takes_the_spelling_the_spa_already_uses(desk, cara):
    other = factories.user()
    db.session.add(ClientTag(client_id=other.id, tag="VIP"))
    db.session.commit()
    desk.post(f"/clients/{cara.id}/tags", data={"tag": "vip"})
    assert tags_of(cara) == ["VIP"]


@pytest.mark.parametrize(("tag", "message"), [("", "Please type a tag"),
                                              ("x" * 41, "at most 40 characters"),
                                              ("a\tb", "single line")])  # fmt: skip
def test_a_bad_tag_is_refused_with_a_message(desk, cara, tag, message):
    reply = desk.post(f"/clients/{cara.id}/tags", data={"tag": tag})
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    assert tags_of(cara) == []


def test_a_client_has_at_most_twenty_tags(desk, cara):
    db.session.add_all(ClientTag(client_id=cara.id, tag=f"t{n}") for n in range(20))
    db.session.commit()
    reply = desk.post(f"/clients/{cara.id}/tags", data={"tag": "one more"})
    assert reply.status_code == 422 and "at most 20 tags" in reply.get_data(as_text=True)


def test_a_tag_is_removed_and_only_from_its_client(desk, cara):
    other = factories.user()
    theirs = ClientTag(client_id=other.id, tag="VIP")
    mine = ClientTag(client_id=cara.id, tag="VIP")
    db.session.add_all([theirs, mine])
    db.session.commit()
    assert desk.post(f"/clients/{cara.id}/tags/{theirs.id}/delete").status_code == 302
    assert tags_of(other) == ["VIP"]
    desk.post(f"/clients/{cara.id}/tags/{mine.id}/delete")
    assert tags_of(cara) == []


def test_a_desk_note_is_added_and_says_it_is_not_for_health(desk, spa, cara):
    html = desk.get(f"/clients/{cara.id}").get_data(as_text=True)
    assert "Not for health information – use session notes." in html
    assert (
        desk.post(f"/clients/{cara.id}/notes", data={"body": "Pays by invoice\r\n"}).status_code
        == 302
    )
    factories.fresh()
    (note,) = db.session.scalars(sa.select(DeskNote)).all()
    assert (note.body, note.author_id) == ("Pays by invoice", spa.staff.id)


@pytest.mark.parametrize(("body", "message"), [("   ", "Please write the note"),
                                               ("x" * 1001, "at most 1000 characters"),
                                               ("bad\x00byte", "plain text")])  # fmt: skip
def test_a_bad_desk_note_is_refused_with_a_message(desk, cara, body, message):
    reply = desk.post(f"/clients/{cara.id}/notes", data={"body": body})
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    factories.fresh()
    assert db.session.scalars(sa.select(DeskNote)).all() == []


# The waitlist and e-mail choices ---------------------------------------------------------


def test_staff_put_the_client_on_the_waitlist(desk, spa, cara):
    today = utcnow().astimezone(LONDON).date()
    form = {
        "service": str(spa.svc.id),
        "therapist": str(spa.anna.id),
        "part": "morning",
        "first_day": today.isoformat(),
        "last_day": (today + timedelta(days=7)).isoformat(),
    }
    reply = desk.post(f"/clients/{cara.id}/waitlist", data=form)
    assert reply.status_code == 302
    factories.fresh()
    (entry,) = db.session.scalars(sa.select(WaitlistEntry)).all()
    assert (entry.client_id, entry.service_id, entry.therapist_id, entry.part_of_day) == (
        cara.id, spa.svc.id, spa.anna.id, "morning")  # fmt: skip
    html = desk.get(f"/clients/{cara.id}").get_data(as_text=True)
    assert f"{spa.svc.name} with {spa.anna.display_name}" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [({"last_day": "2000-01-01"}, "The last day must be on or after the first day."),
     ({"service": "999999"}, "Not a valid choice"),
     ({"therapist": "999999"}, "Not a valid choice")],
)  # fmt: skip
def test_a_bad_waitlist_request_is_refused_with_a_message(desk, spa, cara, change, message):
    today = utcnow().astimezone(LONDON).date()
    form = {"service": str(spa.svc.id), "therapist": "any", "part": "any",
            "first_day": today.isoformat(), "last_day": today.isoformat()} | change  # fmt: skip
    reply = desk.post(f"/clients/{cara.id}/waitlist", data=form)
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    factories.fresh()
    assert db.session.scalars(sa.select(WaitlistEntry)).all() == []


def test_staff_set_the_clients_e_mail_choices_as_asked(desk, cara):
    form = {"wanted": [MessageKind.APPOINTMENT_REMINDER.value], "routine_time": "19:30"}
    assert desk.post(f"/clients/{cara.id}/emails", data=form).status_code == 302
    factories.fresh()
    off = set(db.session.scalars(sa.select(MailOptOut.kind)))
    assert MessageKind.APPOINTMENT_REMINDER not in off and MessageKind.ROUTINE_REMINDER in off
    assert audits() == [("change", "e-mail choices")]
    html = desk.get(f"/clients/{cara.id}").get_data(as_text=True)
    assert 'value="19:30"' in html


def test_bad_e_mail_choices_change_nothing(desk, cara):
    reply = desk.post(f"/clients/{cara.id}/emails", data={"wanted": ["nonsense"],
                                                         "routine_time": "08:00"})  # fmt: skip
    assert reply.status_code == 422
    factories.fresh()
    assert db.session.scalars(sa.select(MailOptOut)).all() == [] and audits() == []


# Their data ------------------------------------------------------------------------------


def test_the_download_is_the_clients_own_export_and_is_audited(desk, spa, cara):
    spa.visit(cara, days_ago(5), BookingStatus.COMPLETED)
    reply = desk.post(f"/clients/{cara.id}/data")
    assert reply.status_code == 200 and reply.mimetype == "application/json"
    assert reply.headers["Cache-Control"] == "no-store"
    assert "attachment" in reply.headers["Content-Disposition"]
    document = json.loads(reply.get_data(as_text=True))
    assert document["format"] == export.FORMAT and document["profile"]["name"] == "Cara Lind"
    assert len(document["bookings"]) == 1
    assert audits() == [("download", "personal data")]
    # The GET the client's own page uses is not how staff download: a POST with its token.
    assert desk.get(f"/clients/{cara.id}/data").status_code == 405


def test_a_therapist_cannot_download_a_clients_data(app, spa, cara):
    spa.visit(cara, days_ago(-2))
    browser = factories.signed_in(app, spa.anna.user)
    assert browser.post(f"/clients/{cara.id}/data").status_code == 404
    assert audits() == []


def test_erasure_asks_for_the_name_and_a_wrong_one_changes_nothing(desk, spa, cara):
    ahead = spa.visit(cara, days_ago(-3))
    page = desk.get(f"/clients/{cara.id}/erase").get_data(as_text=True)
    assert "Type: Cara Lind" in page and "their 1 visit ahead is cancelled" in page
    reply = desk.post(f"/clients/{cara.id}/erase", data={"name": "Cara"})
    assert reply.status_code == 422 and "nothing was deleted" in reply.get_data(as_text=True)
    assert reread(cara).name == "Cara Lind"
    assert db.session.get(Booking, ahead.id).status is BookingStatus.BOOKED


def test_erasure_for_the_client_deletes_all_and_the_directory_forgets_them(desk, spa, cara):
    factories.intake(cara.id)
    soon = spa.visit(cara, utcnow() + timedelta(hours=3))  # inside the window: staff may
    spa.visit(cara, days_ago(20), BookingStatus.COMPLETED)
    reply = desk.post(f"/clients/{cara.id}/erase", data={"name": "  cara   LIND "})
    assert reply.status_code == 302 and reply.location.endswith("/staff/clients")
    gone = reread(cara)
    assert gone.is_deleted and gone.phone is None and gone.name == erasure.DELETED_NAME
    cancelled = db.session.get(Booking, soon.id)
    assert cancelled.status is BookingStatus.CANCELLED and not cancelled.late_cancel
    assert db.session.get(Intake, cara.id) is None
    assert ("erase", "account, on request") in audits()
    html = desk.get("/staff/clients").get_data(as_text=True)
    assert "Cara Lind" not in html and erasure.DELETED_NAME not in html
    assert desk.get(f"/clients/{cara.id}").status_code == 404


def test_erasure_is_all_or_nothing(desk, spa, cara, monkeypatch):
    factories.intake(cara.id)
    ahead = spa.visit(cara, days_ago(-3))

    def broken(client_id):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(erasure, "_forget_settings", broken)
    with pytest.raises(RuntimeError):
        desk.post(f"/clients/{cara.id}/erase", data={"name": "Cara Lind"})
    assert reread(cara).name == "Cara Lind"
    assert db.session.get(Booking, ahead.id).status is BookingStatus.BOOKED
    assert db.session.get(Intake, cara.id) is not None
    assert audits() == []
