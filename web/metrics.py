"""``GET /metrics``: what the service is doing, in the Prometheus text format (``prometheus_client``).

Requests by route and status, search latency as a histogram, searches
stopped at their budget, and the index served: its documents, its
generation and that generation's age. Under ``cari serve`` the workers are
separate processes: ``prometheus_client``'s multiprocess mode (the folder in
``$PROMETHEUS_MULTIPROC_DIR``, made by ``cari serve``) adds up every worker's
counts, whichever worker answers the scrape. The index's own figures are
read at the scrape, from the answering worker's searcher.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
SEARCH_ROUTES = {"/search", "/api/search"}

# Module-level, as prometheus_client wants (one set of series a process); a registry of their own keeps
# them out of prometheus_client's global one, which a multiprocess scrape must not read.
REGISTRY = CollectorRegistry()
REQUESTS = Counter("cari_http_requests", "HTTP requests answered, by route and status.",
                   ["route", "method", "status"], registry=REGISTRY)
SEARCH_SECONDS = Histogram("cari_search_duration_seconds", "Time to answer a search request (/search, /api/search).",
                           ["route"], registry=REGISTRY,
                           buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0))
BUDGET_STOPS = Counter("cari_search_budget_stops", "Searches stopped at their time budget (slow) or refused "
                       "because others queued ahead used it (busy).", ["kind"], registry=REGISTRY)

metrics = Blueprint("metrics", __name__)


class _IndexCollector:
    """The index the answering worker serves: documents, generation, its age (read at the scrape)."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self) -> Iterator[Metric]:
        documents = GaugeMetricFamily("cari_index_documents", "Documents in the index served.")
        generation = GaugeMetricFamily("cari_index_generation", "The generation served (its name as a label).",
                                       labels=["generation"])
        age = GaugeMetricFamily("cari_index_generation_age_seconds", "Seconds since the served generation was made.")
        up = GaugeMetricFamily("cari_index_up", "1 when a sound index is served, else 0.")
        try:
            health = self.app.extensions["cari.index"].health()
            documents.add_metric([], health["documents"])
            generation.add_metric([health["generation"]], 1)
            made = os.stat(os.path.join(self.app.config["INDEX_DIR"], health["generation"])).st_mtime
            age.add_metric([], max(0.0, time.time() - made))
            up.add_metric([], 1)
        except Exception:  # noqa: BLE001 - no sound index: cari_index_up 0 says so; the log has the reason
            up.add_metric([], 0)
        yield from (documents, generation, age, up)


@metrics.get("/metrics")
def scrape() -> Response:
    """Every metric, in the Prometheus text format."""
    if os.environ.get(MULTIPROCESS_ENV):
        # lazy: only a multi-process server reads its workers' metrics files
        from prometheus_client import multiprocess

        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    index = CollectorRegistry()
    index.register(current_app.extensions["cari.index_metrics"])
    return Response(generate_latest(counted) + generate_latest(index), mimetype=CONTENT_TYPE_LATEST)


def count_budget_stop(busy: bool) -> None:
    BUDGET_STOPS.labels("busy" if busy else "slow").inc()


def init_metrics(app: Flask) -> None:
    """Count every request the app answers, and serve /metrics."""
    app.register_blueprint(metrics)
    app.extensions["cari.index_metrics"] = _IndexCollector(app)
    for kind in ("slow", "busy"):  # exported at 0 from the start, not only after a first stop
        BUDGET_STOPS.labels(kind)

    @app.before_request
    def start_clock() -> None:
        request.environ["cari.started"] = time.perf_counter()

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        REQUESTS.labels(rule, request.method, str(response.status_code)).inc()
        started = request.environ.get("cari.started")
        if rule in SEARCH_ROUTES and started is not None:
            SEARCH_SECONDS.labels(rule).observe(time.perf_counter() - started)
        return response
