"""Shared fixtures: the seed corpus and indexes built from it in temp folders."""

import importlib
import json
import os
import random
import re
import select
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"  # test inputs kept in the repository
# The public relevance sets: ../shared/eval beside the repository, or where CARI_EVAL points.
EVAL = Path(os.environ.get("CARI_EVAL", ROOT.parent / "shared" / "eval"))


def write_jsonl(path: Path, docs) -> Path:
    """Write ``docs`` (article dicts) to ``path`` as JSON Lines, one per line."""
    path.write_text("".join(json.dumps(doc) + "\n" for doc in docs), encoding="utf-8")
    return path


def bench_module(name: str):
    """The script bench/NAME.py as the module ``bench.NAME`` (what ``python -m bench.NAME`` runs)."""
    return importlib.import_module(f"bench.{name}")


def whoosh_searcher(index_dir: Path):
    """A Whoosh searcher of the live index scoring with Whoosh's own matchers and BM25F over its live
    documents (what Cari's array scorer must give: search._whoosh.live)."""
    from whoosh.index import open_dir

    from search._whoosh.live import LiveBM25F, count_live_only
    from search.index import generations
    from search.query.weights import BM25_PARAMS

    searcher = open_dir(str(generations.live_generation(index_dir))).searcher(weighting=LiveBM25F(**BM25_PARAMS))
    count_live_only(searcher.reader())
    return searcher


def make_index(folder: Path, articles: list[dict]) -> Path:
    """An index of ``articles`` (dicts as a JSON Lines export holds them) in ``folder``/index; returns its path."""
    from search.index.build import build_index

    folder.mkdir(parents=True, exist_ok=True)
    source = write_jsonl(folder / "articles.jsonl", articles)
    build_index([source], folder / "index")
    return folder / "index"


def seed_sentences() -> list[str]:
    """The sentences of the seed pages (more than four words each), in a fixed order: stuff to make articles of."""
    return [
        s.strip()
        for page in sorted(SEEDS.glob("*.txt"))
        for s in re.split(r"(?<=[.!?])\s+", page.read_text(encoding="utf-8"))
        if len(s.split()) > 4
    ]


def built_then_updated(folder: Path, articles: list[dict], changed: int, gone: int) -> Path:
    """An index of ``articles`` (one segment), then updated: the first ``changed`` articles changed and the last
    ``gone`` removed (deleted documents in the first segment, the changed ones in a second). ``articles`` are left
    changed. (``procs=2``, but a few hundred articles are too few for workers: the parent writes them.)"""
    from search.index.build import build_index

    source, index = folder / "news.jsonl", folder / "ix"
    write_jsonl(source, articles)
    build_index([source], index, procs=2)
    for article in articles[:changed]:
        article["text"] += " Kazakhstan membantah."
    write_jsonl(source, articles[:-gone])
    assert not build_index([source], index).full
    return index


def web_client(index: Path, **config):
    """A Flask test client of a fresh web app over ``index``, in testing mode; ``config`` adds or overrides settings."""
    from web.app import create_app

    return create_app({"INDEX_DIR": str(index), "TESTING": True, **config}).test_client()


def news(n: int, source: str, date: str | None, words: str, **extra) -> dict:
    """A short article ``n`` of ``source`` about ``words``, dated ``date`` (None: undated)."""
    article = {"id": f"{source[:3].lower()}-{n}", "title": f"Berita {words} nomor {n}",
               "text": f"Warga kota membahas {words} pada hari ke-{n}. Pemerintah daerah menanggapi {words}.",
               "source": source, **extra}
    if date:
        article["date"] = date
    return article


# The seed article of Kompas.com (its id is the file name's number and a hash of its text).
KOMPAS_ID = "000_820b055c4d7704aa"
# Twelve news articles for facets and filters: 3 of the 8 Kompas articles are about floods, and 2 of the 3 Tempo ones.
NEWS = [
    *(news(i, "Kompas.com", f"2023-0{i % 9 + 1}-1{i}", "banjir" if i < 3 else "pemilu") for i in range(8)),
    news(10, "Tempo.co", "2022-11-05", "banjir", author="Nesa Aqila", url="https://tempo.co/a/10"),
    news(11, "Tempo.co", "2022-12-24", "banjir"),
    news(12, "Tempo.co", None, "pemilu"),
    news(13, "Antara", "2023-03-03", "pemilu"),
]


def searcher_of(docs: list[dict], folder: Path):
    """An Index over an index of ``docs`` (articles as a JSON Lines export holds them), built in ``folder``."""
    from search import Index
    from search.index.build import build_index

    build_index([write_jsonl(folder / "docs.jsonl", docs)], folder / "index")
    return Index(folder / "index")


def eval_file(set_name: str, name: str) -> Path:
    """A file of a public relevance set; the test is skipped, saying where it looked, when it is missing."""
    path = EVAL / set_name / name
    if not path.is_file():
        pytest.skip(f"{path} not found: put the shared data at ../shared or set CARI_EVAL to its eval folder")
    return path


@pytest.fixture(scope="session", autouse=True)
def _searches_without_a_budget():
    """Tests search without a time budget: what they test is not speed, and on a loaded machine a search of a few
    ms of CPU can take seconds of wall time and be refused (QueryTooSlow). One setting, $CARI_SEARCH_BUDGET=none,
    reaches every search given no budget of its own: Index(path), the commands (CliRunner), the web app, and the
    servers and commands tests start as processes. Tests marked ``budget`` get the product's default back."""
    from search.options import BUDGET_VARIABLE

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BUDGET_VARIABLE, "none")
        yield


@pytest.fixture(autouse=True)
def _budget_tests_keep_the_default(request, monkeypatch):
    """A test marked ``budget`` (of the time budget itself) searches with the default budget, as users do."""
    if request.node.get_closest_marker("budget"):
        from search.options import BUDGET_VARIABLE

        monkeypatch.delenv(BUDGET_VARIABLE, raising=False)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def run_cli(runner):
    """Run the real ``cari`` command line; returns the click Result."""

    def run(*args, **kwargs):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return run


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """An index of the five seed articles, built once through the CLI."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    result = CliRunner().invoke(cli, ["rebuild-index", str(SEEDS), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    return index_dir


@pytest.fixture
def seeds_copy(tmp_path):
    """A writable copy of the seed folder, for tests that add bad files."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def cari_command() -> list[str]:
    """The installed ``cari`` script beside this Python, or the same entry point through it."""
    script = Path(sys.executable).with_name("cari")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from search.cli import main; main()"]


def start_cari_serve(index: Path, timeout: float = 60, *extra: str) -> tuple[subprocess.Popen, str, str]:
    """Start the real ``cari serve --port 0`` (from the repository root); returns (process, url, output).

    The caller terminates the process. Fails the test if it does not start.
    """
    import pytest

    proc = subprocess.Popen(
        [*cari_command(), "serve", "--index", str(index), "--port", "0", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output, url = [], None
    deadline = time.monotonic() + timeout
    while url is None and time.monotonic() < deadline and proc.poll() is None:
        if select.select([proc.stdout], [], [], 1)[0]:
            line = proc.stdout.readline()
            output.append(line)
            if " at http://" in line:
                url = line.split(" at ", 1)[1].split()[0].rstrip("/")
    if url is None:
        proc.kill()
        pytest.fail("cari serve did not start:\n" + "".join(output))
    # Keep reading what it prints (a line a request, the access log): a pipe nobody reads fills up and
    # blocks the server.
    drain = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    drain.start()
    _SERVER_OUTPUT[proc.pid] = (drain, output)
    return proc, url, "".join(output)


# What each running server printed, read by its drain thread: stop() hands it to the test.
_SERVER_OUTPUT: dict[int, tuple[threading.Thread, list[str]]] = {}


def stop(proc: subprocess.Popen) -> str:
    """Terminate a server started by :func:`start_cari_serve`; returns all it printed."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    drain, output = _SERVER_OUTPUT.pop(proc.pid, (None, []))
    if drain is not None:
        drain.join(timeout=10)
    return "".join(output)


@pytest.fixture
def client(seed_index):
    """A test client of a fresh web app over the (read-only) seed index."""
    return web_client(seed_index)


@pytest.fixture(scope="session")
def news_index(tmp_path_factory):
    """An index of :data:`NEWS`, built once (read-only: tests that write build their own)."""
    return make_index(tmp_path_factory.mktemp("news"), NEWS)


@pytest.fixture
def news_client(news_index):
    """A test client of a fresh web app over :func:`news_index`."""
    return web_client(news_index)


@pytest.fixture(scope="session")
def indosum_index(tmp_path_factory):
    """An index of IndoSum's 3,463 articles (``../shared/eval/indosum``), built once: the real archive readers meet."""
    docs = eval_file("indosum", "docs.jsonl")
    index_dir = tmp_path_factory.mktemp("indosum-index")
    result = CliRunner().invoke(cli, ["rebuild-index", str(docs), "--index", str(index_dir), "-q"])
    assert result.exit_code == 0, result.output
    return index_dir


@pytest.fixture(scope="session")
def indosum_docs():
    """IndoSum's articles by id, as its JSON Lines file holds them."""
    with eval_file("indosum", "docs.jsonl").open(encoding="utf-8") as lines:
        return {doc["id"]: doc for doc in map(json.loads, lines)}


# A query for the story of story_index's first copied article (tests/cli, tests/web: story groups).
STORY_QUERY = "polda metro tilang pelanggar ganjil genap"


@pytest.fixture(scope="session")
def story_index(tmp_path_factory, indosum_docs):
    """300 IndoSum articles, three syndicated copies of one of them and two of another (bench/stories.py):
    (the index folder, the first article copied, the ids of its story of four, the second article copied)."""
    from search import Index

    docs = list(indosum_docs.values())[:300]
    made = bench_module("stories")
    rng = random.Random(3)
    titles = [d["title"] for d in docs]
    first, second = docs[5], docs[40]
    copies = [made.syndicated_copy(first, k, rng, titles) for k in range(3)]
    copies += [made.syndicated_copy(second, 10 + k, rng, titles) for k in range(2)]
    folder = tmp_path_factory.mktemp("stories")
    index_dir = folder / "index"
    Index(index_dir).rebuild([write_jsonl(folder / "docs.jsonl", docs + copies)], full=True)
    story = {first["id"], *(c["id"] for c in copies[:3])}
    return index_dir, first, story, second
