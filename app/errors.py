"""Domain errors that services and access raise and views turn into messages."""


class DomainError(Exception):
    """A rule refused the operation; the message is safe to show."""


class ValidationFailed(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class CaseConflict(DomainError):
    """The case changed since the form was loaded."""

    def __init__(self, case, changes: list[dict]):
        super().__init__("This case was changed by someone else while you were editing it.")
        self.case = case
        self.changes = changes


class AccessDenied(DomainError):
    pass
