"""Pictures staff upload: a service's image and a therapist's photo, checked by their bytes and
Pillow, stored under a random name outside the code, served with their type; every refusal
says why and leaves the row and the folder as they were."""

from __future__ import annotations

import io
import os
import re

import pytest
from PIL import Image

from spa_app.accounts.models import Role
from spa_app.catalog import images
from spa_app.catalog.models import Service, Therapist
from spa_app.extensions import db
from tests import factories

#: Small, so that "too large" needs no megabytes of test data.
LIMIT = 40 * 1024


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def app_config(folder):
    return {"UPLOAD_FOLDER": str(folder), "MAX_IMAGE_BYTES": LIMIT}


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def picture(fmt: str = "PNG", size=(60, 40), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 110, 80)).save(out, fmt, **save)
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """A PNG that does not compress: about 3 bytes a pixel."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def fetch(client, url: str):
    """GET ``url`` and close the reply (a served file stays open until then)."""
    with client.get(url) as reply:
        reply.get_data()
        return reply


def stored(folder) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def service_form(upload: bytes | None = None, filename: str = "picture.png", **changes) -> dict:
    data = {"name": "Hot stones", "description": "", "duration_min": "60", "price": "70",
            "buffer_min": "0", "active": "y", "category": "", "position": "0"}  # fmt: skip
    data.update(changes)
    if upload is not None:
        data["image"] = (io.BytesIO(upload), filename)
    return data


def post(client, url: str, data: dict):
    return client.post(url, data=data, content_type="multipart/form-data")


def the_service() -> Service:
    db.session.rollback()
    return db.session.execute(db.select(Service)).scalar_one()


def all_services() -> list[Service]:
    db.session.rollback()
    return list(db.session.execute(db.select(Service)).scalars())


# Accepted and served ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "ext", "content_type"),
    [("PNG", "png", "image/png"), ("JPEG", "jpg", "image/jpeg"), ("WEBP", "webp", "image/webp")],
)
def test_a_good_picture_is_stored_under_a_random_name_and_served_with_its_type(
    staff, folder, fmt, ext, content_type
):
    # Named .txt and sent as text/plain: the bytes decide, not the name or the browser.
    data = service_form()
    data["image"] = (io.BytesIO(picture(fmt)), "whatever.txt", "text/plain")
    assert post(staff, "/staff/services/new", data).status_code == 302
    name = the_service().image
    assert re.fullmatch(r"[0-9a-f]{32}\." + ext, name)
    assert stored(folder) == {name}
    reply = fetch(staff, f"/media/{name}")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == content_type
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    cache = reply.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    assert Image.open(io.BytesIO(reply.data)).format == fmt
    assert f'src="/media/{name}"' in staff.get("/").get_data(as_text=True)


def test_anyone_may_see_a_stored_picture(staff, client, folder):
    post(staff, "/staff/services/new", service_form(picture()))
    name = the_service().image
    client.post("/logout")
    assert fetch(client, f"/media/{name}").status_code == 200


def test_a_picture_is_saved_afresh_upright_small_and_without_its_metadata(app, staff, folder):
    app.config["MAX_IMAGE_BYTES"] = 2 * 1024 * 1024
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn me a quarter": the camera was held on its side
    exif[0x010F] = "Camera of Ann at home"
    photo = picture("JPEG", size=(3000, 2000), exif=exif.tobytes())
    post(staff, "/staff/services/new", service_form(photo, "photo.jpg", category="x"))
    kept = (folder / the_service().image).read_bytes()
    assert b"Camera of Ann" not in kept
    image = Image.open(io.BytesIO(kept))
    assert image.size == (1067, images.SAVED_SIDE)  # upright (2000 x 3000), and smaller
    assert not image.getexif()


def test_a_photo_over_the_sites_body_limit_but_within_the_picture_page_limit_is_taken(
    app, client, folder
):
    """The CSRF check reads the body before the view: the picture pages' larger limit must be
    in force by then, or every photo over 256 KiB would be a 413."""
    app.config.update(WTF_CSRF_ENABLED=True, MAX_IMAGE_BYTES=2 * 1024 * 1024)
    therapist = factories.therapist("Ann Lee")
    staff_user = factories.user(Role.STAFF)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    login = {"email": staff_user.email, "password": factories.PASSWORD, "csrf_token": token}
    reply = client.post("/login", data=login)
    assert reply.status_code == 302
    page = client.get(f"/staff/therapists/{therapist.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    photo = noise_png(340)
    assert 300 * 1024 < len(photo) < images.max_image_bytes(app.config)
    data = {"csrf_token": token, "display_name": "Ann Lee", "bio": "", "active": "y",
            "photo": (io.BytesIO(photo), "ann.png")}  # fmt: skip
    reply = post(client, f"/staff/therapists/{therapist.id}", data)
    assert reply.status_code == 302, reply.get_data(as_text=True)
    db.session.rollback()
    assert stored(folder) == {db.session.get(Therapist, therapist.id).photo}


# Refused, with the reason, changing nothing ----------------------------------------------------

_PNG = picture()
_JPEG = picture("JPEG", size=(400, 300))
REFUSED = {
    "text named .png": (b"Just some notes, not a picture.\n" * 4, "not a JPEG, PNG or WebP"),
    "svg": (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>'
        b"alert(1)</script></svg>",
        "That is an SVG drawing",
    ),  # fmt: skip
    "cut short": (_PNG[: len(_PNG) // 2], "damaged or cut short"),
    "a jpeg cut short": (_JPEG[: len(_JPEG) - 300], "damaged or cut short"),
    "garbage after the magic bytes": (b"\x89PNG\r\n\x1a\n" + os.urandom(400), "damaged"),
    "a jpeg's start and nothing else": (b"\xff\xd8\xff\xe0" + b"\x00" * 60, "damaged"),
    "gif": (picture("GIF"), "That is a GIF."),
    "heic": (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, "That is a HEIC photo"),
    "empty": (b"", "That file is empty."),
    "too large": (b"\x89PNG\r\n\x1a\n" + b"\x00" * (LIMIT + 1000), "the most we take is 40 KB"),
    "too many pixels": (picture("PNG", size=(6001, 2)), "6001 × 2 pixels; the most we take is"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_bad_upload_for_a_new_service_is_refused_with_its_reason_and_nothing_saved(
    staff, folder, case
):
    upload, reason = REFUSED[case]
    reply = post(staff, "/staff/services/new", service_form(upload, "picture.png"))
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert reason in page
    assert 'id="image-error"' in page and 'aria-describedby="image-hint image-error"' in page
    assert all_services() == []
    assert stored(folder) == set()


@pytest.mark.parametrize("case", ["text named .png", "svg", "cut short", "too large"])
def test_a_bad_upload_leaves_the_current_image_and_every_other_field_as_they_were(
    staff, folder, case
):
    post(staff, "/staff/services/new", service_form(picture()))
    svc = the_service()
    before = (svc.image, svc.price_cents, svc.category)
    upload, reason = REFUSED[case]
    data = service_form(upload, price="99", category="Changed")
    reply = post(staff, f"/staff/services/{svc.id}", data)
    assert reply.status_code == 200 and reason in reply.get_data(as_text=True)
    svc = the_service()
    assert (svc.image, svc.price_cents, svc.category) == before
    assert stored(folder) == {svc.image}


@pytest.mark.parametrize("case", ["svg", "cut short", "too many pixels"])
def test_a_bad_therapist_photo_is_refused_with_its_reason_and_nothing_saved(staff, folder, case):
    ann = factories.therapist("Ann Lee")
    upload, reason = REFUSED[case]
    data = {"display_name": "Ann B. Lee", "bio": "New bio", "active": "y",
            "photo": (io.BytesIO(upload), "ann.png")}  # fmt: skip
    reply = post(staff, f"/staff/therapists/{ann.id}", data)
    assert reply.status_code == 200 and reason in reply.get_data(as_text=True)
    db.session.rollback()
    ann = db.session.get(Therapist, ann.id)
    assert (ann.display_name, ann.bio, ann.photo) == ("Ann Lee", "", None)
    assert stored(folder) == set()


def test_a_new_picture_and_remove_at_once_is_refused(staff, folder):
    post(staff, "/staff/services/new", service_form(picture()))
    svc = the_service()
    reply = post(staff, f"/staff/services/{svc.id}", service_form(picture(), remove_image="y"))
    assert reply.status_code == 200
    assert "Choose a new picture or remove the current one, not both." in reply.get_data(
        as_text=True
    )
    assert the_service().image == svc.image and stored(folder) == {svc.image}


def test_a_good_picture_on_a_form_refused_for_another_reason_is_not_kept(staff, folder):
    factories.service("Hot stones")
    reply = post(staff, "/staff/services/new", service_form(picture(), name="hot STONES"))
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "That name is already in use" in page
    assert "Please choose the picture again" in page
    assert [s.image for s in all_services()] == [None]
    assert stored(folder) == set()  # written, then deleted with the rolled-back change


def test_a_picture_that_cannot_be_written_is_a_clear_message_and_nothing_changes(
    app, staff, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app.config["UPLOAD_FOLDER"] = str(blocker / "uploads")
    reply = post(staff, "/staff/services/new", service_form(picture()))
    assert reply.status_code == 200
    assert "We could not save the picture just now" in reply.get_data(as_text=True)
    assert all_services() == []


def test_a_body_far_over_the_picture_limit_gets_a_clear_413_and_nothing_is_saved(staff, folder):
    limit = images.body_limit({"MAX_IMAGE_BYTES": LIMIT})
    reply = post(staff, "/staff/services/new", service_form(b"\x89PNG" + b"\0" * limit))
    assert reply.status_code == 413
    page = reply.get_data(as_text=True)
    assert "nothing was saved" in page and "A picture can be up to 40 KB" in page
    assert all_services() == [] and stored(folder) == set()


def test_other_pages_keep_the_sites_own_body_limit(staff):
    reply = staff.post("/staff/rooms/new", data={"name": "x" * (300 * 1024)})
    assert reply.status_code == 413


# Replaced and removed --------------------------------------------------------------------------


def test_removing_the_image_deletes_its_file(staff, folder):
    post(staff, "/staff/services/new", service_form(picture()))
    svc = the_service()
    reply = post(staff, f"/staff/services/{svc.id}", service_form(remove_image="y"))
    assert reply.status_code == 302
    assert the_service().image is None
    assert stored(folder) == set()
    assert staff.get(f"/media/{svc.image}").status_code == 404


def test_saving_without_a_new_picture_keeps_the_current_one(staff, folder):
    post(staff, "/staff/services/new", service_form(picture()))
    name = the_service().image
    assert post(staff, "/staff/services/1", service_form(price="80")).status_code == 302
    assert the_service().image == name and stored(folder) == {name}


def test_a_new_photo_replaces_the_old_one_and_its_file(staff, folder):
    ann = factories.therapist("Ann Lee")
    url = f"/staff/therapists/{ann.id}"
    form = {"display_name": "Ann Lee", "bio": "", "active": "y"}
    post(staff, url, {**form, "photo": (io.BytesIO(picture("JPEG")), "a.jpg")})
    db.session.rollback()
    first = db.session.get(Therapist, ann.id).photo
    post(staff, url, {**form, "photo": (io.BytesIO(picture("PNG")), "b.png")})
    db.session.rollback()
    second = db.session.get(Therapist, ann.id).photo
    assert first != second and stored(folder) == {second}
    assert post(staff, url, {**form, "remove_photo": "y"}).status_code == 302
    db.session.rollback()
    assert db.session.get(Therapist, ann.id).photo is None and stored(folder) == set()


def test_files_follow_the_transaction(folder):
    """A picture stored in a change that fails is deleted; one dropped is deleted only when
    the change succeeds."""
    good = images.check(io.BytesIO(picture()), max_bytes=LIMIT)
    with images.changes(folder) as files:
        kept = files.store(good)
    with pytest.raises(RuntimeError), images.changes(folder) as files:
        files.apply(kept, images.Change.REMOVE)
        files.store(good)
        raise RuntimeError("the commit failed")
    assert stored(folder) == {kept}
    with images.changes(folder) as files:
        assert files.apply(kept, images.Change.REMOVE) is None
    assert stored(folder) == set()


# Served only by the stored pattern -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "0123456789abcdef0123456789abcdef.png",  # the pattern, but no such file
        "..%2Fspa.db",
        "%2e%2e%2fspa.db",
        "..",
        "notes.txt",
        "0123456789ABCDEF0123456789ABCDEF.png",
        "0123456789abcdef0123456789abcdef.svg",
        "0123456789abcdef0123456789abcdef.png.html",
    ],
)
def test_an_unknown_or_forged_media_name_is_a_404(client, folder, name):
    folder.mkdir()
    (folder / "notes.txt").write_text("a file in the folder that we never stored")
    (folder / "0123456789ABCDEF0123456789ABCDEF.png").write_bytes(picture())
    assert client.get(f"/media/{name}").status_code == 404


def test_a_path_outside_the_folder_is_never_served(client, folder):
    assert client.get("/media/../../spa.db").status_code == 404
    assert client.get("/media/%2e%2e/spa.db").status_code == 404
