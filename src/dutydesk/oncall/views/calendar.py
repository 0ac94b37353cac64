"""The schedule calendar as data for the template: a week or a month in the schedule's
zone, one track per layer, the overrides and the final result; bars placed in percent of
the range (so the page needs no inline style), gaps marked, and a per-day list for phones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dutydesk.oncall import rotation

WEEK, MONTH = "week", "month"
PALETTE = 8  # person colours .pc0 … .pc7 in app.css


@dataclass
class Bar:
    left: float
    width: float
    label: str
    title: str
    css: str
    href: str = ""


@dataclass
class Track:
    label: str
    sub: str
    kind: str  # layer, override, final
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Column:
    day: date
    left: float
    width: float
    label: str
    weekend: bool
    today: bool


@dataclass
class Entry:
    start: str
    end: str
    who: str
    source: str
    css: str
    gap: bool = False
    viewer: str = ""
    href: str = ""


@dataclass
class DayRow:
    day: date
    label: str
    today: bool
    weekend: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Calendar:
    view: str
    first: date
    last: date
    title: str
    prev: date
    next: date
    columns: list[Column]
    tracks: list[Track]
    days: list[DayRow]
    now_left: float | None
    gap_count: int
    legend: list[tuple[str, str]]


def period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day, day after the last, previous anchor, next anchor) of the period."""
    if view == MONTH:
        first = anchor.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        prev = (first - timedelta(days=1)).replace(day=1)
        return first, after, prev, after
    first = anchor - timedelta(days=anchor.weekday())
    return first, first + timedelta(days=7), first - timedelta(days=7), first + timedelta(days=7)


# The timeline is about 1,100 px wide on a desktop; a bar's label must fit its width.
PX_PER_PERCENT, CHAR_PX, PADDING_PX = 11.0, 7.4, 12


def fit(name: str, width: float) -> str:
    """The full name, the first name, the initials or nothing: what fits the bar."""
    room = width * PX_PER_PERCENT - PADDING_PX
    words = name.split() or [""]
    initials = "".join(w[0] for w in words[:2]).upper()
    for label in (name, words[0], initials):
        if len(label) * CHAR_PX <= room:
            return label
    return ""


def _hm(at: datetime, zone: tzinfo, day: date | None = None) -> str:
    local = at.astimezone(zone)
    if day is not None and local.date() > day and local.time() == time(0):
        return "24:00"
    return local.strftime("%H:%M")


def _span(a: datetime, b: datetime, zone: tzinfo) -> str:
    la, lb = a.astimezone(zone), b.astimezone(zone)
    start = date_format(la, "D j M, H:i")
    end = lb.strftime("%H:%M") if lb.date() == la.date() else date_format(lb, "D j M, H:i")
    return f"{start} – {end}"


def _prefill(base: str, a: datetime, b: datetime, zone: ZoneInfo, user: int | None) -> str:
    params = {
        "ov_start": a.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "ov_end": b.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
    }
    if user is not None:
        params["ov_instead"] = str(user)
    return f"{base}&{urlencode(params)}#override"


def build(
    *,
    spec: rotation.ScheduleSpec,
    layer_names: dict[int, str],
    names: dict[int, str],
    colours: dict[int, int],
    view: str,
    anchor: date,
    now: datetime,
    viewer_zone: tzinfo | None,
    base_url: str,
) -> Calendar:
    """Everything the calendar shows for the week or month holding ``anchor``."""
    zone = spec.zone
    first, after, prev, nxt = period(view, anchor)
    start, end = rotation.wall(first, time(0), zone), rotation.wall(after, time(0), zone)
    total = (end - start).total_seconds()

    def pos(a: datetime, b: datetime) -> tuple[float, float]:
        left = max(0.0, (a - start).total_seconds() / total * 100)
        right = min(100.0, (b - start).total_seconds() / total * 100)
        return round(left, 3), round(max(right - left, 0.0), 3)

    def colour(user: int) -> str:
        return f"pc{colours.get(user, user) % PALETTE}"

    def title(who: str, a: datetime, b: datetime) -> str:
        text = f"{who}: {_span(a, b, zone)}"
        if viewer_zone is not None:
            text += " · " + _("your time %(span)s") % {"span": _span(a, b, viewer_zone)}
        return text

    today = now.astimezone(zone).date()
    columns = []
    day = first
    while day < after:
        d0, d1 = rotation.wall(day, time(0), zone), rotation.wall(day + timedelta(1), time(0), zone)
        left, width = pos(d0, d1)
        label = date_format(day, "D j") if view == WEEK else str(day.day)
        columns.append(Column(day, left, width, label, day.weekday() >= 5, day == today))
        day += timedelta(days=1)

    def bars(items: list[rotation.Shift], *, link: bool) -> list[Bar]:
        out = []
        for s in items:
            who = names.get(s.user, "?")
            left, width = pos(s.start, s.end)
            href = _prefill(base_url, s.start, s.end, zone, s.user) if link else ""
            label = fit(who, width)
            out.append(Bar(left, width, label, title(who, s.start, s.end), colour(s.user), href))
        return out

    tracks = []
    for layer in sorted(spec.layers, key=lambda x: -x.level):
        label = layer_names.get(layer.level) or _("Layer %(n)s") % {"n": layer.level}
        items = rotation.layer_shifts(layer, start, end, zone)
        tracks.append(
            Track(label, _("level %(n)s") % {"n": layer.level}, "layer", bars(items, link=True))
        )
    override_items = [
        rotation.Shift(max(o.start, start), min(o.end, end), o.user, "override")
        for o in spec.overrides
        if o.end > start and o.start < end
    ]
    tracks.append(Track(_("Overrides"), "", "override", bars(override_items, link=False)))
    final = rotation.shifts(spec, start, end)
    final_track = Track(_("On call"), _("final"), "final", bars(final, link=True))
    holes = rotation.gaps(final, start, end)
    for a, b in holes:
        left, width = pos(a, b)
        final_track.bars.append(
            Bar(
                left,
                width,
                fit(_("Nobody"), width),
                title(_("Nobody on call"), a, b),
                "gap",
                _prefill(base_url, a, b, zone, None),
            )
        )
    final_track.bars.sort(key=lambda bar: bar.left)
    tracks.append(final_track)

    sources = {
        f"layer:{lv}": layer_names.get(lv) or _("Layer %(n)s") % {"n": lv} for lv in layer_names
    }
    sources["override"] = _("Override")
    days = []
    for col in columns:
        d0 = rotation.wall(col.day, time(0), zone)
        d1 = rotation.wall(col.day + timedelta(days=1), time(0), zone)
        row = DayRow(col.day, date_format(col.day, "l, j E"), col.today, col.weekend)
        pieces = [
            (max(s.start, d0), min(s.end, d1), s) for s in final if s.end > d0 and s.start < d1
        ]
        pieces += [(max(a, d0), min(b, d1), None) for a, b in holes if b > d0 and a < d1]
        for a, b, s in sorted(pieces, key=lambda p: p[0]):
            viewer = ""
            if viewer_zone is not None:
                viewer = f"{_hm(a, viewer_zone)}–{_hm(b, viewer_zone)}"
            if s is None:
                row.entries.append(
                    Entry(
                        _hm(a, zone),
                        _hm(b, zone, col.day),
                        _("Nobody on call"),
                        "",
                        "gap",
                        True,
                        viewer,
                        _prefill(base_url, a, b, zone, None),
                    )
                )
            else:
                row.entries.append(
                    Entry(
                        _hm(a, zone),
                        _hm(b, zone, col.day),
                        names.get(s.user, "?"),
                        sources.get(s.source, ""),
                        colour(s.user),
                        False,
                        viewer,
                        _prefill(base_url, s.start, s.end, zone, s.user),
                    )
                )
        days.append(row)

    now_left = pos(now, now)[0] if start <= now < end else None
    shown = sorted(
        {s.user for t in (final, override_items) for s in t}
        | {u for layer in spec.layers for u in layer.participants},
        key=lambda u: names.get(u, ""),
    )
    if view == WEEK:
        title_text = f"{date_format(first, 'j M')} – {date_format(after - timedelta(1), 'j M Y')}"
    else:
        title_text = date_format(first, "F Y")
    return Calendar(
        view,
        first,
        after - timedelta(days=1),
        title_text,
        prev,
        nxt,
        columns,
        tracks,
        days,
        now_left,
        len(holes),
        [(names.get(u, "?"), colour(u)) for u in shown],
    )


def person_colours(spec: rotation.ScheduleSpec) -> dict[int, int]:
    """A stable colour per person: by first appearance in the layers, then overrides."""
    out: dict[int, int] = {}
    for layer in sorted(spec.layers, key=lambda x: x.level):
        for user in layer.participants:
            out.setdefault(user, len(out))
    for o in spec.overrides:
        out.setdefault(o.user, len(out))
    return out
