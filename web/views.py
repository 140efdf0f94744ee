"""The pages: parse the request, call the app's :class:`search.Index`, render (the JSON API is ``web.api``).

Nothing here touches Whoosh; the CLI and these views share one library API.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from search import Index, QueryError, SearchResults

from .feed import FEED_SIZE, atom, feed_etag
from .formatting import page_window
from .messages import about, indonesian
from .params import SearchForm, month_range, year_range

bp = Blueprint("cari", __name__)
RELATED_SHOWN = 5  # related articles under an article
# Rows one download (/api/export.csv) sends at most (the app's EXPORT_ROWS overrides it): a researcher's
# "every article on a topic" is hundreds or thousands; 100,000 rows of CSV are ~60 MB and minutes of one worker.
EXPORT_ROWS = 100_000


def index() -> Index:
    """The app's one Index (see ``create_app``): it searches, and writes for the API."""
    return current_app.extensions["cari.index"]


def run_search(form: SearchForm, facets: bool = False, explain: bool = False) -> SearchResults:
    """The results for a form (``explain``: the parts of each score); QueryError for anything the reader got wrong."""
    return index().search(
        form.q,
        page=form.page_number(),
        limit=form.page_size(current_app.config["PAGE_SIZE"]),
        filters=form.filters(),
        sort=form.checked_sort(),
        facets=facets,
        corrections=not form.as_typed,
        explain=explain,
        prefix=form.prefix,
        group=form.group,
    )


@bp.context_processor
def archive_outline() -> dict:
    """``archive()`` in the pages: the index's dates and words for placeholders and tips (asked when shown)."""
    return {"archive": lambda: index().archive_outline(), "archive_count": lambda: index().doc_count()}


@bp.get("/")
def home() -> ResponseReturnValue:
    """The front page; with ``?q=`` or a filter it is the results page."""
    form = SearchForm.from_args(request.args)
    if form.q or form.filtered:
        return search()
    return render_template("home.html", count=index().doc_count(), form=SearchForm())


@bp.get("/search")
def search() -> ResponseReturnValue:
    """Ranked results with snippets, filters and pages; a bad query is explained in the page.

    Without words, a filter lists its newest articles (as ``q=*`` lists all);
    with neither, this is the front page.
    """
    form = SearchForm.from_args(request.args)
    if not form.q and not form.filtered:
        return render_template("home.html", count=index().doc_count(), form=form)
    sources = [name for name, _ in index().sources()]
    try:
        results = run_search(form, facets=True)
        # The sources as the index names them (``cnn`` is ``cnn indonesia``): the facet marks and toggles those.
        form = replace(form, sources=tuple(form.filters().source_names(sources)))
        # The source facet lets the reader add and take out sources: its counts are those of the search
        # without any.
        every_source = None
        if form.sources and (form.q or form.date_from or form.date_to):
            every_source = run_search(replace(form, sources=(), page="1", limit="1"), facets=True).facets
        elif form.sources:  # sources browsed: every source of the archive
            every_source = {"source": dict(sorted(index().sources(), key=lambda pair: -pair[1]))}
    except QueryError as e:
        # The page is Indonesian; the API and the CLI keep the English message.
        return render_template("results.html", form=form, sources=sources, error_about=about(e),
                               error=indonesian(e, (index().archive_outline().get("last") or "")[:10])), 400
    return render_template(
        "results.html",
        form=form,
        sources=sources,
        results=results,
        source_counts=(every_source or {}).get("source") or (results.facets or {}).get("source", {}),
        pages=page_window(results.page, results.pages),
        year_range=year_range,
        month_range=month_range,
        export_rows=current_app.config.get("EXPORT_ROWS", EXPORT_ROWS),
    )


@bp.get("/article/<path:doc_id>")
def article(doc_id: str) -> ResponseReturnValue:
    """One whole article, the words of ``?q=`` highlighted."""
    form = SearchForm.from_args(request.args)
    page = index().article(doc_id, form.q_shown)
    if page is None:
        message = "Artikel ini tidak ada di indeks. Mungkin indeks sudah dibangun ulang."
        return render_template("error.html", title="Artikel tidak ditemukan", message=message, status=404), 404
    try:
        related = index().related(doc_id, limit=RELATED_SHOWN)
    except QueryError:  # removed between the two calls
        related = []
    return render_template("article.html", article=page, form=form, related=related)


@bp.get("/feed.atom")
def feed() -> ResponseReturnValue:
    """The Atom feed of a search: its newest articles holding every word (``web.feed``); 304 while unchanged."""
    form = SearchForm.from_args(request.args)
    args = form.url_args(page="", sort="", limit="", as_typed="")
    health = index().health()
    changed = datetime.fromisoformat(health["built_at"]) if health.get("built_at") else datetime.now(timezone.utc)
    response = Response(mimetype="application/atom+xml")
    response.set_etag(feed_etag(health["generation"], args))
    response.last_modified = changed
    response.cache_control.no_cache = True  # readers ask again, cheaply: 304 until the index changes
    response.make_conditional(request)
    if response.status_code == 304:
        return response
    try:
        results = index().search(form.q or "*" if not form.filtered else form.q, limit=FEED_SIZE,
                                 filters=form.filters(), sort="newest")
    except QueryError as e:
        return jsonify(error=str(e)), 400
    public = current_app.config.get("PUBLIC_URL")
    base = public.rstrip("/") if public else ""
    shown = form.q_shown if form.q and form.q != "*" else "artikel terbaru"
    response.set_data(atom(
        results, f"{shown} — Cari", base + url_for("cari.feed", **args), base + url_for("cari.search", **args),
        lambda doc_id: base + url_for("cari.article", doc_id=doc_id), changed,
        "urn:cari:search:" + "&".join(f"{k}={v}" for k, v in sorted(args.items())),
    ))
    return response


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets a browser add Cari as a search engine."""
    xml = render_template("opensearch.xml")
    return Response(xml, mimetype="application/opensearchdescription+xml")
