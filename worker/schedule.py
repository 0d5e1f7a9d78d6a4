"""What beat sends, and how often."""

BEAT_SCHEDULE = {
    "heartbeat": {"task": "ops.heartbeat", "schedule": 60.0},
}
