"""``flask spa ...`` commands for operators."""

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from spa_app.database import unit_of_work
from spa_app.demo import DEMO_PASSWORD, LOGINS, load_demo_data
from spa_app.homecare import library
from spa_app.homecare.intake.needs import IntakeError, parse_intake
from spa_app.homecare.library import load_library
from spa_app.homecare.plans.draft_json import draft_json
from spa_app.homecare.plans.generator import Dose, suggest

spa = AppGroup("spa", help="Spa operations.")


@spa.command("demo-data")
def demo_data():
    """Load the demo spa on an empty database and print the demo logins."""
    with unit_of_work():
        created = load_demo_data()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, role in LOGINS:
        click.echo(f"  {role.value:<10} {email:<24} {name}")


@spa.command("load-techniques")
def load_techniques():
    """Add the built-in self-massage routines the technique library lacks (kept as edited)."""
    with unit_of_work():
        added = load_library()
    click.echo(f"Technique library: {added} routine(s) added.")


@spa.command("suggest-plan")
@click.argument("intake", type=click.File("r"))
@click.option(
    "--from-files",
    is_flag=True,
    help="Use the shipped library.json and conditions.json instead of the database.",
)
@click.option("--max-items", type=click.IntRange(1, 20), default=None,
              help="The most items in the draft (default: SPA_PLAN_MAX_ITEMS).")  # fmt: skip
def suggest_plan(intake, from_files: bool, max_items: int | None):
    """Print, as JSON, the draft plan the generator makes for an intake (JSON, a file or -)."""
    try:
        needs = parse_intake(intake.read())
    except IntakeError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    techniques, rules = library.from_files() if from_files else (library.techniques(),
                                                                  library.rules())  # fmt: skip
    dose = Dose(max_items=max_items or current_app.config["PLAN_MAX_ITEMS"])
    draft = suggest(needs, techniques, rules, dose)
    by_id = {t.id: t for t in techniques}
    click.echo(json.dumps(draft_json(draft, by_id, dose), indent=2, ensure_ascii=False))


def init_app(app: Flask) -> None:
    app.cli.add_command(spa)
