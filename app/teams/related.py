"""The Case Team related list on the case page, registered with the case page's lists."""
from app.cases.related import register
from app.teams.case_routes import case_team_context

register("case_team", "Case Team", "teams/_case_team.html",
         lambda case, user: case_team_context(case, user),
         "Who works on the case, with their role and access.",
         live=False)  # its own swaps keep it fresh; a refresh would shut its open editor
