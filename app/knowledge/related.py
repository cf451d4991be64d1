"""The Knowledge related list on the case page: attached articles and suggestions."""
from app.access import can_edit_case
from app.cases.related import register
from app.services.knowledge_cases import case_knowledge


def load(case, viewer) -> dict:
    """The list's template variables (see knowledge/_case_knowledge.html)."""
    return {"can_edit": can_edit_case(viewer, case), **case_knowledge(case, viewer)}


register("knowledge", "Knowledge", "knowledge/_case_knowledge.html", load,
         "Articles attached to the case, and articles suggested for its subject.", lazy=True)
