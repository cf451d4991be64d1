"""Your own settings: password, time zone and list density, reached from the user menu."""
import sqlalchemy as sa

from app.extensions import db
from app.models import User, UserSession
from tests.conftest import csrf_from, soup
from tests.factories import PASSWORD, make_case

NEW_PASSWORD = "a brand new passphrase"


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "password": new,
        "confirm": new if confirm is None else confirm})


def test_the_user_menu_links_to_your_settings(login, agent):
    page = soup(login(agent).get("/cases/"))
    link = page.select_one(".user-menu a[href='/account/settings']")
    assert link is not None and link.get_text(strip=True) == "Your settings"


def test_the_settings_page_shows_the_current_zone_and_density(login, agent):
    agent.time_zone = "Europe/Athens"
    db.session.commit()
    page = soup(login(agent).get("/account/settings"))
    assert page.find("select", {"name": "time_zone"}).find("option", selected=True)["value"] \
        == "Europe/Athens"
    assert page.find("input", {"name": "list_density", "value": "comfortable"}).has_attr("checked")
    assert len(page.find_all(id="csrf_token")) <= 1


def test_changing_your_password_needs_the_current_one(login, agent):
    client = login(agent)
    refused = change_password(client, current="not my password")
    assert refused.status_code == 422
    assert "not your current password" in soup(refused).find(id="current_password-error").text
    db.session.refresh(agent)
    assert agent.check_password(PASSWORD)


def test_a_new_password_follows_the_admin_length_rule(login, agent):
    refused = change_password(login(agent), new="short")
    assert refused.status_code == 422
    assert "at least 8 characters" in soup(refused).find(id="password-error").text
    mismatch = change_password(login(agent), confirm="something else entirely")
    assert mismatch.status_code == 422
    assert "do not match" in soup(mismatch).find(id="confirm-error").text


def test_changing_your_password_signs_out_your_other_browsers(app, login, agent):
    laptop = login(agent)
    phone = login(agent)
    response = change_password(laptop)
    assert response.status_code == 303
    assert laptop.get("/cases/").status_code == 200
    assert phone.get("/cases/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1
    db.session.expire_all()
    assert db.session.get(User, agent.id).check_password(NEW_PASSWORD)


def test_your_time_zone_changes_how_times_are_shown_and_says_its_name(login, agent):
    from app.services import feed as feed_service

    case = make_case(actor=agent)
    feed_service.add_post(case, actor=agent, body="Called the customer.")
    db.session.commit()
    client = login(agent)
    response = client.post("/account/settings", data={"time_zone": "Europe/Athens",
                                                      "list_density": "comfortable"})
    assert response.status_code == 303
    db.session.refresh(agent)
    assert agent.time_zone == "Europe/Athens"
    listed = soup(client.get("/cases/?view=all")).select_one("td.when time")
    assert listed["title"] == "Europe/Athens"
    page = soup(client.get("/account/settings"))
    assert page.select_one(".hint time")["title"] == "Europe/Athens"
    case_page = soup(client.get(f"/cases/{case.number}"))
    stamps = case_page.select("#case-header time, .feed-item time")
    assert len(stamps) >= 2 and {stamp["title"] for stamp in stamps} == {"Europe/Athens"}


def test_an_unknown_time_zone_is_refused(login, agent):
    response = login(agent).post("/account/settings", data={"time_zone": "Mars/Olympus_Mons",
                                                            "list_density": "compact"})
    assert response.status_code == 422
    assert "Choose a time zone" in soup(response).find(id="time_zone-error").text
    db.session.refresh(agent)
    assert (agent.time_zone, agent.list_density) == ("UTC", "comfortable")


def test_compact_density_marks_the_page_and_subjects_carry_their_full_text(login, agent):
    subject = "A very long subject line " * 6
    make_case(actor=agent, subject=subject.strip())
    db.session.commit()
    client = login(agent)
    assert "density-compact" not in soup(client.get("/cases/?view=all")).body.get("class", [])
    client.post("/account/settings", data={"time_zone": "UTC", "list_density": "compact"})
    page = soup(client.get("/cases/?view=all"))
    assert "density-compact" in page.body["class"]
    assert page.select_one("td.subject a")["title"] == subject.strip()


def test_settings_save_with_csrf_on(app, login, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(agent)
    token = csrf_from(client.get("/account/settings"))
    assert client.post("/account/settings", data={"time_zone": "UTC"}).status_code == 400
    response = client.post("/account/settings", data={"time_zone": "Asia/Tokyo",
                                                      "list_density": "compact",
                                                      "csrf_token": token})
    assert response.status_code == 303
