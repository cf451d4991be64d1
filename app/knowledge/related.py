"""The case page's Knowledge related list: attached articles and suggestions."""
from app.services.knowledge_cases import case_knowledge

KEY = "knowledge"
LABEL = "Knowledge"
PARTIAL = "knowledge/_case_knowledge.html"
DESCRIPTION = "Articles attached to the case, and articles suggested for its subject."


def load(case, viewer) -> dict:
    """The list's template variables (see knowledge/_case_knowledge.html)."""
    from app.access import can_edit_case

    return {"can_edit": can_edit_case(viewer, case), **case_knowledge(case, viewer)}


def register_related_list() -> None:
    """Add the Knowledge list to the case page's registry (app/cases/related.py)."""
    from app.cases.related import RelatedList, register

    register(RelatedList(key=KEY, label=LABEL, partial=PARTIAL, load=load))
