"""SLA clock throughput: business_time and add_business_time calls per second.

    uv run python -m bench.sla_clock [--calls 20000] [--repeat 7]

Pure Python, in-process: no Django, no database. Three calendars: 24/7; Mon–Fri
09:00–18:00 Europe/Moscow with Russian-style holidays and a transferred working Saturday;
two intervals a day (08:00–12:00, 13:00–17:00) Mon–Fri in America/New_York. Each runs
without pauses and with three. The inputs are drawn once from a fixed seed, as the sweep
would see them: starts anywhere in 2026–2027 to the microsecond, targets of 15 minutes to
5 days, business_time spans up to 5 days, pauses of 10 minutes to a day near the start.
Figures are the best of --repeat runs over warm caches (the per-calendar layout is built
on first use; its cost is printed separately as the cold first call).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

if not __package__:  # run as a file: make "bench" and "dutydesk" importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from dutydesk.sla import clock
from dutydesk.sla.clock import Calendar, Pause, WorkingHours, add_business_time, business_time

TARGET = 100_000  # add_business_time calls per second
TARGETS = [timedelta(minutes=m) for m in (15, 30, 60, 120, 240, 480)] + [
    timedelta(days=d) for d in (1, 2, 3, 5)
]
SpanArgs = tuple[Calendar, datetime, datetime, tuple[Pause, ...]]
AddArgs = tuple[Calendar, datetime, timedelta, tuple[Pause, ...]]


def russian_style_holidays() -> frozenset[date]:
    """The shape of a Russian production calendar (New Year week, spring, May, June, November)."""
    days: set[date] = set()
    for year in (2026, 2027, 2028):
        days |= {date(year, 1, d) for d in range(1, 9)}
        days |= {date(year, 2, 23), date(year, 3, 9), date(year, 5, 1), date(year, 5, 11)}
        days |= {date(year, 6, 12), date(year, 11, 4), date(year, 12, 31)}
    return frozenset(days)


def calendars() -> dict[str, Calendar]:
    weekdays = range(5)
    return {
        "24/7": Calendar("Europe/Moscow", always_open=True),
        "Mon-Fri 09-18 Moscow, holidays": Calendar(
            "Europe/Moscow",
            hours=tuple(WorkingHours(d, clock_time(9), clock_time(18)) for d in weekdays),
            holidays=russian_style_holidays(),
            working_days={date(2026, 11, 7): 0, date(2027, 11, 6): 0},  # Saturdays worked
        ),
        "two intervals New York": Calendar(
            "America/New_York",
            hours=tuple(
                WorkingHours(d, clock_time(start), clock_time(end))
                for d in weekdays
                for start, end in ((8, 12), (13, 17))
            ),
        ),
    }


def inputs(
    calendar: Calendar, count: int, pauses: int, seed: int
) -> tuple[list[SpanArgs], list[AddArgs]]:
    """(business_time args, add_business_time args): starts, ends or targets, pauses."""
    rng = random.Random(seed)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    spread = int((datetime(2027, 12, 1, tzinfo=UTC) - first).total_seconds() * 1e6)
    spans: list[SpanArgs] = []
    adds: list[AddArgs] = []
    for _ in range(count):
        start = first + timedelta(microseconds=rng.randrange(spread))
        paused = []
        for _ in range(pauses):
            begin = start + timedelta(seconds=rng.randrange(3 * 86400))
            paused.append((begin, begin + timedelta(seconds=rng.randrange(600, 86400))))
        end = start + timedelta(seconds=rng.randrange(5 * 86400))
        spans.append((calendar, start, end, tuple(paused)))
        adds.append((calendar, start, rng.choice(TARGETS), tuple(paused)))
    return spans, adds


def rate(
    function: Callable[..., object], args: list[SpanArgs] | list[AddArgs], repeat: int
) -> float:
    """Calls per second, best of ``repeat`` passes over ``args``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for calendar, start, other, pauses in args:
            function(calendar, start, other, pauses)
        best = min(best, time.perf_counter() - started)
    return len(args) / best


def cold_call_ms(args: AddArgs) -> float:
    """One add_business_time with the clock's caches empty: the per-calendar layout cost."""
    clock._timeline.cache_clear()
    clock._offsets.cache_clear()
    started = time.perf_counter()
    add_business_time(*args)
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per figure (20000)")
    parser.add_argument("--repeat", type=int, default=7, help="passes; the best counts (7)")
    args = parser.parse_args()

    print(f"SLA clock benchmark: {args.calls} calls per figure, best of {args.repeat}")
    print(f"  load average before: {os.getloadavg()[0]:.1f} (other work skews the figures)")
    rows = []
    slowest_add = float("inf")
    for seed, (name, calendar) in enumerate(calendars().items()):
        for pauses in (0, 3):
            spans, adds = inputs(calendar, args.calls, pauses, seed)
            cold = cold_call_ms(adds[0])
            spans_per_s = rate(business_time, spans, args.repeat)
            adds_per_s = rate(add_business_time, adds, args.repeat)
            slowest_add = min(slowest_add, adds_per_s)
            rows.append(
                [
                    name,
                    pauses,
                    f"{spans_per_s:,.0f}",
                    f"{1e6 / spans_per_s:.1f}",
                    f"{adds_per_s:,.0f}",
                    f"{1e6 / adds_per_s:.1f}",
                    f"{cold:.1f}",
                ]
            )
    print()
    common.print_table(
        [
            "calendar",
            "pauses",
            "business_time/s",
            "µs",
            "add_business_time/s",
            "µs",
            "cold first call ms",
        ],
        rows,
    )
    verdict = "met" if slowest_add >= TARGET else "not met"
    print(f"\n  target ≥ {TARGET:,} add_business_time/s on every row: {verdict}")
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
