"""Slow down guessing: failed sign-ins counted per account tried and per client address."""
import math
import time

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.strategies import MovingWindowRateLimiter

from app.extensions import limiter

# The account limit is tight (one person's password), the address limit loose: a small office
# signs in from one address, and one colleague's typos must not lock the others out.
SCOPES = (("SIGNIN_LIMITS", "signin-account",
           "Too many attempts for this account. Try again in {wait}."),
          ("SIGNIN_ADDRESS_LIMITS", "signin-address",
           "Too many attempts from this network. Try again in {wait}."))


def _enabled() -> bool:
    return current_app.config.get("RATELIMIT_ENABLED", True)


def _window() -> MovingWindowRateLimiter:
    # A moving window over the limiter's own storage: the wait it reports is the real one.
    return MovingWindowRateLimiter(limiter.storage)


def _limits(config_key: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[config_key])


def _keys(email: str, address: str) -> tuple[str, str]:
    return email.strip().lower(), address or "unknown"


def sign_in_refusal(email: str, address: str) -> str | None:
    """The message for a sign-in that must wait, or None when it may go ahead."""
    if not _enabled():
        return None
    window = _window()
    for (config_key, scope, message), key in zip(SCOPES, _keys(email, address)):
        for item in _limits(config_key):
            if not window.test(item, scope, key):
                reset_at = window.get_window_stats(item, scope, key).reset_time
                return message.format(wait=_wait_text(reset_at - time.time()))
    return None


def record_failed_sign_in(email: str, address: str) -> None:
    """Count a failed attempt against the account tried and the client address."""
    if not _enabled():
        return
    window = _window()
    for (config_key, scope, _), key in zip(SCOPES, _keys(email, address)):
        for item in _limits(config_key):
            window.hit(item, scope, key)


def _wait_text(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def attempt_sign_in(email: str, address: str, authenticate):
    """(user, refusal): `refusal` when the attempt must wait; else `authenticate()`'s user, or
    None for a failure, which is counted."""
    refusal = sign_in_refusal(email, address)
    if refusal:
        return None, refusal
    user = authenticate()
    if user is None:
        record_failed_sign_in(email, address)
    return user, None
