"""``flask spa ...`` commands for operators."""

import click
from flask import Flask
from flask.cli import AppGroup

from spa_app.demo import DEMO_PASSWORD, LOGINS, load_demo_data
from spa_app.extensions import db
from spa_app.homecare.library import load_library

spa = AppGroup("spa", help="Spa operations.")


@spa.command("demo-data")
def demo_data():
    """Load the demo spa on an empty database and print the demo logins."""
    created = load_demo_data()
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, role in LOGINS:
        click.echo(f"  {role.value:<10} {email:<24} {name}")


@spa.command("load-techniques")
def load_techniques():
    """Add the built-in self-massage routines the technique library lacks (kept as edited)."""
    added = load_library()
    db.session.commit()
    click.echo(f"Technique library: {added} routine(s) added.")


def init_app(app: Flask) -> None:
    app.cli.add_command(spa)
