"""``within_edits`` rules most close-spelling candidates out by their letters alone (issue 24): the same
answers as the Damerau distance over the whole words."""

import random

from whoosh.support.levenshtein import damerau_levenshtein

from search.query.typos import within_edits


def edited(word, rng, count):
    letters = list(word)
    for _ in range(count):
        at, kind = rng.randrange(len(letters) + 1), rng.randrange(4)
        if kind == 0:
            letters.insert(at, rng.choice("abdegiklmnprstuy"))
        elif kind == 1 and at < len(letters):
            del letters[at]
        elif kind == 2 and at < len(letters):
            letters[at] = rng.choice("abdegiklmnprstuy")
        elif kind == 3 and at + 1 < len(letters):
            letters[at], letters[at + 1] = letters[at + 1], letters[at]
    return "".join(letters)


def test_within_edits_answers_as_the_distance_over_the_whole_words():
    rng = random.Random(11)
    answers = {True: 0, False: 0}
    for _ in range(20_000):
        word = "".join(rng.choice("abdegiklmnprstuy") for _ in range(rng.randint(5, 12)))
        other = edited(word, rng, rng.randint(0, 4))
        for edits in (1, 2, 3):
            expected = abs(len(word) - len(other)) <= edits and damerau_levenshtein(word, other, edits) <= edits
            assert within_edits(word, other, edits) == expected, (word, other, edits)
            answers[expected] += 1
    assert min(answers.values()) > 10_000  # both answers well represented


def test_swapped_and_missing_letters_are_close():
    assert within_edits("jakarta", "jakatra", 2) and within_edits("kementerian", "kementrian", 2)
    assert not within_edits("jakarta", "jayapura", 2) and not within_edits("banjir", "bandung", 2)
