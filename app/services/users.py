"""Users and their sessions."""
import functools
import hashlib
import secrets
import zoneinfo
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ROLES, User, UserSession
from app.models.users import LIST_DENSITIES
from app.models.invitations import Invitation
from app.models.common import utcnow
from app.services.errors import ValidationFailed
from app.services.matching import escape_like


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


INVITATION_DAYS = 7


def _token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def create_invitation(user: User, *, actor: User | None, purpose: str = "invitation",
                      valid_for: timedelta = timedelta(days=INVITATION_DAYS)) -> str:
    """Issue a one-use link token (valid a week unless told otherwise); earlier open links of
    the user, of any purpose, stop working."""
    now = utcnow()
    expire_open_links(user, now)
    raw_token = secrets.token_urlsafe(32)
    db.session.add(Invitation(user=user, created_by=actor, token_hash=_token_hash(raw_token),
                              purpose=purpose, expires_at=now + valid_for))
    db.session.flush()
    return raw_token


def expire_open_links(user: User, now=None) -> None:
    """Make every unused link of the user stop working."""
    db.session.execute(sa.update(Invitation).where(Invitation.user_id == user.id,
                                                   Invitation.used_at.is_(None))
                       .values(expires_at=now or utcnow()))


def find_invitation(raw_token: str) -> Invitation | None:
    """The invitation behind a link token, whatever its state."""
    if not raw_token or len(raw_token) > 200:
        return None
    return db.session.scalar(sa.select(Invitation)
                             .where(Invitation.token_hash == _token_hash(raw_token)))


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation cannot be accepted, or None when it can."""
    if invitation is None:
        return "This invitation link is not valid. Check that you copied the whole link."
    if invitation.is_used:
        return "This invitation has already been used. Sign in with the password you chose."
    if invitation.is_expired(utcnow()):
        return "This invitation has expired. Ask an administrator for a new link."
    if not invitation.user.active:
        return "This account has been deactivated. Ask an administrator for help."
    return None


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the invited user's password and use up the invitation."""
    return use_link(invitation, password, invitation_problem(invitation))


def use_link(invitation: Invitation, password: str, problem: str | None) -> User:
    """Set the password from an emailed link, use the link up and end the user's other
    sessions; `problem`, when the link may not be used, is refused instead."""
    if problem:
        raise ValidationFailed(problem)
    invitation.used_at = utcnow()
    user = invitation.user
    user.set_password(password)
    end_other_sessions(user)
    db.session.flush()
    return user


def has_pending_invitation(user: User) -> bool:
    """True when the user has an unused, unexpired invitation."""
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(Invitation).where(
        Invitation.user_id == user.id, Invitation.used_at.is_(None),
        Invitation.expires_at > utcnow())))


def reset_password(user: User, password: str, *, actor: User) -> User:
    """An admin sets a new password; the user's sessions end (the actor's own one survives)."""
    if user.id != actor.id:
        user.session_token = None  # never keep a session of someone else's browser
    return set_password(user, password)


USER_STATUSES = {"active": "Active", "invited": "Invited", "inactive": "Deactivated"}


def search_users(*, text: str = "", role: str = "", status: str = "") -> sa.Select:
    """Users matching a name/email text, a role and a status, sorted by name."""
    stmt = sa.select(User).order_by(sa.func.lower(User.name), User.id)
    if text.strip():
        pattern = "%" + escape_like(text.strip().lower()) + "%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"),
                                 User.email.like(pattern, escape="\\")))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if status == "active":
        stmt = stmt.where(User.active.is_(True), User.password_hash.is_not(None))
    elif status == "invited":
        stmt = stmt.where(User.active.is_(True), User.password_hash.is_(None))
    elif status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    return stmt



def update_preferences(user: User, *, time_zone: str, list_density: str) -> User:
    """Set the user's own time zone and list density; refuse unknown values."""
    if time_zone not in time_zone_names():
        raise ValidationFailed("Choose a time zone from the list.", "time_zone")
    if list_density not in LIST_DENSITIES:
        raise ValidationFailed("Choose comfortable or compact.", "list_density")
    user.time_zone = time_zone
    user.list_density = list_density
    db.session.flush()
    return user


def update_reader_preferences(user: User, *, language: str, time_zone: str,
                              languages: list[str]) -> User:
    """Set a reader's own language (one of `languages`, those the knowledge base offers) and
    time zone; refuse anything else."""
    if language not in languages:
        raise ValidationFailed("Choose a language from the list.", "language")
    if time_zone not in time_zone_names():
        raise ValidationFailed("Choose a time zone from the list.", "time_zone")
    user.language, user.time_zone = language, time_zone
    db.session.flush()
    return user


def change_own_password(user: User, *, current: str, new: str) -> User:
    """Change one's own password, proven by the current one; other browsers are signed out."""
    if not user.check_password(current):
        raise ValidationFailed("That is not your current password.", "current_password")
    return set_password(user, new)


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every time zone the system knows, sorted, UTC first."""
    names = sorted(name for name in zoneinfo.available_timezones()
                   if "/" in name and not name.startswith(("Etc/", "SystemV/")))
    return ("UTC", *names)
