"""What beat sends, and how often."""

BEAT_SCHEDULE = {
    "heartbeat": {"task": "ops.heartbeat", "schedule": 60.0},
    # Due e-mails: leased and handed to send tasks every minute; nothing waits on an ETA.
    "send-due-mail": {"task": "notifications.sweep", "schedule": 60.0},
    # The therapists' daily digest: tried every five minutes, done once a day from 07:00.
    "care-digest": {"task": "homecare.care_digest", "schedule": 300.0},
}
