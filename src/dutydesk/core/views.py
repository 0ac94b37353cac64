"""Health and metrics endpoints for load balancers and Prometheus."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dutydesk.core.models import WorkerHeartbeat
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.tickets.models import Priority, Status, Ticket


def _heartbeat_age() -> float | None:
    beat = WorkerHeartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
    return round((timezone.now() - beat).total_seconds(), 1) if beat else None


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        age = _heartbeat_age()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "error", "error": type(exc).__name__}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok", "worker_heartbeat_age_seconds": age})


def _line(name: str, value: float, **labels: str) -> str:
    if labels:
        inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
        return f"{name}{{{inner}}} {value}"
    return f"{name} {value}"


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition; every series is present even when its value is zero."""
    counts = {
        (row["status"], row["priority"]): row["n"]
        for row in Ticket.objects.values("status", "priority").annotate(n=Count("id")).order_by()
    }
    lines = [
        "# HELP dutydesk_tickets Tickets by status and priority.",
        "# TYPE dutydesk_tickets gauge",
    ]
    for status in Status.values:
        for priority in Priority.values:
            lines.append(
                _line(
                    "dutydesk_tickets",
                    counts.get((status, priority), 0),
                    status=status,
                    priority=priority,
                )
            )
    deliveries = dict(
        Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    oldest = Delivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    now = timezone.now()
    age = _heartbeat_age()
    lines += [
        "# HELP dutydesk_deliveries Outbox deliveries by status.",
        "# TYPE dutydesk_deliveries gauge",
        _line("dutydesk_deliveries", deliveries.get(DeliveryStatus.PENDING, 0), status="pending"),
        _line("dutydesk_deliveries", deliveries.get(DeliveryStatus.FAILED, 0), status="failed"),
        "# HELP dutydesk_delivery_oldest_pending_age_seconds Age of the oldest unsent delivery.",
        "# TYPE dutydesk_delivery_oldest_pending_age_seconds gauge",
        _line(
            "dutydesk_delivery_oldest_pending_age_seconds",
            round((now - oldest).total_seconds(), 1) if oldest else 0,
        ),
        "# HELP dutydesk_worker_heartbeat_age_seconds Worker heartbeat age, -1 if none.",
        "# TYPE dutydesk_worker_heartbeat_age_seconds gauge",
        _line("dutydesk_worker_heartbeat_age_seconds", age if age is not None else -1),
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")
