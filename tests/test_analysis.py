"""The Indonesian analyzer: reduplication, clitics, affixes, numbers, protected names."""

import pytest

from search.analysis.chain import analyze, is_reduplication


@pytest.mark.parametrize(
    "word, root",
    [
        ("mengusir", "usir"), ("diusir", "usir"), ("pengusiran", "usir"), ("usir", "usir"),
        ("anak-anak", "anak"), ("berlari-lari", "lari"), ("besar-besaran", "besar"),
        ("kerusuhan", "rusuh"), ("pembicaraan", "bicara"),
        ("rusianya", "rusia"), ("kazakhstanlah", "kazakhstan"), ("bukunya", "buku"),
        ("Bekasi", "bekasi"), ("pasukan", "pasukan"), ("penarikan", "tarik"), ("memadamkan", "padam"),
    ],
)
def test_words_reduce_to_their_root(word, root):
    assert analyze(word) == [root]


def test_numbers_keep_their_separators():
    assert analyze("2.500 orang dan Rp 43,5 miliar") == ["2.500", "rp", "43,5", "miliar"]


def test_compounds_split_into_parts():
    assert analyze("Nur-Sultan Covid-19") == ["nur", "sultan", "covid", "19"]


def test_stopwords_are_dropped():
    assert analyze("yang dan di untuk Kazakhstan") == ["kazakhstan"]


@pytest.mark.parametrize("word, expected", [("anak-anak", True), ("orang-orangnya", True),
                                             ("nur-sultan", False), ("covid-19", False)])
def test_reduplication_detection(word, expected):
    assert is_reduplication(word) is expected
