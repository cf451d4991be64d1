"""Changing many cases at once from the case list: each case through the one door."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from app import access
from app.extensions import db
from app.models import Case, User
from app.services.cases import update_case
from app.services.errors import CaseConflict, ValidationFailed

BULK_MAX = 200
READ_ONLY = "you can only read them"
NOT_REASSIGNABLE = "only their owner or an admin can reassign them"
CHANGED_MEANWHILE = "they changed after the list was shown"


@dataclass
class BulkOutcome:
    """What a bulk change did: the cases it changed, those that already had the values, and
    those it skipped, each with the reason."""

    changed: list[Case] = field(default_factory=list)
    unchanged: list[Case] = field(default_factory=list)
    skipped: list[tuple[Case, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence for the flash message."""
        def cases(n: int) -> str:
            return f"{n} case{'' if n == 1 else 's'}"

        parts = [f"Changed {cases(len(self.changed))}"]
        if self.unchanged:
            parts.append(f"{cases(len(self.unchanged))} already had that")
        for reason, n in Counter(reason for _, reason in self.skipped).items():
            parts.append(f"{n} skipped: {reason}")
        return "; ".join(parts) + "."


def visible_cases_by_number(user: User, numbers: list[int]) -> list[Case]:
    """The cases with these numbers that the user may see, in number order."""
    # Past any case number (and any database's integer) is no case at all.
    numbers = sorted({n for n in numbers if 0 < n < 2**31})[:BULK_MAX]
    if not numbers:
        return []
    return list(db.session.scalars(
        sa.select(Case).where(Case.number.in_(numbers), access.visible_cases(user))
        .order_by(Case.number)))


def bulk_update_cases(cases: list[Case], *, actor: User, versions: dict[int, int | None],
                      **values) -> BulkOutcome:
    """Set the same owner, status and/or priority on each case the actor may change, each
    through update_case (history item, workflow rules, version check); skip the others."""
    values = {name: value for name, value in values.items() if value is not None}
    if not values:
        raise ValidationFailed("Choose an owner, a status or a priority to change.")
    if not cases:
        raise ValidationFailed("Select at least one case.")
    outcome, editable = BulkOutcome(), access.editable_case_ids(actor, cases)
    for case in cases:
        if case.id not in editable:
            outcome.skipped.append((case, READ_ONLY))
        elif "owner" in values and not access.can_change_owner(actor, case):
            outcome.skipped.append((case, NOT_REASSIGNABLE))
        else:
            try:
                with db.session.begin_nested():
                    changes = update_case(case, actor=actor,
                                          expected_version=versions.get(case.number),
                                          **values)
            except CaseConflict:
                outcome.skipped.append((case, CHANGED_MEANWHILE))
                continue
            (outcome.changed if changes else outcome.unchanged).append(case)
    return outcome
