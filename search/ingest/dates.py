"""Dates on Indonesian news pages (``06/10/2022, 21:01 WIB``, ``Sabtu, 08 Januari 2022``) as ISO 8601, and back.

In: the forms pages print, a date in an article's lead (``pada Rabu, 5
Oktober 2022``) for an article that gives none, and ISO 8601. Out: a time
as Indonesians read it, in its zone (``21:01 WIB``); a time in UTC (IndoSum,
feeds) is shown in WIB.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12,
}
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
_TIME = r"(?:,?\s*(?:\|\s*)?(?:pukul\s+)?(?P<hh>\d{1,2})[:.](?P<mi>\d{2})\s*(?P<tz>WIB|WITA|WIT)?)?"
# "Kompas.com - 06/10/2022, 21:01 WIB"
NUMERIC_DATE = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})" + _TIME)
# "Sabtu, 08 Januari 2022 | 09:20 WIB"
NAMED_DATE = re.compile(
    r"(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]+)\s+(?P<y>\d{4})" + _TIME, re.IGNORECASE
)
WEEKDAYS = r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad)"
# A page's own date line: "Kompas.com - 06/10/2022, 21:01 WIB" or
# "Sabtu, 08 Januari 2022 | 09:20 WIB" (not a date inside a sentence).
DATE_LINE = re.compile(
    r"^(?:[\w.]+\.(?:com|co|id)\s*[-–—]\s*|%s,?\s*)?\d{1,2}(?:/\d{1,2}/|\s+[A-Za-z]+\s+)\d{4}\b.{0,30}$" % WEEKDAYS,
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
# Dates an article's lead gives for the day it reports: with the weekday
# ("pada Rabu, 5 Oktober 2022", "Kamis (6/10/2022)", "Kamis (18 / 8 / 2016)")
# or in full digits ("5/10/2022"). A month name without a weekday ("sejak 5
# Oktober 2005") is as often a date in the story's past, and is not taken.
LEAD_DATE = re.compile(
    r"\b%s\s*(?:,\s*|\(\s*)(?P<named>\d{1,2}\s+[A-Za-z]+\s+\d{4})"
    r"|(?<![\d/])(?P<numeric>\d{1,2}\s?/\s?\d{1,2}\s?/\s?\d{4})(?![\d/])" % WEEKDAYS,
    re.IGNORECASE,
)
LEAD_CHARS = 400  # how far into the first paragraph a lead date is looked for


def parse_date(text: str) -> str | None:
    """The first date (and time) in ``text`` as ISO 8601, or None.

    Understands the forms Indonesian news pages use, with WIB/WITA/WIT turned
    into UTC offsets, and ISO 8601 itself.
    """
    text = text.strip()
    if ISO_DATE.match(text):
        # "+0700" as "+07:00": Python 3.10 reads only the latter.
        iso = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.replace(" ", "T", 1)) if "T" in text or " " in text else text
        return iso if read_date(iso) else None  # 2022-13-01, 2017-02-30T25:00: the shape of a date, not one
    for pattern in (NUMERIC_DATE, NAMED_DATE):
        for m in pattern.finditer(text):
            month = int(m["m"]) if "m" in m.groupdict() else MONTHS.get(m["mon"].lower())
            try:
                day = datetime(int(m["y"]), month or 0, int(m["d"]))
            except (TypeError, ValueError):
                continue
            if m["hh"] is None:
                return day.date().isoformat()
            try:
                moment = day.replace(hour=int(m["hh"]), minute=int(m["mi"]))
            except ValueError:
                return day.date().isoformat()
            if m["tz"]:
                moment = moment.replace(tzinfo=timezone(timedelta(hours=ZONES[m["tz"].upper()])))
            return moment.isoformat()
    return None


def lead_date(body: str) -> str | None:
    """The day an article's lead names (``Rabu, 5 Oktober 2022``, ``Kamis (6/10/2022)``), as ISO 8601, or None.

    For an article that gives no date of its own: news writes the day of the
    event in its first sentence, which is the day of the report or the one
    before. Only the start of the first paragraph is read.
    """
    lead = body.lstrip().split("\n", 1)[0][:LEAD_CHARS]
    for m in LEAD_DATE.finditer(lead):
        found = parse_date(m["named"] or m["numeric"].replace(" ", ""))
        if found:
            return found
    return None


LOCAL_ZONES = {hours * 3600: name for name, hours in ZONES.items()}
WIB = timezone(timedelta(hours=7))


class ShownTime(NamedTuple):
    """A date as a reader is shown it: the moment (in its zone) and the zone's name."""

    moment: datetime
    has_time: bool
    zone: str  # "WIB", "WITA", "WIT", "UTC+05:30"; "" when the source gave no zone (or no time)


class ReadDate(NamedTuple):
    """An article's date as read: the moment, whether it had a time, and whether it said its zone."""

    moment: datetime  # aware: in the zone given, or in WIB when none was
    has_time: bool
    zoned: bool


def read_date(iso: str | None) -> ReadDate | None:
    """The one reader of an article's date (ISO 8601, as articles store it); None for no date or one that does not parse.

    The rule: a date in an Indonesian article that names no zone is Jakarta's
    (WIB, UTC+7), as a newsroom means it: ``2016-08-12T23:30`` is 23:30 WIB
    (16:30 UTC), a day alone (``2022-10-05``) starts at midnight WIB. A zone
    given is kept (``Z`` and ``+0700`` as well as ``+07:00``). What the
    index stores (``published``), filters by, the feeds and the pages all
    read dates through here.
    """
    if not iso:
        return None
    text = iso.strip()
    try:
        moment = datetime.fromisoformat(_OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.replace("Z", "+00:00")))
    except ValueError:
        return None
    zoned = moment.tzinfo is not None
    return ReadDate(moment if zoned else moment.replace(tzinfo=WIB), "T" in text or " " in text, zoned)


def utc_moment(iso: str | None) -> datetime | None:
    """An article's date as an aware UTC moment (:func:`read_date`'s rule: no zone is WIB); None if it is no date."""
    read = read_date(iso)
    return None if read is None else read.moment.astimezone(timezone.utc)


def shown_time(iso: str | None) -> ShownTime | None:
    """An ISO 8601 date as shown: in its Indonesian zone (WIB/WITA/WIT), UTC as WIB; None if it is no date.

    A date that names no zone is shown as given, no zone made up (it is read as WIB: :func:`read_date`).
    """
    read = read_date(iso)
    if read is None:
        return None
    moment, has_time = read.moment, read.has_time
    if not read.zoned or not has_time:
        return ShownTime(moment, has_time, "")
    offset = moment.utcoffset()
    assert offset is not None
    seconds = int(offset.total_seconds())
    if seconds == 0:  # a machine's UTC (IndoSum, feeds): Indonesian news is read in Jakarta time
        return ShownTime(moment.astimezone(WIB), True, "WIB")
    if seconds in LOCAL_ZONES:
        return ShownTime(moment, True, LOCAL_ZONES[seconds])
    sign, seconds = ("+" if seconds > 0 else "-"), abs(seconds)
    return ShownTime(moment, True, f"UTC{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}")
