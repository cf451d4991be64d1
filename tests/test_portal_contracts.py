"""The portal's contracts and entitlements: the customer's own account's, with what is left,
the service level in words and "expires in N days"; another account's never, at any URL."""
from datetime import timedelta

from app.extensions import db
from app.models.common import utcnow
from app.services import entitlements as service
from tests.conftest import soup
from tests.entitlement_factories import (
    WEEKDAYS_9_TO_5, make_calendar, make_contract, make_entitlement, make_process,
)
from tests.factories import make_asset, make_contact, make_product
from tests.portal_factories import make_customer, portal_client


def _today():
    return utcnow().date()


def _own_and_other_account():
    """A customer whose account has a contract (with an entitlement of 5 cases, 2 used, on it)
    and another customer of another account with theirs."""
    me, them = make_customer(), make_customer()
    product = make_product(name="Edge Router X")
    asset = make_asset(account=me.contact.account, product=product, serial="ER-0042")
    contract = make_contract(account=me.contact.account, name="Premier support",
                             number="SC-OURS-1", end=_today() + timedelta(days=12),
                             notes="Replacement hardware ships next business day.",
                             lines=[service.LineSpec(product, 2, asset)])
    calendar = make_calendar(name="Berlin office", zone="Europe/Berlin", windows=WEEKDAYS_9_TO_5)
    process = make_process(calendar=calendar, name="Premier process")
    entitlement = make_entitlement(account=me.contact.account, name="Premier phone support",
                                   allowance=5, process=process, end=contract.end_date,
                                   contract_line=contract.lines[0])
    entitlement.remaining = 3
    make_entitlement(account=me.contact.account, name="Web help desk", kind="web")
    theirs = make_contract(account=them.contact.account, name="Zebra secret agreement",
                           number="SC-THEIRS-9", notes="Zebra discount 40 percent")
    make_entitlement(account=them.contact.account, name="Zebra hotline", allowance=9)
    return me, them, contract, theirs


def test_a_customer_sees_their_contracts_entitlements_allowance_and_expiry(login):
    me, _them, contract, _theirs = _own_and_other_account()
    response = portal_client(login, me).get("/portal/contracts")
    assert response.status_code == 200
    page = soup(response)
    cards = {card.find("h3").get_text(strip=True): card.get_text(" ", strip=True)
             for card in page.select("article.term")}
    assert "3 of 5 cases remaining" in cards["Premier phone support"]
    assert "Expires in 12 days" in cards["Premier phone support"]
    assert "Unlimited cases" in cards["Web help desk"]
    assert "Expires in" not in cards["Web help desk"]
    # The service level in words: targets by priority and the hours the clock runs in.
    assert "First response" in cards["Premier phone support"]
    assert "Mon-Fri 09:00-17:00" in cards["Premier phone support"]
    assert "Europe/Berlin" in cards["Premier phone support"]
    listed = page.find("a", href=f"/portal/contracts/{contract.id}")
    assert "Premier support" in listed.get_text() and "Expires in 12 days" in listed.get_text()
    nav = page.select_one('nav.p-nav a[aria-current="page"]')
    assert nav.get_text(strip=True) == "Contracts"


def test_the_contract_page_shows_its_terms_products_and_entitlements(login):
    me, _them, contract, _theirs = _own_and_other_account()
    page = soup(portal_client(login, me).get(f"/portal/contracts/{contract.id}"))
    text = page.get_text(" ", strip=True)
    assert page.find("h1").get_text(strip=True) == "Premier support"
    assert "SC-OURS-1" in text
    # The contract's notes are the staff's own, written as internal: never shown to customers.
    assert "Replacement hardware ships next business day." not in text
    assert "Edge Router X" in text and "ER-0042" in text
    assert "Premier phone support" in text and "3 of 5 cases remaining" in text
    assert "Web help desk" not in text  # not under this contract
    assert page.select_one('nav.p-nav a[aria-current="page"]').get_text(strip=True) == "Contracts"


def test_another_accounts_contracts_never_appear_and_their_urls_are_404(login):
    me, them, contract, theirs = _own_and_other_account()
    client = portal_client(login, me)
    for url in ("/portal/contracts", f"/portal/contracts/{contract.id}"):
        body = client.get(url).data
        for secret in (b"Zebra", b"SC-THEIRS-9", them.email.encode(),
                       them.contact.account.name.encode()):
            assert secret not in body, (url, secret)
    missing = client.get("/portal/contracts/999999")
    hidden = client.get(f"/portal/contracts/{theirs.id}")
    assert hidden.status_code == missing.status_code == 404
    assert b"Zebra" not in hidden.data
    assert client.get(f"/portal/contracts/{2**40}").status_code == 404
    # And the other way round.
    their_client = portal_client(login, them)
    assert their_client.get(f"/portal/contracts/{contract.id}").status_code == 404
    assert b"Premier" not in their_client.get("/portal/contracts").data


def test_an_account_admin_and_a_colleague_see_the_same_account_contracts(login):
    me, _them, contract, _theirs = _own_and_other_account()
    colleague = make_customer(contact=make_contact(account=me.contact.account))
    admin = make_customer(contact=make_contact(account=me.contact.account), account_admin=True)
    for customer in (colleague, admin):
        client = portal_client(login, customer)
        assert client.get(f"/portal/contracts/{contract.id}").status_code == 200
        assert b"Premier phone support" in client.get("/portal/contracts").data


def test_expired_and_cancelled_contracts_are_listed_apart(login):
    me = make_customer()
    account = me.contact.account
    make_contract(account=account, name="Current plan", number="SC-NOW")
    make_contract(account=account, name="Old plan", number="SC-OLD",
                  start=_today() - timedelta(days=800), end=_today() - timedelta(days=400))
    cancelled = make_contract(account=account, name="Dropped plan", number="SC-DROP")
    service.cancel_contract(cancelled)
    make_entitlement(account=account, name="Old hotline", start=_today() - timedelta(days=90),
                     end=_today() - timedelta(days=1))
    page = soup(portal_client(login, me).get("/portal/contracts"))
    current = page.find(id="contracts-heading").find_parent("section").get_text(" ", strip=True)
    ended = page.find(id="past-heading").find_parent("section")
    rows = {row.find("td").get_text(" ", strip=True): row.get_text(" ", strip=True)
            for row in ended.select("tbody tr")}
    assert "Current plan" in current and "Old plan" not in current and "Dropped" not in current
    assert "Expired" in rows["Old plan SC-OLD"] and "Cancelled" in rows["Dropped plan SC-DROP"]
    assert "Expired" in rows["Old hotline entitlement"]


def test_a_customer_without_contracts_gets_an_empty_state(login):
    other = make_customer()
    make_contract(account=other.contact.account, name="Someone else's plan")
    page = soup(portal_client(login, make_customer()).get("/portal/contracts"))
    empty = page.select_one(".empty")
    assert empty.find("h2").get_text() == "No contracts yet"
    assert "Someone else" not in page.get_text()


def test_staff_and_visitors_do_not_get_the_contracts_pages(login, agent, client):
    me, _them, contract, _theirs = _own_and_other_account()
    db.session.commit()
    for url in ("/portal/contracts", f"/portal/contracts/{contract.id}"):
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/portal/login" in anonymous.headers["Location"]
        staff = login(agent).get(url)
        assert staff.status_code == 302 and staff.headers["Location"] == "/cases/"
        assert b"Premier" not in staff.data


def test_the_contracts_page_reads_in_a_few_queries_however_many_entitlements(login,
                                                                              count_queries):
    me = make_customer()
    process = make_process()
    make_entitlement(account=me.contact.account, process=process, allowance=1)
    client = portal_client(login, me)

    def queries() -> int:
        db.session.commit()
        client.get("/portal/contracts")  # the same warm start each time
        with count_queries() as counter:
            assert client.get("/portal/contracts").status_code == 200
        return counter.count

    few = queries()
    for n in range(10):
        make_entitlement(account=me.contact.account, process=make_process(), allowance=n + 1)
        make_contract(account=me.contact.account)
    assert queries() == few
