"""What the public pages say, in Indonesian, of a query they could not search (the library's errors carry data).

A :class:`search.QueryError` has an English message (the CLI and the JSON
API show it), a ``reason`` and its ``details``; the page says the same to
its reader in Indonesian, or what to try where the reason has no sentence here.
"""

from __future__ import annotations

import re

from search import QueryError

from .formatting import angka

GENERIC = "Kata pencarian ini tidak dapat dipahami. Periksa tanda kutip, tanda kurung dan operatornya."
# reason -> the sentence, filled in from the error's details
SAID = {
    "empty": "Ketik satu kata atau lebih untuk dicari.",
    "too_long": "Kata pencarian terlalu panjang ({length} karakter; paling banyak {limit}).",
    "unbalanced_quote": 'Tanda kutip belum ditutup: frasa perlu " penutup (misalnya "duta besar").',
    "unbalanced_parentheses": "Tanda kurung dalam pencarian tidak seimbang.",
    "not_alone": "NOT perlu diikuti sebuah kata (misalnya kazakhstan NOT rusia).",
    "operator_alone": "Operator {operator} perlu kata di kedua sisinya (misalnya rusia {operator} ukraina).",
    "broad_wildcard": "Tanda bintang {wildcard!r} terlalu luas: tulis paling sedikit {letters} huruf sebelum * "
    "pertama (misalnya pemilu*, bukan *a* atau a*). Tanda * saja menampilkan berita terbaru.",
    "field_alone": "Kolom perlu sebuah kata sesudahnya (misalnya title:kazakhstan).",
    "name_needed": 'Filter orang atau organisasi perlu sebuah nama (misalnya orang:"Setya Novanto").',
    "several_sources": "{wanted!r} ada di nama beberapa sumber: {listed}; pilih salah satu.",
    "unknown_source": "Tidak ada artikel dari {wanted!r}. Sumber yang ada: {listed}.",
    "bad_date": "Tanggal {value!r} tidak dikenali: tulis TTTT-BB-HH ({day}), TTTT-BB ({day:.7}) atau TTTT ({day:.4}).",
    "dates_reversed": "Tanggal awal {date_from!r} jatuh sesudah tanggal akhir {date_to!r}: tukar keduanya.",
    "bad_sort": "Urutan tidak dikenali: pilih relevansi, terbaru atau terlama.",
    "bad_number": "Nilai {name} {value!r} tidak sah: gunakan bilangan bulat dari {low} sampai {high}.",
    "past_results": "Halaman {page} melewati hasil ke-{results}, yang terakhir ditampilkan (halaman {last}): "
    "persempit pencarian dengan sumber atau tanggal, atau unduh semua hasilnya.",
}


# The reasons that are about a filter or the page's address, not the words typed: the page says so.
NOT_THE_WORDS = {"several_sources": "Sumber", "unknown_source": "Sumber", "bad_date": "Tanggal",
                 "dates_reversed": "Tanggal", "bad_sort": "Urutan", "bad_number": "Alamat halaman",
                 "past_results": "Alamat halaman"}


def about(error: QueryError) -> str | None:
    """What the reader got wrong when it is not the words typed (``Tanggal``, ``Sumber``): the heading's subject."""
    return NOT_THE_WORDS.get(error.reason or "")


def indonesian(error: QueryError, day: str | None = None) -> str:
    """The error said to a reader of the pages, in Indonesian; ``day`` (``2018-03-01``, a day the archive holds)
    is the example of a date."""
    said = SAID.get(error.reason)
    if said is None:
        return GENERIC
    details = {"day": day if day and re.fullmatch(r"\d{4}-\d\d-\d\d", day) else "2022-10-06", **error.details}
    if error.reason == "unknown_source":
        details["listed"] = details.get("listed") or "belum ada"
    if error.reason == "past_results":
        details.update({name: angka(value) for name, value in details.items() if isinstance(value, int)})
    return said.format(**details)
