"""The Celery process entry: ``celery -A worker.app worker`` and ``celery -A worker.app beat``.

It builds the Flask app once; tasks live with their features and run in its app context.
"""

from spa_app import create_app
from worker.schedule import BEAT_SCHEDULE

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = BEAT_SCHEDULE
