"""Customer portal access: staff invite contacts, turn access off and mark account admins;
customers sign in and choose a password from an emailed link (an invitation or a reset).

A portal customer is a User with the role "customer" linked to one Contact. Links are
Invitation rows (only the token's hash is stored), one-use, and a new one ends the old.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.access import portal_contact
from app.extensions import db
from app.models import Contact, Invitation, User
from app.models.common import utcnow
from app.services import users as user_service
from app.services.errors import AccessDenied, ValidationFailed
from app.services.notifications import mail_url, render_pair
from app.services.outbox import enqueue_message
from app.services.users import INVITATION_DAYS

def authenticate_customer(email: str, password: str) -> User | None:
    """The active customer with this email and password who has a contact, else None: staff
    and every other failure get the same None (and the same time spent hashing)."""
    user = user_service.authenticate(email, password)
    if user is None or user.role != "customer" or portal_contact(user) is None:
        return None
    return user

RESET_VALID_FOR = timedelta(hours=24)


def portal_user_of(contact: Contact) -> User | None:
    """The customer user who signs in as this contact, if one was ever invited."""
    return db.session.scalar(sa.select(User).where(User.contact_id == contact.id,
                                                   User.role == "customer")
                             .order_by(User.id).limit(1))


def portal_status(contact: Contact) -> str:
    """"none" (never invited), "invited" (no password yet), "active" or "disabled"."""
    user = portal_user_of(contact)
    if user is None:
        return "none"
    if not user.active:
        return "disabled"
    return "active" if user.password_hash else "invited"


def invite_to_portal(contact: Contact, *, actor: User) -> User:
    """Give the contact portal access and email them a one-use link (valid 7 days) to set a
    password; inviting again replaces the earlier link and turns disabled access back on."""
    require_staff(actor)
    if not (contact.email or "").strip():
        raise ValidationFailed(f"{contact.name} has no email address; add one first.", "email")
    user = portal_user_of(contact)
    if user is None:
        taken = user_service.find_user_by_email(contact.email)
        if taken is not None:
            raise ValidationFailed(f"{contact.email} already signs in to Casebook as "
                                   f"{'staff' if taken.is_staff else 'another customer'}.",
                                   "email")
        user = user_service.create_user(email=contact.email, name=contact.name,
                                        role="customer", contact=contact)
    elif user.email != user_service.normalise_email(contact.email):
        _follow_contact_email(user, contact)
    user.active = True
    token = user_service.create_invitation(user, actor=actor)
    _send_link(user, "portal_invitation", token, inviter=actor, days=INVITATION_DAYS)
    return user


def _follow_contact_email(user: User, contact: Contact) -> None:
    """The contact's address changed since the invitation: the sign-in address follows it."""
    taken = user_service.find_user_by_email(contact.email)
    if taken is not None and taken.id != user.id:
        raise ValidationFailed(f"{contact.email} already signs in to Casebook.", "email")
    user.email = user_service.normalise_email(contact.email)


def disable_portal_access(contact: Contact, *, actor: User) -> User | None:
    """Turn the contact's portal access off: their sessions end at once and open links die."""
    require_staff(actor)
    user = portal_user_of(contact)
    if user is None:
        return None
    user.active = False
    user_service.end_other_sessions(user)
    user_service.expire_open_links(user)
    db.session.flush()
    return user


def set_account_admin(contact: Contact, value: bool, *, actor: User) -> Contact:
    """Mark the contact an account admin (sees every case of the account) or not."""
    require_staff(actor)
    contact.portal_account_admin = bool(value)
    db.session.flush()
    return contact


def request_password_reset(email: str) -> None:
    """Email a one-use reset link to an active portal customer with this address; for any
    other address do nothing, so the answer never tells who has an account."""
    user = user_service.find_user_by_email(email or "")
    if user is None or user.role != "customer" or not user.active or user.contact_id is None:
        return
    token = user_service.create_invitation(user, actor=None, purpose="reset",
                                           valid_for=RESET_VALID_FOR)
    _send_link(user, "portal_reset", token, hours=int(RESET_VALID_FOR.total_seconds() // 3600))


def _send_link(user: User, template: str, token: str, **context) -> None:
    link = mail_url("portal.reset", token=token)
    text, html = render_pair(template, user=user, link=link,
                             sign_in=mail_url("portal.login"), **context)
    subjects = {"portal_invitation": "Your access to our support portal",
                "portal_reset": "Reset your support portal password"}
    enqueue_message(to=[user.email], subject=subjects[template], text=text, html=html,
                    kind="portal")


def find_portal_link(raw_token: str) -> Invitation | None:
    """The invitation or reset link behind a token, if it belongs to a customer."""
    invitation = user_service.find_invitation(raw_token)
    if invitation is None or invitation.user.role != "customer":
        return None
    return invitation


def portal_link_problem(invitation: Invitation | None) -> str | None:
    """Why a portal link cannot be used, or None when it can."""
    if invitation is None:
        return "This link is not valid. Check that you copied the whole link."
    if invitation.is_used:
        return "This link has already been used. Sign in with the password you chose."
    if invitation.is_expired(utcnow()):
        return "This link has expired. Ask for a new one below."
    if not invitation.user.active or invitation.user.contact_id is None:
        return "Portal access for this address is turned off. Contact our support team."
    return None


def use_portal_link(invitation: Invitation, password: str) -> User:
    """Set the customer's password from their link, use the link up, end other sessions."""
    return user_service.use_link(invitation, password, portal_link_problem(invitation))


def require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise AccessDenied("Only staff can change portal access.")


def portal_summary(contact: Contact) -> dict:
    """What the staff contact page shows about the contact's portal access."""
    user = portal_user_of(contact)
    status = portal_status(contact)
    link_expires = None
    if user is not None and status == "invited":
        link_expires = db.session.scalar(
            sa.select(sa.func.max(Invitation.expires_at)).where(
                Invitation.user_id == user.id, Invitation.used_at.is_(None),
                Invitation.expires_at > utcnow()))
    return {"status": status, "user": user, "link_expires": link_expires,
            "account_admin": contact.portal_account_admin, "can_invite": bool(contact.email)}
