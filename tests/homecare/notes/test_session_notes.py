"""Session notes: the visit's therapist writes them once the visit began, edits them for a day,
then amends them (the original kept); the client's therapists and staff read them (audited);
nobody else, the client included, sees them; bad input saves nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry
from spa_app.homecare.notes import service
from spa_app.homecare.notes.models import Part, SessionAmendment, SessionFinding, SessionNote
from spa_app.homecare.notes.service import AmendmentValues, FindingValues, NoteError
from spa_app.homecare.vocab import Area
from tests import factories
from tests.homecare.notes.conftest import SAID, note_form
from tests.homecare.notes.helpers import found, note


def url(visit, tail: str = "") -> str:
    return f"/bookings/{visit.id}/notes{tail}"


def as_(client, person):
    assert factories.login(client, person).status_code == 302
    return client


def notes() -> list[SessionNote]:
    factories.fresh()
    return db.session.execute(sa.select(SessionNote)).scalars().all()


def count(model) -> int:
    factories.fresh()
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def lock(visit) -> None:
    """Make the visit's note as old as a day and a minute (it locks a day after the first
    save)."""
    factories.fresh()
    db.session.execute(
        sa.update(SessionNote)
        .where(SessionNote.booking_id == visit.id)
        .values(created_at=utcnow() - timedelta(days=1, minutes=1))
    )
    db.session.commit()


# Writing and reading -------------------------------------------------------------------------


def test_the_visits_therapist_writes_the_notes_and_reads_them_back(client, spa):
    as_(client, spa.anna.user)
    detail = client.get(f"/bookings/{spa.visit.id}").get_data(as_text=True)
    assert "Write the session notes" in detail and url(spa.visit, "/edit") in detail
    assert client.get(url(spa.visit, "/edit")).status_code == 200
    reply = client.post(url(spa.visit, "/edit"), data=note_form())
    assert reply.status_code == 302 and reply.location == url(spa.visit)

    (saved,) = notes()
    assert (saved.client_id, saved.author_id, saved.subjective) == (
        spa.me.id, spa.anna.user_id, SAID,
    )  # fmt: skip
    assert [(f.area, f.tension, f.avoid, f.avoid_reason) for f in saved.findings] == [
        (Area.NECK, 8, False, ""),
        (Area.LOWER_BACK, None, True, "disc flare last week"),
    ]
    assert (saved.pressure, saved.treated_areas) == (2, ["neck", "shoulders"])
    page = client.get(url(spa.visit)).get_data(as_text=True)
    for words in (SAID, "8/10", "trigger point left of C7", "avoid at home: disc flare last week",
                  "Effleurage, trigger point release", "Neck routine daily"):  # fmt: skip
        assert words in page
    assert "Edit the session notes" in page and "Add an amendment" not in page
    assert "Read the session notes" in client.get(f"/bookings/{spa.visit.id}").get_data(
        as_text=True
    )


def test_saving_again_within_the_day_edits_the_one_note(client, spa):
    as_(client, spa.anna.user)
    client.post(url(spa.visit, "/edit"), data=note_form())
    first = notes()[0]
    edited = note_form(tension_neck="5", avoid_lower_back=None, avoid_reason_lower_back=None)
    assert client.post(url(spa.visit, "/edit"), data=edited).status_code == 302
    (again,) = notes()
    assert again.id == first.id and again.created_at == first.created_at
    assert [(f.area, f.tension) for f in again.findings] == [(Area.NECK, 5)]
    assert count(SessionFinding) == 1
    # The form opens with what was saved.
    page = client.get(url(spa.visit, "/edit")).get_data(as_text=True)
    assert SAID in page and '<option selected value="5">' in page


def test_notes_lock_a_day_after_they_were_first_saved_and_say_so(client, spa):
    as_(client, spa.anna.user)
    client.post(url(spa.visit, "/edit"), data=note_form())
    lock(spa.visit)
    reply = client.get(url(spa.visit, "/edit"))
    assert reply.status_code == 302 and reply.location == url(spa.visit)
    page = client.get(reply.location).get_data(as_text=True)
    assert "These notes are locked: add an amendment below instead." in page
    assert "Add an amendment" in page and "Edit the session notes" not in page
    # A form sent anyway (a page left open overnight) changes nothing.
    before = notes()[0].subjective
    client.post(url(spa.visit, "/edit"), data=note_form(subjective="changed later"))
    assert notes()[0].subjective == before


def test_a_form_sent_after_the_lock_is_refused_and_keeps_what_was_typed(client, spa):
    """A page left open overnight: the save is refused with the reason, and the words typed
    stay on the page (to go into an amendment) rather than being lost in a redirect."""
    as_(client, spa.anna.user)
    client.post(url(spa.visit, "/edit"), data=note_form())
    lock(spa.visit)
    reply = client.post(url(spa.visit, "/edit"), data=note_form(subjective="typed overnight"))
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    assert "locked a day after they were first saved" in page and "typed overnight" in page
    assert notes()[0].subjective == SAID


def test_the_service_refuses_an_edit_after_a_day_with_a_clear_message(app, spa):
    first = utcnow()
    made = note(spa.visit, found(Area.NECK, 8), now=first)
    visit = db.session.get(Booking, spa.visit.id)
    values = service.NoteValues(subjective="later")
    with pytest.raises(NoteError, match="locked a day after they were first saved"):
        service.save_note(visit, spa.anna.user, values, first + timedelta(days=1))
    db.session.rollback()
    # A minute before the day is up, it is still open.
    with unit_of_work():
        visit = db.session.get(Booking, spa.visit.id)
        service.save_note(visit, spa.anna.user, values, first + timedelta(hours=23, minutes=59))
    assert notes()[0].subjective == "later" and notes()[0].id == made.id


def test_an_amendment_is_dated_and_keeps_the_original(client, spa):
    as_(client, spa.anna.user)
    client.post(url(spa.visit, "/edit"), data=note_form())
    lock(spa.visit)
    amendment = {"part": "objective", "objective-area": "neck", "objective-tension": "4",
                 "objective-points": "eased after heat"}  # fmt: skip
    reply = client.post(url(spa.visit, "/amendments"), data=amendment)
    assert reply.status_code == 302
    client.post(url(spa.visit, "/amendments"), data={"part": "plan", "plan-text": "Add heat."})

    (saved,) = notes()
    assert [(f.area, f.tension) for f in saved.findings] == [
        (Area.NECK, 8), (Area.LOWER_BACK, None),
    ]  # fmt: skip
    first, second = saved.amendments
    assert (first.part, first.area, first.tension, first.author_id) == (
        Part.OBJECTIVE, Area.NECK, 4, spa.anna.user_id,
    )  # fmt: skip
    assert abs(first.at - utcnow()) < timedelta(minutes=1) and first.at <= second.at
    assert (second.part, second.text) == (Part.PLAN, "Add heat.")
    assert saved.plan == "Neck routine daily; review in four weeks."  # the original stays

    page = client.get(url(spa.visit)).get_data(as_text=True)
    original, amendments = page.split("Amendments, in order")
    assert "8/10" in original and "Neck routine daily" in original
    assert amendments.index("eased after heat") < amendments.index("Add heat.")
    assert "Findings as they stand, with the amendments" in amendments
    # As they stand: the neck at 4 (amended), the lower back still to avoid.
    standing = [(f.area, f.tension, f.avoid) for f in service.current_findings(saved)]
    assert standing == [(Area.NECK, 4, False), (Area.LOWER_BACK, None, True)]


def test_an_open_note_is_edited_not_amended(app, spa):
    made = note(spa.visit, found(Area.NECK, 8))
    with pytest.raises(NoteError, match="edit them instead"):
        service.amend(made, spa.anna.user, AmendmentValues(Part.PLAN, text="x"), utcnow())


# Who ---------------------------------------------------------------------------------------


def test_only_the_visits_own_therapist_writes_and_amends(app, spa):
    note(spa.visit, found(Area.NECK, 8))
    lock(spa.visit)
    for person in (spa.ben.user, spa.sid.user, spa.staff, spa.me):
        client = as_(app.test_client(), person)
        assert client.get(url(spa.visit, "/edit")).status_code == 404, person.name
        assert client.post(url(spa.visit, "/edit"), data=note_form()).status_code == 404
        amendment = {"part": "plan", "plan-text": "not mine"}
        assert client.post(url(spa.visit, "/amendments"), data=amendment).status_code == 404
    assert notes()[0].subjective != SAID and count(SessionAmendment) == 0


def test_the_clients_therapists_and_staff_read_and_nobody_else(app, spa):
    note(spa.visit, found(Area.NECK, 8), subjective=SAID)
    for person, expected in ((spa.anna.user, 200), (spa.ben.user, 200), (spa.staff, 200),
                             (spa.sid.user, 404), (spa.me, 404)):  # fmt: skip
        client = as_(app.test_client(), person)
        reply = client.get(url(spa.visit))
        assert reply.status_code == expected, person.name
        assert (SAID in reply.get_data(as_text=True)) == (expected == 200)
    assert app.test_client().get(url(spa.visit)).status_code == 302  # to the log-in page


def test_the_client_never_sees_their_notes_on_their_pages(app, spa):
    note(spa.visit, found(Area.NECK, 8), subjective=SAID)
    client = as_(app.test_client(), spa.me)
    for page in (f"/bookings/{spa.visit.id}", "/bookings", "/account/intake"):
        body = client.get(page).get_data(as_text=True)
        assert SAID not in body and "Session notes" not in body, page


def test_every_read_by_a_therapist_or_staff_is_audited(app, spa):
    note(spa.visit, found(Area.NECK, 8))
    audited = sa.select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.subject).where(
        AuditEntry.client_id == spa.me.id
    )
    for person in (spa.ben.user, spa.staff):
        as_(app.test_client(), person).get(url(spa.visit))
    as_(app.test_client(), spa.anna.user).get(url(spa.visit, "/edit"))
    factories.fresh()
    subject = f"session notes {spa.visit.id}"
    assert set(db.session.execute(audited)) == {
        (spa.ben.user_id, "read", subject),
        (spa.staff.id, "read", subject),
        (spa.anna.user_id, "read", subject),
    }
    # A denial reads nothing and records nothing.
    as_(app.test_client(), spa.sid.user).get(url(spa.visit))
    assert count(AuditEntry) == 3


def test_writing_is_audited_as_a_write(client, spa):
    as_(client, spa.anna.user).post(url(spa.visit, "/edit"), data=note_form())
    factories.fresh()
    actions = db.session.execute(sa.select(AuditEntry.action)).scalars().all()
    assert actions == ["write"]


# When ----------------------------------------------------------------------------------------


def test_notes_wait_for_the_visit_to_begin_and_never_come_on_a_cancelled_one(app, spa):
    later = factories.booking(spa.me, spa.anna, spa.room, spa.svc, utcnow() + timedelta(days=2))
    client = as_(app.test_client(), spa.anna.user)
    reply = client.post(url(later, "/edit"), data=note_form())
    assert reply.status_code == 302 and reply.location == f"/bookings/{later.id}"
    assert "once the visit has begun" in client.get(reply.location).get_data(as_text=True)
    assert "Write the session notes" not in client.get(f"/bookings/{later.id}").get_data(
        as_text=True
    )
    for status in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW):
        factories.fresh()
        db.session.get(Booking, spa.visit.id).status = status
        db.session.commit()
        assert client.post(url(spa.visit, "/edit"), data=note_form()).status_code in (302, 404)
    assert notes() == []
    # Arrived early (before the start), notes may begin.
    factories.fresh()
    db.session.get(Booking, later.id).status = BookingStatus.ARRIVED
    db.session.commit()
    assert client.post(url(later, "/edit"), data=note_form()).status_code == 302
    assert len(notes()) == 1


# Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tension_neck": "11"}, "Tension is a score from 0 to 10."),
        ({"tension_neck": "-1"}, "Tension is a score from 0 to 10."),
        ({"treated_areas": ["neck", "elbow"]}, "Please choose body areas from the list."),
        ({"avoid_reason_lower_back": " "}, "Please say briefly why the area is to be avoided."),
        ({"pressure": "4"}, "Please choose light, medium or firm pressure."),
        ({"tension_neck": "abc"}, "Tension is a score from 0 to 10."),
        ({"tension_neck": "\u0663"}, "Tension is a score from 0 to 10."),  # an Arabic-Indic 3
        ({"pressure": "firm"}, "Please choose light, medium or firm pressure."),
        ({"subjective": "x" * 2001}, "Field cannot be longer than 2000 characters."),
        ({"points_neck": "two\nlines"}, "Use a single line without control characters."),
    ],
    ids=["score-11", "score-below-0", "unknown-area", "avoid-without-reason", "pressure-4",
         "score-not-a-number", "score-not-ascii", "pressure-not-a-number", "too-long",
         "two-lines"],
)  # fmt: skip
def test_bad_input_says_what_to_fix_and_saves_nothing(client, spa, changes, message):
    as_(client, spa.anna.user)
    reply = client.post(url(spa.visit, "/edit"), data=note_form(**changes))
    assert reply.status_code == 400
    assert message in reply.get_data(as_text=True)
    assert notes() == [] and count(AuditEntry) == 0


@pytest.mark.parametrize(
    ("amendment", "message"),
    [
        ({"part": "objective", "objective-area": "elbow", "objective-tension": "3"},
         "Please choose a body area from the list."),
        ({"part": "objective", "objective-area": "neck", "objective-tension": "11"},
         "Tension is a score from 0 to 10."),
        ({"part": "objective", "objective-area": "neck", "objective-avoid": "y"},
         "Please say briefly why the area is to be avoided."),
        ({"part": "objective", "objective-area": "neck", "objective-tension": "a lot"},
         "Tension is a score from 0 to 10."),
        ({"part": "treatment", "treatment-pressure": "hard"},
         "Please choose light, medium or firm pressure."),
        ({"part": "treatment", "treatment-techniques": " "},
         "Please give the corrected techniques, pressure or areas worked."),
        ({"part": "plan", "plan-text": ""}, "Please write the new text."),
        ({"part": "assessment", "plan-text": "x"}, "Please choose which part of the notes"),
    ],
    ids=["unknown-area", "score-11", "avoid-without-reason", "score-not-a-number",
         "pressure-not-a-number", "empty-treatment", "no-text", "unknown-part"],
)  # fmt: skip
def test_a_bad_amendment_says_what_to_fix_and_saves_nothing(client, spa, amendment, message):
    note(spa.visit, found(Area.NECK, 8))
    lock(spa.visit)
    reply = as_(client, spa.anna.user).post(url(spa.visit, "/amendments"), data=amendment)
    assert reply.status_code == 400
    assert message in reply.get_data(as_text=True)
    assert count(SessionAmendment) == 0


def test_the_service_holds_its_rules_for_any_caller(app, spa):
    visit = db.session.get(Booking, spa.visit.id)
    for bad, message in [
        (FindingValues(Area.NECK, 11), "from 0 to 10"),
        (FindingValues("elbow", 3), "body areas from the list"),  # type: ignore[arg-type]
        (FindingValues(Area.NECK, 3, avoid=True), "why the area is to be avoided"),
    ]:
        with pytest.raises(NoteError, match=message):
            service.save_note(visit, spa.anna.user, service.NoteValues(findings=(bad,)), utcnow())
        db.session.rollback()
        visit = db.session.get(Booking, spa.visit.id)
    twice = (FindingValues(Area.NECK, 3), FindingValues(Area.NECK, 4))
    with pytest.raises(NoteError, match="one finding"):
        service.save_note(visit, spa.anna.user, service.NoteValues(findings=twice), utcnow())
    db.session.rollback()
    assert notes() == []


def test_the_database_refuses_a_score_out_of_range(app, spa):
    made = note(spa.visit, found(Area.NECK, 8))
    db.session.add(SessionFinding(note_id=made.id, area=Area.SHOULDERS, tension=11))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(SessionFinding(note_id=made.id, area=Area.NECK, tension=3))
    with pytest.raises(sa.exc.IntegrityError):  # one finding per area of a note
        db.session.commit()
    db.session.rollback()
    db.session.add(SessionNote(booking_id=spa.visit.id, client_id=spa.me.id,
                               author_id=spa.anna.user_id))  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError):  # one note per visit
        db.session.commit()
