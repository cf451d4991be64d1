"""The case page's Milestones related list."""


def register_related_list() -> None:
    """Add Milestones to the case page's related lists (app.cases.related's registry)."""
    from app.cases.related import RelatedList, register
    from app.services.milestone_views import milestones_context

    register(RelatedList(key="milestones", label="Milestones",
                         partial="entitlements/_related_milestones.html",
                         load=milestones_context))
