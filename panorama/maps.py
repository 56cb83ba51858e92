"""Choropleth maps of the région's départements, rendered to PNG.

:func:`choropleth` draws one indicator per département: fixed classes
(:func:`classify`: Fisher-Jenks, then "nice" bounds), a single-hue scale
ending at the report's main colour, labelled départements, an enlarged inset
for the départements of ``Config.encart`` (Paris and the petite couronne by
default), missing values hatched. The boundaries are
``assets/geo/departements.geojson`` (IGN – Admin Express, simplified by
``scripts/build_boundaries.py``), read once.

Everything drawn is deterministic: same values, same PNG bytes. Matplotlib is
used through its object API with the Agg canvas (no pyplot, no global state).
"""

from __future__ import annotations

import io
import math
import textwrap
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cache

import geopandas as gpd
import mapclassify
import matplotlib
import numpy as np
import shapely
from matplotlib import font_manager, patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Patch, Rectangle
from matplotlib.path import Path

from panorama.config import Config
from panorama.formatting import fmt_value
from panorama.resources import assets_dir

MISSING_LABEL = "Donnée manquante"
MAX_CLASSES = 4
MAP_SOURCE = "fond de carte IGN – Admin Express"

CM = 1 / 2.54
FIGSIZE = (16 * CM, 10 * CM)
DPI = 150
METROPOLE_CRS = "EPSG:2154"  # RGF93 / Lambert-93

TEXT_COLOR = "#1a1a1a"
MUTED_COLOR = "#595959"
MISSING_EDGE = "#8c8c8c"
BORDER_COLOR = "#ffffff"


@dataclass(frozen=True)
class MapImage:
    """A rendered map: PNG bytes, its French alt text and its classification.

    ``classes`` are the (lower, upper) bounds of each class, lightest first;
    ``class_of`` maps each drawn département code to its class index, or
    ``None`` when its value is missing.
    """

    png: bytes
    alt: str
    classes: list[tuple[float, float]]
    class_of: dict[str, int | None]
    width_cm: float = FIGSIZE[0] / CM


# --------------------------------------------------------------------------
# Classification


def _is_missing(value: float | None) -> bool:
    """None or NaN (numpy floats included)."""
    return value is None or math.isnan(value)


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

    Fisher-Jenks (exact) with ``min(k, number of distinct values)`` classes,
    then "nice" bounds: the lowest bound is the minimum floored to two
    significant digits, the highest the maximum ceiled to two significant
    digits, and each break between two classes is the number with the fewest
    significant digits lying between them, so no value changes class. Classes
    are closed on the right: a value equal to a break falls in the lower class.

    Returns the (lower, upper) bounds of each class and, for each code, its
    class index — ``None`` for a missing value (``None`` or NaN).
    """
    present = {code: float(v) for code, v in values.items() if not _is_missing(v)}
    class_of: dict[str, int | None] = {code: None for code in values}
    if not present:
        return [], class_of
    distinct = sorted(set(present.values()))
    k = min(k, len(distinct))
    if k == len(distinct):
        uppers = distinct
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Numba not installed": fine for a few values
            uppers = [float(b) for b in mapclassify.FisherJenks(np.array(distinct), k=k).bins]
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


# --------------------------------------------------------------------------
# Boundaries


@dataclass(frozen=True)
class _Layer:
    """The départements of one map, projected, ready to draw.

    ``label_points`` of the départements outside the inset avoid the frame
    that marks the inset on the main map (``encart_box``).
    """

    names: dict[str, str]
    paths: dict[str, Path]
    label_points: dict[str, tuple[float, float]]
    bounds: dict[str, tuple[float, float, float, float]]
    encart_box: tuple[float, float, float, float] | None


@cache
def _departements() -> gpd.GeoDataFrame:
    """All départements (WGS84), indexed by code; read once."""
    frame = gpd.read_file(assets_dir() / "geo" / "departements.geojson", engine="pyogrio")
    return frame.set_index("code", drop=False)


def _crs_for(frame: gpd.GeoDataFrame) -> str:
    """Lambert-93 in metropolitan France, else a local equal-area projection."""
    if not any(code.startswith("97") for code in frame.index):
        return METROPOLE_CRS
    west, south, east, north = frame.total_bounds
    return f"+proj=laea +lat_0={(south + north) / 2:.4f} +lon_0={(west + east) / 2:.4f} +datum=WGS84 +units=m"


def _path(geometry: shapely.Geometry) -> Path:
    """A matplotlib path for a (multi)polygon, holes included."""
    vertices, codes = [], []
    for polygon in shapely.get_parts(shapely.orient_polygons(geometry)):
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)
            vertices.append(coords)
            ring_codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
            ring_codes[0], ring_codes[-1] = Path.MOVETO, Path.CLOSEPOLY
            codes.append(ring_codes)
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _label_point(geometry: shapely.Geometry) -> tuple[float, float]:
    """Centre of the largest inscribed circle of the largest part."""
    largest = max(shapely.get_parts(geometry), key=lambda part: part.area)
    centre = shapely.get_point(shapely.maximum_inscribed_circle(largest, 50.0), 0)
    return float(centre.x), float(centre.y)


@cache
def _layer(codes: tuple[str, ...], encart: tuple[str, ...]) -> _Layer:
    frame = _departements()
    unknown = [code for code in codes if code not in frame.index]
    if unknown:
        raise ValueError("Départements absents du fond de carte : " + ", ".join(unknown))
    selected = frame.loc[list(codes)]
    projected = selected.to_crs(_crs_for(selected))
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
    )


# --------------------------------------------------------------------------
# Drawing


@cache
def _font_family() -> str:
    """Register the project font (Lato) with matplotlib if it is shipped."""
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
    boxes = np.array([layer.bounds[code] for code in codes])
    west, south = boxes[:, 0].min(), boxes[:, 1].min()
    east, north = boxes[:, 2].max(), boxes[:, 3].max()
    pad = margin * max(east - west, north - south)
    return west - pad, south - pad, east + pad, north + pad


def _draw(ax, layer: _Layer, codes: tuple[str, ...], colors: dict[str, str | None],
          labels: dict[str, str], extent: tuple[float, float, float, float],
          fontsize: float) -> None:
    """Fill ``codes`` on ``ax`` and write ``labels`` (code → text) with a halo."""
    for code in codes:
        color = colors[code]
        if color is None:
            patch = PathPatch(layer.paths[code], facecolor="white", edgecolor=MISSING_EDGE,
                              hatch="///", linewidth=0.6, zorder=2)
        else:
            patch = PathPatch(layer.paths[code], facecolor=color, edgecolor=BORDER_COLOR,
                              linewidth=0.8, zorder=1)
        ax.add_patch(patch)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for code, text in labels.items():
        x, y = layer.label_points[code]
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=TEXT_COLOR,
                linespacing=1.15, path_effects=halo, zorder=4)
    west, south, east, north = extent
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def _alt_text(config: Config, codes: tuple[str, ...], names: Mapping[str, str],
              values: Mapping[str, float | None], bounds: list[tuple[float, float]],
              title: str | None, legend_title: str, kind: str, missing_label: str) -> str:
    present = sorted((code for code in codes if not _is_missing(values.get(code))),
                     key=lambda code: (-float(values[code]), code))
    missing = [code for code in codes if _is_missing(values.get(code))]
    parts = [f"Carte des départements de la région {config.region_nom}"]
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


def choropleth(values: Mapping[str, float | None], *, config: Config, legend_title: str,
               kind: str, title: str | None = None,
               missing_label: str = MISSING_LABEL) -> MapImage:
    """Draw ``values`` (département code → value) on the map of ``config.departements``.

    ``kind`` is a :func:`panorama.formatting.fmt_value` kind (``heures``,
    ``nombre``, ``part``…) used for the labels, the legend and the alt text.
    A value that is ``None``, NaN or absent is hatched and listed under
    ``missing_label`` (« Donnée manquante », or « Secret statistique »).
    Codes of ``values`` outside ``config.departements`` are ignored. The
    départements of ``config.encart`` are also drawn enlarged in an inset.
    The caller prints the source and the base-map credit (:data:`MAP_SOURCE`)
    under the image. The PNG (16 × 10 cm, 150 dpi) is deterministic.
    """
    codes = tuple(config.departements)
    encart = tuple(code for code in config.encart if code in codes)
    layer = _layer(codes, encart)
    drawn = {code: values.get(code) for code in codes}
    bounds, class_of = classify(drawn)
    palette = _palette(config.couleur_principale, len(bounds))
    colors = {code: None if class_of[code] is None else palette[class_of[code]] for code in codes}

    def label(code: str) -> str:
        if _is_missing(drawn[code]):
            return layer.names[code]
        return f"{layer.names[code]}\n{_bound_text(drawn[code], kind)}"

    with matplotlib.rc_context({"font.family": _font_family(), "hatch.color": MISSING_EDGE,
                                "hatch.linewidth": 0.6}):
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        FigureCanvasAgg(fig)
        top = 0.90 if title else 0.97
        if title:
            fig.text(0.02, 0.965, title, ha="left", va="top", fontsize=10, fontweight="bold",
                     color=TEXT_COLOR)
        map_width = 0.60 if encart else 0.66
        ax = fig.add_axes((0.01, 0.01, map_width, top - 0.01))
        ax.set_axis_off()
        ax.set_anchor("N")
        main_labels = {code: label(code) for code in codes if code not in encart}
        _draw(ax, layer, codes, colors, main_labels, _extent(layer, codes, 0.02), fontsize=6.5)
        legend_top = top
        if layer.encart_box:
            west, south, east, north = layer.encart_box
            ax.add_patch(Rectangle((west, south), east - west, north - south, fill=False,
                                   edgecolor=TEXT_COLOR, linewidth=0.7, zorder=3))
            inset = fig.add_axes((map_width + 0.03, top - 0.60, 0.35, 0.60))
            for spine in inset.spines.values():
                spine.set_edgecolor(MUTED_COLOR)
                spine.set_linewidth(0.6)
            _draw(inset, layer, encart, colors, {code: label(code) for code in encart},
                  _extent(layer, encart, 0.04), fontsize=6.5)
            inset.set_title("Agrandissement", fontsize=7, color=MUTED_COLOR, loc="left", pad=3)
            legend_top = top - 0.64
        handles = [Patch(facecolor=palette[i], edgecolor="none", label=_class_text(b, kind))
                   for i, b in enumerate(bounds)]
        if any(c is None for c in colors.values()):
            handles.append(Patch(facecolor="white", edgecolor=MISSING_EDGE, hatch="///",
                                 linewidth=0.6, label=missing_label))
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(map_width + 0.03, legend_top),
                   frameon=False, fontsize=7, title=textwrap.fill(legend_title, 30),
                   title_fontproperties={"size": 7.5, "weight": "bold"}, alignment="left",
                   handlelength=1.6, handleheight=1.1, borderaxespad=0.0)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    alt = _alt_text(config, codes, layer.names, drawn, bounds, title, legend_title, kind,
                    missing_label)
    return MapImage(png=buffer.getvalue(), alt=alt, classes=bounds, class_of=class_of)
