"""End to end: the real ``cari serve`` (gunicorn workers) in a subprocess, driven by headless Chromium.

The browser is Debian's ``/usr/bin/chromium`` (``apt-get install -y chromium``;
``.ci/run`` installs it), driven by Playwright for Python; Playwright never
downloads a browser of its own here. Set ``CARI_SCREENSHOTS=1`` to also write
``docs/screenshot-results.png``, ``docs/screenshot-article.png`` and ``docs/screenshot-phone.png``.

axe-core, the accessibility checker, comes from npm (``npm pack axe-core``)
into a cache folder (``CARI_AXE_CACHE``, default a folder in the temp dir)
the first time; ``.ci/run`` installs Node.js where it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, start_cari_serve, stop

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
KOMPAS_ID = "000_820b055c4d7704aa"
AXE_VERSION = "4"  # the major version the checks below were written against
AXE_CACHE = Path(os.environ.get("CARI_AXE_CACHE", Path(tempfile.gettempdir()) / "cari-axe-core"))


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
        page.goto(server["url"] + "/search?q=kazakhstan&limit=4&from=2022-01-01&to=2022-12-31")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-results.png"), full_page=True)
        page.goto(server["url"] + f"/article/{KOMPAS_ID}?q=kazakhstan")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-article.png"), full_page=True)
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

    page.select_option("select[name=source]", "Tempo.co")  # applies when changed: no button to press
    page.wait_for_url("**source=Tempo.co**")
    page.wait_for_function("() => document.querySelectorAll('.result').length === 1")
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
    page.fill("input[name=q]", "kazakhstan NOT")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert "NOT perlu diikuti sebuah kata" in page.inner_text(".notice.error")


def test_a_stray_quote_is_searched_as_words_with_a_note(server, page):
    page.goto(server["url"] + "/")
    page.fill("input[name=q]", '"duta besar')
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert "tanpa pasangan diabaikan" in page.inner_text("main")
    assert page.locator(".notice.error").count() == 0


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


# -- instant results, facets, history, keyboard, accessibility ----------------------


def test_typing_shows_highlighted_results_without_enter(server, page):
    page.goto(server["url"] + "/")
    focused(page)
    page.keyboard.type("pengusiran", delay=30)  # no Enter
    page.wait_for_selector(".result")
    page.wait_for_url("**/search?q=pengusiran")
    assert set(page.locator(".snippet mark").all_inner_texts()) == {"mengusir"}
    assert page.evaluate("document.activeElement.name") == "q"  # still typing in the same box
    assert page.input_value("input[name=q]") == "pengusiran"
    page.keyboard.type(" rusia", delay=30)
    page.wait_for_url("**/search?q=pengusiran+rusia")
    assert page.input_value("input[name=q]") == "pengusiran rusia"
    assert page.problems == []


def focused(page) -> None:
    """Wait for the home page's box to take the focus (autofocus), as a reader sees it before typing.

    Under a loaded machine a first key typed right after the page loaded once
    went elsewhere (the box then held "aza" of "kaza").
    """
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'q'")


def test_the_box_completes_words_from_the_index(server, page):
    page.goto(server["url"] + "/")
    focused(page)
    page.keyboard.type("kaza", delay=30)
    page.wait_for_function("() => document.querySelectorAll('#saran option').length > 0")
    options = page.eval_on_selector_all("#saran option", "os => os.map(o => o.value)")
    assert options[0] == "kazakhstan"


def test_a_facet_click_filters_and_back_restores_the_previous_results(server, page):
    page.goto(server["url"] + "/search?q=rusia")
    assert "5 hasil" in page.inner_text(".summary")
    page.click(".facet-source a:text('Tempo.co')")
    page.wait_for_url("**/search?q=rusia&source=Tempo.co")
    assert page.locator(".result").count() == 1 and "Sumber: Tempo.co" in page.inner_text(".chips")
    page.click(".chip")  # the chip removes the filter again
    page.wait_for_url("**/search?q=rusia")
    assert "5 hasil" in page.inner_text(".summary")
    # Typing replaces the results; Back brings back the ones before the typing.
    page.fill("input[name=q]", "")
    page.keyboard.type("pengusiran", delay=30)
    page.wait_for_url("**/search?q=pengusiran")
    page.wait_for_function("() => document.querySelector('.summary').textContent.includes('2 hasil')")
    page.go_back()
    page.wait_for_url("**/search?q=rusia")
    page.wait_for_function("() => document.querySelector('.summary').textContent.includes('5 hasil')")
    assert page.input_value("input[name=q]") == "rusia"
    assert page.problems == []


def test_keyboard_only_reaches_a_result_and_slash_focuses_the_box(server, page):
    page.goto(server["url"] + "/search?q=pengusiran")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.eval_on_selector(".skip-link", "a => a.getBoundingClientRect().top >= 0")  # shown when focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.result') !== null")
    assert focused, "the first Tab after the skip link is the first result"
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url("**/article/**")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    ring = page.eval_on_selector(".query-box", "b => getComputedStyle(b).outlineWidth")
    assert ring == "3px"


def test_without_javascript_the_form_still_searches(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server["url"] + "/")
    page.fill("input[name=q]", "pengusiran")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=pengusiran")
    assert page.locator(".result").count() == 2
    page.click(".facet-source a >> nth=0")
    page.wait_for_url("**source=**")
    context.close()


def axe_source() -> str:
    """axe-core's browser script, from npm into AXE_CACHE the first time."""
    script = AXE_CACHE / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("the accessibility test needs npm (apt-get install -y npm) to fetch axe-core")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=AXE_CACHE) as folder:
            packed = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--silent"], cwd=folder, check=True,
                                    capture_output=True, text=True, timeout=300).stdout.split()[-1]
            with tarfile.open(Path(folder) / packed) as archive:
                member = archive.extractfile("package/axe.min.js")
                assert member is not None
                script.parent.mkdir(exist_ok=True)
                script.write_bytes(member.read())
    return script.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_on_home_results_and_article(server, browser, scheme):
    source = axe_source()
    context = browser.new_context(viewport={"width": 1200, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    for path in ("/", "/search?q=rusia&from=2022-01-01&to=2022-12-31", f"/article/{KOMPAS_ID}?q=rusia"):
        page.goto(server["url"] + path)
        page.evaluate(source)  # through the DevTools protocol: the page's CSP still allows no inline script
        report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found[path] = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in report["violations"] if v["impact"] in ("serious", "critical")
        ]
    context.close()
    assert found == {path: [] for path in found}


# -- a reader's first minutes on IndoSum (issue 21) ----------------------------------


@pytest.fixture(scope="module")
def archive(indosum_index):
    """``cari serve`` over IndoSum's 3,463 articles."""
    proc, url, _ = start_cari_serve(indosum_index)
    urllib.request.urlopen(url + "/search?q=gempa", timeout=180).read()  # a first page, however busy the machine
    yield {"url": url}
    stop(proc)


def test_typing_slowly_shows_completed_results_and_enter_adds_no_history_entry(archive, page):
    page.goto(archive["url"] + "/")
    focused(page)
    before = page.evaluate("history.length")
    fetched = []
    page.on("request", lambda r: "/search?" in r.url and "/api/" not in r.url and fetched.append(r.url))
    summaries = []
    for letter in "gempa aceh":
        page.keyboard.type(letter)
        page.wait_for_timeout(400)  # a slow typist: every pause is past the wait before searching
        if page.locator(".notice.empty, .summary").count():
            summaries.append(page.locator(".notice.empty, .summary").first.inner_text())
    # Each word completed as typed (from 3 letters), then searched whole after the space; "g", "ge" and
    # "gempa a" fetch nothing new. (On a loaded machine two letters may fall in one pause: fewer fetches.)
    typing = [url.split("/search?", 1)[1] for url in fetched]
    expected = ["q=gem&prefix=1", "q=gemp&prefix=1", "q=gempa&prefix=1", "q=gempa", "q=gempa+ace&prefix=1",
                "q=gempa+aceh&prefix=1"]
    assert typing[-1] == expected[-1] and sorted(typing, key=expected.index) == typing, typing
    assert not any("Tidak ada hasil" in text for text in summaries), summaries
    page.wait_for_url("**/search?q=gempa+aceh")
    assert page.evaluate("history.length") == before + 1
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.documentElement.classList.contains('loading')")
    page.wait_for_url("**/search?q=gempa+aceh")
    assert page.evaluate("history.length") == before + 1  # Enter took the typing's entry
    assert fetched[-1].endswith("/search?q=gempa+aceh")  # Enter: the words as typed
    page.go_back()
    page.wait_for_url(archive["url"] + "/")
    assert page.problems == []


def test_a_first_answer_coming_after_the_next_letter_still_leaves_one_history_entry(archive, page):
    """On a slow line (or a loaded machine) the next letter's fetch aborts the first one before it answers: the
    typing's history entry is made by the first page shown, so Back still leads to the home page."""
    page.goto(archive["url"] + "/")
    focused(page)
    before = page.evaluate("history.length")
    held: list = []
    page.route("**/search?q=gem&prefix=1", lambda route: held.append(route))  # the first typed fetch waits
    page.keyboard.type("gem")
    for _ in range(1200):  # its request comes after the typing's pause (a hang ends the test after a minute)
        if held:
            break
        page.wait_for_timeout(50)
    assert held
    page.keyboard.type("p")  # its fetch aborts the held one
    page.wait_for_url("**/search?q=gemp")
    held[0].continue_()  # the aborted fetch's answer comes late, and changes nothing
    page.wait_for_function("() => !document.documentElement.classList.contains('loading')")
    assert page.evaluate("history.length") == before + 1
    page.go_back()
    page.wait_for_url(archive["url"] + "/")
    assert page.problems == []


def test_on_a_phone_the_facets_are_above_the_results_and_a_filter_applies_when_changed(archive, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", has_touch=True)
    page = context.new_page()
    page.goto(archive["url"] + "/search?q=banjir")
    facets = page.locator(".facet-source").bounding_box()
    first = page.locator(".result").first.bounding_box()
    assert facets["y"] + facets["height"] <= first["y"] and facets["y"] < 844  # one tap away, on the first screen
    assert page.locator(".filters .apply").is_hidden()  # nothing to press: the filter applies when changed
    page.select_option("select[name=source]", "suara")
    page.wait_for_url("**/search?q=banjir&source=suara")
    page.wait_for_function("() => document.querySelector('.chips') && document.querySelector('.result')")
    assert "Sumber: suara" in page.inner_text(".chips")
    assert page.locator(".facet-source a").count() >= 3  # the other sources, to switch to
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the screen
    context.close()


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_the_list_of_several_sources_shows_whole_rows(archive, browser, width, height):
    # With two sources chosen the source filter is a list box of three rows; its padding showed the top of a
    # fourth one (liputan6's), cut at its middle, on a phone as on a desktop.
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    page.goto(archive["url"] + "/search?q=banjir&source=cnn+indonesia&source=kumparan")
    box = page.evaluate("""() => { const s = document.querySelector('select[name=source]');
        return {inside: s.clientHeight, row: s.options[0].offsetHeight, size: s.size,
                chosen: [...s.selectedOptions].map(o => o.value)}; }""")
    assert box["chosen"] == ["cnn indonesia", "kumparan"] and box["size"] == 3
    assert box["inside"] == box["size"] * box["row"], box  # whole rows: none cut
    context.close()
