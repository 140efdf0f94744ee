"""How numbers, dates and page links read on an Indonesian page."""

from __future__ import annotations

from search import shown_time

BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


def tanggal(iso: str | None) -> str:
    """``2022-10-06T21:01:00+07:00`` -> ``6 Oktober 2022, 21:01 WIB`` (UTC shown in WIB); unknown stays as given."""
    if not iso:
        return ""
    shown = shown_time(iso)
    if shown is None:
        return iso
    moment = shown.moment
    day = f"{moment.day} {BULAN[moment.month - 1]} {moment.year}"
    if not shown.has_time:
        return day
    return f"{day}, {moment:%H:%M}" + (f" {shown.zone}" if shown.zone else "")


def angka(value: float, decimals: int = 0) -> str:
    """A number as Indonesians write it: ``1.234`` and ``3,5``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a few around ``page``; None is a gap."""
    wanted = {1, pages, *range(page - around, page + around + 1)}
    shown = sorted(n for n in wanted if 1 <= n <= pages)
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def web_link(url: str | None) -> str:
    """``url`` if it is an http(s) address, else "" (no ``javascript:`` links from the data)."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return ""


def bulan(month: str) -> str:
    """``2022-10`` -> ``Oktober 2022``; anything else stays as given."""
    try:
        return f"{BULAN[int(month[5:7]) - 1]} {int(month[:4])}"
    except (ValueError, IndexError):
        return month
