"""The service menu for visitors; staff pages that manage services, therapists and rooms."""

from flask import Blueprint, render_template

from spa_app.accounts.guards import staff_required
from spa_app.catalog import service

bp = Blueprint("catalog", __name__)


@bp.get("/")
def index():
    return render_template("catalog/index.html", services=service.active_services())


@bp.get("/staff/")
@staff_required
def staff_home():
    return render_template("catalog/staff_home.html")
