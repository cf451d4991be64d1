"""The knowledge search page and the case's Knowledge list read in a few statements, however
many articles and similar cases there are."""
from app.extensions import db
from app.services import knowledge_cases as case_kb
from tests.conftest import HX, soup
from tests.factories import make_case
from tests.knowledge_factories import make_article

LIMIT = 6


def _desk(agent, n: int):
    """n articles about printers, each attached to two cases about printer toner."""
    for i in range(n):
        article = make_article(agent, title=f"Printer toner fix {i}",
                               fields={"question": f"Printer toner {i}?", "answer": "Shake it."})
        for floor in range(2):
            case = make_case(actor=agent, subject=f"Printer toner warning on floor {i}{floor}")
            case_kb.attach_article(case, article, actor=agent, link="/k")
    db.session.commit()


def _statements(client, url, headers, count_queries) -> int:
    client.get(url, headers=headers)
    with count_queries() as counter:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return counter.count


def test_knowledge_search_and_the_case_list_read_in_six_statements_at_most(
        login, agent, count_queries):
    client = login(agent)
    measured = []
    for batch in range(2):
        _desk(agent, 3)
        case = make_case(actor=agent, subject="Printer toner warning again",
                         description="The printer toner light blinks.")
        db.session.commit()
        urls = [("/knowledge/?q=printer", {}), ("/knowledge/?q=printer+toner", HX),
                (f"/cases/{case.number}/related/knowledge", HX)]
        measured.append([_statements(client, url, headers, count_queries)
                         for url, headers in urls])
    listed = soup(client.get(f"/cases/{case.number}/related/knowledge", headers=HX))
    reasons = [li.select_one(".sub").get_text() for li in listed.select(".kb-suggestions li")]
    assert reasons and reasons[0].startswith("attached to 2 similar cases")
    assert measured[0] == measured[1] and max(measured[0]) <= LIMIT, measured
