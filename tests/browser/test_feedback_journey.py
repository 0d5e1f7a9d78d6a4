"""A client rates yesterday's visit from the e-mail's link on a phone without JavaScript (no
log-in): a five is offered the spa's public review page. Screenshots and axe on each step."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories
from tests.feedback.test_feedback import REQUEST, link_of, messages, sweep, visit

pytestmark = pytest.mark.browser


def test_a_client_rates_her_visit_on_a_phone(app, live_server, journey):
    factories.settings(review_url="https://reviews.example/lime-tree")
    visit(timedelta(days=1, minutes=5))
    sweep()
    page = journey.page
    page.goto(live_server + link_of(app, messages(REQUEST)[0]))
    assert page.get_by_role("heading", level=1).inner_text().startswith("How was your")
    assert journey.step("feedback-form") == []
    page.get_by_label("5 – excellent").check()
    page.get_by_label("Anything you would like to tell us (optional)").fill("Lovely, thank you.")
    page.get_by_role("button", name="Send my answer").click()
    assert page.get_by_role("status").inner_text().startswith("Thank you")
    assert page.get_by_role("link", name="leave a review").get_attribute("href") == (
        "https://reviews.example/lime-tree"
    )
    assert journey.step("feedback-thanks") == []
