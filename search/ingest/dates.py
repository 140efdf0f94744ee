"""Dates on Indonesian news pages (``06/10/2022, 21:01 WIB``, ``Sabtu, 08 Januari 2022``) as ISO 8601."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

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


def parse_date(text: str) -> str | None:
    """The first date (and time) in ``text`` as ISO 8601, or None.

    Understands the forms Indonesian news pages use, with WIB/WITA/WIT turned
    into UTC offsets, and ISO 8601 itself.
    """
    text = text.strip()
    if ISO_DATE.match(text):
        return text.replace(" ", "T", 1)
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
