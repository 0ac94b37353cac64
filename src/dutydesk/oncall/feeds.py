"""iCal feeds of shifts at secret URLs: one per schedule, one per person (all schedules)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.core.services import audit_record
from dutydesk.oncall.models import CalendarFeed, Schedule, new_token
from dutydesk.oncall.rotation import Shift
from dutydesk.oncall.selectors import schedule_list, schedule_shifts

PAST, FUTURE = timedelta(days=30), timedelta(days=120)


def _calendar(name: str, rows: list[tuple[Schedule, Shift]], names: dict[int, str]) -> bytes:
    # Imported here: icalendar takes about a second to import on a busy machine, and
    # every web worker would pay it at boot for a URL that calendar clients poll hourly.
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//DutyDesk//on-call//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for schedule, shift in rows:
        event = Event()
        who = names.get(shift.user, str(shift.user))
        event.add("uid", f"{schedule.pk}-{shift.user}-{int(shift.start.timestamp())}@dutydesk")
        event.add(
            "summary",
            _("On call: %(who)s (%(schedule)s)") % {"who": who, "schedule": schedule.name},
        )
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        event.add("dtstamp", stamp)
        cal.add_component(event)
    return cal.to_ical()


def schedule_feed(schedule: Schedule) -> bytes:
    now = timezone.now()
    rows = [(schedule, s) for s in schedule_shifts(schedule, now - PAST, now + FUTURE)]
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in={s.user for _, s in rows})}
    return _calendar(schedule.name, rows, names)


def person_feed(user: User) -> bytes:
    now = timezone.now()
    rows = []
    for schedule in schedule_list(user=user).filter(layers__members__user=user).distinct():
        rows += [
            (schedule, s)
            for s in schedule_shifts(schedule, now - PAST, now + FUTURE)
            if s.user == user.pk
        ]
    rows += _override_only_rows(user, now, rows)
    rows.sort(key=lambda row: row[1].start)
    return _calendar(
        _("Shifts of %(who)s") % {"who": user.display_name}, rows, {user.pk: user.display_name}
    )


def _override_only_rows(user: User, now, rows) -> list[tuple[Schedule, Shift]]:
    """Shifts of schedules where the person is in no layer but covers an override."""
    seen = {schedule.pk for schedule, _s in rows}
    extra = []
    others = Schedule.objects.filter(overrides__user=user, overrides__end__gt=now - PAST).exclude(
        pk__in=seen
    )
    for schedule in others.distinct():
        extra += [
            (schedule, s)
            for s in schedule_shifts(schedule, now - PAST, now + FUTURE)
            if s.user == user.pk
        ]
    return extra


def feed_response(token: str) -> HttpResponse:
    schedule = Schedule.objects.filter(feed_token=token).first()
    if schedule is not None:
        body = schedule_feed(schedule)
    else:
        feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
        if feed is None or not (feed.user.is_active and feed.user.is_agent):
            return HttpResponse(_("Unknown calendar."), status=404, content_type="text/plain")
        body = person_feed(feed.user)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def schedule_feed_url(schedule: Schedule) -> str:
    return settings.BASE_URL + reverse("oncall-feed", args=[schedule.feed_token])


def person_feed_url(user: User) -> str:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return settings.BASE_URL + reverse("oncall-feed", args=[feed.token])


def schedule_feed_rotate(*, schedule: Schedule, by: User) -> str:
    """A new secret for the schedule's feed; every old subscription stops working."""
    schedule.feed_token = new_token()
    schedule.save(update_fields=["feed_token"])
    audit_record(actor=by, action="oncall.feed_rotated", obj=schedule)
    return schedule_feed_url(schedule)


def person_feed_rotate(*, user: User) -> str:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    feed.token = new_token()
    feed.save(update_fields=["token"])
    audit_record(actor=user, action="oncall.feed_rotated", obj=feed)
    return person_feed_url(user)
