"""Demo knowledge: a category tree, 40-odd articles of the three starting types (some in
review, some translated into Chinese and Greek), attached to demo cases that match them."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, url_for

from app.extensions import db
from app.models import Case, User
from app.models.knowledge import Article, ArticleType, Category
from app.services import knowledge as kb
from app.services import knowledge_articles as articles
from app.services import knowledge_cases as case_kb

# (category path, case subject word, troubleshooting: (title, symptoms, cause, resolution),
#  FAQ: (question, answer), how-to: (title, summary, steps))
TOPICS = [
    ("Products/Printers", "E-104",
     ("PrintHub stops with error E-104", "The printer stops after every second page and shows "
      "**E-104**.", "Firmware 4.2.x misreads the fuser temperature sensor.",
      "1. Update the firmware to **4.3.2** (Menu → Maintenance → Update).\n2. If E-104 comes "
      "back, replace the fuser unit under warranty."),
     ("Which firmware does the PrintHub need?", "Version 4.3.2 or later fixes E-104 stops."),
     ("Print a configuration page", "The configuration page shows firmware, counters and trays.",
      "1. Press **Menu**.\n2. Choose Reports → Config.\n3. Photograph the page for support.")),
    ("Network/VPN", "VPN",
     ("VPN drops every 10 minutes", "Remote staff lose the tunnel every ten minutes.",
      "The gateway's idle timeout is shorter than the client's keep-alive.",
      "Set the keep-alive to 60 seconds in the SecureLink profile and re-import it."),
     ("Why does the VPN ask me to sign in again?", "Sessions last 12 hours; sign in again "
      "after that."),
     ("Install the SecureLink client", "Install and import your profile in five minutes.",
      "1. Download the client from the portal.\n2. Import the `.slprofile` file.\n3. Connect.")),
    ("Billing/Invoices", "charged twice",
     ("An invoice was charged twice", "The card statement shows the same invoice twice.",
      "A retried payment was captured before the first one settled.",
      "We refund the duplicate within 3 working days; no action is needed from you."),
     ("When is an invoice due?", "Invoices are due 30 days after the invoice date."),
     ("Download an invoice as PDF", "Every invoice is available as a PDF in Billing.",
      "1. Open **Billing → Invoices**.\n2. Choose the invoice.\n3. Click *Download PDF*.")),
    ("Billing/Refunds", "refund",
     ("A refund has not arrived", "The refund shows as issued but the money is not back.",
      "Banks take 5–10 working days to credit card refunds.",
      "Wait 10 working days, then send us the refund reference from the invoice page."),
     ("How do I ask for a refund?", "Reply to your invoice email or open a case with the "
      "invoice number."),
     ("Issue a partial refund", "Agents refund part of an invoice from the invoice page.",
      "1. Open the invoice.\n2. Choose **Refund**.\n3. Enter the amount and a reason.")),
    ("Accounts/Sign-in", "SSO",
     ("Single sign-on loops back to the sign-in page", "After signing in with Azure AD the "
      "browser returns to the sign-in page.", "The reply URL in Azure AD does not match.",
      "Set the reply URL to the one shown under **Admin → Single sign-on** exactly."),
     ("Can we use single sign-on?", "Yes: SAML 2.0 and OpenID Connect are supported."),
     ("Set up single sign-on with Azure AD", "Connect your directory in about 15 minutes.",
      "1. Create an enterprise app.\n2. Copy the metadata URL.\n3. Paste it under Admin → SSO.")),
    ("Accounts/Sign-in", "two-factor",
     ("Locked out after replacing a phone", "Two-factor codes were on the old phone.",
      "The authenticator app was not moved to the new phone.",
      "An admin resets two-factor for the user; the user enrols the new phone at next sign-in."),
     ("Which authenticator apps work?", "Any TOTP app: Authenticator, 1Password, Aegis."),
     ("Reset two-factor for a user", "Admins reset a user's second factor.",
      "1. Open **Admin → Users**.\n2. Choose the user.\n3. Click *Reset two-factor*.")),
    ("Products/Exports", "export",
     ("CSV export stops after 10,000 rows", "Exports are missing rows after the 10,000th.",
      "Large exports run in the background and are emailed when ready.",
      "Use **Export → Email me the file** for more than 10,000 rows."),
     ("Can I export dashboards to PDF?", "Not yet: print the dashboard to PDF from the browser."),
     ("Schedule a nightly export", "Exports can run every night to an SFTP folder.",
      "1. Open **Reports → Exports**.\n2. Choose *Schedule*.\n3. Enter the SFTP details.")),
    ("Products/Backup", "backup",
     ("Nightly backup fails with 0x80070005", "The backup job ends with error 0x80070005.",
      "The backup service account lost write access to the target share.",
      "Give the service account *Modify* rights on the share and rerun the job."),
     ("How long are backups kept?", "Daily backups for 30 days, monthly ones for a year."),
     ("Restore a single file from backup", "Restore one file without a full restore.",
      "1. Open the backup console.\n2. Browse to the date.\n3. Choose *Restore to original*.")),
    ("Network/Phones", "phones",
     ("Desk phones lose registration after a power cut", "Phones show *No service* after "
      "power returns.", "Phones boot before the switch and miss their DHCP lease.",
      "Restart the phones once the switch is up, or enable DHCP retry in the phone profile."),
     ("Can I move my desk phone?", "Yes: plug it into any office socket; it keeps its number."),
     ("Forward calls to a mobile", "Forward your extension when you are away.",
      "1. Press **Forward**.\n2. Dial the mobile number.\n3. Press **OK**.")),
    ("Products/API", "429",
     ("API answers 429 Too Many Requests", "Nightly syncs fail with HTTP 429.",
      "The integration sends more than 600 requests a minute.",
      "Batch the requests and honour the `Retry-After` header."),
     ("What are the API limits?", "600 requests a minute per key; bulk endpoints count once."),
     ("Create an API key", "Keys are created per integration.",
      "1. Open **Admin → API keys**.\n2. Click *New key*.\n3. Copy it: it is shown once.")),
    ("Products/Mobile app", "crashes",
     ("Mobile app crashes on launch", "The app closes as soon as it opens after an update.",
      "A cached session from the previous version cannot be read.",
      "Sign out in Settings, or reinstall the app; your data stays on the server."),
     ("Which phones does the app support?", "iOS 16 and Android 11 or later."),
     ("Turn on push notifications", "Get notified when a case changes.",
      "1. Open **Settings → Notifications**.\n2. Allow notifications.\n3. Pick the events.")),
    ("Products/Imports", "invalid date",
     ("Import fails with 'invalid date format'", "The import stops on row 2 with a date error.",
      "Dates are read as YYYY-MM-DD; the file uses DD/MM/YYYY.",
      "Save the file with ISO dates, or choose the date format on the import screen."),
     ("How large can an import file be?", "Up to 50,000 rows or 20 MB per file."),
     ("Import customers from a spreadsheet", "Bring customers in from CSV.",
      "1. Export the sheet as CSV.\n2. Open **Import**.\n3. Map the columns and run it.")),
    ("Accounts/Roles", "auditor",
     ("An auditor cannot open reports", "The auditor sees *Access denied* on Reports.",
      "The Viewer role does not include reports.",
      "Give the auditor the **Auditor** role: read-only, reports included."),
     ("Can someone have read-only access?", "Yes: the Viewer and Auditor roles change nothing."),
     ("Give an auditor read-only access", "Auditors read everything and change nothing.",
      "1. Open **Admin → Users**.\n2. Invite the auditor.\n3. Choose the Auditor role.")),
    ("Billing/Licences", "licences",
     ("New users cannot sign in: no licence left", "Invited users see *No licence available*.",
      "Every licence on the contract is assigned.",
      "Free a licence from a former user, or ask us to add licences to the contract."),
     ("How do I add user licences?", "Open a case with the number you need; we update the "
      "contract the same day."),
     ("Free a licence from a former employee", "Deactivating a user frees their licence.",
      "1. Open **Admin → Users**.\n2. Choose the user.\n3. Click *Deactivate*.")),
]
TRANSLATIONS = {
    "PrintHub stops with error E-104": {"zh": "PrintHub 出现错误 E-104 并停止",
                                        "el": "Το PrintHub σταματά με σφάλμα E-104"},
    "VPN drops every 10 minutes": {"zh": "VPN 每 10 分钟断开一次"},
    "An invoice was charged twice": {"zh": "发票被重复收费", "el": "Διπλή χρέωση τιμολογίου"},
    "How do I ask for a refund?": {"el": "Πώς ζητώ επιστροφή χρημάτων;"},
}


def seed_knowledge_demo() -> int:
    """Create the demo articles once (none if articles exist or no staff user); return how
    many articles were created."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Article)):
        return 0
    author = db.session.scalar(sa.select(User).where(User.active_staff())
                               .order_by(User.role, User.id))
    if author is None:
        return 0
    kb.seed_article_types()
    settings = kb.stored_knowledge_settings()
    approval, settings.approval_required = settings.approval_required, False
    types = {t.name: t for t in db.session.scalars(sa.select(ArticleType))}
    created = []
    for index, (path, keyword, trouble, faq, howto) in enumerate(TOPICS):
        category = category_for(path)
        for kind, title, fields in (
                ("Troubleshooting", trouble[0], dict(zip(("symptoms", "cause", "resolution"),
                                                          trouble[1:]))),
                ("FAQ", faq[0], {"question": faq[0], "answer": faq[1]}),
                ("How-To", howto[0], {"summary": howto[1], "steps": howto[2]})):
            article = articles.create_article(
                actor=author, article_type=types[kind], title=title, fields=fields,
                categories=[category], channels=["internal", "portal"] +
                (["public"] if kind != "Troubleshooting" else []))
            created.append((article, keyword, kind))
            if kind == "How-To" and index % 4 == 3:
                continue  # left as a draft
            articles.publish_version(article.versions[0], actor=author)
            for language, translated in TRANSLATIONS.get(title, {}).items():
                version = articles.save_draft(article, actor=author, language=language,
                                              title=translated, fields=fields)
                articles.publish_version(version, actor=author)
    settings.approval_required = True
    for article, _keyword, _kind in created[1::9]:
        latest = article.versions[-1]
        version = articles.open_version(article, article.master_language) or \
            articles.save_draft(article, actor=author, language=article.master_language,
                                title=latest.title, fields=latest.fields,
                                change_note="Clearer steps")
        articles.submit_version(version, actor=author)
    settings.approval_required = approval
    attach_to_demo_cases(created, author)
    db.session.flush()
    return len(created)


def category_for(path: str) -> Category:
    """The category at a "Parent/Child" path, creating what is missing."""
    parent = None
    for name in path.split("/"):
        found = db.session.scalar(sa.select(Category).where(
            Category.name == name, Category.parent_id == (parent.id if parent else None))
            if parent else sa.select(Category).where(Category.name == name,
                                                     Category.parent_id.is_(None)))
        parent = found or kb.save_category(None, name=name, parent=parent)
    return parent


def attach_to_demo_cases(created, author: User, per_article: int = 3) -> None:
    """Attach each published troubleshooting article to a few cases about its topic."""
    with current_app.test_request_context():
        for article, keyword, kind in created:
            if kind != "Troubleshooting" or not articles.live_version(article, "en"):
                continue
            cases = db.session.scalars(sa.select(Case).where(Case.subject.ilike(f"%{keyword}%"))
                                       .order_by(Case.id.desc()).limit(per_article))
            link = url_for("knowledge.view_article", slug=article.slug)
            for case in cases:
                case_kb.attach_article(case, article, actor=author, link=link)
