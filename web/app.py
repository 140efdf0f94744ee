"""The Cari web app: ``create_app()`` builds it, ``cari serve`` runs it with waitress.

Configuration comes in, nothing is global: each app owns one
:class:`search.Index` (thread-safe, it reopens the index after a rebuild,
and batches the API's writes), so tests make an app per test over a temporary index.
The views in :mod:`web.views` are thin; what can go wrong is turned into a
page here, in one place.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from search import (
    DEFAULT_BUDGET_SECONDS,
    MAX_QUERY_CHARS,
    Index,
    IndexDamaged,
    IndexMissing,
    QueryTooSlow,
    SearchBusy,
    default_budget_seconds,
)

from . import formatting, timeline
from .api import api
from .metrics import count_budget_stop, init_metrics
from .render import marked_html
from .views import bp

# Whoosh 2.7.4 predates Python 3.12's escape-sequence checks.
warnings.filterwarnings("ignore", category=SyntaxWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning, module="whoosh")

DEFAULTS = {
    "INDEX_DIR": "index",
    "PAGE_SIZE": 10,
    # SEARCH_BUDGET_SECONDS: a search stops past it (HTTP 503, try again later); None: no limit; without it,
    # 2 s or $CARI_SEARCH_BUDGET (search.default_budget_seconds), read when the app is made.
    # The site's address as readers reach it (e.g. https://cari.example.id), for the links that
    # must be absolute (OpenSearch). Never taken from the request's Host header, which anyone sets.
    "PUBLIC_URL": None,
    # The key of the write API (POST /api/documents, DELETE /api/documents/ID); None: no writing.
    "API_KEY": None,
    "WRITE_WAIT_SECONDS": 10.0,  # how long a write waits for a rebuild holding the index before a 503
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,  # a larger write is a 413
}

# No inline script or style anywhere: the one script is Cari's own file (static/cari.js),
# and the pages work without it.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(config: dict | None = None) -> Flask:
    """A Cari app over ``config["INDEX_DIR"]`` (default ``./index``)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    if "SEARCH_BUDGET_SECONDS" not in app.config:
        app.config["SEARCH_BUDGET_SECONDS"] = default_budget_seconds()
    budget = app.config["SEARCH_BUDGET_SECONDS"]  # None: no limit
    app.extensions["cari.index"] = Index(
        Path(app.config["INDEX_DIR"]), budget_seconds=None if budget is None else float(budget),
        write_wait_seconds=app.config["WRITE_WAIT_SECONDS"], writer=app.config.get("WRITER_SOCKET"),
        writer_owner=app.config.get("WRITER_OWNER"),
    )
    app.jinja_env.filters["tanggal"] = formatting.tanggal
    app.jinja_env.filters["angka"] = formatting.angka
    app.jinja_env.filters["web_link"] = formatting.web_link
    app.jinja_env.filters["bulan"] = formatting.bulan
    app.jinja_env.filters["marked"] = marked_html
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Indonesian text stays readable in /api
    app.json.sort_keys = False  # type: ignore[attr-defined]  # the key order of `cari search --json`
    app.jinja_env.globals["MAX_QUERY_CHARS"] = MAX_QUERY_CHARS
    app.jinja_env.globals["public_url"] = _public_url
    app.jinja_env.globals.update(timeline_svg=timeline.svg, timeline_bars=timeline.bars,
                                 timeline_kind=timeline.kind_of, timeline_summary=timeline.summary)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    init_metrics(app)
    _register_error_pages(app)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _register_error_pages(app: Flask) -> None:
    """Every failure is a page in the site's style (JSON under /api), never a traceback."""
    _register_index_errors(app)
    _register_http_errors(app)


def _error_response(status: int, title: str, message: str, headers: dict | None = None,
                    api_message: str | None = None) -> ResponseReturnValue:
    """A failure as the request's reader takes it: JSON under /api (``api_message``, in English), else a page."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return jsonify(error=api_message or message), status, headers or {}
    return render_template("error.html", title=title, message=message, status=status), status, headers or {}


def _register_index_errors(app: Flask) -> None:
    """The index cannot answer (missing, damaged) or a search ran past its budget: 503, try again later."""

    @app.errorhandler(IndexMissing)
    def index_missing(e: IndexMissing) -> ResponseReturnValue:
        # The detail names a server path: it goes to the log, not to the reader.
        app.logger.error("%s", e)
        return _error_response(503, "Indeks belum siap", "Indeks pencarian belum dibuat. Pengelola situs perlu "
                               "menjalankan `cari rebuild-index`.")

    @app.errorhandler(IndexDamaged)
    def index_damaged(e: IndexDamaged) -> ResponseReturnValue:
        app.logger.error("%s", e)
        return _error_response(503, "Indeks belum siap", "Indeks pencarian tidak dapat dibaca (rusak, atau dibuat "
                               "oleh versi Cari yang lain). Pengelola situs perlu menjalankan `cari rebuild-index`.")

    @app.errorhandler(QueryTooSlow)
    def query_too_slow(e: QueryTooSlow) -> ResponseReturnValue:
        # The API keeps the library's English message; the page says what to try, in Indonesian.
        app.logger.warning("search stopped (%s): %r", e, request.args.get("q", ""))
        count_budget_stop(busy=isinstance(e, SearchBusy))
        retry = {"Retry-After": str(_retry_after(app.extensions["cari.index"].budget_seconds))}
        if isinstance(e, SearchBusy):
            return _error_response(503, "Cari sedang sibuk", "Cari sedang melayani pencarian lain. Silakan coba "
                                   "lagi sebentar lagi.", headers=retry, api_message=str(e))
        return _error_response(503, "Pencarian terlalu lama", "Pencarian ini terlalu lama dan dihentikan agar "
                               "pencarian lain tidak ikut menunggu. Coba kata yang lebih spesifik, lebih sedikit "
                               "tanda bintang (*) dengan setidaknya dua huruf sebelum tiap *, atau saring menurut "
                               "sumber atau tanggal; lalu coba lagi sebentar lagi.", headers=retry, api_message=str(e))


def _register_http_errors(app: Flask) -> None:
    """The HTTP errors a reader or a client can meet: no such address, wrong method, too large, a bug of ours."""

    @app.errorhandler(404)
    def not_found(e: HTTPException) -> ResponseReturnValue:
        return _error_response(404, "Halaman tidak ditemukan", "Alamat ini tidak ada di Cari.",
                               api_message="There is no such address in the API (see /api/openapi.json).")

    @app.errorhandler(405)
    def method_not_allowed(e: HTTPException) -> ResponseReturnValue:
        valid = getattr(e, "valid_methods", None)  # a MethodNotAllowed names them
        allowed = {"Allow": ", ".join(valid)} if valid else {}
        return _error_response(405, "Metode tidak diizinkan", "Cari hanya menerima permintaan GET di alamat ini.",
                               headers=allowed,
                               api_message="This address does not take this method (see /api/openapi.json).")

    @app.errorhandler(413)
    def too_large(e: HTTPException) -> ResponseReturnValue:
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _error_response(413, "Permintaan terlalu besar", f"Cari menerima paling banyak {limit} MB sekali kirim.",
                               api_message=f"The body is larger than {limit} MB: send the documents in smaller batches.")

    @app.errorhandler(500)
    def internal_error(e: Exception) -> ResponseReturnValue:
        # Flask has already logged the traceback; the reader gets none of it.
        return _error_response(500, "Terjadi kesalahan", "Maaf, terjadi kesalahan di server. Silakan coba lagi.")


def _retry_after(budget_seconds: float | None) -> int:
    """Seconds to wait before trying again: by then the searches ahead have used up their budgets."""
    return max(1, math.ceil(2 * (budget_seconds or DEFAULT_BUDGET_SECONDS)))


def _public_url(endpoint: str, **values: Any) -> str:
    """A link to ``endpoint``: absolute on the configured PUBLIC_URL, else relative (no Host header trusted)."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("PUBLIC_URL")
    return base.rstrip("/") + path if base else path
