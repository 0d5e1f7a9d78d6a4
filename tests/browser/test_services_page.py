"""The services page in a real Chromium, on a phone without JavaScript and on a desktop: staff
upload a service's image and a therapist's photo through the forms, clients see the services
by category with who gives them; no serious or critical axe finding on any step."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from spa_app.accounts.models import Role
from spa_app.catalog import images
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import ARTIFACTS, BLOCKING, log_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads"), "WTF_CSRF_ENABLED": True}


def photo(size=(1200, 800), colour=(150, 110, 80)) -> bytes:
    """A JPEG with something to see: a warm gradient and a pale stone."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 8):
        shade = 60 + x * 120 // size[0]
        draw.rectangle([x, 0, x + 8, size[1]], fill=(shade + 60, shade + 30, shade))
    w, h = size
    draw.ellipse([w // 3, h // 3, 2 * w // 3, 2 * h // 3], fill=(225, 220, 210))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def spa():
    """Two categories, one service without; Ann with a bio, Ben with a bio, Cleo inactive."""
    ann, ben, cleo = (factories.therapist(n) for n in ("Ann Lee", "Ben Okafor", "Cleo Gone"))
    ann.bio = "Ten years of sports and deep-tissue massage. Ask her about the tennis ball."
    ben.bio = "Gentle, unhurried Swedish massage; good for a first visit."
    cleo.active = False
    db.session.commit()
    services = {}
    for name, category, position, who in [
        ("Hot stones", "Relaxation", 2, [ben]),
        ("Swedish relaxation", "Relaxation", 1, [ann, ben]),
        ("Deep tissue", "Tension and knots", 0, [ann, cleo]),
        ("Foot reset", "", 0, [ann]),
    ]:
        svc = factories.service(name, therapists=who)
        svc.category, svc.position = category, position
        svc.description = f"{name}: a description long enough to wrap on a phone screen."
        db.session.commit()  # before the next factory call, which starts afresh
        services[name] = svc
    return services, ann


def store(data: bytes) -> str:
    with images.changes() as files:
        return files.store(images.check(io.BytesIO(data), max_bytes=2 * 1024 * 1024))


def test_staff_add_pictures_and_clients_see_them_on_a_phone(journey, live_server, tmp_path):
    services, ann = spa()
    staff = factories.user(Role.STAFF)
    stones, portrait = tmp_path / "stones.jpg", tmp_path / "ann.jpg"
    stones.write_bytes(photo())
    portrait.write_bytes(photo((600, 600), (90, 120, 140)))
    page = journey.page
    log_in(page, live_server, staff)

    page.goto(f"{live_server}/staff/services/{services['Hot stones'].id}")
    journey.step("service-form")
    page.get_by_label("Choose an image").set_input_files(str(stones))
    page.get_by_role("button", name="Save").click()
    assert "Saved the service" in page.content()
    journey.step("service-saved")

    page.goto(f"{live_server}/staff/therapists/{ann.id}")
    page.get_by_label("Choose a photo").set_input_files(str(portrait))
    page.get_by_role("button", name="Save").click()
    page.goto(f"{live_server}/staff/therapists/{ann.id}")
    assert page.get_by_alt_text("The current photo").count() == 1
    journey.step("therapist-photo")

    page.goto(f"{live_server}/staff/services/{services['Hot stones'].id}")
    page.get_by_label("Choose an image").set_input_files(str(tmp_path / "ann.jpg"))
    page.get_by_label("Remove the current image").check()
    page.get_by_role("button", name="Save").click()
    assert "not both" in page.content()
    journey.step("refused-both")

    page.goto(live_server + "/")
    journey.step("services")
    headings = page.locator("main h2").all_inner_texts()
    assert headings == ["Relaxation", "Tension and knots", "More treatments", "Who you can see"]
    names = page.locator(".cards.services h3").all_inner_texts()
    assert names == ["Swedish relaxation", "Hot stones", "Deep tissue", "Foot reset"]
    assert page.locator(".cards.services img.service-image").count() == 1
    people = page.locator(".people .person-name").all_inner_texts()
    assert people == ["Ann Lee", "Ben Okafor"]  # not Cleo: she takes no bookings
    assert page.locator(".people img.person-photo").count() == 1
    assert page.locator(".people .person-initials").inner_text() == "BO"
    # Nothing wider than the phone: no sideways scrolling on the page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_the_services_page_on_a_desktop_shows_its_pictures(chromium, live_server, axe_check):
    services, ann = spa()
    services["Swedish relaxation"].image = store(photo())
    ann.photo = store(photo((500, 500), (90, 120, 140)))
    db.session.commit()
    context = chromium.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        picture = page.locator(".cards.services img.service-image")
        picture.scroll_into_view_if_needed()
        loaded = picture.evaluate("img => img.complete && img.naturalWidth")
        assert loaded == 1200, "the service's image did not load"
        assert picture.get_attribute("alt") == ""  # its name is the heading beside it
        assert picture.get_attribute("loading") == "lazy"
        portrait = page.locator(".people img.person-photo")
        portrait.scroll_into_view_if_needed()
        assert portrait.evaluate("img => img.complete && img.naturalWidth") == 500
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "services-desktop.png", full_page=True)
    finally:
        context.close()
    found = axe_check(live_server + "/")
    assert [v for v in found if v["impact"] in BLOCKING] == []
