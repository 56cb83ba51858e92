"""Translation of the figure specifications (:mod:`panorama.compose.figspec`) into Vega-Lite.

The publications draw a :class:`~panorama.compose.figspec.ChartSpec` or
:class:`~panorama.compose.figspec.MapSpec` with matplotlib (:mod:`panorama.draw`); the web
site (:mod:`panorama.output.site`) shows the same specifications as interactive Vega-Lite
charts, so that one description serves both. Values keep their meaning: a float is drawn,
``None`` is a secret value (bar of length zero labelled « s », tooltip naming the secret),
NaN a value not available (« n.d. »). Every text shown (tooltips, labels) is formatted
here by :func:`panorama.core.formatting.fmt_value`, as in the publications.

A map of counts (:attr:`~panorama.compose.figspec.MapSpec.symbols`: hours, numbers) shows
proportional circles at the areas' centres; a map of départements of rates or shares is a
choropleth.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from panorama.compose.figspec import ChartSpec, MapSpec, drawable
from panorama.core.formatting import SECRET, SECRET_TEXT, fmt_value

SECRET_TIP = "s : secret statistique (valeur non publiée pour protéger les personnes et les entreprises)"
"""The tooltip of a secret value."""
MISSING_TIP = "n.d. : donnée non disponible"
FONT = 12
LABEL_PX = 7
NARROW = 300
"""Below this width of a chart's plot (pixels), bars are labelled by their value alone."""
"""Width of a character of the labels, in pixels (an upper bound at :data:`FONT`)."""
"""Smallest text of a chart, in pixels (legible on a 390 px screen)."""
SECRET_GREY = "#b0b0b0"
CONFIG = {  # shared by every chart: given once to the page (the ``config`` of vega-embed)
    "font": "Marianne, Arial, sans-serif",
    "axis": {"labelFontSize": FONT, "titleFontSize": FONT, "labelLimit": {"expr": "width < 260 ? 110 : 220"}},
    "legend": {"labelFontSize": FONT, "titleFontSize": FONT, "labelLimit": 260, "titleLimit": 320},
    "text": {"fontSize": FONT},
    "view": {"stroke": None},
    "title": {"fontSize": 14},
}


def text(value, unit: str) -> str:
    """A figure's value as shown: formatted in French, « s » when secret, « n.d. » when missing."""
    return fmt_value(SECRET if value is None else value, unit)


def tip(value, unit: str) -> str:
    """The tooltip text of a value (with the reason of a secret)."""
    if value is None:
        return SECRET_TIP
    return MISSING_TIP if math.isnan(value) else text(value, unit)


def chart(spec: ChartSpec) -> dict:
    """The Vega-Lite specification showing ``spec`` (``width`` fills its container), to
    be drawn with :data:`CONFIG`."""
    named = len(spec.series) > 1
    rows = []
    for index, category in enumerate(spec.categories):
        for number, (name, values) in enumerate(spec.series):
            value = values[index]
            signed = value if drawable(value) else 0.0
            if spec.kind == "pyramide" and number == 0:
                signed = -signed
            row = {"categorie": category, "valeur": signed, "texte": text(value, _short(spec.unit)),
                   "info": tip(value, spec.unit)}
            if named:
                row |= {"serie": name, "rang": number}
            if spec.shares is not None and drawable(value):  # the share after the value
                share = f" ({text(spec.shares[index], 'part')})"
                row["texte"] += share
                row["info"] += share
            rows.append(row)
    tooltip = [{"field": "categorie", "title": _axis_title(spec)}]
    if named:
        tooltip.append({"field": "serie", "title": "Série"})
    tooltip.append({"field": "info", "title": _unit_title(spec.unit) + (" (part)" if spec.shares is not None else "")})
    colour = {"value": spec.colour}
    if named:
        colour = {"field": "serie", "type": "nominal", "title": None, "sort": {"field": "rang"},
                  "scale": {"range": _palette(spec.colour, len(spec.series))},
                  "legend": {"orient": "top", "direction": "horizontal"}}
    base = {"description": spec.subject, "data": {"values": rows}, "width": "container",
            "autosize": {"type": "fit-x", "contains": "padding"}}
    if spec.title:
        base["title"] = spec.title
    category = {"field": "categorie", "type": "ordinal", "sort": None, "title": None}  # in the spec's order
    value = {"field": "valeur", "type": "quantitative", "title": _unit_title(spec.unit),
             "axis": {"format": ",~r", "labelExpr": "replace(datum.label, '\u2212', '')",  # the pyramid's left
                      "tickCount": {"expr": "ceil(width / 90)"}, "labelOverlap": True, "labelSeparation": 8}}
    if spec.kind == "courbes":
        return base | {"height": 220, "mark": {"type": "line", "point": {"size": 60}},
                       "encoding": {"x": category | {"axis": {"labelAngle": 0}}, "y": value,
                                    "color": colour, "tooltip": tooltip}}
    if spec.kind == "empilement":
        return base | {"height": {"step": 28}, "mark": "bar",
                       "encoding": {"y": category, "x": value | {"stack": "normalize", "axis": {
                           "format": ".0%", "labelExpr": "replace(datum.label, '%', '\u00a0%')"},
                                                               "title": None},
                                    "color": colour, "order": {"field": "rang"}, "tooltip": tooltip}}
    if spec.kind in ("colonnes", "histogramme"):
        encoding = {"x": category | {"axis": {"labelAngle": 0, "labelLimit": 90}}, "y": value, "color": colour,
                    "tooltip": tooltip}
        if named:
            encoding["xOffset"] = {"field": "serie", "sort": {"field": "rang"}}
        mark = {"type": "bar", "binSpacing": 0} if spec.kind == "histogramme" else "bar"
        return base | {"height": 220, "mark": mark, "encoding": encoding}
    # horizontal bars and pyramid: one row per category, the value written at the bar's end
    # room for the longest label beyond the longest bar, whatever the width of the screen
    # (on a narrow screen, the value alone: the share stays in the tooltip and the table)
    room = LABEL_PX * max(len(row["texte"]) for row in rows) + 8
    short = LABEL_PX * max(len(row["texte"].split(" (")[0]) for row in rows) + 8
    longest = max(abs(row["valeur"]) for row in rows)
    limit = (f"(width < {NARROW} ? (width > {short + 40} ? width / (width - {short}) : 4) : "
             f"(width > {room + 40} ? width / (width - {room}) : 4))")
    domain = {"domainMax": {"expr": f"{longest} * {limit}"}}
    if spec.kind == "pyramide":
        domain["domainMin"] = {"expr": f"-{longest} * {limit}"}
    encoding = {"y": category, "x": value | {"scale": domain}, "color": colour, "tooltip": tooltip}
    if named and spec.kind != "pyramide":
        encoding["yOffset"] = {"field": "serie", "sort": {"field": "rang"}}
    label = {"mark": {"type": "text", "align": "left", "dx": 4, "fontSize": FONT,
                      "text": {"expr": f"width < {NARROW} ? split(datum.texte, ' (')[0] : datum.texte"}},
             "encoding": {"y": category, "x": {"field": "valeur", "type": "quantitative"}, "tooltip": tooltip}}
    if spec.kind == "pyramide":
        label["mark"] |= {"align": {"expr": "datum.valeur < 0 ? 'right' : 'left'"},
                          "dx": {"expr": "datum.valeur < 0 ? -4 : 4"}}
    return base | {"height": {"step": 30 if not named or spec.kind == "pyramide" else 40},
                   "encoding": {}, "layer": [{"mark": "bar", "encoding": encoding}, label]}


def map_(spec: MapSpec, areas: Sequence[Mapping], points: Sequence[Mapping] = ()) -> dict:
    """The Vega-Lite specification showing ``spec``. ``areas`` are GeoJSON features
    (properties ``code``, ``nom``) of the départements drawn, or of the département whose
    communes are shown; their shapes are not copied into the specification but named by
    ``usermeta.aires`` (codes) and supplied as the dataset ``aires`` by the page, from the
    site's one copy of the geometry. ``points`` (``code``, ``nom``, ``lon``, ``lat``) place
    the circles of counts (default: the centres of ``areas``)."""
    values = dict(spec.values)
    unit = spec.unit
    title = spec.legend_title
    base = {"description": title, "width": "container", "height": 360,
            "autosize": {"type": "fit-x", "contains": "padding"}, "projection": {"type": "mercator"},
            "datasets": {"aires": []}, "usermeta": {"aires": [area["properties"]["code"] for area in areas]}}
    if spec.title:
        base["title"] = spec.title
    if not spec.symbols and spec.kind == "departements":
        known = [{"code": area["properties"]["code"], "nom": area["properties"]["nom"],
                  "valeur": _drawn(values.get(area["properties"]["code"], math.nan)),
                  "info": tip(values.get(area["properties"]["code"], math.nan), unit)} for area in areas]
        shape = {"data": {"name": "aires"},
                 "transform": [{"lookup": "properties.code",
                                "from": {"data": {"values": known}, "key": "code",
                                         "fields": ["nom", "valeur", "info"]}}],
                 "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 1, "aria": False},
                 "encoding": {"color": {"condition": {"test": "datum.valeur === null", "value": SECRET_GREY},
                                        "field": "valeur", "type": "quantitative", "title": title,
                                        "scale": {"range": ["#f3f3f6", spec.colour]},
                                        "legend": {"format": ".0%", "orient": "bottom", "gradientLength": 200,
                                                   "labelExpr": "replace(datum.label, '%', '\u00a0%')"}},
                              "tooltip": [{"field": "nom", "title": "Territoire"},
                                          {"field": "info", "title": title}]}}
        return base | {"layer": [shape]}
    outline = {"data": {"name": "aires"},
               "mark": {"type": "geoshape", "fill": "#eef0f5", "stroke": "#8a8a8a", "strokeWidth": 0.8,
                                                        "aria": False}}
    circles = []
    for point in points or [_centre(area) for area in areas]:
        value = values.get(point["code"], math.nan)
        if value is not None and math.isnan(value):
            continue
        circle = {"nom": point["nom"], "lon": point["lon"], "lat": point["lat"], "valeur": _drawn(value) or 0.0,
                  "info": tip(value, unit)}
        circles.append(circle | {"secret": True} if value is None else circle)
    symbols = {"data": {"values": circles},
               "mark": {"type": "circle", "stroke": "white", "strokeWidth": 0.8, "opacity": 0.85},
               "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                            "latitude": {"field": "lat", "type": "quantitative"},
                            "size": {"field": "valeur", "type": "quantitative", "title": title,
                                     "scale": {"range": [0, 1600]},
                                     "legend": {"format": ",~r", "orient": "bottom"}},
                            "color": {"condition": {"test": "datum.secret", "value": SECRET_GREY},
                                      "value": spec.colour},
                            "tooltip": [{"field": "nom", "title": "Territoire"}, {"field": "info", "title": title}]}}
    secrets = {"data": {"values": [c for c in circles if c.get("secret")]},
               "mark": {"type": "text", "text": SECRET_TEXT, "fontSize": FONT, "fontWeight": "bold"},
               "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                            "latitude": {"field": "lat", "type": "quantitative"}}}
    return base | {"layer": [outline, symbols, secrets]}


def _drawn(value) -> float | None:
    """A value as drawn: ``None`` when secret or missing."""
    return value if drawable(value) else None


def _centre(area: Mapping) -> dict:
    """An area's centre for its circle: the middle of the bounding box of its largest ring."""
    geometry = area["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    ring = max((polygon[0] for polygon in polygons), key=len)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return {"code": area["properties"]["code"], "nom": area["properties"]["nom"],
            "lon": round((min(lons) + max(lons)) / 2, 4), "lat": round((min(lats) + max(lats)) / 2, 4)}


def _short(unit: str) -> str:
    """The unit of a label written on a chart: hours without their noun (the axis names it)."""
    return "nombre" if unit == "heures" else unit


def _axis_title(spec: ChartSpec) -> str:
    return "Année" if spec.kind == "courbes" else "Catégorie"


def _unit_title(unit: str) -> str:
    return {"heures": "Heures", "part": "Part", "evolution": "Évolution", "etp": "ETP"}.get(unit, "Nombre")


def _palette(colour: str, count: int) -> list[str]:
    """``count`` colours: the main one, then contrasted ones."""
    others = ["#e1000f", "#6a6af4", "#009081", "#c3992a", "#8d533e", "#000000"]
    return [colour, *[c for c in others if c.lower() != colour.lower()]][:count]
