"""Customer companies, their people and what they have installed."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.common import CreatedMixin

TIERS = ("Standard", "Premium", "Enterprise")


class Account(CreatedMixin, db.Model):
    __tablename__ = "accounts"
    # Type-aheads find names by their start in this index (lower() matches any case).
    __table_args__ = (sa.Index("ix_accounts_name_lower", sa.text("lower(name)")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    website: Mapped[str] = mapped_column(sa.String(255), default="")
    tier: Mapped[str] = mapped_column(sa.String(20), default="Standard")
    support_notes: Mapped[str] = mapped_column(sa.Text, default="")
    verification: Mapped[str] = mapped_column(sa.Text, default="")
    # Kept by app.services.search_index on every flush: accent-folded name, phone digits.
    search_name: Mapped[str] = mapped_column(sa.String(200), default="")
    phone_digits: Mapped[str] = mapped_column(sa.String(40), default="", index=True)

    contacts: Mapped[list[Contact]] = relationship(back_populates="account",
                                                   order_by="Contact.name")
    assets: Mapped[list[Asset]] = relationship(back_populates="account")

    def __repr__(self) -> str:
        return f"<Account {self.name}>"


class Contact(CreatedMixin, db.Model):
    __tablename__ = "contacts"
    __table_args__ = (sa.Index("ix_contacts_name_lower", sa.text("lower(name)")),
                      sa.Index("ix_contacts_email_lower", sa.text("lower(email)")))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    # Kept by app.services.search_index on every flush: accent-folded name, phone digits.
    search_name: Mapped[str] = mapped_column(sa.String(200), default="")
    phone_digits: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    # In the customer portal, an account admin sees every case of the account, not only theirs.
    portal_account_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    account: Mapped[Account] = relationship(back_populates="contacts")

    def __repr__(self) -> str:
        return f"<Contact {self.name}>"


class Product(CreatedMixin, db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    code: Mapped[str] = mapped_column(sa.String(40), default="")


class Asset(CreatedMixin, db.Model):
    """A product installed at an account."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    serial: Mapped[str] = mapped_column(sa.String(80), default="")
    install_date: Mapped[date | None]

    account: Mapped[Account] = relationship(back_populates="assets")
    product: Mapped[Product] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        return f"{self.product.name} ({self.serial})" if self.serial else self.product.name
