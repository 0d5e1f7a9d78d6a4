"""Liveness for load balancers and operators."""

from flask import Blueprint, jsonify

from spa_app.ops import service

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    problems = {
        name: reason
        for name, reason in (
            ("database", service.check_database()),
            ("broker", service.check_broker()),
        )
        if reason
    }
    seen = service.last_heartbeat("worker") if "database" not in problems else None
    body = {
        "status": "ok" if not problems else "unhealthy",
        "problems": problems,
        "worker_last_seen": seen.isoformat() if seen else None,
    }
    return jsonify(body), 200 if not problems else 503
