"""Staff pages for the schedule: business settings, working hours, time off and closures."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__, url_prefix="/staff")
