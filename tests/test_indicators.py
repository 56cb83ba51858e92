"""Indicators against values computed by hand, and invariants on the example data.

The tiny fixture (``independent.tiny_tables``), year N = 2019:

    buyers        D1 COMMUNE, D2 ETABLISSEMENT_PUBLIC, D3 COMMUNE
    operations    OP1 93 TRAVAUX  BTP      CLAUSE_EXECUTION    D1
                  OP2 93 TRAVAUX  BTP      CRITERE_ATTRIBUTION D2  « Grand Paris Express »
                  OP3 75 SERVICES PROPRETE RESERVE_SIAE        D3
                  OP4 75 SERVICES (blank)  CLAUSE_EXECUTION    D2  — no contract
    companies     E1 ENTREPRISE PME, E2 ETTI TPE, E3 GEIQ (size blank)
    amounts HT    OP1 1,250,000.5 €, OP2 blank, OP3 80,000 €, OP4 blank
    planned hours OP1 3,000, OP2 10,000.5, OP3 4,000, OP4 blank
    participants  P1 F 25 ans  JEUNE  +DELD       93066 (93) QPV oui  EMPLOI_DURABLE
                  P2 M 26 ans  DELD   +RSA        2A004 (2A) QPV non  INCONNU
                  P3 F 50 ans  SENIOR +DELD|RQTH  97110 (971) QPV ?   SANS_EMPLOI
                  P4 M 49 ans  RSA                (blank)    QPV non  (blank)
                  P5 M 20 ans  JEUNE              75112 (75) QPV oui  EMPLOI_TRANSITION
                  P6 F — no contract: warned about, not counted
    contracts     C1 OP1 P1 E1 CDI                  1000   (93)
                  C2 OP1 P2 E2 INTERIM_INSERTION     300   (93)
                  C3 OP2 P2 E3 GEIQ                  500.5 (93)
                  C4 OP3 P2 E2 INTERIM_INSERTION     120   (75)   P2 works in 93 and 75
                  C5 OP3 P3 E2 INTERIM_INSERTION     400   (75)
                  C6 OP2 P4 E1 APPRENTISSAGE         800   (93)
                  C7 OP3 P5 E3 PROFESSIONNALISATION  600   (75)
                  C8 OP3 P5 E2 INTERIM_INSERTION      79.5 (75)

Hours: region 3,800 = 93 2,600.5 (C1+C2+C3+C6) + 75 1,199.5 (C4+C5+C7+C8).
Hours per participant: P1 1,000; P2 920.5 (800.5 in 93, 120 in 75); P3 400; P4 800; P5 679.5.
N−1 (2018): 2,080.4 h in 93, 2,399 h in 75, 4,479.4 h in all.

A handful of people: ``compute`` runs on it with the confidentiality rule switched off
(``datasets.open_config``); the pure functions ``key_figures`` and ``breakdowns`` are not protected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from datasets import open_config, write_dataset
from independent import tiny_previous_tables, tiny_tables

from panorama.compute import indicators
from panorama.core import catalogue
from panorama.core.config import Config
from panorama.input import example, validation
from panorama.protect.results import Results, compute

THIRD = 1 / 3


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    write_dataset(root, 2019, tiny_tables())
    write_dataset(root, 2018, tiny_previous_tables())
    return root


@pytest.fixture(scope="module")
def tiny(tiny_root):
    current, previous = validation.load_years(tiny_root, 2019)
    return current, previous


@pytest.fixture(scope="module")
def key(tiny):
    """``{(perimetre, indicateur): valeur}`` of the 2019 key figures."""
    frame = indicators.key_figures(tiny[0])
    return {(p, c): v for p, c, v in frame[["perimetre", "indicateur", "valeur"]].itertuples(index=False)}


@pytest.fixture(scope="module")
def rows(tiny):
    return indicators.breakdowns(tiny[0])


def cells(rows, dimension, perimetre="region", columns=("heures", "contrats", "participants")):
    """``{code: (heures, contrats, participants…)}`` of one breakdown."""
    part = rows[(rows["dimension"] == dimension) & (rows["perimetre"] == perimetre)]
    assert part["code"].is_unique
    return {code: tuple(float(v) for v in values)
            for code, *values in part[["code", *columns]].itertuples(index=False)}


# --- key figures ---------------------------------------------------------------------------------

EXPECTED = {
    "region": {
        "heures": 3800,                        # Σ C1…C8
        "etp_1607": 3800 / 1607,               # 2.3647
        "etp_1820": 3800 / 1820,               # 2.0879
        "participants": 5,                     # P1…P5 (P6 has no contract)
        "contrats": 8,
        "operations": 4,                       # OP1…OP4, OP4 without contract included
        "operations_actives": 3,               # OP1, OP2, OP3
        "donneurs_ordre": 3,                   # D1, D2, D3
        "entreprises": 3,                      # E1, E2, E3
        "heures_par_participant": 760,         # 3800 / 5
        "heures_par_contrat": 475,             # 3800 / 8
        "part_femmes": 0.4,                    # P1, P3 / 5
        "part_moins_26": 0.4,                  # P1 (25 — counts), P5 (20)
        "part_26_49": 0.4,                     # P2 (26 — does not count under 26), P4 (49)
        "part_50_plus": 0.2,                   # P3 (50 — counts)
        "part_qpv": 0.5,                       # P1, P5 / P1, P2, P4, P5 (P3 unknown: out)
        "part_sortie_emploi_durable": THIRD,   # P1 / P1, P3, P5 (P2 INCONNU, P4 blank: out)
        "heures_public_DELD": 2320.5,          # P1 1000 (publics) + P2 920.5 (main) + P3 400 (publics)
        "heures_public_RSA": 1720.5,           # P2 920.5 (publics) + P4 800 (main)
        "heures_public_JEUNE": 1679.5,         # P1 1000 + P5 679.5
        "heures_public_SENIOR": 400,           # P3
        "heures_public_RQTH": 400,             # P3 (publics)
        "heures_public_MINIMA_SOCIAUX": 0, "heures_public_SIAE": 0, "heures_public_PLIE": 0,
        "heures_public_AUTRE": 0,
        "heures_iae": 899.5,                   # C2 300 + C4 120 + C5 400 + C8 79.5
        "heures_alternance": 1900.5,           # C3 500.5 (GEIQ) + C6 800 + C7 600
        "taux_realisation_annuel": 3800 / 17000.5,  # every contract is on OP1–OP3 ÷ 3000 + 10000.5 + 4000
        "couverture_heures_prevues": 0.75,     # OP1, OP2, OP3 / 4 (OP4 blank)
        "montant_ht": 1_330_000.5,             # OP1 + OP3 (OP2, OP4 blank)
        "montant_ht_TRAVAUX": 1_250_000.5,     # OP1 (OP2 blank)
        "montant_ht_SERVICES": 80_000,         # OP3 (OP4 blank)
        "couverture_montant_ht": 0.5,          # OP1, OP3 / 4 marchés publics
    },
    "93": {
        "heures": 2600.5,                      # C1 1000 + C2 300 + C3 500.5 + C6 800
        "etp_1607": 2600.5 / 1607, "etp_1820": 2600.5 / 1820,
        "participants": 3,                     # P1, P2, P4
        "contrats": 4,
        "operations": 2, "operations_actives": 2,
        "donneurs_ordre": 2,                   # D1, D2
        "entreprises": 3,                      # E1, E2, E3
        "heures_par_participant": 2600.5 / 3,  # 866.83
        "heures_par_contrat": 650.125,
        "part_femmes": THIRD,                  # P1
        "part_moins_26": THIRD, "part_26_49": 2 * THIRD, "part_50_plus": 0,
        "part_qpv": THIRD,                     # P1 / P1, P2, P4
        "part_sortie_emploi_durable": 1,       # P1 / P1 (P2 INCONNU, P4 blank)
        "heures_public_DELD": 1800.5,          # P1 1000 + P2 800.5
        "heures_public_RSA": 1600.5,           # P2 800.5 + P4 800
        "heures_public_JEUNE": 1000, "heures_public_SENIOR": 0, "heures_public_RQTH": 0,
        "heures_iae": 300,                     # C2
        "heures_alternance": 1300.5,           # C3 + C6
        "taux_realisation_annuel": 2600.5 / 13000.5,
        "couverture_heures_prevues": 1,        # OP1, OP2
        "montant_ht": 1_250_000.5, "montant_ht_TRAVAUX": 1_250_000.5,
        "couverture_montant_ht": 0.5,          # OP1 / OP1, OP2
    },
    "75": {
        "heures": 1199.5,                      # C4 120 + C5 400 + C7 600 + C8 79.5
        "etp_1607": 1199.5 / 1607, "etp_1820": 1199.5 / 1820,
        "participants": 3,                     # P2, P3, P5
        "contrats": 4,
        "operations": 2,                       # OP3, OP4
        "operations_actives": 1,               # OP3 only
        "donneurs_ordre": 2,                   # D3 (OP3), D2 (OP4, even without contract)
        "entreprises": 2,                      # E2, E3
        "heures_par_participant": 1199.5 / 3,  # 399.83
        "heures_par_contrat": 299.875,
        "part_femmes": THIRD,                  # P3
        "part_moins_26": THIRD, "part_26_49": THIRD, "part_50_plus": THIRD,   # P5, P2, P3
        "part_qpv": 0.5,                       # P5 / P2, P5 (P3 unknown)
        "part_sortie_emploi_durable": 0,       # nobody / P3, P5 (P2 INCONNU)
        "heures_public_DELD": 520,             # P2 120 + P3 400
        "heures_public_RSA": 120,              # P2
        "heures_public_JEUNE": 679.5,          # P5
        "heures_public_SENIOR": 400, "heures_public_RQTH": 400,
        "heures_iae": 599.5,                   # C4 + C5 + C8
        "heures_alternance": 600,              # C7
        "taux_realisation_annuel": 1199.5 / 4000,  # OP3 (OP4 blank)
        "couverture_heures_prevues": 0.5,      # OP3 / OP3, OP4
        "montant_ht": 80_000, "montant_ht_SERVICES": 80_000,
        "couverture_montant_ht": 0.5,          # OP3 / OP3, OP4
    },
}


@pytest.mark.parametrize("perimetre", list(EXPECTED))
def test_key_figures_by_hand(key, perimetre):
    for code, value in EXPECTED[perimetre].items():
        assert key[(perimetre, code)] == pytest.approx(value, rel=1e-12, abs=1e-12), code


def test_key_figures_perimeters_and_types(key, tiny):
    frame = indicators.key_figures(tiny[0])
    assert frame["valeur"].dtype == np.float64
    assert list(dict.fromkeys(frame["perimetre"])) == ["region", "75", "93"]
    # every code of the spec is there, once per perimeter
    spec_codes = set(EXPECTED["region"]) | {f"heures_public_{c}" for c in ("DELD", "RSA", "RQTH")}
    for perimetre in ("region", "75", "93"):
        codes = frame.loc[frame["perimetre"] == perimetre, "indicateur"]
        assert codes.is_unique
        assert spec_codes <= set(codes)


def test_amounts_of_a_nature_without_any_amount_filled_are_undefined(key):
    for perimetre, nature in (("region", "FOURNITURES"), ("93", "SERVICES"), ("75", "TRAVAUX")):
        assert math.isnan(key[(perimetre, f"montant_ht_{nature}")]), (perimetre, nature)


def test_private_operations_and_clauses_outside_public_procurement_have_no_amount(tmp_path):
    """A private buyer's operation or a clause outside public procurement is not a marché
    public: its amount is not counted, nor is it in the coverage's denominator."""
    tables = tiny_tables()
    tables["donneurs_ordre"][2]["type"] = "PRIVE"                           # D3: OP3
    tables["operations"][0]["modalite"] = "HORS_COMMANDE_PUBLIQUE"          # OP1
    write_dataset(tmp_path, 2019, tables)
    key = indicators.key_figures(validation.load_year(tmp_path, 2019)).set_index(["perimetre", "indicateur"])["valeur"]
    assert math.isnan(key[("region", "montant_ht")])                        # OP2, OP4 left: no amount filled
    assert key[("region", "couverture_montant_ht")] == 0                    # 0 of OP2, OP4
    assert key[("region", "couverture_heures_prevues")] == 0.75             # planned hours: every operation


def test_region_is_the_sum_of_departements_for_additive_figures(key):
    for code in ("heures", "contrats", "operations", "heures_iae", "heures_alternance", "heures_public_DELD",
                 "heures_public_RSA", "heures_public_JEUNE"):
        assert key[("region", code)] == pytest.approx(key[("93", code)] + key[("75", code)]), code
    # people, buyers and companies are distinct counts: P2, D2 and E2, E3 are in both départements
    assert key[("region", "participants")] == 5 < key[("93", "participants")] + key[("75", "participants")]
    assert key[("region", "donneurs_ordre")] == 3 < 2 + 2
    assert key[("region", "entreprises")] == 3 < 3 + 2


def test_public_hours_overlap(key):
    publics = sum(key[("region", f"heures_public_{c}")] for c in ("DELD", "RSA", "JEUNE", "SENIOR", "RQTH"))
    assert publics == pytest.approx(2320.5 + 1720.5 + 1679.5 + 400 + 400)
    assert publics > key[("region", "heures")]  # non exclusive
    assert key[("region", "part_heures_public_DELD")] == pytest.approx(2320.5 / 3800)
    assert key[("region", "heures_public_QPV")] == pytest.approx(1679.5)  # P1 + P5
    assert key[("75", "part_heures_iae")] == pytest.approx(599.5 / 1199.5)


def test_fact_table_perimeter_rule_and_age_bands(tiny):
    facts = indicators.fact_table(tiny[0]).set_index("contrat_id")
    # a contract belongs to the département of its operation, not of the buyer or the company
    assert facts["departement"].to_dict() == {"C1": "93", "C2": "93", "C3": "93", "C4": "75", "C5": "75",
                                              "C6": "93", "C7": "75", "C8": "75"}
    assert sorted(facts.loc[facts["participant_id"] == "P2", "departement"]) == ["75", "93", "93"]
    bands = facts.groupby("participant_id")["tranche_age"].first().to_dict()
    assert bands == {"P1": "MOINS_26", "P2": "26_49", "P3": "50_PLUS", "P4": "26_49", "P5": "MOINS_26"}
    assert facts.loc["C6", "groupe_contrat"] == "ALTERNANCE" and facts.loc["C3", "groupe_contrat"] == "ALTERNANCE"
    assert facts.loc["C5", "groupe_contrat"] == "IAE" and facts.loc["C1", "groupe_contrat"] == "AUTRE"
    assert "P6" not in set(facts["participant_id"])


def test_age_band_boundaries():
    ages = pd.Series([14, 25, 26, 49, 50, 80])
    assert indicators.age_band(ages).tolist() == ["MOINS_26", "MOINS_26", "26_49", "26_49", "50_PLUS", "50_PLUS"]


def test_evolution_against_previous_year(tiny):
    current, previous = tiny
    results = compute(current, previous, open_config(), example=False)  # 2 people in 2018: no secrecy
    evo = results.key_figures.set_index(["perimetre", "indicateur"])
    assert evo.loc[("region", "heures"), "valeur_precedente"] == pytest.approx(4479.4)
    assert evo.loc[("region", "heures"), "evolution"] == pytest.approx(3800 / 4479.4 - 1)  # −15.17 %
    assert evo.loc[("93", "heures"), "evolution"] == pytest.approx(0.25)        # 2600.5 / 2080.4
    assert evo.loc[("75", "heures"), "evolution"] == pytest.approx(-0.5)        # 1199.5 / 2399
    assert evo.loc[("region", "participants"), "evolution"] == pytest.approx(1.5)   # 5 / 2
    # shares evolve in points (a difference of fractions): 2018 had P1, P3 — both women
    assert evo.loc[("region", "part_femmes"), "evolution"] == pytest.approx(0.4 - 1)
    # nothing before: no rate
    assert math.isnan(evo.loc[("region", "heures_alternance"), "evolution"])
    table = results.export_tables()["chiffres_cles"].set_index(["perimetre", "indicateur"])
    assert not table["secret"].any()
    table = table["valeur"]
    assert table[("region", "taux_evolution_heures")] == pytest.approx(3800 / 4479.4 - 1)
    assert table[("93", "taux_evolution_heures")] == pytest.approx(0.25)
    assert table[("75", "taux_evolution_heures")] == pytest.approx(-0.5)
    assert ("region", "taux_evolution_heures_alternance") not in table.index


def test_no_evolution_without_previous_year(tiny):
    results = compute(tiny[0], None, open_config(), example=False)
    table = results.export_tables()["chiffres_cles"]
    assert not table["indicateur"].str.startswith("taux_evolution").any()
    assert results.key_figures["evolution"].isna().all()


def test_absent_optional_columns_give_undefined_shares_not_errors(tmp_path):
    tables = tiny_tables()
    for row in tables["participants"]:
        for column in ("publics", "qpv", "commune_residence", "situation_sortie", "prescripteur"):
            del row[column]
    for row in tables["operations"]:
        for column in ("secteur", "grand_projet"):
            del row[column]
    write_dataset(tmp_path, 2019, tables)
    frame = indicators.key_figures(validation.load_year(tmp_path, 2019))
    assert frame["valeur"].dtype == np.float64  # was ``object`` when a share was empty everywhere
    key = frame.set_index(["perimetre", "indicateur"])["valeur"]
    assert key[("region", "heures")] == 3800
    assert math.isnan(key[("region", "part_qpv")]) and math.isnan(key[("75", "part_sortie_emploi_durable")])
    assert key[("region", "heures_public_DELD")] == pytest.approx(920.5)  # P2's main criterion only
    assert key[("region", "heures_public_QPV")] == 0


# --- breakdowns ----------------------------------------------------------------------------------

def test_operation_level_breakdowns_count_operations_without_contracts(rows):
    columns = ("heures", "contrats", "participants", "operations")
    assert cells(rows, "modalite", columns=columns) == {
        "CLAUSE_EXECUTION": (1300, 2, 2, 2),       # OP1 (C1, C2: P1, P2) + OP4 (nothing)
        "CRITERE_ATTRIBUTION": (1300.5, 2, 2, 1),  # OP2 (C3, C6: P2, P4)
        "RESERVE_SIAE": (1199.5, 4, 3, 1),         # OP3 (C4, C5, C7, C8: P2, P3, P5)
    }
    assert cells(rows, "modalite", "75", columns) == {"CLAUSE_EXECUTION": (0, 0, 0, 1),
                                                      "RESERVE_SIAE": (1199.5, 4, 3, 1)}
    assert cells(rows, "modalite", "93", columns) == {"CLAUSE_EXECUTION": (1300, 2, 2, 1),
                                                      "CRITERE_ATTRIBUTION": (1300.5, 2, 2, 1)}
    assert cells(rows, "secteur", columns=columns) == {
        "BTP": (2600.5, 4, 3, 2), "PROPRETE": (1199.5, 4, 3, 1), "NON_RENSEIGNE": (0, 0, 0, 1)}
    assert cells(rows, "type_donneur_ordre", columns=columns) == {
        "COMMUNE": (2499.5, 6, 4, 2),              # D1 (OP1) + D3 (OP3)
        "ETABLISSEMENT_PUBLIC": (1300.5, 2, 2, 2)}  # D2 (OP2, OP4)
    assert cells(rows, "grand_projet", columns=columns) == {
        "Grand Paris Express": (1300.5, 2, 2, 1), "NON_RENSEIGNE": (2499.5, 6, 4, 3)}
    assert cells(rows, "departement_execution", columns=columns) == {
        "93": (2600.5, 4, 3, 2), "75": (1199.5, 4, 3, 2)}
    assert cells(rows, "nature", "75", columns) == {"SERVICES": (1199.5, 4, 3, 2)}
    assert cells(rows, "modalite_x_departement", columns=columns) == {
        "CLAUSE_EXECUTION|93": (1300, 2, 2, 1), "CLAUSE_EXECUTION|75": (0, 0, 0, 1),
        "CRITERE_ATTRIBUTION|93": (1300.5, 2, 2, 1), "RESERVE_SIAE|75": (1199.5, 4, 3, 1)}
    # not an operation-level dimension: no count of operations
    assert rows.loc[rows["dimension"] == "sexe", "operations"].isna().all()


def test_contract_level_breakdowns(rows):
    assert cells(rows, "type_contrat") == {
        "CDI": (1000, 1, 1), "INTERIM_INSERTION": (899.5, 4, 3), "APPRENTISSAGE": (800, 1, 1),
        "PROFESSIONNALISATION": (600, 1, 1), "GEIQ": (500.5, 1, 1)}
    assert cells(rows, "type_structure") == {
        "ENTREPRISE": (1800, 2, 2),                # E1: C1, C6 (P1, P4)
        "ETTI": (899.5, 4, 3),                     # E2: C2, C4, C5, C8 (P2, P3, P5)
        "GEIQ": (1100.5, 2, 2)}                    # E3: C3, C7 (P2, P5)
    assert cells(rows, "taille_entreprise") == {
        "PME": (1800, 2, 2),                       # E1: C1, C6 (P1, P4)
        "TPE": (899.5, 4, 3),                      # E2: C2, C4, C5, C8 (P2, P3, P5)
        "NON_RENSEIGNE": (1100.5, 2, 2)}           # E3, size blank: C3, C7 (P2, P5)
    assert cells(rows, "taille_entreprise", "93") == {"PME": (1800, 2, 2), "TPE": (300, 1, 1),
                                                      "NON_RENSEIGNE": (500.5, 1, 1)}
    assert catalogue.dimension("taille_entreprise").company  # hours of a few companies: their secrecy rule
    assert cells(rows, "groupe_contrat") == {"IAE": (899.5, 4, 3), "ALTERNANCE": (1900.5, 3, 3),
                                             "AUTRE": (1000, 1, 1)}
    assert cells(rows, "groupe_contrat", "93") == {"IAE": (300, 1, 1), "ALTERNANCE": (1300.5, 2, 2),
                                                   "AUTRE": (1000, 1, 1)}
    # duration = end − start + 1 day; blank end: running
    assert cells(rows, "duree_contrat") == {
        "MOINS_1_MOIS": (120, 1, 1),               # C4: 30 days
        "1_3_MOIS": (300, 1, 1),                   # C2: 89 days
        "3_6_MOIS": (400, 1, 1),                   # C5: 151 days
        "6_12_MOIS": (1100.5, 2, 2),               # C3: 245 days, C7: 184 days
        "PLUS_12_MOIS": (800, 1, 1),               # C6: 731 days
        "EN_COURS": (1079.5, 2, 2)}                # C1, C8


def test_participant_level_breakdowns(rows):
    assert cells(rows, "sexe") == {"F": (1400, 2, 2), "M": (2400, 6, 3)}
    assert cells(rows, "sexe", "75") == {"F": (400, 1, 1), "M": (799.5, 3, 2)}
    assert cells(rows, "tranche_age") == {
        "MOINS_26": (1679.5, 3, 2),                # P1 (25), P5
        "26_49": (1720.5, 4, 2),                   # P2 (26), P4
        "50_PLUS": (400, 1, 1)}                    # P3 (50)
    assert cells(rows, "critere_principal") == {"JEUNE": (1679.5, 3, 2), "DELD": (920.5, 3, 1),
                                                "SENIOR": (400, 1, 1), "RSA": (800, 1, 1)}
    assert cells(rows, "niveau_qualification") == {"INFRA_3": (920.5, 3, 1), "3": (1679.5, 3, 2),
                                                   "4": (400, 1, 1), "INCONNU": (800, 1, 1)}
    assert cells(rows, "qpv") == {"OUI": (1679.5, 3, 2), "NON": (1720.5, 4, 2), "NON_RENSEIGNE": (400, 1, 1)}
    assert cells(rows, "situation_sortie") == {
        "EMPLOI_DURABLE": (1000, 1, 1), "INCONNU": (920.5, 3, 1), "SANS_EMPLOI": (400, 1, 1),
        "EMPLOI_TRANSITION": (679.5, 2, 1), "NON_RENSEIGNE": (800, 1, 1)}
    assert cells(rows, "prescripteur") == {"MISSION_LOCALE": (1679.5, 3, 2), "FRANCE_TRAVAIL": (920.5, 3, 1),
                                           "CAP_EMPLOI": (400, 1, 1), "NON_RENSEIGNE": (800, 1, 1)}
    # hours of each participant within the perimeter: P2 has 920.5 h in all but 120 h in 75
    assert cells(rows, "heures_par_participant") == {"300_599": (400, 1, 1), "600_1199": (3400, 7, 4)}
    assert cells(rows, "heures_par_participant", "75") == {
        "MOINS_150": (120, 1, 1), "300_599": (400, 1, 1), "600_1199": (679.5, 2, 1)}


def test_publics_breakdown_is_not_exclusive(rows):
    assert cells(rows, "publics") == {
        "DELD": (2320.5, 5, 3),                    # P1 (C1), P2 (C2, C3, C4), P3 (C5)
        "RSA": (1720.5, 4, 2),                     # P2, P4 (C6)
        "RQTH": (400, 1, 1), "JEUNE": (1679.5, 3, 2), "SENIOR": (400, 1, 1)}
    assert cells(rows, "publics", "93") == {"DELD": (1800.5, 3, 2), "RSA": (1600.5, 3, 2),
                                            "JEUNE": (1000, 1, 1)}
    part = rows[(rows["dimension"] == "publics") & (rows["perimetre"] == "region")]
    assert part["part_heures"].sum() > 1


def test_residence_breakdown_corsica_overseas_and_blank(rows):
    columns = ("heures", "contrats", "participants", "part_participants")
    assert cells(rows, "departement_residence", columns=columns) == {
        "93": (1000, 1, 1, 0.2), "75": (679.5, 2, 1, 0.2), "2A": (920.5, 3, 1, 0.2),
        "971": (400, 1, 1, 0.2), "NON_RENSEIGNE": (800, 1, 1, 0.2)}
    part = rows[(rows["dimension"] == "departement_residence") & (rows["perimetre"] == "region")]
    assert dict(zip(part["code"], part["libelle"])) == {
        "75": "Paris", "93": "Seine-Saint-Denis", "2A": "Corse-du-Sud", "971": "Guadeloupe",
        "NON_RENSEIGNE": "Non renseigné"}
    # official order (2A after 19, overseas after 95), not filled last
    assert part["code"].tolist() == ["2A", "75", "93", "971", "NON_RENSEIGNE"]
    assert cells(rows, "departement_residence", "75") == {"2A": (120, 1, 1), "75": (679.5, 2, 1),
                                                          "971": (400, 1, 1)}


def test_sexe_by_age_cross_tab(rows):
    assert cells(rows, "sexe_x_tranche_age") == {
        "F|MOINS_26": (1000, 1, 1), "F|50_PLUS": (400, 1, 1),
        "M|MOINS_26": (679.5, 2, 1), "M|26_49": (1720.5, 4, 2)}
    assert cells(rows, "sexe_x_nature") == {
        "F|TRAVAUX": (1000, 1, 1), "F|SERVICES": (400, 1, 1),
        "M|TRAVAUX": (1600.5, 3, 2), "M|SERVICES": (799.5, 3, 2)}   # P2 in both natures
    part = rows[(rows["dimension"] == "sexe_x_tranche_age") & (rows["perimetre"] == "region")]
    assert part.set_index("code").loc["F|MOINS_26", "libelle"] == "Femmes × Moins de 26 ans"


def test_sexe_by_five_year_age_band_for_the_pyramid(rows):
    # P1 F 25, P2 M 26, P3 F 50, P4 M 49, P5 M 20 in 2019
    assert cells(rows, "sexe_x_age_quinquennal") == {
        "F|25_29": (1000, 1, 1), "F|50_54": (400, 1, 1),
        "M|20_24": (679.5, 2, 1), "M|25_29": (920.5, 3, 1), "M|45_49": (800, 1, 1)}
    assert cells(rows, "age_quinquennal", "75") == {"25_29": (120, 1, 1), "50_54": (400, 1, 1),
                                                    "20_24": (679.5, 2, 1)}
    part = rows[(rows["dimension"] == "sexe_x_age_quinquennal") & (rows["perimetre"] == "region")]
    assert part.set_index("code").loc["M|20_24", "libelle"] == "Hommes × 20-24 ans"


def test_five_year_age_band_boundaries():
    ages = pd.Series([14, 19, 20, 24, 25, 59, 60, 80])
    bands = indicators._band(ages, catalogue.FIVE_YEAR_AGE_BANDS).tolist()
    assert bands == ["MOINS_20", "MOINS_20", "20_24", "20_24", "25_29", "55_59", "60_PLUS", "60_PLUS"]
    assert [label for *_, label in catalogue.FIVE_YEAR_AGE_BANDS] == [
        "Moins de 20 ans", "20-24 ans", "25-29 ans", "30-34 ans", "35-39 ans", "40-44 ans", "45-49 ans",
        "50-54 ans", "55-59 ans", "60 ans ou plus"]


def test_shares_of_breakdowns(rows):
    columns = ("part_heures", "part_participants")
    shares = cells(rows, "sexe", columns=columns)
    assert shares["F"] == pytest.approx((1400 / 3800, 0.4)) and shares["M"] == pytest.approx((2400 / 3800, 0.6))
    shares = cells(rows, "modalite", "75", columns)
    assert shares == {"CLAUSE_EXECUTION": (0, 0), "RESERVE_SIAE": (1, 1)}
    shares = cells(rows, "departement_execution", columns=columns)     # P2 works in both
    assert shares["93"] == pytest.approx((2600.5 / 3800, 0.6)) and shares["75"] == pytest.approx((1199.5 / 3800, 0.6))
    assert not rows["secret"].any()


# --- invariants ----------------------------------------------------------------------------------
#
# Each invariant is checked twice: on the raw indicator tables (``indicators.key_figures`` and
# ``indicators.breakdowns``: every group), and on the published, protected tables of ``compute``
# wherever no cell of the group is under statistical secrecy. The example (realistic volumes,
# default rule) has secret cells; the tiny fixture is computed with the rule switched off.

EXCLUSIVE = [d for d in catalogue.DIMENSIONS if d.name != "publics"]
MEASURES = ["heures", "contrats", "participants", "part_heures", "part_participants", "operations"]


@dataclass
class Tables:
    """Key figures (``perimetre, indicateur, valeur, secret``) and breakdowns of one year."""

    key: pd.DataFrame
    rows: pd.DataFrame


@dataclass
class Edition:
    """One edition as published (``results``) and its raw, unprotected tables."""

    name: str
    results: Results
    raw: Tables

    @property
    def published(self) -> Tables:
        return Tables(self.results.key_figures[["perimetre", "indicateur", "valeur", "secret"]],
                      self.results.breakdowns)

    def meaningful(self, checked: int, skipped: int, total: int) -> None:
        """The published tables were checked on every group without secret cell, and on most."""
        assert checked + skipped == total
        if self.name == "minuscule":  # the rule is off: nothing to skip
            assert skipped == 0
        else:
            assert checked >= total / 2, (checked, skipped)


def raw_tables(dataset) -> Tables:
    facts = indicators.fact_table(dataset)
    return Tables(indicators.key_figures(dataset, facts).assign(secret=False), indicators.breakdowns(dataset, facts))


@pytest.fixture(scope="module")
def example_years(tmp_path_factory):
    root = tmp_path_factory.mktemp("exemple")
    example.generate(root, years=(2018, 2019))
    return validation.load_years(root, 2019)


@pytest.fixture(scope="module")
def example_results(example_years):
    return compute(*example_years, Config(), example=True)  # the default rule: secrecy applies


@pytest.fixture(scope="module", params=["exemple", "minuscule"])
def edition(request, tiny):
    if request.param == "exemple":
        return Edition("exemple", request.getfixturevalue("example_results"),
                       raw_tables(request.getfixturevalue("example_years")[0]))
    return Edition("minuscule", compute(*tiny, open_config(), example=False), raw_tables(tiny[0]))


def test_small_bands_of_the_age_pyramid_are_secret_and_audited(example_years, example_results):
    """The five-year × sex cross goes through secrecy as declared: every cell of fewer
    participants than the threshold is hidden (and the audit of the edition passed)."""
    raw = indicators.breakdowns(example_years[0])
    raw = raw[raw["dimension"] == "sexe_x_age_quinquennal"]
    small = raw[(raw["participants"] > 0) & (raw["participants"] < Config().secret_seuil)]
    assert len(small) >= 4  # some bands of 60 and over, of under 20, in the départements
    for row in small.itertuples():
        published = example_results.breakdown("sexe_x_age_quinquennal", row.perimetre)
        assert published.set_index("code").loc[row.code, "secret"], (row.perimetre, row.code)
    region = example_results.breakdown("sexe_x_age_quinquennal", "region")
    assert not region["secret"].any() and region["participants"].sum() == example_results.figure("participants")
    audit = example_results.confidentiality  # the audit covered the hidden cells, none recoverable
    assert audit.audited >= len(small) and audit.narrowest >= Config().secret_seuil


def test_example_data_is_big_enough_to_mean_something(example_results):
    assert len(example_results.departements) >= 8
    assert example_results.figure("contrats") > 1000
    assert example_results.previous_year == 2018


def test_published_tables_are_the_raw_ones_with_secret_cells_blank(edition):
    raw, published = edition.raw, edition.published
    rows = published.rows
    assert rows[["perimetre", "dimension", "code", "libelle"]].equals(raw.rows[["perimetre", "dimension", "code",
                                                                                 "libelle"]])
    secret = rows["secret"].to_numpy(bool)
    pd.testing.assert_frame_equal(rows.loc[~secret, MEASURES], raw.rows.loc[~secret, MEASURES], check_dtype=False)
    assert rows.loc[secret, MEASURES].isna().all().all()
    key = published.key.set_index(["perimetre", "indicateur"])
    raw_key = raw.key.set_index(["perimetre", "indicateur"])
    assert list(key.index) == list(raw_key.index)
    shown = ~key["secret"]
    pd.testing.assert_series_equal(key.loc[shown, "valeur"], raw_key.loc[shown, "valeur"])
    assert key.loc[~shown, "valeur"].isna().all()
    participants = rows.loc[~secret, "participants"]
    if edition.name == "minuscule":
        assert not secret.any() and not key["secret"].any()
        assert ((participants > 0) & (participants < 5)).any()  # …which the default rule would hide
    else:  # the rule is active by default: the example's tables do hold secret cells…
        assert secret.sum() >= 10 and edition.results.confidentiality.suppressed == secret.sum()
        # …and no published count of participants is below the threshold, except zero
        assert ((participants == 0) | (participants >= 5)).all()
        counts = key.xs("participants", level="indicateur")
        assert ((counts.loc[~counts["secret"], "valeur"] == 0) | (counts.loc[~counts["secret"], "valeur"] >= 5)).all()


def _exclusive_sums(tables: Tables) -> tuple[int, int]:
    """Check that every exclusive breakdown and cross-tab adds up to its perimeter's key figures;
    returns the numbers of (perimeter, breakdown) checked and skipped (a secret value in it)."""
    key = tables.key.set_index(["perimetre", "indicateur"])
    value, hidden = key["valeur"], key["secret"]
    rows = tables.rows
    checked = skipped = 0
    for perimetre in value.index.get_level_values(0).unique():
        totals = [(perimetre, code) for code in ("heures", "contrats", "participants", "operations")]
        for name, dim in [*((d.name, d) for d in EXCLUSIVE), *((cross.name, None) for cross in catalogue.CROSSES)]:
            part = rows[(rows["dimension"] == name) & (rows["perimetre"] == perimetre)]
            assert part["code"].is_unique, (perimetre, name)
            if part["secret"].any() or hidden[totals].any():
                skipped += 1
                continue
            assert part["heures"].sum() == pytest.approx(value[(perimetre, "heures")], rel=1e-9), (perimetre, name)
            assert part["contrats"].sum() == value[(perimetre, "contrats")], (perimetre, name)
            checked += 1
            if dim is None:  # a cross-tab: people may be in several cells
                continue
            if dim.level == "participant":
                assert part["participants"].sum() == value[(perimetre, "participants")], (perimetre, name)
                assert part["part_participants"].sum() == pytest.approx(1), (perimetre, name)
            if dim.level == "operation":
                assert part["operations"].sum() == value[(perimetre, "operations")], (perimetre, name)
            if value[(perimetre, "heures")] > 0:
                assert part["part_heures"].sum() == pytest.approx(1), (perimetre, name)
    return checked, skipped


def test_exclusive_breakdowns_add_up_to_the_key_figures(edition):
    perimeters = edition.raw.key["perimetre"].nunique()
    total = perimeters * (len(EXCLUSIVE) + len(catalogue.CROSSES))
    assert _exclusive_sums(edition.raw) == (total, 0)
    edition.meaningful(*_exclusive_sums(edition.published), total)


ADDITIVE_PREFIXES = ("heures_public_",)
ADDITIVE = ("heures", "etp_1607", "etp_1820", "contrats", "operations", "heures_iae", "heures_alternance")
DISTINCT = ("participants", "entreprises", "donneurs_ordre", "operations_actives")


def _region_sums(tables: Tables) -> tuple[int, int]:
    """Check that the region is the sum of its départements, key figure by key figure and breakdown
    cell by breakdown cell; returns the numbers of groups checked and skipped (a secret value in it)."""
    key = tables.key
    checked = skipped = 0
    codes = [c for c in key["indicateur"].drop_duplicates() if c in ADDITIVE + DISTINCT or c.startswith(
        ADDITIVE_PREFIXES)]
    assert set(ADDITIVE + DISTINCT) <= set(codes)
    for code in codes:
        group = key[key["indicateur"] == code]
        if group["secret"].any():
            skipped += 1
            continue
        region = group.loc[group["perimetre"] == "region", "valeur"]
        assert len(region) == 1, code
        local = group.loc[group["perimetre"] != "region", "valeur"].sum()
        if code in DISTINCT:  # people, buyers, companies are distinct counts: one may be in several
            assert region.iloc[0] <= local, code
        else:
            assert region.iloc[0] == pytest.approx(local, rel=1e-9), code
        checked += 1
    # every breakdown cell too: region = Σ départements, code by code (except the bands of
    # hours per participant, which depend on the perimeter: P2 has 920.5 h in all, 120 h in 75)
    rows = tables.rows[tables.rows["dimension"] != "heures_par_participant"]
    for (dimension, code), group in rows.groupby(["dimension", "code"], sort=False):
        mine = group[group["perimetre"] == "region"]
        assert len(mine) == 1, (dimension, code)  # every département's cell is in the region's table
        if group["secret"].any():
            skipped += 1
            continue
        local = group[group["perimetre"] != "region"]
        assert mine["heures"].iloc[0] == pytest.approx(local["heures"].sum(), rel=1e-9, abs=1e-9), (dimension, code)
        assert mine["contrats"].iloc[0] == local["contrats"].sum(), (dimension, code)
        checked += 1
    return checked, skipped


def test_region_is_the_sum_of_departements(edition):
    checked, skipped = _region_sums(edition.raw)
    assert skipped == 0 and checked >= 50
    edition.meaningful(*_region_sums(edition.published), checked)


def _cross_margins(tables: Tables) -> tuple[int, int]:
    """Check that the sex × age cross-tab adds up to both breakdowns, margin cell by margin cell;
    returns the numbers of margin cells checked and skipped (a secret value among them)."""
    rows = tables.rows
    cross = rows[rows["dimension"] == "sexe_x_tranche_age"].assign(
        sexe=lambda f: f["code"].str.split("|").str[0], tranche_age=lambda f: f["code"].str.split("|").str[1])
    checked = skipped = 0
    for marginal in ("sexe", "tranche_age"):
        direct = rows[rows["dimension"] == marginal].set_index(["perimetre", "code"])
        groups = dict(list(cross.groupby(["perimetre", marginal], sort=False)))
        assert set(groups) == set(direct.index), marginal
        for cell, group in groups.items():
            if direct.loc[cell, "secret"] or group["secret"].any():
                skipped += 1
                continue
            assert group["heures"].sum() == pytest.approx(direct.loc[cell, "heures"], rel=1e-9), (marginal, cell)
            for column in ("contrats", "participants"):  # a person is in one sex and one age band
                assert group[column].sum() == direct.loc[cell, column], (marginal, cell, column)
            checked += 1
    return checked, skipped


def test_sexe_by_age_sums_to_the_sexe_marginals(edition):
    checked, skipped = _cross_margins(edition.raw)
    assert skipped == 0 and checked >= 2 + 3
    edition.meaningful(*_cross_margins(edition.published), checked)


@pytest.mark.parametrize("view", ["raw", "published"])
def test_shares_are_fractions(edition, view):
    tables = getattr(edition, view)
    key = tables.key
    shares = key[key["indicateur"].str.startswith("part_")]["valeur"].dropna()
    assert len(shares) > 0 and shares.between(0, 1).all()
    rows = tables.rows
    for column in ("part_heures", "part_participants"):
        assert rows[column].dropna().between(0, 1).all()
