"""Small factories: each returns a flushed model with sensible defaults."""
from functools import cache
from itertools import count

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Account, Contact
from app.services import cases as case_service
from app.services import users as user_service

_seq = count(1)
PASSWORD = "correct horse battery"


@cache
def _password_hash(password: str) -> str:
    """Hash each test password once: a real hash, without paying for it in every test."""
    return generate_password_hash(password)


def make_user(role="agent", **overrides):
    n = next(_seq)
    values = {"email": f"user{n}@example.com", "name": f"User {n}", "password": PASSWORD}
    values.update(overrides)
    password = values.pop("password")
    user = user_service.create_user(role=role, **values)
    if password:
        user.password_hash = _password_hash(password)
    db.session.flush()
    return user


def make_account(**overrides):
    n = next(_seq)
    account = Account(**({"name": f"Account {n}", "phone": "+1 555 0100", "tier": "Standard"}
                         | overrides))
    db.session.add(account)
    db.session.flush()
    return account


def make_contact(account=None, **overrides):
    n = next(_seq)
    account = account or make_account()
    contact = Contact(**({"account": account, "name": f"Contact {n}",
                          "email": f"contact{n}@customer.test"} | overrides))
    db.session.add(contact)
    db.session.flush()
    return contact


def make_case(actor=None, **overrides):
    actor = actor or make_user()
    values = {"subject": "Printer on floor 3 shows error E-104",
              "description": "The printer stops after every second page."}
    values.update(overrides)
    return case_service.create_case(actor=actor, **values)


def make_product(**overrides):
    from app.models import Product

    n = next(_seq)
    product = Product(**({"name": f"Product {n}", "code": f"P-{n}"} | overrides))
    db.session.add(product)
    db.session.flush()
    return product


def make_asset(account=None, product=None, **overrides):
    from app.models import Asset

    n = next(_seq)
    asset = Asset(**({"account": account or make_account(), "product": product or make_product(),
                      "serial": f"SN-{n:05d}"} | overrides))
    db.session.add(asset)
    db.session.flush()
    return asset


def make_role(name=None, access="read", visible_in_portal=False):
    """A case team role (written directly: the service wants an admin actor)."""
    from app.models import CaseTeamRole

    role = CaseTeamRole(name=name or f"Role {next(_seq)}", access=access,
                        visible_in_portal=visible_in_portal)
    db.session.add(role)
    db.session.flush()
    return role


def make_predefined_team(members=(), **overrides):
    """A predefined team; members is a list of (user or contact, role)."""
    from app.models import PredefinedTeam, PredefinedTeamMember, User

    team = PredefinedTeam(**({"name": f"Team {next(_seq)}", "description": ""} | overrides))
    for person, role in members:
        key = "user" if isinstance(person, User) else "contact"
        team.members.append(PredefinedTeamMember(role=role, **{key: person}))
    db.session.add(team)
    db.session.flush()
    return team


def add_team_member(case, person, role, *, manually=True, teams=()):
    """Put someone on a case's team directly (no feed item), optionally as from teams."""
    from app.models import CaseTeamMember, User

    key = "user" if isinstance(person, User) else "contact"
    member = CaseTeamMember(case_id=case.id, role=role, added_manually=manually,
                            teams=list(teams), **{key: person})
    db.session.add(member)
    db.session.flush()
    return member


def make_email_template(**overrides):
    """An email template saved through the service (so it is validated)."""
    from app.services.workflow_admin import save_template

    n = next(_seq)
    values = {"name": f"Template {n}", "subject": "[Case {{ case.number }}] {{ case.subject }}",
              "body_text": "{{ actor.name }} changed case {{ case.number }}: {{ case.link }}"}
    return save_template(None, **(values | overrides))


def make_workflow_rule(criteria=(), *, template=None, kinds=("admins",), updates=None,
                       **overrides):
    """A workflow rule; criteria is a list of (field, operator, value)."""
    from app.services.workflow_admin import save_rule

    spec = {"kinds": [], "team_role_id": None, "user_ids": [], "addresses": []}
    spec |= kinds if isinstance(kinds, dict) else {"kinds": list(kinds)}
    if template is None and not updates:
        template = make_email_template()
    # Most tests watch the alert their own change fires, so the actor stays a recipient here;
    # the rule form's default (False) is tested on its own.
    values = {"name": f"Rule {next(_seq)}", "criteria": list(criteria), "template": template,
              "recipients": spec if template is not None else None, "updates": updates,
              "notify_actor": True}
    return save_rule(None, **(values | overrides))
