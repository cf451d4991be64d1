"""Portal test helpers: customers (contacts who sign in) and signing them in."""
import re

from app.extensions import db
from tests.factories import PASSWORD, make_contact, make_user


def make_customer(contact=None, account_admin=False, password=PASSWORD, **overrides):
    """A portal customer: a user with the customer role, linked to a contact (a new contact of
    a new account unless given), which is its account's admin when asked. Flushed."""
    contact = contact or make_contact()
    contact.portal_account_admin = account_admin
    values = {"email": contact.email, "name": contact.name}
    values.update(overrides)
    return make_user("customer", contact=contact, password=password, **values)


def portal_client(login, customer):
    """A test client signed in as the customer through a real server-side session (the
    `login` fixture), committing what the test built first."""
    db.session.commit()
    return login(customer)


def portal_sign_in(client, email, password=PASSWORD):
    """Sign in through the real portal form (CSRF off in most tests); returns the response."""
    return client.post("/portal/login", data={"email": email, "password": password})


CSRF_INPUT = re.compile(rb'name="csrf_token" type="hidden" value="[^"]*"|'
                        rb'value="[^"]*" name="csrf_token"|"X-CSRFToken": "[^"]*"')


def without_csrf(body: bytes) -> bytes:
    """A response body with its CSRF tokens blanked, to compare two answers byte for byte."""
    return CSRF_INPUT.sub(b"csrf", body)
