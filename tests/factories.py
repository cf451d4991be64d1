"""Small factories: each returns a flushed model with sensible defaults."""
from itertools import count

from app.extensions import db
from app.models import Account, Contact
from app.services import cases as case_service
from app.services import users as user_service

_seq = count(1)
PASSWORD = "correct horse battery"


def make_user(role="agent", **overrides):
    n = next(_seq)
    values = {"email": f"user{n}@example.com", "name": f"User {n}", "password": PASSWORD}
    values.update(overrides)
    return user_service.create_user(role=role, **values)


def make_account(**overrides):
    n = next(_seq)
    account = Account(**({"name": f"Account {n}", "phone": "+1 555 0100", "tier": "Standard"}
                         | overrides))
    db.session.add(account)
    db.session.flush()
    return account


def make_contact(account=None, **overrides):
    n = next(_seq)
    account = account or make_account()
    contact = Contact(**({"account": account, "name": f"Contact {n}",
                          "email": f"contact{n}@customer.test"} | overrides))
    db.session.add(contact)
    db.session.flush()
    return contact


def make_case(actor=None, **overrides):
    actor = actor or make_user()
    values = {"subject": "Printer on floor 3 shows error E-104",
              "description": "The printer stops after every second page."}
    values.update(overrides)
    return case_service.create_case(actor=actor, **values)
