"""Reading a page's forms as a browser would post them (the load's users share this)."""

from __future__ import annotations

import html
import re

HIDDEN = re.compile(r'<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"')


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of a page's forms (the CSRF token, the request key, the choice)."""
    return {name: html.unescape(value) for name, value in HIDDEN.findall(page)}
