"""Every model, imported so metadata and migrations see them all."""
from app.models.accounts import TIERS, Account, Asset, Contact, Product
from app.models.cases import (
    CASE_TYPES, FEED_KINDS, OPEN_STATUSES, ORIGINS, PRIORITIES, STATUSES, Attachment, Case,
    Counter, FeedItem, RecentView, Task,
)
from app.models.entitlements import CaseMilestone, Entitlement  # noqa: F401 (loads every entitlements table)
from app.models.feedback import ArticleDeflection, SatisfactionSurvey
from app.models.invitations import Invitation
from app.models.search import SearchDocument
from app.models.settings import Setting
from app.models import knowledge  # noqa: F401  (articles, versions, categories)
from app.models.submissions import FormSubmission
from app.models.teams import (
    ACCESS_LEVELS, CaseTeamMember, CaseTeamRole, PredefinedTeam, PredefinedTeamMember,
)
from app.models.verification import VERIFICATION_METHODS, Verification
from app.models.users import ROLES, STAFF_ROLES, User, UserSession
from app.models.workflow import (
    EVALUATE_ON, EmailTemplate, InboundEmail, OutboxMessage, RuleAction, RuleCriterion,
    WorkflowRule,
)

__all__ = [
    "Account", "Asset", "Attachment", "CASE_TYPES", "Case", "Contact", "Counter", "FEED_KINDS",
    "FeedItem", "Invitation", "OPEN_STATUSES", "ORIGINS", "PRIORITIES", "Product", "ROLES", "RecentView",
    "STAFF_ROLES", "STATUSES", "Setting", "TIERS", "Task", "User", "UserSession",
    "ACCESS_LEVELS", "CaseTeamMember", "CaseTeamRole", "PredefinedTeam", "PredefinedTeamMember",
    "EVALUATE_ON", "EmailTemplate", "InboundEmail", "OutboxMessage", "RuleAction", "RuleCriterion",
    "WorkflowRule", "VERIFICATION_METHODS", "Verification",
    "SearchDocument", "FormSubmission", "ArticleDeflection", "SatisfactionSurvey",
]
