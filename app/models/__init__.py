"""Every model, imported so metadata and migrations see them all."""
from app.models.accounts import TIERS, Account, Asset, Contact, Product
from app.models.cases import (
    CASE_TYPES, FEED_KINDS, OPEN_STATUSES, ORIGINS, PRIORITIES, STATUSES, Attachment, Case,
    Counter, FeedItem, RecentView, Task,
)
from app.models.settings import Setting
from app.models.users import ROLES, STAFF_ROLES, User, UserSession

__all__ = [
    "Account", "Asset", "Attachment", "CASE_TYPES", "Case", "Contact", "Counter", "FEED_KINDS",
    "FeedItem", "OPEN_STATUSES", "ORIGINS", "PRIORITIES", "Product", "ROLES", "RecentView",
    "STAFF_ROLES", "STATUSES", "Setting", "TIERS", "Task", "User", "UserSession",
]
