"""The state machine of a check: results in, state and counters out (no database here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dutydesk.monitoring.models import Check, ResultStatus, State
from dutydesk.monitoring.probes import Outcome


@dataclass(frozen=True)
class Transition:
    old: str
    new: str
    at: datetime
    message: str


def state_apply(
    check: Check, outcome: Outcome, at: datetime, *, maintenance: bool, force_down: bool = False
) -> tuple[str, Transition | None]:
    """Fold one result into the check; return the result status and the transition, if any.

    ``alert_after`` consecutive failures make a check down, ``recover_after`` consecutive
    successes make it up again. During maintenance the counters keep counting but the
    state is "maintenance", so no incident opens; ``force_down`` skips the failure count
    (a missed heartbeat, an explicit /fail signal).
    """
    old = check.state
    if outcome.ok:
        check.consecutive_successes += 1
        check.consecutive_failures = 0
    else:
        check.consecutive_failures += 1
        check.consecutive_successes = 0
        if check.consecutive_failures == 1 and old != State.DOWN:
            check.outage_started_at = at
    check.last_run_at = at
    check.last_ok = outcome.ok
    check.last_latency_ms = outcome.latency_ms
    check.last_message = outcome.message[:500]

    failing = not outcome.ok and (force_down or check.consecutive_failures >= check.alert_after)
    if maintenance:
        new = State.MAINTENANCE
        status = ResultStatus.MAINTENANCE
    else:
        status = ResultStatus.UP if outcome.ok else ResultStatus.DOWN
        if old == State.DOWN:
            new = State.UP if check.consecutive_successes >= check.recover_after else State.DOWN
        elif failing:
            new = State.DOWN
        elif outcome.ok:
            new = State.UP
        else:
            # Failing, but not yet often enough to alert: an up check stays up.
            new = State.UP if old == State.UP else State.UNKNOWN
    awaiting_recovery = check.incident_id is not None and check.recovered_at is None
    if outcome.ok and new != State.DOWN and not awaiting_recovery:
        check.outage_started_at = None
    if new == old:
        return status, None
    check.state = new
    check.state_since = at
    return status, Transition(old=old, new=new, at=at, message=outcome.message[:500])
