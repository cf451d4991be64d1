"""Command-line tools: create-user and demo-users."""
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.services import users as user_service
from tests.factories import make_user


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_user_adds_a_user_who_can_sign_in(app):
    result = run(app, "create-user", "--email", "Ops@Example.com", "--name", "Olga Ops",
                 "--role", "admin", "--password", "long enough pw")
    assert result.exit_code == 0, result.output
    assert "Created admin ops@example.com." in result.output
    assert user_service.authenticate("ops@example.com", "long enough pw").name == "Olga Ops"


def test_create_user_prompts_for_the_password_twice_when_not_given(app):
    result = run(app, "create-user", "--email", "pat@example.com", "--name", "Pat",
                 "--role", "agent", input="typed secret 1\ntyped secret 1\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "typed secret 1" not in result.output
    assert user_service.authenticate("pat@example.com", "typed secret 1") is not None


def test_create_user_refuses_a_duplicate_email_clearly(app):
    make_user(email="taken@example.com")
    db.session.commit()
    result = run(app, "create-user", "--email", "TAKEN@example.com", "--name", "Someone",
                 "--role", "agent", "--password", "long enough pw")
    assert result.exit_code == 1
    assert "Error: A user with the email taken@example.com already exists." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_create_user_refuses_an_unknown_role_clearly(app):
    result = run(app, "create-user", "--email", "x@example.com", "--name", "X",
                 "--role", "superuser", "--password", "long enough pw")
    assert result.exit_code == 1
    assert "Unknown role 'superuser'" in result.output
    assert "admin, agent, customer" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.com")) is None


def test_create_user_refuses_a_short_password(app):
    result = run(app, "create-user", "--email", "s@example.com", "--name", "S",
                 "--role", "agent", "--password", "short")
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output


def test_demo_users_says_when_there_are_none(app, admin):
    result = run(app, "demo-users")
    assert result.exit_code == 0
    assert "No demo users in this database" in result.output
