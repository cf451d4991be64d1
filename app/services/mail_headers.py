"""Header values for outgoing mail: addresses, one-line checks, Message-IDs for threading."""
from __future__ import annotations

import re
import uuid
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app

from app.models import Case
from app.services.errors import ValidationFailed

_LINE_BREAK = re.compile(r"[\r\n]")
# Syntax only: local installs mail users at hosts like localhost or *.internal too.
_ADDRESS = re.compile(r"[^\s@<>(),;:\"\[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*")


def check_header(value: str, label: str) -> str:
    """Refuse a header value with a line break (header injection)."""
    if _LINE_BREAK.search(value or ""):
        raise ValidationFailed(f"{label} must be on one line.", label.lower())
    return value


def parse_addresses(value: str | list[str] | tuple[str, ...], label: str = "To") -> list[str]:
    """Valid, de-duplicated addresses from a comma-separated string or a list."""
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,;\s]+", value or "")
    result: list[str] = []
    for item in items:
        item = check_header(item or "", label).strip()
        if not item:
            continue
        if not _ADDRESS.fullmatch(item):
            raise ValidationFailed(f"{item} is not a valid email address.", label.lower())
        local, domain = item.rsplit("@", 1)
        address = f"{local}@{domain.lower()}"
        if address.lower() not in {a.lower() for a in result}:
            result.append(address)
    return result


def mail_domain() -> str:
    """The domain our Message-IDs use: the sender's, else the base URL's host."""
    sender = parseaddr(str(current_app.config.get("MAIL_DEFAULT_SENDER") or ""))[1]
    if "@" in sender:
        return sender.rsplit("@", 1)[1].lower()
    return urlsplit(current_app.config.get("BASE_URL", "")).hostname or "casebook.local"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{mail_domain()}>"


def thread_root(case: Case) -> str:
    """The stable Message-ID every message about a case refers to, so replies find it."""
    return f"<case-{case.number}@{mail_domain()}>"
