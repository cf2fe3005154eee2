"""Small charts as inline SVG, drawn on the server: no script, no external library, and
presentation attributes only (the Content-Security-Policy allows no inline styles).

Each chart scales with its container (``viewBox``), names itself for screen readers
(``role="img"`` with a title and a description), and tells series apart by dash pattern
and marker as well as by colour. The page shows the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import count

from markupsafe import Markup

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 30, 64
#: Colour-blind-safe colours (Okabe–Ito), dark enough against white.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000")
DASHES = ("", "8 4", "2 4", "12 4 2 4", "4 4")
_ids = count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for exp in range(-2, 12):
        for step in (1, 2, 2.5, 5):
            top = step * 10 ** exp
            if top >= value:
                return float(top)
    return value


def _whole_max(value: float) -> float:
    """The top of an axis of whole numbers: four steps of a whole, round size (1, 2, 5,
    10, 20, 25, 50, …), so every tick is a whole number."""
    for exp in range(0, 12):
        for step in (1, 2, 2.5, 5):
            size = step * 10 ** exp
            if size == int(size) and 4 * size >= value:
                return float(4 * size)
    return value


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f} %"
    if value == int(value):
        return f"{int(value)}"
    return f"{value:.1f}".replace(".", ",")


def _frame(title: str, desc: str, labels: Sequence[str], top: float, percent: bool,
           unit: str = "") -> tuple[list[str], str]:
    n = next(_ids)
    tid, did = f"chart-{n}-title", f"chart-{n}-desc"
    out = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{tid} {did}" '
           'xmlns="http://www.w3.org/2000/svg" font-size="13">',
           f'<title id="{tid}">{escape(title)}</title>', f'<desc id="{did}">{escape(desc)}</desc>']
    if unit:  # the axis' unit, above its top tick (clear of the tick's label)
        out.append(f'<text class="unit" x="4" y="{TOP - 14}" fill="#333">{escape(unit)}</text>')
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#d0d0d0" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'fill="#333">{_fmt(value, percent)}</text>')
    step = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = _x(i, len(labels))
        out.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                   f'fill="#333">{escape(label)}</text>')
    return out, tid


def _x(i: int, n: int) -> float:
    width = WIDTH - LEFT - RIGHT
    return LEFT + width * (i + 0.5) / max(n, 1)


def _y(value: float, top: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * (value / top if top else 0)


def _legend(series: Sequence[Series], bars: bool) -> list[str]:
    out = []
    x = LEFT
    y = HEIGHT - 18
    for i, s in enumerate(series):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        if bars:
            out.append(f'<rect x="{x}" y="{y - 9}" width="14" height="10" fill="{colour}"/>')
        else:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<line x1="{x}" x2="{x + 24}" y1="{y - 4}" y2="{y - 4}" '
                       f'stroke="{colour}" stroke-width="3"{dash_attr}/>')
        out.append(f'<text x="{x + 30}" y="{y}" fill="#111">{escape(s.name)}</text>')
        x += 40 + 8 * len(s.name)
    return out


def line_chart(title: str, desc: str, labels: Sequence[str], series: Sequence[Series],
               *, percent: bool = False, unit: str = "", whole: bool = False) -> Markup:
    """``whole``: the axis ticks are whole numbers (counts, days)."""
    values = [v for s in series for v in s.values if v is not None]
    biggest = max(values, default=0)
    top = 1.0 if percent else (_whole_max(biggest) if whole else _nice_max(biggest))
    out, _ = _frame(title, desc, labels, top, percent, unit)
    n = len(labels)
    for i, s in enumerate(series):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        segments: list[list[str]] = []
        for j, v in enumerate(s.values):
            if v is None:
                if run:
                    segments.append(run)
                run = []
                continue
            run.append(f"{_x(j, n):.1f},{_y(v, top):.1f}")
            out.append(f'<circle cx="{_x(j, n):.1f}" cy="{_y(v, top):.1f}" r="2.5" '
                       f'fill="{colour}"><title>{escape(s.name)}, {escape(labels[j])}: '
                       f'{_fmt(v, percent)}</title></circle>')
        if run:
            segments.append(run)
        for seg in segments:
            out.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                       f'stroke-width="2.5"{dash_attr}/>')
    out += _legend(series, bars=False)
    out.append("</svg>")
    return Markup("".join(out))  # every text in it is escaped above


def bar_chart(title: str, desc: str, labels: Sequence[str], series: Sequence[Series],
              *, unit: str = "",
              ranges: Sequence[Sequence[tuple[float, float] | None]] = ()) -> Markup:
    """Counts: the axis ticks are whole numbers. ``ranges``: per series, an interval per
    bar (a confidence interval), drawn as a whisker across the bar's top."""
    values = [v for s in series for v in s.values if v is not None]
    values += [r[1] for rs in ranges for r in rs if r is not None]
    top = _whole_max(max(values, default=0))
    out, _ = _frame(title, desc, labels, top, False, unit)
    n = len(labels)
    slot = (WIDTH - LEFT - RIGHT) / max(n, 1)
    width = slot * 0.8 / max(len(series), 1)
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        for j, v in enumerate(s.values):
            if not v:
                continue
            x = LEFT + slot * j + slot * 0.1 + width * i
            y = _y(v, top)
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                       f'height="{_y(0, top) - y:.1f}" fill="{colour}"><title>'
                       f'{escape(s.name)}, {escape(labels[j])}: {_fmt(v, False)}</title></rect>')
        for j, r in enumerate(ranges[i] if i < len(ranges) else ()):
            if r is None:
                continue
            mid, lo, hi = LEFT + slot * j + slot * 0.1 + width * (i + 0.5), *r
            out.append(f'<path d="M{mid - 8:.1f},{_y(hi, top):.1f}h16M{mid:.1f},'
                       f'{_y(hi, top):.1f}V{_y(lo, top):.1f}M{mid - 8:.1f},{_y(lo, top):.1f}h16" '
                       'stroke="#111" stroke-width="2" fill="none"/>')
    out += _legend(series, bars=True)
    out.append("</svg>")
    return Markup("".join(out))  # every text in it is escaped above
