"""Users and their sessions."""
import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ROLES, User, UserSession
from app.models.common import utcnow
from app.services.errors import ValidationFailed


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(*, email: str, name: str, role: str, password: str | None = None,
                time_zone: str = "UTC", contact=None) -> User:
    """Add a user; refuse a duplicate email or an unknown role."""
    if role not in ROLES:
        raise ValidationFailed(f"Unknown role '{role}'. Choose one of: {', '.join(ROLES)}.", "role")
    if find_user_by_email(email):
        raise ValidationFailed(f"A user with the email {normalise_email(email)} already exists.",
                               "email")
    if not name.strip():
        raise ValidationFailed("Name is required.", "name")
    user = User(email=normalise_email(email), name=name.strip(), role=role, time_zone=time_zone,
                contact=contact)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for every failure)."""
    user = find_user_by_email(email)
    if user is None:
        _dummy_check(password)  # keep timing alike for unknown addresses
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _dummy_check(password: str) -> None:
    check_password_hash(_DUMMY_HASH, password)


def start_session(user: User) -> User:
    """Open a server-side session for a sign-in and remember its token on the user."""
    row = UserSession(user=user)
    db.session.add(row)
    user.last_login_at = utcnow()
    db.session.flush()
    user.session_token = row.id
    return user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(sa.delete(UserSession).where(UserSession.id == token))


def end_other_sessions(user: User, keep: str | None = None) -> None:
    """Sign the user out everywhere except, optionally, the current browser."""
    stmt = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        stmt = stmt.where(UserSession.id != keep)
    db.session.execute(stmt)


def set_active(user: User, active: bool, *, actor: User) -> User:
    if user.id == actor.id and not active:
        raise ValidationFailed("You cannot deactivate yourself.")
    user.active = active
    if not active:
        end_other_sessions(user)
    db.session.flush()
    return user


def change_role(user: User, role: str, *, actor: User) -> User:
    if role not in ROLES:
        raise ValidationFailed(f"Unknown role '{role}'.", "role")
    if user.id == actor.id and role != "admin":
        raise ValidationFailed("You cannot remove your own admin role.")
    user.role = role
    db.session.flush()
    return user


def set_password(user: User, password: str) -> User:
    """Change a password and end the user's other sessions."""
    user.set_password(password)
    end_other_sessions(user, keep=user.session_token)
    db.session.flush()
    return user
