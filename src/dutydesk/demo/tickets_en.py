"""Demo tickets of the English-speaking clients (Acme, Globex)."""

from dutydesk.demo.script import DAY, ESCALATE_CRM, HOUR, DemoTicket
from dutydesk.tickets.models import Channel, Status, TicketType

# fmt: off
TICKETS_EN: list[DemoTicket] = [
    # --- Acme Corp (English, 24/7) ----------------------------------------------------
    DemoTicket(
        key="a-vpn", org="acme", channel=Channel.EMAIL, sender="alice@acme.example",
        opened="27d 08:40", priority="P2", type=TicketType.INCIDENT, category="network",
        subject="VPN does not connect from home",
        body="""
            Hi,

            since this morning the VPN client says "Connection timed out" when I connect
            from home. The internet itself works. I need the file server today.

            Alice
        """,
        steps=(
            (6, "assign", "timur"),
            (9, "reply", "timur", """
                Hi Alice,

                the VPN gateway certificate was renewed last night and older client profiles
                do not trust it yet. Please open the VPN client, choose Settings → Profiles →
                Update, and connect again. If it still fails, send us a screenshot.

                Timur, DutyDesk support
            """),
            (41, "client", "Updated the profile and it connects now. Thanks!"),
            (5, "status", "timur", Status.RESOLVED),
            (2 * DAY, "status", "timur", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="a-printer", org="acme", channel=Channel.PORTAL, sender="bob@acme.example",
        opened="25d 10:15", priority="P4", type=TicketType.INCIDENT, category="printing",
        subject="Printer on the 3rd floor prints blank pages",
        body="""
            The printer next to the kitchen on the 3rd floor feeds paper, but the pages come
            out blank. Switching it off and on did not help.
        """,
        steps=(
            (25, "assign", "anna"),
            (10, "reply", "anna", """
                Hi Bob,

                that usually means the toner cartridge is empty or its seal was not removed.
                Is there a toner warning on the display? If there is a spare cartridge in the
                supply room, please swap it; otherwise we will order one.

                Anna
            """),
            (2, "status", "anna", Status.PENDING),
            (70, "client", "There was a spare one in the supply room. Prints fine again."),
            (8, "status", "anna", Status.RESOLVED),
            (3 * DAY, "status", "anna", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="a-newhire", org="acme", channel=Channel.EMAIL, sender="carol@acme.example",
        opened="22d 14:05", priority="P3", type=TicketType.REQUEST, category="accounts",
        subject="New employee account: Daniel Kim starts on Monday",
        body="""
            Hello,

            Daniel Kim joins the finance team on Monday. He needs:
            - a Windows account and a mailbox
            - access to the Finance share
            - VPN

            His manager is Bob Miller.

            Thanks,
            Carol
        """,
        steps=(
            (20, "assign", "timur"),
            (95, "note", "timur", """
                AD account dkim created, M365 E3 licence assigned, added to FIN-Share-RW and
                VPN-Users. Temporary password given to Carol by phone.
            """),
            (3, "reply", "timur", """
                Hi Carol,

                Daniel's account is ready: d.kim@acme.example, with a mailbox, the Finance
                share and VPN. I gave you the temporary password by phone; he will be asked to
                change it at the first sign-in.

                Timur
            """),
            (4, "status", "timur", Status.RESOLVED),
            (3 * DAY, "status", "timur", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="a-disk", org="acme", channel=Channel.MONITORING, sender="alertmanager@acme.example",
        opened="19d 03:10", priority="P1", category="servers",
        subject="[FIRING] NodeFilesystemAlmostFull srv-files01 /data 93%",
        body="""
            alertname: NodeFilesystemAlmostFull
            instance: srv-files01:9100
            mountpoint: /data
            severity: critical
            summary: /data on srv-files01 is 93% full and will fill within 4 hours.
        """,
        steps=(
            (3, "assign", "timur"),
            (6, "note", "timur", """
                On call, looking. /data grows about 2 GB/h: the nightly export job writes its
                temporary files there and did not clean up.
            """),
            (14, "note", "timur", """
                Removed 140 GB of stale export files, /data is at 61%. No user impact.
                Change request opened to move the export's temp directory to /scratch.
            """),
            (3, "status", "timur", Status.RESOLVED),
            (2 * DAY, "status", "supervisor", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="a-crm", org="acme", channel=Channel.PHONE, sender="bob@acme.example",
        submitted_by="anna", opened="15d 09:47", priority="P1", type=TicketType.INCIDENT,
        category="applications",
        subject="CRM is down for the whole sales team",
        body="""
            Bob called: since about 09:40 the CRM shows "502 Bad Gateway" for everyone in
            sales (about 40 people). No changes on their side.
        """,
        steps=(
            (2, "assign", "anna"),
            (8, "note", "anna", "Provider status page green; crm-web-01 pings; pool restart: no."),
            (3, "escalate", "anna", "l2", ESCALATE_CRM),
            (4, "assign", "sara", "supervisor"),
            (6, "reply", "sara", """
                Hello Bob,

                we see it: the CRM's application server lost its connection to its database
                after an automatic update. We are restoring it and will report back within
                30 minutes.

                Sara, second line
            """),
            (22, "note", "sara", "Rolled back the DB driver update on crm-web-01; 200 OK."),
            (3, "reply", "sara", """
                The CRM is available again. The cause was a faulty driver update, which we
                rolled back and paused until the vendor fixes it. Sorry for the disruption.

                Sara
            """),
            (4, "status", "sara", Status.RESOLVED),
            (3 * DAY, "status", "sara", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="a-crm-dup", org="acme", channel=Channel.EMAIL, sender="alice@acme.example",
        opened="15d 09:52", priority="P2", type=TicketType.INCIDENT,
        subject="Cannot open CRM - error 502",
        body='Hi, the CRM only shows "502 Bad Gateway" since a few minutes. Is it down?',
        steps=((9, "merge", "anna", "a-crm"),),
    ),
    DemoTicket(
        key="a-mailbox", org="acme", channel=Channel.EMAIL, sender="carol@acme.example",
        opened="6d 11:20", priority="P3", type=TicketType.REQUEST, category="email",
        subject="Mailbox full - cannot send email",
        body="""
            Hello,

            Outlook says my mailbox is full and I cannot send anything. I have a lot of
            attachments from the auditors that I need to keep.

            Carol
        """,
        steps=(
            (18, "assign", "timur"),
            (12, "reply", "timur", """
                Hi Carol,

                I raised your mailbox quota from 50 to 100 GB and enabled the online archive:
                items older than two years move there and stay searchable in Outlook.
                Sending works again.

                Timur
            """),
            (35, "client", "Confirmed, I can send again. Thank you!"),
            (10, "status", "timur", Status.RESOLVED),
        ),
    ),
    DemoTicket(
        key="a-outlook", org="acme", channel=Channel.EMAIL, sender="bob@acme.example",
        opened="5d 09:10", priority="P3", type=TicketType.INCIDENT, category="email",
        subject="Outlook keeps asking for my password",
        body="Outlook asks for my password every few minutes since yesterday.",
        steps=(
            (20, "assign", "anna"),
            (15, "reply", "anna", """
                Hi Bob,

                Windows Credential Manager held your old password. I removed the stale entry
                remotely; please restart Outlook and sign in once more.

                Anna
            """),
            (30, "client", "Looks good now, thanks."),
            (5, "status", "anna", Status.RESOLVED),
            (DAY, "client", "It started again this morning, the password window is back."),
            (25, "note", "anna", """
                Reopened by the client. The old phone still syncs mail with the previous
                password and locks the account for a few minutes each time.
            """),
            (3, "reply", "anna", """
                Hi Bob,

                the cause is your old phone: it still syncs mail with the previous password
                and briefly locks your account. Please update the password in the phone's mail
                app (or remove the account there). I will keep the ticket open until you
                confirm.

                Anna
            """),
        ),
    ),
    DemoTicket(
        key="a-laptop", org="acme", channel=Channel.PORTAL, sender="bob@acme.example",
        opened="5d 13:30", priority="P4", type=TicketType.INCIDENT, category="hardware",
        subject="Laptop very slow after the latest update",
        body="Since last week's update my laptop takes 10 minutes to start and Excel freezes.",
        steps=(
            (40, "assign", "anna"),
            (7, "reply", "anna", """
                Hi Bob,

                could you send us the laptop's asset tag (the sticker underneath) and a time
                when we may connect remotely for 30 minutes? We will check the disk and the
                startup programs.

                Anna
            """),
            (1, "status", "anna", Status.PENDING),
        ),
    ),
    DemoTicket(
        key="a-wifi", org="acme", channel=Channel.TELEGRAM, sender="alice@acme.example",
        opened="4d 10:05", priority="P3", type=TicketType.INCIDENT, category="network",
        subject="Wi-Fi in meeting room B keeps dropping",
        body="Wi-Fi in meeting room B disconnects every few minutes; video calls are impossible.",
        steps=(
            (15, "assign", "timur"),
            (25, "note", "timur", "AP-2F-B reboots every 5-10 min, PoE fine. RMA opened."),
            (5, "reply", "timur", """
                Hi Alice,

                the access point in meeting room B is faulty and keeps restarting. The vendor
                is sending a replacement, due on Thursday; until then please use meeting room
                A or the network cable at the dock on the table.

                Timur
            """),
            (2, "status", "timur", Status.ON_HOLD),
        ),
    ),
    DemoTicket(
        key="a-backup", org="acme", channel=Channel.MONITORING, sender="alertmanager@acme.example",
        opened="2d 06:00", priority="P2", category="backup",
        subject="[FIRING] BackupMissing fileserver-nightly: no successful run in 26h",
        body="""
            alertname: BackupMissing
            job: fileserver-nightly
            severity: warning
            summary: no successful backup of srv-files01 for 26 hours (expected every 24).
        """,
        steps=(
            (35, "assign", "igor"),
            (20, "note", "igor", """
                Last night's run failed: the NAS backup share is full, its retention job has
                been stuck since the firmware update. Fixing retention, then a manual run.
            """),
        ),
    ),
    DemoTicket(
        key="a-password", org="acme", channel=Channel.TELEGRAM, sender="alice@acme.example",
        opened="2d 09:00", priority="P3", type=TicketType.REQUEST, category="accounts",
        subject="Reset my password for the HR portal",
        body="I forgot my password for the HR portal, can you reset it please?",
        steps=(
            (10, "assign", "timur"),
            (5, "reply", "timur", """
                Hi Alice,

                I sent a reset link to your work address; it is valid for one hour.

                Timur
            """),
            (12, "client", "Done, I'm in."),
            (2, "status", "timur", Status.RESOLVED),
        ),
    ),
    DemoTicket(
        key="a-sso", org="acme", channel=Channel.API, sender="carol@acme.example",
        submitted_by="admin", opened="1d 10:30", priority="P2", type=TicketType.INCIDENT,
        category="applications",
        subject="SSO login loop in the expense app",
        body="""
            Several users report that signing in to the expense app sends them back to the
            login page endlessly. Other apps with single sign-on work.
        """,
        steps=(
            (10, "assign", "timur"),
            (12, "note", "timur", "Reproduced with a test user; not cookies, SAML looks valid."),
            (4, "escalate", "timur", "l2", """
                Escalation to L2
                What: sign-in to the expense app loops back to the login page.
                Steps taken: reproduced with a test user, cleared cookies, compared the SAML
                response with a working app.
                Client: Acme Corp, about 15 users cannot file expenses.
                Urgency: P2.
            """),
            (20, "assign", "igor"),
            (45, "note", "igor", """
                The expense app rejects our assertions: its clock runs 4 minutes ahead and the
                SSO bridge sets NotBefore without any skew tolerance.
            """),
            (3, "escalate", "igor", "l3", """
                Escalation to L3
                What: SAML assertions from our SSO bridge are rejected (NotBefore in the future,
                4 minutes of clock skew at the vendor).
                Steps taken: reproduced, checked certificates and metadata, measured the skew.
                Client: Acme Corp, about 15 users blocked.
                Urgency: P2; the bridge needs a configurable skew tolerance.
            """),
            (10, "assign", "maxim"),
            (8, "reply", "maxim", """
                Hello Carol,

                we found the cause: the expense app's clock runs 4 minutes ahead and rejects
                our sign-in tokens. We are adding a tolerance for clock differences to our
                sign-in bridge and will deploy it today; we have also asked the vendor to fix
                their clock.

                Maxim, third line
            """),
        ),
    ),
    DemoTicket(
        key="a-monitor", org="acme", channel=Channel.EMAIL, sender="alice@acme.example",
        opened="3h", priority="P4", type=TicketType.REQUEST, category="hardware",
        subject="Request: second monitor for reception",
        body="""
            Hi, could we get a second monitor for the reception desk? The new booking system
            is hard to use on one screen.
        """,
    ),
    # --- Globex (English, business hours, Berlin) -------------------------------------
    DemoTicket(
        key="g-datev", org="globex", channel=Channel.EMAIL, sender="greta@globex.example",
        opened="24d 09:30", priority="P2", type=TicketType.INCIDENT, category="applications",
        subject="ERP export to DATEV fails",
        body="""
            Hello,

            the monthly export from our ERP to DATEV stops with "Schnittstellenfehler 0x1F".
            Accounting needs it by Friday.

            Best regards,
            Greta Hoffmann
        """,
        steps=(
            (30, "assign", "anna"),
            (10, "note", "anna", "Reproduced on the export server; no known article."),
            (2, "escalate", "anna", "l2", """
                Escalation to L2
                What: ERP → DATEV export fails with "Schnittstellenfehler 0x1F".
                Steps taken: reproduced on the export server, read the export log, searched
                the knowledge base.
                Client: Globex, accounting; the month-end export is due on Friday.
                Urgency: P2.
            """),
            (40, "assign", "igor"),
            (90, "reply", "igor", """
                Hello Greta,

                the export failed on a new cost centre with a 9-digit number, while the DATEV
                format allows 8. We corrected the mapping and the export has run successfully;
                the file is in the usual folder.

                Igor, second line
            """),
            (2 * HOUR, "client", "Accounting confirms the import worked. Thank you!"),
            (5, "status", "igor", Status.RESOLVED),
            (3 * DAY, "status", "igor", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="g-offboard", org="globex", channel=Channel.PORTAL, sender="jonas@globex.example",
        opened="20d 15:10", priority="P3", type=TicketType.REQUEST, category="accounts",
        subject="Disable the account of leaving employee M. Braun",
        body="""
            Markus Braun leaves us on Friday. Please disable his accounts on Friday at 18:00
            and forward his mail to me for 30 days.
        """,
        steps=(
            (25, "assign", "timur"),
            (5, "reply", "timur", """
                Hi Jonas,

                scheduled: Markus Braun's account will be disabled on Friday at 18:00 Berlin
                time and his mail forwarded to you for 30 days. We will confirm here when it is
                done.

                Timur
            """),
            (3, "status", "timur", Status.ON_HOLD),
            (3 * DAY, "note", "timur", "Account disabled, forwarding set, laptop wipe booked."),
            (2, "status", "timur", Status.RESOLVED),
            (2 * DAY, "status", "timur", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="g-sql", org="globex", channel=Channel.EMAIL, sender="greta@globex.example",
        opened="9d 08:50", priority="P2", category="database",
        subject="Reports database slow since Monday (SQL timeouts)",
        body="""
            Since Monday our sales reports time out after 30 seconds with "SQL timeout
            expired". Other applications work normally.
        """,
        steps=(
            (30, "assign", "sara"),
            (HOUR, "note", "sara", """
                Top query sales_by_region scans all of orders (120M rows): Sunday's vendor
                upgrade dropped ix_orders_region_date.
            """),
            (10, "reply", "sara", """
                Hello Greta,

                the vendor's upgrade on Sunday removed an index the reports rely on.
                Recreating it locks the orders table for about 20 minutes, so we will do it in
                the maintenance window on Saturday at 07:00. Until then, reports for a single
                month still work.

                Sara, second line
            """),
            (5, "update", "sara", {"type": TicketType.PROBLEM}),
            (2, "status", "sara", Status.ON_HOLD),
        ),
    ),
    DemoTicket(
        key="g-mac-printer", org="globex", channel=Channel.TELEGRAM, sender="jonas@globex.example",
        opened="8d 11:45", priority="P4", type=TicketType.QUESTION, category="printing",
        subject="How do I add the new printer on macOS?",
        body="Hi! How do I add the new printer in the 2nd floor office on my MacBook?",
        steps=(
            (20, "assign", "timur"),
            (4, "reply", "timur", """
                Hi Jonas,

                System Settings → Printers & Scanners → Add Printer → IP; address 10.20.2.40,
                protocol IPP, then choose "Secure AirPrint". That is all.

                Timur
            """),
            (15, "client", "Worked, thanks!"),
            (3, "status", "timur", Status.RESOLVED),
            (3 * DAY, "status", "timur", Status.CLOSED),
        ),
    ),
    DemoTicket(
        key="g-adobe", org="globex", channel=Channel.EMAIL, sender="greta@globex.example",
        opened="3d 10:00", priority="P4", type=TicketType.REQUEST, category="licences",
        subject="Adobe licences for the design team (3 seats)",
        body="We hire three designers next month. Please order three Creative Cloud licences.",
        steps=(
            (2 * HOUR, "assign", "anna"),
            (15, "reply", "anna", """
                Hello Greta,

                we have sent you the quote for three Creative Cloud for Teams seats (annual
                plan). Please approve it by replying here and we will order the same day.

                Anna
            """),
            (1, "status", "anna", Status.PENDING),
        ),
    ),
    DemoTicket(
        key="g-fw", org="globex", channel=Channel.MONITORING, sender="alertmanager@globex.example",
        opened="2d 07:40", priority="P2", category="network",
        subject="[FIRING] HighCPU fw-berlin 96% for 15m",
        body="""
            alertname: HighCPU
            instance: fw-berlin
            severity: warning
            summary: CPU of firewall fw-berlin above 95% for 15 minutes.
        """,
        steps=(
            (5, "assign", "timur"),
            (20, "note", "timur", """
                The IPS engine is at 90% CPU since yesterday's signature update; sessions
                through the RDP gateway drop. Vendor case opened.
            """),
        ),
    ),
    DemoTicket(
        key="g-rdp", org="globex", channel=Channel.EMAIL, sender="jonas@globex.example",
        opened="2d 08:15", priority="P3", type=TicketType.INCIDENT, category="network",
        subject="Remote desktop to my office PC is not reachable",
        body="Since this morning the remote desktop gateway disconnects me after a few seconds.",
        steps=(
            (25, "assign", "timur"),
            (5, "link", "timur", "g-fw"),
            (3, "reply", "timur", """
                Hi Jonas,

                the disconnects come from the office firewall, overloaded after a vendor
                update; we are working on it with the vendor. We will let you know here as
                soon as it is fixed.

                Timur
            """),
        ),
    ),
    DemoTicket(
        key="g-projector", org="globex", channel=Channel.PORTAL, sender="greta@globex.example",
        opened="40m", priority="P3", type=TicketType.INCIDENT, category="hardware",
        subject="Projector in the big meeting room does not detect laptops",
        body='The projector shows "No signal" with any laptop. Our meeting starts in an hour.',
    ),
]
# fmt: on
