"""The check runner: claims due checks, probes them in an asyncio loop, records results.

The database work (claiming, recording) stays in the calling thread; the probes run in an
event loop on a second thread, bounded by a semaphore, each under its own timeout, so
one slow target never holds up the others. Several runners may run at once: a check is
claimed by moving its ``next_run_at`` forward inside ``SELECT … FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.monitoring.kinds import ConfigError, config_parse
from dutydesk.monitoring.models import Check, Kind
from dutydesk.monitoring.probes import PROBES, Clients, Outcome
from dutydesk.monitoring.services import results_record, rows_update
from dutydesk.monitoring.writes import claim_batch

log = logging.getLogger(__name__)


def claim_due(*, now: datetime, limit: int, exclude: set[int] | frozenset = frozenset()) -> list:
    """Take up to ``limit`` due checks and move each one's next run one interval on.

    Returns (check, scheduled instant) pairs, the earliest due first.
    """
    if connection.vendor == "postgresql":
        return claim_batch(now=now, limit=limit, exclude=exclude)
    with transaction.atomic():
        due = (
            Check.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organization")
            .filter(is_paused=False, next_run_at__lte=now)
            .exclude(kind=Kind.HEARTBEAT)
            .order_by("next_run_at")
        )
        if exclude:
            due = due.exclude(pk__in=exclude)
        checks = list(due[:limit])
        claimed = []
        for check in checks:
            scheduled = check.next_run_at
            step = timedelta(seconds=check.interval_seconds)
            following = scheduled + step
            # A runner that fell far behind skips the missed runs rather than bursting.
            check.next_run_at = following if following > now else now + step
            claimed.append((check, scheduled))
        rows_update(checks, ["next_run_at"])
    return claimed


def check_config(check: Check) -> Any:
    """The check's parsed configuration, or the ``ConfigError`` that refused it."""
    try:
        return config_parse(check.kind, check.config)
    except ConfigError as exc:
        return exc


async def probe_check(check: Check, clients: Clients, config: Any = None) -> Outcome:
    """One probe under the check's timeout; never raises. ``config``: parsed already."""
    config = check_config(check) if config is None else config
    if isinstance(config, ConfigError):
        return Outcome(False, None, _("Invalid configuration: %s") % config)
    probe = PROBES[check.kind]
    kwargs = {}
    if check.kind == Kind.DOMAIN:
        conf = settings.MONITORING
        kwargs["rdap_base_url"] = conf["rdap_base_url"]
        kwargs["whois_servers"] = conf["whois_servers"]
        kwargs["whois_iana"] = conf["whois_iana"]
    timeout = check.timeout_seconds
    started = time.perf_counter()
    try:
        # The probe's own timeout covers its I/O; this one also covers DNS, TLS and bugs
        # (a timeout scope, not wait_for: that costs a task per probe).
        async with asyncio.timeout(timeout + 1):
            return await probe(config, clients, timeout, **kwargs)
    except TimeoutError:
        return Outcome(False, round((time.perf_counter() - started) * 1000, 2), _("Timed out"))
    except Exception as exc:  # a probe bug must not stop the runner
        log.exception("monitoring: probe of check %s crashed", check.pk)
        return Outcome(False, None, _("Probe error: %s") % exc.__class__.__name__)


def _clients() -> Clients:
    conf = settings.MONITORING
    return Clients(concurrency=conf["concurrency"], user_agent=conf["user_agent"])


def run_once(*, now: datetime | None = None, limit: int = 10_000) -> int:
    """Run every check due at ``now`` to completion and record the results (tests, CLI)."""
    now = now or timezone.now()
    claimed = claim_due(now=now, limit=limit)
    if not claimed:
        return 0

    async def _all() -> list[Outcome]:
        clients = _clients()
        semaphore = asyncio.Semaphore(settings.MONITORING["concurrency"])

        async def one(check: Check) -> Outcome:
            async with semaphore:
                return await probe_check(check, clients)

        try:
            return await asyncio.gather(*(one(c) for c, _s in claimed))
        finally:
            await clients.aclose()

    outcomes = asyncio.run(_all())
    results_record([(c, o, now) for (c, _s), o in zip(claimed, outcomes, strict=True)])
    return len(claimed)


@dataclass
class RunnerStats:
    completed: int = 0
    write_failures: int = 0
    drift_ms: list[float] = field(default_factory=list)  # start instant minus scheduled one
    # How late the check was claimed (claim instant minus scheduled one, when positive).
    claim_late_ms: list[float] = field(default_factory=list)


class Runner:
    """A long-running runner: call ``run_for(seconds)`` from a worker task or a command."""

    tick = 0.2  # seconds between claims
    # Checks due this soon are claimed now and started on time by the event loop, so
    # neither the claim tick nor a slow batch write delays them.
    lookahead = 3.0
    # Claimed checks a runner may hold (waiting for their instant, probing, or finished and
    # not yet written) per probe slot: enough for the look-ahead at full speed, few enough
    # that an overloaded runner leaves due checks to another one.
    claimed_per_slot = 4
    batch_window = 0.5  # results are written at most this often

    def __init__(self, *, concurrency: int | None = None, keep_drift: bool = False) -> None:
        self.concurrency = concurrency or settings.MONITORING["concurrency"]
        self.keep_drift = keep_drift
        self.stats = RunnerStats()
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task] = set()
        # Parsed configurations by (check, updated_at): a check's row changes on every run,
        # its configuration only when it is edited (which moves updated_at).
        self._configs: dict[tuple, Any] = {}

    def run_for(self, seconds: float) -> RunnerStats:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="monitoring-probes", daemon=True)
        thread.start()
        clients = asyncio.run_coroutine_threadsafe(self._setup(), loop).result()
        try:
            self._loop(loop, clients, time.monotonic() + seconds)
        finally:
            asyncio.run_coroutine_threadsafe(clients.aclose(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
        return self.stats

    async def _setup(self) -> Clients:
        self._semaphore = asyncio.Semaphore(self.concurrency)
        return Clients(concurrency=self.concurrency, user_agent=settings.MONITORING["user_agent"])

    def _start(self, claimed: list, clients: Clients) -> None:
        """On the event loop: one task per claimed check (one wake-up for the whole claim)."""
        for check, scheduled in claimed:
            key = (check.pk, check.updated_at)
            config = self._configs.get(key)
            if config is None:
                if len(self._configs) > 100_000:  # edited checks leave stale entries
                    self._configs.clear()
                config = self._configs[key] = check_config(check)
            task = asyncio.get_running_loop().create_task(
                self._probe(check, scheduled, clients, config)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _probe(
        self, check: Check, scheduled: datetime, clients: Clients, config: Any
    ) -> None:
        delay = (scheduled - timezone.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)
        async with self._semaphore:
            started = timezone.now()
            outcome = await probe_check(check, clients, config)
        self._done.put((check, outcome, started, scheduled))

    def _loop(self, loop: asyncio.AbstractEventLoop, clients: Clients, deadline: float) -> None:
        last_write = time.monotonic()
        pending: list = []
        while True:
            now_mono = time.monotonic()
            stopping = now_mono >= deadline
            if not stopping:
                # Keep the queue of claimed-but-not-started probes short, so that a slow
                # runner leaves due checks to another runner instead of hoarding them.
                room = self.concurrency * self.claimed_per_slot - len(self._in_flight)
                if room > 0:
                    claimed_at = timezone.now()
                    ahead = claimed_at + timedelta(seconds=self.lookahead)
                    claimed = claim_due(now=ahead, limit=room, exclude=self._in_flight)
                    for check, scheduled in claimed:
                        self._in_flight.add(check.pk)
                        if self.keep_drift:
                            late = (claimed_at - scheduled).total_seconds() * 1000
                            self.stats.claim_late_ms.append(max(late, 0.0))
                    if claimed:
                        loop.call_soon_threadsafe(self._start, claimed, clients)
            while True:
                try:
                    pending.append(self._done.get_nowait())
                except queue.Empty:
                    break
            if pending and (stopping or now_mono - last_write >= self.batch_window):
                pending = self._write(pending)
                last_write = now_mono
            if stopping and not self._in_flight:
                return
            if stopping and now_mono > deadline + 60:
                log.error(
                    "monitoring: stopping with %d probes unrecorded (%d finished)",
                    len(self._in_flight),
                    len(pending),
                )
                return
            time.sleep(self.tick)

    def _write(self, pending: list) -> list:
        """Record the finished probes; returns those to try again (the write failed)."""
        try:
            results_record([(check, outcome, started) for check, outcome, started, _s in pending])
        except Exception:
            # Nothing of the batch was written and the checks' state was put back: keep the
            # results and write them with the next batch, in the order they came.
            log.exception("monitoring: could not record %d results; will retry", len(pending))
            self.stats.write_failures += 1
            return pending
        for check, _outcome, started, scheduled in pending:
            self._in_flight.discard(check.pk)
            if self.keep_drift:
                self.stats.drift_ms.append((started - scheduled).total_seconds() * 1000)
        self.stats.completed += len(pending)
        return []
