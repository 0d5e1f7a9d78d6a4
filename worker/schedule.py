"""What beat sends, and how often."""

BEAT_SCHEDULE = {
    "heartbeat": {"task": "ops.heartbeat", "schedule": 60.0},
    # Due e-mails: leased and handed to send tasks every minute; nothing waits on an ETA.
    "send-due-mail": {"task": "notifications.sweep", "schedule": 60.0},
}
