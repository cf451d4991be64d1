"""Global search: ranking, access, hostile queries, the page and its fragment, the dropdown."""
import pytest

from app.demo.customers import enrich_demo_customers, phone_styles
from app.extensions import db
from app.models import FeedItem, SearchDocument
from app.services import settings as settings_service
from app.services.search import search
from tests.conftest import HX, sent_to_portal, soup
from tests.factories import make_account, make_case, make_contact, make_user
from tests.knowledge_factories import make_article


def result_titles(response, group):
    section = soup(response).find("section", attrs={"aria-labelledby": f"group-{group}"})
    return [a.find(class_="result-title").get_text(" ", strip=True)
            for a in section.select("a.result")] if section else []


def group_order(response):
    return [s["aria-labelledby"].removeprefix("group-")
            for s in soup(response).select("section.search-group")]


@pytest.fixture
def world(app, agent):
    acme = make_account(name="Acme Logistics", phone="+30 210 555 0100", tier="Premium",
                        support_notes="Key customer: escalate outages to the duty manager.")
    maria = make_contact(acme, name="María Papadopoulou", email="maria.p@acme.test",
                         phone="+30 210-555 0199")
    other = make_contact(acme, name="Nikos Mariatos", email="nikos@acme.test", phone="2310 444 111")
    case = make_case(actor=agent, subject="Forklift scanner drops connection",
                     description="The handheld loses wifi near dock 4.", account=acme,
                     contact=maria)
    db.session.commit()
    return {"acme": acme, "maria": maria, "other": other, "case": case}


@pytest.mark.parametrize("text", ["+30 210-555 0199", "2105550199", "5550199", "(210) 555-0199",
                                  "302105550199"])
def test_a_contact_is_found_by_phone_in_any_formatting(login, agent, world, text):
    response = login(agent).get("/search", query_string={"q": text})
    assert response.status_code == 200
    assert result_titles(response, "contacts")[0] == "María Papadopoulou"
    assert group_order(response)[0] == "contacts"


@pytest.mark.parametrize("text", ["", "#", "0000"])
def test_a_case_number_is_found_exactly_and_first(login, agent, world, text):
    number = world["case"].number
    make_case(actor=agent, subject=f"Mentions {number} in the subject")
    db.session.commit()
    q = {"": str(number), "#": f"#{number}", "0000": f"{number:08d}"}[text]
    response = login(agent).get("/search", query_string={"q": q})
    assert group_order(response)[0] == "cases"
    assert result_titles(response, "cases")[0].endswith("Forklift scanner drops connection")


def test_names_match_by_word_start_with_accents_and_case_ignored(login, agent, world):
    client = login(agent)
    for text in ("maria", "MARÍA", "papad", "mar pap"):
        titles = result_titles(client.get("/search", query_string={"q": text}), "contacts")
        assert titles[0] == "María Papadopoulou", text
    # "maria" starts a word of both names; "aria" starts none.
    assert "Nikos Mariatos" in result_titles(client.get("/search?q=maria"), "contacts")
    assert result_titles(client.get("/search?q=aria"), "contacts") == []


def test_an_email_is_found_exactly_or_by_its_start(login, agent, world):
    client = login(agent)
    assert result_titles(client.get("/search?q=maria.p@acme.test"), "contacts") == [
        "María Papadopoulou"]
    assert result_titles(client.get("/search?q=nikos@"), "contacts") == ["Nikos Mariatos"]


def test_full_text_finds_subjects_descriptions_posts_and_notes_after_names(login, agent, world):
    case = world["case"]
    db.session.add(FeedItem(case_id=case.id, kind="post", author=agent, visibility="internal",
                            body="Replaced the antenna on the dock scanner."))
    db.session.commit()
    client = login(agent)
    response = client.get("/search?q=antenna")
    assert result_titles(response, "cases") == [f"{case.number:08d} {case.subject}"]
    snippet = soup(response).select_one("section.search-group .snippet")
    assert snippet.find("mark").get_text() == "antenna"
    assert result_titles(client.get("/search?q=wifi dock"), "cases")
    assert result_titles(client.get("/search?q=duty manager"), "accounts") == [
        "Acme Logistics Premium"]
    # A contact named by the words outranks a case that merely mentions them.
    make_case(actor=agent, subject="Call back María about her order")
    db.session.commit()
    assert group_order(client.get("/search?q=maría"))[0] == "contacts"


def test_reindexing_follows_an_edited_subject(login, agent, world):
    case = world["case"]
    case.subject = "Label printer jams"
    db.session.commit()
    client = login(agent)
    assert result_titles(client.get("/search?q=forklift"), "cases") == []
    assert result_titles(client.get("/search?q=label printer"), "cases")


HOSTILE = ['"', '""', "'", "*", "**", ":", "title:", "-", "- -", "NEAR", "NEAR(a b)", "a AND",
           "OR", "NOT", "((", ")", "(a", "a)", "'; DROP TABLE cases; --", "1 OR 1=1", "%", "_",
           "\\", "😀", "📞 210", "Παπαδόπουλος", "客户服务", "x" * 1000, "a " * 500, "^foo",
           "{a b}", "a:b*", "@", "#", "#abc", "99999999999999999999", "&|!<>", "\x00"]


@pytest.mark.parametrize("text", HOSTILE)
def test_any_query_gives_results_or_an_empty_state(login, agent, world, text):
    client = login(agent)
    response = client.get("/search", query_string={"q": text})
    assert response.status_code == 200
    assert soup(response).find(id="search-results") is not None
    assert client.get("/search/suggest", query_string={"q": text}).status_code == 200


def test_greek_and_chinese_text_is_found(login, agent, world):
    make_case(actor=agent, subject="Ο εκτυπωτής δεν λειτουργεί", description="客户服务 打印机")
    make_contact(name="Γιώργος Παπαδόπουλος")
    db.session.commit()
    client = login(agent)
    assert result_titles(client.get("/search?q=εκτυπωτής"), "cases")
    assert result_titles(client.get("/search?q=γιωργος"), "contacts") == ["Γιώργος Παπαδόπουλος"]


def test_a_private_case_never_shows_in_results_counts_snippets_or_the_dropdown(
        login, agent, admin, world):
    other = make_user(name="Olga Other")
    hidden = make_case(actor=other, subject="Secret merger paperwork",
                       description="Forklift budget for the merger.")
    settings_service.set_case_access("private", actor=admin)
    db.session.commit()
    client = login(agent)
    for q in ("merger", str(hidden.number), "forklift"):
        page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
        assert "Secret merger" not in page and "merger paperwork" not in page
        dropdown = client.get("/search/suggest", query_string={"q": q}).get_data(as_text=True)
        assert "Secret merger" not in dropdown
    forklift = client.get("/search?q=forklift")
    cases = soup(forklift).find("section", attrs={"aria-labelledby": "group-cases"})
    assert cases.find(class_="count-pill").get_text() == "1"
    assert "budget" not in forklift.get_data(as_text=True)


def test_customers_get_no_staff_search(app, login, world):
    customer = make_user(role="customer", name="Carla Customer")
    db.session.commit()
    client = login(customer)
    page = client.get("/search?q=acme")
    assert sent_to_portal(page) and b"Acme" not in page.data
    dropdown = client.get("/search/suggest?q=acme", headers=HX)
    assert dropdown.status_code == 403 and b"Acme" not in dropdown.data


def test_the_search_box_is_on_every_staff_page_and_works_without_javascript(login, agent, world):
    page = soup(login(agent).get("/cases/"))
    form = page.select_one("header .global-search[role=search] form")
    assert form["method"] == "get" and form["action"] == "/search"
    box = form.find("input", attrs={"name": "q"})
    assert box["role"] == "combobox" and box["aria-controls"] == "search-suggestions"


def test_the_page_and_its_fragment(login, agent, world):
    client = login(agent)
    page = client.get("/search?q=acme")
    assert page.headers["Vary"].count("HX-Request") >= 1
    assert soup(page).find("html") and soup(page).find(id="search-results")
    fragment = client.get("/search?q=acme", headers=HX)
    assert soup(fragment).find("html") is None
    assert soup(fragment).find(id="search-results")


def test_the_dropdown_lists_options_and_a_link_to_all_results(login, agent, world):
    response = login(agent).get("/search/suggest?q=5550199")
    options = soup(response).select('[role="option"]')
    assert options[0].get_text(" ", strip=True).startswith("María Papadopoulou")
    assert options[0]["href"] == f"/contacts/{world['maria'].id}"
    assert options[-1]["href"] == "/search?q=5550199"
    assert soup(response).find("html") is None


def test_a_group_has_a_more_link_and_pages(login, agent, world):
    acme = world["acme"]
    for n in range(25):
        make_contact(acme, name=f"Dock Worker {n:02d}", email=f"dock{n}@acme.test")
    db.session.commit()
    client = login(agent)
    everything = client.get("/search?q=dock worker")
    more = soup(everything).select_one("section.search-group .more a")
    assert more["href"] == "/search?q=dock+worker&type=contacts"
    assert len(result_titles(everything, "contacts")) == 5
    first = client.get(more["href"])
    assert len(result_titles(first, "contacts")) == 20
    second = client.get(more["href"] + "&page=2")
    assert len(result_titles(second, "contacts")) == 5
    assert soup(second).select_one("nav.pager")


def test_the_type_filter_shows_one_group(login, agent, world):
    response = login(agent).get("/search?q=acme&type=accounts")
    assert group_order(response) == ["accounts"]


def test_demo_customers_get_varied_phones_and_verification_steps(login, agent):
    account = make_account(name="Northwind", phone="+1 206 555 0142",
                           verification="Ask for the account PIN.")
    contacts = [make_contact(account, name=f"Person {n}", phone="+1 206 555 0171")
                for n in range(4)]
    db.session.commit()
    assert enrich_demo_customers() == 1
    db.session.commit()
    assert account.verification.startswith("Support PIN: ")
    assert "Authorised contacts: Person" in account.verification
    assert "Ask for the account PIN." in account.verification
    assert len({c.phone for c in contacts}) > 1
    assert {c.phone_digits[-10:] for c in contacts} == {"2065550171"}
    assert len(phone_styles("+44 20 7946 0321")) == 4
    client = login(agent)
    for style in phone_styles("+1 206 555 0171"):
        assert result_titles(client.get("/search", query_string={"q": style}), "contacts")


def test_the_reindex_command_rebuilds_the_index(app, agent, world):
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed" in result.output
    _, groups = search(agent, "forklift")
    assert [g.total for g in groups if g.key == "cases"] == [1]


def test_reindex_if_empty_fills_an_upgraded_desk_once_and_then_leaves_it(app, agent, world):
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["search", "reindex", "--if-empty"])
    assert first.exit_code == 0 and "Indexed" in first.output
    again = runner.invoke(args=["search", "reindex", "--if-empty"])
    assert again.exit_code == 0 and again.output == ""
    _, groups = search(agent, "forklift")
    assert [g.total for g in groups if g.key == "cases"] == [1]


def test_published_articles_are_found_and_drafts_and_portal_only_ones_are_not(login, agent):
    make_article(agent, title="Forklift battery will not charge")
    make_article(agent, title="Forklift draft about chargers", publish=False)
    make_article(agent, title="Forklift tips for customers", channels=("portal",))
    db.session.commit()
    client = login(agent)
    assert result_titles(client.get("/search?q=forklift"), "articles") == [
        "Forklift battery will not charge"]
    dropdown = soup(client.get("/search/suggest?q=forklift", headers=HX))
    assert "Forklift battery will not charge" in dropdown.get_text(" ", strip=True)
    assert "draft" not in dropdown.get_text(" ", strip=True)


def test_the_reindex_command_rebuilds_articles_and_case_subjects_too(app, login, agent):
    from app.models.search import CaseSubjectWord
    from app.services import knowledge_cases

    article = make_article(agent, title="Forklift battery will not charge")
    earlier = make_case(actor=agent, subject="Forklift battery flat again")
    knowledge_cases.attach_article(earlier, article, actor=agent, link="/k")
    case = make_case(actor=agent, subject="Forklift battery flat")
    db.session.execute(SearchDocument.__table__.delete())
    db.session.execute(CaseSubjectWord.__table__.delete())
    db.session.commit()
    assert result_titles(login(agent).get("/search?q=forklift"), "articles") == []
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed" in result.output
    assert result_titles(login(agent).get("/search?q=forklift"), "articles") == [
        "Forklift battery will not charge"]
    suggested = knowledge_cases.suggest_articles(case.subject, agent, exclude_case=case)
    assert [s.reasons[0] for s in suggested] == ["attached to 1 similar case"]
