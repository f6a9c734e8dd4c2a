"""What an operator watches (Step 10), in Prometheus's format (prometheus-client): counters and
histograms recorded as things happen, and the backlog (outbox, open alerts) read from the database at
each scrape. One registry per application, so tests that run many applications in one process do not
mix their figures. Labels are kinds and outcomes only, never a person."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from db.metrics import Backlog

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter("anabala_updates", "Telegram updates handled, by type", ["type"], registry=registry)
        self.update_seconds = Histogram(
            "anabala_update_seconds", "Time to handle one update, from the first middleware to the last reply",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0), registry=registry,
        )
        self.handler_errors = Counter("anabala_handler_errors", "Updates that ended in a handler's exception", registry=registry)
        self.sends = Counter(
            "anabala_sends", "Messages the bot started, by what Telegram answered (sent, 429, 403, 400, 5xx)",
            ["outcome"], registry=registry,
        )
        self.escalations = Counter("anabala_alert_escalations", "Alerts sent on to the next tier", registry=registry)
        self.planned_families = Counter("anabala_planner_families", "Families planned by the planner's sweeps", registry=registry)
        self.planner_rate = Gauge(
            "anabala_planner_families_per_second", "Families planned per second in the last sweep that planned any",
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "anabala_outbox_pending", "Messages waiting in the outbox, by priority (0 urgent … 3 broadcast)", ["priority"],
            registry=registry,
        )
        self.oldest_due_seconds = Gauge(
            "anabala_outbox_oldest_due_seconds", "How long the oldest due message has waited (0: none due)", registry=registry,
        )
        self.open_alerts = Gauge("anabala_open_alerts", "Alerts not closed yet, by band", ["band"], registry=registry)
        self.oldest_untaken_seconds = Gauge(
            "anabala_oldest_untaken_alert_seconds", "How long the oldest alert nobody has taken has waited (0: none)",
            registry=registry,
        )

        self.inbox_waiting = Gauge(
            "anabala_inbox_waiting", "Webhook updates kept and not handled yet (all workers together)", registry=registry,
        )
        self.worker_info = Gauge("anabala_worker", "This worker (its WORKER_ID and mode), always 1", ["worker", "mode"],
                                 registry=registry)

    def set_backlog(self, backlog: Backlog, now: datetime) -> None:
        self.inbox_waiting.set(backlog.inbox_waiting)
        for priority in (0, 1, 2, 3):
            self.outbox_pending.labels(priority=str(priority)).set(backlog.pending_by_priority.get(priority, 0))
        self.oldest_due_seconds.set(max((now - backlog.oldest_due).total_seconds(), 0) if backlog.oldest_due else 0)
        for band in ("urgent", "high"):
            self.open_alerts.labels(band=band).set(backlog.open_alerts_by_band.get(band, 0))
        self.oldest_untaken_seconds.set(max((now - backlog.oldest_untaken).total_seconds(), 0) if backlog.oldest_untaken else 0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
