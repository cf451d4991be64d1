"""Failed sign-ins slow down the account tried, and only a flood slows down a whole address."""
import re

from app.extensions import db
from tests.conftest import soup
from tests.factories import PASSWORD, make_user

OFFICE = {"REMOTE_ADDR": "203.0.113.7"}


def sign_in(client, email, password, environ=OFFICE):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base=environ)


def test_five_wrong_passwords_for_one_colleague_do_not_stop_another_at_the_same_address(app):
    make_user(email="ann@example.com")
    make_user(email="bob@example.com")
    db.session.commit()
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "ann@example.com", "wrong-password").status_code == 401
    response = sign_in(app.test_client(), "bob@example.com", PASSWORD)
    assert response.status_code == 303


def test_the_sixth_attempt_for_an_account_gets_the_form_with_the_wait(app):
    make_user(email="ann@example.com")
    db.session.commit()
    client = app.test_client()
    for _ in range(5):
        sign_in(client, "ann@example.com", "wrong-password")
    refused = sign_in(client, "ANN@example.com", PASSWORD, {"REMOTE_ADDR": "198.51.100.9"})
    assert refused.status_code == 429
    page = soup(refused)
    assert page.find("form").find("input", {"name": "password"}) is not None
    alert = page.find(attrs={"role": "alert"}).get_text()
    match = re.fullmatch(r"Too many attempts for this account\. Try again in (\d+) seconds\.",
                         alert.strip())
    assert match and 50 <= int(match.group(1)) <= 60, alert


def test_a_correct_password_does_not_count_against_the_account(app):
    make_user(email="ann@example.com")
    db.session.commit()
    for _ in range(8):
        client = app.test_client()
        assert sign_in(client, "ann@example.com", PASSWORD).status_code == 303


def test_an_unknown_address_is_slowed_down_like_a_known_one(app):
    make_user(email="ann@example.com")
    db.session.commit()
    client = app.test_client()
    answers = []
    for email in ("ann@example.com", "nobody@example.com"):
        for _ in range(5):
            sign_in(client, email, "wrong-password")
        refused = sign_in(client, email, "wrong-password")
        answers.append((refused.status_code, soup(refused).find(attrs={"role": "alert"})
                        .get_text().split(" Try again")[0]))
    assert answers[0] == answers[1] == (429, "Too many attempts for this account.")


def test_many_failures_from_one_address_slow_that_address_down(app):
    app.config["SIGNIN_ADDRESS_LIMITS"] = "10 per minute"
    make_user(email="ann@example.com")
    db.session.commit()
    client = app.test_client()
    for n in range(10):
        assert sign_in(client, f"guess{n}@example.com", "wrong-password").status_code == 401
    refused = sign_in(client, "ann@example.com", PASSWORD)
    assert refused.status_code == 429
    assert "Too many attempts from this network" in refused.get_data(as_text=True)
    elsewhere = sign_in(app.test_client(), "ann@example.com", PASSWORD,
                        {"REMOTE_ADDR": "198.51.100.9"})
    assert elsewhere.status_code == 303
