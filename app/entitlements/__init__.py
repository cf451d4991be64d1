"""Service contracts, entitlements, processes, business hours and case milestones."""
import click
from flask import Blueprint

from app.extensions import db

bp = Blueprint("entitlements", __name__, url_prefix="/entitlements", cli_group="entitlements")


@bp.cli.command("tick")
def tick_command() -> None:
    """Fire due milestone warnings and violations (each once), then commit."""
    from app.services.milestones import tick

    result = tick()
    db.session.commit()
    click.echo(f"Warned {result.warned}, violated {result.violated}.")


@bp.app_template_filter("business_minutes")
def business_minutes_filter(minutes) -> str:
    """A business duration for people: "2 h 30 min"."""
    from app.services.business_hours import format_minutes

    return "" if minutes is None else format_minutes(minutes)


from app.entitlements import contracts, related, routes, setup, whatif  # noqa: E402,F401
