"""The digest's Celery task: beat runs it every few minutes; it does the day's work once."""

from __future__ import annotations

from datetime import time

from celery import shared_task
from flask import current_app

from spa_app.business import business_tz
from spa_app.database import unit_of_work, utcnow
from spa_app.homecare.watch import service


@shared_task(name="homecare.care_digest")
def care_digest() -> int:
    """Queue the day's digests (from CARE_DIGEST_AT, once a day); the mail sweep sends them."""
    at = time.fromisoformat(current_app.config["CARE_DIGEST_AT"])
    with unit_of_work():
        return service.queue_digests(utcnow(), business_tz(), at)
