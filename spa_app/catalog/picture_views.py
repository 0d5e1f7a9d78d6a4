"""Pictures on the web: ``/media/<name>`` serves the stored ones; the pages with a picture field
take a larger body than the rest of the site, say what they take, and answer a body too large
for them with what fits."""

from __future__ import annotations

from collections.abc import Collection

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _

from spa_app.catalog import images

#: Stored pictures never change (a new one gets a new name), so browsers may keep them a year.
A_YEAR = 365 * 24 * 3600


def register(bp: Blueprint, *, picture_pages: Collection[str]) -> None:
    """Add the media route and the picture pages' body limit, rules and 413 page to ``bp``."""
    picture_pages = frozenset(picture_pages)

    @bp.url_value_preprocessor
    def _room_for_a_picture(endpoint, values):
        # Before every before_request hook, so before the CSRF check, the first to read the body.
        if endpoint in picture_pages:
            request.max_content_length = images.body_limit(current_app.config)

    @bp.context_processor
    def _picture_rules() -> dict:
        most = images.megabytes(images.max_image_bytes(current_app.config))
        rules = _(
            "A JPEG, PNG or WebP of up to %(size)s, at most %(side)d pixels a side.",
            size=most,
            side=images.MAX_SIDE,
        )
        return {"picture_rules": rules}

    @bp.errorhandler(413)
    def _too_large(error):
        """Nothing was read or saved; on a picture page, say how large a picture may be."""
        limit = images.megabytes(request.max_content_length or 0)
        message = _(
            "That was more than this page takes at once (%(size)s), so nothing was saved.",
            size=limit,
        )
        if request.endpoint in picture_pages:
            most = images.megabytes(images.max_image_bytes(current_app.config))
            message += " " + _(
                "A picture can be up to %(size)s: please go back and choose a smaller one.",
                size=most,
            )
        error.description = message
        return render_template("error.html", error=error), 413

    bp.add_url_rule("/media/<name>", "media", media, methods=["GET"])


def media(name: str):
    """A stored picture, sent with its own type and never sniffed; any other name is a 404."""
    path = images.stored_path(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=images.content_type(name), max_age=A_YEAR)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.immutable = True
    return response
