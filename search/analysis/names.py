"""Names as a reader spots them in one article: capitalised runs inside sentences, titles taken off.

No NER model ships for Indonesian in the registries Cari can reach, and none
is needed: news writes names with capitals, and the archive itself says
which words are names (a word capitalised in nearly all of its places inside
a sentence, not only where a sentence opens it). This module reads one
article; ``search.index.name_learning`` learns from the whole index which of the runs
found here are people and organisations.

An article's runs are indexed as terms of the ``names`` field, each kind
under its prefix (:func:`name_terms`):

- ``n:setya novanto`` -- a run of capitalised words joined by spaces or
  hyphens, inside a sentence, with the titles in front taken off (``Ketua
  DPR Setya Novanto`` -> ``dpr``, ``setya novanto``: a run is also cut where
  an abbreviation meets a capitalised word);
- ``t:setya novanto`` -- the same run where a person's title or a verb of
  saying stood before it (``Presiden``, ``kata``): evidence of a person;
- ``p:sri mulyani`` -- the last two or three words of a longer run (``Menteri
  Keuangan Sri Mulyani``): a name behind a title the lists do not know;
- ``c:novanto`` -- a word capitalised in every one of its places inside the
  article's sentences; ``u:kpk`` -- one written in capitals only;
- ``a:kpk=komisi pemberantasan korupsi`` -- an abbreviation the article
  defines as ``Komisi Pemberantasan Korupsi (KPK)``;
- ``k:ahok=basuki tjahaja purnama`` -- a one-word name the article gives as
  another's (a nickname): ``Basuki Tjahaja Purnama (Ahok)``, ``... alias
  Ahok``, ``... atau Ahok``, ``... yang akrab disapa Ahok``, ``Ahok (Basuki
  Tjahaja Purnama)``.

``bench/keyword_set.py`` builds the public keyword set from the same pieces
(:func:`tokens`, :func:`definitions`, :func:`name_words`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from search.analysis.wordlists import stopwords

WORD = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    """The words of a list written as text."""
    return frozenset(text.split())


# Sentence-like openings: a capital after these says nothing about the word being a name.
OPENERS = set(".!?:;\"“”'‘’(\n")
DEFINED = re.compile(r"\(\s*([A-Za-z][\w-]*(?:\s[\w-]+)?)\s*\)")  # '(KPK)', '(Setnov)', '(Pos Kota)'
CLAUSE_END = re.compile(r"[.;:!?\"“”()]")
# Capitalised by convention, not names: days, months, time zones.
CONVENTIONAL_CAPITALS = frozenset({
    "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu",
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november",
    "desember", "wib", "wita", "wit",
})
NAME_SHARE = 0.9  # a word is a name word when capitalised in >= 90% of its places not opening a sentence

# Words written before a person's name (folded): honorifics, ranks, roles that only people have, verbs
# of saying. Taken off the front of a run (those that are capitalised), and evidence of a person.
PERSON_TITLES = _words("""
pak bu bapak ibu tuan nyonya dr prof ir kh hj habib ustaz ustad ustadz kiai romo pendeta paus raja ratu
pangeran putri jenderal letjen mayjen brigjen irjen kombes akbp kompol akp iptu ipda aiptu bripka briptu
kolonel laksamana marsekal penyanyi aktris aktor artis komedian politikus politisi tersangka
terdakwa terpidana saksi jubir mantan calon cagub cawagub capres cawapres caleg sdr saudara almarhum
kata ujar ucap tutur ungkap imbuh sapaan bernama disapa
""")
# Titles of an office, followed by the institution (``Ketua DPR``), the person (``Presiden Joko Widodo``)
# or both (``Ketua DPR Setya Novanto``: then the name after the institution is the person).
OFFICE_TITLES = _words("""
presiden wapres wakil menteri menko mendagri menkeu menlu menhan menkumham menpora mendikbud menkes
gubernur wagub bupati wabup walikota wali wawali ketua ketum waketum sekjen sekretaris direktur dirut
kepala kapolri kapolda kapolres kapolsek kabareskrim kadiv kabid kasubdit kasat wakapolri wakapolda
panglima kasad kasal kasau danjen pangdam dandim hakim jaksa komisioner juru bicara staf khusus anggota
koordinator bidang umum utama eksekutif deputi asisten perdana dubes duta besar pm senator plt pj pjs
humas kabag kasubag direktorat pelatih kapten agung
""")
# Only these open a place: 'di Jakarta', 'ke Amerika Serikat' (lowercase, before the run).
PLACE_CUES = frozenset({"di", "ke"})
# Head words of places: a run opening with one names a place, never a person.
PLACE_HEADS = _words("""
republik kerajaan provinsi kabupaten kota kecamatan desa kelurahan pulau negara gunung sungai jalan selat
laut teluk tanah benua kampung dusun
""")
# Head words of organisations: a run opening with one names an organisation.
ORG_HEADS = _words("""
komisi kementerian kemenko partai badan tentara dewan pt cv perum persero universitas institut sekolah akademi
politeknik majelis mahkamah pengadilan kejaksaan kepolisian polda polres polsek polresta mabes bank
lembaga yayasan dinas direktorat ditjen persatuan perhimpunan asosiasi ikatan himpunan gerakan front
fraksi pemerintah pemprov pemkot pemkab kantor rumah komite kongres parlemen federasi organisasi
serikat koperasi perusahaan grup group klub fc tim kodam korem kodim koramil pusat biro
perserikatan kamar otoritas satuan satgas kesatuan angkatan markas sekretariat inspektorat
""")
# Abbreviations that open a longer name (PT Toyota Astra Motor): a run is not cut after them.
LEADING_ABBREVIATIONS = _words("pt cv pdi rs rsud sma smp sd smk uin iain bpjs kh hj tvri rri")
NAME_JOINERS = _words("bin binti van von der den de of al el")
MAX_RUN = 6  # words; longer capitalised runs are headings and titles of works, not names
# What stands between a name and its nickname (``Basuki Tjahaja Purnama alias Ahok``); " (" is checked apart,
# with the ")" after the nickname.
ALIAS_GAPS = frozenset(
    f"{comma} {words} " for comma in ("", ",") for words in (
        "alias", "atau", "atau akrab disapa", "atau biasa disapa", "yang akrab disapa", "yang biasa disapa",
        "akrab disapa", "biasa disapa", "disapa", "atau yang akrab disapa", "atau yang biasa disapa")
)
TAILS = (2, 3)


def fold(word: str) -> str:
    """Case-folded, diacritics removed: 'Erdoğan' -> 'erdogan'."""
    if word.isascii():
        return word.lower()  # the same, for the words news mostly writes
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))


@dataclass(slots=True)
class Token:
    surface: str
    folded: str
    joined: bool  # only a space or a hyphen from the previous word: may be part of one name with it
    opening: bool  # first in the text or after sentence punctuation or a quote: its capital says nothing


def tokens(text: str) -> list[Token]:
    """Every ``\\w+`` word of ``text``, folded, with whether it is joined to the one before and opens a sentence."""
    found, end = [], 0
    for match in WORD.finditer(text):
        start, word = match.start(), match.group()
        gap = text[end:start]
        if gap == " ":
            found.append(Token(word, fold(word), True, False))
        else:
            found.append(Token(word, fold(word), gap.strip() in ("", "-"), start == 0 or not OPENERS.isdisjoint(gap)))
        end = match.end()
    return found


def long_form(short: str, words: list[str]) -> list[str] | None:
    """The shortest ending of ``words`` that ``short`` abbreviates (Schwartz & Hearst 2003): each letter of
    the short form found in order, right to left, its first letter opening a word. 'KPK' in '... Komisi
    Pemberantasan Korupsi', 'Setnov' in '... Ketua DPR Setya Novanto', 'Kemendagri' in 'Kementerian Dalam Negeri'.
    """
    text = " ".join(words).lower()
    at = len(text) - 1
    letters = [c for c in short.lower() if c.isalnum()]
    for i in range(len(letters) - 1, -1, -1):
        while at >= 0 and (text[at] != letters[i] or (i == 0 and at > 0 and text[at - 1].isalnum())):
            at -= 1
        if at < 0:
            return None
        at -= 1
    found = text[text.rfind(" ", 0, at + 1) + 1:].split()
    return words[len(words) - len(found):]


def definitions(body: str) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(short, long) for each 'Long Form (SHORT)' of the text, both as folded words."""
    for match in DEFINED.finditer(body):
        short = match.group(1)
        if not 2 <= len(short) <= 10 or not short[0].isupper():
            continue
        clause = CLAUSE_END.split(body[max(0, match.start() - 200):match.start()])[-1]
        size = len(WORD.findall(short))
        words = WORD.findall(clause)[-min(len(short) + 5, 2 * len(short)):]
        found = long_form(short, words)
        if found and len(found) > size and found[0][0].isupper():
            yield tuple(fold(w) for w in WORD.findall(short)), tuple(fold(w) for w in found)


def case_counts(body: list[Token], upper: Counter, lower: Counter) -> None:
    """Add each word's places inside sentences to ``upper`` (capitalised) or ``lower``; openings say nothing."""
    for token in body:
        if not token.opening and token.surface[0].isalpha():
            (upper if token.surface[0].isupper() else lower)[token.folded] += 1


def name_words(upper: Counter, lower: Counter, min_count: int = 3, exclude: frozenset[str] = frozenset()) -> set[str]:
    """Words capitalised nearly everywhere a capital is not forced by the sentence: names and acronyms."""
    return {w for w, n in upper.items() if n >= NAME_SHARE * (n + lower[w]) and n >= min_count and w not in exclude}


_UPPER = "A-ZÀ-ÖØ-Þ"
_CAPITALISED = rf"[{_UPPER}]\w*"
# A run of capitalised words joined by a space or a hyphen ('Setya Novanto', 'Nur-Sultan'), with the small
# words names hold between capitalised ones ('Salman bin Abdulaziz', 'Bank of America').
RUN = re.compile(rf"(?<!\w){_CAPITALISED}(?:[ -]{_CAPITALISED}|(?: (?:{'|'.join(sorted(NAME_JOINERS))})(?= [{_UPPER}])))*")
LOWER_WORD = re.compile(r"(?<!\w)[^\W\d_A-ZÀ-ÖØ-Þ]\w*")
_RUN_WORD = re.compile(r"\w+")


def _runs(text: str) -> Iterator[tuple[int, str]]:
    """(start, text) of each run of ``text``; an organisation's goes on over 'dan' ('Kementerian Pemuda dan
    Olahraga')."""
    at = 0
    for match in RUN.finditer(text):  # one scan; a run an organisation's went on over is passed over
        start, end = match.span()
        if start < at:
            continue
        if text.startswith(" dan ", end) and fold(match.group().split(" ", 1)[0].split("-", 1)[0]) in ORG_HEADS:
            while text.startswith(" dan ", end) and (more := RUN.match(text, end + 5)) is not None:
                end = more.end()
            yield start, text[start:end]
        else:
            yield start, match.group()
        at = end


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word.isalpha()


def _opening_and_before(text: str, start: int) -> tuple[bool, str]:
    """Whether the word at ``start`` opens a sentence (its capital says nothing), and the word before it."""
    if start > 1 and text[start - 1] == " " and (text[start - 2].isalnum() or text[start - 2] == "_"):
        gap_start = start - 1  # one space after a word (most runs): what the loop below finds
    else:
        gap_start = start
        while (gap_start > 0 and not (text[gap_start - 1].isalnum() or text[gap_start - 1] == "_")
               and start - gap_start < 20):
            gap_start -= 1
        if gap_start == 0 or not OPENERS.isdisjoint(text[gap_start:start]):
            return True, ""
    space = text.rfind(" ", max(0, gap_start - 41), gap_start)
    word = text[space + 1 : gap_start]
    if space >= 0 and len(word) <= 40 and word.isalnum():  # most words: what the loop below finds, in C
        return False, fold(word)
    word_start = gap_start
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "_") and gap_start - word_start < 40:
        word_start -= 1
    return False, fold(text[word_start:gap_start])


def _segments(words: list[str], folded: list[str], opening: bool, before: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, evidence) of each name one run of capitalised ``words`` holds; the evidence before it is
    ``t`` (a person's title or a verb of saying), ``i`` (an office's title: a person or an institution follows)
    or ``l`` (a place's preposition)."""
    start, end = 0, len(words)
    if opening and (end > 1 or folded[0] in stopwords()):
        before, start = folded[0], 1  # 'Menurut Setya', 'Penyidik KPK': an opening capital says nothing
    evidence = "t" if before in PERSON_TITLES else "i" if before in OFFICE_TITLES else "l" if before in PLACE_CUES else ""
    while start < end and (folded[start] in PERSON_TITLES or folded[start] in OFFICE_TITLES
                           or (folded[start] == "kota" and evidence)):  # 'Wali Kota'
        evidence = "t" if folded[start] in PERSON_TITLES or evidence == "t" else "i"
        start += 1
    if start == end:
        return
    if end - start == 1:  # most runs: one word
        if not words[start].isdigit():
            yield start, end, evidence
        return
    pieces: list[list] = []  # [start, end, evidence]
    for i in range(start, end):
        if folded[i] in PERSON_TITLES:  # 'Polda Metro Jaya Kombes Argo Yuwono'
            pieces.append([i + 1, i + 1, "t"])
            continue
        if not pieces or (pieces[-1][1] > pieces[-1][0] and _acronym(words[i - 1]) and not _acronym(words[i])
                          and folded[i - 1] not in LEADING_ABBREVIATIONS):
            pieces.append([i, i, ""])
        pieces[-1][1] = i + 1
    pieces = [piece for piece in pieces if piece[1] > piece[0]]
    for number, (first, last, inner) in enumerate(pieces):
        if last - first <= MAX_RUN and not all(w.isdigit() for w in words[first:last]):
            if len(pieces) == 1:
                yield first, last, inner or evidence
            elif number == len(pieces) - 1:  # 'Ketua DPR Setya Novanto': the office's institution, then its holder
                yield first, last, "t" if inner or evidence in ("t", "i") else ""
            else:
                yield first, last, inner or (evidence if number == 0 and evidence == "l" else "")


def _alias(text: str, previous: tuple[int, str, list[str]], span: tuple[int, int], words: list[str],
           named: list[str]) -> str | None:
    """``nickname=name`` when the run at ``span`` (its ``words``, its last name's folded words ``named``) and
    the run before it (its end, last word and last name) are a name and its one-word nickname, in either order
    ('Basuki Tjahaja Purnama (Ahok)', '... alias Ahok'; 'Ahok (Basuki Tjahaja Purnama)'); else None. An
    abbreviation ('Komisi Pemberantasan Korupsi (KPK)') is not a nickname but a definition (``a:``)."""
    end, last_word, earlier_named = previous
    gap = text[end:span[0]]
    closed = text.startswith(")", span[1])
    if len(words) == 1 and len(earlier_named) >= 2 and (gap in ALIAS_GAPS or gap == " (" and closed):
        short, long = words[0], earlier_named
    elif gap == " (" and closed and len(earlier_named) == 1 and 2 <= len(words) <= 3:
        short, long = last_word, [fold(word) for word in words]  # the whole run: '(' made it open a sentence
    else:
        return None
    if not short[:1].isupper() or _acronym(short):
        return None
    return f"{fold(short)}={' '.join(long[-3:])}"


def _one_word(text: str, start: int, word: str, previous: tuple[int, str, list[str]] | None,
              capitalised: dict[str, bool], found: dict[str, None]) -> tuple[int, str, list[str]]:
    """What :func:`name_terms` does with a run of one word (at ``start``), without the general case's lists and
    generators: its capital counted, its name and evidence found, an alias with the run before; the new
    ``previous``."""
    folded = fold(word)
    opening, before = _opening_and_before(text, start)
    if not opening and word[0].isupper():
        capitalised[folded] = capitalised.get(folded, True) and _acronym(word)
    evidence = "t" if before in PERSON_TITLES else "i" if before in OFFICE_TITLES else "l" if before in PLACE_CUES else ""
    named = []
    if (not (opening and folded in stopwords()) and folded not in PERSON_TITLES and folded not in OFFICE_TITLES
            and not (folded == "kota" and evidence) and not word.isdigit()):  # ``_segments`` of one word
        named = [folded]
    if previous is not None and len(previous[2]) >= 2:  # a one-word run is only ever the nickname of a longer name
        alias = _alias(text, previous, (start, start + len(word)), [word], named)
        if alias is not None:
            found["k:" + alias] = None
    if named:
        found["n:" + folded] = None
        if evidence:
            found[evidence + ":" + folded] = None
    return start + len(word), word, named


def name_terms(text: str) -> list[str]:
    """The ``names`` field's terms of an article's body (the prefixes are described above)."""
    found: dict[str, None] = {}
    lower = set(LOWER_WORD.findall(text))
    if not text.isascii():
        lower = {w if w.isascii() else fold(w) for w in lower}
    capitalised: dict[str, bool] = {}  # word -> written in capitals only, inside sentences
    previous: tuple[int, str, list[str]] | None = None  # the last run's end, last word and last name's words
    for start, run in _runs(text):
        if " " not in run and "-" not in run:  # one word, most runs: ``_one_word`` does the same with less work
            previous = _one_word(text, start, run, previous, capitalised, found)
            continue
        words = _RUN_WORD.findall(run)
        folded = [fold(w) for w in words]
        opening, before = _opening_and_before(text, start)
        for i in range(0 if not opening else 1, len(words)):
            if words[i][0].isupper():  # not 'bin', 'dan' inside a name
                capitalised[folded[i]] = capitalised.get(folded[i], True) and _acronym(words[i])
        segments = list(_segments(words, folded, opening, before))
        named = folded[segments[-1][0]:segments[-1][1]] if segments else []
        if previous is not None:
            alias = _alias(text, previous, (start, start + len(run)), words, named)
            if alias is not None:
                found["k:" + alias] = None
        previous = (start + len(run), words[-1], named)
        for first, last, evidence in segments:
            name = " ".join(folded[first:last])
            found["n:" + name] = None
            if evidence:
                found[evidence + ":" + name] = None
            for size in TAILS:
                if last - first > size:
                    tail = " ".join(folded[last - size:last])
                    found["p:" + tail] = None
                    if evidence in ("t", "i") and folded[first] not in ORG_HEADS:
                        found["t:" + tail] = None  # 'Menteri Keuangan Sri Mulyani': the name after an office
    for word, upper_only in capitalised.items():
        if word not in lower and word[:1].isalpha():
            found["c:" + word] = None
            if upper_only:
                found["u:" + word] = None
    if "(" in text:
        for short, long in definitions(text):
            found["a:" + " ".join(short) + "=" + " ".join(long)] = None
    return list(found)
