"""Service contracts, entitlements, entitlement processes, business hours and case milestones."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import Account, Asset, Product
from app.models.cases import Case
from app.models.common import CreatedMixin, UTCDateTime

ENTITLEMENT_KINDS = ("phone", "web", "email")
MILESTONE_KINDS = {"first_response": "First response", "next_response": "Next response",
                   "resolution": "Resolution"}
PRIORITY_COLUMNS = {"Low": "minutes_low", "Medium": "minutes_medium", "High": "minutes_high",
                    "Critical": "minutes_critical"}


class BusinessCalendar(CreatedMixin, db.Model):
    """Business hours: a time zone, weekly windows and holidays."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    description: Mapped[str] = mapped_column(sa.Text, default="")

    windows: Mapped[list[BusinessWindow]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan",
        order_by="(BusinessWindow.weekday, BusinessWindow.start_minute)")
    holidays: Mapped[list[BusinessHoliday]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="BusinessHoliday.day")


class BusinessWindow(db.Model):
    """Open on a weekday from start to end (minutes after local midnight; end <= start runs
    past midnight)."""

    __tablename__ = "business_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("business_calendars.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]

    calendar: Mapped[BusinessCalendar] = relationship(back_populates="windows")


class BusinessHoliday(db.Model):
    __tablename__ = "business_holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("business_calendars.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    yearly: Mapped[bool] = mapped_column(default=False)

    calendar: Mapped[BusinessCalendar] = relationship(back_populates="holidays")


class EntitlementProcess(CreatedMixin, db.Model):
    """The milestones a case works towards, in order."""

    __tablename__ = "entitlement_processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    milestones: Mapped[list[ProcessMilestone]] = relationship(
        back_populates="process", cascade="all, delete-orphan",
        order_by="ProcessMilestone.position")


class ProcessMilestone(db.Model):
    """One milestone of a process: targets by priority, its calendar, pauses and actions."""

    __tablename__ = "process_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entitlement_processes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(20))
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey("business_calendars.id"), index=True)
    minutes_low: Mapped[int]
    minutes_medium: Mapped[int]
    minutes_high: Mapped[int]
    minutes_critical: Mapped[int]
    pause_statuses: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    warn_percent: Mapped[int | None]
    # {"owner": bool, "addresses": [...]}: who gets the warning / violation email.
    warn_recipients: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    violation_recipients: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    violation_status: Mapped[str] = mapped_column(sa.String(30), default="")

    process: Mapped[EntitlementProcess] = relationship(back_populates="milestones")
    calendar: Mapped[BusinessCalendar] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        return MILESTONE_KINDS.get(self.kind, self.kind)

    def minutes_for(self, priority: str) -> int:
        return getattr(self, PRIORITY_COLUMNS.get(priority, "minutes_medium"))


class ServiceContract(CreatedMixin, db.Model):
    __tablename__ = "service_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    start_date: Mapped[date]
    end_date: Mapped[date] = mapped_column(index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    renewed_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("service_contracts.id", ondelete="SET NULL"))

    account: Mapped[Account] = relationship()
    lines: Mapped[list[ContractLine]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractLine.id")
    renewed_from: Mapped[ServiceContract | None] = relationship(remote_side=[id])

    def status_on(self, today: date) -> str:
        """Draft before its start, active through its end date, then expired; or cancelled."""
        if self.cancelled_at is not None:
            return "cancelled"
        if today < self.start_date:
            return "draft"
        return "active" if today <= self.end_date else "expired"


class ContractLine(db.Model):
    __tablename__ = "contract_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_contracts.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assets.id", ondelete="SET NULL"))

    contract: Mapped[ServiceContract] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="joined")
    asset: Mapped[Asset | None] = relationship()


class EntitlementTemplate(CreatedMixin, db.Model):
    """A service level offered to customer types (Account.tier values)."""

    __tablename__ = "entitlement_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="phone")
    term_days: Mapped[int] = mapped_column(default=365)
    allowance: Mapped[int | None]
    tiers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("entitlement_processes.id", ondelete="SET NULL"))

    process: Mapped[EntitlementProcess | None] = relationship()


class Entitlement(CreatedMixin, db.Model):
    """What an account may ask for: a channel, a term, perhaps a number of cases."""

    __tablename__ = "entitlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    contract_line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contract_lines.id", ondelete="SET NULL"), index=True)
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assets.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("entitlement_templates.id", ondelete="SET NULL"))
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("entitlement_processes.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10), default="phone")
    start_date: Mapped[date]
    end_date: Mapped[date]
    # None: no limit. `remaining` is only ever changed by one conditional UPDATE.
    allowance: Mapped[int | None]
    remaining: Mapped[int | None]

    account: Mapped[Account] = relationship()
    contract_line: Mapped[ContractLine | None] = relationship()
    asset: Mapped[Asset | None] = relationship()
    process: Mapped[EntitlementProcess | None] = relationship()

    def status_on(self, today: date) -> str:
        """Active, not yet started, expired, or used up: derived, never stored."""
        if today < self.start_date:
            return "not started"
        if today > self.end_date:
            return "expired"
        if self.remaining is not None and self.remaining <= 0:
            return "used up"
        return "active"


class EntitlementUse(db.Model):
    """One case that took one of an entitlement's cases, and when (to give it back)."""

    __tablename__ = "entitlement_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entitlements.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="SET NULL"), unique=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseMilestone(db.Model):
    """A case's progress on one milestone; every time in it is re-derived from the history."""

    __tablename__ = "case_milestones"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "milestone_id"),
        # tick() reads due warnings and violations through these.
        sa.Index("ix_case_milestones_due_warn", "warn_at",
                 sqlite_where=sa.text("warned_at IS NULL AND completed_at IS NULL"),
                 postgresql_where=sa.text("warned_at IS NULL AND completed_at IS NULL")),
        sa.Index("ix_case_milestones_due_target", "target_at",
                 sqlite_where=sa.text("violated_at IS NULL AND completed_at IS NULL"),
                 postgresql_where=sa.text("violated_at IS NULL AND completed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"),
                                         index=True)
    milestone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("process_milestones.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    target_minutes: Mapped[int]
    # Null while paused (the deadline moves with the pause).
    target_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_minutes: Mapped[float] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    violated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    milestone: Mapped[ProcessMilestone] = relationship(lazy="joined")

    def state_at(self, now: datetime) -> str:
        """in progress, paused, completed, violated (passed its target), or waiting."""
        if self.completed_at is not None:
            late = self.target_at is not None and self.completed_at > self.target_at
            return "violated" if late or self.violated_at else "completed"
        if self.violated_at is not None or (self.target_at is not None and now >= self.target_at):
            return "violated"
        if self.paused_since is not None:
            return "paused"
        return "in progress"
