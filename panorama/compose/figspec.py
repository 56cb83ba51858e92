"""Specifications of the charts and maps: what a figure shows, not how it is drawn.

Composition (:mod:`panorama.compose.composer`, the reports and the studies) describes each
chart or map by a specification: plain, immutable, hashable data — the kind of figure,
its categories and values, its labels and unit, and only the few style options that
change its pixels (the main colour, the width, the départements of the map and of its
inset). Nothing here draws or imports a drawing library; :mod:`panorama.draw.figures` draws
the specifications after composition (once each, through a content-addressed cache keyed
by the specification itself), :mod:`panorama.draw.charts` and :mod:`panorama.draw.maps` hold the
drawing code.

Values: a float is drawn; ``None`` is a value withheld by statistical secrecy (« non
publié », « Secret statistique »); ``NaN`` a value not available (« n.d. »). The
constructors (:func:`bars`, :func:`columns`…, :func:`departement_map`,
:func:`commune_map`) turn whatever numbers they are given (NumPy, ``pd.NA``) into
those, so that equal data give equal specifications.

The specifications describe data and labels rather than a call, so that another
renderer (interactive charts of a web site, say) can show the same figures.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from panorama.core.config import Config

Value = float | None
"""A value of a figure: a float, ``None`` (secret) or NaN (not available)."""

FULL_WIDTH_CM = 16.5
"""Width of the A4 text column."""
HALF_WIDTH_CM = 8.0
"""Width of half the text column (two charts side by side)."""
MAP_WIDTH_CM = 16.0
"""Width of a map on the page."""
NARROW_WIDTH_CM = 7.5
"""Width of the small screens' variant of every figure (:func:`narrow`): shown about
1.3 times larger on a 390 px screen, its smallest text (7.5 pt on a map, 8 pt on a chart)
reads at 13 px or more."""
MISSING_LABEL = "Donnée manquante"
"""Legend of the map's hatched areas, when no value is secret."""
SECRET_MAP_LABEL = "Secret statistique"
"""Legend of the map's hatched areas, when a value is secret."""
EMPTY_LABEL = "Aucune heure"
"""Legend of the communes without value."""
MAP_SOURCE = "fond de carte IGN – Admin Express"
"""The base map's credit, printed under every map."""

NOTHING_TO_DRAW = "Aucune valeur à représenter : le graphique ne doit pas être produit."
NEGATIVE_VALUES = "Valeurs négatives non prises en charge."

CHART_KINDS = ("barres", "colonnes", "histogramme", "empilement", "pyramide", "courbes")
"""Kinds of chart: horizontal bars (with optional shares), vertical bars (one series or
grouped), a histogram of pre-binned counts, 100 % stacked rows, an age pyramid (two
series: left then right), lines over years."""
MAP_KINDS = ("departements", "communes")


def drawable(value: Value) -> bool:
    """Whether a value is drawn: neither withheld (``None``) nor NaN."""
    return value is not None and not math.isnan(value)


def unpublishable(values: Iterable[Value], positive: bool) -> str | None:
    """Why ``values`` cannot make a chart (nothing drawable, or a negative bar length when
    ``positive``), else ``None``."""
    drawn = [v for v in values if drawable(v)]
    if not drawn:
        return NOTHING_TO_DRAW
    if positive and min(drawn) < 0:
        return NEGATIVE_VALUES
    return None


def full_row(row: Sequence[Value]) -> bool:
    """Whether a row of a stacked chart is drawn: every value drawable, a positive total."""
    return all(drawable(v) for v in row) and sum(row) > 0


def _value(value) -> Value:
    """A number as a figure's value: ``None`` kept, ``pd.NA`` as NaN, anything else a float."""
    if value is None:
        return None
    try:
        return float(value)
    except TypeError:  # pd.NA
        return math.nan


def _values(values: Iterable) -> tuple[Value, ...]:
    return tuple(_value(v) for v in values)


def _series(series: Sequence | Mapping[str, Sequence]) -> tuple[tuple[str, tuple[Value, ...]], ...]:
    """One unnamed series (a sequence: name ``""``) or named ones (a mapping legend label → values)."""
    if isinstance(series, Mapping):
        return tuple((str(name), _values(values)) for name, values in series.items())
    return (("", _values(series)),)


@dataclass(frozen=True)
class ChartSpec:
    """A chart (:data:`CHART_KINDS`): ``categories`` (bar labels, bands, years), ``series``
    (pairs legend label → one value per category; a single unnamed series has the label
    ``""``), ``subject`` (opens the alt text), ``unit`` (a formatting kind of
    :func:`panorama.core.formatting.fmt_value`: ``heures``, ``nombre``, ``part``…), ``shares``
    written after the values of horizontal bars, and the drawing options: ``title`` drawn
    above, ``colour`` (the main colour, the first series'), ``width_cm``."""

    kind: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[Value, ...]], ...]
    subject: str
    colour: str
    unit: str = "nombre"
    shares: tuple[Value, ...] | None = None
    title: str | None = None
    width_cm: float = FULL_WIDTH_CM

    def __post_init__(self):
        if self.kind not in CHART_KINDS:
            raise ValueError(f"type de graphique inconnu : {self.kind}")

    @property
    def refusal(self) -> str | None:
        """Why this chart cannot be drawn (every value secret or missing, a negative bar…):
        the document then shows its table alone; ``None`` when it can."""
        if not self.categories:
            return NOTHING_TO_DRAW
        columns = [values for _, values in self.series]
        refusal = unpublishable((v for values in columns for v in values), positive=self.kind != "courbes")
        if refusal is None and self.kind == "empilement" and not any(full_row(row) for row in zip(*columns)):
            return NOTHING_TO_DRAW
        return refusal


@dataclass(frozen=True)
class MapSpec:
    """A map (:data:`MAP_KINDS`): ``values`` (pairs code → value: the départements drawn,
    or the communes of ``departement``), ``legend_title``, ``unit`` (as for
    :class:`ChartSpec`), the labels of the hatched areas and of the communes without value,
    and the drawing options: ``colour`` (the darkest class, or the circles'), ``departements``
    drawn and those of the enlarged ``encart``, the ``region`` named by the alt text, ``title``.

    ``symbols``: the values are counts (hours, participants), drawn as proportional
    circles over a plain base map; otherwise rates, shares or means, drawn as a
    choropleth (a count coloured by area would let the largest areas dominate).
    ``width_cm``: the page's width, or narrower for small screens (:func:`narrow`: the
    inset and the legend then go under the map)."""

    kind: str
    values: tuple[tuple[str, Value], ...]
    legend_title: str
    unit: str
    colour: str
    title: str | None = None
    missing_label: str = MISSING_LABEL
    empty_label: str = EMPTY_LABEL
    departements: tuple[str, ...] = ()
    encart: tuple[str, ...] = ()
    region: str = ""
    departement: str = ""
    symbols: bool = False
    width_cm: float = MAP_WIDTH_CM

    def __post_init__(self):
        if self.kind not in MAP_KINDS:
            raise ValueError(f"type de carte inconnu : {self.kind}")

    @property
    def refusal(self) -> None:
        """A map is always drawn: missing and secret values are hatched."""
        return None


Spec = ChartSpec | MapSpec


def narrow(spec: Spec) -> Spec:
    """The small screens' variant of ``spec``: the same figure drawn :data:`NARROW_WIDTH_CM`
    wide, which the web page shows instead on a narrow screen."""
    return dataclasses.replace(spec, width_cm=NARROW_WIDTH_CM)


# -- charts -----------------------------------------------------------------------------------

def _chart(kind: str, labels: Sequence, series, *, subject: str, unit: str, colour: str, width_cm: float,
           title: str | None = None, shares: Sequence | None = None) -> ChartSpec:
    return ChartSpec(kind=kind, categories=tuple(str(label) for label in labels), series=_series(series),
                     subject=subject, unit=unit, shares=None if shares is None else _values(shares),
                     title=title, colour=colour, width_cm=float(width_cm))


def bars(labels: Sequence[str], values: Sequence, *, subject: str, colour: str, shares: Sequence | None = None,
         unit: str = "nombre", title: str | None = None, width_cm: float = FULL_WIDTH_CM) -> ChartSpec:
    """Horizontal bars (values ≥ 0), labelled at their end, with their ``shares`` when given."""
    return _chart("barres", labels, values, subject=subject, unit=unit, colour=colour, width_cm=width_cm,
                  title=title, shares=shares)


def columns(labels: Sequence[str], series: Sequence | Mapping[str, Sequence], *, subject: str, colour: str,
            unit: str = "nombre", title: str | None = None, width_cm: float = FULL_WIDTH_CM) -> ChartSpec:
    """Vertical bars: one series (a sequence) or grouped series (a mapping legend label → values)."""
    return _chart("colonnes", labels, series, subject=subject, unit=unit, colour=colour, width_cm=width_cm,
                  title=title)


def histogram(bins: Sequence[str], counts: Sequence, *, subject: str, colour: str, unit: str = "nombre",
              title: str | None = None, width_cm: float = FULL_WIDTH_CM) -> ChartSpec:
    """A distribution given as pre-binned counts: contiguous vertical bars."""
    return _chart("histogramme", bins, counts, subject=subject, unit=unit, colour=colour, width_cm=width_cm,
                  title=title)


def stacked(labels: Sequence[str], series: Mapping[str, Sequence], *, subject: str, colour: str,
            unit: str = "nombre", title: str | None = None, width_cm: float = FULL_WIDTH_CM) -> ChartSpec:
    """100 % stacked rows: one row per label, one segment per series (legend label → values)."""
    return _chart("empilement", labels, dict(series), subject=subject, unit=unit, colour=colour,
                  width_cm=width_cm, title=title)


def pyramid(bands: Sequence[str], left: Sequence, right: Sequence, *, subject: str, colour: str,
            left_label: str = "Femmes", right_label: str = "Hommes", unit: str = "nombre",
            title: str | None = None, width_cm: float = FULL_WIDTH_CM) -> ChartSpec:
    """An age pyramid: ``left`` values (``left_label``) and ``right`` ones, one row per band."""
    return _chart("pyramide", bands, {left_label: left, right_label: right}, subject=subject, unit=unit,
                  colour=colour, width_cm=width_cm, title=title)


def lines(years: Sequence, series: Sequence | Mapping[str, Sequence], *, subject: str, colour: str,
          unit: str = "nombre", title: str | None = None, width_cm: float = FULL_WIDTH_CM) -> ChartSpec:
    """Series over years: one (a sequence) or several (a mapping legend label → values)."""
    return _chart("courbes", years, series, subject=subject, unit=unit, colour=colour, width_cm=width_cm,
                  title=title)


# -- maps -------------------------------------------------------------------------------------

def map_area(config: Config) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The départements of the région's map, and those of its inset."""
    codes = tuple(config.departements)
    return codes, tuple(code for code in config.encart if code in codes)


def departement_map(values: Mapping[str, object], config: Config, *, legend_title: str, unit: str,
                    title: str | None = None, missing_label: str = MISSING_LABEL,
                    symbols: bool = False) -> MapSpec:
    """``values`` (département code → value) on the map of ``config.departements`` (other
    codes ignored, absent ones missing), those of ``config.encart`` also enlarged;
    ``symbols`` for counts (proportional circles), else a choropleth."""
    codes, encart = map_area(config)
    return MapSpec(kind="departements", values=tuple((code, _value(values.get(code))) for code in codes),
                   legend_title=legend_title, unit=unit, colour=config.couleur_principale, title=title,
                   missing_label=missing_label, departements=codes, encart=encart, region=config.region_nom,
                   symbols=symbols)


def commune_map(departement: str, values: Mapping[str, object], config: Config, *, legend_title: str,
                unit: str, title: str | None = None, missing_label: str = MISSING_LABEL,
                empty_label: str = EMPTY_LABEL, symbols: bool = False) -> MapSpec:
    """``values`` (commune code → value) on the communes of ``departement``; ``symbols``
    for counts (proportional circles), else a choropleth."""
    return MapSpec(kind="communes", values=tuple((str(code), _value(v)) for code, v in values.items()),
                   legend_title=legend_title, unit=unit, colour=config.couleur_principale, title=title,
                   missing_label=missing_label, empty_label=empty_label, departement=departement,
                   symbols=symbols)
