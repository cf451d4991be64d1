"""Command-line tools: thin, idempotent, calling services."""
import click
from flask import Flask

from app.extensions import db
from app.services import users as user_service
from app.services.errors import ValidationFailed


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, agent or customer")
@click.option("--password", default=None, help="Prompted for when not given.")
def create_user(email: str, name: str, role: str, password: str | None) -> None:
    """Create a user who can sign in."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("The password must be at least 8 characters long.")
    try:
        user = user_service.create_user(email=email, name=name, role=role, password=password)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")
