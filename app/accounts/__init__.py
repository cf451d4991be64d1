from flask import Blueprint

# Owns both /accounts and /contacts, so routes carry their own prefixes.
bp = Blueprint("accounts", __name__)

from app.accounts import contacts, customer, portal_access, routes  # noqa: E402,F401
