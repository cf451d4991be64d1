"""The Milestones related list on the case page: each clock, its state, and why it is due."""
from app.cases.related import register
from app.services.milestone_views import milestones_context

register("milestones", "Milestones", "entitlements/_related_milestones.html",
         milestones_context, "Service-level clocks of the case's entitlement, and why each is "
         "due when it is.", lazy=True)
