"""Accounts and contacts: searching, type-ahead suggestions, creating and editing."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.access import visible_cases
from app.extensions import db
from app.models import OPEN_STATUSES, TIERS, Account, Asset, Case, Contact, User
from app.pagination import Page, paginate
from app.services.errors import ValidationFailed
from app.services.matching import begins, contains, suggest

ACCOUNT_FIELDS = ("name", "phone", "website", "tier", "support_notes", "verification")
CONTACT_FIELDS = ("name", "email", "phone", "title")
SUGGESTIONS = 10


class DuplicateEmail(ValidationFailed):
    """Another contact already uses this email address."""

    def __init__(self, existing: Contact):
        super().__init__(f"{existing.email} already belongs to {existing.name}.", "email")
        self.existing = existing


def normalise_email(email: str | None) -> str | None:
    """Addresses are stored trimmed and lowercase; an empty one is no address."""
    email = (email or "").strip().lower()
    return email or None


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) address with a host."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(
        ch.isspace() for ch in value)


def search_accounts(q: str, *, viewer: User, page: int, per_page: int = 50) -> Page:
    """Accounts whose name contains q, with contact and visible open-case counts per row."""
    contacts = (sa.select(sa.func.count(Contact.id)).where(Contact.account_id == Account.id)
                .correlate(Account).scalar_subquery())
    open_cases = (sa.select(sa.func.count(Case.id))
                  .where(Case.account_id == Account.id, Case.status.in_(OPEN_STATUSES),
                         visible_cases(viewer))
                  .correlate(Account).scalar_subquery())
    stmt = sa.select(Account, contacts.label("contacts"), open_cases.label("open_cases"))
    if q:
        stmt = stmt.where(contains(Account.name, q))
    return paginate(stmt.order_by(Account.name, Account.id), page=page, per_page=per_page,
                    scalars=False)


def search_contacts(q: str, *, page: int, per_page: int = 50,
                    account: Account | None = None) -> Page:
    """Contacts whose name or email contains q, optionally at one account, with the account."""
    stmt = sa.select(Contact).join(Contact.account).options(joinedload(Contact.account))
    if q:
        stmt = stmt.where(sa.or_(contains(Contact.name, q), contains(Contact.email, q)))
    if account is not None:
        stmt = stmt.where(Contact.account_id == account.id)
    return paginate(stmt.order_by(Contact.name, Contact.id), page=page, per_page=per_page)


def suggest_accounts(q: str, limit: int = SUGGESTIONS) -> list[Account]:
    """Up to `limit` accounts for a type-ahead: names starting with q first."""
    order = [sa.func.lower(Account.name), Account.id]
    if not q:
        return list(db.session.scalars(sa.select(Account).order_by(*order).limit(limit)))
    return suggest(sa.select(Account), begins(Account.name, q), contains(Account.name, q),
                    order, limit)


def suggest_contacts(q: str, *, account_id: int | None = None,
                     limit: int = SUGGESTIONS) -> list[Contact]:
    """Up to `limit` contacts matching q by name or email, optionally at one account."""
    stmt = sa.select(Contact).options(joinedload(Contact.account))
    if account_id is not None:
        stmt = stmt.where(Contact.account_id == account_id)
    order = [sa.func.lower(Contact.name), Contact.id]
    if not q:
        return list(db.session.scalars(stmt.order_by(*order).limit(limit)))
    return suggest(stmt, sa.or_(begins(Contact.name, q), begins(Contact.email, q)),
                    sa.or_(contains(Contact.name, q), contains(Contact.email, q)),
                    order, limit)


def find_contact_by_email(email: str | None) -> Contact | None:
    email = normalise_email(email)
    if email is None:
        return None
    return db.session.scalar(sa.select(Contact).where(Contact.email == email))


def resolve_account(account_id: str | int | None, label: str | None = None) -> Account:
    """The account a form chose: by its id, or (without JavaScript) by the typed name."""
    label = (label or "").strip()
    if account_id not in (None, ""):
        account = find_account(account_id)
        if account is None:
            raise ValidationFailed("That account no longer exists. Type a name and choose "
                                   "another account.", "account_id")
        # A label typed after choosing (without choosing again) means the choice is stale.
        if not label or label.casefold() == account.name.casefold():
            return account
    if not label:
        raise ValidationFailed("Choose the account this contact works for.", "account_id")
    return _account_by_name(label)


def parse_id(value) -> int | None:
    """An id from a form or query string; anything but a positive 32-bit number is none."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    # Out-of-range ids would make the database driver raise instead of finding nothing.
    return number if 0 < number < 2**31 else None


def find_account(account_id) -> Account | None:
    """The account with this id, or None for a missing or malformed id."""
    number = parse_id(account_id)
    return db.session.get(Account, number) if number else None


def find_contact(contact_id) -> Contact | None:
    """The contact with this id, or None for a missing or malformed id."""
    number = parse_id(contact_id)
    return db.session.get(Contact, number) if number else None


def find_links(account_id: str | None, contact_id: str | None) -> tuple[Account | None,
                                                                       Contact | None]:
    """The account and contact a "New case" link names (?account_id=, ?contact_id=)."""
    contact = find_contact(contact_id) if contact_id else None
    account = contact.account if contact else None
    return account or (find_account(account_id) if account_id else None), contact


def resolve_contact(contact_id: str | int | None, label: str | None = None,
                    account: Account | None = None) -> Contact | None:
    """The contact a form chose: by id, or (without JavaScript) by the typed name or email."""
    label = (label or "").strip()
    if contact_id not in (None, ""):
        contact = find_contact(contact_id)
        if contact is None:
            raise ValidationFailed("That contact no longer exists. Type a name and choose "
                                   "another contact.", "contact_id")
        if not label or label.casefold() in _names_of(contact):
            return contact
    if not label:
        return None
    matches = suggest_contacts(label, account_id=account.id if account else None, limit=11)
    exact = [c for c in matches if label.casefold() in _names_of(c)]
    if len(exact) == 1 or (not exact and len(matches) == 1):
        return (exact or matches)[0]
    if not matches:
        where = f" at {account.name}" if account else ""
        raise ValidationFailed(f"No contact{where} matches “{label}”. Check the spelling, or "
                               "create the contact first.", "contact_id")
    raise ValidationFailed(f"“{label}” matches several contacts. Type the full name or email "
                           "and choose one from the list.", "contact_id")


def _names_of(contact: Contact) -> set[str]:
    return {contact.name.casefold(), (contact.email or "").casefold()}


def _account_by_name(label: str) -> Account:
    """The one account this typed name picks out: an exact name first, else a unique match."""
    matches = suggest_accounts(label, limit=SUGGESTIONS + 1)
    exact = [a for a in matches if a.name.casefold() == label.casefold()]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise ValidationFailed(f"{len(exact)} accounts are named “{label}”. Type a little more "
                               "and choose one from the list.", "account_id")
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValidationFailed(f"No account matches “{label}”. Check the spelling, or create "
                               "the account first.", "account_id")
    raise ValidationFailed(f"“{label}” matches several accounts. Type the full name or choose "
                           "one from the list.", "account_id")


def account_cases(account: Account, *, viewer: User, page: int, per_page: int = 20) -> Page:
    """The account's cases this viewer may see, most recent first."""
    return _cases(Case.account_id == account.id, viewer=viewer, page=page, per_page=per_page)


def contact_cases(contact: Contact, *, viewer: User, page: int, per_page: int = 20) -> Page:
    """The contact's cases this viewer may see, most recent first."""
    return _cases(Case.contact_id == contact.id, viewer=viewer, page=page, per_page=per_page)


def _cases(criterion, *, viewer: User, page: int, per_page: int) -> Page:
    stmt = (sa.select(Case).where(criterion, visible_cases(viewer))
            .options(joinedload(Case.contact), joinedload(Case.owner))
            .order_by(Case.created_at.desc(), Case.id.desc()))
    return paginate(stmt, page=page, per_page=per_page)


def account_assets(account: Account) -> list[Asset]:
    """What the account has installed, newest first."""
    stmt = (sa.select(Asset).where(Asset.account_id == account.id)
            .order_by(Asset.install_date.desc().nulls_last(), Asset.id.desc()))
    return list(db.session.scalars(stmt))


def account_contacts(account: Account, limit: int = 25) -> list[Contact]:
    """The first `limit` contacts of an account, by name."""
    stmt = (sa.select(Contact).where(Contact.account_id == account.id)
            .order_by(Contact.name, Contact.id).limit(limit))
    return list(db.session.scalars(stmt))


def count_contacts(account: Account) -> int:
    return db.session.scalar(sa.select(sa.func.count(Contact.id))
                             .where(Contact.account_id == account.id)) or 0


def contact_with_account(contact_id: int) -> Contact | None:
    return db.session.scalar(sa.select(Contact).where(Contact.id == contact_id)
                             .options(selectinload(Contact.account)))


def _refuse_unknown(values: dict, allowed: tuple[str, ...]) -> None:
    """Only named fields may change (no mass assignment through **values)."""
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed here: {', '.join(unknown)}.")


def _check_account(values: dict) -> dict:
    values = {k: (v or "").strip() for k, v in values.items()}
    if "name" in values and not values["name"]:
        raise ValidationFailed("Name is required.", "name")
    if "tier" in values and values["tier"] not in TIERS:
        raise ValidationFailed(f"Choose a tier: {', '.join(TIERS)}.", "tier")
    if values.get("website") and not is_web_url(values["website"]):
        raise ValidationFailed("The website must be an http:// or https:// address.", "website")
    return values


def create_account(*, actor: User, name: str, phone: str = "", website: str = "",
                   tier: str = "Standard", support_notes: str = "",
                   verification: str = "") -> Account:
    """Add a customer company."""
    values = _check_account(dict(name=name, phone=phone, website=website, tier=tier,
                                 support_notes=support_notes, verification=verification))
    account = Account(**values)
    db.session.add(account)
    db.session.flush()
    return account


def update_account(account: Account, *, actor: User, **values) -> Account:
    """Change an account's own fields (only those named in ACCOUNT_FIELDS)."""
    _refuse_unknown(values, ACCOUNT_FIELDS)
    for field, value in _check_account(values).items():
        setattr(account, field, value)
    db.session.flush()
    return account


def _check_contact(values: dict, contact: Contact | None) -> dict:
    values = {k: (v or "").strip() for k, v in values.items()}
    if "name" in values and not values["name"]:
        raise ValidationFailed("Name is required.", "name")
    if "email" in values:
        values["email"] = normalise_email(values["email"])
        existing = find_contact_by_email(values["email"])
        if existing is not None and existing is not contact:
            raise DuplicateEmail(existing)
    return values


def create_contact(*, actor: User, account: Account, name: str, email: str | None = None,
                   phone: str = "", title: str = "") -> Contact:
    """Add a person at an account; an email address may belong to one contact only."""
    values = _check_contact(dict(name=name, email=email, phone=phone, title=title), None)
    contact = Contact(account=account, **values)
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(contact: Contact, *, actor: User, account: Account | None = None,
                   **values) -> Contact:
    """Change a contact's own fields and, optionally, the account they work for."""
    _refuse_unknown(values, CONTACT_FIELDS)
    for field, value in _check_contact(values, contact).items():
        setattr(contact, field, value)
    if account is not None:
        contact.account = account
    db.session.flush()
    return contact
