"""Boundaries (assets/geo) and choropleth maps (panorama.draw.maps)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from panorama.compute import geo
from panorama.core.config import Config
from panorama.core.formatting import NNBSP
from panorama.core.resources import assets_dir, example_data_root
from panorama.draw import maps

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


@pytest.mark.parametrize(("values", "k", "uppers"), [
    ([12.0, 14.5, 15.0, 40.0, 41.0, 43.5, 90.0, 250.0, 260.0, 1000.0], 4, [43.5, 90.0, 260.0, 1000.0]),
    ([12.0, 14.5, 15.0, 40.0, 41.0, 43.5, 90.0, 250.0, 260.0, 1000.0], 2, [260.0, 1000.0]),
    ([0.31, 0.32, 0.33, 0.45, 0.46, 0.47, 0.62], 4, [0.32, 0.33, 0.47, 0.62]),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3, [2.0, 4.0, 6.0]),  # ties: the longest last class
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 4, [1.0, 2.0, 4.0, 6.0]),
])
def test_natural_breaks(values, k, uppers):
    """Fisher-Jenks upper bounds (mapclassify): the partition with the least within-class variance."""
    assert maps._natural_breaks(values, k) == uppers


def test_classify_is_nice_and_deterministic():
    bounds, class_of = maps.classify(HOURS)
    # Four Fisher-Jenks classes would leave Paris alone (1,1 million): the four classes of least
    # variance in which each class holds two départements.
    assert bounds == [(250_000, 300_000), (300_000, 500_000), (500_000, 900_000), (900_000, 1_100_000)]
    assert class_of == {"75": 3, "92": 2, "93": 3, "94": 2, "95": 1, "91": 1, "78": 0, "77": 0}
    assert maps.classify(dict(reversed(HOURS.items()))) == (bounds, class_of)


def test_classify_shares():
    bounds, class_of = maps.classify({"02": 0.125, "59": 0.151, "60": 0.09, "62": 0.2})
    assert bounds == [(0.09, 0.14), (0.14, 0.2)]
    assert class_of == {"02": 0, "59": 1, "60": 0, "62": 1}


def test_classify_keeps_no_class_of_one_value_unless_unavoidable():
    distances = {"75": 6.4, "92": 7.2, "93": 8.7, "94": 8.8, "95": 15.1, "91": 16.2, "78": 19.9, "77": 27.2}
    bounds, class_of = maps.classify(distances)  # Fisher-Jenks: 19,9 and 27,2 each alone
    assert bounds == [(6.4, 8.0), (8.0, 10.0), (10.0, 18.0), (18.0, 28.0)]
    assert class_of == {"75": 0, "92": 0, "93": 1, "94": 1, "95": 2, "91": 2, "78": 3, "77": 3}
    assert maps._grouped_breaks([1.0, 2.0, 3.0], [1, 1, 1], 2) is None  # three values: no two pairs
    assert maps._grouped_breaks([1.0, 2.0, 10.0], [1, 1, 2], 2) == [2.0, 10.0]  # 10 twice is a class
    # An outlier that no number of classes can join to another value: two classes, one alone.
    assert maps.classify({"75": 1.0, "92": 2.0, "93": 100.0})[1] == {"75": 0, "92": 0, "93": 1}


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
    assert f"de 250{NNBSP}000 à 300{NNBSP}000" in alt
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


def test_choropleth_labels_are_white_on_dark_classes_and_dark_on_light_ones(monkeypatch):
    figures = []
    original = maps._png
    monkeypatch.setattr(maps, "_png", lambda fig: (figures.append(fig), original(fig))[1])
    draw(HOURS)
    (fig,) = figures
    colours = {text.get_text().split("\n")[0]: text.get_color() for ax in fig.axes for text in ax.texts}
    assert colours["Paris"] == "white"  # the darkest class, in the inset
    assert colours["Seine-et-Marne"] == maps.TEXT_COLOR  # the lightest


def test_symbol_radius_makes_areas_proportional_to_values():
    assert maps.symbol_radius(100.0, 100.0, 16.0) == 16.0
    assert maps.symbol_radius(25.0, 100.0, 16.0) == pytest.approx(8.0)  # a quarter of the area: half the radius
    assert maps.symbol_radius(50.0, 100.0, 16.0) ** 2 * 2 == pytest.approx(16.0 ** 2)
    assert maps.symbol_radius(0.0, 100.0, 16.0) == 0.0


def test_reference_values_of_the_circles_legend_are_round():
    assert maps.reference_values(927_809.0) == [900_000.0, 200_000.0, 60_000.0]
    assert maps.reference_values(2_118.0) == [2_000.0, 500.0, 100.0]
    assert maps.reference_values(9.0) == [9.0, 2.0, 0.6]
    assert maps.reference_values(0.0) == []


def test_symbol_map_draws_circles_of_counts_in_the_inset_and_hatches_secret(monkeypatch):
    drawn = []
    original = maps._circles
    monkeypatch.setattr(maps, "_circles", lambda ax, points, radius, colour: (
        drawn.append(dict(radius)), original(ax, points, radius, colour)))
    values = {code: v for code, v in HOURS.items() if code != "91"} | {"91": None}
    image = maps.symbol_map(values, config=Config(), legend_title="Heures réalisées", kind="heures",
                            missing_label="Secret statistique")
    main, inset = drawn
    assert set(main) == {"95", "78", "77"} and set(inset) == {"75", "92", "93", "94"}  # 91 secret: no circle
    assert inset["75"] == maps.MAX_RADIUS
    assert main["77"] == pytest.approx(maps.MAX_RADIUS * math.sqrt(2.5e5 / 1.1e6))
    assert image.classes == [] and set(image.class_of) == set(HOURS)
    assert "Secret statistique : Essonne." in image.alt
    assert image.alt.endswith("Cercles de surface proportionnelle à la valeur.")
    again = maps.symbol_map(values, config=Config(), legend_title="Heures réalisées", kind="heures",
                            missing_label="Secret statistique")
    assert image.png == again.png and image.png.startswith(PNG_SIGNATURE)
    assert image.png != draw(values).png


@pytest.mark.parametrize("symbols", [True, False])
@pytest.mark.parametrize("kind", ["departements", "communes"])
def test_small_screens_variant_is_narrow_with_no_text_under_its_size(monkeypatch, kind, symbols):
    from matplotlib.text import Text

    from panorama.compose import figspec

    figures = []
    original = maps._png
    monkeypatch.setattr(maps, "_png", lambda fig: (figures.append(fig), original(fig))[1])
    values = HOURS | {"91": None} if kind == "departements" else COMMUNE_HOURS
    spec = (figspec.departement_map(values, Config(), legend_title="Heures", unit="heures", symbols=symbols)
            if kind == "departements" else
            figspec.commune_map("93", values, Config(), legend_title="Heures", unit="heures", symbols=symbols))
    image = maps.draw(figspec.narrow(spec))
    assert image.width_cm == pytest.approx(figspec.NARROW_WIDTH_CM)
    (fig,) = figures
    sizes = {text.get_fontsize() for text in fig.findobj(Text) if text.get_visible() and text.get_text().strip()}
    assert min(sizes) == maps.NARROW_TEXT_SIZE
    assert maps.draw(spec).width_cm == pytest.approx(16)


def test_national_map_moves_the_overseas_departements_beside_metropolitan_france():
    from panorama.core import referential

    codes = tuple(referential.DEPARTEMENTS)
    layer = maps._layer(codes, ())
    overseas = [code for code in codes if code.startswith("97")]
    assert overseas == ["971", "972", "973", "974", "976"]
    assert len(layer.frames) == 5
    metropole_west = min(layer.bounds[code][0] for code in codes if code not in overseas)
    for code, (west, south, east, north) in zip(overseas, layer.frames, strict=True):
        g_west, g_south, g_east, g_north = layer.bounds[code]
        assert west < g_west < g_east < east and south < g_south < g_north < north  # inside its box
        assert east < metropole_west  # in a column west of Brittany
        assert north - south == pytest.approx(layer.frames[0][3] - layer.frames[0][1])  # same size
    tops = [north for *_, north in layer.frames]
    assert tops == sorted(tops, reverse=True)  # top down in code order
    assert maps._layer(("971",), ()).frames == ()  # an overseas région alone keeps its own map
    image = maps.choropleth({code: 0.15 for code in codes}, config=Config(departements=codes, encart=()),
                            legend_title="Part des femmes", kind="part")
    assert image.alt.count("15,0\u00a0%") == len(codes) + 1  # no label on the map: every value (and the
    # one class) is in the alt text


def test_choropleth_rejects_unknown_departement():
    config = dataclasses.replace(Config(), departements=("75", "99"), encart=())
    with pytest.raises(ValueError, match="99"):
        maps.choropleth({"75": 1.0}, config=config, title=None, legend_title="x", kind="nombre")


# --------------------------------------------------------------------------
# Communes, EPCI, centroids (assets/geo, panorama.compute.geo) and the commune map

GEO = assets_dir() / "geo"
PARIS_ARRONDISSEMENTS = {f"751{n:02d}" for n in range(1, 21)}
LYON_ARRONDISSEMENTS = {f"6938{n}" for n in range(1, 10)}
MARSEILLE_ARRONDISSEMENTS = {f"132{n:02d}" for n in range(1, 17)}
GRAND_PARIS = "200054781"


@pytest.fixture(scope="module")
def communes_93() -> gpd.GeoDataFrame:
    return gpd.read_file(GEO / "communes" / "93.topojson", engine="pyogrio").set_crs(4326)


@pytest.fixture(scope="module")
def centroids() -> pd.DataFrame:
    return geo.commune_centroids()


def test_one_commune_layer_per_departement(departements):
    files = sorted(path.stem for path in (GEO / "communes").glob("*.topojson"))
    assert files == sorted(departements["code"])


def test_commune_layers_tile_every_code_of_the_centroid_table(centroids):
    codes = []
    for path in (GEO / "communes").glob("*.topojson"):
        topology = json.loads(path.read_bytes())
        codes += [g["properties"]["code"] for g in topology["objects"]["communes"]["geometries"]]
    assert len(codes) == len(set(codes)) == 34_913
    drawn = centroids[centroids["type"].isin(["COM", "ARM"])].index
    without_polygon = {"75056", "69123", "13055",  # split into arrondissements
                       "15031", "15035", "15047", "15171"}  # restored in 2025, still inside 15141
    assert set(drawn) - set(codes) == without_polygon
    assert set(codes) <= set(drawn)


def test_commune_layer_properties(communes_93):
    assert list(communes_93.columns) == ["id", "code", "nom", "departement", "epci", "geometry"]
    assert len(communes_93) == 39  # Pierrefitte-sur-Seine merged into Saint-Denis in 2025
    assert communes_93["code"].is_unique and (communes_93["departement"] == "93").all()
    assert (communes_93["epci"] == GRAND_PARIS).all()
    assert communes_93.geometry.is_valid.all()
    names = dict(zip(communes_93["code"], communes_93["nom"]))
    assert names["93066"] == "Saint-Denis" and names["93045"] == "Les Lilas"


@pytest.mark.parametrize("departement, arrondissements, city", [
    ("75", PARIS_ARRONDISSEMENTS, "75056"),
    ("69", LYON_ARRONDISSEMENTS, "69123"),
    ("13", MARSEILLE_ARRONDISSEMENTS, "13055"),
])
def test_cities_are_split_into_arrondissements(departement, arrondissements, city):
    codes = set(gpd.read_file(GEO / "communes" / f"{departement}.topojson", engine="pyogrio")["code"])
    assert arrondissements <= codes
    assert city not in codes


def test_communes_of_93_cover_the_departement(communes_93, departements):
    communes = communes_93.to_crs("EPSG:2154").geometry.values
    outline = metropole(departements).set_index("code").geometry["93"]
    union = shapely.union_all(communes)
    assert union.area == pytest.approx(outline.area, rel=0.01)
    assert union.symmetric_difference(outline).area < 1.0  # m²: the very same outline
    assert sum(g.area for g in communes) == pytest.approx(union.area, rel=1e-9)  # no overlap
    assert shapely.coverage_is_valid(communes)


def test_commune_map_decoder_matches_gdal(communes_93):
    layer = maps._commune_layer("93")
    gdal = communes_93.to_crs("EPSG:2154").set_index("code").geometry
    for code in ("93066", "93048", "93045"):
        polygons = [shapely.Polygon(rings[0], rings[1:]) for rings in layer.rings[code]]
        assert shapely.union_all(polygons).symmetric_difference(gdal[code]).area < 1.0
    assert sum(len(sides) == 1 for sides in layer.sides) > 0
    assert all(len(sides) in (1, 2) for sides in layer.sides)


def test_epci_layer():
    epci = gpd.read_file(GEO / "epci.topojson", engine="pyogrio").set_crs(4326).set_index("code")
    assert len(epci) == 1253
    assert set(epci["type"]) == {"CC", "CA", "CU", "ME"}
    assert epci.geometry.is_valid.all()
    assert epci.loc[GRAND_PARIS, "nom"] == "Métropole du Grand Paris"
    grand_paris = epci.to_crs("EPSG:2154").geometry[GRAND_PARIS]
    assert grand_paris.area / 1e6 == pytest.approx(814, rel=0.02)  # km²


def test_centroid_table(centroids):
    assert centroids.index.is_unique
    assert {"75056", "69123", "13055"} <= set(centroids.index)
    assert PARIS_ARRONDISSEMENTS | LYON_ARRONDISSEMENTS | MARSEILLE_ARRONDISSEMENTS <= set(centroids.index)
    assert centroids.loc["75113", "commune"] == "75056"
    assert centroids.loc["93059", ["type", "commune", "departement", "epci"]].tolist() == \
        ["COMD", "93066", "93", GRAND_PARIS]
    assert centroids["epci"].isna().sum() == 4  # island communes outside any EPCI
    paris = centroids.loc["75056"]
    assert paris["lon"] == pytest.approx(2.3429, abs=0.002)
    assert paris["lat"] == pytest.approx(48.8566, abs=0.002)
    copy = geo.commune_centroids()
    copy.loc["75056", "lon"] = 0.0  # a copy: the cached table is untouched
    assert geo.commune_centroids().loc["75056", "lon"] == paris["lon"]


def test_every_commune_of_the_example_data_resolves(centroids):
    codes = set()
    for folder in (f for f in example_data_root().iterdir() if f.is_dir()):  # year folders
        operations = pd.read_csv(folder / "operations.csv", sep=";", dtype=str, keep_default_na=False)
        participants = pd.read_csv(folder / "participants.csv", sep=";", dtype=str, keep_default_na=False)
        codes |= set(operations["commune"]) | set(participants["commune_residence"])
    codes.discard("")
    assert len(codes) > 200
    assert codes - set(centroids.index) == set()


def test_haversine_known_pairs(centroids):
    # Hôtel de Ville of Paris → Vieux-Port of Marseille: 660 km as the crow flies.
    assert geo.haversine_km(2.3522, 48.8566, 5.3698, 43.2965) == pytest.approx(660.5, abs=1.0)
    # One degree of latitude along a meridian: 111.2 km.
    assert geo.haversine_km(0.0, 45.0, 0.0, 46.0) == pytest.approx(111.19, abs=0.01)
    paris, marseille = centroids.loc["75056"], centroids.loc["13055"]
    distance = geo.haversine_km(paris["lon"], paris["lat"], marseille["lon"], marseille["lat"])
    assert distance == pytest.approx(660, abs=5)
    both = geo.haversine_km([2.3522, 0.0], [48.8566, 45.0], [5.3698, 0.0], [43.2965, 45.0])
    assert both.shape == (2,) and both[1] == 0.0
    distances = geo.commune_distance_km(["75056", "93059", "", "75056"], ["13055", "93066", "75056", "75056"])
    assert distances[0] == pytest.approx(distance)
    assert 1.0 < distances[1] < 5.0  # Pierrefitte-sur-Seine → Saint-Denis
    assert math.isnan(distances[2]) and distances[3] == 0.0


COMMUNE_HOURS = {"93066": 12_000.0, "93001": 9_500.0, "93048": 7_250.5, "93008": 4_000.0,
                 "93005": 2_500.0, "93055": 800.0, "93045": 150.0, "75113": 3_000.0}


def draw_communes(departement, values, **kwargs):
    return maps.commune_choropleth(departement, values, config=Config(),
                                   legend_title="Heures d'insertion", kind="heures", **kwargs)


def test_commune_map_png_is_deterministic():
    first, second = draw_communes("93", COMMUNE_HOURS), draw_communes("93", dict(COMMUNE_HOURS))
    assert first.png.startswith(PNG_SIGNATURE)
    assert first.png == second.png
    assert first.width_cm == pytest.approx(16)
    assert set(first.class_of) == set(COMMUNE_HOURS) - {"75113"}  # other départements are ignored
    assert first.classes == maps.classify({c: v for c, v in COMMUNE_HOURS.items() if c != "75113"})[0]
    assert first.unmapped == {}


def test_commune_map_alt_text_states_french_figures():
    alt = draw_communes("93", COMMUNE_HOURS, title="Heures réalisées en 2019").alt
    assert alt.startswith("Carte des communes de la Seine-Saint-Denis : Heures réalisées en 2019.")
    assert "Heures d'insertion : 7\u00a0communes sur 39 en ont." in alt
    assert f"Saint-Denis 12{NNBSP}000\u00a0heures ; Aubervilliers 9{NNBSP}500\u00a0heures" in alt
    assert f"Montreuil 7{NNBSP}250\u00a0heures" in alt  # rounded to the hour
    assert "Aucune heure : 32\u00a0communes." in alt
    assert "Classes : de " in alt
    assert "Toutes les communes appartiennent à la même intercommunalité." in alt


def test_commune_map_secret_former_and_unknown_codes():
    values = {"93066": 1_000.0, "93059": 500.0, "93001": None, "93999": 7.0}
    image = draw_communes("93", values, missing_label="Secret statistique")
    assert image.class_of == {"93066": 0, "93001": None}  # Pierrefitte counted in Saint-Denis
    assert f"Saint-Denis 1{NNBSP}500\u00a0heures" in image.alt
    assert "Secret statistique : Aubervilliers." in image.alt
    assert image.unmapped == {"93999": 7.0}
    assert "Non cartographié : code inconnu (93999) 7\u00a0heures." in image.alt


def test_commune_map_of_paris_by_arrondissement_or_whole_city():
    by_arrondissement = draw_communes("75", {"75113": 3_000.0, "75056": 500.0})
    assert by_arrondissement.class_of == {"75113": 0}
    assert by_arrondissement.unmapped == {"75056": 500.0}
    expected = f"1\u00a0arrondissement sur 20 en a. Valeur : Paris 13e 3{NNBSP}000\u00a0heures."
    assert expected in by_arrondissement.alt
    whole = draw_communes("75", {"75056": 500.0})
    assert whole.class_of == {"75056": 0}
    assert "1\u00a0commune sur 1 en a. Valeur : Paris 500\u00a0heures." in whole.alt
    assert whole.png != by_arrondissement.png


def test_commune_symbol_map_places_one_circle_per_commune(monkeypatch):
    from panorama.compose import figspec

    drawn = []
    original = maps._circles
    monkeypatch.setattr(maps, "_circles", lambda ax, points, radius, colour: (
        drawn.append(dict(radius)), original(ax, points, radius, colour)))
    spec = figspec.commune_map("93", COMMUNE_HOURS | {"93045": None}, Config(), legend_title="Heures",
                               unit="heures", symbols=True)
    image = maps.draw(spec)
    (radius,) = drawn
    assert set(radius) == {"93066", "93001", "93048", "93008", "93005", "93055"}
    assert radius["93066"] == maps.COMMUNE_MAX_RADIUS
    assert radius["93008"] == pytest.approx(maps.COMMUNE_MAX_RADIUS * math.sqrt(4_000 / 12_000))
    assert image.classes == [] and image.class_of["93045"] is None and image.class_of["93066"] is None
    assert "Classes" not in image.alt and image.alt.endswith("Cercles de surface proportionnelle à la valeur.")
    assert image.png != draw_communes("93", COMMUNE_HOURS | {"93045": None}).png


def test_commune_map_with_intercommunalities_and_no_value():
    image = draw_communes("77", {})
    assert image.png.startswith(PNG_SIGNATURE)
    assert image.classes == [] and image.class_of == {}
    assert "0\u00a0commune sur 507 en a. Aucune heure : 507\u00a0communes." in image.alt
    assert "Les limites des intercommunalités sont tracées en trait épais." in image.alt


def test_commune_map_rejects_unknown_departement():
    with pytest.raises(ValueError, match="99"):
        draw_communes("99", {})
