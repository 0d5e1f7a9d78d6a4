"""The staff page for the spa's details."""

from dataclasses import fields

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from spa_app.accounts.guards import staff_required
from spa_app.database import unit_of_work
from spa_app.profile import service
from spa_app.profile.forms import DetailsForm
from spa_app.scheduling.queries import get_settings

bp = Blueprint("profile", __name__, url_prefix="/staff")


@bp.route("/details", methods=["GET", "POST"])
@staff_required
def details():
    form = DetailsForm(obj=get_settings())
    if form.validate_on_submit():
        values = {f.name: form[f.name].data for f in fields(service.SpaDetails)}
        try:
            with unit_of_work():
                service.update_details(service.SpaDetails(**values))
        except service.BadDetails as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("The spa's details are saved."), "success")
            return redirect(url_for("profile.details"))
    return render_template("profile/details.html", form=form)
