"""The calendar's data: periods, bars in percent of the range (DST days are longer or
shorter columns), gaps on the final track, the per-day list and labels that fit."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from dutydesk.oncall import rotation
from dutydesk.oncall.views import calendar

NY = ZoneInfo("America/New_York")


def spec(*layers, overrides=(), zone=NY):
    return rotation.ScheduleSpec(zone=zone, layers=tuple(layers), overrides=tuple(overrides))


def day_layer(level, people, *, start=time(8), end=time(20), days=range(7)):
    return rotation.Layer(
        level=level,
        participants=tuple(people),
        unit="days",
        count=1,
        handoff=datetime(2026, 10, 1, 8, tzinfo=NY),
        restriction=rotation.Restriction(frozenset(days), start, end),
        name="",
    )


def build(s, view="week", anchor=date(2026, 10, 28), now=datetime(2026, 10, 28, 12, tzinfo=NY)):
    return calendar.build(
        spec=s,
        layer_names={layer.level: f"L{layer.level}" for layer in s.layers},
        names={1: "Anna Lebedeva", 2: "Timur Galiev", 3: "Sara"},
        colours={1: 0, 2: 1, 3: 2},
        view=view,
        anchor=anchor,
        now=now,
        viewer_zone=None,
        base_url="/x/?view=week",
    )


@pytest.mark.parametrize(
    ("view", "anchor", "expected"),
    [
        ("week", date(2026, 11, 25), (date(2026, 11, 23), date(2026, 11, 30))),
        ("week", date(2026, 11, 23), (date(2026, 11, 23), date(2026, 11, 30))),
        ("month", date(2026, 12, 31), (date(2026, 12, 1), date(2027, 1, 1))),
        ("month", date(2026, 2, 10), (date(2026, 2, 1), date(2026, 3, 1))),
    ],
)
def test_periods(view, anchor, expected):
    first, after, prev, nxt = calendar.period(view, anchor)
    assert (first, after) == expected
    assert calendar.period(view, prev)[1] == first and calendar.period(view, nxt)[0] == after


def test_the_day_clocks_go_back_is_a_wider_column():
    # 1 November 2026, New York: 25 hours.
    cal = build(spec(day_layer(0, [1], start=time(0), end=time(0))))
    widths = [c.width for c in cal.columns]
    assert abs(sum(widths) - 100) < 0.01
    assert widths[-1] > widths[0]
    assert widths[-1] == pytest.approx(100 * 25 / (7 * 24 + 1), abs=0.01)


def test_the_final_track_shows_gaps_and_covers_the_range():
    cal = build(spec(day_layer(0, [1, 2])))
    final = cal.tracks[-1]
    assert final.kind == "final"
    covered = sum(b.width for b in final.bars)
    assert covered == pytest.approx(100, abs=0.05)
    gaps = [b for b in final.bars if b.css == "gap"]
    assert len(gaps) == cal.gap_count == 8  # before Monday 08:00, each night, after Sunday 20:00
    assert all("ov_instead" not in b.href for b in gaps)
    people = [b for b in final.bars if b.css != "gap"]
    assert {b.css for b in people} == {"pc0", "pc1"}
    assert "ov_instead=1" in people[0].href or "ov_instead=2" in people[0].href


def test_an_override_wins_and_is_its_own_track():
    override = rotation.Override(
        3, datetime(2026, 10, 28, 8, tzinfo=NY), datetime(2026, 10, 28, 20, tzinfo=NY)
    )
    cal = build(spec(day_layer(0, [1], start=time(0), end=time(0)), overrides=[override]))
    layer_track, override_track, final = cal.tracks
    assert {b.label for b in layer_track.bars} == {"Anna"}  # day-long bars: first names
    assert [b.label for b in override_track.bars] == ["Sara"]
    assert [b.css for b in final.bars] == ["pc0", "pc2", "pc0"]
    assert cal.gap_count == 0


def test_the_day_list_reads_each_day_with_its_gaps():
    cal = build(spec(day_layer(0, [1])))
    wednesday = cal.days[2]
    assert wednesday.today
    assert [(e.start, e.end, e.who, e.gap) for e in wednesday.entries] == [
        ("00:00", "08:00", "Nobody on call", True),
        ("08:00", "20:00", "Anna Lebedeva", False),
        ("20:00", "24:00", "Nobody on call", True),
    ]


def test_the_now_line_is_only_in_the_period_shown():
    assert build(spec()).now_left is not None
    assert build(spec(), anchor=date(2026, 12, 1)).now_left is None


@pytest.mark.parametrize(
    ("width", "label"),
    [(30, "Anna Lebedeva"), (6, "Anna"), (3, "AL"), (1, "")],
)
def test_a_bar_shows_what_fits(width, label):
    assert calendar.fit("Anna Lebedeva", width) == label
