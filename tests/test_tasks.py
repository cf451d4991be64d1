"""Tasks: added from the publisher, completed from the feed or the list, and My tasks."""
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import FeedItem, Task
from app.services import feed as feed_service
from tests.conftest import HX, soup
from tests.factories import make_case, make_user


def add_task(client, case, subject="Call the customer", due="", assignee=None, headers=HX,
             **extra):
    data = {"task-subject": subject, "task-due_date": due,
            "task-assignee": str(assignee) if assignee is not None else "", **extra}
    return client.post(f"/cases/{case.number}/feed/tasks", data=data, headers=headers)


def complete(client, case, task, view="feed", headers=HX):
    return client.post(f"/cases/{case.number}/tasks/{task.id}/complete", data={"view": view},
                       headers=headers)


def tasks_of(case) -> list[Task]:
    return list(db.session.scalars(sa.select(Task).where(Task.case_id == case.id)))


def test_adding_a_task_puts_it_at_the_top_of_the_feed(login, agent):
    case = make_case(actor=agent)
    colleague = make_user(name="Casey Colleague")
    db.session.commit()
    due = date.today() + timedelta(days=3)
    response = add_task(login(agent), case, subject="Order a fuser unit", due=due.isoformat(),
                        assignee=colleague.id)
    assert response.status_code == 200
    item = soup(response).select_one("li.feed-item.kind-task")
    card = item.select_one(".task-card")
    assert "Order a fuser unit" in card.get_text()
    assert "Assigned to Casey Colleague" in card.get_text()
    assert f"Due {due.strftime('%d %b %Y')}" in card.get_text()
    (task,) = tasks_of(case)
    assert (task.subject, task.due_date, task.assignee_id, task.created_by_id) == (
        "Order a fuser unit", due, colleague.id, agent.id)
    assert db.session.scalar(sa.select(FeedItem.kind).where(FeedItem.task_id == task.id)) == "task"


def test_the_task_form_offers_only_active_staff(login, agent):
    case = make_case(actor=agent)
    make_user(role="customer", name="Carl Customer")
    make_user(name="Gone Agent").active = False
    db.session.commit()
    page = soup(login(agent).get(f"/cases/{case.number}/feed?publish=task",
                                 follow_redirects=True))
    options = [o.get_text() for o in page.select("select[name=task-assignee] option")]
    assert "Alex Agent" in options
    assert "Carl Customer" not in options and "Gone Agent" not in options
    selected = page.select_one("select[name=task-assignee] option[selected]")
    assert selected.get_text() == "Alex Agent"


def test_a_task_for_a_customer_or_without_subject_is_refused(login, agent):
    case = make_case(actor=agent)
    customer = make_user(role="customer")
    db.session.commit()
    client = login(agent)
    no_subject = add_task(client, case, subject="", assignee=agent.id, due="2030-01-02")
    assert no_subject.status_code == 422
    page = soup(no_subject)
    assert "Subject is required." in page.select_one("#pub-task").get_text()
    assert page.find("input", {"name": "task-due_date"})["value"] == "2030-01-02"
    assert add_task(client, case, assignee=customer.id).status_code == 422
    assert add_task(client, case, assignee=agent.id, due="next week").status_code == 422
    assert tasks_of(case) == []


def test_a_task_added_without_javascript_redirects_back(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = add_task(login(agent), case, assignee=agent.id, headers={})
    assert response.status_code == 303
    assert len(tasks_of(case)) == 1


def test_a_double_submitted_task_is_created_once(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    for _ in range(2):
        add_task(client, case, assignee=agent.id, **{"task-request_key": "task-key"})
    assert len(tasks_of(case)) == 1


def test_completing_a_task_from_the_feed_swaps_the_card(login, agent):
    case = make_case(actor=agent)
    task = feed_service.create_task(case, actor=agent, subject="Send the invoice")
    db.session.commit()
    response = complete(login(agent), case, task)
    assert response.status_code == 200
    page = soup(response)
    card = page.select_one(f"#task-{task.id}")
    assert "done" in card["class"]
    assert card.find("form") is None and "Done" in card.get_text()
    db.session.refresh(task)
    assert task.completed_at is not None and task.completed_by_id == agent.id


def test_completing_a_task_without_javascript_redirects_back(login, agent):
    case = make_case(actor=agent)
    task = feed_service.create_task(case, actor=agent, subject="Send the invoice")
    db.session.commit()
    response = complete(login(agent), case, task, headers={})
    assert response.status_code == 303
    assert f"/cases/{case.number}" in response.headers["Location"]
    list_response = complete(login(agent), case, task, view="list", headers={})
    assert list_response.headers["Location"].endswith("/cases/tasks")


def test_a_task_of_another_case_answers_404_by_id(login, agent):
    mine, theirs = make_case(actor=agent), make_case(actor=agent)
    task = feed_service.create_task(theirs, actor=agent, subject="Not yours through this case")
    db.session.commit()
    assert complete(login(agent), mine, task).status_code == 404
    db.session.refresh(task)
    assert task.completed_at is None


def test_my_tasks_lists_my_open_tasks_overdue_first(login, agent):
    case = make_case(actor=agent, subject="Printer jams")
    other = make_user(name="Olga Other")
    today = date.today()
    later = feed_service.create_task(case, actor=agent, subject="Later",
                                     due_date=today + timedelta(5))
    undated = feed_service.create_task(case, actor=agent, subject="Someday")
    late = feed_service.create_task(case, actor=agent, subject="Late",
                                    due_date=today - timedelta(2))
    done = feed_service.create_task(case, actor=agent, subject="Finished")
    feed_service.complete_task(done, actor=agent)
    feed_service.create_task(case, actor=agent, subject="Olga's", assignee=other)
    db.session.commit()
    response = login(agent).get("/cases/tasks")
    assert response.status_code == 200
    page = soup(response)
    assert page.find("html") is not None and page.select_one("#task-list")
    rows = page.select("#task-list tbody tr")
    assert [r.select_one(".subject").get_text(strip=True) for r in rows] == [
        "Late", "Later", "Someday"]
    assert "overdue-row" in rows[0]["class"] and "Overdue" in rows[0].get_text()
    assert "overdue-row" not in rows[1].get("class", [])
    link = rows[0].find("a", href=f"/cases/{case.number}") or rows[0].find("a")
    assert case.padded_number in link.get_text() and "Printer jams" in link.get_text()
    assert {later.id, undated.id, late.id} == {int(r["id"].split("-")[-1]) for r in rows}


def test_my_tasks_shows_an_empty_state(login, agent):
    page = soup(login(agent).get("/cases/tasks"))
    assert "You are all caught up" in page.select_one("#task-list .empty-state").get_text()


def test_my_tasks_pages_and_answers_htmx_with_the_list_only(login, agent):
    case = make_case(actor=agent)
    for n in range(27):
        feed_service.create_task(case, actor=agent, subject=f"Task {n:02d}",
                                 due_date=date(2031, 1, 1) + timedelta(days=n))
    db.session.commit()
    client = login(agent)
    first = soup(client.get("/cases/tasks"))
    assert len(first.select("#task-list tbody tr")) == 25
    assert "1–25 of 27" in first.select_one(".pager").get_text()
    fragment = client.get("/cases/tasks?page=2", headers=HX)
    page = soup(fragment)
    assert page.find("html") is None
    assert page.select_one("section#task-list")
    assert [r.select_one(".subject").get_text(strip=True) for r in page.select("tbody tr")] == [
        "Task 25", "Task 26"]


def test_completing_from_my_tasks_swaps_the_row(login, agent):
    case = make_case(actor=agent)
    task = feed_service.create_task(case, actor=agent, subject="Ring back")
    db.session.commit()
    client = login(agent)
    row = soup(client.get("/cases/tasks")).select_one(f"#task-row-{task.id}")
    form = row.find("form")
    assert form.find("input", {"name": "view"})["value"] == "list"
    response = client.post(form["hx-post"], data={"view": "list"}, headers=HX)
    swapped = soup(response).select_one(f"tr#task-row-{task.id}")
    assert "done-row" in swapped["class"] and swapped.find("form") is None
    assert soup(client.get("/cases/tasks")).select("#task-list tbody tr") == []
