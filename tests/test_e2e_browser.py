"""End to end: the real ``cari serve`` (gunicorn workers) in a subprocess, driven by headless Chromium.

The browser is Debian's ``/usr/bin/chromium`` (``apt-get install -y chromium``;
``.ci/run`` installs it), driven by Playwright for Python; Playwright never
downloads a browser of its own here. Set ``CARI_SCREENSHOTS=1`` to also write
``docs/screenshot-results.png`` and ``docs/screenshot-phone.png``.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import start_cari_serve, stop

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
KOMPAS_ID = "000_820b055c4d7704aa"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``cari serve --port 0`` from the repository, over a temp index it builds from ./seeds."""
    proc, url, output = start_cari_serve(tmp_path_factory.mktemp("e2e") / "index")
    yield {"url": url, "output": output}
    stop(proc)


def test_serve_builds_the_seed_index_and_answers_from_gunicorn_workers(server):
    assert "No index at" in server["output"] and "Indexed 5 documents" in server["output"]
    assert server["url"].startswith("http://127.0.0.1:")
    with urllib.request.urlopen(server["url"] + "/api/search?q=mengusir", timeout=10) as response:
        assert response.headers["Server"] == "gunicorn"
        data = json.load(response)
    assert data["total"] == 2 and all("<mark>mengusir</mark>" in r["snippet"] for r in data["results"])


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (the [test] extra)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that records console errors (a CSP violation is one) and dialogs (an XSS would be one)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.problems = []
    # The 400 of a bad query's page is expected; any other failed load or CSP report is not.
    expected = "the server responded with a status of 400"
    page.on("console", lambda m: m.type == "error" and expected not in m.text and page.problems.append(m.text))
    page.on("dialog", lambda d: (page.problems.append("dialog: " + d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def test_type_a_query_see_highlighted_results_and_open_an_article(server, page):
    page.goto(server["url"] + "/")
    assert page.evaluate("document.activeElement.name") == "q"  # autofocus
    assert "5" in page.inner_text(".count")
    page.keyboard.type("pengusiran")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=pengusiran")
    assert page.locator(".result").count() == 2
    assert "2 hasil" in page.inner_text(".summary")
    assert set(page.locator(".snippet mark").all_inner_texts()) == {"mengusir"}
    assert page.input_value("input[name=q]") == "pengusiran"
    # The stylesheet loaded despite the strict CSP: marks are yellow.
    assert page.eval_on_selector(".snippet mark", "m => getComputedStyle(m).backgroundColor") == "rgb(255, 229, 138)"
    if os.environ.get("CARI_SCREENSHOTS"):
        page.goto(server["url"] + "/search?q=kazakhstan&limit=4")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-results.png"), full_page=True)
        page.goto(server["url"] + "/search?q=pengusiran")

    page.locator(".result h2 a").first.click()
    page.wait_for_url("**/article/**")
    assert page.locator("article h1").count() == 1
    assert page.locator(".body p").count() >= 5
    assert "mengusir" in page.locator(".body mark").all_inner_texts()
    page.click("text=Kembali ke hasil")
    page.wait_for_url("**/search?q=pengusiran")
    assert page.problems == []


def test_page_through_results_and_filter_by_source(server, page):
    page.goto(server["url"] + "/search?q=rusia&limit=2")
    seen = [page.locator(".result h2 a").all_inner_texts()]
    assert page.inner_text(".pagination .current") == "1"
    for number in ("2", "3"):
        page.click("text=Berikutnya")
        page.wait_for_url(f"**page={number}**")
        assert page.inner_text(".pagination .current") == number
        seen.append(page.locator(".result h2 a").all_inner_texts())
    titles = [t for hits in seen for t in hits]
    assert [len(hits) for hits in seen] == [2, 2, 1] and len(set(titles)) == 5
    page.click("text=Sebelumnya")
    page.wait_for_url("**page=2**")

    page.select_option("select[name=source]", "Tempo.co")
    page.click("text=Terapkan")
    page.wait_for_url("**source=Tempo.co**")
    assert page.locator(".result").count() == 1
    assert page.inner_text(".result .source") == "Tempo.co"
    assert page.problems == []


@pytest.mark.parametrize("evil", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_markup_in_the_query_is_shown_as_text(server, page, evil):
    page.goto(server["url"] + "/")
    page.fill("input[name=q]", evil)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert page.input_value("input[name=q]") == evil
    assert page.locator("main img, main script").count() == 0
    assert evil in page.inner_text("main")
    assert page.problems == []


def test_bad_query_is_explained_in_the_page(server, page):
    page.goto(server["url"] + "/")
    page.fill("input[name=q]", '"duta besar')
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert "Tanda kutip belum ditutup" in page.inner_text(".notice.error")


def test_readable_on_a_phone(server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ("/", "/search?q=kazakhstan&limit=3", f"/article/{KOMPAS_ID}?q=kazakhstan"):
        page.goto(server["url"] + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    if os.environ.get("CARI_SCREENSHOTS"):
        page.goto(server["url"] + "/search?q=kazakhstan&limit=3")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-phone.png"))
    context.close()
