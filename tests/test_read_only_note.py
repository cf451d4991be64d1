"""A reader of a case is told why they see no controls to change it."""
from app.extensions import db
from app.services.settings import set_case_access
from tests.conftest import soup
from tests.factories import add_team_member, make_case, make_role, make_user

NOTE = "You can read this case; only its owner and Read/Write members can change it."


def test_a_read_only_member_is_told_why_the_controls_are_missing(login, admin):
    set_case_access("private", actor=admin)
    case = make_case(actor=admin)
    reader = make_user(name="Reader", email="reader@example.com")
    add_team_member(case, reader, make_role("Observer", access="read"))
    db.session.commit()
    page = soup(login(reader).get(f"/cases/{case.number}"))
    note = page.select_one(".read-only-note")
    assert note is not None and " ".join(note.get_text().split()) == NOTE
    assert page.select_one("#publisher [role=tab]") is None


def test_an_editor_sees_the_publisher_and_no_note(login, admin):
    case = make_case(actor=admin)
    writer = make_user(name="Writer", email="writer@example.com")
    add_team_member(case, writer, make_role("Lead", access="edit"))
    db.session.commit()
    page = soup(login(writer).get(f"/cases/{case.number}"))
    assert page.select_one(".read-only-note") is None
    assert page.select_one("#publisher [role=tab]") is not None
