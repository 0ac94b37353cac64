"""Schedule expansion against a brute-force oracle, with DST and override tables."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutydesk.oncall.rotation import (
    DAYS,
    HOURS,
    UTC,
    WEEKS,
    Layer,
    Override,
    Restriction,
    ScheduleSpec,
    Shift,
    back_to_back_nights,
    fairness,
    gaps,
    layer_on_call,
    layer_shifts,
    on_call_at,
    shifts,
)

ZONES = [ZoneInfo(z) for z in ("Europe/Moscow", "Europe/Berlin", "America/New_York", "UTC")]
NIGHT = Restriction(frozenset(range(7)), time(20), time(8))
DAY = Restriction(frozenset(range(7)), time(8), time(20))


# --- the oracle: walks shift by shift from the handoff, reads windows by wall time -------


def oracle_layer(layer: Layer, at: datetime, zone: ZoneInfo) -> int | None:
    if not layer.participants or at < layer.handoff:
        return None
    if layer.restriction is not None:
        r = layer.restriction
        local = at.astimezone(zone)
        t, d = local.time().replace(tzinfo=None), local.date()
        yesterday = (d - timedelta(days=1)).weekday()
        if r.start < r.end:
            inside = d.weekday() in r.days and r.start <= t < r.end
        else:
            inside = (d.weekday() in r.days and t >= r.start) or (yesterday in r.days and t < r.end)
        if not inside:
            return None
    k = 0
    local0 = layer.handoff.astimezone(zone)
    while True:
        if layer.unit == HOURS:
            nxt = layer.handoff + timedelta(hours=layer.count * (k + 1))
        else:
            step = layer.count * (k + 1) * (7 if layer.unit == WEEKS else 1)
            nxt = datetime.combine(
                local0.date() + timedelta(days=step), local0.time(), tzinfo=zone
            ).astimezone(UTC)
        if nxt > at:
            return layer.participants[k % len(layer.participants)]
        k += 1


def oracle(spec: ScheduleSpec, at: datetime) -> int | None:
    for o in reversed(spec.overrides):
        if o.start <= at < o.end:
            return o.user
    for layer in sorted(spec.layers, key=lambda x: -x.level):
        who = oracle_layer(layer, at, spec.zone)
        if who is not None:
            return who
    return None


# --- strategies -------------------------------------------------------------------------

# Wall-clock edges stay clear of 01:00–03:59, the hours DST moves in these zones; the
# oracle reads wall time, the code instants, and both agree only away from the jump.
safe_hours = st.sampled_from([0, 6, 7, 8, 9, 12, 18, 20, 22])
zones = st.sampled_from(ZONES)
instants = st.datetimes(
    min_value=datetime(2008, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@st.composite
def layers(draw, level: int = 0) -> Layer:
    unit = draw(st.sampled_from([HOURS, DAYS, WEEKS]))
    count = draw(st.integers(1, 12 if unit == HOURS else 3))
    zone = draw(zones)
    day = draw(st.dates(date(2008, 1, 1), date(2029, 1, 1)))
    handoff = datetime.combine(day, time(draw(safe_hours)), tzinfo=zone).astimezone(UTC)
    restriction = draw(
        st.none()
        | st.builds(
            Restriction,
            st.frozensets(st.integers(0, 6), min_size=1),
            st.builds(time, safe_hours),
            st.builds(time, safe_hours),
        )
    )
    people = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
    return Layer(level, tuple(people), unit, count, handoff, restriction), zone


@st.composite
def specs(draw) -> ScheduleSpec:
    zone = draw(zones)
    n = draw(st.integers(1, 3))
    built = [draw(layers(level=i))[0] for i in range(n)]
    overrides = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(instants)
        overrides.append(Override(draw(st.integers(7, 9)), start, start + timedelta(hours=12)))
    return ScheduleSpec(zone, tuple(built), tuple(overrides))


FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(layers(), instants)
def test_a_layer_agrees_with_the_oracle(drawn, at):
    layer, zone = drawn
    assert layer_on_call(layer, at, zone) == oracle_layer(layer, at, zone)


@FAST
@given(layers(), instants)
def test_a_layer_has_at_most_one_person_per_instant(drawn, at):
    layer, zone = drawn
    found = layer_shifts(layer, at - timedelta(days=10), at + timedelta(days=10), zone)
    holding = [s for s in found if s.start <= at < s.end]
    assert len(holding) <= 1
    for a, b in itertools.pairwise(found):
        assert a.end <= b.start
    assert (holding[0].user if holding else None) == layer_on_call(layer, at, zone)


@FAST
@given(specs(), instants)
def test_final_result_agrees_with_the_oracle(spec, at):
    assert on_call_at(spec, at) == oracle(spec, at)


@FAST
@given(specs(), instants)
def test_overrides_win_over_every_layer(spec, at):
    override = Override(99, at - timedelta(hours=1), at + timedelta(hours=1))
    with_override = ScheduleSpec(spec.zone, spec.layers, (*spec.overrides, override))
    assert on_call_at(with_override, at) == 99
    assert on_call_at(with_override, at + timedelta(hours=1)) == on_call_at(
        spec, at + timedelta(hours=1)
    )


@FAST
@given(specs(), instants, st.integers(1, 72))
def test_shifts_in_a_range_agree_with_on_call_at(spec, start, hours):
    end = start + timedelta(hours=hours)
    found = shifts(spec, start, end)
    for a, b in itertools.pairwise(found):
        assert a.end <= b.start
    for s in found:
        assert start <= s.start < s.end <= end
        for probe in (s.start, s.end - timedelta(microseconds=1), s.start + (s.end - s.start) / 2):
            assert on_call_at(spec, probe) == s.user
    for g0, g1 in gaps(found, start, end):
        assert on_call_at(spec, g0) is None
        assert on_call_at(spec, g1 - timedelta(microseconds=1)) is None


# --- DST: neither an hour dropped nor one covered twice ------------------------------

# (zone, a night on which the clocks change, hours from 20:00 to 08:00 that night)
DST_NIGHTS = [
    ("Europe/Berlin", date(2025, 3, 29), 11),
    ("Europe/Berlin", date(2025, 10, 25), 13),
    ("America/New_York", date(2025, 3, 8), 11),
    ("America/New_York", date(2025, 11, 1), 13),
    ("Europe/Moscow", date(2010, 3, 27), 11),
    ("Europe/Moscow", date(2010, 10, 30), 13),
    ("Europe/Moscow", date(2014, 10, 25), 13),  # back to UTC+3 for good
    ("Europe/Moscow", date(2011, 3, 26), 11),  # the last change, to UTC+4 all year
]


@pytest.mark.parametrize(("zone_name", "night", "hours"), DST_NIGHTS)
def test_night_and_day_layers_tile_the_clock_change(zone_name, night, hours):
    zone = ZoneInfo(zone_name)
    handoff = datetime.combine(night - timedelta(days=10), time(8), tzinfo=zone)
    day = Layer(0, (1, 2), DAYS, 1, handoff, DAY)
    nights = Layer(1, (3, 4), DAYS, 1, handoff, NIGHT)
    spec = ScheduleSpec(zone, (day, nights))
    start = datetime.combine(night, time(0), tzinfo=zone).astimezone(UTC)
    end = start + timedelta(days=2)
    final = shifts(spec, start, end)
    assert gaps(final, start, end) == []
    assert sum((s.end - s.start for s in final), timedelta(0)) == end - start
    evening = datetime.combine(night, time(20), tzinfo=zone).astimezone(UTC)
    night_shift = next(s for s in final if s.start == evening)
    assert night_shift.end - night_shift.start == timedelta(hours=hours)
    # Every minute of the two days has exactly one person.
    minute = start
    while minute < end:
        assert sum(1 for s in final if s.start <= minute < s.end) == 1
        minute += timedelta(minutes=1)


@FAST
@given(zones, st.dates(date(2008, 1, 1), date(2030, 1, 1)), st.integers(1, 3))
def test_daily_rotation_covers_every_instant_once_across_a_year_of_dst(zone, day, count):
    handoff = datetime.combine(day, time(9), tzinfo=zone).astimezone(UTC)
    layer = Layer(0, (1, 2, 3), DAYS, count, handoff)
    end = handoff + timedelta(days=370)
    found = layer_shifts(layer, handoff, end, zone)
    assert found[0].start == handoff and found[-1].end == end
    for a, b in itertools.pairwise(found):
        assert a.end == b.start
        assert b.start.astimezone(zone).time() == time(9)


OVERRIDE_CASES = [
    # (override start hour, end hour, probe hour, expected) on a day layer of person 1
    (10, 12, 11, 9),
    (10, 12, 12, 1),  # the end is exclusive
    (10, 12, 10, 9),  # the start is inclusive
    (22, 23, 11, 1),
]


@pytest.mark.parametrize(("o_start", "o_end", "probe", "expected"), OVERRIDE_CASES)
def test_override_table(o_start, o_end, probe, expected):
    zone = ZoneInfo("Europe/Moscow")
    base = datetime(2026, 3, 2, tzinfo=zone)
    spec = ScheduleSpec(
        zone,
        (Layer(0, (1,), WEEKS, 1, base),),
        (Override(9, base + timedelta(hours=o_start), base + timedelta(hours=o_end)),),
    )
    assert on_call_at(spec, base + timedelta(hours=probe)) == expected


def test_a_higher_layer_wins_only_where_it_has_someone():
    zone = ZoneInfo("Europe/Berlin")
    base = datetime(2026, 3, 2, 8, tzinfo=zone)
    spec = ScheduleSpec(
        zone, (Layer(0, (1,), WEEKS, 1, base), Layer(1, (2,), DAYS, 1, base, NIGHT))
    )
    assert on_call_at(spec, base + timedelta(hours=2)) == 1
    assert on_call_at(spec, base + timedelta(hours=14)) == 2


# --- checks -------------------------------------------------------------------------------


def test_back_to_back_nights_are_flagged():
    zone = ZoneInfo("Europe/Moscow")
    base = datetime(2026, 3, 2, 8, tzinfo=zone)
    # Two night people who swap every two days: each works two nights in a row.
    spec = ScheduleSpec(zone, (Layer(0, (1, 2), DAYS, 2, base, NIGHT),))
    final = shifts(spec, base, base + timedelta(days=8))
    flagged = back_to_back_nights(final, date(2026, 3, 2), date(2026, 3, 8), zone)
    assert (1, date(2026, 3, 3)) in flagged
    fair = ScheduleSpec(zone, (Layer(0, (1, 2), DAYS, 1, base, NIGHT),))
    final = shifts(fair, base, base + timedelta(days=8))
    assert back_to_back_nights(final, date(2026, 3, 2), date(2026, 3, 8), zone) == []


def test_fairness_counts_nights_and_weekend_hours():
    zone = ZoneInfo("Europe/Moscow")
    base = datetime(2026, 3, 2, 0, tzinfo=zone)  # a Monday
    spec = ScheduleSpec(zone, (Layer(0, (1, 2), DAYS, 1, base),))
    final = shifts(spec, base, base + timedelta(days=7))
    loads = fairness(final, date(2026, 3, 2), date(2026, 3, 8), zone)
    assert loads[1].total_hours + loads[2].total_hours == 7 * 24
    assert loads[1].weekend_hours == 24 and loads[2].weekend_hours == 24
    assert loads[1].nights + loads[2].nights == 7  # the last night, 22:00–24:00 held, counts


def test_gaps_are_found():
    zone = ZoneInfo("UTC")
    base = datetime(2026, 3, 2, tzinfo=zone)
    final = [Shift(base, base + timedelta(hours=8), 1)]
    assert gaps(final, base, base + timedelta(hours=10)) == [
        (base + timedelta(hours=8), base + timedelta(hours=10))
    ]
