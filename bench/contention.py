"""The busy-moment scenario of ``python -m bench.load``: many clients confirm one start at once.

On a working day beyond the days the load books (inside the booking horizon, so every
therapist and room is free), rounds of clients press "Confirm" for the same start at the same
instant, through gunicorn: one client per therapist each asking for their own, as many asking
for "any therapist", then twice as many "any" as there are therapists. After each round every
refusal is checked against the free times: a refusal while the time it asked for is still free
for that choice (the therapist asked for, or anyone) is "refused while free"; the target is 0.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import requests

from bench.forms import hidden_fields

#: Local start of each round; a round's visits end before the next round's start.
ROUND_HOURS = (9, 12, 15)
TIMEOUT_S = 60


@dataclass(frozen=True)
class Round:
    name: str
    #: What each client asks for: a therapist id, or "any".
    asks: list[str]


def rounds(therapist_ids: list[int]) -> list[Round]:
    n = len(therapist_ids)
    return [
        Round(f"{n} clients, {n} different therapists", [str(t) for t in therapist_ids]),
        Round(f"{n} clients, any therapist", ["any"] * n),
        Round(f"{2 * n} clients, any therapist", ["any"] * (2 * n)),
    ]


def clients_needed(therapist_ids: list[int]) -> int:
    return max(len(r.asks) for r in rounds(therapist_ids))


def quiet_day(today: date, first_free: int, horizon: int, workdays) -> date:
    """The last working day from ``today + first_free`` to inside the horizon."""
    day = today + timedelta(days=horizon - 1)
    while day.weekday() not in workdays:
        day -= timedelta(days=1)
    if day < today + timedelta(days=first_free):
        raise ValueError("no quiet working day between the load's days and the horizon")
    return day


def run(
    base_url: str, plan: dict, day: date, tz: ZoneInfo, password: str, emails: list[str]
) -> dict:
    """Every round, one thread per client; the figures per round and in total."""
    sessions = [_logged_in(base_url, email, password) for email in emails]
    service = plan["service_ids"][0]
    results = []
    for hour, spec in zip(ROUND_HOURS, rounds(plan["therapist_ids"]), strict=True):
        start = datetime.combine(day, time(hour), tz)
        results.append(_round(base_url, sessions, service, start, spec))
    total = {
        key: sum(r[key] for r in results)
        for key in ("requests", "booked", "refused", "refused_while_free", "errors")
    }
    return {"day": day.isoformat(), "rounds": results, **total}


def _round(base_url: str, sessions, service: int, start: datetime, spec: Round) -> dict:
    forms = [
        _confirm_form(base_url, session, service, start, ask)
        for session, ask in zip(sessions, spec.asks, strict=False)
    ]
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def confirm(i: int) -> None:
        barrier.wait()
        try:
            answer = sessions[i].post(
                f"{base_url}/book/{service}/confirm",
                data=forms[i],
                allow_redirects=False,
                timeout=TIMEOUT_S,
            )
            statuses[i] = answer.status_code
        except requests.RequestException:
            statuses[i] = 0

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(forms))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [ask for ask, status in zip(spec.asks, statuses, strict=True) if status == 409]
    free_for = {ask: _still_free(base_url, service, start, ask) for ask in set(refused)}
    return {
        "round": spec.name,
        "start": start.isoformat(),
        "requests": len(forms),
        "booked": statuses.count(302),
        "refused": len(refused),
        "refused_while_free": sum(1 for ask in refused if free_for[ask]),
        "errors": sum(1 for s in statuses if s not in (302, 409)),
    }


def _logged_in(base_url: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=TIMEOUT_S)
    form = hidden_fields(page.text) | {"email": email, "password": password}
    answer = session.post(f"{base_url}/login", data=form, allow_redirects=False, timeout=TIMEOUT_S)
    if answer.status_code != 302:
        raise RuntimeError(f"{email} could not log in (HTTP {answer.status_code})")
    return session


def _confirm_form(base_url, session, service: int, start: datetime, ask: str) -> dict:
    """The confirm page's form (CSRF token, request key, the choice), as a browser posts it."""
    page = session.get(
        f"{base_url}/book/{service}/confirm",
        params={"start": start.isoformat(), "therapist": ask},
        timeout=TIMEOUT_S,
    )
    form = hidden_fields(page.text)
    if page.status_code != 200 or "request_key" not in form:
        raise RuntimeError(f"no confirm form for {start.isoformat()} (HTTP {page.status_code})")
    return form


def _still_free(base_url: str, service: int, start: datetime, ask: str) -> bool:
    day = start.date().isoformat()
    answer = requests.get(
        f"{base_url}/api/availability",
        params={"service": service, "therapist": ask, "from": day, "to": day},
        timeout=TIMEOUT_S,
    )
    answer.raise_for_status()
    return any(datetime.fromisoformat(s["start"]) == start for s in answer.json()["slots"])
