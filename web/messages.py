"""What the public pages say, in Indonesian, of a query they could not search (the library's errors carry data).

A :class:`search.QueryError` has an English message (the CLI and the JSON
API show it), a ``reason`` and its ``details``; the page says the same to
its reader in Indonesian, or what to try where the reason has no sentence here.
"""

from __future__ import annotations

from search import QueryError

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
    "name_needed": 'Filter orang atau organisasi perlu sebuah nama (misalnya orang:"Setya Novanto").',
    "several_sources": "{wanted!r} ada di nama beberapa sumber: {listed}; pilih salah satu.",
    "unknown_source": "Tidak ada artikel dari {wanted!r}. Sumber yang ada: {listed}.",
    "bad_date": "Tanggal {value!r} tidak dikenali: tulis TTTT-BB-HH (2022-10-06), TTTT-BB (2022-10) atau TTTT (2022).",
    "bad_sort": "Urutan tidak dikenali: pilih relevansi, terbaru atau terlama.",
    "bad_number": "Nilai {name} {value!r} tidak sah: gunakan bilangan bulat dari {low} sampai {high}.",
}


def indonesian(error: QueryError) -> str:
    """The error said to a reader of the pages, in Indonesian."""
    said = SAID.get(error.reason)
    if said is None:
        return GENERIC
    details = dict(error.details)
    if error.reason == "unknown_source":
        details["listed"] = details.get("listed") or "belum ada"
    return said.format(**details)
