"""The latency and uptime chart of a check as inline SVG, drawn on the server from rollups.

No script and no external asset: the page stays within the CSP and prints as it shows.
"""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dutydesk.monitoring.models import Rollup

# The SVG stretches to its box (preserveAspectRatio="none", strokes that do not scale), so
# its text would stretch too: the axis labels are HTML around it (app.css places the three
# latency labels at the top, middle and bottom of the plot: keep TOP and PLOT_BOTTOM).
WIDTH, HEIGHT = 720, 172
LEFT, RIGHT, TOP = 0, 0, 6
PLOT_BOTTOM = 150  # the latency plot; the uptime strip is below
STRIP_TOP, STRIP_HEIGHT = 158, 14
COLOURS = {"up": "#2f9e5a", "partial": "#e0a526", "down": "#d64541", "maintenance": "#3b7dd8"}


@dataclass(frozen=True)
class Label:
    text: str
    percent: float  # from the top (y axis) or from the left (x axis)


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    y_labels: list[Label]
    x_labels: list[str]
    has_data: bool
    uptime: float | None
    latency_avg: float | None
    latency_max: float | None
    buckets: int


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above ``value``: a round axis maximum."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _level(bucket: Rollup) -> str | None:
    share = bucket.uptime
    if share is None:
        return "maintenance" if bucket.maintenance else None
    if share >= 0.999:
        return "up"
    return "partial" if share >= 0.95 else "down"


def _strip(buckets: Sequence[Rollup], x_of, step: timedelta) -> list[str]:
    """Runs of buckets of one level as one rectangle each (a day has 1,440 minutes)."""
    rects: list[str] = []
    run: tuple[str, float, float] | None = None
    for bucket in buckets:
        level = _level(bucket)
        x0, x1 = x_of(bucket.bucket), x_of(bucket.bucket + step)
        if run and run[0] == level and abs(run[2] - x0) < 0.01:
            run = (run[0], run[1], x1)
            continue
        if run and run[0]:
            rects.append(_rect(*run))
        run = (level, x0, x1)
    if run and run[0]:
        rects.append(_rect(*run))
    return rects


def _rect(level: str, x0: float, x1: float) -> str:
    return (
        f'<rect class="strip-{level}" x="{x0:.1f}" y="{STRIP_TOP}" '
        f'width="{max(x1 - x0, 0.6):.1f}" height="{STRIP_HEIGHT}" fill="{COLOURS[level]}"/>'
    )


def latency_chart(
    buckets: Sequence[Rollup],
    *,
    since: datetime,
    until: datetime,
    step: timedelta,
    zone: str,
    label: str,
) -> Chart:
    """Average latency per bucket as a line (broken where there is no data), the worst
    latency as a faint band, and each bucket's uptime as a coloured strip below."""
    tz = zoneinfo.ZoneInfo(zone)
    span = (until - since).total_seconds() or 1.0
    plot_width = WIDTH - LEFT - RIGHT

    def x_of(at: datetime) -> float:
        share = min(max((at - since).total_seconds() / span, 0.0), 1.0)
        return LEFT + share * plot_width

    measured = [b for b in buckets if b.latency_count]
    top = _nice_ceiling(max((b.latency_avg or 0.0 for b in measured), default=0.0) * 1.1)

    def y_of(ms: float) -> float:
        return PLOT_BOTTOM - min(ms / top, 1.0) * (PLOT_BOTTOM - TOP)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" '
        'preserveAspectRatio="none">'
    ]
    y_labels = []
    for share in (1, 0.5, 0):
        y = y_of(top * share)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        y_labels.append(Label(_("%(ms)s ms") % {"ms": f"{top * share:g}"}, y / HEIGHT * 100))
    # Segments: a gap longer than two buckets breaks the line rather than bridging it.
    line: list[str] = []
    band: list[str] = []
    previous: datetime | None = None
    for bucket in measured:
        x = x_of(bucket.bucket + step / 2)
        command = "L" if previous and bucket.bucket - previous <= 2 * step else "M"
        line.append(f"{command}{x:.1f} {y_of(bucket.latency_avg or 0):.1f}")
        if bucket.latency_max is not None:
            band.append(
                f"M{x:.1f} {y_of(bucket.latency_min or 0):.1f}V{y_of(bucket.latency_max):.1f}"
            )
        previous = bucket.bucket
    if band:
        parts.append(f'<path class="band" d="{"".join(band)}"/>')
    if line:
        parts.append(f'<path class="line" d="{"".join(line)}"/>')
    parts.append(
        f'<rect class="strip-none" x="{LEFT}" y="{STRIP_TOP}" width="{plot_width}" '
        f'height="{STRIP_HEIGHT}"/>'
    )
    parts.extend(_strip(buckets, x_of, step))
    daily = span > 2 * 86400
    x_labels = [
        (since + timedelta(seconds=span * i / 4))
        .astimezone(tz)
        .strftime("%d.%m" if daily else "%H:%M")
        for i in range(5)
    ]
    parts.append("</svg>")
    up = sum(b.up for b in buckets)
    counted = up + sum(b.down for b in buckets)
    latency_sum = sum(b.latency_sum for b in measured)
    latency_count = sum(b.latency_count for b in measured)
    return Chart(
        svg=mark_safe("".join(parts)),  # noqa: S308  # numbers and escaped text only
        y_labels=y_labels,
        x_labels=x_labels,
        has_data=bool(line),
        uptime=up / counted if counted else None,
        latency_avg=latency_sum / latency_count if latency_count else None,
        latency_max=max(
            (b.latency_max for b in measured if b.latency_max is not None), default=None
        ),
        buckets=len(buckets),
    )
