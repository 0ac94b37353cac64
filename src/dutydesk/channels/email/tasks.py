"""Huey tasks of the email channel: thin wrappers around ``poll``."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dutydesk.channels.email.models import Mailbox
from dutydesk.channels.email.poll import mailbox_poll


@db_task()
def poll_mailbox(mailbox_id: int) -> dict:
    result = mailbox_poll(mailbox_id)
    return {"skipped": result.skipped, "outcomes": result.outcomes, "error": result.error}


@db_periodic_task(crontab(minute="*"))
def poll_mailboxes() -> int:
    """One task per mailbox, so a slow or failing one never holds up the others."""
    ids = list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))
    for pk in ids:
        poll_mailbox(pk)
    return len(ids)
