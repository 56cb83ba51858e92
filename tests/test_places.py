"""French prepositions and articles for every département and region of France."""

from __future__ import annotations

import pytest

from panorama.compose import commentary
from panorama.core import referential
from panorama.core.config import Config

# The usual locative of each département, written out in full (not derived): the reference.
LOCATIVES = {
    "01": "dans l'Ain", "02": "dans l'Aisne", "03": "dans l'Allier", "04": "dans les Alpes-de-Haute-Provence",
    "05": "dans les Hautes-Alpes", "06": "dans les Alpes-Maritimes", "07": "en Ardèche", "08": "dans les Ardennes",
    "09": "en Ariège", "10": "dans l'Aube", "11": "dans l'Aude", "12": "en Aveyron",
    "13": "dans les Bouches-du-Rhône", "14": "dans le Calvados", "15": "dans le Cantal", "16": "en Charente",
    "17": "en Charente-Maritime", "18": "dans le Cher", "19": "en Corrèze", "2A": "en Corse-du-Sud",
    "2B": "en Haute-Corse", "21": "en Côte-d'Or", "22": "dans les Côtes-d'Armor", "23": "dans la Creuse",
    "24": "en Dordogne", "25": "dans le Doubs", "26": "dans la Drôme", "27": "dans l'Eure",
    "28": "en Eure-et-Loir", "29": "dans le Finistère", "30": "dans le Gard", "31": "en Haute-Garonne",
    "32": "dans le Gers", "33": "en Gironde", "34": "dans l'Hérault", "35": "en Ille-et-Vilaine",
    "36": "dans l'Indre", "37": "en Indre-et-Loire", "38": "en Isère", "39": "dans le Jura", "40": "dans les Landes",
    "41": "dans le Loir-et-Cher", "42": "dans la Loire", "43": "en Haute-Loire", "44": "en Loire-Atlantique",
    "45": "dans le Loiret", "46": "dans le Lot", "47": "dans le Lot-et-Garonne", "48": "en Lozère",
    "49": "en Maine-et-Loire", "50": "dans la Manche", "51": "dans la Marne", "52": "en Haute-Marne",
    "53": "en Mayenne", "54": "en Meurthe-et-Moselle", "55": "dans la Meuse", "56": "dans le Morbihan",
    "57": "en Moselle", "58": "dans la Nièvre", "59": "dans le Nord", "60": "dans l'Oise", "61": "dans l'Orne",
    "62": "dans le Pas-de-Calais", "63": "dans le Puy-de-Dôme", "64": "dans les Pyrénées-Atlantiques",
    "65": "dans les Hautes-Pyrénées", "66": "dans les Pyrénées-Orientales", "67": "dans le Bas-Rhin",
    "68": "dans le Haut-Rhin", "69": "dans le Rhône", "70": "en Haute-Saône", "71": "en Saône-et-Loire",
    "72": "dans la Sarthe", "73": "en Savoie", "74": "en Haute-Savoie", "75": "à Paris", "76": "en Seine-Maritime",
    "77": "en Seine-et-Marne", "78": "dans les Yvelines", "79": "dans les Deux-Sèvres", "80": "dans la Somme",
    "81": "dans le Tarn", "82": "dans le Tarn-et-Garonne", "83": "dans le Var", "84": "dans le Vaucluse",
    "85": "en Vendée", "86": "dans la Vienne", "87": "en Haute-Vienne", "88": "dans les Vosges",
    "89": "dans l'Yonne", "90": "dans le Territoire de Belfort", "91": "en Essonne", "92": "dans les Hauts-de-Seine",
    "93": "en Seine-Saint-Denis", "94": "dans le Val-de-Marne", "95": "dans le Val-d'Oise", "971": "en Guadeloupe",
    "972": "en Martinique", "973": "en Guyane", "974": "à La Réunion", "976": "à Mayotte",
}

REGIONS = {
    "Auvergne-Rhône-Alpes": ("en Auvergne-Rhône-Alpes", "de l'Auvergne-Rhône-Alpes"),
    "Bourgogne-Franche-Comté": ("en Bourgogne-Franche-Comté", "de la Bourgogne-Franche-Comté"),
    "Bretagne": ("en Bretagne", "de la Bretagne"),
    "Centre-Val de Loire": ("en Centre-Val de Loire", "du Centre-Val de Loire"),
    "Corse": ("en Corse", "de la Corse"),
    "Grand Est": ("dans le Grand Est", "du Grand Est"),
    "Hauts-de-France": ("dans les Hauts-de-France", "des Hauts-de-France"),
    "Île-de-France": ("en Île-de-France", "de l'Île-de-France"),
    "Normandie": ("en Normandie", "de la Normandie"),
    "Nouvelle-Aquitaine": ("en Nouvelle-Aquitaine", "de la Nouvelle-Aquitaine"),
    "Occitanie": ("en Occitanie", "de l'Occitanie"),
    "Pays de la Loire": ("dans les Pays de la Loire", "des Pays de la Loire"),
    "Provence-Alpes-Côte d'Azur": ("en Provence-Alpes-Côte d'Azur", "de la Provence-Alpes-Côte d'Azur"),
    "Guadeloupe": ("en Guadeloupe", "de la Guadeloupe"),
    "Martinique": ("en Martinique", "de la Martinique"),
    "Guyane": ("en Guyane", "de la Guyane"),
    "La Réunion": ("à La Réunion", "de La Réunion"),
    "Mayotte": ("à Mayotte", "de Mayotte"),
}


def test_every_departement_has_its_locative():
    assert set(LOCATIVES) == set(referential.DEPARTEMENTS)  # the 101 départements
    assert len(LOCATIVES) == 101
    assert {code: referential.departement_in(code) for code in referential.DEPARTEMENTS} == LOCATIVES


@pytest.mark.parametrize("code, of, article", [
    ("75", "de Paris", "Paris"), ("93", "de la Seine-Saint-Denis", "la Seine-Saint-Denis"),
    ("92", "des Hauts-de-Seine", "les Hauts-de-Seine"), ("59", "du Nord", "le Nord"),
    ("91", "de l'Essonne", "l'Essonne"), ("974", "de La Réunion", "La Réunion"),
    ("28", "d'Eure-et-Loir", "Eure-et-Loir"), ("77", "de Seine-et-Marne", "Seine-et-Marne"),
    ("68", "du Haut-Rhin", "le Haut-Rhin"), ("34", "de l'Hérault", "l'Hérault"),
])
def test_genitive_and_article(code, of, article):
    assert referential.departement_of(code) == of
    assert referential.departement_with_article(code) == article


def test_genitive_follows_every_departement():
    """Every genitive is « de »/« d' »/« du »/« des » and the name, never « de le » nor « de les »."""
    for code, name in referential.DEPARTEMENTS.items():
        of = referential.departement_of(code)
        assert of.endswith(name) and of.split(name)[0] in ("de ", "d'", "du ", "des ", "de la ", "de l'"), of


def test_every_region():
    assert len(REGIONS) == 18 and set(REGIONS) == set(referential.REGIONS)
    for name, (where, of) in REGIONS.items():
        assert referential.region_in(name) == where
        assert referential.region_of(name) == of
        assert Config(region_nom=name).region_dans == where
    assert Config(region_nom="Hauts-de-France", region_prefixe="en").region_dans == "en Hauts-de-France"
    assert referential.region_in("Pays basque") == "dans la région Pays basque"


def test_arrondissements():
    assert referential.is_arrondissement("75101") and referential.is_arrondissement("13216")
    assert not referential.is_arrondissement("75056") and not referential.is_arrondissement("93066")


@pytest.mark.parametrize("evolution, text", [
    (0.221, "augmenté de 22,1\u00a0%"), (-0.03, "diminué de 3,0\u00a0%"), (0.002, "peu varié"), (None, "")])
def test_change(evolution, text):
    assert commentary.change(evolution) == text
