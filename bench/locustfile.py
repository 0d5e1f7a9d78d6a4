"""The load test's users: clients who look for free times and book them, staff who watch the day.

``python -m bench.load`` runs this headless against gunicorn and passes options of its own:
``--load-plan`` (a JSON file with the logins, the service and therapist ids and the days to ask
about), ``--measure-seconds`` and ``--samples-out`` (where every request's scenario, status and
time are written at the end, with the booking outcomes and the measured window, for the report).

Each user logs in once, as its own account, then waits for the others: password hashing is slow
on purpose, so logins would otherwise crowd the first seconds. The measured load starts when the
last user has logged in and stops ``--measure-seconds`` later; ``--run-time`` is only a backstop.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from datetime import datetime
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

from bench.forms import hidden_fields

PLAN: dict = {}
#: [scenario, request name, HTTP status (0: no answer), milliseconds, failed]
SAMPLES: list[list] = []
OUTCOMES: dict[str, int] = {}
ACCOUNTS: dict[str, itertools.count] = {"clients": itertools.count(), "staff": itertools.count()}
#: Users done with logging in (in or not); the last one starts the measured window.
SETTLED = itertools.count(1)
LOGGED_IN = Event()
WINDOW: dict[str, float] = {}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LOGIN_TRIES = 5
#: Booking: how often a client aims at the few days everyone wants (and their first time).
HOT_DAY_SHARE = 0.5
ANY_THERAPIST_SHARE = 1 / 3
#: A 409 for the client's own other visit at that time, not for the therapist or room.
CLIENT_BUSY = re.compile(r"already ha(?:s|ve) a visit at that time")
ALREADY_BOOKED = "You had already booked this visit"
#: Seconds a client spends reading the confirm page before pressing the button.
READING_S = (0.2, 0.6)


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument("--load-plan", default="", help="JSON: logins, ids and days to use")
    parser.add_argument("--samples-out", default="", help="where to write every request's figures")
    parser.add_argument("--measure-seconds", type=float, default=60, help="load after the logins")


@events.init.add_listener
def _read_plan(environment, **_) -> None:
    path = environment.parsed_options.load_plan if environment.parsed_options else ""
    if not path:
        raise SystemExit("--load-plan is required (python -m bench.load writes one)")
    with open(path) as plan:
        PLAN.update(json.load(plan))


@events.request.add_listener
def _record(name, response_time, response, context, exception, **_) -> None:
    status = getattr(response, "status_code", 0) or 0
    scenario = (context or {}).get("scenario", "other")
    SAMPLES.append([scenario, name, status, round(response_time, 3), exception is not None])


@events.quitting.add_listener
def _write_samples(environment, **_) -> None:
    path = environment.parsed_options.samples_out if environment.parsed_options else ""
    if path:
        with open(path, "w") as out:
            json.dump({"samples": SAMPLES, "outcomes": OUTCOMES, "window": WINDOW}, out)


def start_measuring(environment) -> None:
    """Let every user loose now, and end the run after the measured seconds."""
    WINDOW["start"] = time.time()
    LOGGED_IN.set()
    gevent.spawn_later(environment.parsed_options.measure_seconds, _stop, environment)


def _stop(environment) -> None:
    WINDOW["end"] = time.time()
    environment.runner.quit()


def count(outcome: str) -> None:
    OUTCOMES[outcome] = OUTCOMES.get(outcome, 0) + 1


class SpaUser(FastHttpUser):
    """A person with their own login; subclasses say which kind."""

    abstract = True
    wait_time = between(0.1, 0.5)
    accounts = ""

    def on_start(self) -> None:
        emails = PLAN[self.accounts]
        number = next(ACCOUNTS[self.accounts])
        try:
            if number >= len(emails):
                raise StopUser()
            self.log_in(emails[number])
        finally:
            if next(SETTLED) == self.environment.parsed_options.num_users:
                start_measuring(self.environment)
        LOGGED_IN.wait()

    def log_in(self, email: str) -> None:
        """Log in like a browser: the form's CSRF token, then the POST; wait out a 429."""
        for _ in range(LOGIN_TRIES):
            page = self.client.get("/login", name="login: page", context={"scenario": "login"})
            form = {"csrf_token": hidden_fields(page.text or "").get("csrf_token", "")}
            form |= {"email": email, "password": PLAN["password"]}
            with self.client.post(
                "/login", data=urlencode(form), headers=FORM, name="login: POST",
                allow_redirects=False, catch_response=True, context={"scenario": "login"},
            ) as answer:  # fmt: skip
                if answer.status_code == 302:
                    count("logins")
                    return
                if answer.status_code != 429:
                    answer.failure(f"{email} could not log in (HTTP {answer.status_code})")
                    raise StopUser()
                answer.success()  # the limiter asked us to wait: we do, as a person would
                count("logins_refused_429")
                time.sleep(min(float(answer.headers.get("Retry-After") or 5), 30))
        raise StopUser()

    def free_times(self, service: int, therapist: str, day: str, scenario: str, name: str):
        """The JSON free times of one local day (an empty list if the request failed)."""
        query = {"service": service, "therapist": therapist, "from": day, "to": day}
        answer = self.client.get(
            f"/api/availability?{urlencode(query)}", name=name, context={"scenario": scenario}
        )
        try:
            return answer.json()["slots"] if answer.status_code == 200 else []
        except ValueError:
            return []


class Client(SpaUser):
    """Searches free times (the page or the JSON) and books one of those shown."""

    weight = 3
    accounts = "clients"

    @task(3)
    def availability(self) -> None:
        service = random.choice(PLAN["service_ids"])
        therapist = random.choice(["any", *map(str, PLAN["therapist_ids"])])
        day = random.choice(PLAN["seeded_days"])
        if random.random() < 0.5:
            query = urlencode({"therapist": therapist, "date": day})
            self.client.get(
                f"/book/{service}?{query}",
                name="availability: free-times page",
                context={"scenario": "availability"},
            )
        else:
            self.free_times(service, therapist, day, "availability", "availability: JSON")

    @task(1)
    def booking(self) -> None:
        service = random.choice(PLAN["service_ids"])
        hot = random.random() < HOT_DAY_SHARE
        day = random.choice(PLAN["hot_days"] if hot else PLAN["bookable_days"])
        anyone = random.random() < ANY_THERAPIST_SHARE
        therapist = "any" if anyone else str(random.choice(PLAN["therapist_ids"]))
        slots = self.free_times(service, therapist, day, "booking", "booking: free times (JSON)")
        if not slots:
            count("no_free_time_shown")
            return
        # On the days everyone wants, everyone takes the first time shown: they collide.
        slot = slots[0] if hot else random.choice(slots)
        choice = {"start": slot["start"], "therapist": therapist}
        page = self.client.get(
            f"/book/{service}/confirm?{urlencode(choice)}",
            name="booking: confirm page",
            context={"scenario": "booking"},
        )
        form = hidden_fields(page.text or "")
        if page.status_code != 200 or "request_key" not in form:
            return
        time.sleep(random.uniform(*READING_S))  # others may take the time meanwhile
        self.confirm(service, form, day)

    def confirm(self, service: int, form: dict[str, str], day: str) -> None:
        """POST the confirm form: 302 is booked (or was already, the visit's page says), 409 is
        "just taken" (expected under contention) or the client's own other visit at that time.
        A time refused as taken that is still free for the same choice right after was refused
        while free (nothing frees times during the load, so that is the booking's fault)."""
        with self.client.post(
            f"/book/{service}/confirm", data=urlencode(form), headers=FORM,
            name="booking: confirm (POST)", allow_redirects=False, catch_response=True,
            context={"scenario": "booking"},
        ) as answer:  # fmt: skip
            if answer.status_code == 302:
                location = answer.headers.get("Location", "")
            elif answer.status_code == 409:
                answer.success()
                if CLIENT_BUSY.search(answer.text or ""):
                    count("client_busy_409")
                    return
                count("taken_409")
            else:
                answer.failure(f"booking answered HTTP {answer.status_code}")
                return
        if answer.status_code == 302:
            # The visit's page says whether this made it, or the client already had it
            # (the same time picked again): only the first is a new booking.
            visit = self.client.get(
                location, name="booking: the visit's page", context={"scenario": "booking"}
            )
            count("already_booked" if ALREADY_BOOKED in (visit.text or "") else "booked")
        if answer.status_code == 409:
            name = "refusal check: free times after a 409"
            slots = self.free_times(service, form["therapist"], day, "refusal check", name)
            wanted = datetime.fromisoformat(form["start"])
            if any(datetime.fromisoformat(slot["start"]) == wanted for slot in slots):
                count("refused_while_free")


class Staff(SpaUser):
    """The front desk: the day view of every therapist, for a day of the seeded weeks."""

    weight = 1
    accounts = "staff"

    @task
    def calendar(self) -> None:
        day = random.choice(PLAN["seeded_days"])
        self.client.get(
            f"/staff/calendar?{urlencode({'date': day})}",
            name="calendar: staff day (all therapists)",
            context={"scenario": "calendar"},
        )
