"""The case list: five views with counts, filters, sorting, paging, and no N+1."""
import pytest

from app.extensions import db
from app.models import User
from app.services import cases as case_service
from tests.conftest import HX, sent_to_portal, soup
from tests.factories import make_account, make_case, make_contact, make_user


def numbers(response) -> list[str]:
    """The case numbers in the table, top to bottom."""
    return numbers_in(soup(response))


def numbers_in(page) -> list[str]:
    """The case numbers in a parsed page's table, top to bottom."""
    return [td.get_text(strip=True) for td in page.select("#case-rows td.num")]


def padded(*cases) -> list[str]:
    return [case.padded_number for case in cases]


@pytest.fixture
def client(login, agent):
    return login(agent)


@pytest.fixture
def cases(agent):
    """Mine open, mine closed, someone else's open, an escalated one of someone else's."""
    other = make_user(name="Olga Other", password=None)
    acme = make_account(name="Acme 100% Corp")
    mine = make_case(actor=agent, subject="My printer", account=acme, priority="High")
    mine_closed = make_case(actor=agent, subject="My old case", status="Closed")
    theirs = make_case(actor=other, subject="Their laptop", priority="Low")
    escalated = make_case(actor=other, subject="Server down", status="Escalated",
                          priority="Critical")
    db.session.commit()
    return {"mine": mine, "mine_closed": mine_closed, "theirs": theirs, "escalated": escalated,
            "other": other, "acme": acme}


def test_the_default_view_lists_only_my_open_cases(client, cases):
    response = client.get("/cases/")
    assert response.status_code == 200
    assert numbers(response) == padded(cases["mine"])
    assert soup(response).select_one(".case-views a.active").get_text(" ", strip=True) \
        .startswith("My open cases")


@pytest.mark.parametrize("view, expected", [
    ("mine", ["mine"]),
    ("open", ["escalated", "theirs", "mine"]),
    ("escalated", ["escalated"]),
    ("closed", ["mine_closed"]),
])
def test_each_view_lists_its_cases(client, cases, view, expected):
    response = client.get(f"/cases/?view={view}")
    assert sorted(numbers(response)) == sorted(padded(*(cases[key] for key in expected)))


def test_recently_viewed_lists_the_cases_i_opened_latest_first(client, cases):
    assert numbers(client.get("/cases/?view=recent")) == []
    client.get(f"/cases/{cases['theirs'].number}")
    client.get(f"/cases/{cases['mine_closed'].number}")
    assert numbers(client.get("/cases/?view=recent")) == padded(cases["mine_closed"],
                                                                cases["theirs"])


def test_the_tabs_show_the_count_of_every_view(client, cases):
    client.get(f"/cases/{cases['theirs'].number}")
    page = soup(client.get("/cases/?view=open"))
    counts = {a.get_text(" ", strip=True).rsplit(" ", 1)[0]: a.select_one(".count").text
              for a in page.select(".case-views a")}
    assert counts == {"My open cases": "1", "All open cases": "3", "Recently viewed": "1",
                      "Escalated": "1", "Closed": "1"}


def test_a_tab_count_past_the_cap_reads_as_a_floor(client, cases, monkeypatch):
    from app.services import case_lists

    monkeypatch.setattr(case_lists, "TAB_COUNT_CAP", 2)
    page = soup(client.get("/cases/?view=open"))
    counts = {a.get_text(" ", strip=True).rsplit(" ", 1)[0]: a.select_one(".count").text
              for a in page.select(".case-views a")}
    assert counts["All open cases"] == "2+"
    assert counts["Closed"] == "1"


def test_a_full_page_has_the_filters_and_the_results_container(client, cases):
    page = soup(client.get("/cases/?view=open"))
    assert page.find("html") is not None
    form = page.find("form", id="case-filters")
    assert form["method"] == "get" and form.find("button", type="submit")
    assert page.find(id="case-results") is not None


def test_an_htmx_request_gets_only_the_results(client, cases):
    response = client.get("/cases/?view=open&status=Escalated", headers=HX)
    html = soup(response)
    assert response.status_code == 200
    assert html.find("html") is None and html.find(id="case-filters") is None
    assert html.find(id="case-results") is not None
    assert numbers(response) == padded(cases["escalated"])
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["HX-Push-Url"] == "/cases/?view=open&status=Escalated"


def test_the_pushed_url_drops_empty_and_ignored_parameters(client, cases):
    response = client.get("/cases/?view=open&status=&priority=Bogus&owner=&account=&page=1",
                          headers=HX)
    assert response.headers["HX-Push-Url"] == "/cases/?view=open"


def test_a_boosted_request_gets_the_whole_page(client, cases):
    response = client.get("/cases/?view=open", headers={**HX, "HX-Boosted": "true"})
    assert soup(response).find("html") is not None


@pytest.mark.parametrize("query, expected", [
    ("status=Escalated", ["escalated"]),
    ("priority=Low", ["theirs"]),
    ("owner=me", ["mine"]),
    ("owner=none", []),
    ("account=acme", ["mine"]),
    ("account=100%25", ["mine"]),
    ("account=%25", ["mine"]),
    ("account=_", []),
])
def test_filters_narrow_the_open_cases(client, cases, query, expected):
    response = client.get(f"/cases/?view=open&{query}")
    assert response.status_code == 200
    assert sorted(numbers(response)) == sorted(padded(*(cases[key] for key in expected)))


def test_filtering_by_an_owner_id_lists_their_cases(client, cases):
    response = client.get(f"/cases/?view=open&owner={cases['other'].id}")
    assert sorted(numbers(response)) == sorted(padded(cases["theirs"], cases["escalated"]))


def owner_options(page) -> list[str]:
    return [option.get_text(strip=True) for option in page.select("#filter-owner option")]


def test_the_owner_filter_offers_the_active_agents_by_name_as_they_are_now(client, cases,
                                                                           agent):
    page = soup(client.get("/cases/?view=open"))
    assert owner_options(page) == ["Anyone", "Me", "Unassigned",
                                   *sorted([agent.name, "Olga Other"], key=str.lower)]
    make_user(name="Aaron Newcomer", password=None)
    cases["other"].active = False
    make_user(role="customer", name="Carla Customer", password=None)
    db.session.commit()
    assert owner_options(soup(client.get("/cases/?view=open"))) == [
        "Anyone", "Me", "Unassigned", *sorted(["Aaron Newcomer", agent.name], key=str.lower)]


@pytest.mark.parametrize("who", ["inactive", "customer", "nobody"])
def test_an_owner_id_that_cannot_own_cases_is_ignored_with_a_note(client, cases, who):
    user_id = {"inactive": lambda: cases["other"].id, "nobody": lambda: 999999,
               "customer": lambda: make_user(role="customer", password=None).id}[who]()
    cases["other"].active = who != "inactive"
    db.session.commit()
    page = soup(client.get(f"/cases/?view=open&owner={user_id}"))
    notice = page.select_one(".list-notice").get_text(" ", strip=True)
    assert f"Owner: Choose an owner from the list. (ignored “{user_id}”)" in notice
    assert sorted(numbers_in(page)) == sorted(padded(cases["mine"], cases["theirs"],
                                                     cases["escalated"]))
    assert page.select_one("#filter-owner option[selected]").get_text(strip=True) == "Anyone"


def test_no_matches_shows_an_empty_state_with_a_way_back(client, cases):
    page = soup(client.get("/cases/?view=open&account=nothing-like-this"))
    empty = page.select_one(".empty-state")
    assert "No cases match these filters" in empty.text
    assert empty.find("a", string="Clear filters")["href"] == "/cases/?view=open"


def test_an_empty_view_explains_itself(client):
    page = soup(client.get("/cases/"))
    assert "No open cases are yours" in page.select_one(".empty-state").text


@pytest.mark.parametrize("sort, direction, expected", [
    ("priority", "desc", ["escalated", "mine", "theirs"]),
    ("priority", "asc", ["theirs", "mine", "escalated"]),
    ("subject", "asc", ["mine", "escalated", "theirs"]),
    ("number", "asc", ["mine", "theirs", "escalated"]),
    ("status", "desc", ["escalated", "theirs", "mine"]),
    ("owner", "asc", ["mine", "theirs", "escalated"]),
    ("account", "asc", ["mine", "theirs", "escalated"]),
])
def test_the_list_sorts_by_a_column_either_way(client, cases, sort, direction, expected):
    response = client.get(f"/cases/?view=open&sort={sort}&dir={direction}")
    assert numbers(response)[:len(expected)] == padded(*(cases[key] for key in expected))
    header = soup(response).find("th", attrs={"aria-sort": True})
    assert header["aria-sort"] == ("ascending" if direction == "asc" else "descending")


@pytest.mark.parametrize("column", ["contact", "opened", "updated"])
def test_every_column_can_be_sorted(client, cases, column):
    for direction in ("asc", "desc"):
        response = client.get(f"/cases/?view=open&sort={column}&dir={direction}")
        assert response.status_code == 200 and len(numbers(response)) == 3


def test_sort_links_flip_direction_and_swap_the_results_with_htmx(client, cases):
    page = soup(client.get("/cases/?view=open&sort=subject&dir=asc"))
    link = page.find("th", attrs={"aria-sort": "ascending"}).find("a")
    assert "sort=subject" in link["href"] and "dir=desc" in link["href"]
    assert link["hx-get"] == link["href"] and link["hx-target"] == "#case-results"
    assert link["hx-push-url"] == "true"


def test_the_sort_rides_along_with_the_filter_form(client, cases):
    page = soup(client.get("/cases/?view=open&sort=subject&dir=asc"))
    kept = {i["name"]: i["value"] for i in page.select('input[form="case-filters"]')}
    assert kept == {"sort": "subject", "dir": "asc"}


@pytest.mark.parametrize("query", [
    "sort=password_hash", "sort=subject&dir=sideways", "status=Bogus", "priority=Urgent",
    "owner=999999", "owner=abc", "view=everything", "page=abc", "page=-3", "page=99999999",
    "account=" + "x" * 300, "sort=subject;DROP TABLE cases",
])
def test_nonsense_in_the_query_string_is_ignored_with_a_clear_note(client, cases, query):
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 200
    assert soup(response).find(id="case-results") is not None


def test_an_unknown_sort_key_is_named_in_the_notice(client, cases):
    page = soup(client.get("/cases/?view=open&sort=password_hash"))
    notice = page.select_one(".list-notice").text
    assert "password_hash" in notice and "ignored" in notice
    assert len(page.select("#case-rows tr")) == 3


def test_the_page_is_ascii_when_its_data_is(client, cases):
    """The layout's and the list's own symbols (the title's dot, the sort arrow, the pager's
    dash) are entities: one non-ASCII character made every copy of a page twice the size."""
    response = client.get("/cases/?view=open&sort=subject&dir=asc")
    assert response.data.isascii()
    page = soup(response)
    assert page.title.text == "All open cases \u00b7 Casebook"
    assert page.find("th", attrs={"aria-sort": "ascending"}).find("span").text == "\u25b2"
    assert "1\u20133 of 3" in page.select_one(".pager").text


def test_the_list_pages_through_cases(app, client, agent):
    app.config["CASES_PER_PAGE"] = 3
    made = [make_case(actor=agent, subject=f"Case {n}") for n in range(7)]
    db.session.commit()
    first = client.get("/cases/?sort=number&dir=asc")
    assert numbers(first) == padded(*made[:3])
    assert "1–3 of 7" in soup(first).select_one(".pager").text
    next_link = soup(first).find("a", rel="next")
    assert next_link["hx-target"] == "#case-results" and next_link["hx-push-url"] == "true"
    assert numbers(client.get(next_link["href"])) == padded(*made[3:6])
    assert numbers(client.get("/cases/?sort=number&dir=asc&page=3")) == padded(made[6])
    assert numbers(client.get("/cases/?sort=number&dir=asc&page=40")) == padded(made[6])


def test_a_total_past_the_cap_reads_as_a_floor_and_deep_pages_still_work(app, client, agent,
                                                                         monkeypatch):
    from app.services import case_lists

    monkeypatch.setattr(case_lists, "COUNT_CAP", 3)
    app.config["CASES_PER_PAGE"] = 2
    made = [make_case(actor=agent, subject=f"Case {n}") for n in range(7)]
    db.session.commit()
    first = soup(client.get("/cases/?sort=number&dir=asc"))
    pager = first.select_one(".pager").get_text(" ", strip=True)
    assert "1–2 of 3+" in pager and "Page 1 of 2+" in pager
    assert first.find("a", rel="next").get("aria-disabled") is None
    # Counted from the page's start, the end comes into sight and the total is exact.
    third = client.get("/cases/?sort=number&dir=asc&page=3")
    assert numbers(third) == padded(*made[4:6])
    assert "5–6 of 7" in soup(third).select_one(".pager").get_text(" ", strip=True)
    assert numbers(client.get("/cases/?sort=number&dir=asc&page=40")) == padded(made[6])


def test_each_agent_sees_their_own_cases_under_private_access(login, admin):
    from app.services.settings import set_case_access

    # The list statements are built once and reused with each viewer as a parameter.
    ann, bob = make_user(name="Ann"), make_user(name="Bob")
    ann_case = make_case(actor=ann, subject="Ann's")
    bob_case = make_case(actor=bob, subject="Bob's")
    set_case_access("private", actor=admin)
    db.session.commit()
    for user, case in ((ann, ann_case), (bob, bob_case), (ann, ann_case)):
        client = login(user)
        for view in ("open", "mine"):
            assert numbers(client.get(f"/cases/?view={view}")) == padded(case)
        tabs = soup(client.get("/cases/?view=open")).select(".case-views .count")
        assert [tab.text for tab in tabs] == ["1", "1", "0", "0", "0"]


def test_the_filter_bar_shows_the_filters_in_force(client, cases):
    page = soup(client.get(f"/cases/?view=open&status=Working&owner={cases['other'].id}"))
    chosen = {select["name"]: [o["value"] for o in select.select("option[selected]")]
              for select in page.select("#case-filters select")}
    assert chosen == {"status": ["Working"], "priority": [""],  # "Any priority"
                      "owner": [str(cases["other"].id)]}
    owners = [o.text for o in page.select("#filter-owner option")]
    assert owners[:3] == ["Anyone", "Me", "Unassigned"] and "Olga Other" in owners


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999"])
def test_a_case_number_past_any_case_is_not_found(client, number):
    assert client.get(f"/cases/{number}").status_code == 404


def test_a_subject_with_markup_is_shown_escaped(client, agent):
    make_case(actor=agent, subject="<script>alert(1)</script>")
    db.session.commit()
    response = client.get("/cases/")
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)


def test_the_list_issues_as_many_queries_for_fifty_rows_as_for_five(client, agent,
                                                                     count_queries):
    agent_id = agent.id

    def add_rows(n):
        actor = db.session.get(User, agent_id)
        made = [make_case(actor=actor, owner=make_user(password=None),
                          contact=make_contact()) for _ in range(n)]
        db.session.commit()
        return made

    def measured_list():
        # Requests share the test's session and g: start empty, as a real request does.
        db.session.expunge_all()
        with count_queries() as counter:
            assert len(numbers(client.get("/cases/?view=open"))) == len(rows)
        return counter

    rows = add_rows(5)
    five = measured_list()
    rows += add_rows(45)
    fifty = measured_list()
    assert fifty.count == five.count, fifty.statements


def test_a_page_of_cases_comes_in_one_statement_with_its_counts(client, cases, count_queries):
    """The rows carry the total, the tab counts and the owner choices; an empty page is one
    row of those numbers alone."""
    def listed(path):
        db.session.expunge_all()
        with count_queries() as counter:
            page = soup(client.get(path))
        return page, [statement for statement in counter.statements if "FROM" in statement
                      and "cases" in statement.split("FROM", 1)[1]], counter.count

    full, full_reads, full_count = listed("/cases/?view=open")
    empty, empty_reads, empty_count = listed("/cases/?view=recent")
    assert len(numbers_in(full)) == 3
    assert "1–3 of 3" in full.select_one(".pager").get_text(" ", strip=True)
    assert full.select_one('.case-views a[href*="view=escalated"] .count').text == "1"
    assert len(owner_options(full)) == 5
    assert numbers_in(empty) == [] and empty.select_one(".empty-state") is not None
    assert empty.select_one('.case-views a[href*="view=open"] .count').text == "3"
    assert len(full_reads) == len(empty_reads) == 1, (full_reads, empty_reads)
    assert "count(" in full_reads[0] and "count(" in empty_reads[0]
    assert empty_count == full_count


def test_the_list_only_shows_cases_the_agent_may_see(login, admin, agent):
    from app.services.settings import set_case_access

    other = make_user(password=None)
    hidden = make_case(actor=other, subject="Someone else's secret")
    own = make_case(actor=agent, subject="Mine")
    set_case_access("private", actor=admin)
    db.session.commit()
    assert numbers(login(agent).get("/cases/?view=open")) == padded(own)
    assert numbers(login(admin).get("/cases/?view=open")) == padded(own, hidden)


def test_customers_cannot_reach_the_list(login):
    customer = make_user(role="customer")
    db.session.commit()
    assert sent_to_portal(login(customer).get("/cases/?view=open"))


def test_closing_a_case_moves_it_from_my_view_to_closed(client, agent):
    case = make_case(actor=agent)
    case_service.close_case(case, actor=agent)
    db.session.commit()
    assert numbers(client.get("/cases/")) == []
    assert numbers(client.get("/cases/?view=closed")) == padded(case)


def test_a_row_shows_what_changed_since_the_list_was_last_shown(client, agent):
    """Rendered rows are reused between requests: a renamed account or owner, a new status or
    another time zone must still show at once."""
    from zoneinfo import ZoneInfo

    account = make_account(name="Northwind")
    case = make_case(actor=agent, subject="Badge reader", account=account)
    db.session.commit()
    first = soup(client.get("/cases/")).select_one("#case-rows tr").get_text(" ", strip=True)
    assert "Northwind" in first and agent.name in first

    account.name = "Northwind Traders"
    agent.name = "Renamed Agent"
    agent.time_zone = "Asia/Tokyo"
    case_service.update_case(case, actor=agent, expected_version=None, status="Working")
    db.session.commit()
    row = soup(client.get("/cases/")).select_one("#case-rows tr")
    text = row.get_text(" ", strip=True)
    assert "Northwind Traders" in text and "Renamed Agent" in text and "Working" in text
    opened = case.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert row.select("td.when")[0].get_text(" ", strip=True) == \
        opened.strftime("%d %b %Y %H:%M")
