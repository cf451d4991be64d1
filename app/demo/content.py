"""The words of the demo data: companies, people, products and support conversations."""
# Placeholders filled per case: {first} (contact's first name), {agent} (agent's first name),
# {account}, {product}, {serial}, {n}, {invoice}, {amount}, {ticket}, {error}.

STAFF = (
    ("Ada Admin", "admin@casebook.example", "admin", "Europe/London"),
    ("Maya Okafor", "maya@casebook.example", "agent", "Europe/Berlin"),
    ("Tom Lindqvist", "tom@casebook.example", "agent", "Europe/Stockholm"),
    ("Lena Brooks", "lena@casebook.example", "agent", "America/New_York"),
    ("Sam Patel", "sam@casebook.example", "agent", "Asia/Kolkata"),
)
CUSTOMERS = (
    ("Dana Whitfield", "customer1@casebook.example", "Operations Manager"),
    ("Marco Rossi", "customer2@casebook.example", "IT Administrator"),
)

# name, web domain, phone, tier
ACCOUNTS = (
    ("Northwind Logistics", "northwind-logistics", "+1 206 555 0142", "Enterprise"),
    ("Brightwater Dental Group", "brightwaterdental", "+1 503 555 0117", "Premium"),
    ("Harbor & Vine Hotels", "harborandvine", "+1 415 555 0190", "Enterprise"),
    ("Kestrel Aerospace Components", "kestrel-aero", "+44 20 7946 0321", "Enterprise"),
    ("Meridian Credit Union", "meridiancu", "+1 312 555 0176", "Premium"),
    ("Oakridge School District", "oakridge-schools", "+1 865 555 0108", "Standard"),
    ("Pinecrest Veterinary Clinics", "pinecrestvet", "+1 720 555 0133", "Standard"),
    ("Summit Ridge Outfitters", "summitridge", "+1 801 555 0164", "Standard"),
    ("Bluefin Seafood Co.", "bluefinseafood", "+1 207 555 0129", "Standard"),
    ("Cobalt Analytics", "cobalt-analytics", "+49 30 5557 2210", "Premium"),
    ("Juniper Legal LLP", "juniperlegal", "+44 161 496 0754", "Premium"),
    ("Lumen Architecture Studio", "lumen-studio", "+31 20 555 0188", "Standard"),
    ("Riverbend Health Partners", "riverbendhealth", "+1 615 555 0152", "Enterprise"),
    ("Silverline Freight", "silverlinefreight", "+1 713 555 0185", "Premium"),
    ("Tidewater Marine Supply", "tidewatermarine", "+1 757 555 0111", "Standard"),
    ("Verdant Grocers", "verdantgrocers", "+1 512 555 0170", "Premium"),
    ("Alder & Finch Bakery", "alderfinch", "+44 131 496 0012", "Standard"),
    ("Granite Peak Insurance", "granitepeak", "+1 603 555 0147", "Enterprise"),
    ("Halcyon Travel", "halcyontravel", "+61 2 5550 1234", "Standard"),
    ("Ironclad Manufacturing", "ironclad-mfg", "+1 414 555 0196", "Premium"),
    ("Maplewood Property Management", "maplewoodpm", "+1 614 555 0125", "Standard"),
    ("Nimbus Cloud Consulting", "nimbus-consulting", "+49 89 5556 7812", "Premium"),
    ("Orchard Street Pharmacy", "orchardstreetrx", "+1 617 555 0138", "Standard"),
    ("Quarry Lane Books", "quarrylanebooks", "+44 117 496 0873", "Standard"),
    ("Westfield City Library", "westfield-library", "+1 413 555 0161", "Standard"),
)
SUPPORT_NOTES = (
    "Main IT contact works mornings only; escalate afternoon outages to the office manager.",
    "Runs month-end close on the last business day: treat billing and export issues as urgent "
    "that week.",
    "Prefers email over phone. Copy the account owner on anything that needs a decision.",
    "24/7 operation (warehouse shifts). Critical cases may be called in at night.",
    "Strict change control: any configuration change needs a ticket number from their CAB.",
    "Several sites; always ask which location before dispatching anything.",
    "Migrating from on-premise to cloud this quarter. Expect questions about data exports.",
    "Sensitive data (patient records): never ask for screenshots containing personal data.",
    "Small team with no in-house IT; walk them through steps slowly and confirm each one.",
    "Has an outsourced MSP (Bytewise IT) that may call on their behalf; check the caller list.",
    "Renewal due next quarter; the account manager wants to hear about repeated problems.",
    "Very technical admins; happy to receive logs and command-line steps.",
)
VERIFICATION = (
    "Ask for the account PIN (on the welcome letter) and the caller's employee email.",
    "Caller must be on the authorised contacts list; confirm their direct phone number.",
    "Confirm the last four digits of the billing card and the invoice address postcode.",
    "Call back on the main switchboard number above, never on a number the caller gives.",
    "Ask for the serial number of one installed device plus the caller's job title.",
    "Confirm the customer number printed on the latest invoice (starts with CN-).",
    "Two-step: email the contact on file a one-time code and have them read it back.",
    "Only the IT manager or finance director may request licence or billing changes.",
)
FIRST_NAMES = (
    "Aisha", "Ben", "Carmen", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Keiko", "Liam", "Mei", "Noah", "Olivia", "Pavel", "Quinn", "Rosa", "Sven", "Tara",
    "Umar", "Valerie", "Wes", "Ximena", "Yusuf", "Zoe", "Priya", "Felix", "Hannah", "Mateo",
)
LAST_NAMES = (
    "Abbott", "Bergström", "Chen", "Delgado", "Eriksen", "Fischer", "García", "Hughes",
    "Ibrahim", "Jansen", "Kowalski", "Lambert", "Murphy", "Nakamura", "O'Neill", "Petrova",
    "Quintero", "Rahman", "Schmidt", "Thompson", "Ueda", "Varga", "Walsh", "Young", "Zimmer",
)
TITLES = (
    "IT Manager", "Office Manager", "Finance Director", "Systems Administrator",
    "Operations Lead", "Practice Manager", "Head of Customer Service", "Accounts Payable Clerk",
    "Helpdesk Technician", "Chief Operating Officer", "Facilities Coordinator", "Data Analyst",
)
# name, code, serial prefix
PRODUCTS = (
    ("LedgerLine Accounting", "LL-CLOUD", "LL"),
    ("PrintHub MFP 4200", "PH-4200", "PH42"),
    ("SecureLink VPN Gateway", "SL-GW3", "SLG"),
    ("CloudVault Backup", "CV-BKP", "CVB"),
    ("DeskPhone X3", "DP-X3", "DPX3"),
    ("Insight Reports", "IR-PRO", "IRP"),
)

GREETINGS = ("Hi {first},", "Hello {first},", "Dear {first},")
SIGN_OFFS = ("Best regards,\n{agent}", "Thanks,\n{agent}", "Kind regards,\n{agent}",
             "Speak soon,\n{agent}")
CALL_NOTES = ("**Call with {first}:** {text}", "Phoned {first} back. {text}",
              "{first} called in: {text}")

TOPICS = (
    {
        "key": "printer", "product": "PH-4200", "types": ("Problem", "Incident"),
        "subjects": ("Printer on floor {n} shows error E-104 and stops mid-job",
                     "PrintHub keeps stopping with E-104 after every second page",
                     "E-104 on the shared printer: whole team can't print"),
        "description": "Since this morning the PrintHub ({serial}) stops after every second "
                       "page and shows E-104 on the panel. Power-cycling helps for one job. "
                       "About {n}0 people share this printer.",
        "reply": "I'm sorry about the disruption. E-104 points at the fuser temperature sensor "
                 "or a paper path misfeed. Could you check whether the rear access door closes "
                 "fully and tell me which tray the jobs come from?",
        "internal": ("Checked remote telemetry for {serial}:\n\n- fuser temp spikes to 231 °C "
                     "before each stop\n- firmware 4.2.17 (current is 4.3.2)\n\nLooks like the "
                     "known firmware bug, not hardware.",
                     "Pushed firmware **4.3.2** to {serial} remotely; the printer rebooted "
                     "cleanly. Asked the customer to run a test batch of duplex jobs."),
        "ask": "Asked {first} to print the configuration page (Menu → Reports → Config) and "
               "send us a photo of it.",
        "customer": ("Rear door is closed and clicks. Jobs are from tray 2. Photo of the config "
                     "page attached.", "Done, the printer restarted and the first test job "
                                       "went through."),
        "escalate": "Firmware update did not help; dispatching a field engineer to replace the "
                    "fuser unit under warranty.",
        "resolution": "We pushed firmware 4.3.2 to the printer and replaced the fuser under "
                      "warranty. Test prints of 200 duplex pages ran clean. Let us know if E-104 "
                      "comes back.",
        "tasks": ("Schedule field engineer visit for {serial}", "Confirm fuser part number "
                                                                "with logistics"),
        "files": (("config-page.png", "png"), ("printer-events.log", "log")),
    },
    {
        "key": "vpn", "product": "SL-GW3", "types": ("Problem", "Incident"),
        "subjects": ("VPN disconnects every 10 minutes for remote staff",
                     "Remote users keep dropping off the VPN",
                     "SecureLink VPN drops roughly every ten minutes"),
        "description": "Remote staff lose the VPN tunnel roughly every ten minutes and have to "
                       "reconnect. It started on Monday and affects about {n} people, mostly on "
                       "home broadband.",
        "reply": "Thanks for the detail. Drops at a steady interval usually mean a rekey or "
                 "idle timeout mismatch. Could you send the client log from one affected "
                 "laptop (Help → Export diagnostics)?",
        "internal": ("Gateway {serial} config:\n\n```\nike-lifetime 600\ndpd-interval 30\n```\n"
                     "`ike-lifetime` was changed from 28800 to 600 last week. That matches the "
                     "10-minute drops.",
                     "Set `ike-lifetime` back to 28800 on {serial} and saved the config. "
                     "Watching the tunnel table for the next hour."),
        "ask": "Asked {first} for the client diagnostics bundle and the time of the last drop.",
        "customer": ("Diagnostics bundle attached. Last drop was at 09:42 for Jonas.",
                     "Confirmed: nobody has dropped off since this morning."),
        "escalate": "Tunnel drops continue after the lifetime fix; escalating to network "
                    "engineering to look at the gateway's NAT table.",
        "resolution": "The gateway's IKE lifetime had been set to 10 minutes. We restored the "
                      "default of 8 hours and staff have stayed connected all day. Nothing "
                      "needs changing on the laptops.",
        "tasks": ("Review gateway change log with their MSP", "Send VPN best-practice guide"),
        "files": (("vpn-client.log", "log"), ("tunnel-status.png", "png")),
    },
    {
        "key": "invoice", "product": "LL-CLOUD", "types": ("Question", "Problem"),
        "subjects": ("Invoice {invoice} was charged twice",
                     "Duplicate card payment for invoice {invoice}",
                     "We were billed twice this month ({invoice})"),
        "description": "Our card statement shows two charges of {amount} for invoice {invoice} "
                       "on the same day. Please refund the duplicate; finance needs this "
                       "before month-end.",
        "reply": "Apologies for the double charge. I can see two payment attempts against "
                 "{invoice}; I've asked our billing team to confirm which one settled. You'll "
                 "hear from me within one business day.",
        "internal": ("Billing system shows:\n\n| attempt | status | amount |\n|---|---|---|\n"
                     "| 1 | settled | {amount} |\n| 2 | settled | {amount} |\n\nRetry job ran "
                     "after a gateway timeout. Refund #2.",
                     "Refund issued in the payment portal, reference RF-{ticket}. Takes 3–5 "
                     "business days to reach the card."),
        "ask": "Asked {first} to confirm the last four digits of the card so we refund the "
               "right one.",
        "customer": ("It's the Visa ending 4417. Thanks for looking into it so quickly.",
                     "Our finance team confirms the refund arrived today."),
        "escalate": "Customer asked for a credit note as well as the refund; needs sign-off "
                    "from the finance lead.",
        "resolution": "We refunded the duplicate payment of {amount} (reference RF-{ticket}) "
                      "and fixed the retry job that caused it. A corrected statement is "
                      "attached for your records.",
        "tasks": ("Check refund RF-{ticket} has settled", "Send corrected statement to finance"),
        "files": (("invoice-lines.csv", "csv"),),
    },
    {
        "key": "sso", "product": "LL-CLOUD", "types": ("Problem", "Incident"),
        "subjects": ("SSO sign-in loops back to the login page (Azure AD)",
                     "Some users stuck in a sign-in loop after enabling SSO",
                     "Single sign-on sends half the team back to the login page"),
        "description": "Since we turned on single sign-on, some users are sent back to the "
                       "login page after authenticating with Microsoft. Others get in fine. "
                       "Affected users see no error message.",
        "reply": "Thanks for reporting this. A loop after a successful identity provider "
                 "sign-in usually means the email claim doesn't match the user's address in "
                 "LedgerLine. Could you send one affected user's sign-in time so I can trace it?",
        "internal": ("SAML trace for an affected user: `NameID` is the UPN "
                     "(`j.smith@{account_domain}.onmicrosoft.com`), not the primary email. "
                     "Mapping must use the `emailaddress` claim.",
                     "Steps for the customer:\n\n1. Enterprise apps → LedgerLine → "
                     "Single sign-on\n2. Attributes & Claims → Unique User Identifier\n3. "
                     "Set to `user.mail`"),
        "ask": "Asked {first} for a screenshot of the Attributes & Claims page in Azure.",
        "customer": ("Screenshot attached. We changed the identifier to user.mail as suggested.",
                     "Everyone can sign in now, including the new starters."),
        "escalate": "Mapping is correct but loop persists for 3 users: escalating to the "
                    "identity team to inspect session cookies on our side.",
        "resolution": "The sign-in loop was caused by the user identifier claim sending the "
                      "UPN instead of the email address. After switching it to user.mail, "
                      "all users sign in normally.",
        "tasks": ("Add claim mapping check to SSO onboarding checklist",
                  "Check the account's other Azure tenants for the same mapping"),
        "files": (("claims-config.png", "png"),),
    },
    {
        "key": "export", "product": "IR-PRO", "types": ("Problem", "Question"),
        "subjects": ("CSV data export is missing rows after the 10,000th",
                     "Transaction export stops at 10,000 rows",
                     "Export for the auditors is incomplete"),
        "description": "Our monthly export of transactions from Insight Reports stops at "
                       "10,000 rows, but the report shows {n}4,312. We need the full data set "
                       "for the auditors.",
        "reply": "Thanks for flagging this. Interactive exports are capped at 10,000 rows; the "
                 "full set is available as a background export. I'll check whether the cap "
                 "should have been lifted on your plan.",
        "internal": ("Their plan includes *unlimited exports* but the tenant flag "
                     "`export.max_rows` is still 10000 from the trial. Fix:\n\n```\n"
                     "tenant set {account_domain} export.max_rows=0\n```",
                     "Re-ran the export on our side after lifting the flag: {n}4,312 rows, "
                     "matching the report total."),
        "ask": "Asked {first} which report and date range they used, so we can reproduce it.",
        "customer": ("It's the 'Transactions by cost centre' report, 1 to 31 of last month.",
                     "The new export has all rows. Thank you!"),
        "escalate": "Background export also truncates: escalating to the reporting team as a "
                    "possible bug in pagination.",
        "resolution": "Your account still had the export limit from the trial. We removed "
                      "it, and exports now include every row of the report.",
        "tasks": ("Re-run the export and compare row counts", "Audit other tenants for the "
                                                              "trial export flag"),
        "files": (("export-sample.csv", "csv"),),
    },
    {
        "key": "outage", "product": "LL-CLOUD", "types": ("Incident",),
        "subjects": ("LedgerLine shows 502 Bad Gateway for all users",
                     "Cannot reach LedgerLine: 502 errors on every page",
                     "LedgerLine down for the whole office"),
        "description": "Nobody in the office can reach LedgerLine: every page returns "
                       "502 Bad Gateway. It started about twenty minutes ago. Payroll has to "
                       "run today.",
        "reply": "We're aware of an issue affecting some customers in the EU region and our "
                 "engineers are working on it. I'll update you here at least every 30 "
                 "minutes.",
        "internal": ("Status page incident INC-{ticket} opened. Load balancer health checks "
                     "failing on 2 of 6 app nodes after the 08:00 deploy.",
                     "Rollback completed 09:12 UTC. Error rate back to baseline. Keeping the "
                     "case open until the customer confirms."),
        "ask": "Asked {first} to confirm that pages load again and payroll can run.",
        "customer": ("It's working again here. Payroll is running now.",
                     "Thanks for the report, we've shared it with our management."),
        "escalate": "Customer impact on payroll: escalated to the incident manager and "
                    "account team.",
        "resolution": "The outage was caused by a faulty deployment at 08:00 UTC and was "
                      "resolved by rolling it back at 09:12 UTC. The incident report is "
                      "attached. We're sorry for the disruption on a payroll day.",
        "tasks": ("Send incident report INC-{ticket} to the customer",
                  "Offer service credit per SLA"),
        "files": (("incident-report.txt", "log"), ("error-rate.png", "png")),
    },
    {
        "key": "lockout", "product": "LL-CLOUD", "types": ("Question", "Problem"),
        "subjects": ("Locked out after replacing phone (two-factor codes lost)",
                     "New phone, no authenticator app: please reset 2FA",
                     "Can't sign in: lost my two-factor device"),
        "description": "{contact} got a new phone and no longer has the authenticator app, "
                       "so cannot sign in. Recovery codes were not saved. Please reset "
                       "two-factor authentication.",
        "reply": "I can help with that. For your security I need to verify the request first; "
                 "I'll call the number we have on file for your account in the next hour.",
        "internal": ("Identity verified by call-back to the main switchboard, per the account's "
                     "verification rules.", "2FA reset done. User must enrol a new device at "
                                            "next sign-in."),
        "ask": "Waiting for {first} to confirm the call-back time.",
        "customer": ("I'm at my desk until 4pm, any time before then works.",
                     "I'm back in and set up the new authenticator. Thanks!"),
        "escalate": "Verification failed twice (caller not on contact list); escalating to "
                    "security for review.",
        "resolution": "Two-factor authentication was reset after verifying your identity. "
                      "Please save the new recovery codes somewhere safe, such as your "
                      "password manager.",
        "tasks": ("Call back on the switchboard number to verify identity",),
        "files": (),
    },
    {
        "key": "mail", "product": "LL-CLOUD", "types": ("Problem",),
        "subjects": ("Invoice emails from LedgerLine land in customers' spam folders",
                     "Our invoice emails are going to junk"),
        "description": "Several of our customers say our invoice emails go to spam. They are "
                       "sent from LedgerLine using our own domain {account_domain}.example.",
        "reply": "Thanks for the heads-up. That usually comes down to SPF and DKIM records for "
                 "your domain. I'll check what your DNS currently publishes and send you the "
                 "records to add.",
        "internal": ("DNS check for their domain:\n\n- SPF: `v=spf1 include:_spf.google.com "
                     "~all` (missing our include)\n- DKIM: no `ll1._domainkey` record\n- DMARC: "
                     "`p=quarantine`\n\nSo DMARC quarantines our sends. Expected.",),
        "ask": "Sent {first} the SPF include and DKIM record; waiting for their DNS change.",
        "customer": ("Our IT partner added both records this afternoon.",
                     "Test invoices now arrive in the inbox at Gmail and Outlook."),
        "escalate": "Records correct but Outlook still junks mail: escalating to the email "
                    "delivery team to check our sending IP reputation.",
        "resolution": "Your domain's SPF and DKIM records now authorise LedgerLine to send on "
                      "your behalf, and DMARC checks pass. Invoice emails should land in "
                      "inboxes from now on.",
        "tasks": ("Verify DKIM record propagation",),
        "files": (("dns-check.txt", "log"),),
    },
    {
        "key": "backup", "product": "CV-BKP", "types": ("Problem", "Incident", "Question"),
        "subjects": ("Nightly backup failed with error 0x80070005",
                     "CloudVault backup fails every night: access denied",
                     "File server backup failing for three nights"),
        "description": "CloudVault reports the nightly backup of the file server failed for "
                       "the third night in a row with error 0x80070005 (access denied).",
        "reply": "Thanks for the report. 0x80070005 means the backup agent's service account "
                 "lost permission to some folders. Has anything changed on the file server's "
                 "permissions or service accounts recently?",
        "internal": ("Agent log shows access denied on `D:\\Shares\\Finance\\2024`. Folder "
                     "was re-permissioned on the 3rd; the `svc-cloudvault` account isn't in the "
                     "new ACL.",
                     "Ran a manual incremental from the console after the permission fix: "
                     "finished in 14 minutes with 0 errors."),
        "ask": "Asked {first} to add svc-cloudvault with read access to the Finance share and "
               "tell us when it's done.",
        "customer": ("Permissions added. Tonight's backup should tell us.",
                     "Last night's backup completed with no warnings."),
        "escalate": "Backup still fails after permission fix; escalating to CloudVault "
                    "engineering with the agent logs.",
        "resolution": "The backup service account had lost access to the Finance share when "
                      "its permissions were changed. With access restored, the last three "
                      "nightly backups completed successfully.",
        "tasks": ("Verify tonight's backup completed", "Run a test restore to an "
                                                       "alternate path"),
        "files": (("agent-backup.log", "log"),),
    },
    {
        "key": "phones", "product": "DP-X3", "types": ("Problem", "Incident"),
        "subjects": ("Desk phones lose registration after the power cut",
                     "Half the desk phones show 'No service' since last night",
                     "DeskPhone X3 handsets not registering after the outage"),
        "description": "After a short power cut last night, about {n} DeskPhone X3 handsets "
                       "show 'No service' and cannot make calls. The rest are fine.",
        "reply": "Sorry to hear that. Phones that lost power at the same time as the router "
                 "sometimes keep a stale address. Could you check whether the affected phones "
                 "show an IP address under Menu → Status?",
        "internal": ("Affected handsets got 169.254.x.x addresses: DHCP scope on their "
                     "router was exhausted after the restart (lease time 8 days).",
                     "Cleared the stale leases remotely and shortened the lease time to 8 "
                     "hours; the affected phones re-registered within minutes."),
        "ask": "Asked {first} to reboot one affected phone and read out its status screen.",
        "customer": ("Status shows 169.254.12.40 on the phone in reception.",
                     "All phones have service again after we restarted the router."),
        "escalate": "Handsets still unregistered after DHCP fix; escalating to voice "
                    "engineering to check the SIP registrar.",
        "resolution": "The router ran out of network addresses after the power cut. We "
                      "shortened the lease time and cleared old leases, and all handsets "
                      "registered again.",
        "tasks": ("Send DHCP lease guidance for their router",),
        "files": (("phone-status.png", "png"),),
    },
    {
        "key": "licence", "product": "LL-CLOUD", "types": ("Question",),
        "subjects": ("Please add {n} user licences for new hires",
                     "Need {n} more LedgerLine licences",
                     "Licence increase for new starters next month"),
        "description": "We're hiring {n} people next month and need more LedgerLine "
                       "licences. Can you add them to our subscription and tell us the cost?",
        "reply": "Happy to help. I've asked our accounts team for a pro-rated "
                 "quote for {n} licences; you'll have it by tomorrow.",
        "internal": ("Pro-rated cost: {n} × 19.00 × 7/12 months. Needs approval from the "
                     "finance director per the account's verification rules.",),
        "ask": "Sent the quote to {first}; waiting for the signed order form.",
        "customer": ("Signed order form attached. Please go ahead.",
                     "The new users can all sign in. Thanks for the quick turnaround."),
        "escalate": "Customer asks for a volume discount: passing to the account manager.",
        "resolution": "{n} licences were added to your subscription; the pro-rated amount "
                      "will appear on your next invoice. New users can be invited from "
                      "Settings → Users.",
        "tasks": ("Send pro-rated quote", "Apply licences once order form arrives"),
        "files": (("licence-quote.csv", "csv"),),
    },
    {
        "key": "api", "product": "LL-CLOUD", "types": ("Problem", "Question"),
        "subjects": ("API returns 429 Too Many Requests during nightly sync",
                     "Nightly sync aborts with HTTP 429",
                     "Rate limited by the API during the warehouse sync"),
        "description": "Our nightly sync to the warehouse system gets HTTP 429 from the "
                       "LedgerLine API after a few hundred requests and the sync aborts.",
        "reply": "Thanks for the details. The API allows 120 requests per minute per token; "
                 "a 429 includes a Retry-After header your sync should honour. I'll check "
                 "your recent traffic to see the pattern.",
        "internal": ("Their token sent 2,400 requests in 60 s at 02:00 UTC. No back-off. "
                     "Suggest the bulk endpoint `/v2/invoices?updated_since=` instead of "
                     "one call per invoice.",
                     "Checked again after their change: peak is now 45 requests a minute, "
                     "well under the limit."),
        "ask": "Shared the bulk endpoint docs with {first}; waiting for their developer to "
               "try it.",
        "customer": ("Our developer switched to the bulk endpoint; the sync now takes 4 "
                     "minutes instead of 40.", "No 429s last night. You can close this."),
        "escalate": "Customer requests a temporary rate-limit increase: needs approval from "
                    "platform engineering.",
        "resolution": "The sync was making one request per invoice and hit the rate limit. "
                      "Switching to the bulk endpoint with Retry-After handling fixed it.",
        "tasks": ("Check tonight's API logs for 429s",),
        "files": (("api-requests.csv", "csv"),),
    },
    {
        "key": "howto", "product": "IR-PRO", "types": ("Question",),
        "subjects": ("How do we give an auditor read-only access to reports?",
                     "Read-only access for our external auditors",
                     "Can auditors view reports without edit rights?"),
        "description": "Our external auditors need to see the financial reports for last "
                       "year but must not be able to change anything. What's the best way?",
        "reply": "Good question. The built-in *Viewer* role does exactly that: read-only "
                 "access to reports and dashboards. I'll send you the steps.",
        "internal": ("Pointed them to the knowledge article on roles. Might be worth adding a "
                     "short *Auditor access* how-to.",),
        "ask": "Sent {first} the step-by-step guide; waiting to hear whether it worked.",
        "customer": ("That worked, the auditors can see everything they need.",),
        "escalate": "Customer needs field-level restrictions the Viewer role can't do: raising "
                    "with product management.",
        "resolution": "Create a user with the Viewer role under Settings → Users and share "
                      "the reports folder with them. Viewers can read and export but never "
                      "edit.",
        "tasks": ("Draft a knowledge article on auditor access",),
        "files": (),
    },
    {
        "key": "feature", "product": "IR-PRO", "types": ("Feature Request",),
        "subjects": ("Feature request: export dashboards to PDF",
                     "Can dashboards be exported to PDF?",
                     "PDF export for the monthly board pack"),
        "description": "It would save our managers a lot of time if dashboards could be "
                       "exported to PDF for the monthly board pack. Today we take "
                       "screenshots.",
        "reply": "Thanks for the suggestion. I've logged it with our product team "
                 "and added your use case (monthly board pack). I'll keep you posted.",
        "internal": ("Linked to product idea IDEA-{ticket} (now {n}7 votes). Customer is "
                     "happy to join a beta.",),
        "ask": "Asked {first} which page size and orientation the board pack uses.",
        "customer": ("A4 landscape, one dashboard per page.",),
        "escalate": "Enterprise customer requests a roadmap date: passing to product "
                    "management.",
        "resolution": "PDF export for dashboards is on the roadmap for next quarter. We've "
                      "added you to the beta list and will contact you when it opens.",
        "tasks": ("Add customer to the PDF export beta list",),
        "files": (),
    },
    {
        "key": "mobile", "product": "LL-CLOUD", "types": ("Problem",),
        "subjects": ("Mobile app crashes on launch after the latest update",
                     "LedgerLine app closes immediately on iPhone",
                     "App crash on startup since this morning's update"),
        "description": "Since updating the LedgerLine app this morning it closes immediately "
                       "on launch for several of our staff. Reinstalling didn't help.",
        "reply": "Sorry about that. Could you tell me the phone model and OS version of an "
                 "affected user, and the app version (shown in the App Store listing)?",
        "internal": ("Crash reports: all on app 5.12.0 with a cached session from 5.11. Known "
                     "issue MOB-{ticket}; hotfix 5.12.1 is in review.",),
        "ask": "Asked {first} for phone models and OS versions of affected users.",
        "customer": ("iPhone 13 and 14, both on the latest iOS. App version 5.12.0.",
                     "The update from the App Store fixed it for everyone."),
        "escalate": "Crash also hits Android: escalating to the mobile team.",
        "resolution": "Version 5.12.1 of the app fixes the crash on launch. Please update "
                      "from the App Store; no data was lost.",
        "tasks": ("Notify customer when 5.12.1 is released",),
        "files": (("crash-screenshot.png", "png"),),
    },
    {
        "key": "import", "product": "LL-CLOUD", "types": ("Problem", "Question"),
        "subjects": ("Customer import fails with 'invalid date format' on row 2",
                     "CSV import of {n}00 customers rejected",
                     "Bulk import says every date is invalid"),
        "description": "We're importing our customer list from the old system as CSV and "
                       "LedgerLine rejects the whole file with 'invalid date format on row 2'. "
                       "The dates look fine to us.",
        "reply": "Thanks for the details. The importer expects ISO dates (2024-03-31). Files saved "
                 "from Excel in some regions use 31/03/2024 instead. Could you send the first "
                 "few rows so I can confirm?",
        "internal": ("Sample rows use `31.03.2024` (German locale). The importer has a "
                     "*date format* option under **Advanced**; it's just not obvious.",
                     "Tested their file with the `DD.MM.YYYY` option on our sandbox: all rows "
                     "import, 3 duplicates flagged."),
        "ask": "Asked {first} to send the first ten rows of the file (personal data removed).",
        "customer": ("Sample attached, I removed the names and emails.",
                     "Import finished: everything is in, and the 3 duplicates were ours."),
        "escalate": "Import still fails with the right date format: escalating to the "
                    "platform team as a possible encoding issue (file is UTF-16).",
        "resolution": "Choose 'DD.MM.YYYY' under Import → Advanced → Date format and the file "
                      "imports cleanly. We've also asked the product team to detect the format "
                      "automatically.",
        "tasks": ("Suggest automatic date-format detection to product",),
        "files": (("import-sample.csv", "csv"),),
    },
    {
        "key": "privacy", "product": "LL-CLOUD", "types": ("Question",),
        "subjects": ("Data subject request: delete a former employee's personal data",
                     "GDPR erasure request for an ex-customer",
                     "How long do you keep deleted users' data?"),
        "description": "We received an erasure request from a former employee. Please confirm "
                       "how we remove their personal data from LedgerLine, including backups.",
        "reply": "Thanks for checking with us. Admins can erase a person under "
                 "Settings → Privacy; backups roll off after 35 days. I'll send you our data "
                 "processing summary for your records.",
        "internal": ("Verified the requester is the account's **data protection contact**, "
                     "per the verification rules. No legal hold on this account.",),
        "ask": "Sent {first} the erasure steps and asked them to confirm once done.",
        "customer": ("Erasure done on our side. Please confirm the backup timeline in writing.",
                     "Thanks, that's everything our DPO needed."),
        "escalate": "Customer asks for deletion from backups within 7 days: needs sign-off "
                    "from our privacy officer.",
        "resolution": "The person's data was erased from the live system, and backups "
                      "containing it expire within 35 days. The written confirmation for your "
                      "records is attached.",
        "tasks": ("Send the data processing summary",),
        "files": (("erasure-confirmation.txt", "log"),),
    },
)

INTERNAL_FOLLOW_UPS = (
    "Customer is calm but needs this before their month-end. Keeping priority as is.",
    "Checked for related cases on this account: none in the last 30 days.",
    "Handover note: I'm out tomorrow, {agent_next} can pick this up if the customer replies.",
    "Reproduced on our test tenant. Steps in the note above.",
    "Spoke to the account manager; no commercial sensitivity here.",
)
TRIAGE_NOTES = ("Checked for related cases on this account: none in the last 30 days.",
                "{first} called again for an update; promised a reply within the hour.",
                "Looks like a known issue; reading the runbook before replying.")
CLOSE_NOTES = ("Customer confirmed the fix.", "No reply for 5 days after the fix; closing.",
               "Resolved on the call.", "Fix verified on our side; closing.")
WAITING_NUDGES = ("Just checking in: were you able to try the steps above?",
                  "Following up on my last message. Let me know if a call would help.")

# Replies customers send to cases waiting on them (the demo ingests them as real mail).
CUSTOMER_REPLIES = (
    "Hi,\n\nI tried the steps you sent and it works again on two of the three machines. "
    "The third still shows the same error. Could you call me this afternoon?\n\nThanks",
    "Hello,\n\nHere is what you asked for: it started on Monday morning, right after the "
    "update, and it happens for every user in the office.\n\nBest regards",
    "Thanks for the quick answer. That fixed it for us; you can close the case.",
)
