"""The README's IndoSum screenshot (docs/screenshot-stories.png), made again on today's code.

Run from the repository root (needs the test extras' Playwright and Debian's /usr/bin/chromium):

    python -m tools.screenshots                  # writes docs/screenshot-stories.png
    python -m tools.screenshots --out FILE.png --query "banjir jakarta"

It builds, in a temporary folder, an index of IndoSum (``../shared/eval/indosum/docs.jsonl``) plus six
syndicated copies of its first three articles whose titles name Novanto and the e-KTP (two each, made
by ``bench.stories.syndicated_copy``, so that a story lists its other publishers), serves it on a free
local port and takes the results page for the query at 1280 px, as a reader's desktop shows it
(1280 x 1100), the second time it is asked (the first warms the index's caches). The other
screenshots are the browser tests' (``CARI_SCREENSHOTS=1 pytest tests/web/test_e2e_browser.py``),
made on the seed articles.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote_plus

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from bench.stories import syndicated_copy
from search import Index
from web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT.parent / "shared" / "eval" / "indosum" / "docs.jsonl"
CHROMIUM = "/usr/bin/chromium"


def archive() -> list[dict]:
    """IndoSum's articles and six syndicated copies of three Novanto e-KTP articles (two of each)."""
    docs = [json.loads(line) for line in DOCS.read_text(encoding="utf-8").splitlines() if line.strip()]
    copied = [d for d in docs if "novanto" in d["title"] and re.search(r"\bktp\b", d["title"])][:3]
    rng, titles = random.Random(21), [d["title"] for d in docs]
    copies = [syndicated_copy(article, number, rng, titles) for number, article in enumerate(copied * 2)]
    return docs + copies


def screenshot(index_dir: Path, query: str, out: Path) -> None:
    """The results page for ``query`` over ``index_dir``, served here, taken by Chromium into ``out``."""
    server = make_server("127.0.0.1", 0, create_app({"INDEX_DIR": str(index_dir)}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 1100})
            for _ in range(2):  # the second time as a reader meets it: the index's caches warm
                page.goto(f"http://127.0.0.1:{server.server_port}/search?q={quote_plus(query)}")
                page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot-stories.png")
    parser.add_argument("--query", default="novanto e-ktp")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "indosum-and-copies.jsonl"
        source.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in archive()), encoding="utf-8")
        with Index(Path(folder) / "index") as index:
            report = index.rebuild([str(source)])
        print(f"Indexed {report.indexed} articles")
        screenshot(Path(folder) / "index", args.query, args.out)
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
