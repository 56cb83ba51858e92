"""Thematic studies: indicators checked by hand on tiny datasets, distances checked
against an independent haversine computation on known communes, and every command
end to end (one PDF per study: the builds are module-scoped)."""

from __future__ import annotations

import copy
import csv
import json
import math
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from datasets import OPEN_CONFIG_TOML, clean_tables, open_config, run_cli, write_dataset
from pypdf import PdfReader

from panorama import cli
from panorama.compose.commentary import Texts
from panorama.compute.studies import common, donneur_ordre, femmes, mobilite
from panorama.core.config import Config
from panorama.core.errors import UsageError
from panorama.core.publications import PUBLICATIONS, studies
from panorama.core.publications import study as get_study
from panorama.draw import figures
from panorama.input import validation
from panorama.protect import confidentiality
from panorama.protect.results import compute_edition


def published(history, theme: str, config, subject: str | None = None, example: bool = False):
    """The study ``theme`` as published: protected with everything else of the year."""
    return compute_edition(history, config, example=example, subject=subject).study(theme, subject)

REPO = Path(__file__).resolve().parent.parent
TOTAL_2019 = 1200 + 350.5 + 420 + 1607 + 300 + 75.25 + 250  # clean_tables' six contracts and C7


def tiny_tables(year: int) -> dict[str, list[dict]]:
    """``clean_tables`` plus, in 2019, a third buyer (a commune) with one operation and one contract.

    Participants: P1 man of 21 (Saint-Denis), P2 woman of 49, P3 man of 34, P4 woman of 59.
    Contracts (hours): C1 P1 OP1 CDI 1200 (running), C2 P2 OP1 INTERIM_INSERTION 350.5 (182 days),
    C3 P2 OP2 APPRENTISSAGE 420 (ends next year), C4 P3 OP2 CDDI 1607 (365 days), C5 P4 OP3 CDDI 300
    (61 days), C6 P1 OP3 PROFESSIONNALISATION 75.25 (running), C7 P4 OP4 CDD 250 (31 days).
    Buyers: D1 commune (OP1, 3 500 h committed; OP3, none), D2 public body (OP2, 12 000 h), D3 commune
    (OP4, 1 000 h).
    """
    tables = copy.deepcopy(clean_tables(year))
    if year == 2019:
        tables["donneurs_ordre"].append({"donneur_ordre_id": "D3", "nom": "Ville de Paris", "type": "COMMUNE",
                                         "siret": "", "departement": "75"})
        tables["operations"].append({
            "operation_id": "OP4", "intitule": "Propreté des écoles", "donneur_ordre_id": "D3", "departement": "75",
            "commune": "75056", "nature": "SERVICES", "secteur": "PROPRETE", "modalite": "CLAUSE_EXECUTION",
            "date_notification": "", "montant_ht": "", "heures_prevues": "1000", "grand_projet": "",
            "facilitateur": ""})
        tables["contrats"].append({"contrat_id": "C7", "operation_id": "OP4", "participant_id": "P4",
                                   "entreprise_id": "E1", "type_contrat": "CDD", "date_debut": "2019-03-01",
                                   "date_fin": "2019-03-31", "heures": "250"})
    return tables


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("donnees")
    write_dataset(root, 2018, tiny_tables(2018))
    write_dataset(root, 2019, tiny_tables(2019))
    return root


@pytest.fixture(scope="module")
def history(tiny_root):
    return validation.load_history(tiny_root, 2019)


def row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


# --- femmes ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def women(history):
    return published(history, "femmes", open_config())


def test_women_share_of_participants_and_hours(women):
    shares = women.table("femmes_hommes_par_categorie")
    whole = row(shares, annee=2019, groupe="F", dimension="ensemble")
    assert whole["participants"] == 2 and whole["part_participants_categorie"] == pytest.approx(0.5)
    assert whole["part_heures_categorie"] == pytest.approx((350.5 + 420 + 300 + 250) / TOTAL_2019)
    before = row(shares, annee=2018, groupe="F", dimension="ensemble")
    assert before["part_participants_categorie"] == 0.5
    assert whole["evolution_part_categorie"] == 0.0 and math.isnan(before["evolution_part_categorie"])
    services = row(shares, annee=2019, groupe="F", dimension="type_contrat", code="CDD")  # P4's CDD, new in 2019
    assert services["part_participants_categorie"] == 1.0 and math.isnan(services["evolution_part_categorie"])


@pytest.mark.parametrize("dimension, code, share", [
    ("nature", "TRAVAUX", 1 / 3),  # P1, P2, P3
    ("nature", "SERVICES", 1 / 2),  # P4, P1
    ("type_contrat", "CDD", 1.0), ("type_contrat", "CDI", 0.0), ("type_contrat", "CDDI", 0.5),
    ("tranche_age", "MOINS_26", 0.0), ("tranche_age", "26_49", 0.5), ("tranche_age", "50_PLUS", 1.0),
    ("departement_execution", "2A", 0.5), ("departement_execution", "75", 1.0),
])
def test_women_share_by_category(women, dimension, code, share):
    shares = women.table("femmes_hommes_par_categorie")
    assert row(shares, annee=2019, groupe="F", dimension=dimension, code=code)["part_participants_categorie"] \
        == pytest.approx(share)


def test_women_services_hours_share(women):
    shares = women.table("femmes_hommes_par_categorie")
    assert row(shares, annee=2019, groupe="F", dimension="nature", code="SERVICES")["part_heures_categorie"] \
        == pytest.approx((300 + 250) / (300 + 75.25 + 250))


def test_womens_contracts_compared_with_mens(women):
    shares = women.table("femmes_hommes_par_categorie")
    durations = {r.code: r.part_contrats for r in shares[(shares["annee"] == 2019) & (shares["groupe"] == "F")
                                                          & (shares["dimension"] == "duree_contrat")].itertuples()}
    # every band present for either sex is there for both, in referential order (0 where none)
    assert list(durations) == ["1_3_MOIS", "3_6_MOIS", "6_12_MOIS", "PLUS_12_MOIS", "EN_COURS"]
    assert durations == pytest.approx({"1_3_MOIS": 0.5, "3_6_MOIS": 0.25, "6_12_MOIS": 0.0, "PLUS_12_MOIS": 0.25,
                                       "EN_COURS": 0.0})
    figures = women.table("chiffres_cles_femmes_hommes")

    def value(group, code):
        return row(figures, groupe=group, indicateur=code)["valeur"]

    assert value("F", "duree_mediane_jours") == 61  # C2 182, C5 61, C7 31 days (C3 ends in 2020)
    assert value("M", "duree_mediane_jours") == 365  # C4 only (C1 and C6 still running)
    assert value("F", "heures_par_contrat") == pytest.approx((350.5 + 420 + 300 + 250) / 4)
    assert value("M", "heures_par_contrat") == pytest.approx((1200 + 1607 + 75.25) / 3)
    assert value("F", "part_sortie_emploi_durable") == 0.0  # P4 without a job; P2's situation unknown
    assert value("M", "part_sortie_emploi_durable") == 1.0  # P1 (P3: INCONNU, left out)
    assert value("ENSEMBLE", "participants") == 4


def test_operations_closest_to_parity(history):
    ds = history[2019]
    ranked = femmes.parity_operations(ds, femmes.fact_table(ds), minimum=2)
    assert list(ranked["operation_id"]) == ["OP1", "OP2", "OP3"]  # all at 50 %; OP4 has one participant
    assert list(ranked["part_femmes"]) == [0.5, 0.5, 0.5]
    assert list(ranked["donneur_ordre"]) == ["Ville de Saint-Denis", "Société du Grand Paris", "Ville de Saint-Denis"]


def test_categories_closest_to_parity(women):
    shares = women.table("femmes_hommes_par_categorie")
    ranked = femmes.parity_categories(shares[shares["annee"] == 2019], minimum=2)
    # seven categories at exactly 50 % (two participants each), in publication order, then the
    # first three at 1/6 from parity (three participants each)
    assert list(ranked["code"]) == ["CRITERE_ATTRIBUTION", "RESERVE_SIAE", "SERVICES", "PROPRETE",
                                    "ETABLISSEMENT_PUBLIC", "EI", "ETTI", "CLAUSE_EXECUTION", "TRAVAUX", "BTP"]
    assert list(ranked["part_femmes"]) == pytest.approx([0.5] * 7 + [2 / 3, 1 / 3, 1 / 3])
    assert list(ranked["participants"]) == [2] * 7 + [3] * 3
    assert women.table("parite_categories").empty  # no category of 20 participants in the fixture


def test_private_buyers_are_never_named():
    assert common.buyer_name("Bouygues Immobilier", "PRIVE") == "Donneur d'ordre privé"
    assert common.buyer_name("Ville de Paris", "COMMUNE") == "Ville de Paris"
    assert common.operation_title("Siège Bouygues", "PRIVE") is None
    assert common.operation_title("Groupe scolaire", "COMMUNE") == "Groupe scolaire"


def test_every_study_table_is_protected_with_the_whole_year(monkeypatch, history):
    seen = []
    real = confidentiality.protect_edition
    monkeypatch.setattr(confidentiality, "protect_edition", lambda *args, **kwargs: seen.append(kwargs) or real(
        *args, **kwargs))
    edition = compute_edition(history, open_config(), example=False, subject="D1")
    assert sorted(edition.studies) == ["donneur-ordre-D1", "femmes", "jeunes", "mobilite"]
    assert len(seen) == 3 and seen[2]["settled"]  # the year, what buyers share, then the buyer around them
    for study in edition.studies.values():
        for table in study.tables.values():
            assert "secret" in table.frame
            for cell in table.cells:
                assert cell is None or cell[0] in seen[2 if study.subject is not None else 0]["cells"]
    counted = sum(cell is not None for s in edition.studies.values() for t in s.tables.values() for cell in t.cells)
    assert counted > 100


def test_what_every_buyer_study_shares_is_protected_before_any_buyer(monkeypatch, history):
    module = get_study("donneur-ordre").computing()
    shared = set(module.comparisons(history, open_config()).cells())
    for subject in ("D1", "D2", "D3"):
        study = module.indicators(history, open_config(), subject=subject)
        compared = {cell[0] for table in study.tables.values() if "groupe" in table.frame
                    for cell, group in zip(table.cells, table.frame["groupe"])
                    if cell is not None and group != module.BUYER}
        assert compared and compared <= shared, subject  # the type's and everyone's cells: settled already
    seen = []
    real = confidentiality.protect_edition
    monkeypatch.setattr(confidentiality, "protect_edition", lambda *args, **kwargs: seen.append(kwargs) or real(
        *args, **kwargs))
    compute_edition(history, open_config(), example=False, subject="D1")
    year, shared_pass, buyer = seen
    assert shared <= set(shared_pass["cells"]) and set(year["cells"]) <= set(shared_pass["settled"])
    assert shared <= set(buyer["settled"])  # the buyer's own cells are protected around them


# --- jeunes ---------------------------------------------------------------------------------------

def test_young_participants(history):
    results = published(history, "jeunes", open_config())
    shares = results.table("jeunes_par_categorie")
    whole = row(shares, annee=2019, groupe="MOINS_26", dimension="ensemble")
    assert whole["participants"] == 1  # P1, 21
    assert whole["part_participants_categorie"] == pytest.approx(1 / 4)
    assert whole["part_heures_categorie"] == pytest.approx((1200 + 75.25) / TOTAL_2019)
    mission = row(shares, annee=2019, groupe="MOINS_26", dimension="prescripteur", code="MISSION_LOCALE")
    assert mission["part_participants"] == 1.0 and mission["part_participants_categorie"] == 1.0
    figures = results.table("chiffres_cles_jeunes")
    assert row(figures, groupe="MOINS_26", indicateur="part_heures_alternance")["valeur"] \
        == pytest.approx(75.25 / (1200 + 75.25))
    assert row(figures, groupe="26_PLUS", indicateur="part_heures_alternance")["valeur"] \
        == pytest.approx(420 / (TOTAL_2019 - 1200 - 75.25))
    assert row(figures, groupe="26_PLUS", indicateur="participants")["valeur"] == 3


# --- donneur-ordre --------------------------------------------------------------------------------

def test_buyer_completion_and_comparison(history):
    results = published(history, "donneur-ordre", open_config(), "D1")
    assert results.title == "Ville de Saint-Denis" and results.slug == "donneur-ordre-D1"
    figures = results.table("chiffres_cles")

    def value(group, code):
        return row(figures, groupe=group, indicateur=code)["valeur"]

    d1 = (1550.5 + 1550.5) / 3500  # OP1 in 2019 and in 2018 (same contracts), 3 500 h committed
    assert value("DONNEUR_ORDRE", "taux_realisation") == pytest.approx(d1)
    assert value("TYPE", "taux_realisation") == pytest.approx((3101 + 250) / 4500)  # D1 and D3, the communes
    assert value("TYPE", "taux_realisation_median") == pytest.approx((d1 + 0.25) / 2)
    assert value("REGION", "taux_realisation_median") == pytest.approx(4054 / 12000)  # D2, between D3 and D1
    assert value("DONNEUR_ORDRE", "operations") == 2
    assert value("DONNEUR_ORDRE", "heures") == pytest.approx(1550.5 + 375.25)
    assert value("DONNEUR_ORDRE", "participants") == 3  # P1, P2, P4
    assert value("TYPE", "operations") == 3 and value("TYPE", "donneurs_ordre") == 2
    operations = results.table("operations")
    assert list(operations["operation_id"]) == ["OP1", "OP3"]
    assert row(operations, operation_id="OP1")["heures_realisees_cumulees"] == 3101
    assert math.isnan(row(operations, operation_id="OP3")["taux_realisation"])  # no committed hours
    modalities = results.table("repartitions")
    assert row(modalities, groupe="DONNEUR_ORDRE", dimension="modalite", code="CLAUSE_EXECUTION")["part_heures"] \
        == pytest.approx(1550.5 / 1925.75)


def test_buyers_listed(history):
    listed = donneur_ordre.subjects(history)
    assert list(listed["Identifiant"]) == ["D1", "D2", "D3"]
    assert list(listed["Opérations"]) == [2, 1, 1]
    assert list(listed["Heures 2019"]) == pytest.approx([1925.75, 2027, 250])


# --- mobilite: an independent haversine computation on known communes -----------------------------

MOBILITY_CONTRACTS = {  # contract: (participant, operation, contract type)
    "C1": ("P1", "OPA", "CDI"), "C2": ("P2", "OPB", "CDI"), "C3": ("P2", "OPC", "CDDI"),
    "C4": ("P3", "OPA", "CDDI"), "C5": ("P4", "OPD", "CDI"), "C6": ("P5", "OPB", "CDDI"),
    "C7": ("P6", "OPA", "CDI")}
HOMES = {"P1": "75111", "P2": "93066", "P3": "", "P4": "92050", "P5": "77284", "P6": "75999"}
SITES = {"OPA": ("75", "75056"), "OPB": ("93", "93048"), "OPC": ("78", "78646"), "OPD": ("92", "")}


@pytest.fixture(scope="module")
def mobility_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mobilite")
    people = [{"participant_id": p, "sexe": "F" if p in ("P2", "P5") else "M", "annee_naissance": "1980",
               "niveau_qualification": "3", "critere_principal": "DELD", "commune_residence": home}
              for p, home in HOMES.items()]
    write_dataset(root, 2019, {
        "donneurs_ordre": [{"donneur_ordre_id": "D1", "nom": "Ville de Paris", "type": "COMMUNE"}],
        "operations": [{"operation_id": op, "donneur_ordre_id": "D1", "departement": dep, "commune": commune,
                        "nature": "TRAVAUX", "modalite": "CLAUSE_EXECUTION"} for op, (dep, commune) in SITES.items()],
        "entreprises": [{"entreprise_id": "E1", "type_structure": "ENTREPRISE"}],
        "participants": people,
        "contrats": [{"contrat_id": c, "operation_id": op, "participant_id": p, "entreprise_id": "E1",
                      "type_contrat": kind, "date_debut": "2019-01-07", "heures": "100"}
                     for c, (p, op, kind) in MOBILITY_CONTRACTS.items()]})
    return root


def _centroids() -> dict[str, tuple[float, float, str, str]]:
    """Read straight from the committed CSV: code → (lon, lat, commune, EPCI)."""
    with open(REPO / "assets" / "geo" / "communes_centroides.csv", encoding="utf-8") as handle:
        return {r["code"]: (float(r["lon"]), float(r["lat"]), r["commune"], r["epci"]) for r in csv.DictReader(handle)}


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (the usual definition)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    return ordered[low] + (ordered[min(low + 1, len(ordered) - 1)] - ordered[low]) * (position - low)


@pytest.fixture(scope="module")
def expected_distances() -> dict[str, float]:
    """Contract → distance in km, for the contracts whose two communes are known."""
    table = _centroids()
    out = {}
    for contract, (person, op, _) in MOBILITY_CONTRACTS.items():
        home, work = HOMES[person], SITES[op][1]
        if home in table and work in table:
            out[contract] = _haversine(table[home][:2], table[work][:2])
    return out


@pytest.fixture(scope="module")
def mobility(mobility_root):
    return published(validation.load_history(mobility_root, 2019), "mobilite", open_config())


def test_known_communes_give_the_independent_distances(mobility_root, expected_distances):
    assert sorted(expected_distances) == ["C1", "C2", "C3", "C6"]  # P3 and OPD without commune, 75999 unknown
    frame = mobilite.trips(validation.load_year(mobility_root, 2019)).set_index("contrat_id")
    for contract, km in expected_distances.items():
        assert frame.at[contract, "distance_km"] == pytest.approx(km, abs=1e-9)
    # Meaux → Montreuil by hand, flat-earth estimate: 0.451° of longitude × 73.2 km, 0.093° of latitude × 111.2 km
    assert expected_distances["C6"] == pytest.approx(math.hypot(0.45109 * 73.2, 0.09346 * 111.2), abs=0.1)


def test_mobility_statistics_match_the_independent_computation(mobility, expected_distances):
    stats = mobility.table("distances_par_categorie")
    whole = row(stats, dimension="ensemble")
    values = list(expected_distances.values())
    assert whole["contrats"] == 4 and whole["participants"] == 3
    assert whole["distance_mediane_km"] == pytest.approx(_quantile(values, 0.5))
    assert whole["distance_q1_km"] == pytest.approx(_quantile(values, 0.25))
    assert whole["distance_q3_km"] == pytest.approx(_quantile(values, 0.75))
    assert whole["distance_moyenne_km"] == pytest.approx(sum(values) / 4)
    table = _centroids()
    located = [MOBILITY_CONTRACTS[c] for c in expected_distances]
    same_commune = [table[HOMES[p]][2] == table[SITES[op][1]][2] for p, op, _ in located]
    same_epci = [table[HOMES[p]][3] == table[SITES[op][1]][3] for p, op, _ in located]
    assert same_commune == [True, False, False, False]  # Paris 11e works in Paris (75056)
    assert same_epci == [True, True, False, False]  # Métropole du Grand Paris
    assert whole["part_meme_commune"] == 0.25 and whole["part_meme_epci"] == 0.5
    assert whole["part_meme_departement"] == 0.5  # 75 → 75, 93 → 93; 93 → 78 and 77 → 93 leave
    for kind, contracts in (("CDI", ["C1", "C2"]), ("CDDI", ["C3", "C6"])):
        assert row(stats, dimension="type_contrat", code=kind)["distance_mediane_km"] \
            == pytest.approx(_quantile([expected_distances[c] for c in contracts], 0.5))


def test_mobility_exclusions_are_counted_never_guessed(mobility):
    cover = mobility.table("couverture").set_index("code")
    assert cover.loc["LOCALISE", "contrats"] == 4
    assert cover.loc["SANS_COMMUNE_RESIDENCE", ["contrats", "participants"]].tolist() == [1, 1]  # P3
    assert cover.loc["SANS_COMMUNE_EXECUTION", "contrats"] == 1  # OPD
    assert cover.loc["COMMUNE_INCONNUE", "contrats"] == 1  # 75999
    assert cover["part_contrats"].sum() == pytest.approx(1)
    bands = mobility.table("distances_par_tranche")
    assert bands["contrats"].sum() == 4


def test_mobility_flows_between_departements(mobility):
    flows = mobility.table("flux_departements")
    pairs = {(r.departement_residence, r.departement_travail): (r.contrats, r.part_contrats)
             for r in flows.itertuples()}
    assert pairs == {("75", "75"): (1, 1.0), ("77", "93"): (1, 1.0), ("93", "78"): (1, 0.5),
                     ("93", "93"): (1, 0.5)}


# --- registry and errors --------------------------------------------------------------------------

def test_registry_lists_every_study_and_rejects_unknown_ones():
    assert list(PUBLICATIONS) == ["panorama", "fiches", "femmes", "jeunes", "mobilite", "donneur-ordre"]
    assert [study.name for study in studies()] == ["femmes", "jeunes", "mobilite", "donneur-ordre"]
    for study in studies():
        computing, composing = study.computing(), study.load()
        assert computing.__name__.startswith("panorama.compute.studies.")  # protect loads it: no arrow back
        assert composing.__name__.startswith("panorama.compose.studies.")
        assert callable(computing.indicators) and callable(composing.document)
        assert not hasattr(computing, "document") and not hasattr(composing, "indicators")
        assert (study.subject is not None) == hasattr(computing, "subjects")
    for name in ("hommes", "panorama"):  # the panorama is a publication, not a study
        with pytest.raises(UsageError, match=f"Étude inconnue : « {name} ». Études disponibles : femmes, jeunes, "
                                             "mobilite, donneur-ordre"):
            get_study(name)


def test_registry_names_the_files_of_every_publication():
    assert get_study("femmes").slug("D1") == "femmes"  # a study about the region takes no subject
    assert get_study("donneur-ordre").slug("D 1/é") == "donneur-ordre-D-1-é"
    assert PUBLICATIONS["panorama"].naming.document.format(year=2019) == "panorama-2019"
    assert PUBLICATIONS["fiches"].naming.document.format(subject="2A", year=2019) == "fiche-2A-2019"


# --- documents under statistical secrecy ----------------------------------------------------------

@pytest.mark.parametrize("theme, subject", [("femmes", None), ("jeunes", None), ("mobilite", None),
                                            ("donneur-ordre", "D1")])
def test_documents_show_withheld_values_as_secret(history, mobility_root, theme, subject):
    from panorama.output import render

    data = validation.load_history(mobility_root, 2019) if theme == "mobilite" else history
    module = get_study(theme).load()
    rule = Config(secret_seuil=2, secret_entreprises_min=1, secret_dominance=1.0)  # cells of one person are secret
    results = published(data, theme, rule, subject)
    assert any(t.frame["secret"].any() for t in results.tables.values())
    html = render.render_html(figures.Figures().draw(module.document(results, Texts(None))), pdf=False)
    assert '<abbr title="secret statistique">s</abbr>' in html


# --- documents on the example data ------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_history():
    from panorama.input.source import Example

    return validation.load_history(Example(), 2019)


@pytest.mark.parametrize("theme, subject", [("femmes", None), ("jeunes", None), ("mobilite", None),
                                            ("donneur-ordre", "DO0030")])
def test_every_study_composes_on_the_example_data(example_history, theme, subject):
    from panorama.output import render

    module = get_study(theme).load()
    results = published(example_history, theme, open_config(), subject, example=True)
    html = render.render_html(figures.Figures().draw(module.document(results, Texts(None))), pdf=False)
    assert "Données fictives" in html and 'lang="fr"' in html
    assert html.count("<section") >= 5


# --- the command line, end to end -----------------------------------------------------------------

run = run_cli


@pytest.fixture(scope="module")
def config_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "panorama.toml"
    path.write_text(OPEN_CONFIG_TOML, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory, tiny_root, mobility_root, config_file):
    """The four studies built through ``main()`` into one output folder (four PDF renders)."""
    out = tmp_path_factory.mktemp("sortie")
    runs = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, args in (("femmes", ["femmes", "2019", "--data", str(tiny_root)]),
                           ("jeunes", ["jeunes", "2019", "--data", str(tiny_root)]),
                           ("donneur-ordre-D1", ["donneur-ordre", "D1", "2019", "--data", str(tiny_root)]),
                           ("mobilite", ["mobilite", "2019", "--data", str(mobility_root)])):
            monkeypatch.setattr(sys, "argv", ["panorama", "study", *args, "--out", str(out), "--config",
                                              str(config_file)])
            monkeypatch.delenv("PANORAMA_DEBUG", raising=False)
            runs[name] = cli.main()
    return runs, out / "2019" / "etudes"


@pytest.mark.parametrize("slug", ["femmes", "jeunes", "donneur-ordre-D1", "mobilite"])
def test_study_command_writes_pdf_html_and_open_data(built, slug):
    runs, folder = built
    assert runs[slug] == 0
    target = folder / slug
    pages = len(PdfReader(target / f"etude-{slug}-2019.pdf").pages)
    assert 6 <= pages <= 12
    html = (target / f"etude-{slug}-2019.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in html and "Méthodologie" in html
    package = json.loads((target / "donnees" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "etalab-2.0"
    readme = (target / "donnees" / "LISEZMOI.md").read_text(encoding="utf-8")
    workbook = openpyxl.load_workbook(target / "donnees" / f"etude-{slug.lower()}-2019.xlsx")
    assert workbook.sheetnames == ["Description", *(r["name"][:31] for r in package["resources"])]
    for resource in package["resources"]:  # the same writer as the panorama's: dictionary and workbook too
        with open(target / "donnees" / resource["path"], encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert f"## `{resource['path']}` — {resource['title']}" in readme
        sheet = workbook[resource["name"][:31]]
        assert sheet.max_row == len(rows) and [c.value for c in sheet[1]] == rows[0]


def test_study_open_data_is_a_valid_data_package(built):
    from frictionless import validate

    _, folder = built
    report = validate(folder / "mobilite" / "donnees" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_printed_figures_are_the_published_ones(built):
    _, folder = built
    with open(folder / "mobilite" / "donnees" / "distances_par_categorie.csv", encoding="utf-8") as handle:
        whole = next(r for r in csv.DictReader(handle) if r["dimension"] == "ensemble")
    html = (folder / "mobilite" / "etude-mobilite-2019.html").read_text(encoding="utf-8")
    median = f"{float(whole['distance_mediane_km']):.1f}".replace(".", ",")
    assert f'<span class="valeur">{median}</span>' in html


def test_help_lists_the_studies(monkeypatch, capsys):
    status, out, _ = run(monkeypatch, capsys, "study", "--help")
    assert status == 0
    assert "Utilisation\u00a0: panorama study [OPTIONS] ETUDE [IDENTIFIANT] ANNEE" in out
    for study in studies():
        assert study.name in out
    assert "donneur-ordre IDENTIFIANT" in out


def test_buyers_are_listed(monkeypatch, capsys, tiny_root):
    status, out, err = run(monkeypatch, capsys, "study", "donneur-ordre", "--list", "2019", "--data", str(tiny_root))
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "Étude « donneur-ordre » : 3 identifiants disponibles en 2019."
    assert lines[1].split() == ["Identifiant", "Nom", "Type", "Opérations", "Heures", "2019"]
    assert lines[2].startswith("D1") and "Ville de Saint-Denis" in lines[2] and "Commune" in lines[2]


@pytest.mark.parametrize("args, status, messages", [
    (["inconnue", "2019"], 1, ["Étude inconnue : « inconnue »", "femmes, jeunes, mobilite, donneur-ordre"]),
    (["donneur-ordre", "D9", "2019"], 1, ["Donneur d'ordre inconnu ou sans opération en 2019 : « D9 »",
                                          "Identifiants disponibles : D1, D2, D3",
                                          "panorama study donneur-ordre --list 2019"]),
    (["donneur-ordre", "2019"], 1, ["porte sur un donneur d'ordre : indiquez son identifiant"]),
    (["femmes", "D1", "2019"], 1, ["L'étude « femmes » ne prend pas d'identifiant"]),
    (["femmes", "--list", "2019"], 1, ["l'option --list ne concerne que « donneur-ordre »"]),
    (["femmes"], 2, ["Erreur d'utilisation\u00a0: année manquante"]),
])
def test_usage_errors_are_french(monkeypatch, capsys, tiny_root, config_file, tmp_path, args, status, messages):
    code, out, err = run(monkeypatch, capsys, "study", *args, "--data", str(tiny_root), "--out", str(tmp_path),
                         "--config", str(config_file))
    assert code == status
    assert out == ""
    for message in messages:
        assert message in err
    assert not (tmp_path / "2019").exists()
