"""Plausible help-desk text for the seeder: subjects, descriptions, posts and names."""
from __future__ import annotations

import random
from html import escape

PRODUCTS = ("printer", "VPN client", "laptop", "mail server", "router", "payroll export",
            "billing portal", "mobile app", "badge reader", "Wi-Fi", "shared drive",
            "CRM sync", "invoice PDF", "barcode scanner", "SSO login", "backup job",
            "label printer", "phone system", "web shop", "reporting dashboard")
SYMPTOMS = ("stops responding", "shows error E-{n}", "is very slow", "keeps disconnecting",
            "rejects the password", "prints blank pages", "crashes on start", "loses settings",
            "times out", "sends duplicate emails", "shows the wrong totals",
            "cannot be reached", "asks for a licence key", "fails with code {n}",
            "does not sync", "overheats")
EVENTS = ("the last update", "the move to the new office", "a power cut", "this morning",
          "the weekend", "we added new users", "the firmware upgrade", "changing the network",
          "the end-of-month run", "installing the new certificate")
PLACES = ("floor {n}", "the Leeds office", "the warehouse", "reception", "the Berlin branch",
          "all sites", "the finance team", "two of our stores", "the night shift")
OPENERS = ("Hello,", "Hi team,", "Good morning,", "Dear support,", "Hi,")
DETAILS = ("It started {event} and affects {place}.",
           "We restarted it twice but the {product} still {symptom}.",
           "The error appears about every {n} minutes.",
           "Our users in {place} cannot work until this is fixed.",
           "I attached a screenshot of the message we get.",
           "This already happened last month and was fixed by a reboot.",
           "Could someone call me back on the main number?",
           "We are on the {tier} plan, so please treat this as urgent.",
           "The log shows a timeout after {n} seconds.",
           "Nothing changed on our side as far as we know.")
REPLIES = ("Thanks for the details. I am looking into the {product} now.",
           "Could you send the full error message and the time it happened?",
           "I reproduced the problem in our lab; a fix is being tested.",
           "We pushed a configuration change. Please try again and let us know.",
           "Restarting the {product} service cleared the queue; monitoring for {n} minutes.",
           "Escalated to second line because it affects {place}.",
           "The customer confirmed the workaround helps for now.",
           "Called the customer, no answer. Left a voicemail.",
           "Firmware {n}.2 fixes this. Scheduled the update for tonight.",
           "Checked the logs: the {product} ran out of disk space at 03:{n}.",
           "Customer says it works again. Waiting one day before closing.",
           "Root cause: an expired certificate on the {product}.\nRenewed it and tested.")
FIRST = ("Anna", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
         "Kira", "Liam", "Maya", "Noah", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Tara",
         "Umar", "Vera", "Wen", "Xavier", "Yara", "Zoe")
LAST = ("Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito",
        "Jensen", "Kowalski", "Lopez", "Meyer", "Nowak", "Okafor", "Petrov", "Quinn", "Rossi",
        "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Young", "Zimmer")
COMPANY_A = ("Acme", "Northwind", "Blue River", "Summit", "Harbor", "Orion", "Pinecrest",
             "Redwood", "Silverline", "Tandem", "Vertex", "Willow", "Granite", "Lumen")
COMPANY_B = ("Logistics", "Dental", "Foods", "Software", "Retail", "Clinics", "Legal",
             "Engineering", "Hotels", "Bakery", "Print", "Energy", "Motors", "Studios")
TITLES = ("Office manager", "IT lead", "Accountant", "Store manager", "CTO", "Nurse",
          "Receptionist", "Operations", "Buyer", "Owner")


class Text:
    """A seeded generator, so two runs at the same scale build the same data."""

    def __init__(self, seed: int = 42):
        self.rng = random.Random(seed)

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format(n=r.randint(2, 59), product=r.choice(PRODUCTS),
                               symptom=r.choice(SYMPTOMS).format(n=r.randint(100, 999)),
                               event=r.choice(EVENTS),
                               place=r.choice(PLACES).format(n=r.randint(1, 9)),
                               tier=r.choice(("Standard", "Premium", "Enterprise")))

    def subject(self) -> str:
        r = self.rng
        text = f"{r.choice(PRODUCTS).capitalize()} {r.choice(SYMPTOMS)}"
        if r.random() < 0.5:
            text += f" after {r.choice(EVENTS)}"
        return text.format(n=r.randint(100, 999))

    def description(self) -> str:
        r = self.rng
        lines = [r.choice(OPENERS)]
        lines += [self._fill(r.choice(DETAILS)) for _ in range(r.randint(2, 5))]
        return "\n\n".join(lines)

    def reply(self) -> str:
        return "\n\n".join(self._fill(self.rng.choice(REPLIES))
                           for _ in range(self.rng.randint(1, 3)))

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def company(self, n: int) -> str:
        return f"{self.rng.choice(COMPANY_A)} {self.rng.choice(COMPANY_B)} {n}"

    def title(self) -> str:
        return self.rng.choice(TITLES)


def as_html(text: str) -> str:
    """What the markdown renderer makes of plain paragraphs, without paying for it a million times."""
    paragraphs = [escape(p).replace("\n", "<br>\n") for p in text.split("\n\n")]
    return "".join(f"<p>{p}</p>\n" for p in paragraphs)
