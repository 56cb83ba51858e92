"""Charts of the panorama: one sober, colour-blind-safe style with French figures.

Every public function takes plain data (lists or pandas Series, French labels
already resolved) and returns a :class:`Chart`: deterministic PNG bytes, a
French alt text that states the figures, and the size the chart was drawn at,
so that the templates show it at 1:1 in the PDF (fonts are then 8 pt or more).
A build draws the charts its documents describe (:class:`panorama.compose.figspec.ChartSpec`)
after composing them, through :func:`draw`.

Style: Lato everywhere, the main colour from the configuration followed by the
Okabe–Ito palette (:data:`ACCENTS`), hatches on every other series so that no
legend relies on colour alone, a light grid, no top/right spines, no 3D and no
pie. Every number drawn or written goes through :mod:`panorama.core.formatting`.

Values: a number is drawn; ``None`` is a value withheld by statistical
confidentiality: it is not drawn, « non publié » takes its place and the note
« Valeurs non publiées : secret statistique » is added under the chart and to
the alt text; ``NaN`` (or ``pd.NA``) is a value not available: it is not drawn
and shows as « n.d. » (a line chart shows it as a gap, never interpolated).
Empty input, input with nothing to draw, or a negative bar length raises
:class:`ValueError`.

Layout is computed in points from measured text, not left to matplotlib: long
labels are wrapped (never cut), value labels are placed only where they fit,
and the height of row charts follows the number of rows. The figures use the
object-oriented API with the Agg canvas (no pyplot global state). Matplotlib is
imported when a chart is first drawn, not with this module: a build whose charts
all come from the figure cache (:mod:`panorama.draw.figures`) never loads it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

import numpy as np

from panorama.compose.figspec import (
    FULL_WIDTH_CM,
    NOTHING_TO_DRAW,
    ChartSpec,
    full_row,
    unpublishable,
)
from panorama.compose.figspec import drawable as _drawable
from panorama.core.config import Config
from panorama.core.formatting import (
    MISSING,
    NBSP,
    NNBSP,
    fmt_evolution,
    fmt_number,
    fmt_pct,
    fmt_value,
)
from panorama.core.resources import assets_dir

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

DPI = 150

SECRET_NOTE = f"Valeurs non publiées{NBSP}: secret statistique"
SECRET_LABEL = "non publié"

ACCENTS = ("#C68900", "#4B9DCB", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#9E962C")
"""Colours after the main one: the Okabe–Ito palette (colour-blind safe, black
left out), orange, sky blue and yellow darkened to a 3:1 contrast on white
(WCAG 1.4.11)."""
HATCHES = ("", "///", "", "...", "", "\\\\\\", "", "xx")
"""Hatch of the n-th series: every other series is hatched."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-", "--", "-", "--", "-", "--")

FONT_FAMILY = "Lato"
TITLE_SIZE = 10.5
TEXT_SIZE = 9.0
VALUE_SIZE = 8.5
NOTE_SIZE = 8.0
LINE_SPACING = 1.2

TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#595959"
AXIS_COLOUR = "#8c8c8c"
GRID_COLOUR = "#dddddd"

_PT_PER_CM = 72 / 2.54
_OUTER = 4.0  # blank border around the figure, pt
_GAP = 6.0  # between blocks (title, legend, plot, note), pt
_PAD = 3.0  # between a bar end and its label, pt
_TICK_PAD = 4.0
_BAR = 12.0  # thickness of a horizontal bar, pt
_MARKER = 5.0  # size of a line marker, pt
_MIN_BAR = 40.0  # room left for the longest bar beside the widest label, pt

_RC = {
    "font.family": FONT_FAMILY,
    "font.size": TEXT_SIZE,
    "text.color": TEXT_COLOUR,
    "axes.edgecolor": AXIS_COLOUR,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.facecolor": "none",
    "grid.color": GRID_COLOUR,
    "grid.linewidth": 0.6,
    "xtick.color": AXIS_COLOUR,
    "ytick.color": AXIS_COLOUR,
    "xtick.labelcolor": TEXT_COLOUR,
    "ytick.labelcolor": TEXT_COLOUR,
    "xtick.labelsize": VALUE_SIZE,
    "ytick.labelsize": VALUE_SIZE,
    "xtick.major.size": 0,
    "ytick.major.size": 0,
    "xtick.major.pad": _TICK_PAD,
    "ytick.major.pad": _TICK_PAD,
    "hatch.color": "white",
    "hatch.linewidth": 0.8,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes, French alt text, size drawn at (cm)."""

    png: bytes
    alt: str
    width_cm: float
    height_cm: float


def _styled(function):
    """Run a chart function in the panorama style (Lato, colours, spines, ticks)."""

    @functools.wraps(function)
    def styled(*args, **kwargs):
        from matplotlib import rc_context

        _register_fonts()
        with rc_context(_RC):
            return function(*args, **kwargs)

    return styled


# --------------------------------------------------------------------------- #
# Public charts
# --------------------------------------------------------------------------- #


def draw(spec: ChartSpec) -> Chart:
    """Draw the chart ``spec`` describes (:class:`panorama.compose.figspec.ChartSpec`)."""
    options = {"subject": spec.subject, "value_kind": spec.unit, "title": spec.title, "colour": spec.colour,
               "width_cm": spec.width_cm}
    names = [name for name, _ in spec.series]
    columns = [values for _, values in spec.series]
    series = columns[0] if names == [""] else dict(spec.series)
    if spec.kind == "barres":
        return horizontal_bar_chart(spec.categories, columns[0], shares=spec.shares, **options)
    if spec.kind == "pyramide":
        return pyramid_chart(spec.categories, *columns, left_label=names[0], right_label=names[1], **options)
    function = {"colonnes": column_chart, "histogramme": histogram_chart, "empilement": stacked_share_chart,
                "courbes": line_chart}[spec.kind]
    return function(spec.categories, series, **options)


@_styled
def horizontal_bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    subject: str,
    shares: Sequence[float | None] | None = None,
    value_kind: str = "nombre",
    title: str | None = None,
    colour: str | Config | None = None,
    width_cm: float = FULL_WIDTH_CM,
) -> Chart:
    """Horizontal bars (values ≥ 0) in the given order, labelled at their end.

    ``shares`` (fractions), when given, are shown after the value:
    « 3 650 000 h (77,2 %) ». ``subject`` opens the alt text (« Heures
    d'insertion par modalité »). Long labels are wrapped; the height follows
    the number of bars.
    """
    names = _labels(labels)
    data = _values(values, len(names), "values")
    share_data = _values(shares, len(names), "shares") if shares is not None else [math.nan] * len(names)
    _require_drawable(data, positive=True)
    texts = [_short(v, value_kind, s) for v, s in zip(data, share_data)]
    secret = None in data
    width = width_cm * _PT_PER_CM
    widest = max(_text_size(text, VALUE_SIZE)[0] for text in texts)
    rows = _Rows(names, width, max_share=min(0.42, (width - 2 * _OUTER - widest - _MIN_BAR) / width))
    fig, bottom = _figure(width, rows.height, title=title, legend=[], secret=secret)
    plot_width = width - _OUTER - rows.left
    ax = _axes(fig, rows.left, bottom, plot_width, rows.height)
    limit, inside = _fit_bar_labels(data, texts, plot_width)
    ax.set_xlim(0, limit)
    rows.set_up(ax)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    _bar_rows(ax, rows, data, texts, _palette(colour)[0], inside=inside)
    alt = _alt(subject, [_item(n, _alt_value(v, value_kind, s)) for n, v, s in zip(names, data, share_data)], secret)
    return _render(fig, alt)


@_styled
def column_chart(
    labels: Sequence[str],
    series: Sequence[float | None] | Mapping[str, Sequence[float | None]],
    *,
    subject: str,
    value_kind: str = "nombre",
    title: str | None = None,
    colour: str | Config | None = None,
    width_cm: float = FULL_WIDTH_CM,
) -> Chart:
    """Vertical bars (values ≥ 0): one series (a sequence) or grouped series
    (a mapping legend label → values, e.g. ``{"2018": [...], "2019": [...]}``,
    every other series hatched).

    Values are labelled above the bars when every label fits its bar; category
    labels are wrapped, or turned a quarter turn when a word is too wide.
    """
    return _columns(labels, series, subject=subject, value_kind=value_kind, title=title,
                    colour=colour, width_cm=width_cm, contiguous=False)


@_styled
def histogram_chart(
    bins: Sequence[str],
    counts: Sequence[float | None],
    *,
    subject: str,
    value_kind: str = "nombre",
    title: str | None = None,
    colour: str | Config | None = None,
    width_cm: float = FULL_WIDTH_CM,
) -> Chart:
    """Distribution given as pre-binned counts: contiguous vertical bars, one
    per band (« Moins de 35 h », « 35 à 149 h »…), labelled with their count."""
    return _columns(bins, counts, subject=subject, value_kind=value_kind, title=title,
                    colour=colour, width_cm=width_cm, contiguous=True)


@_styled
def stacked_share_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    subject: str,
    value_kind: str = "nombre",
    title: str | None = None,
    colour: str | Config | None = None,
    width_cm: float = FULL_WIDTH_CM,
) -> Chart:
    """100 % stacked horizontal bars: one row per label, one segment per series
    (mapping legend label → values, e.g. ``{"Femmes": [...], "Hommes": [...]}``).

    Values are any additive quantity (counts, hours); each row is normalised to
    100 %. Segments are labelled with their share when wide enough; every other
    series is hatched and the legend follows the order of the segments. A row
    with a withheld value is not drawn.
    """
    names = _labels(labels)
    keys, columns = _series(series, len(names))
    rows_data = list(zip(*columns))
    _require_drawable([v for column in columns for v in column], positive=True)
    drawable_rows = [full_row(row) for row in rows_data]
    if not any(drawable_rows):
        raise ValueError(NOTHING_TO_DRAW)
    shares = [[v / sum(row) for v in row] if ok else None for row, ok in zip(rows_data, drawable_rows)]
    secret = any(None in row for row in rows_data)
    width = width_cm * _PT_PER_CM
    colours = _palette(colour)
    rows = _Rows(names, width)
    axis_height = VALUE_SIZE * LINE_SPACING + _TICK_PAD
    right = _OUTER + _text_size(fmt_pct(1, 0), VALUE_SIZE)[0] / 2
    fig, bottom = _figure(width, rows.height + axis_height, title=title, secret=secret,
                          legend=[(k, _patch(colours[i], i)) for i, k in enumerate(keys)])
    plot_width = width - right - rows.left
    ax = _axes(fig, rows.left, bottom + axis_height, plot_width, rows.height)
    rows.set_up(ax)
    ax.set_xlim(0, 1)
    ticks = [0, 0.25, 0.5, 0.75, 1]
    ax.set_xticks(ticks, [fmt_pct(t, 0) for t in ticks])
    ax.spines["bottom"].set_visible(False)
    for y, (row, row_shares) in enumerate(zip(rows_data, shares)):
        if row_shares is None:
            _value_label(ax, (None, y), _missing_label(row), (_PAD, 0), "left", "center")
            continue
        start = 0.0
        for i, share in enumerate(row_shares):
            ax.barh(y, share, left=start, height=rows.bar, color=colours[i], hatch=HATCHES[i],
                    edgecolor="white", linewidth=0.8)
            label = fmt_pct(share)
            if share * plot_width >= _text_size(label, VALUE_SIZE)[0] + 2 * _PAD:
                _inside_label(ax, start + share / 2, y, label, colours[i], hatched=bool(HATCHES[i]))
            start += share
    items = []
    for name, row, row_shares in zip(names, rows_data, shares):
        if row_shares is None:
            items.append(_item(name, _missing_label(row)))
        else:
            items.append(_group(name, keys, [_alt_value(v, value_kind, s) for v, s in zip(row, row_shares)]))
    return _render(fig, _alt(subject, items, secret))


@_styled
def pyramid_chart(
    bands: Sequence[str],
    left: Sequence[float | None],
    right: Sequence[float | None],
    *,
    subject: str,
    left_label: str = "Femmes",
    right_label: str = "Hommes",
    value_kind: str = "nombre",
    title: str | None = None,
    colour: str | Config | None = None,
    width_cm: float = FULL_WIDTH_CM,
) -> Chart:
    """Age pyramid: one row per band (youngest first, drawn at the bottom), the bars of
    the bands touching, ``left`` values (women) to the left, ``right`` values (men) to the right,
    both on the same scale, counts labelled at the bar ends, band labels in the
    middle and the side names above each half."""
    from matplotlib.transforms import blended_transform_factory

    names = _labels(bands)
    sides = [_values(left, len(names), "left"), _values(right, len(names), "right")]
    _require_drawable(sides[0] + sides[1], positive=True)
    secret = None in sides[0] + sides[1]
    width = width_cm * _PT_PER_CM
    colours = _palette(colour)
    rows = _Rows(names, width, max_share=0.3, centred=True, contiguous=True)
    header_height = TEXT_SIZE * LINE_SPACING + _GAP / 2
    axis_height = VALUE_SIZE * LINE_SPACING + _TICK_PAD
    fig, bottom = _figure(width, header_height + rows.height + axis_height, title=title, legend=[], secret=secret)
    gutter = rows.label_width + 4 * _PAD
    side_width = (width - 2 * _OUTER - gutter) / 2
    texts = [[_short(v, value_kind) for v in side] for side in sides]
    limit = max(_bar_limit(side, text, side_width) for side, text in zip(sides, texts))
    widest = _text_size(_tick_labels([limit], value_kind)[0], VALUE_SIZE)[0]
    ticks = [t for t in _ticks(0, limit, value_kind, nbins=max(1, int(side_width // (2 * widest + _GAP))))
             if (limit - t) / limit * side_width + _OUTER >= widest / 2]
    tick_labels = _tick_labels(ticks, value_kind)
    for index, (side, side_texts, name) in enumerate(zip(sides, texts, (left_label, right_label))):
        x0 = _OUTER + index * (side_width + gutter)
        ax = _axes(fig, x0, bottom + axis_height, side_width, rows.height)
        rows.set_up(ax, tick_labels=False)
        ax.spines["left" if index else "right"].set_visible(True)
        ax.spines["right" if index else "left"].set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.set_xlim((0, limit) if index else (limit, 0))
        ax.set_xticks(ticks, tick_labels)
        ax.grid(axis="x")
        _bar_rows(ax, rows, side, side_texts, colours[index], reverse=not index)
        ax.text(0 if index else 1, 1, name, transform=ax.transAxes, ha="left" if index else "right",
                va="bottom", weight="bold", size=TEXT_SIZE)
    middle = blended_transform_factory(fig.transFigure, ax.transData)
    for y, label in enumerate(rows.wrapped):
        fig.text(0.5, y, label, transform=middle, ha="center", va="center", size=TEXT_SIZE,
                 multialignment="center")
    items = [_group(band, (left_label, right_label), [_alt_value(lv, value_kind), _alt_value(rv, value_kind)])
             for band, lv, rv in zip(names, *sides)]
    return _render(fig, _alt(subject, items, secret))


@_styled
def line_chart(
    years: Sequence[int | str],
    series: Sequence[float | None] | Mapping[str, Sequence[float | None]],
    *,
    subject: str,
    value_kind: str = "nombre",
    title: str | None = None,
    colour: str | Config | None = None,
    width_cm: float = FULL_WIDTH_CM,
) -> Chart:
    """Series over years: one (a sequence) or several (a mapping legend label →
    values). Points have markers and are labelled with their value when the
    labels fit; a missing value leaves a gap, never interpolated."""
    x_labels = [str(year) for year in _labels(years)]
    keys, columns = _series(series, len(x_labels))
    _require_drawable([v for column in columns for v in column], positive=False)
    secret = any(None in column for column in columns)
    width = width_cm * _PT_PER_CM
    colours = _palette(colour)
    legend = [(k, _line_handle(colours[i], i)) for i, k in enumerate(keys)] if len(keys) > 1 else []
    texts = [[_short(v, value_kind) for v in column] for column in columns]
    above = _label_sides(columns)
    plot_height = _plot_height(width)
    label_height = VALUE_SIZE * LINE_SPACING + _PAD
    drawn = [v for column in columns for v in column if _drawable(v)]
    low, high = min(0.0, *drawn), max(0.0, *drawn)
    pad_low = label_height if any(not a and _drawable(v) for column, sides in zip(columns, above)
                                  for v, a in zip(column, sides)) else _PAD
    ratio = (high - low) / (plot_height - label_height - pad_low) if high > low else 1.0
    y_min, y_max = low - pad_low * ratio, high + label_height * ratio
    ticks = _ticks(low, high, value_kind)
    tick_labels = _tick_labels(ticks, value_kind)
    left = _OUTER + max(_text_size(t, VALUE_SIZE)[0] for t in tick_labels) + _TICK_PAD
    plot_width = width - _OUTER - left
    x_axis = _XAxis(x_labels, plot_width / len(x_labels))
    fig, bottom = _figure(width, plot_height + x_axis.height, title=title, legend=legend, secret=secret)
    ax = _axes(fig, left, bottom + x_axis.height, plot_width, plot_height)
    ax.set_ylim(y_min, y_max)
    x_axis.set_up(ax)
    ax.set_yticks(ticks, tick_labels)
    ax.grid(axis="y")
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    labelled = _point_labels(columns, texts, above, slot=plot_width / len(x_labels),
                             to_pt=lambda v: (v - y_min) / (y_max - y_min) * plot_height)
    for i, (column, column_texts, sides, chosen) in enumerate(zip(columns, texts, above, labelled)):
        y = np.array([v if _drawable(v) else np.nan for v in column], dtype=float)
        ax.plot(range(len(y)), y, color=colours[i], linestyle=LINESTYLES[i], linewidth=1.8,
                marker=MARKERS[i], markersize=_MARKER, clip_on=False)
        for x, (v, text, up) in enumerate(zip(column, column_texts, sides)):
            if chosen[x]:
                _value_label(ax, (x, v), text, (0, _PAD + 1 if up else -_PAD - 1), "center",
                             "bottom" if up else "top")
    if len(keys) > 1:
        items = [_group(k, x_labels, [_alt_value(v, value_kind) for v in column]) for k, column in zip(keys, columns)]
    else:
        items = [_item(year, _alt_value(v, value_kind)) for year, v in zip(x_labels, columns[0])]
    return _render(fig, _alt(subject, items, secret))


# --------------------------------------------------------------------------- #
# Shared drawing
# --------------------------------------------------------------------------- #


def _columns(labels: Sequence[str], series: Sequence[float | None] | Mapping[str, Sequence[float | None]], *,
             subject: str, value_kind: str, title: str | None, colour: str | Config | None, width_cm: float,
             contiguous: bool) -> Chart:
    """Vertical bars, grouped or contiguous (shared by column and histogram charts)."""
    names = _labels(labels)
    keys, columns = _series(series, len(names))
    _require_drawable([v for column in columns for v in column], positive=True)
    secret = any(None in column for column in columns)
    width = width_cm * _PT_PER_CM
    colours = _palette(colour)
    count = len(columns)
    legend = [(k, _patch(colours[i], i)) for i, k in enumerate(keys)] if count > 1 else []
    texts = [[_short(v, value_kind) for v in column] for column in columns]
    plot_height = _plot_height(width)
    drawn = [v for column in columns for v in column if _drawable(v)]
    ticks = _ticks(0, max(drawn), value_kind)
    tick_labels = _tick_labels(ticks, value_kind)
    left = _OUTER + max(_text_size(t, VALUE_SIZE)[0] for t in tick_labels) + _TICK_PAD
    plot_width = width - _OUTER - left
    slot = plot_width / len(names)
    group = slot if contiguous else slot * (0.8 if count > 1 else 0.7)
    bar = group / count
    show_values = all(_text_size(t, VALUE_SIZE)[0] <= (bar if count > 1 else slot) - _PAD
                      for column in texts for t in column)
    if show_values:
        limit = max(_bar_limit(column, text, plot_height, along_height=True) for column, text in zip(columns, texts))
    else:
        limit = max(drawn) * 1.04
    x_axis = _XAxis(names, slot)
    fig, bottom = _figure(width, plot_height + x_axis.height, title=title, legend=legend, secret=secret)
    ax = _axes(fig, left, bottom + x_axis.height, plot_width, plot_height)
    ax.set_ylim(0, max(limit, ticks[-1]))
    x_axis.set_up(ax)
    ax.set_yticks(ticks, tick_labels)
    ax.grid(axis="y")
    ax.spines["left"].set_visible(False)
    for i, (column, column_texts) in enumerate(zip(columns, texts)):
        offset = (i - (count - 1) / 2) * bar / slot
        for x, (v, text) in enumerate(zip(column, column_texts)):
            if _drawable(v):
                ax.bar(x + offset, v, width=bar / slot, color=colours[i], hatch=HATCHES[i],
                       edgecolor="white", linewidth=0.8 if contiguous else 0)
            if show_values or not _drawable(v):
                _value_label(ax, (x + offset, v), text, (0, _PAD), "center", "bottom",
                             rotation=0 if _drawable(v) else 90)
    if count > 1:
        items = [_group(name, keys, [_alt_value(column[j], value_kind) for column in columns])
                 for j, name in enumerate(names)]
    else:
        items = [_item(name, _alt_value(v, value_kind)) for name, v in zip(names, columns[0])]
    return _render(fig, _alt(subject, items, secret))


class _Rows:
    """Vertical layout of a row chart: wrapped labels, row pitch, label margin."""

    def __init__(self, labels: list[str], width: float, max_share: float = 0.42, centred: bool = False,
                 contiguous: bool = False):
        self.wrapped = [_wrap(label, width * max_share, TEXT_SIZE) for label in labels]
        sizes = [_text_size(label, TEXT_SIZE) for label in self.wrapped]
        self.label_width = max(w for w, _ in sizes)
        if contiguous:  # bars one above the other, a thin white line between them
            self.pitch = max(VALUE_SIZE * LINE_SPACING, max(h for _, h in sizes)) + _PAD
            self.bar = (self.pitch - 1.0) / self.pitch
        else:
            self.pitch = max(_BAR + 2 * _GAP, max(h for _, h in sizes) + _GAP)
            self.bar = _BAR / self.pitch
        self.height = self.pitch * len(labels)
        self.left = _OUTER + self.label_width + _TICK_PAD
        self.centred = centred

    def set_up(self, ax: Axes, tick_labels: bool = True) -> None:
        """Row positions (top-down, or bottom-up when centred), labels as y
        ticks or none."""
        count = len(self.wrapped)
        ax.set_ylim((-0.5, count - 0.5) if self.centred else (count - 0.5, -0.5))
        if tick_labels:
            ax.set_yticks(range(count), self.wrapped, size=TEXT_SIZE)
        else:
            ax.set_yticks([])


def _bar_rows(ax: Axes, rows: _Rows, values: list, texts: list[str], colour: str,
              inside: list[bool] | None = None, reverse: bool = False) -> None:
    """Draw one horizontal bar per row, labelled beyond its end or, where
    ``inside`` says so, just inside it. ``reverse``: bars grow leftwards."""
    for y, (v, text) in enumerate(zip(values, texts)):
        if _drawable(v):
            ax.barh(y, v, height=rows.bar, color=colour, linewidth=0)
        if inside and inside[y]:
            ax.annotate(text, (v, y), xytext=(-_PAD, 0), textcoords="offset points", ha="right", va="center",
                        size=VALUE_SIZE, color=text_on(colour))
        else:
            _value_label(ax, (v, y), text, (-_PAD if reverse else _PAD, 0), "right" if reverse else "left",
                         "center")


def _fit_bar_labels(values: list, texts: list[str], length: float) -> tuple[float, list[bool]]:
    """Axis limit of a horizontal bar chart and, per bar, whether its label
    goes inside the bar end. All labels go beyond the bars unless that leaves
    the longest bar under 60 % of ``length``; then the smallest limit where
    each label fits beyond its bar or else inside it is used."""
    bars = [(v, _text_size(t, VALUE_SIZE)[0], _bar_limit([v], [t], length)) if _drawable(v) else None
            for v, t in zip(values, texts)]
    drawn = [bar for bar in bars if bar]
    longest = max(v for v, _, _ in drawn)
    limit = max(outside for _, _, outside in drawn)
    if longest < 0.6 * limit:

        def every_label_fits(candidate: float) -> bool:
            return all(candidate >= outside or v / candidate * length >= w + 2 * _PAD for v, w, outside in drawn)

        candidates = sorted({longest, *(outside for _, _, outside in drawn)})
        limit = next(c for c in candidates if c >= longest and c > 0 and every_label_fits(c))
    return limit, [bar is not None and limit < bar[2] for bar in bars]


def _bar_limit(values: list, texts: list[str], length: float, along_height: bool = False) -> float:
    """Axis limit such that every bar's end label fits beyond the bar within
    ``length`` points (label width, or height for vertical bars); callers
    leave ``length`` larger than any label."""
    limit = 0.0
    for v, text in zip(values, texts):
        if _drawable(v):
            extent = _text_size(text, VALUE_SIZE)[1 if along_height else 0] + _PAD + 1
            limit = max(limit, v * length / max(length - extent, 1.0))
    return limit or 1.0


def _inside_label(ax: Axes, x: float, y: float, text: str, fill: str, hatched: bool) -> None:
    """A label centred on a bar segment, readable on its fill (and hatch)."""
    box = {"boxstyle": "round,pad=0.2", "facecolor": fill, "edgecolor": "none"} if hatched else None
    ax.text(x, y, text, ha="center", va="center", size=VALUE_SIZE, color=text_on(fill), bbox=box)


def _value_label(ax: Axes, xy: tuple[float | None, float | None], text: str, offset: tuple[float, float],
                 ha: str, va: str, rotation: float = 0) -> None:
    """A value label ``offset`` points away from its data point; where the
    value is not drawn (a coordinate ``None`` or NaN), the placeholder text
    (« non publié », « n.d. ») in grey italics at the baseline."""
    drawn = all(_drawable(c) for c in xy)
    ax.annotate(text, tuple(c if _drawable(c) else 0.0 for c in xy), xytext=offset, textcoords="offset points",
                ha=ha, va=va, rotation=rotation, size=VALUE_SIZE, color=TEXT_COLOUR if drawn else MUTED_COLOUR,
                style="normal" if drawn else "italic")


class _XAxis:
    """Category labels under a column or line chart, one per slot of ``slot``
    points: wrapped to the slot, in a smaller size if needed, or else turned a
    quarter turn; never overlapping."""

    def __init__(self, names: list[str], slot: float):
        for size in (TEXT_SIZE, NOTE_SIZE):
            self.labels = [_wrap(name, slot - _PAD, size) for name in names]
            self.size, self.rotation = size, 0
            if all(_text_size(label, size)[0] <= slot - _PAD for label in self.labels):
                break
        else:
            self.labels, self.size, self.rotation = names, TEXT_SIZE, 90
        self.height = _TICK_PAD + max(_text_size(label, self.size)[0 if self.rotation else 1] for label in self.labels)

    def set_up(self, ax: Axes) -> None:
        """One slot per category, labelled below."""
        ax.set_xlim(-0.5, len(self.labels) - 0.5)
        ax.set_xticks(range(len(self.labels)), self.labels, rotation=self.rotation, size=self.size)


def _figure(width: float, plot_height: float, *, title: str | None, legend: list[tuple[str, object]],
            secret: bool) -> tuple[Figure, float]:
    """Create the figure: title and legend on top, then ``plot_height`` points
    for the plot and its axis labels, then the secret note if any. Return the
    figure and the bottom (pt) of the space left for the plot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    title_text = _wrap(title, width - 2 * _OUTER, TITLE_SIZE, "bold") if title else ""
    title_height = _text_size(title_text, TITLE_SIZE, "bold")[1] + _GAP if title else 0.0
    columns, legend_height = _legend_shape(legend, width)
    note_height = NOTE_SIZE * LINE_SPACING + _GAP if secret else 0.0
    top = _OUTER + title_height + (legend_height + _GAP if legend else 0.0) + _GAP / 2
    bottom = _OUTER + note_height
    height = top + plot_height + bottom
    fig = Figure(figsize=(width / 72, height / 72), dpi=DPI)
    FigureCanvasAgg(fig)
    if title:
        fig.text(_OUTER / width, 1 - _OUTER / height, title_text, ha="left", va="top", size=TITLE_SIZE,
                 weight="bold")
    if legend:
        # matplotlib fills legend columns first: reorder so that entries read
        # left to right, row by row, in the order of the series.
        lines = math.ceil(len(legend) / columns)
        ordered = [legend[i * columns + j] for j in range(columns) for i in range(lines)
                   if i * columns + j < len(legend)]
        fig.legend([h for _, h in ordered], [k for k, _ in ordered], loc="upper left", ncols=columns,
                   bbox_to_anchor=(_OUTER / width, 1 - (_OUTER + title_height) / height), borderaxespad=0,
                   borderpad=0, fontsize=TEXT_SIZE, handlelength=_LEGEND_HANDLE, handleheight=1.0,
                   handletextpad=_LEGEND_TEXT_PAD, columnspacing=_LEGEND_SPACING, labelspacing=0.4,
                   frameon=False)
    if secret:
        fig.text(_OUTER / width, _OUTER / height, SECRET_NOTE, ha="left", va="bottom", size=NOTE_SIZE,
                 style="italic", color=MUTED_COLOUR)
    return fig, bottom


_LEGEND_HANDLE = 1.8  # legend sizes, in font sizes
_LEGEND_TEXT_PAD = 0.5
_LEGEND_SPACING = 1.6


def _legend_shape(legend: list[tuple[str, object]], width: float) -> tuple[int, float]:
    """Columns and height (pt) of a legend laid out on as few rows as fit."""
    if not legend:
        return 1, 0.0
    entry = max(_text_size(k, TEXT_SIZE)[0] for k, _ in legend) + (_LEGEND_HANDLE + _LEGEND_TEXT_PAD) * TEXT_SIZE
    spacing = _LEGEND_SPACING * TEXT_SIZE
    columns = max(1, min(len(legend), int((width - 2 * _OUTER + spacing) // (entry + spacing))))
    lines = math.ceil(len(legend) / columns)
    return columns, lines * TEXT_SIZE * LINE_SPACING + (lines - 1) * 0.4 * TEXT_SIZE


def _axes(fig: Figure, left: float, bottom: float, width: float, height: float) -> Axes:
    """Axes at a position given in points."""
    fig_width, fig_height = fig.get_size_inches() * 72
    return fig.add_axes((left / fig_width, bottom / fig_height, width / fig_width, height / fig_height))


def _plot_height(width: float) -> float:
    """Height (pt) of the plot area of a column or line chart."""
    return min(max(0.4 * width, 140.0), 190.0)


def _render(fig: Figure, alt: str) -> Chart:
    """PNG bytes (deterministic: no software metadata) and size in cm."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    width, height = fig.get_size_inches() * 2.54
    return Chart(png=buffer.getvalue(), alt=alt, width_cm=round(float(width), 2), height_cm=round(float(height), 2))


def _patch(colour: str, index: int) -> Patch:
    """Legend handle of the ``index``-th bar series."""
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, hatch=HATCHES[index], edgecolor="white", linewidth=0)


def _line_handle(colour: str, index: int) -> Line2D:
    """Legend handle of the ``index``-th line series."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, linestyle=LINESTYLES[index], marker=MARKERS[index], markersize=_MARKER,
                  linewidth=1.8)


def _point_labels(columns: list[list], texts: list[list[str]], above: list[list[bool]], slot: float,
                  to_pt) -> list[list[bool]]:
    """Which points of a line chart get their value label: every point if no
    label overlaps another label, a marker of another line or the plot edge;
    else the last point of each line if those are clear; else none."""
    points = [(x, to_pt(v), i) for i, column in enumerate(columns) for x, v in enumerate(column) if _drawable(v)]

    def box(i: int, x: int) -> tuple[float, float, float, float]:
        width, height = _text_size(texts[i][x], VALUE_SIZE)
        y = to_pt(columns[i][x]) + (_PAD + 1 if above[i][x] else -_PAD - 1 - height)
        return (x + 0.5) * slot - width / 2, (x + 0.5) * slot + width / 2, y, y + height

    def overlap(a, b) -> bool:
        return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]

    def clear(chosen: list[list[bool]]) -> bool:
        boxes = [(i, box(i, x)) for i, row in enumerate(chosen) for x, c in enumerate(row) if c]
        marks = [(i, ((x + 0.5) * slot - _MARKER / 2, (x + 0.5) * slot + _MARKER / 2, y - _MARKER / 2,
                      y + _MARKER / 2)) for x, y, i in points]
        return all(b[0] >= 0 and b[1] <= slot * len(columns[0]) for _, b in boxes) and not any(
            overlap(a, b) for n, (_, a) in enumerate(boxes) for _, b in boxes[n + 1:]) and not any(
            i != j and overlap(a, m) for i, a in boxes for j, m in marks)

    every = [[_drawable(v) for v in column] for column in columns]
    last = [[_drawable(v) and not any(_drawable(w) for w in column[x + 1:]) for x, v in enumerate(column)]
            for column in columns]
    for chosen in (every, last):
        if clear(chosen):
            return chosen
    return [[False] * len(column) for column in columns]


def _label_sides(columns: list[list]) -> list[list[bool]]:
    """For each point of each line, whether its label goes above: the highest
    series at a given x (the first one on a tie) is labelled above, the others
    below."""
    tops = []
    for points in zip(*columns):
        drawn = [(v, -i) for i, v in enumerate(points) if _drawable(v)]
        tops.append(-max(drawn)[1] if drawn else None)
    return [[top == i for top in tops] for i in range(len(columns))]


# --------------------------------------------------------------------------- #
# Style, fonts, text measurement
# --------------------------------------------------------------------------- #


def prepare() -> None:
    """Load matplotlib (figures, Agg canvas) and the fonts now, ahead of drawing (a
    worker process does it while the data are read)."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    _measurer()


@functools.cache
def _register_fonts() -> None:
    """Make Lato (shipped in assets/fonts, OFL) known to matplotlib, once."""
    from matplotlib.font_manager import fontManager

    for face in ("Regular", "Bold", "Italic", "BoldItalic"):
        fontManager.addfont(str(assets_dir() / "fonts" / f"Lato-{face}.ttf"))


def _palette(colour: str | Config | None) -> tuple[str, ...]:
    """Main colour (given, or the configuration's) followed by the accents."""
    from matplotlib.colors import to_hex

    if colour is None:
        colour = Config()
    main = to_hex(colour.couleur_principale if isinstance(colour, Config) else colour)
    return tuple(dict.fromkeys((main, *(c.lower() for c in ACCENTS))))


def text_on(fill: str) -> str:
    """White or dark text, whichever contrasts more with ``fill`` (WCAG): the colour of a
    value printed on a bar, a segment or a coloured area of a map."""
    from matplotlib.colors import to_rgb

    def luminance(colour: str) -> float:
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    background = luminance(fill) + 0.05
    white_contrast = 1.05 / background
    dark_contrast = background / (luminance(TEXT_COLOUR) + 0.05)
    return "white" if white_contrast >= dark_contrast else TEXT_COLOUR


@functools.cache
def _measurer() -> RendererAgg:
    """An Agg renderer at the output resolution (hinting changes widths)."""
    from matplotlib.backends.backend_agg import RendererAgg

    _register_fonts()
    return RendererAgg(1, 1, DPI)


@functools.cache
def _text_size(text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """Width and height (pt) of ``text``, which may hold several lines."""
    from matplotlib.font_manager import FontProperties

    renderer = _measurer()
    font = FontProperties(family=FONT_FAMILY, size=size, weight=weight)
    lines = text.split("\n")
    width = max(renderer.get_text_width_height_descent(line, font, ismath=False)[0] for line in lines)
    return width * 72 / DPI + 0.5, len(lines) * size * LINE_SPACING


def _wrap(text: str, width: float, size: float, weight: str = "normal") -> str:
    """Wrap ``text`` on spaces (or after the hyphens of a common word) to lines of at most ``width``
    points; a word longer than that stays whole: nothing is ever cut. No
    break inside guillemets, before a colon or after a digit (« 35 h »,
    « 26 ans », « 1 820 »)."""
    text = re.sub(r"(?<=\d) | (?=[:»])|(?<=«) ", NBSP, text)
    pieces = []
    for word in text.split(" "):
        # A proper noun (« Seine-Saint-Denis », « Val-de-Marne ») is never broken at its hyphens.
        parts = [word] if word[:1].isupper() else word.replace("-", "-\n").split("\n")
        pieces.extend((" " if i == 0 and pieces else "", part) for i, part in enumerate(parts) if part)
    lines: list[str] = []
    current = ""
    for separator, piece in pieces:
        candidate = current + separator + piece
        if current and _text_size(candidate, size, weight)[0] > width:
            lines.append(current)
            current = piece
        else:
            current = candidate
    return "\n".join([*lines, current])


# --------------------------------------------------------------------------- #
# Data and figures
# --------------------------------------------------------------------------- #


def _labels(labels: Sequence) -> list:
    """The categories as a list; empty input is an error."""
    names = list(labels)
    if not names:
        raise ValueError(NOTHING_TO_DRAW)
    return names


def _values(values: Sequence, count: int, name: str) -> list[float | None]:
    """Floats, ``None`` kept (withheld), NaN / ``pd.NA`` as NaN (not available)."""
    result: list[float | None] = []
    for value in values:
        try:
            result.append(None if value is None else float(value))
        except TypeError:  # pd.NA
            result.append(math.nan)
    if len(result) != count:
        raise ValueError(f"« {name} » a {len(result)} valeurs pour {count} catégories.")
    return result


def _series(series: Sequence | Mapping[str, Sequence], count: int) -> tuple[list[str], list[list[float | None]]]:
    """Legend labels and values of one series (a sequence) or several (a mapping)."""
    if isinstance(series, Mapping):
        keys = [str(k) for k in series]
        columns = [_values(v, count, k) for k, v in zip(keys, series.values())]
    else:
        keys, columns = [""], [_values(series, count, "values")]
    if not keys:
        raise ValueError("Aucune série à représenter.")
    if len(keys) > len(HATCHES):
        raise ValueError(f"Au plus {len(HATCHES)} séries par graphique.")
    return keys, columns


def _require_drawable(values: list[float | None], positive: bool) -> None:
    """Refuse input with nothing to draw, or negative bar lengths (:func:`panorama.compose.figspec.unpublishable`)."""
    refusal = unpublishable(values, positive)
    if refusal is not None:
        raise ValueError(refusal)


def _missing_label(row: Sequence[float | None]) -> str:
    """« non publié » when a value is withheld, « n.d. » otherwise."""
    return SECRET_LABEL if None in row else MISSING


def _short(value: float | None, kind: str, share: float | None = math.nan) -> str:
    """Value label drawn on a chart: « 3 650 000 h (77,2 %) », « 15,1 % »."""
    if not _drawable(value):
        return _missing_label([value])
    text = f"{fmt_number(value)}{NBSP}h" if kind == "heures" else fmt_value(value, kind)
    return _with_share(text, share)


def _alt_value(value: float | None, kind: str, share: float | None = math.nan) -> str:
    """Value as written in the alt text: « 3 650 000 heures (77,2 %) »."""
    if not _drawable(value):
        return _missing_label([value])
    return _with_share(fmt_value(value, kind), share)


def _with_share(text: str, share: float | None) -> str:
    """« 3 650 000 heures (77,2 %) » when the share is known."""
    return f"{text} ({fmt_pct(share)})" if _drawable(share) else text


def _item(label: str, text: str) -> str:
    """« Travaux : 1 234 heures »."""
    return f"{label}{NBSP}: {text}"


def _group(label: str, keys: Sequence[str], texts: Sequence[str]) -> str:
    """« Travaux — 2018 : 2 950 000 heures, 2019 : 3 310 000 heures »."""
    return f"{label} — " + ", ".join(_item(k, t) for k, t in zip(keys, texts))


def _alt(subject: str, items: list[str], secret: bool) -> str:
    """« Subject. A : x ; B : y. » plus the secret note when needed."""
    text = f"{subject.rstrip('. ')}. {f'{NNBSP}; '.join(items)}".rstrip(".") + "."
    return f"{text} {SECRET_NOTE}." if secret else text


def _ticks(low: float, high: float, kind: str, nbins: int = 5) -> list[float]:
    """Round tick values within [low, high]."""
    from matplotlib.ticker import MaxNLocator

    integer = kind in ("heures", "nombre", "etp")
    locator = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10], integer=integer, min_n_ticks=min(3, nbins + 1))
    values = locator.tick_values(low, high if high > low else low + 1)
    span = (high - low) or 1.0
    return [float(v) for v in values if low - span * 1e-9 <= v <= high + span * 1e-9]


def _tick_labels(ticks: list[float], kind: str) -> list[str]:
    """French tick labels: « 20 % », « 1,5 M » (millions, when they need at
    most one decimal), else « 250 000 »."""
    if kind in ("part", "evolution"):
        decimals = _decimals([t * 100 for t in ticks])
        formatter = fmt_evolution if kind == "evolution" else fmt_pct
        return [formatter(t, decimals) for t in ticks]
    millions = [t / 1e6 for t in ticks]
    if max(abs(t) for t in millions) >= 1 and _decimals(millions) <= 1:
        return ["0" if t == 0 else f"{fmt_number(t, _decimals(millions))}{NBSP}M" for t in millions]
    return [fmt_number(t, _decimals(ticks)) for t in ticks]


def _decimals(values: list[float]) -> int:
    """Fewest decimals (up to 3) that write every value exactly."""
    for decimals in range(4):
        if all(abs(v * 10**decimals - round(v * 10**decimals)) < 1e-6 for v in values):
            return decimals
    return 3
