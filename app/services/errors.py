"""Domain errors, kept importable from here for services and views (they live in app.errors)."""
from app.errors import AccessDenied, CaseConflict, DomainError, ValidationFailed

__all__ = ["AccessDenied", "CaseConflict", "DomainError", "ValidationFailed"]
