"""Service contracts and entitlements: pages, renew and cancel, templates by customer type,
allowances taken once, and the eligibility check a new case goes through."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.common import utcnow
from app.models.entitlements import Entitlement, ServiceContract
from app.services import entitlement_setup as setup
from app.services import eligibility
from app.services import entitlements as service
from app.services.errors import ValidationFailed
from tests.conftest import HX, IS_POSTGRES, csrf_from, sent_to_portal, soup
from tests.entitlement_factories import make_contract, make_entitlement, make_process
from tests.factories import make_account, make_case, make_contact, make_product, make_user

TODAY = utcnow().date()


@pytest.fixture
def client(login, agent):
    return login(agent)


def test_the_contract_list_starts_empty_as_page_and_fragment(client):
    page = client.get("/entitlements/contracts")
    assert page.status_code == 200 and page.headers["Vary"].find("HX-Request") >= 0
    assert "No service contracts yet" in page.get_data(as_text=True)
    assert soup(page).find(id="contract-results") is not None
    fragment = client.get("/entitlements/contracts?status=active", headers=HX)
    assert fragment.status_code == 200 and soup(fragment).find("html") is None
    assert "No contracts here" in fragment.get_data(as_text=True)


def test_customers_cannot_reach_entitlement_pages(app, login):
    contract = make_contract(name="Northwind premium agreement")
    customer = make_user(role="customer", contact=make_contact())
    db.session.commit()
    page = login(customer).get("/entitlements/contracts")
    assert sent_to_portal(page) and contract.name.encode() not in page.data


def test_an_agent_creates_a_contract_with_a_line(client):
    account, product = make_account(name="Northwind"), make_product(name="Router X")
    db.session.commit()
    response = client.post(f"/entitlements/contracts/new?account={account.id}", data={
        "account_id": account.id, "name": "Gold support", "number": "SC-100",
        "start_date": "2026-01-01", "end_date": "2026-12-31",
        "lines-0-product": product.id, "lines-0-quantity": 3})
    assert response.status_code == 303
    contract = db.session.scalar(sa.select(ServiceContract))
    assert contract.account == account and contract.lines[0].quantity == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gold support" in page and "Router X" in page


def test_a_contract_ending_before_it_starts_is_refused_with_a_message(client):
    account = make_account()
    db.session.commit()
    response = client.post("/entitlements/contracts/new", headers=HX, data={
        "account_id": account.id, "name": "Gold", "number": "SC-1",
        "start_date": "2026-05-01", "end_date": "2026-04-01"})
    assert response.status_code == 422
    assert "cannot be before the start date" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceContract)) == 0


def test_a_duplicate_contract_number_is_refused(client):
    make_contract(number="SC-7")
    account = make_account()
    db.session.commit()
    response = client.post("/entitlements/contracts/new", data={
        "account_id": account.id, "name": "Gold", "number": "SC-7",
        "start_date": "2026-01-01", "end_date": "2026-12-31"})
    assert response.status_code == 422 and "already has the number SC-7" in response.get_data(
        as_text=True)


def test_renewing_starts_a_new_contract_the_day_after_the_old_one_ends(client):
    old = make_contract(number="SC-9", start=TODAY - timedelta(days=364), end=TODAY + timedelta(days=1))
    db.session.commit()
    assert "Renew SC-9?" in client.get(f"/entitlements/contracts/{old.id}/renew").get_data(
        as_text=True)
    response = client.post(f"/entitlements/contracts/{old.id}/renew")
    assert response.status_code == 303
    new = db.session.scalar(sa.select(ServiceContract).where(ServiceContract.number == "SC-9-R1"))
    assert new.start_date == old.end_date + timedelta(days=1)
    assert new.end_date - new.start_date == old.end_date - old.start_date
    assert new.renewed_from_id == old.id and new.status_on(TODAY) == "draft"


def test_cancelling_asks_first_then_ends_the_entitlements_under_it(client):
    contract = make_contract(lines=[service.LineSpec(make_product())])
    entitlement = make_entitlement(account=contract.account, contract_line=contract.lines[0])
    db.session.commit()
    confirm = client.get(f"/entitlements/contracts/{contract.id}/cancel")
    assert "This cannot be undone" in confirm.get_data(as_text=True)
    assert contract.cancelled_at is None
    assert client.post(f"/entitlements/contracts/{contract.id}/cancel").status_code == 303
    db.session.refresh(contract)
    db.session.refresh(entitlement)
    assert contract.status_on(TODAY) == "cancelled" and entitlement.end_date == TODAY


def test_the_expiring_tab_lists_active_contracts_ending_within_30_days(client):
    make_contract(name="Soon over", end=TODAY + timedelta(days=10))
    make_contract(name="Long way", end=TODAY + timedelta(days=200))
    make_contract(name="Already over", start=TODAY - timedelta(days=90),
                  end=TODAY - timedelta(days=1))
    db.session.commit()
    text = client.get("/entitlements/contracts?status=expiring").get_data(as_text=True)
    assert "Soon over" in text and "Long way" not in text and "Already over" not in text
    assert "Ends in 10 days" in text


def test_entitlement_status_is_derived_from_dates_and_cases_left(app):
    account = make_account()
    assert make_entitlement(account=account).status_on(TODAY) == "active"
    assert make_entitlement(account=account, start=TODAY - timedelta(days=20),
                            end=TODAY - timedelta(days=1)).status_on(TODAY) == "expired"
    assert make_entitlement(account=account, allowance=0).status_on(TODAY) == "used up"


def test_an_agent_adds_an_entitlement_to_an_account(client):
    account = make_account(name="Contoso")
    process = make_process(name="Standard process")
    db.session.commit()
    form = client.get(f"/entitlements/accounts/{account.id}/entitlements/new")
    assert "Standard process" in form.get_data(as_text=True)
    response = client.post(f"/entitlements/accounts/{account.id}/entitlements/new", data={
        "name": "Web support", "kind": "web", "start_date": "2026-01-01",
        "end_date": "2099-12-31", "allowance": "5", "process": process.id})
    assert response.status_code == 303
    page = client.get(f"/entitlements/accounts/{account.id}").get_data(as_text=True)
    assert "Web support" in page and "5 of 5 cases left" in page


def test_a_service_level_is_offered_only_to_its_customer_types(client, admin):
    premium = make_account(tier="Premium")
    standard = make_account(tier="Standard")
    template = setup.save_template(None, name="Premium phone support, 1 h first response, 24×7",
                                   kind="phone", term_days=365, allowance=None,
                                   tiers=["Premium"], process=make_process())
    db.session.commit()
    assert "Premium phone support" in client.get(
        f"/entitlements/accounts/{premium.id}").get_data(as_text=True)
    assert "Premium phone support" not in client.get(
        f"/entitlements/accounts/{standard.id}").get_data(as_text=True)
    client.post(f"/entitlements/accounts/{premium.id}/apply-template",
                data={"template": template.id})
    created = db.session.scalar(sa.select(Entitlement).where(Entitlement.account_id == premium.id))
    assert created.name == template.name and created.end_date == TODAY + timedelta(days=364)
    client.post(f"/entitlements/accounts/{standard.id}/apply-template",
                data={"template": template.id})
    assert db.session.scalar(sa.select(Entitlement).where(
        Entitlement.account_id == standard.id)) is None


def test_taking_an_allowance_counts_down_and_refuses_when_used_up(app):
    entitlement = make_entitlement(allowance=1)
    first, second = make_case(), make_case()
    service.take_allowance(entitlement, first)
    assert entitlement.remaining == 0 and entitlement.status_on(TODAY) == "used up"
    with pytest.raises(ValidationFailed, match="no cases left"):
        service.take_allowance(entitlement, second)


def test_a_case_deleted_within_the_hour_gives_its_allowance_back(app):
    entitlement = make_entitlement(allowance=2)
    case, late = make_case(), make_case()
    now = utcnow()
    service.take_allowance(entitlement, case, now)
    service.take_allowance(entitlement, late, now - timedelta(hours=2))
    assert service.give_back_allowance(case, now + timedelta(minutes=30)) is True
    assert service.give_back_allowance(case, now + timedelta(minutes=31)) is False
    assert service.give_back_allowance(late, now) is False
    db.session.refresh(entitlement)
    assert entitlement.remaining == 1


@pytest.mark.skipif(not IS_POSTGRES, reason="two concurrent writers need PostgreSQL")
def test_two_cases_opened_at_once_cannot_both_take_the_last_case(app):
    entitlement = make_entitlement(allowance=1)
    cases = [make_case(), make_case()]
    db.session.commit()
    ids = (entitlement.id, [c.id for c in cases])
    barrier, outcomes = threading.Barrier(2), []

    def worker(case_id):
        with app.app_context():
            from app.models import Case

            ent, case = db.session.get(Entitlement, ids[0]), db.session.get(Case, case_id)
            barrier.wait()
            try:
                service.take_allowance(ent, case)
                db.session.commit()
                outcomes.append("took")
            except ValidationFailed:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(case_id,)) for case_id in ids[1]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "took"]
    db.session.refresh(entitlement)
    assert entitlement.remaining == 0


# Eligibility -------------------------------------------------------------------------------

def test_eligibility_shows_badges_and_preselects_the_only_active_entitlement(client):
    account = make_account()
    active = make_entitlement(account=account, name="Phone support")
    make_entitlement(account=account, name="Old web support", kind="web",
                     start=TODAY - timedelta(days=60), end=TODAY - timedelta(days=1))
    db.session.commit()
    fragment = soup(client.get(f"/entitlements/eligibility?account={account.id}&origin=Web",
                               headers=HX))
    assert fragment.find("html") is None
    assert fragment.find(class_="ent-ok") is not None and fragment.find(class_="ent-bad").text == "Expired"
    chosen = fragment.find("input", attrs={"name": "entitlement_id", "checked": True})
    assert chosen["value"] == str(active.id)
    expired = fragment.find("input", attrs={"name": "entitlement_id", "disabled": True})
    assert expired is not None


def test_eligibility_prefers_the_entitlement_matching_the_channel(app):
    account = make_account()
    make_entitlement(account=account, name="Phone", kind="phone")
    email = make_entitlement(account=account, name="Email", kind="email")
    assert eligibility.eligibility(account, "Email")["chosen"] == email
    assert eligibility.eligibility(account, "Web")["chosen"] is None


def test_eligibility_warns_clearly_when_no_entitlement_is_active(client):
    account = make_account(name="Fabrikam")
    db.session.commit()
    text = client.get(f"/entitlements/eligibility?account={account.id}").get_data(as_text=True)
    assert "Fabrikam has no active entitlement." in text and "say why below" in text


def test_without_an_entitlement_a_reason_is_needed_or_the_case_is_refused(app):
    account = make_account()
    with pytest.raises(ValidationFailed, match="Say why"):
        eligibility.check_eligibility(account, None, "")
    assert eligibility.check_eligibility(account, None, "Goodwill") is None
    eligibility.set_no_entitlement_policy("refuse")
    with pytest.raises(ValidationFailed, match="need an active entitlement"):
        eligibility.check_eligibility(account, None, "Goodwill")


def test_an_expired_or_foreign_entitlement_is_refused(app):
    account = make_account()
    expired = make_entitlement(account=account, start=TODAY - timedelta(days=9),
                               end=TODAY - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="is expired"):
        eligibility.check_eligibility(account, expired)
    with pytest.raises(ValidationFailed, match="another account"):
        eligibility.check_eligibility(make_account(), make_entitlement(account=account))


def test_the_refuse_policy_shows_in_the_fragment_and_is_set_by_admins(app, login, admin, agent):
    account = make_account()
    db.session.commit()
    assert login(agent).post("/entitlements/setup/policy",
                             data={"policy": "refuse"}).status_code == 403
    assert login(admin).post("/entitlements/setup/policy",
                             data={"policy": "refuse"}).status_code == 303
    text = login(agent).get(f"/entitlements/eligibility?account={account.id}").get_data(
        as_text=True)
    assert "Cases cannot be opened without one" in text


def test_creating_a_contract_works_with_csrf_on(app, client):
    account = make_account()
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/entitlements/contracts/new?account={account.id}")
    data = {"account_id": account.id, "name": "Gold", "number": "SC-55",
            "start_date": "2026-01-01", "end_date": "2026-12-31"}
    assert client.post("/entitlements/contracts/new", data=data).status_code == 400
    response = client.post("/entitlements/contracts/new",
                           data=data | {"csrf_token": csrf_from(page)})
    assert response.status_code == 303
