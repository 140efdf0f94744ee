"""search.analysis.sastrawi_fast stems exactly as PySastrawi (the reference) does.

The sample (tests/data/sastrawi_sample.txt, chosen by bench/stemmer_sample.py)
holds words from the corpora and made-up affix stacks covering every prefix
rule, suffix, confix order, the loop that puts suffixes back and the plural
path; bench/stemmer_identity.py runs the same comparison on ~680k words.
"""


import pytest

from search.analysis.sastrawi_fast import PREFIX_RULES, FastSastrawi
from search.analysis.stemmer import Stemmer
from tests.conftest import DATA

SAMPLE = DATA / "sastrawi_sample.txt"


@pytest.fixture(scope="module")
def fast():
    return FastSastrawi()


def sample_words() -> list[str]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def differences(fast: FastSastrawi, roots: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(word, fast root, PySastrawi root)`` for each word the two stem differently."""
    return [(word, fast.stem(word), root) for word, root in roots.items() if fast.stem(word) != root]


@pytest.fixture(scope="module")
def reference_roots(fast):
    """PySastrawi's root of each sample word."""
    return {word: fast.reference.stem(word) for word in sample_words()}


def test_sample_stems_exactly_like_pysastrawi(fast, reference_roots):
    assert len(reference_roots) > 3000
    assert differences(fast, reference_roots) == []


@pytest.mark.parametrize("number", [rule.number for rule in PREFIX_RULES])
def test_the_sample_needs_every_prefix_rule(fast, reference_roots, number):
    # The comparison above proves something only if every rule matters to it:
    # without any one rule, some sample word must get another root.
    rules = tuple(rule for rule in PREFIX_RULES if rule.number != number)
    crippled = FastSastrawi(fast.reference, rules)
    assert any(crippled.stem(word) != root for word, root in reference_roots.items())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a",
        "ku",
        "kau",
        "sea",
        "anak-anak",
        "bolak-balik",
        "sayur-mayur",
        "meniru-nirukan",
        "malaikat-malaikat-nya",
        "nikmat-ku",
        "nikmat-ku-lah",
        "-",
        "anak--anak",
        "a-",
        "belajar",
        "pelajar",
        "mempengaruhi",
        "penarikan",
        "mengpemilihannya",
        "penmenanyakankan",
        "me2ajar",
        "covid19",
        # what Sastrawi's normalizer does to non-ASCII and spaced text
        "café",
        "naïve",
        "İstanbul",
        "ſaya",
        "Anak  Anak",
        "2.500",
    ],
)
def test_odd_words_stem_like_pysastrawi(fast, text):
    assert fast.stem(text) == fast.reference.stem(text)


def test_rules_are_in_sastrawis_order():
    numbers = [int(rule.number) for rule in PREFIX_RULES]
    assert numbers == sorted(numbers)
    assert len(numbers) == 40  # Sastrawi has no rules 22 and 33


def test_caris_stemmer_uses_the_fast_stemmer_with_pysastrawis_dictionary():
    stemmer = Stemmer(exceptions={})
    assert isinstance(stemmer.sastrawi, FastSastrawi)
    assert stemmer.dictionary is stemmer.sastrawi.reference.get_dictionary()
    assert stemmer.dictionary.contains("ajar")
    assert stemmer.stem("mempelajari") == "ajar"
