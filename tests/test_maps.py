"""Boundaries (assets/geo) and choropleth maps (panorama.maps)."""

from __future__ import annotations

import dataclasses
import itertools
import math

import geopandas as gpd
import pytest
import shapely

from panorama import maps
from panorama.config import Config
from panorama.formatting import NNBSP
from panorama.resources import assets_dir

IDF = ("75", "77", "78", "91", "92", "93", "94", "95")
HOURS = {"75": 1.1e6, "92": 9e5, "93": 1.0e6, "94": 6e5, "95": 4.5e5, "91": 3.5e5, "78": 3e5, "77": 2.5e5}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def departements() -> gpd.GeoDataFrame:
    return gpd.read_file(assets_dir() / "geo" / "departements.geojson", engine="pyogrio")


def metropole(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame[~frame["code"].str.startswith("97")].to_crs("EPSG:2154")


def test_geojson_has_all_101_departements_valid_in_wgs84(departements):
    assert len(departements) == 101
    assert departements["code"].is_unique
    assert departements["code"].tolist() == sorted(departements["code"])
    assert {"75", "2A", "2B", "971", "976"} <= set(departements["code"])
    assert departements.crs.to_epsg() == 4326
    assert departements.geometry.is_valid.all()
    assert set(departements.geom_type) <= {"Polygon", "MultiPolygon"}
    assert departements.set_index("code").loc["75", "nom"] == "Paris"
    west, south, east, north = metropole(departements).to_crs(4326).total_bounds
    assert -5.2 < west < -4.7 and 41.3 < south < 41.4 and 9.5 < east < 9.6 and 51.0 < north < 51.1


def test_departements_form_a_coverage(departements):
    metro = metropole(departements)
    assert shapely.coverage_is_valid(metro.geometry.values)


def test_ile_de_france_has_no_hole_no_overlap_no_gap(departements):
    idf = metropole(departements).set_index("code").loc[list(IDF)]
    union = shapely.union_all(idf.geometry.values)
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0
    for a, b in itertools.combinations(IDF, 2):
        assert idf.geometry[a].intersection(idf.geometry[b]).area < 1.0  # m²
    assert union.area == pytest.approx(idf.area.sum(), rel=1e-9)
    assert idf.area["75"] / 1e6 == pytest.approx(105.4, rel=0.02)  # km², Paris


def test_national_coverage_has_no_hole_but_llivia(departements):
    union = shapely.union_all(metropole(departements).geometry.values)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    assert len(holes) == 1  # the Spanish enclave of Llívia, 12,8 km²
    assert holes[0].area / 1e6 == pytest.approx(12.8, rel=0.05)


def test_classify_is_nice_and_deterministic():
    bounds, class_of = maps.classify(HOURS)
    assert bounds == [(250_000, 400_000), (400_000, 700_000), (700_000, 1_000_000), (1_000_000, 1_100_000)]
    assert class_of == {"75": 3, "92": 2, "93": 2, "94": 1, "95": 1, "91": 0, "78": 0, "77": 0}
    assert maps.classify(dict(reversed(HOURS.items()))) == (bounds, class_of)


def test_classify_shares():
    bounds, class_of = maps.classify({"02": 0.125, "59": 0.151, "60": 0.09, "62": 0.2})
    assert bounds == [(0.09, 0.1), (0.1, 0.14), (0.14, 0.18), (0.18, 0.2)]
    assert class_of == {"02": 1, "59": 2, "60": 0, "62": 3}


def test_classify_adapts_k_to_few_values():
    assert maps.classify({"75": 5.0, "92": 5.0}) == ([(5.0, 5.0)], {"75": 0, "92": 0})
    bounds, class_of = maps.classify({"75": 1234.0, "92": 1236.0})
    assert bounds == [(1200.0, 1235.0), (1235.0, 1300.0)]
    assert class_of == {"75": 0, "92": 1}


def test_classify_missing_values():
    bounds, class_of = maps.classify({"75": 10.0, "92": None, "93": math.nan, "94": 20.0})
    assert class_of == {"75": 0, "92": None, "93": None, "94": 1}
    assert len(bounds) == 2
    assert maps.classify({"75": None}) == ([], {"75": None})


def draw(values, config=None):
    return maps.choropleth(values, config=config or Config(), title="Heures d'insertion en 2024",
                           legend_title="Heures d'insertion", kind="heures")


def test_choropleth_png_is_deterministic():
    first, second = draw(HOURS), draw(dict(HOURS))
    assert first.png.startswith(PNG_SIGNATURE)
    assert first.png == second.png
    assert first.classes == maps.classify(HOURS)[0]
    assert first.class_of["75"] == 3


def test_choropleth_alt_text_states_french_figures():
    alt = draw(HOURS).alt
    assert alt.startswith("Carte des départements de la région Île-de-France")
    assert f"Paris 1{NNBSP}100{NNBSP}000\u00a0heures" in alt
    assert f"Seine-et-Marne 250{NNBSP}000\u00a0heures" in alt
    assert f"de 250{NNBSP}000 à 400{NNBSP}000" in alt
    assert alt.index("Paris") < alt.index("Seine-Saint-Denis") < alt.index("Seine-et-Marne")


def test_choropleth_missing_value_is_hatched_and_listed():
    values = {code: v for code, v in HOURS.items() if code != "91"}
    image = draw(values)
    assert image.class_of["91"] is None
    assert "Donnée manquante : Essonne." in image.alt
    assert image.png != draw(HOURS).png


def test_choropleth_without_inset_and_other_region():
    config = dataclasses.replace(Config(), region_nom="Hauts-de-France", encart=(),
                                 departements=("02", "59", "60", "62", "80"))
    image = maps.choropleth({"02": 0.125, "59": 0.151, "60": 0.09, "62": 0.2, "80": None},
                            config=config, title=None, legend_title="Part", kind="part")
    assert image.png.startswith(PNG_SIGNATURE)
    assert "Pas-de-Calais 20,0\u00a0%" in image.alt
    assert "Donnée manquante : Somme." in image.alt


def test_choropleth_rejects_unknown_departement():
    config = dataclasses.replace(Config(), departements=("75", "99"), encart=())
    with pytest.raises(ValueError, match="99"):
        maps.choropleth({"75": 1.0}, config=config, title=None, legend_title="x", kind="nombre")
