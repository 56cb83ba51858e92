"""Maps of the région's départements and of one département's communes, as PNG.

:func:`choropleth` draws one indicator per département: fixed classes
(:func:`classify`: Fisher-Jenks, then "nice" bounds), a single-hue scale
ending at the report's main colour, labelled départements, an enlarged inset
for the départements of ``Config.encart`` (Paris and the petite couronne by
default), missing values hatched. :func:`commune_choropleth` draws one value
per commune of a département, with the same classes and colours, the
intercommunalités outlined and the highest communes labelled. Counts (hours,
participants) are drawn as proportional circles instead (:func:`symbol_map`, and
``MapSpec.symbols`` for communes): circles whose area is proportional to the value
(:func:`symbol_radius`) over the areas in grey, largest first, with a legend of round
reference values (:func:`reference_values`). Each map has a narrow layout for small
screens (``MapSpec.width_cm`` below 16 cm: the inset and the legend under the map, in
:data:`NARROW_TEXT_SIZE` type). A build draws the maps its documents describe
(:class:`panorama.compose.figspec.MapSpec`) after composing them, through :func:`draw`.

The boundaries (IGN – Admin Express, simplified by
``scripts/build_boundaries.py``) are ``assets/geo/departements.geojson``,
read once, and ``assets/geo/communes/<département>.topojson``, read once per
département when first drawn.

Everything drawn is deterministic: same values, same PNG bytes. Matplotlib is
used through its object API with the Agg canvas (no pyplot, no global state).
The drawing libraries (matplotlib, shapely, pyproj, geopandas) are imported when
a map is first drawn, not with this module: a build whose maps all come from the
figure cache (:mod:`panorama.draw.figures`) never loads them.
"""

from __future__ import annotations

import io
import json
import math
import textwrap
import warnings
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from panorama.compose.figspec import (
    EMPTY_LABEL,
    MISSING_LABEL,
    MapSpec,
    commune_map,
    departement_map,
    map_area,
)
from panorama.compute.geo import commune_centroids
from panorama.core.formatting import fmt_count, fmt_int, fmt_value, is_missing
from panorama.core.referential import departement_of, departement_of_commune
from panorama.core.resources import assets_dir

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely
    from matplotlib.figure import Figure
    from matplotlib.path import Path

    from panorama.core.config import Config

MAX_CLASSES = 4

CM = 1 / 2.54
FIGSIZE = (16 * CM, 10 * CM)
DPI = 150
METROPOLE_CRS = "EPSG:2154"  # RGF93 / Lambert-93
MAX_LABELLED = 20  # a map of more départements (a national one) writes no name or value on them

TEXT_COLOR = "#1a1a1a"
MUTED_COLOR = "#595959"
MISSING_EDGE = "#8c8c8c"
BORDER_COLOR = "#ffffff"
EMPTY_COLOR = "#ffffff"  # communes without value
COMMUNE_EDGE = "#a6a6a6"
EPCI_EDGE = "#3d3d3d"
COMMUNE_LABELS = 5  # labelled communes, highest values first
COMMUNE_MAP_WIDTH = 10.8 * CM  # inches; the legend takes the rest of the width
COMMUNE_MIN_HEIGHT = 6.0 * CM  # inches: room for the legend under a wide département
BASE_FILL = "#e4e4e4"  # the areas under proportional circles
MAX_RADIUS = 16.0  # pt: the circle of the largest value of a map of départements
NARROW_RADIUS = 12.0  # pt: the same on the small screens' variant
NARROW_TEXT_SIZE = 7.5  # pt: labels and legend of the small screens' variant, its smallest text
COMMUNE_MAX_RADIUS = 13.0  # pt: that of a map of communes
COMMUNE_NARROW_RADIUS = 10.0  # pt: the same on the small screens' variant
SYMBOL_LEGEND_WIDTH = 4.6 * CM  # inches: the legend of the circles beside a map of communes


@dataclass(frozen=True)
class MapImage:
    """A rendered map: PNG bytes, its French alt text and its classification.

    ``classes`` are the (lower, upper) bounds of each class, lightest first;
    ``class_of`` maps each drawn code to its class index, or ``None`` when its
    value is missing; ``unmapped`` holds the values that could not be drawn
    (see :func:`commune_choropleth`).
    """

    png: bytes
    alt: str
    classes: list[tuple[float, float]]
    class_of: dict[str, int | None]
    width_cm: float = FIGSIZE[0] / CM
    unmapped: dict[str, float | None] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Classification


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _round_significant(value: float, digits: int, rounding: str) -> float:
    """``value`` rounded to ``digits`` significant digits (floor or ceiling)."""
    if value == 0:
        return 0.0
    exponent = math.floor(math.log10(abs(value))) - digits + 1
    return float(_decimal(value).quantize(Decimal(1).scaleb(exponent), rounding=rounding))


def _nice_break(low: float, high: float) -> float:
    """The "nicest" number in ``[low, high)``: fewest significant digits first,
    then strictly above ``low`` if possible, then closest to the middle."""
    if low < 0 < high:
        return 0.0
    a, b = _decimal(low), _decimal(high)
    magnitude = math.floor(math.log10(max(abs(low), abs(high))))
    middle = (a + b) / 2
    for digits in range(1, 16):
        step = Decimal(1).scaleb(magnitude - digits + 1)
        first = (a / step).to_integral_value(rounding=ROUND_CEILING)
        last = (b / step).to_integral_value(rounding=ROUND_CEILING) - 1
        candidates = [n * step for n in range(int(first), int(last) + 1)]
        if candidates:
            above = [c for c in candidates if c > a] or candidates
            return float(min(above, key=lambda c: (abs(c - middle), c)))
    return low


def classify(values: Mapping[str, float | None], k: int = MAX_CLASSES,
             ) -> tuple[list[tuple[float, float]], dict[str, int | None]]:
    """Fixed, deterministic classes for ``values`` (code → value).

    Fisher-Jenks (exact) with at most ``min(k, number of distinct values)`` classes, as
    many as leave no class holding a single value (see :func:`_uppers`), then "nice" bounds: the lowest bound is the minimum floored to two
    significant digits, the highest the maximum ceiled to two significant
    digits, and each break between two classes is the number with the fewest
    significant digits lying between them, so no value changes class. Classes
    are closed on the right: a value equal to a break falls in the lower class.

    Returns the (lower, upper) bounds of each class and, for each code, its
    class index — ``None`` for a missing value (``None`` or NaN).
    """
    present = {code: float(v) for code, v in values.items() if not is_missing(v)}
    class_of: dict[str, int | None] = {code: None for code in values}
    if not present:
        return [], class_of
    distinct = sorted(set(present.values()))
    uppers = _uppers(distinct, sorted(present.values()), min(k, len(distinct)))
    breaks = []
    for upper in uppers[:-1]:
        following = next(v for v in distinct if v > upper)
        breaks.append(_nice_break(upper, following))
    edges = [_round_significant(distinct[0], 2, ROUND_FLOOR), *breaks,
             _round_significant(distinct[-1], 2, ROUND_CEILING)]
    bounds = list(zip(edges[:-1], edges[1:]))
    for code, value in present.items():
        class_of[code] = sum(value > b for b in breaks)
    return bounds, class_of


def _uppers(distinct: list[float], values: list[float], k: int) -> list[float]:
    """Upper bounds of the classes: the most classes, at most ``k``, none holding a single
    value (a class of one area reads as an outlier's label, not a class). The Fisher-Jenks
    classes when none of them is alone, else the partition of least within-class variance
    among those whose classes each hold two values or more (:func:`_grouped_breaks`); with
    no such partition, two Fisher-Jenks classes (one value each, when there are only two)."""
    counts = [values.count(v) for v in distinct]
    for count in range(k, 1, -1):
        uppers = distinct if count == len(distinct) else _natural_breaks(distinct, count)
        lowers = [-math.inf, *uppers[:-1]]
        if all(sum(low < v <= high for v in values) >= 2 for low, high in zip(lowers, uppers)):
            return uppers
        grouped = _grouped_breaks(distinct, counts, count)
        if grouped is not None:
            return grouped
    count = min(2, len(distinct))
    return distinct if count == len(distinct) else _natural_breaks(distinct, count)


def _grouped_breaks(distinct: list[float], counts: list[int], k: int) -> list[float] | None:
    """Upper bounds of the ``k`` classes of the sorted ``distinct`` values (each found
    ``counts`` times) of least total within-class variance of the distinct values (as
    Fisher-Jenks) among those whose classes each hold two values or more; ``None`` when
    there is none. Exact, by dynamic programming (ties: the earlier break)."""
    n = len(distinct)
    prefix = np.concatenate([[0.0], np.cumsum(distinct)])
    squares = np.concatenate([[0.0], np.cumsum(np.square(distinct))])
    members = np.concatenate([[0], np.cumsum(counts)])

    def cost(i: int, j: int) -> float:  # distinct[i:j]
        total = prefix[j] - prefix[i]
        return float(squares[j] - squares[i] - total * total / (j - i))

    best = [[math.inf] * (n + 1) for _ in range(k + 1)]
    start = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for classes in range(1, k + 1):
        for j in range(1, n + 1):
            for i in range(classes - 1, j):
                if members[j] - members[i] >= 2 and best[classes - 1][i] + cost(i, j) < best[classes][j]:
                    best[classes][j], start[classes][j] = best[classes - 1][i] + cost(i, j), i
    if math.isinf(best[k][n]):
        return None
    uppers, j = [], n
    for classes in range(k, 0, -1):
        uppers.append(distinct[j - 1])
        j = start[classes][j]
    return uppers[::-1]


def _natural_breaks(distinct: list[float], k: int) -> list[float]:
    """Upper bounds of the ``k`` Fisher-Jenks classes (``1 < k < len(distinct)``) of the
    sorted ``distinct`` values, by mapclassify (imported here: it loads scipy and
    scikit-learn, which only a map being drawn needs)."""
    import mapclassify

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Numba not installed": fine for a few values
        return [float(b) for b in mapclassify.FisherJenks(np.array(distinct), k=k).bins]


# --------------------------------------------------------------------------
# Proportional symbols


def symbol_radius(value: float, largest: float, max_radius: float) -> float:
    """Radius (pt) of the circle of ``value``: its area is proportional to the value, the
    circle of ``largest`` has radius ``max_radius``."""
    return max_radius * math.sqrt(value / largest) if largest > 0 and value > 0 else 0.0


def reference_values(largest: float) -> list[float]:
    """The values of the legend's circles: ``largest`` floored to one significant digit,
    then about a quarter and a sixteenth of it rounded to one significant digit (each
    distinct, positive, decreasing)."""
    if largest <= 0:
        return []
    top = _round_significant(largest, 1, ROUND_FLOOR)
    references = [top]
    for share in (4, 16):
        value = float(_decimal(top / share).quantize(
            Decimal(1).scaleb(math.floor(math.log10(top / share))), rounding="ROUND_HALF_UP"))
        if 0 < value < references[-1]:
            references.append(value)
    return references


def _circles(ax, points: Mapping[str, tuple[float, float]], radius: Mapping[str, float], colour: str) -> None:
    """One circle per code of ``radius`` (pt) at its point, the largest drawn first."""
    order = sorted((code for code in radius if radius[code] > 0), key=lambda code: (-radius[code], code))
    if order:
        ax.scatter([points[c][0] for c in order], [points[c][1] for c in order],
                   s=[(2 * radius[c]) ** 2 for c in order], c=colour, edgecolors="white", linewidths=0.8,
                   alpha=0.9, zorder=3)


def _circle_labels(ax, points: Mapping[str, tuple[float, float]], radius: Mapping[str, float],
                   labels: Mapping[str, str], fontsize: float) -> None:
    """Each label just under its circle (at the point itself when there is no circle), with a halo."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for code, text in labels.items():
        r = radius.get(code, 0.0)
        ax.annotate(text, points[code], xytext=(0, -r - 1.0 if r else 0), textcoords="offset points",
                    ha="center", va="top" if r else "center", fontsize=fontsize, color=TEXT_COLOR,
                    linespacing=1.15, path_effects=halo, zorder=4)


def _circle_legend(fig: Figure, rect: tuple[float, float, float, float], title: str, largest: float,
                   max_radius: float, colour: str, kind: str, extra: list, fontsize: float = 7.0) -> None:
    """The legend of a map of circles in ``rect`` (figure fraction): its title, two or three
    reference circles side by side with their values under them, then the ``extra`` handles
    (hatched areas, communes without value…), in ``fontsize`` points."""
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    width, height = rect[2] * fig.get_figwidth() * 72, rect[3] * fig.get_figheight() * 72
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    wrapped = textwrap.fill(title, 30)
    ax.text(0, height, wrapped, ha="left", va="top", fontsize=fontsize + 0.5, fontweight="bold", color=TEXT_COLOR)
    references = reference_values(largest)
    radii = [symbol_radius(value, largest, max_radius) for value in references]
    baseline = height - (fontsize + 0.5) * 1.3 * (wrapped.count("\n") + 1) - 4 - 2 * (radii[0] if radii else 0)
    texts = [_bound_text(value, kind) for value in references]
    half_widths = [0.3 * fontsize * len(text) for text in texts]  # about half a label's width, pt
    x = max(radii[0], half_widths[0]) + 1.0 if radii else 0.0
    for i, (text, r) in enumerate(zip(texts, radii)):
        if i:  # the next circle and its label clear of the previous ones
            x += max(radii[i - 1] + r, half_widths[i - 1] + half_widths[i]) + 0.8 * fontsize
        ax.scatter([x], [baseline + r], s=[(2 * r) ** 2], c=colour, edgecolors="white", linewidths=0.8,
                   alpha=0.9, clip_on=False)
        ax.text(x, baseline - 2, text, ha="center", va="top", fontsize=fontsize, color=TEXT_COLOR)
    if extra:
        top = (baseline - 2 * fontsize) / height
        fig.legend(handles=extra, loc="upper left", bbox_to_anchor=(rect[0], rect[1] + top * rect[3]),
                   frameon=False, fontsize=fontsize, handlelength=1.6, handleheight=1.1, borderaxespad=0.0)


# --------------------------------------------------------------------------
# Boundaries


@dataclass(frozen=True)
class _Layer:
    """The départements of one map, projected, ready to draw.

    ``label_points`` of the départements outside the inset avoid the frame
    that marks the inset on the main map (``encart_box``). ``frames`` are the
    boxes of the overseas départements moved beside metropolitan France.
    """

    names: dict[str, str]
    paths: dict[str, Path]
    label_points: dict[str, tuple[float, float]]
    bounds: dict[str, tuple[float, float, float, float]]
    encart_box: tuple[float, float, float, float] | None
    frames: tuple[tuple[float, float, float, float], ...] = ()


@cache
def _departements() -> gpd.GeoDataFrame:
    """All départements (WGS84), indexed by code; read once."""
    import geopandas as gpd

    frame = gpd.read_file(assets_dir() / "geo" / "departements.geojson", engine="pyogrio")
    return frame.set_index("code", drop=False)


def _crs_for(codes: Iterable[str], bounds: Sequence[float]) -> str:
    """Lambert-93 in metropolitan France, else an equal-area projection centred
    on ``bounds`` (west, south, east, north in degrees) of the départements ``codes``."""
    if not any(code.startswith("97") for code in codes):
        return METROPOLE_CRS
    west, south, east, north = bounds
    return f"+proj=laea +lat_0={(south + north) / 2:.4f} +lon_0={(west + east) / 2:.4f} +datum=WGS84 +units=m"


def _path(geometry: shapely.Geometry) -> Path:
    """A matplotlib path for a (multi)polygon, holes included."""
    import shapely

    return _rings_path(np.asarray(ring.coords) for polygon in shapely.get_parts(shapely.orient_polygons(geometry))
                       for ring in (polygon.exterior, *polygon.interiors))


def _label_point(geometry: shapely.Geometry) -> tuple[float, float]:
    """Centre of the largest inscribed circle of the largest part."""
    import shapely

    largest = max(shapely.get_parts(geometry), key=lambda part: part.area)
    centre = shapely.get_point(shapely.maximum_inscribed_circle(largest, 50.0), 0)
    return float(centre.x), float(centre.y)


@cache
def _layer(codes: tuple[str, ...], encart: tuple[str, ...]) -> _Layer:
    """The départements ``codes`` projected, with their labels' positions (once per process)."""
    import shapely

    frame = _departements()
    unknown = [code for code in codes if code not in frame.index]
    if unknown:
        raise ValueError("Départements absents du fond de carte : " + ", ".join(unknown))
    selected = frame.loc[list(codes)]
    overseas = [code for code in codes if code.startswith("97")]
    frames: list[tuple[float, float, float, float]] = []
    if overseas and len(overseas) < len(codes):  # metropolitan and overseas: the latter moved beside
        projected = selected.drop(index=overseas).to_crs(METROPOLE_CRS)
        geometries = dict(zip(projected.index, projected.geometry.values))
        geometries.update(_overseas_boxes(selected.loc[overseas], projected.total_bounds, frames))
    else:
        projected = selected.to_crs(_crs_for(selected.index, selected.total_bounds))
        geometries = dict(zip(codes, projected.geometry.values))
    encart_box = None
    label_areas = dict(geometries)
    if encart:
        encart_box = shapely.union_all([geometries[code] for code in encart]).bounds
        west, south, east, north = shapely.union_all(list(geometries.values())).bounds
        keep_out = shapely.box(*encart_box).buffer(0.04 * max(east - west, north - south))
        for code in set(codes) - set(encart):
            outside = geometries[code].difference(keep_out)
            if not outside.is_empty:
                label_areas[code] = outside
    return _Layer(
        names=dict(zip(codes, selected["nom"])),
        paths={code: _path(g) for code, g in geometries.items()},
        label_points={code: _label_point(g) for code, g in label_areas.items()},
        bounds={code: tuple(g.bounds) for code, g in geometries.items()},
        encart_box=encart_box,
        frames=tuple(frames),
    )


def _overseas_boxes(overseas: gpd.GeoDataFrame, metropole: Sequence[float],
                    frames: list[tuple[float, float, float, float]]) -> dict[str, shapely.Geometry]:
    """The overseas départements of a national map, each projected on its own and fitted
    into a square box in a column west of metropolitan France (``metropole``: its
    projected bounds), top down in code order, as on the maps of the statistical
    institute; the boxes are appended to ``frames``."""
    from shapely import affinity

    west, south, east, north = metropole
    side = (north - south) / 6.5
    gap = side * 0.15
    moved = {}
    for rank, code in enumerate(overseas.index):
        one = overseas.loc[[code]]
        geometry = one.to_crs(_crs_for([code], one.total_bounds)).geometry.values[0]
        g_west, g_south, g_east, g_north = geometry.bounds
        factor = (side - 2 * gap) / max(g_east - g_west, g_north - g_south)
        box_west, box_north = west - side - 2 * gap, north - rank * (side + gap)
        fitted = affinity.scale(geometry, factor, factor, origin=(g_west, g_north))
        f_west, f_south, f_east, f_north = fitted.bounds
        moved[code] = affinity.translate(fitted, box_west + (side - (f_east - f_west)) / 2 - f_west,
                                         box_north - (side - (f_north - f_south)) / 2 - f_north)
        frames.append((box_west, box_north - side, box_west + side, box_north))
    return moved


# --------------------------------------------------------------------------
# Drawing


@cache
def _font_family() -> str:
    """Register the project font (Lato) with matplotlib if it is shipped."""
    from matplotlib import font_manager

    fonts = assets_dir() / "fonts"
    found = False
    for name in ("Lato-Regular.ttf", "Lato-Bold.ttf"):
        if (fonts / name).is_file():
            font_manager.fontManager.addfont(str(fonts / name))
            found = True
    return "Lato" if found else "DejaVu Sans"


def _palette(base: str, k: int) -> list[str]:
    """``k`` tints of ``base``, lightest first, ending at ``base``: a
    single-hue sequential scale, readable by colour-blind readers."""
    from matplotlib.colors import to_hex, to_rgb

    if k == 1:
        shares = [0.6]
    else:
        shares = list(np.linspace(0.15, 1.0, k))
    rgb = np.array(to_rgb(base))
    return [to_hex(1 - share * (1 - rgb)) for share in shares]


def _bound_text(value: float, kind: str) -> str:
    """A class bound in French format, without the unit of ``heures``."""
    return fmt_value(value, "nombre" if kind == "heures" else kind)


def _class_text(bounds: tuple[float, float], kind: str, spoken: bool = False) -> str:
    """« 150 000 – 300 000 » in the legend, « de 150 000 à 300 000 » in the alt text."""
    low, high = (_bound_text(b, kind) for b in bounds)
    if low == high:
        return low
    return f"de {low} à {high}" if spoken else f"{low} – {high}"


def _extent(layer: _Layer, codes: tuple[str, ...], margin: float) -> tuple[float, float, float, float]:
    """The bounds of ``codes`` (with the overseas boxes when they are drawn) widened by ``margin``."""
    frames = list(layer.frames) if any(code.startswith("97") for code in codes) else []
    boxes = np.array([layer.bounds[code] for code in codes] + frames)
    return _extent_of((boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()), margin)


def _extent_of(bounds: Sequence[float], margin: float) -> tuple[float, float, float, float]:
    """``bounds`` widened by ``margin`` times their larger side."""
    west, south, east, north = bounds
    pad = margin * max(east - west, north - south)
    return west - pad, south - pad, east + pad, north + pad


@contextmanager
def _map_figure(width: float, height: float):
    """A figure of ``width`` × ``height`` inches in the maps' style (Lato, grey hatches), on
    the Agg canvas; the style holds while the ``with`` block draws it."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.family": _font_family(), "hatch.color": MISSING_EDGE,
                                "hatch.linewidth": 0.6}):
        fig = Figure(figsize=(width, height), dpi=DPI)
        FigureCanvasAgg(fig)
        yield fig


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes (deterministic: no software metadata)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _draw(ax, layer: _Layer, codes: tuple[str, ...], colors: dict[str, str | None],
          labels: dict[str, str], extent: tuple[float, float, float, float],
          fontsize: float) -> None:
    """Fill ``codes`` on ``ax`` and write ``labels`` (code → text) with a halo: dark text
    with a white halo, or white text with a halo of its area's colour on a dark fill."""
    from matplotlib import patheffects
    from matplotlib.patches import PathPatch

    from panorama.draw.charts import text_on

    for code in codes:
        color = colors[code]
        if color is None:
            patch = PathPatch(layer.paths[code], facecolor="white", edgecolor=MISSING_EDGE,
                              hatch="///", linewidth=0.6, zorder=2)
        else:
            patch = PathPatch(layer.paths[code], facecolor=color, edgecolor=BORDER_COLOR,
                              linewidth=0.8, zorder=1)
        ax.add_patch(patch)
    for code, text in labels.items():
        x, y = layer.label_points[code]
        dark = colors[code] is not None and text_on(colors[code]) == "white"
        halo = [patheffects.withStroke(linewidth=2.2, foreground=colors[code] if dark else "white")]
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color="white" if dark else TEXT_COLOR,
                linespacing=1.15, path_effects=halo, zorder=4)
    west, south, east, north = extent
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def _alt_text(region: str, codes: tuple[str, ...], names: Mapping[str, str],
              values: Mapping[str, float | None], bounds: list[tuple[float, float]],
              title: str | None, legend_title: str, kind: str, missing_label: str) -> str:
    present = sorted((code for code in codes if not is_missing(values.get(code))),
                     key=lambda code: (-float(values[code]), code))
    missing = [code for code in codes if is_missing(values.get(code))]
    parts = [f"Carte des départements de la région {region}"]
    parts[0] += f" : {title}." if title else "."
    if present:
        parts.append(f"{legend_title} par département, du plus élevé au plus faible : "
                     + " ; ".join(f"{names[code]} {fmt_value(values[code], kind)}" for code in present)
                     + ".")
    if missing:
        parts.append(f"{missing_label} : " + ", ".join(names[code] for code in missing) + ".")
    if bounds:
        parts.append("Classes : " + " ; ".join(_class_text(b, kind, spoken=True) for b in bounds) + ".")
    return " ".join(parts)


def prepare(config: Config, communes: bool = False) -> None:
    """Load the drawing libraries (matplotlib, shapely, pyproj, geopandas, mapclassify) and the région's
    boundaries now, with ``communes`` those of the communes of its départements, ahead of
    drawing (a worker process does it while the data are read)."""
    import mapclassify  # noqa: F401 - classes of every map
    import pyproj  # noqa: F401 - projects the communes

    _font_family()
    _layer(*map_area(config))
    if communes:
        _commune_table()
        for code in config.departements:
            _commune_layer(code)


def draw(spec: MapSpec) -> MapImage:
    """Draw the map ``spec`` describes (:class:`panorama.compose.figspec.MapSpec`)."""
    if spec.kind == "departements":
        return _symbol_map(spec) if spec.symbols else _choropleth(spec)
    return _commune_choropleth(spec)


def choropleth(values: Mapping[str, float | None], *, config: Config, legend_title: str,
               kind: str, title: str | None = None,
               missing_label: str = MISSING_LABEL) -> MapImage:
    """Draw ``values`` (département code → value) on the map of ``config.departements``.

    ``kind`` is a :func:`panorama.core.formatting.fmt_value` kind (``heures``,
    ``nombre``, ``part``…) used for the labels, the legend and the alt text.
    A value that is ``None``, NaN or absent is hatched and listed under
    ``missing_label`` (« Donnée manquante », or « Secret statistique »).
    Codes of ``values`` outside ``config.departements`` are ignored. The
    départements of ``config.encart`` are also drawn enlarged in an inset.
    The caller prints the source and the base-map credit (:data:`panorama.compose.figspec.MAP_SOURCE`)
    under the image. The PNG (16 × 10 cm, 150 dpi) is deterministic.
    """
    return _choropleth(departement_map(values, config, legend_title=legend_title, unit=kind, title=title,
                                       missing_label=missing_label))


@dataclass(frozen=True)
class _Frame:
    """The axes of a map of départements: the main map, the enlarged inset (``None``
    without one), where the legend goes (``legend``: left, bottom, width, top, in figure
    fraction), the labels' font size and the largest circle's radius (pt)."""

    fig: Figure
    ax: object
    inset: object | None
    legend: tuple[float, float, float, float]
    fontsize: float
    max_radius: float


def _narrow(spec: MapSpec) -> bool:
    """Whether ``spec`` is drawn narrower than the page (the small screens' variant): the
    inset and the legend then go under the map, in larger type."""
    return spec.width_cm < FIGSIZE[0] / CM


@contextmanager
def _departement_frame(spec: MapSpec, layer: _Layer, legend_height: float):
    """The figure and axes of a map of départements: 16 × 10 cm with the inset and the
    legend right of the map or, for a narrow ``spec``, its width with the inset then the
    legend (``legend_height`` inches) under the map. The main map and the inset are drawn
    and the inset's frame marked by the caller."""
    codes, encart, title = spec.departements, spec.encart, spec.title
    if not _narrow(spec):
        with _map_figure(*FIGSIZE) as fig:
            top = 0.90 if title else 0.97
            if title:
                fig.text(0.02, 0.965, title, ha="left", va="top", fontsize=10, fontweight="bold",
                         color=TEXT_COLOR)
            map_width = 0.60 if encart else 0.66
            ax = fig.add_axes((0.01, 0.01, map_width, top - 0.01))
            ax.set_anchor("N")
            inset, legend_top = None, top
            if layer.encart_box:
                inset = fig.add_axes((map_width + 0.03, top - 0.60, 0.35, 0.60))
                legend_top = top - 0.64
            yield _Frame(fig, ax, inset, (map_width + 0.03, 0.01, 0.35, legend_top), 6.5, MAX_RADIUS)
        return
    width, pad = spec.width_cm * CM, 0.1 * CM
    header = (1.0 if title else 0.1) * CM
    west, south, east, north = _extent(layer, codes, 0.02)
    map_height = min((width - 2 * pad) * (north - south) / (east - west), 1.2 * width)
    inset_height = inset_label = 0.0
    if layer.encart_box:
        i_west, i_south, i_east, i_north = _extent(layer, encart, 0.04)
        inset_height = min(0.85 * (width - 2 * pad) * (i_north - i_south) / (i_east - i_west), width)
        inset_label = 0.5 * CM
    height = header + map_height + inset_label + inset_height + 0.3 * CM + legend_height + pad
    with _map_figure(width, height) as fig:
        if title:
            fig.text(pad / width, 1 - 0.25 * CM / height, textwrap.fill(title, 40), ha="left", va="top",
                     fontsize=10, fontweight="bold", color=TEXT_COLOR)
        top = 1 - header / height
        ax = fig.add_axes((pad / width, top - map_height / height, 1 - 2 * pad / width, map_height / height))
        top -= map_height / height
        inset = None
        if layer.encart_box:
            top -= inset_label / height
            inset = fig.add_axes((0.075 + pad / width, top - inset_height / height, 0.85 * (1 - 2 * pad / width),
                                  inset_height / height))
            top -= inset_height / height
        top -= 0.3 * CM / height
        yield _Frame(fig, ax, inset, (pad / width, pad / height, 1 - 2 * pad / width, top), NARROW_TEXT_SIZE,
                     NARROW_RADIUS)


def _frames(frame: _Frame, layer: _Layer) -> None:
    """The boxes of the overseas départements and of the inset's area on the main map, and
    the inset's frame and heading."""
    from matplotlib.patches import Rectangle

    for west, south, east, north in layer.frames:
        frame.ax.add_patch(Rectangle((west, south), east - west, north - south, fill=False,
                                     edgecolor=MUTED_COLOR, linewidth=0.5, zorder=3))
    if frame.inset is not None:
        west, south, east, north = layer.encart_box
        frame.ax.add_patch(Rectangle((west, south), east - west, north - south, fill=False,
                                     edgecolor=TEXT_COLOR, linewidth=0.7, zorder=3))
        for spine in frame.inset.spines.values():
            spine.set_edgecolor(MUTED_COLOR)
            spine.set_linewidth(0.6)
        frame.inset.set_title("Agrandissement", fontsize=max(7, frame.fontsize), color=MUTED_COLOR, loc="left",
                              pad=3)


def _choropleth(spec: MapSpec) -> MapImage:
    """The map of départements ``spec`` describes (see :func:`choropleth`)."""
    codes, encart, kind, title = spec.departements, spec.encart, spec.unit, spec.title
    layer = _layer(codes, encart)
    drawn = dict(spec.values)
    bounds, class_of = classify(drawn)
    palette = _palette(spec.colour, len(bounds))
    colors = {code: None if class_of[code] is None else palette[class_of[code]] for code in codes}

    def label(code: str) -> str:
        if is_missing(drawn[code]):
            return layer.names[code]
        return f"{layer.names[code]}\n{_bound_text(drawn[code], kind)}"

    from matplotlib.patches import Patch

    handles = [Patch(facecolor=palette[i], edgecolor="none", label=_class_text(b, kind))
               for i, b in enumerate(bounds)]
    if any(c is None for c in colors.values()):
        handles.append(Patch(facecolor="white", edgecolor=MISSING_EDGE, hatch="///",
                             linewidth=0.6, label=spec.missing_label))
    with _departement_frame(spec, layer, (0.8 + 0.5 * len(handles)) * CM) as frame:
        frame.ax.set_axis_off()
        # Too many départements to write on: the alt text and the report's table give the values.
        main_labels = {} if len(codes) > MAX_LABELLED else {
            code: label(code) for code in codes if code not in encart}
        _draw(frame.ax, layer, codes, colors, main_labels, _extent(layer, codes, 0.02), fontsize=frame.fontsize)
        if frame.inset is not None:
            _draw(frame.inset, layer, encart, colors, {code: label(code) for code in encart},
                  _extent(layer, encart, 0.04), fontsize=frame.fontsize)
        _frames(frame, layer)
        left, _, _, top = frame.legend
        size = max(7, frame.fontsize)
        frame.fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(left, top),
                         frameon=False, fontsize=size, title=textwrap.fill(spec.legend_title, 30),
                         title_fontproperties={"size": size + 0.5, "weight": "bold"}, alignment="left",
                         handlelength=1.6, handleheight=1.1, borderaxespad=0.0)
        png = _png(frame.fig)
        width_cm = frame.fig.get_figwidth() / CM
    alt = _alt_text(spec.region, codes, layer.names, drawn, bounds, title, spec.legend_title, kind,
                    spec.missing_label)
    return MapImage(png=png, alt=alt, classes=bounds, class_of=class_of, width_cm=width_cm)


def symbol_map(values: Mapping[str, float | None], *, config: Config, legend_title: str, kind: str,
               title: str | None = None, missing_label: str = MISSING_LABEL) -> MapImage:
    """Draw counts ``values`` (département code → value) as proportional circles.

    Each département with a value gets a circle at its label point whose area is
    proportional to the value (:func:`symbol_radius`; the largest has radius
    :data:`MAX_RADIUS` points, on the main map and in the inset alike, so circles compare
    across both), drawn largest first over the départements filled in grey; a missing or
    secret value is hatched as on :func:`choropleth`. The départements of the inset get
    their circles in the inset only. The legend shows two or three reference circles
    (:func:`reference_values`). Same conventions as :func:`choropleth` otherwise;
    ``MapImage.classes`` is empty and ``class_of`` gives no class.
    """
    return _symbol_map(departement_map(values, config, legend_title=legend_title, unit=kind, title=title,
                                       missing_label=missing_label, symbols=True))


def _symbol_map(spec: MapSpec) -> MapImage:
    """The map of circles ``spec`` describes (see :func:`symbol_map`)."""
    codes, encart, kind, title = spec.departements, spec.encart, spec.unit, spec.title
    layer = _layer(codes, encart)
    drawn = dict(spec.values)
    present = {code: float(v) for code, v in drawn.items() if not is_missing(v)}
    largest = max(present.values(), default=0.0)
    colors = {code: None if code not in present else BASE_FILL for code in codes}

    def label(code: str) -> str:
        if code not in present:
            return layer.names[code]
        return f"{layer.names[code]}\n{_bound_text(present[code], kind)}"

    from matplotlib.patches import Patch

    extra = []
    if any(c is None for c in colors.values()):
        extra.append(Patch(facecolor="white", edgecolor=MISSING_EDGE, hatch="///", linewidth=0.6,
                           label=spec.missing_label))
    with _departement_frame(spec, layer, (2.4 + 0.6 * len(extra)) * CM) as frame:
        radius = {code: symbol_radius(v, largest, frame.max_radius) for code, v in present.items()}
        frame.ax.set_axis_off()
        outside = tuple(code for code in codes if code not in encart)
        _draw(frame.ax, layer, codes, colors, {}, _extent(layer, codes, 0.02), fontsize=frame.fontsize)
        _circles(frame.ax, layer.label_points, {code: radius[code] for code in outside if code in radius},
                 spec.colour)
        if len(codes) <= MAX_LABELLED:
            _circle_labels(frame.ax, layer.label_points, radius, {code: label(code) for code in outside},
                           frame.fontsize)
        if frame.inset is not None:
            _draw(frame.inset, layer, encart, colors, {}, _extent(layer, encart, 0.04), fontsize=frame.fontsize)
            _circles(frame.inset, layer.label_points, {code: radius[code] for code in encart if code in radius},
                     spec.colour)
            _circle_labels(frame.inset, layer.label_points, radius, {code: label(code) for code in encart},
                           frame.fontsize)
        _frames(frame, layer)
        left, bottom, width, top = frame.legend
        _circle_legend(frame.fig, (left, bottom, width, top - bottom), spec.legend_title, largest,
                       frame.max_radius, spec.colour, kind, extra, max(7, frame.fontsize))
        png = _png(frame.fig)
        width_cm = frame.fig.get_figwidth() / CM
    alt = _alt_text(spec.region, codes, layer.names, drawn, [], title, spec.legend_title, kind,
                    spec.missing_label) + " Cercles de surface proportionnelle à la valeur."
    return MapImage(png=png, alt=alt, classes=[], class_of={code: None for code in codes}, width_cm=width_cm)


# --------------------------------------------------------------------------
# Communes of one département


@dataclass(frozen=True)
class _CommuneLayer:
    """The communes of one département, projected, ready to draw.

    ``rings`` gives each commune's polygons as lists of closed rings (exterior
    first). ``arcs`` are the boundary lines of the TopoJSON topology, each
    stored once, and ``sides`` the communes on either side of each arc (only
    one on the outline of the département).
    """

    codes: tuple[str, ...]
    names: dict[str, str]
    epci: dict[str, str | None]
    rings: dict[str, list[list[np.ndarray]]]
    paths: dict[str, Path]
    arcs: list[np.ndarray]
    sides: list[tuple[str, ...]]
    bounds: tuple[float, float, float, float]


def _short_name(name: str) -> str:
    """« Paris 13e Arrondissement » → « Paris 13e »; other names unchanged."""
    return name.removesuffix(" Arrondissement")


def _rings_path(rings: Iterable[np.ndarray]) -> Path:
    """A matplotlib path for closed rings (exteriors and holes oppositely oriented)."""
    from matplotlib.path import Path

    vertices, codes = [], []
    for coords in rings:
        vertices.append(coords)
        ring_codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
        ring_codes[0], ring_codes[-1] = Path.MOVETO, Path.CLOSEPOLY
        codes.append(ring_codes)
    return Path(np.concatenate(vertices), np.concatenate(codes))


@cache
def _commune_layer(departement: str) -> _CommuneLayer:
    """Read ``assets/geo/communes/<departement>.topojson`` once and project it."""
    from pyproj import Transformer

    path = assets_dir() / "geo" / "communes" / f"{departement}.topojson"
    if not path.is_file():
        raise ValueError(f"Département absent du fond de carte des communes : {departement}")
    topology = json.loads(path.read_bytes())
    scale = np.array(topology["transform"]["scale"])
    translate = np.array(topology["transform"]["translate"])
    degrees = [np.cumsum(np.array(arc, dtype=np.int64), axis=0) * scale + translate
               for arc in topology["arcs"]]
    points = np.concatenate(degrees)
    west, south = points.min(axis=0)
    east, north = points.max(axis=0)
    transformer = Transformer.from_crs("EPSG:4326", _crs_for([departement], (west, south, east, north)),
                                       always_xy=True)
    projected = np.column_stack(transformer.transform(points[:, 0], points[:, 1]))
    arcs = np.split(projected, np.cumsum([len(arc) for arc in degrees])[:-1])

    def ring(references: list[int]) -> np.ndarray:
        pieces = [arcs[r] if r >= 0 else arcs[~r][::-1] for r in references]
        return np.concatenate([pieces[0], *(piece[1:] for piece in pieces[1:])])

    sides: list[list[str]] = [[] for _ in arcs]
    names, epci, rings = {}, {}, {}
    for geometry in topology["objects"]["communes"]["geometries"]:
        code = geometry["properties"]["code"]
        names[code] = _short_name(geometry["properties"]["nom"])
        epci[code] = geometry["properties"]["epci"]
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        rings[code] = [[ring(references) for references in polygon] for polygon in polygons]
        for polygon in polygons:
            for references in polygon:
                for r in references:
                    sides[r if r >= 0 else ~r].append(code)
    return _CommuneLayer(
        codes=tuple(names),
        names=names,
        epci=epci,
        rings=rings,
        paths={code: _rings_path(r for polygon in polygons for r in polygon)
               for code, polygons in rings.items()},
        arcs=arcs,
        sides=[tuple(s) for s in sides],
        bounds=(*map(float, projected.min(axis=0)), *map(float, projected.max(axis=0))),
    )


def _combine(a: float | None, b: float | None) -> float | None:
    """Sum of two values of the same commune; a missing (secret) one wins."""
    if is_missing(a) or is_missing(b):
        return None
    return float(a) + float(b)


@dataclass(frozen=True)
class _Units:
    """Values of ``commune_choropleth`` placed on the layer's communes.

    ``unit_of`` maps each commune of the layer to the unit that colours it:
    itself, or the city (75056, 69123, 13055) when the value is given for the
    whole city. ``values`` are per unit; ``unmapped`` are the codes of the
    département that cannot be drawn, with their value.
    """

    unit_of: dict[str, str]
    values: dict[str, float | None]
    unmapped: dict[str, float | None]


@cache
def _commune_table():
    """The table of :func:`panorama.compute.geo.commune_centroids`, read once."""
    return commune_centroids()


def _place(layer: _CommuneLayer, departement: str, values: Mapping[str, float | None]) -> _Units:
    """Resolve the codes of ``values`` to the units of ``layer`` (see :func:`commune_choropleth`)."""
    table = _commune_table()
    cells = set(layer.codes)
    city_of = {code: table.at[code, "commune"] for code in layer.codes if table.at[code, "type"] == "ARM"}
    cities = set(city_of.values())
    placed: dict[str, float | None] = {}
    unmapped: dict[str, float | None] = {}
    for code, value in values.items():
        if code in cells or code in cities:
            target = code
        elif code in table.index:
            if table.at[code, "departement"] != departement:
                continue
            target = table.at[code, "commune"] if table.at[code, "commune"] in cells else None
        elif departement_of_commune(code) == departement:
            target = None
        else:
            continue
        bucket = placed if target is not None else unmapped
        key = target if target is not None else code
        bucket[key] = _combine(bucket[key], value) if key in bucket else value
    unit_of = {code: code for code in layer.codes}
    for city in sorted(cities & placed.keys()):
        arrondissements = [code for code, parent in city_of.items() if parent == city]
        value = placed.pop(city)
        if any(code in placed for code in arrondissements):
            unmapped[city] = value
        else:
            placed[city] = value
            unit_of.update({code: city for code in arrondissements})
    return _Units(unit_of, placed, unmapped)


def _unit_name(layer: _CommuneLayer, code: str) -> str:
    return layer.names[code] if code in layer.names else _commune_table().at[code, "nom"]


def _unit_geometry(layer: _CommuneLayer, units: _Units, unit: str) -> shapely.Geometry:
    """The projected polygon of a unit (a commune, or a city's arrondissements)."""
    import shapely

    polygons = [shapely.Polygon(rings[0], rings[1:])
                for code in layer.codes if units.unit_of[code] == unit for rings in layer.rings[code]]
    return shapely.union_all(polygons)


def _unit_centre(layer: _CommuneLayer, units: _Units, unit: str) -> tuple[float, float]:
    """Where the circle of a unit goes: the centre of the largest circle inscribed in its largest part."""
    import shapely

    largest = max(shapely.get_parts(_unit_geometry(layer, units, unit)), key=lambda part: part.area)
    x, y = shapely.get_coordinates(shapely.maximum_inscribed_circle(largest, 20.0))[0]
    return float(x), float(y)


def _boundary_lines(layer: _CommuneLayer, units: _Units) -> dict[str, list[np.ndarray]]:
    """The arcs to draw, by kind: ``departement`` (outline), ``epci`` (between
    two intercommunalités) and ``commune`` (between two units of one EPCI)."""
    lines: dict[str, list[np.ndarray]] = {"departement": [], "epci": [], "commune": []}
    for arc, sides in zip(layer.arcs, layer.sides):
        if len(sides) == 1:
            lines["departement"].append(arc)
        elif layer.epci[sides[0]] != layer.epci[sides[1]]:
            lines["epci"].append(arc)
        elif units.unit_of[sides[0]] != units.unit_of[sides[1]]:
            lines["commune"].append(arc)
    return lines


def _place_labels(fig: Figure, ax, layer: _CommuneLayer, units: _Units, ranked: list[str],
                  kind: str, fontsize: float = 6.5) -> None:
    """Label the first :data:`COMMUNE_LABELS` units of ``ranked``: name and value, with a halo.

    A label goes at the centre of the unit's largest inscribed circle when the
    unit is large enough to stay visible around it, else just above, below,
    right or left of that circle: the first position that neither overlaps a
    placed label nor leaves the map wins; a label without one is dropped.
    """
    import shapely
    from matplotlib import patheffects

    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    per_pixel = (ax.get_xlim()[1] - ax.get_xlim()[0]) / frame.width
    gap = 2 * per_pixel
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    placed: list = []
    for unit in ranked[:COMMUNE_LABELS]:
        geometry = _unit_geometry(layer, units, unit)
        largest = max(shapely.get_parts(geometry), key=lambda part: part.area)
        circle = shapely.maximum_inscribed_circle(largest, 20.0)
        x, y = shapely.get_coordinates(circle)[0]
        radius = circle.length
        text = ax.text(x, y, f"{_unit_name(layer, unit)}\n{_bound_text(units.values[unit], kind)}",
                       ha="center", va="center", fontsize=fontsize, color=TEXT_COLOR, linespacing=1.1,
                       path_effects=halo, zorder=6)
        box = text.get_window_extent(renderer)
        width, height = box.width * per_pixel, box.height * per_pixel
        positions = [(x, y)] if geometry.area >= 3 * width * height else []
        positions += [(x, y + radius + height / 2 + gap), (x, y - radius - height / 2 - gap),
                      (x + radius + width / 2 + gap, y), (x - radius - width / 2 - gap, y)]
        for position in positions:
            text.set_position(position)
            box = text.get_window_extent(renderer).expanded(1.04, 1.08)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
        else:
            text.remove()


def _commune_alt_text(layer: _CommuneLayer, departement: str, units: _Units,
                      bounds: list[tuple[float, float]], ranked: list[str], title: str | None,
                      legend_title: str, kind: str, missing_label: str, empty_label: str,
                      epci_lines: bool) -> str:
    drawn = set(units.unit_of.values())
    noun = "arrondissement" if all(_commune_table().at[c, "type"] == "ARM" for c in drawn) else "commune"
    missing = sorted((u for u, v in units.values.items() if is_missing(v)),
                     key=lambda u: _unit_name(layer, u))
    empty = len(drawn - units.values.keys())
    parts = [f"Carte des communes {departement_of(departement)}"
             + (f" : {title}." if title else ".")]
    verb = "en ont" if len(ranked) >= 2 else "en a"
    parts.append(f"{legend_title} : {fmt_count(len(ranked), noun)} sur {fmt_int(len(drawn))} {verb}.")
    if ranked:
        top = ranked[:COMMUNE_LABELS]
        parts.append(("Valeurs les plus élevées : " if len(top) > 1 else "Valeur : ")
                     + " ; ".join(f"{_unit_name(layer, u)} {fmt_value(units.values[u], kind)}" for u in top)
                     + ".")
    if empty:
        parts.append(f"{empty_label} : {fmt_count(empty, noun)}.")
    if missing:
        parts.append(f"{missing_label} : " + ", ".join(_unit_name(layer, u) for u in missing) + ".")
    if bounds:
        parts.append("Classes : " + " ; ".join(_class_text(b, kind, spoken=True) for b in bounds) + ".")
    if epci_lines:
        parts.append("Les limites des intercommunalités sont tracées en trait épais.")
    elif len(set(layer.epci.values())) == 1:
        every = "Tous les arrondissements" if noun == "arrondissement" else "Toutes les communes"
        parts.append(f"{every} appartiennent à la même intercommunalité.")
    if units.unmapped:
        table = _commune_table()
        parts.append("Non cartographié : " + " ; ".join(
            f"{table.at[code, 'nom'] if code in table.index else 'code inconnu'} ({code}) "
            f"{fmt_value(value, kind)}" for code, value in sorted(units.unmapped.items())) + ".")
    return " ".join(parts)


def commune_choropleth(departement: str, values: Mapping[str, float | None], *, config: Config,
                       legend_title: str, kind: str, title: str | None = None,
                       missing_label: str = MISSING_LABEL, empty_label: str = EMPTY_LABEL) -> MapImage:
    """Draw ``values`` (commune code → value) on the communes of ``departement``.

    Paris, Lyon and Marseille are drawn by municipal arrondissement. Each
    commune with a value is coloured by its class (:func:`classify`, the
    report's colour scale); a commune absent from ``values`` is left white,
    listed as ``empty_label`` (« Aucune heure »); a value that is ``None``
    or NaN is hatched as ``missing_label``. The intercommunalités (EPCI) are
    outlined in a thick dark line, the département in a thicker one, and the
    communes with the highest values are labelled.

    Codes are resolved with :func:`panorama.compute.geo.commune_centroids`: a former
    commune's value is added to its current commune; a value for a whole city
    (75056, 69123, 13055) colours all its arrondissements if none of them has
    a value of its own, otherwise it is not drawn. Codes of other
    départements are ignored; codes of this one that cannot be drawn are
    returned in ``MapImage.unmapped`` and named in the alt text.
    ``MapImage.class_of`` covers the units that have a value (communes,
    arrondissements or cities).

    Same conventions as :func:`choropleth`: ``kind`` formats the figures, the
    caller prints the source and :data:`~panorama.compose.figspec.MAP_SOURCE` under the image, and the
    PNG (16 cm wide, 6 to 10 cm high after the département's shape, 150 dpi)
    is deterministic.
    """
    return _commune_choropleth(commune_map(departement, values, config, legend_title=legend_title, unit=kind,
                                           title=title, missing_label=missing_label, empty_label=empty_label))


def _commune_choropleth(spec: MapSpec) -> MapImage:
    """The map of communes ``spec`` describes (see :func:`commune_choropleth`)."""
    departement, kind, title = spec.departement, spec.unit, spec.title
    legend_title, missing_label, empty_label = spec.legend_title, spec.missing_label, spec.empty_label
    layer = _commune_layer(departement)
    units = _place(layer, departement, dict(spec.values))
    if spec.symbols:  # circles over a plain base: no classes
        bounds, class_of, palette = [], {unit: None for unit in units.values}, []
    else:
        bounds, class_of = classify(units.values)
        palette = _palette(spec.colour, len(bounds))
    ranked = sorted((u for u, v in units.values.items() if not is_missing(v)),
                    key=lambda u: (-float(units.values[u]), u))
    fill: dict[str, str | None] = {}
    for code in layer.codes:
        unit = units.unit_of[code]
        if unit not in units.values:
            fill[code] = EMPTY_COLOR
        elif is_missing(units.values[unit]):
            fill[code] = None
        else:
            fill[code] = BASE_FILL if spec.symbols else palette[class_of[unit]]

    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, PathPatch

    lines = _boundary_lines(layer, units)
    handles = [Patch(facecolor=palette[i], edgecolor="none", label=_class_text(b, kind))
               for i, b in enumerate(bounds)]
    if EMPTY_COLOR in fill.values():
        handles.append(Patch(facecolor=EMPTY_COLOR, edgecolor=COMMUNE_EDGE, linewidth=0.6,
                             label=empty_label))
    if None in fill.values():
        handles.append(Patch(facecolor="white", edgecolor=MISSING_EDGE, hatch="///",
                             linewidth=0.6, label=missing_label))
    if lines["epci"]:
        handles.append(Line2D([], [], color=EPCI_EDGE, linewidth=1.1,
                              label="Limite d'intercommunalité"))
    west, south, east, north = _extent_of(layer.bounds, 0.02)
    aspect = (east - west) / (north - south)
    header = (1.0 if title else 0.3) * CM
    narrow = _narrow(spec)
    fontsize, max_radius = (NARROW_TEXT_SIZE, COMMUNE_NARROW_RADIUS) if narrow else (6.5, COMMUNE_MAX_RADIUS)
    if narrow:  # the legend under the map
        fig_width, pad = spec.width_cm * CM, 0.1 * CM
        map_width = min(fig_width - 2 * pad, 1.2 * fig_width * aspect)
        map_height = map_width / aspect
        legend_height = ((2.4 + 0.55 * len(handles)) if spec.symbols else 0.8 + 0.5 * len(handles)) * CM
        fig_height = header + map_height + 0.3 * CM + legend_height
    else:
        map_width = min(COMMUNE_MAP_WIDTH, (FIGSIZE[1] - header - 0.1 * CM) * aspect)
        map_height = map_width / aspect
        fig_width, fig_height = FIGSIZE[0], max(map_height + header + 0.1 * CM, COMMUNE_MIN_HEIGHT)
    top = 1 - header / fig_height

    with _map_figure(fig_width, fig_height) as fig:
        if title:
            fig.text(0.02, 1 - 0.35 * CM / fig_height, textwrap.fill(title, 40) if narrow else title, ha="left",
                     va="top", fontsize=10, fontweight="bold", color=TEXT_COLOR)
        ax = fig.add_axes((0.01, top - map_height / fig_height, map_width / fig_width,
                           map_height / fig_height))
        ax.set_axis_off()
        coloured = [code for code in layer.codes if fill[code] is not None]
        ax.add_collection(PatchCollection(
            [PathPatch(layer.paths[code]) for code in coloured], facecolors=[fill[c] for c in coloured],
            edgecolors=[fill[c] for c in coloured], linewidths=0.3, zorder=1))
        for code in layer.codes:
            if fill[code] is None:
                ax.add_patch(PathPatch(layer.paths[code], facecolor="white", edgecolor=MISSING_EDGE,
                                       hatch="///", linewidth=0, zorder=2))
        ax.add_collection(LineCollection(lines["commune"], colors=COMMUNE_EDGE, linewidths=0.4, zorder=3))
        ax.add_collection(LineCollection(lines["epci"], colors=EPCI_EDGE, linewidths=1.1,
                                         capstyle="round", joinstyle="round", zorder=4))
        ax.add_collection(LineCollection(lines["departement"], colors=TEXT_COLOR, linewidths=1.4,
                                         capstyle="round", joinstyle="round", zorder=5))
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect("equal")
        largest = float(units.values[ranked[0]]) if ranked else 0.0
        if spec.symbols:
            centres = {unit: _unit_centre(layer, units, unit) for unit in ranked}
            _circles(ax, centres, {u: symbol_radius(float(units.values[u]), largest, max_radius)
                                   for u in ranked}, spec.colour)
        if narrow:
            left = (1 - map_width / fig_width) / 2
            ax.set_position((left, top - map_height / fig_height, map_width / fig_width, map_height / fig_height))
            legend_box = (pad / fig_width, 0.02 * CM / fig_height, 1 - 2 * pad / fig_width,
                          legend_height / fig_height)
        _place_labels(fig, ax, layer, units, ranked, kind, fontsize)

        if spec.symbols:
            if not narrow:
                legend_width = SYMBOL_LEGEND_WIDTH / fig_width
                left = max(0.01, (1 - map_width / fig_width - 0.03 - legend_width) / 2)
                ax.set_position((left, top - map_height / fig_height, map_width / fig_width,
                                 map_height / fig_height))
                legend_box = (left + map_width / fig_width + 0.03, 0.02, legend_width, top - 0.02)
            _circle_legend(fig, legend_box, legend_title, largest, max_radius, spec.colour, kind, handles,
                           max(7.0, fontsize))
        else:
            legend = fig.legend(handles=handles, loc="upper left", frameon=False, fontsize=max(7.0, fontsize),
                                title=textwrap.fill(legend_title, 30),
                                title_fontproperties={"size": max(7.0, fontsize) + 0.5, "weight": "bold"},
                                alignment="left", handlelength=1.6, handleheight=1.1, borderaxespad=0.0)
            if narrow:
                legend.set_bbox_to_anchor((legend_box[0], legend_box[1] + legend_box[3]), transform=fig.transFigure)
            else:
                # Centre the map and its legend together on the width of the figure.
                legend_width = legend.get_window_extent(fig.canvas.get_renderer()).width / DPI / fig_width
                left = max(0.01, (1 - map_width / fig_width - 0.03 - legend_width) / 2)
                ax.set_position((left, top - map_height / fig_height, map_width / fig_width,
                                 map_height / fig_height))
                legend.set_bbox_to_anchor((left + map_width / fig_width + 0.03, top), transform=fig.transFigure)
        png = _png(fig)
    alt = _commune_alt_text(layer, departement, units, bounds, ranked, title, legend_title, kind,
                            missing_label, empty_label, bool(lines["epci"]))
    if spec.symbols:
        alt += " Cercles de surface proportionnelle à la valeur."
    return MapImage(png=png, alt=alt, classes=bounds, class_of=class_of, width_cm=fig_width / CM,
                    unmapped=dict(units.unmapped))
