"""The rebook-due list as a CSV file for a spreadsheet: one row per client, days on the spa's
calendar, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from spa_app.cadence.queries import DueClient

#: A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
#: (OWASP "CSV injection"); tab and carriage return start one in some of them too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as a cell's text, with a single quote before a text a spreadsheet would run:
    a name typed as ``=HYPERLINK(...)`` stays a name. A phone number written ``+44 ...`` shows
    its quote too: a spreadsheet would otherwise read it as a sum."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def due_csv(rows: Iterable[DueClient], tz: ZoneInfo, now: datetime) -> str:
    """The CSV text (a header, then one line per client), every field quoted where CSV needs."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([
        _("Client"), _("E-mail"), _("Phone"), _("Therapist"), _("Last visit"),
        _("Window opens"), _("Window closes"), _("Overdue"), _("Nudges sent"),
    ])  # fmt: skip
    for row in rows:
        window = row.window
        writer.writerow(
            safe_cell(value)
            for value in (
                row.name,
                row.email,
                row.phone,
                row.therapist_name,
                _day(window.last_visit_at, tz),
                _day(window.opens_at, tz),
                _day(window.closes_at, tz),
                _("yes") if window.closes_at < now else _("no"),
                row.nudges_sent,
            )
        )
    return out.getvalue()


def _day(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).date().isoformat()
