"""The portal's New case: a customer's own case, opened through the case service under their
entitlement, and the portal articles that may answer it first (a "deflection" when one does)."""
from __future__ import annotations

import sqlalchemy as sa

from app.access import visible_articles
from app.extensions import db
from app.models import Asset, Case, Contact, User
from app.models.entitlements import Entitlement
from app.models.knowledge import Article, ArticleVersion
from app.services import feed as feed_service
from app.services.cases import create_case
from app.services.eligibility import (
    attach_entitlement, check_eligibility, eligibility, entitle_automatically,
)
from app.services.errors import ValidationFailed
from app.services.knowledge_search import search_articles
from app.services.mail_ingest import default_owner

ORIGIN = "Portal"
SUGGESTIONS = 5


def customer_assets(contact: Contact) -> list[Asset]:
    """The products installed at the customer's account, by name."""
    return [a for a in db.session.scalars(
        sa.select(Asset).where(Asset.account_id == contact.account_id).order_by(Asset.id))]


def entitlement_choices(contact: Contact) -> list[Entitlement]:
    """The account's active entitlements, which the customer picks from when there are several."""
    return list(eligibility(contact.account, ORIGIN)["active"])


def portal_suggestions(user: User, text: str, *, limit: int = SUGGESTIONS
                       ) -> list[ArticleVersion]:
    """Published portal-channel articles matching what the customer typed, best first: those
    with every word, then those with some; one version per article, never an internal one."""
    readable = [ArticleVersion.article_id == Article.id, visible_articles(user, "portal"),
                ArticleVersion.status == "published",
                ArticleVersion.language == Article.master_language]
    found: dict[int, ArticleVersion] = {}
    for any_terms in (False, True):
        for version, _score in search_articles(text, where=readable, any_terms=any_terms,
                                               limit=limit * 2):
            found.setdefault(version.article_id, version)
        if len(found) >= limit:
            break
    return list(found.values())[:limit]


def _own_asset(contact: Contact, asset_id: str | int | None) -> Asset | None:
    if not str(asset_id or "").isdigit():
        return None
    asset = db.session.get(Asset, int(asset_id))
    if asset is None or asset.account_id != contact.account_id:
        raise ValidationFailed("Choose one of your products from the list.", "asset")
    return asset


def open_portal_case(*, actor: User, contact: Contact, subject: str, description: str = "",
                     asset_id: str | None = None, entitlement_id: str | None = None,
                     uploads=()) -> Case:
    """Open the customer's case (origin Portal, their contact and account) with the default
    owner, under the entitlement they chose or, with none to choose, the one email would
    take (else flagged "No entitlement"); their files join it as a public item."""
    if actor.contact_id != contact.id:
        raise ValidationFailed("You can open cases for yourself only.")
    owner = default_owner()
    if owner is None:
        raise ValidationFailed("New cases cannot be taken here right now. Please email us.")
    asset = _own_asset(contact, asset_id)
    case = create_case(actor=actor, subject=subject, description=(description or "").strip(),
                       origin=ORIGIN, contact=contact, account=contact.account, owner=owner,
                       asset=asset)
    if str(entitlement_id or "").isdigit():
        chosen = db.session.get(Entitlement, int(entitlement_id))
        if chosen is None:
            raise ValidationFailed("Choose the support plan this request comes under.",
                                   "entitlement")
        attach_entitlement(case, check_eligibility(case.account, chosen, origin=ORIGIN))
    else:
        entitle_automatically(case)
    uploads = list(uploads)
    if uploads:
        feed_service.add_files(case, actor=actor, uploads=uploads, visibility="public")
    db.session.flush()
    return case
