"""The observatory's web site: a static folder of interactive charts and maps.

``panorama site 2019 --out build`` writes ``build/2019/site/``: a page (``index.html``,
``site.js``, ``site.css``), the Vega-Lite library shipped in the package
(``assets/site/vendor/``, see its ``SOURCE.md``) and one data file per year and perimeter
(``donnees/ANNEE/PERIMETRE.js``), loaded on demand. The folder works as it is on any web
server and opened from disk (``file://``): data files are scripts, not fetched, and nothing
is requested outside the folder.

The numbers come only from the **open data already published** for each year
(``OUT/ANNEE/donnees/*.csv`` and their ``datapackage.json``): the protected tables, so the
site can never show more than the publications. Each breakdown becomes a figure
specification (:mod:`panorama.compose.figspec`, as in the publications) translated into
Vega-Lite by :mod:`panorama.output.vegalite`; every chart carries its table (the texts
shown) and the raw values it was built from, which the tests compare with the open data.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from panorama.compose import figspec
from panorama.core import formatting
from panorama.core.errors import UsageError
from panorama.core.resources import assets_dir
from panorama.output import vegalite
from panorama.output.publish import staging

if TYPE_CHECKING:
    from panorama.core.config import Config

FOLDER = "site"
"""The site's folder in the edition: ``OUT/ANNEE/site``."""
REGION = "region"
KEY_FIGURES = ("heures", "participants", "contrats", "operations_actives", "entreprises", "donneurs_ordre",
               "etp_1607", "heures_par_participant", "taux_realisation_annuel", "part_femmes", "part_moins_26",
               "part_qpv", "part_sortie_emploi_durable")
"""The key figures shown at the top of a view, with their evolution and series."""
SERIES = ("heures", "participants", "contrats", "etp_1607")
"""The key figures drawn as a series over the years (all are in the series table)."""
PYRAMID = "repartition_sexe_x_tranche_age"
COMMUNES = "repartition_commune_execution"
DEPARTEMENTS = "repartition_departement_execution"
TOP_COMMUNES = 20
"""Communes shown in the chart of a perimeter (the most hours; all are on the map)."""
STATIC = ("index.html", "site.js", "site.css")


def unit_of(indicator: str) -> str:
    """The formatting kind of a key figure (:func:`panorama.core.formatting.fmt_value`)."""
    if indicator.startswith(("part_", "taux_realisation")):
        return "part"
    if indicator.startswith("taux_evolution"):
        return "evolution"
    if indicator.startswith("etp"):
        return "etp"
    return "heures" if indicator.startswith("heures") and "_par_" not in indicator else "nombre"


def value_of(row: dict, column: str) -> figspec.Value:
    """A published cell: a float, ``None`` when the row is secret, NaN when empty."""
    if row.get("secret") == "true":
        return None
    text = row.get(column, "")
    return float(text) if text != "" else math.nan


@dataclass
class Edition:
    """The open data of one year: its tables (rows as read), labels and resource titles."""

    year: int
    folder: Path
    tables: dict[str, list[dict]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    perimeters: dict[str, str] = field(default_factory=dict)
    indicators: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path, year: int) -> Edition:
        """The open data package in ``folder`` (``OUT/ANNEE/donnees``)."""
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        edition = cls(year, folder)
        for resource in package["resources"]:
            if resource.get("format") != "csv":
                continue
            edition.titles[resource["name"]] = resource.get("title", resource["name"])
            with open(folder / resource["path"], encoding="utf-8", newline="") as stream:
                edition.tables[resource["name"]] = list(csv.DictReader(stream))
            for column in resource["schema"]["fields"]:
                labels = {c["value"]: c["label"] for c in column.get("categories", ())}
                if resource["name"] == "chiffres_cles" and column["name"] == "perimetre":
                    edition.perimeters = labels
                if resource["name"] == "chiffres_cles" and column["name"] == "indicateur":
                    edition.indicators = labels
        return edition

    def rows(self, table: str, perimeter: str) -> list[dict]:
        """The rows of ``table`` for ``perimeter``."""
        return [row for row in self.tables.get(table, ()) if row["perimetre"] == perimeter]


def editions(out: Path, year: int) -> list[Edition]:
    """The editions published in ``out`` up to ``year`` (those with open data), oldest first;
    a :class:`~panorama.core.errors.UsageError` in French when ``year`` has none."""
    if not (out / str(year) / "donnees" / "datapackage.json").is_file():
        raise UsageError(f"Pas de données ouvertes publiées pour {year} dans {out / str(year) / 'donnees'} : "
                         f"produisez d'abord le panorama (panorama build {year} --out {out}), le site ne montre "
                         "que les données publiées.")
    found = []
    for folder in sorted(out.iterdir()):
        if folder.name.isdigit() and len(folder.name) == 4 and int(folder.name) <= year \
                and (folder / "donnees" / "datapackage.json").is_file():
            found.append(Edition.read(folder / "donnees", int(folder.name)))
    return found


def key_figures(edition: Edition, perimeter: str) -> list[dict]:
    """The key figures of ``perimeter``: label, value, its text, and its evolution's."""
    rows = {row["indicateur"]: row for row in edition.rows("chiffres_cles", perimeter)}
    figures = []
    for code in KEY_FIGURES:
        if code not in rows:
            continue
        value = value_of(rows[code], "valeur")
        evolution = rows.get(f"taux_evolution_{code}")
        change = value_of(evolution, "valeur") if evolution else math.nan
        figures.append({"code": code, "libelle": edition.indicators.get(code, code), "valeur": _raw(value),
                        "texte": vegalite.text(value, unit_of(code)),
                        "evolution": _raw(change),
                        "evolution_texte": "" if _nan(change) else vegalite.text(change, "evolution")})
    return figures


def charts(edition: Edition, perimeter: str, config: Config) -> list[dict]:
    """The charts of every breakdown published for ``perimeter``, as figure specifications
    translated to Vega-Lite, each with its table and source values."""
    found = []
    for table, title in edition.titles.items():
        if not table.startswith("repartition_") or ("_x_" in table and table != PYRAMID):
            continue
        rows = edition.rows(table, perimeter)
        if not rows:
            continue
        title = title.replace("Répartition — ", "").replace("Croisement — ", "")
        subject = f"Heures d'insertion par {title[0].lower()}{title[1:]}"
        if table == COMMUNES:
            rows = sorted(rows, key=lambda r: -(float(r["heures"]) if r["heures"] else -1))[:TOP_COMMUNES]
            title = f"{title} (les {len(rows)} premières)"
        if table == PYRAMID:
            bands = list(dict.fromkeys(row["libelle"].split(" × ")[1] for row in rows))
            by = {(row["code"].split("|")[0], row["libelle"].split(" × ")[1]): value_of(row, "heures")
                  for row in rows}
            spec = figspec.pyramid(bands, [by.get(("F", b), math.nan) for b in bands],
                                   [by.get(("M", b), math.nan) for b in bands], subject=subject,
                                   colour=config.couleur_principale, unit="heures")
            columns = ["Tranche d'âge", "Heures des femmes", "Heures des hommes"]
            lines = [[b, *(vegalite.text(values[i], "heures") for _, values in spec.series)]
                     for i, b in enumerate(bands)]
        else:
            spec = figspec.bars([row["libelle"] for row in rows], [value_of(row, "heures") for row in rows],
                                shares=[value_of(row, "part_heures") for row in rows], subject=subject,
                                colour=config.couleur_principale, unit="heures")
            columns = ["Catégorie", "Heures", "Part des heures"]
            lines = [[label, vegalite.text(spec.series[0][1][i], "heures"), vegalite.text(spec.shares[i], "part")]
                     for i, label in enumerate(spec.categories)]
        found.append({"id": table.removeprefix("repartition_"), "titre": title, "table": table,
                      "vega": None if spec.refusal else vegalite.chart(spec), "colonnes": columns, "lignes": lines,
                      "sources": [[row["code"], _raw(value_of(row, "heures")),
                                   _raw(value_of(row, "part_heures"))] for row in rows]})
    return found


def maps(edition: Edition, perimeter: str, config: Config, geometry: dict, centres: dict) -> list[dict]:
    """The maps of ``perimeter``: for the region, its départements (share of hours as a
    choropleth, hours as circles; see :func:`_mapped`); for a département, its communes
    (hours as circles)."""
    found = []
    if perimeter == REGION:
        rows = {row["code"]: row for row in edition.rows(DEPARTEMENTS, REGION)}
        areas = [geometry[code] for code in _mapped(config.departements) if code in geometry]
        for column, unit, legend in (("part_heures", "part", "Part des heures de la région"),
                                     ("heures", "heures", "Heures d'insertion")):
            spec = figspec.departement_map({code: value_of(row, column) for code, row in rows.items()}, config,
                                           legend_title=legend, unit=unit, symbols=unit == "heures")
            found.append(_map_entry(f"carte_departements_{column}", f"{legend} par département d'exécution",
                                    spec, areas, (), "Département", rows, column))
    elif perimeter in geometry:
        rows = {row["code"]: row for row in edition.rows(COMMUNES, perimeter)}
        spec = figspec.commune_map(perimeter, {code: value_of(row, "heures") for code, row in rows.items()},
                                   config, legend_title="Heures d'insertion", unit="heures", symbols=True)
        points = [centres[code] | {"nom": rows[code]["libelle"]} for code in rows if code in centres]
        found.append(_map_entry("carte_communes", "Heures d'insertion par commune d'exécution", spec,
                                [geometry[perimeter]], points, "Commune", rows, "heures"))
    return found


def _mapped(codes) -> list[str]:
    """The départements drawn on a map of ``codes``: overseas ones only when no mainland one
    is there (they would shrink the mainland to a dot); their values stay in the table."""
    mainland = [code for code in codes if not code.startswith("97")]
    return mainland or list(codes)


def _map_entry(ident: str, title: str, spec: figspec.MapSpec, areas, points, label: str, rows: dict,
               column: str) -> dict:
    values = dict(spec.values)
    codes = [code for code in (spec.departements or rows) if code in rows]
    return {"id": ident, "titre": title, "carte": True, "vega": vegalite.map_(spec, areas, points),
            "colonnes": [label, spec.legend_title],
            "lignes": [[rows[code]["libelle"], vegalite.text(values.get(code), spec.unit)] for code in codes],
            "sources": [[code, _raw(values.get(code))] for code in codes], "table": spec.kind}


def series(edition: Edition, perimeter: str, config: Config) -> dict | None:
    """The key figures of ``perimeter`` over every year of the edition's series: a table of
    all of them and the charts of :data:`SERIES`."""
    rows = [row for row in edition.tables.get("serie_chiffres_cles", ()) if row["perimetre"] == perimeter
            and row["indicateur"] in KEY_FIGURES]
    if not rows:
        return None
    years = sorted({row["annee"] for row in rows})
    by = {(row["indicateur"], row["annee"]): value_of(row, "valeur") for row in rows}
    codes = [code for code in KEY_FIGURES if any((code, y) in by for y in years)]
    drawn = []
    for code in SERIES:
        if code in codes:
            spec = figspec.lines(years, [by.get((code, y), math.nan) for y in years],
                                 subject=f"{edition.indicators.get(code, code)} de {years[0]} à {years[-1]}",
                                 colour=config.couleur_principale, unit=unit_of(code),
                                 title=edition.indicators.get(code, code))
            if not spec.refusal:
                drawn.append(vegalite.chart(spec))
    return {"annees": years, "graphiques": drawn,
            "colonnes": ["Indicateur", *years],
            "lignes": [[edition.indicators.get(code, code),
                        *(vegalite.text(by.get((code, y), math.nan), unit_of(code)) for y in years)]
                       for code in codes],
            "sources": [[code, *(_raw(by.get((code, y), math.nan)) for y in years)] for code in codes]}


def view(edition: Edition, perimeter: str, config: Config, geometry: dict, centres: dict) -> dict:
    """Everything the site shows for ``perimeter`` in ``edition``'s year."""
    return {"annee": edition.year, "perimetre": perimeter, "libelle": edition.perimeters.get(perimeter, perimeter),
            "chiffres": key_figures(edition, perimeter), "graphiques": charts(edition, perimeter, config),
            "cartes": maps(edition, perimeter, config, geometry, centres),
            "serie": series(edition, perimeter, config)}


def geometry_of(config: Config) -> dict[str, dict]:
    """The départements' outlines (code → GeoJSON feature), coordinates rounded to keep the
    site light: three decimals (about 100 m) for a region, two for a country."""
    precision = 3 if len(config.departements) <= 20 else 2
    source = json.loads((assets_dir() / "geo" / "departements.geojson").read_text(encoding="utf-8"))
    found = {}
    for feature in source["features"]:
        code = feature["properties"]["code"]
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rounded = []
        for outer, *holes in polygons:
            rings = [_ring(ring, precision, exterior=index == 0) for index, ring in enumerate((outer, *holes))]
            if len(rings[0]) >= 4:  # an outer ring left after rounding: the polygon and its holes
                rounded.append([ring for ring in rings if len(ring) >= 4])
        found[code] = {"type": "Feature", "properties": {"code": code, "nom": feature["properties"]["nom"]},
                       "geometry": {"type": "MultiPolygon", "coordinates": rounded}}
    return found


def _ring(ring: list, precision: int, exterior: bool) -> list:
    """A closed ring rounded to ``precision`` decimals, without repeated points, turning as
    the browser's projection (d3-geo, spherical) expects: clockwise when ``exterior``,
    anticlockwise for a hole; empty when rounding leaves no area. (A ring turning the wrong
    way would be drawn as the whole globe but this area.)"""
    points = []
    for lon, lat, *_ in ring:
        point = [round(lon, precision), round(lat, precision)]
        if not points or points[-1] != point:
            points.append(point)
    if points[-1] != points[0]:
        points.append(points[0])
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(points))  # > 0: anticlockwise
    if area == 0:
        return []
    return points[::-1] if (area > 0) == exterior else points


def centres_of(departements: set[str]) -> dict[str, dict]:
    """The centres of the communes of ``departements`` (code → ``code``, ``lon``, ``lat``)."""
    found = {}
    with open(assets_dir() / "geo" / "communes_centroides.csv", encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["departement"] in departements:
                found[row["code"]] = {"code": row["code"], "lon": round(float(row["lon"]), 3),
                                     "lat": round(float(row["lat"]), 3)}
    return found


def write_site(out: Path, year: int, config: Config, progress=lambda message: None) -> tuple[Path, list[str]]:
    """Write the site of ``year`` from the open data published in ``out``: the folder
    ``out/ANNEE/site`` (replaced atomically) and the files written, relative to it."""
    out = Path(out)
    found = editions(out, year)
    latest = found[-1]
    perimeters = dict(latest.perimeters)
    geometry = geometry_of(config)
    centres = centres_of({code for code in perimeters if code != REGION})
    target = out / str(year) / FOLDER
    written = []
    with staging(out / str(year)) as edition:  # the folder site/ replaced whole: no stale file survives
        folder = edition / FOLDER
        folder.mkdir()
        source = assets_dir() / "site"
        for name in STATIC:
            shutil.copyfile(source / name, folder / name)
        shutil.copytree(source / "vendor", folder / "vendor")
        shapes = [geometry[code] for code in perimeters if code in geometry]
        index = {"region": config.region_nom, "observatoire": config.observatoire_nom, "config": vegalite.CONFIG,
                 "annees": [],
                 "perimetres": [[code, label] for code, label in perimeters.items()]}
        for edition in found:
            progress(f"Site : {edition.year}")
            codes = [code for code in perimeters if edition.rows("chiffres_cles", code)]
            index["annees"].append({"annee": edition.year, "perimetres": codes,
                                    "publications": _publications(out, edition.year, year)})
            (folder / "donnees" / str(edition.year)).mkdir(parents=True)
            for code in codes:
                name = f"donnees/{edition.year}/{code}.js"
                _script(folder / name, "vue", view(edition, code, config, geometry, centres))
        _script(folder / "donnees" / "index.js", "index", index)
        _script(folder / "donnees" / "geo.js", "geo", shapes)
        written = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    return target, written


def _script(path: Path, kind: str, data) -> None:
    """``data`` as a script handing it to the page (``panoramaSite.KIND(…)``): scripts load
    from ``file://`` where fetching a JSON file is refused."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    path.write_text(f"panoramaSite.{kind}({text});\n", encoding="utf-8")


def _publications(out: Path, year: int, site_year: int) -> list[dict]:
    """Links to the publications of ``year`` present in ``out``, relative to the site's folder."""
    prefix = "../" if year == site_year else f"../../{year}/"
    edition = out / str(year)
    links = []
    for name, label in ((f"panorama-{year}.pdf", "Panorama (PDF)"), (f"panorama-{year}.html", "Panorama (page web)"),
                        ("donnees/LISEZMOI.md", "Données ouvertes (notice)"),
                        ("donnees/datapackage.json", "Données ouvertes (description)"),
                        (f"donnees/panorama-clauses-sociales-{year}.xlsx", "Données ouvertes (tableur)")):
        if (edition / name).is_file():
            links.append({"libelle": label, "lien": prefix + name})
    return links


def _raw(value: figspec.Value) -> float | str | None:
    """A value for the data file: the number, ``"s"`` when secret, ``None`` when missing."""
    if value is None:
        return formatting.SECRET_TEXT
    return None if math.isnan(value) else value


def _nan(value) -> bool:
    return value is None or math.isnan(value)
