"""Command-line tools: thin, idempotent, calling services."""
import time

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from app.extensions import db
from app.models import User
from app.demo import seed as demo
from app.services import users as user_service
from app.services.errors import ValidationFailed


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_users)


@click.command("create-user")
@with_appcontext
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


@click.command("seed-demo")
@with_appcontext
@click.option("--accounts", default=25, show_default=True, type=click.IntRange(1, 25))
@click.option("--contacts", default=80, show_default=True, type=click.IntRange(2, 1000))
@click.option("--cases", default=400, show_default=True, type=click.IntRange(0, 5000))
@click.option("--sign-ins/--no-sign-ins", default=True,
              help="Print the demo sign-ins afterwards (`make run` prints them itself).")
def seed_demo(accounts: int, contacts: int, cases: int, sign_ins: bool) -> None:
    """Load the demo data into an empty database (does nothing when users exist)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("The database already has users; the demo data was not loaded.")
        return
    started = time.monotonic()
    try:
        summary = demo.load_demo(accounts=accounts, contacts=contacts, cases=cases,
                                 checkpoint=db.session.commit)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        raise click.ClickException(
            f"Loading the demo data stopped: {exc}. Part of it may have been saved; start "
            "from an empty database to load it again.") from exc
    click.echo(f"Loaded the demo data in {time.monotonic() - started:.1f} s: "
               f"{summary['users']} users, {summary['accounts']} accounts, "
               f"{summary['contacts']} contacts, {summary['cases']} cases.")
    if sign_ins:
        echo_sign_ins(demo.existing_demo_sign_ins())


@click.command("demo-users")
@with_appcontext
def demo_users() -> None:
    """Print the demo sign-ins (email and password) that exist in this database."""
    echo_sign_ins(demo.existing_demo_sign_ins())


def echo_sign_ins(rows: list[tuple[str, str, str]]) -> None:
    if not rows:
        click.echo("  No demo users in this database. Load them into an empty database with "
                   "`flask --app wsgi seed-demo`.")
        return
    click.echo(f"  Demo sign-ins (every password is {demo.DEMO_PASSWORD}):")
    width = max(len(email) for _, email, _ in rows)
    for name, email, role in rows:
        click.echo(f"    {email:<{width}}  {role:<8}  {name}")
    if any(role == "customer" for _, _, role in rows):
        click.echo("  Customers sign in to the portal at /portal/login.")
