"""The client's data pages: reachable from the menu, accessible, CSP-clean. That they are only
for clients is in tests/access/test_client_pages.py."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.models import Role
from tests import factories


def test_a_client_finds_my_data_in_the_menu_and_both_actions_on_it(client):
    factories.login(client, factories.user())
    assert '<a href="/account/data">My data</a>' in client.get("/").get_data(as_text=True)
    page = client.get("/account/data").get_data(as_text=True)
    assert "<h1>My data</h1>" in page
    assert 'href="/account/data/download"' in page and 'href="/account/delete"' in page


@pytest.mark.parametrize("url", ["/account/data", "/account/delete", "/staff/audit"])
def test_pages_have_labels_and_no_inline_styles_or_scripts(client, url):
    role = Role.STAFF if url.startswith("/staff") else Role.CLIENT
    factories.login(client, factories.user(role))
    page = client.get(url).get_data(as_text=True)
    assert page.count("<h1>") == 1
    # Scripts only from the site's own files (the menu's enhancement), never inline.
    assert not re.search(r"\sstyle=|<script(?![^>]*\ssrc=\"/static/)|\son[a-z]+=", page)
    fields = [t for t in re.findall(r"<(?:input|select)\b[^>]*>", page) if "hidden" not in t]
    assert fields or url == "/account/data"
    for tag in fields:
        field_id = re.search(r'\bid="([^"]+)"', tag).group(1)
        assert f'<label for="{field_id}"' in page, tag
