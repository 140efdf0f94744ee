"""The results over time as a bar chart: an SVG made here, on the server (no script, no chart library).

The bars are drawn in ``currentColor``, so the page's colours (light or dark,
``prefers-color-scheme`` in the stylesheet) are the chart's. The SVG is one
image to a screen reader (``role="img"`` and a label saying what it shows);
each bar has a ``<title>`` with its period and count. Clicking a bar narrows
the search to that period: a row of links lies over the bars, one a period,
each named for a screen reader, so the chart is also usable from the keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from .formatting import BULAN, angka

HEIGHT = 60  # the chart's height in its own units; the width is one unit a bar
GAP = 0.15  # of a bar's width, between bars


@dataclass
class Bar:
    """One period of the chart: what it is called, its count, its height and the search narrowed to it."""

    period: str
    label: str  # 'Mei 2017', 'Minggu 31, 2017 (31 Juli – 6 Agustus)', '5 Agustus 2017', '2017'
    count: int
    start: str
    end: str


def period_label(period: str, start: str, end: str) -> str:
    """A period as the page says it: a day, a week (its days), a month or a year, in Indonesian."""
    if "-W" in period:
        return f"Minggu {int(period[6:])}, {period[:4]} ({_day(start)} – {_day(end)})"
    if len(period) == 10:
        return _day(period)
    if len(period) == 7:
        return f"{BULAN[int(period[5:7]) - 1]} {period[:4]}"
    return period


def _day(iso: str) -> str:
    return f"{int(iso[8:10])} {BULAN[int(iso[5:7]) - 1]} {iso[:4]}"


def bars(timeline: list[dict]) -> list[Bar]:
    return [Bar(p["period"], period_label(p["period"], p["from"], p["to"]), p["count"], p["from"], p["to"])
            for p in timeline]


def kind_of(timeline: list[dict]) -> str:
    """'hari', 'minggu', 'bulan' or 'tahun': what one bar is."""
    period = timeline[0]["period"] if timeline else ""
    return "minggu" if "-W" in period else {10: "hari", 7: "bulan"}.get(len(period), "tahun")


def summary(timeline: list[dict]) -> str:
    """The chart in one sentence: its span, its total and its busiest period."""
    shown = bars(timeline)
    if not shown:
        return ""
    busiest = max(shown, key=lambda bar: bar.count)
    total = sum(bar.count for bar in shown)
    span = shown[0].label if len(shown) == 1 else f"{shown[0].label} sampai {shown[-1].label}"
    return (f"{angka(total)} artikel bertanggal, per {kind_of(timeline)}, dari {span}; "
            f"terbanyak {busiest.label} ({angka(busiest.count)}).")


def svg(timeline: list[dict], labelled_by: str) -> Markup:
    """The bars as one SVG image (``labelled_by``: the ids of the elements that say what it shows)."""
    shown = bars(timeline)
    top = max((bar.count for bar in shown), default=0) or 1
    parts = [f'<svg class="timeline-bars" role="img" aria-labelledby="{escape(labelled_by)}" '
             f'viewBox="0 0 {len(shown)} {HEIGHT}" preserveAspectRatio="none" focusable="false">']
    for x, bar in enumerate(shown):
        height = 0 if not bar.count else max(1.5, HEIGHT * bar.count / top)
        parts.append(f'<rect x="{x + GAP / 2:.3f}" y="{HEIGHT - height:.2f}" width="{1 - GAP:.3f}" '
                     f'height="{height:.2f}" fill="currentColor"><title>{escape(bar.label)}: '
                     f'{angka(bar.count)} artikel</title></rect>')
    parts.append(f'<line x1="0" y1="{HEIGHT}" x2="{len(shown)}" y2="{HEIGHT}" stroke="currentColor" '
                 'stroke-width="1" vector-effect="non-scaling-stroke" opacity=".5"/></svg>')
    return Markup("".join(parts))
