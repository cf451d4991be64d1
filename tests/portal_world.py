"""A small world for portal isolation tests: two accounts, their customers, an account admin,
cases with public and internal items of every kind."""
from dataclasses import dataclass, field
from email.message import EmailMessage

from app.extensions import db
from app.services import case_mail, feed as feed_service
from app.services.cases import update_case
from app.services.mail_ingest import ingest_message
from tests.factories import (
    add_team_member, make_account, make_case, make_contact, make_role, make_user,
)
from tests.portal_factories import make_customer


@dataclass
class Side:
    """One customer's things: what the other side must never see."""
    customer: object
    case: object
    public_file_id: int
    internal_file_id: int
    public: list[str] = field(default_factory=list)    # the customer sees, others never
    internal: dict[str, str] = field(default_factory=dict)  # no customer ever sees


def inbound(sender: str, subject: str, body: str, message_id: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@casebook.test"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return msg.as_bytes()


INTERNAL_KINDS = ("internal post", "field change note", "internal email", "task",
                  "internal file", "hidden team member", "email to a third party")


def seed_case(agent, contact, tag: str) -> tuple[object, dict[str, str], int, int]:
    """A case of the contact with one public item of each kind and one internal item of each
    kind; returns the case, the internal texts by kind, and the public and internal file ids."""
    case = make_case(actor=agent, subject=f"{tag} subject line", contact=contact,
                     description=f"{tag} description text")
    feed_service.add_post(case, actor=agent, body=f"{tag} public answer", visibility="public")
    public = feed_service.add_files(case, actor=agent, visibility="public",
                                    uploads=[(f"{tag}-public-plan.txt", b"plan", "text/plain")])
    internal = {
        "internal post": f"{tag} internal post secret",
        "field change note": f"{tag} change note secret",
        "internal email": f"{tag} internal email secret",
        "task": f"{tag} task subject secret",
        "internal file": f"{tag}-internal-file-secret.txt",
        "hidden team member": f"{tag} Hidden Helper",
        "email to a third party": f"{tag} vendor email secret",
    }
    feed_service.add_post(case, actor=agent, body=internal["internal post"])
    update_case(case, actor=agent, expected_version=None, priority="High",
                note=internal["field change note"])
    feed_service.create_task(case, actor=agent, subject=internal["task"])
    hidden = feed_service.add_files(case, actor=agent, visibility="internal",
                                    uploads=[(internal["internal file"], b"x", "text/plain")])
    helper = make_user("agent", name=internal["hidden team member"])
    add_team_member(case, helper, make_role(f"{tag} backstage"))
    add_team_member(case, make_user("agent", name=f"{tag} Visible Val"),
                    make_role(f"{tag} engineer", visible_in_portal=True))
    case_mail.send_case_email(case, actor=agent, to="vendor@supplier.test",
                              subject=f"[Case {case.padded_number}] parts",
                              body=internal["email to a third party"])
    db.session.flush()
    ingest_message(inbound("Val Vendor <vendor@supplier.test>",
                           f"Re: [Case {case.padded_number}] parts", internal["internal email"],
                           f"<{tag.lower().replace(' ', '-')}-vendor@supplier.test>"))
    db.session.flush()
    return case, internal, public.attachments[0].id, hidden.attachments[0].id


@dataclass
class World:
    agent: object
    a: Side           # a customer of account A (not an admin)
    a2: Side          # another contact of account A, with their own case
    b: Side           # a customer of account B
    admin: object     # account admin of account A


def build_world() -> World:
    agent = make_user("agent", name="Andy Agent", email="andy@desk.test")
    account_a, account_b = make_account(name="Alpha Works"), make_account(name="Beta Foods")
    sides = {}
    for key, account, tag in (("a", account_a, "Anna"), ("a2", account_a, "Arno"),
                              ("b", account_b, "Bruno")):
        contact = make_contact(account=account, name=f"{tag} Contact",
                               email=f"{tag.lower()}@{account.name.split()[0].lower()}.test")
        customer = make_customer(contact=contact)
        case, internal, public_id, internal_id = seed_case(agent, contact, tag)
        sides[key] = Side(customer=customer, case=case, public_file_id=public_id,
                          internal_file_id=internal_id, internal=internal,
                          public=[case.subject, f"{tag} description text",
                                  f"{tag} public answer", f"{tag}-public-plan.txt",
                                  contact.email, contact.name])
    admin_contact = make_contact(account=account_a, name="Ada Accountadmin",
                                 email="ada@alpha.test")
    admin = make_customer(contact=admin_contact, account_admin=True)
    db.session.commit()
    return World(agent=agent, admin=admin, **sides)
