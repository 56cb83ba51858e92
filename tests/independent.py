"""A tiny hand-computed dataset, and a naive second implementation of the indicators.

``tiny_tables(2019)`` / ``tiny_previous_tables()`` are the fixture whose every
figure is computed by hand in ``test_indicators.py``. ``messy_tiny_tables()``
is the same 2019 data the way a facilitator's spreadsheet holds it (usual
labels, decimal commas, French dates) — to be written as Windows-1252 with
``;``.

:func:`key_figures` and :func:`breakdown` re-implement
``../shared/spec/indicators.md`` directly from the clean CSV files with plain
pandas and Python loops, deliberately without any of panorama's code: it only
understands canonical codes, UTF-8 and ISO dates (the clean fixture), and it
is written for obviousness, not speed. It knows nothing of statistical
secrecy: the tests compare it with an export built with the rule switched off
(``datasets.open_config``), or with the published values whose ``secret`` is
false.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

TABLE_NAMES = ("operations", "donneurs_ordre", "entreprises", "participants", "contrats")
CRITERES = ("DELD", "RSA", "RQTH", "MINIMA_SOCIAUX", "JEUNE", "SENIOR", "SIAE", "PLIE", "AUTRE")
IAE = ("INTERIM_INSERTION", "MISE_A_DISPOSITION_AI", "CDDI")
ALTERNANCE = ("APPRENTISSAGE", "PROFESSIONNALISATION", "GEIQ")
# The spec asks for taux_evolution_heures; the export gives the rate for every count-like figure.
EVOLUTION_CODES = ("heures", "etp_1607", "etp_1820", "participants", "contrats", "operations",
                   "operations_actives", "donneurs_ordre", "entreprises", "heures_par_participant",
                   "heures_par_contrat", "taux_realisation_annuel")


# ---------------------------------------------------------------------------------------------
# The tiny fixture (every figure of it is computed by hand in test_indicators.py)
# ---------------------------------------------------------------------------------------------

def tiny_tables(year: int = 2019) -> dict[str, list[dict]]:
    """2 départements (93, 75), 4 operations (OP4 without contract), 3 buyers of
    2 types, 3 companies (an ordinary one, an ETTI, a GEIQ), 6 participants (P6
    without contract), 8 contracts (P2 works in 93 and in 75). Written for 2019."""
    assert year == 2019, "the hand computations are for 2019"
    return {
        "donneurs_ordre": [
            {"donneur_ordre_id": "D1", "nom": "Ville de Saint-Denis", "type": "COMMUNE", "departement": "93"},
            {"donneur_ordre_id": "D2", "nom": "Société du Grand Paris", "type": "ETABLISSEMENT_PUBLIC",
             "departement": "93"},
            {"donneur_ordre_id": "D3", "nom": "Ville de Paris", "type": "COMMUNE", "departement": "75"},
        ],
        "operations": [
            {"operation_id": "OP1", "donneur_ordre_id": "D1", "departement": "93", "nature": "TRAVAUX",
             "secteur": "BTP", "modalite": "CLAUSE_EXECUTION", "date_notification": "2018-11-15",
             "montant_ht": "1250000.5", "heures_prevues": "3000", "grand_projet": ""},
            {"operation_id": "OP2", "donneur_ordre_id": "D2", "departement": "93", "nature": "TRAVAUX",
             "secteur": "BTP", "modalite": "CRITERE_ATTRIBUTION", "date_notification": "2018-06-01",
             "montant_ht": "", "heures_prevues": "10000.5", "grand_projet": "Grand Paris Express"},
            {"operation_id": "OP3", "donneur_ordre_id": "D3", "departement": "75", "nature": "SERVICES",
             "secteur": "PROPRETE", "modalite": "RESERVE_SIAE", "date_notification": "",
             "montant_ht": "80000", "heures_prevues": "4000", "grand_projet": ""},
            {"operation_id": "OP4", "donneur_ordre_id": "D2", "departement": "75", "nature": "SERVICES",
             "secteur": "", "modalite": "CLAUSE_EXECUTION", "date_notification": "2019-12-02",
             "montant_ht": "", "heures_prevues": "", "grand_projet": ""},
        ],
        "entreprises": [
            {"entreprise_id": "E1", "nom": "BTP Nord", "type_structure": "ENTREPRISE", "taille": "PME"},
            {"entreprise_id": "E2", "nom": "Intérim Solidaire", "type_structure": "ETTI", "taille": "TPE"},
            {"entreprise_id": "E3", "nom": "GEIQ BTP", "type_structure": "GEIQ", "taille": ""},
        ],
        "participants": [
            # age in 2019 = 2019 − annee_naissance
            {"participant_id": "P1", "sexe": "F", "annee_naissance": "1994",  # 25: moins de 26
             "niveau_qualification": "3", "critere_principal": "JEUNE", "publics": "DELD",
             "commune_residence": "93066", "qpv": "OUI", "prescripteur": "MISSION_LOCALE",
             "situation_sortie": "EMPLOI_DURABLE"},
            {"participant_id": "P2", "sexe": "M", "annee_naissance": "1993",  # 26: 26–49
             "niveau_qualification": "INFRA_3", "critere_principal": "DELD", "publics": "RSA",
             "commune_residence": "2A004", "qpv": "NON", "prescripteur": "FRANCE_TRAVAIL",
             "situation_sortie": "INCONNU"},
            {"participant_id": "P3", "sexe": "F", "annee_naissance": "1969",  # 50: 50 et plus
             "niveau_qualification": "4", "critere_principal": "SENIOR", "publics": "DELD|RQTH",
             "commune_residence": "97110", "qpv": "", "prescripteur": "CAP_EMPLOI",
             "situation_sortie": "SANS_EMPLOI"},
            {"participant_id": "P4", "sexe": "M", "annee_naissance": "1970",  # 49: 26–49
             "niveau_qualification": "INCONNU", "critere_principal": "RSA", "publics": "",
             "commune_residence": "", "qpv": "NON", "prescripteur": "",
             "situation_sortie": ""},
            {"participant_id": "P5", "sexe": "M", "annee_naissance": "1999",  # 20: moins de 26
             "niveau_qualification": "3", "critere_principal": "JEUNE", "publics": "",
             "commune_residence": "75112", "qpv": "OUI", "prescripteur": "MISSION_LOCALE",
             "situation_sortie": "EMPLOI_TRANSITION"},
            {"participant_id": "P6", "sexe": "F", "annee_naissance": "1980",  # no contract: not counted
             "niveau_qualification": "5", "critere_principal": "DELD", "publics": "",
             "commune_residence": "93001", "qpv": "OUI", "prescripteur": "",
             "situation_sortie": "EMPLOI_DURABLE"},
        ],
        "contrats": [
            {"contrat_id": "C1", "operation_id": "OP1", "participant_id": "P1", "entreprise_id": "E1",
             "type_contrat": "CDI", "date_debut": "2019-01-07", "date_fin": "", "heures": "1000"},
            {"contrat_id": "C2", "operation_id": "OP1", "participant_id": "P2", "entreprise_id": "E2",
             "type_contrat": "INTERIM_INSERTION", "date_debut": "2019-02-01", "date_fin": "2019-04-30",
             "heures": "300"},
            {"contrat_id": "C3", "operation_id": "OP2", "participant_id": "P2", "entreprise_id": "E3",
             "type_contrat": "GEIQ", "date_debut": "2019-05-01", "date_fin": "2019-12-31", "heures": "500.5"},
            {"contrat_id": "C4", "operation_id": "OP3", "participant_id": "P2", "entreprise_id": "E2",
             "type_contrat": "INTERIM_INSERTION", "date_debut": "2019-09-01", "date_fin": "2019-09-30",
             "heures": "120"},
            {"contrat_id": "C5", "operation_id": "OP3", "participant_id": "P3", "entreprise_id": "E2",
             "type_contrat": "INTERIM_INSERTION", "date_debut": "2018-11-01", "date_fin": "2019-03-31",
             "heures": "400"},
            {"contrat_id": "C6", "operation_id": "OP2", "participant_id": "P4", "entreprise_id": "E1",
             "type_contrat": "APPRENTISSAGE", "date_debut": "2018-09-01", "date_fin": "2020-08-31",
             "heures": "800"},
            {"contrat_id": "C7", "operation_id": "OP3", "participant_id": "P5", "entreprise_id": "E3",
             "type_contrat": "PROFESSIONNALISATION", "date_debut": "2019-03-01", "date_fin": "2019-08-31",
             "heures": "600"},
            {"contrat_id": "C8", "operation_id": "OP3", "participant_id": "P5", "entreprise_id": "E2",
             "type_contrat": "INTERIM_INSERTION", "date_debut": "2019-10-01", "date_fin": "",
             "heures": "79.5"},
        ],
    }


def tiny_previous_tables() -> dict[str, list[dict]]:
    """Year 2018 of the fixture: 2,080.4 hours in 93 and 2,399 in 75 (4,479.4 in all)."""
    tables = copy.deepcopy(tiny_tables(2019))
    tables["operations"] = [op for op in tables["operations"] if op["operation_id"] in ("OP1", "OP3")]
    tables["donneurs_ordre"] = [d for d in tables["donneurs_ordre"] if d["donneur_ordre_id"] in ("D1", "D3")]
    tables["participants"] = [p for p in tables["participants"] if p["participant_id"] in ("P1", "P3")]
    tables["contrats"] = [
        {"contrat_id": "K1", "operation_id": "OP1", "participant_id": "P1", "entreprise_id": "E1",
         "type_contrat": "CDD", "date_debut": "2018-03-01", "date_fin": "2018-12-31", "heures": "2080.4"},
        {"contrat_id": "K2", "operation_id": "OP3", "participant_id": "P3", "entreprise_id": "E2",
         "type_contrat": "INTERIM_INSERTION", "date_debut": "2018-01-01", "date_fin": "2018-12-31",
         "heures": "2399"},
    ]
    return tables


# The same values as a spreadsheet export holds them (usual labels, not codes).
_MESSY = {
    ("operations", "nature"): {"TRAVAUX": "Travaux", "SERVICES": "Marché de services"},
    ("operations", "modalite"): {"CLAUSE_EXECUTION": "Clause d'exécution", "CRITERE_ATTRIBUTION": "Article 53",
                                 "RESERVE_SIAE": "Marché réservé aux SIAE"},
    ("operations", "secteur"): {"BTP": "Bâtiment", "PROPRETE": "Nettoyage"},
    ("donneurs_ordre", "type"): {"COMMUNE": "Commune", "ETABLISSEMENT_PUBLIC": "Établissement public"},
    ("entreprises", "type_structure"): {"ENTREPRISE": "Entreprise classique",
                                        "ETTI": "Entreprise de travail temporaire d'insertion",
                                        "GEIQ": "GEIQ"},
    ("participants", "sexe"): {"F": "Femme", "M": "Homme"},
    ("participants", "niveau_qualification"): {"3": "CAP", "INFRA_3": "sans qualification", "4": "Bac",
                                               "INCONNU": "non renseigné", "5": "BTS"},
    ("participants", "critere_principal"): {"JEUNE": "Jeune", "DELD": "Demandeur d'emploi de longue durée",
                                            "SENIOR": "Senior", "RSA": "Allocataire du RSA"},
    ("participants", "publics"): {"DELD": "DELD", "RSA": "bénéficiaire du RSA",
                                  "DELD|RQTH": "DELD | travailleur handicapé"},
    ("participants", "qpv"): {"OUI": "Oui", "NON": "Non"},
    ("participants", "prescripteur"): {"MISSION_LOCALE": "Mission locale", "FRANCE_TRAVAIL": "Pôle emploi",
                                       "CAP_EMPLOI": "Cap emploi"},
    ("participants", "situation_sortie"): {"EMPLOI_DURABLE": "Emploi durable", "INCONNU": "Inconnu",
                                           "SANS_EMPLOI": "Sans emploi",
                                           "EMPLOI_TRANSITION": "Emploi de transition"},
    ("contrats", "type_contrat"): {"CDI": "CDI", "INTERIM_INSERTION": "Intérim d'insertion",
                                   "GEIQ": "Contrat GEIQ", "APPRENTISSAGE": "Contrat d'apprentissage",
                                   "PROFESSIONNALISATION": "Contrat de professionnalisation"},
}
_FRENCH_HEADERS = {"operation_id": "Opération ID", "departement": "Département",
                   "annee_naissance": "Année naissance", "critere_principal": "Critère principal",
                   "date_debut": "Date début", "date_fin": "Date fin", "heures": " HEURES "}


def _french_date(iso: str) -> str:
    return "" if not iso else f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _french_number(text: str) -> str:
    return text.replace(".", ",")


def messy_tiny_tables() -> dict[str, list[dict]]:
    """``tiny_tables(2019)`` with usual labels instead of codes, decimal commas,
    dates ``31/03/2019`` and French headers."""
    tables = copy.deepcopy(tiny_tables(2019))
    for (table, column), labels in _MESSY.items():
        for row in tables[table]:
            if row.get(column):
                row[column] = labels[row[column]]
    for table, rows in tables.items():
        for row in rows:
            for column in ("date_notification", "date_debut", "date_fin"):
                if column in row:
                    row[column] = _french_date(row[column])
            for column in ("montant_ht", "heures", "heures_prevues"):
                if column in row:
                    row[column] = _french_number(row[column])
    return {table: [{_FRENCH_HEADERS.get(k, k): v for k, v in row.items()} for row in rows]
            for table, rows in tables.items()}


# ---------------------------------------------------------------------------------------------
# A naive second implementation of spec/indicators.md
# ---------------------------------------------------------------------------------------------

def read_clean(folder: Path, sep: str = ";") -> dict[str, pd.DataFrame]:
    """The five clean CSV files of one year folder, every cell as text ('' when blank)."""
    return {name: pd.read_csv(Path(folder) / f"{name}.csv", sep=sep, dtype=str, keep_default_na=False,
                              encoding="utf-8")
            for name in TABLE_NAMES}


def _departement_of_commune(commune: str) -> str:
    if not commune:
        return "NON_RENSEIGNE"
    return commune[:3] if commune.startswith("97") else commune[:2]


def _age_band(age: int) -> str:
    if age <= 25:
        return "MOINS_26"
    if age >= 50:
        return "50_PLUS"
    return "26_49"


def facts(tables: dict[str, pd.DataFrame], year: int) -> list[dict]:
    """One dict per contract with everything needed, built with plain dictionaries."""
    ops = {row["operation_id"]: row for row in tables["operations"].to_dict("records")}
    buyers = {row["donneur_ordre_id"]: row for row in tables["donneurs_ordre"].to_dict("records")}
    companies = {row["entreprise_id"]: row for row in tables["entreprises"].to_dict("records")}
    people = {row["participant_id"]: row for row in tables["participants"].to_dict("records")}
    out = []
    for contract in tables["contrats"].to_dict("records"):
        op = ops[contract["operation_id"]]
        person = people[contract["participant_id"]]
        publics = {person["critere_principal"]} | {p for p in person["publics"].split("|") if p}
        qpv = person["qpv"]
        out.append({
            "contrat_id": contract["contrat_id"],
            "participant_id": contract["participant_id"],
            "operation_id": contract["operation_id"],
            "entreprise_id": contract["entreprise_id"],
            "heures": float(contract["heures"]),
            "type_contrat": contract["type_contrat"],
            "departement": op["departement"],
            "modalite": op["modalite"],
            "nature": op["nature"],
            "secteur": op["secteur"] or "NON_RENSEIGNE",
            "type_donneur_ordre": buyers[op["donneur_ordre_id"]]["type"],
            "type_structure": companies[contract["entreprise_id"]]["type_structure"],
            "sexe": person["sexe"],
            "tranche_age": _age_band(year - int(person["annee_naissance"])),
            "critere_principal": person["critere_principal"],
            "publics": publics,
            "qpv": {"OUI": True, "NON": False}.get(qpv),
            "qpv_code": qpv or "NON_RENSEIGNE",
            "situation_sortie": person["situation_sortie"],
            "sortie_code": person["situation_sortie"] or "NON_RENSEIGNE",
            "departement_residence": _departement_of_commune(person["commune_residence"]),
        })
    return out


def perimeters(tables: dict[str, pd.DataFrame]) -> list[str]:
    """``region`` and every département of an operation."""
    return ["region", *sorted(set(tables["operations"]["departement"]))]


def _in(perimeter: str, departement: str) -> bool:
    return perimeter == "region" or departement == perimeter


def key_figures(tables: dict[str, pd.DataFrame], year: int,
                previous: dict[str, pd.DataFrame] | None = None) -> dict[tuple[str, str], float]:
    """``{(perimetre, indicateur): valeur}`` following the spec's table line by line.

    Undefined values (a share over nobody) are left out."""
    rows = facts(tables, year)
    result: dict[tuple[str, str], float] = {}
    for perimeter in perimeters(tables):
        mine = [r for r in rows if _in(perimeter, r["departement"])]
        ops = [op for op in tables["operations"].to_dict("records") if _in(perimeter, op["departement"])]
        heures = sum(r["heures"] for r in mine)
        # one record per participant: their attributes do not depend on the contract
        people = {r["participant_id"]: r for r in mine}
        n = len(people)
        figures = {
            "heures": heures,
            "etp_1607": heures / 1607,
            "etp_1820": heures / 1820,
            "participants": n,
            "contrats": len(mine),
            "operations": len(ops),
            "operations_actives": len({r["operation_id"] for r in mine}),
            "donneurs_ordre": len({op["donneur_ordre_id"] for op in ops}),
            "entreprises": len({r["entreprise_id"] for r in mine}),
            "heures_iae": sum(r["heures"] for r in mine if r["type_contrat"] in IAE),
            "heures_alternance": sum(r["heures"] for r in mine if r["type_contrat"] in ALTERNANCE),
        }
        for code in CRITERES:
            figures[f"heures_public_{code}"] = sum(r["heures"] for r in mine if code in r["publics"])
        # beyond the spec's table, also published: hours of QPV residents, and shares of hours
        figures["heures_public_QPV"] = sum(r["heures"] for r in mine if r["qpv"] is True)
        if heures:
            for code in [c for c in figures if c.startswith("heures_public_")] + ["heures_iae",
                                                                                  "heures_alternance"]:
                figures["part_" + code] = figures[code] / heures
        if n:
            figures["heures_par_participant"] = heures / n
            figures["part_femmes"] = sum(p["sexe"] == "F" for p in people.values()) / n
            for band, code in (("MOINS_26", "part_moins_26"), ("26_49", "part_26_49"),
                               ("50_PLUS", "part_50_plus")):
                figures[code] = sum(p["tranche_age"] == band for p in people.values()) / n
        if mine:
            figures["heures_par_contrat"] = heures / len(mine)
        committed = {op["operation_id"]: float(op["heures_prevues"]) for op in ops
                     if op.get("heures_prevues") and float(op["heures_prevues"]) > 0}
        if committed:  # beyond the spec's table: hours done this year on committed operations ÷ committed
            figures["taux_realisation_annuel"] = \
                sum(r["heures"] for r in mine if r["operation_id"] in committed) / sum(committed.values())
        if ops:  # beyond the spec's table: coverage of the planned hours and of the amounts, amounts by nature
            figures["couverture_heures_prevues"] = len(committed) / len(ops)
            types = {d["donneur_ordre_id"]: d["type"] for d in tables["donneurs_ordre"].to_dict("records")}
            public = [op for op in ops if op["modalite"] != "HORS_COMMANDE_PUBLIQUE"
                      and types[op["donneur_ordre_id"]] != "PRIVE"]
            amounts = [op for op in public if op.get("montant_ht")]
            if public:
                figures["couverture_montant_ht"] = len(amounts) / len(public)
            if amounts:
                figures["montant_ht"] = sum(float(op["montant_ht"]) for op in amounts)
            for nature in ("TRAVAUX", "SERVICES", "FOURNITURES"):
                if any(op["nature"] == nature for op in amounts):
                    figures[f"montant_ht_{nature}"] = sum(float(op["montant_ht"]) for op in amounts
                                                          if op["nature"] == nature)
        qpv_known = [p for p in people.values() if p["qpv"] is not None]
        if qpv_known:
            figures["part_qpv"] = sum(p["qpv"] for p in qpv_known) / len(qpv_known)
        known = [p for p in people.values() if p["situation_sortie"] not in ("", "INCONNU")]
        if known:
            figures["part_sortie_emploi_durable"] = \
                sum(p["situation_sortie"] == "EMPLOI_DURABLE" for p in known) / len(known)
        for code, value in figures.items():
            result[(perimeter, code)] = float(value)
    if previous is not None:
        before = key_figures(previous, year - 1)
        for (perimeter, code), value in list(result.items()):
            if code in EVOLUTION_CODES and before.get((perimeter, code)):
                result[(perimeter, f"taux_evolution_{code}")] = value / before[(perimeter, code)] - 1
    return result


def breakdown(tables: dict[str, pd.DataFrame], year: int, dimension: str, column: str | None = None
              ) -> dict[tuple[str, str], dict[str, float]]:
    """``{(perimetre, code): {heures, contrats, participants, part_heures, part_participants}}``
    of one breakdown (``column`` of :func:`facts`, default ``dimension``; ``publics``
    counts a contract under each public of its participant)."""
    column = column or dimension
    rows = facts(tables, year)
    out = {}
    for perimeter in perimeters(tables):
        mine = [r for r in rows if _in(perimeter, r["departement"])]
        total_hours = sum(r["heures"] for r in mine)
        total_people = len({r["participant_id"] for r in mine})
        codes = {}
        for r in mine:
            for code in (sorted(r[column]) if dimension == "publics" else [r[column]]):
                codes.setdefault(code, []).append(r)
        for code, members in codes.items():
            hours = sum(r["heures"] for r in members)
            people = len({r["participant_id"] for r in members})
            out[(perimeter, code)] = {
                "heures": hours, "contrats": len(members), "participants": people,
                "part_heures": hours / total_hours, "part_participants": people / total_people,
            }
    return out
