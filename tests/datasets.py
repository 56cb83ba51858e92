"""Build small datasets in a temporary folder, in any form the input contract allows.

``write_dataset(root, year, tables)`` writes the given tables (rows as dicts,
or DataFrames) under ``root/year`` as CSV, one ``.xlsx`` per table, one
workbook with a sheet per table, or Parquet. ``clean_tables(year)`` is a small
valid dataset to start from; tests copy it and change what they need.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

FORMATS = ("csv", "xlsx", "workbook", "parquet")


def clean_tables(year: int = 2019) -> dict[str, list[dict]]:
    """A valid dataset of year ``year``: 2 buyers, 3 operations, 3 companies,
    4 participants (ages 21, 49, 34 and 59), 6 contracts, every value a
    canonical code or a clean number or ISO date."""
    y, before, after = year, year - 1, year + 1
    return {
        "donneurs_ordre": [
            {"donneur_ordre_id": "D1", "nom": "Ville de Saint-Denis", "type": "COMMUNE",
             "siret": "21930066800015", "departement": "93"},
            {"donneur_ordre_id": "D2", "nom": "Société du Grand Paris", "type": "ETABLISSEMENT_PUBLIC",
             "siret": "", "departement": "93"},
        ],
        "operations": [
            {"operation_id": "OP1", "intitule": "Groupe scolaire", "donneur_ordre_id": "D1", "departement": "93",
             "commune": "93066", "nature": "TRAVAUX", "secteur": "BTP", "modalite": "CLAUSE_EXECUTION",
             "date_notification": f"{before}-11-15", "montant_ht": "1250000.5", "heures_prevues": "3500",
             "grand_projet": "", "facilitateur": "PLIE Plaine Commune"},
            {"operation_id": "OP2", "intitule": "Ligne 16 lot 2", "donneur_ordre_id": "D2", "departement": "93",
             "commune": "", "nature": "TRAVAUX", "secteur": "BTP", "modalite": "CRITERE_ATTRIBUTION",
             "date_notification": f"{before}-06-01", "montant_ht": "", "heures_prevues": "12000",
             "grand_projet": "Grand Paris Express", "facilitateur": "MDE"},
            {"operation_id": "OP3", "intitule": "Nettoyage des locaux", "donneur_ordre_id": "D1",
             "departement": "2A", "commune": "2A004", "nature": "SERVICES", "secteur": "PROPRETE",
             "modalite": "RESERVE_SIAE", "date_notification": "", "montant_ht": "80000",
             "heures_prevues": "", "grand_projet": "", "facilitateur": ""},
        ],
        "entreprises": [
            {"entreprise_id": "E1", "nom": "BTP Nord", "siret": "12345678900012", "type_structure": "ENTREPRISE",
             "taille": "PME", "departement": "93"},
            {"entreprise_id": "E2", "nom": "Intérim Solidaire", "siret": "", "type_structure": "ETTI",
             "taille": "TPE", "departement": "75"},
            {"entreprise_id": "E3", "nom": "Propre et Net", "siret": "", "type_structure": "EI",
             "taille": "", "departement": ""},
        ],
        "participants": [
            {"participant_id": "P1", "sexe": "M", "annee_naissance": str(y - 21), "niveau_qualification": "3",
             "critere_principal": "JEUNE", "publics": "DELD", "commune_residence": "93066",
             "qpv": "OUI", "prescripteur": "MISSION_LOCALE", "situation_sortie": "EMPLOI_DURABLE"},
            {"participant_id": "P2", "sexe": "F", "annee_naissance": str(y - 49), "niveau_qualification": "INFRA_3",
             "critere_principal": "RSA", "publics": "RSA|DELD", "commune_residence": "97411",
             "qpv": "NON", "prescripteur": "FRANCE_TRAVAIL", "situation_sortie": ""},
            {"participant_id": "P3", "sexe": "M", "annee_naissance": str(y - 34), "niveau_qualification": "INCONNU",
             "critere_principal": "DELD", "publics": "", "commune_residence": "",
             "qpv": "", "prescripteur": "", "situation_sortie": "INCONNU"},
            {"participant_id": "P4", "sexe": "F", "annee_naissance": str(y - 59), "niveau_qualification": "6_PLUS",
             "critere_principal": "SENIOR", "publics": "RQTH", "commune_residence": "2B033",
             "qpv": "NON", "prescripteur": "CAP_EMPLOI", "situation_sortie": "SANS_EMPLOI"},
        ],
        "contrats": [
            {"contrat_id": "C1", "operation_id": "OP1", "participant_id": "P1", "entreprise_id": "E1",
             "type_contrat": "CDI", "date_debut": f"{y}-02-01", "date_fin": "", "heures": "1200"},
            {"contrat_id": "C2", "operation_id": "OP1", "participant_id": "P2", "entreprise_id": "E2",
             "type_contrat": "INTERIM_INSERTION", "date_debut": f"{before}-10-01", "date_fin": f"{y}-03-31",
             "heures": "350.5"},
            {"contrat_id": "C3", "operation_id": "OP2", "participant_id": "P2", "entreprise_id": "E1",
             "type_contrat": "APPRENTISSAGE", "date_debut": f"{y}-09-01", "date_fin": f"{after}-08-31",
             "heures": "420"},
            {"contrat_id": "C4", "operation_id": "OP2", "participant_id": "P3", "entreprise_id": "E2",
             "type_contrat": "CDDI", "date_debut": f"{y}-01-01", "date_fin": f"{y}-12-31", "heures": "1607"},
            {"contrat_id": "C5", "operation_id": "OP3", "participant_id": "P4", "entreprise_id": "E3",
             "type_contrat": "CDDI", "date_debut": f"{y}-05-01", "date_fin": f"{y}-06-30", "heures": "300"},
            {"contrat_id": "C6", "operation_id": "OP3", "participant_id": "P1", "entreprise_id": "E3",
             "type_contrat": "PROFESSIONNALISATION", "date_debut": f"{y}-11-04", "date_fin": "",
             "heures": "75.25"},
        ],
    }


def write_dataset(root: Path, year: int, tables: dict[str, list[dict] | pd.DataFrame], fmt: str = "csv",
                  sep: str = ";", encoding: str = "utf-8", newline: str = "\n",
                  workbook: str = "donnees.xlsx") -> Path:
    """Write ``tables`` (only those given) under ``root/year`` and return the folder.

    ``fmt``: ``csv`` (``sep``, ``encoding`` — e.g. ``utf-8-sig`` for a BOM,
    ``cp1252`` — and ``newline`` apply), ``xlsx`` (one workbook per table),
    ``workbook`` (one workbook named ``workbook``, a sheet per table) or
    ``parquet``. Columns are those of the DataFrame, or the keys of the rows in
    first-seen order; ``None`` is written as an empty cell.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu : {fmt}")
    folder = Path(root) / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    frames = {name: _frame(rows) for name, rows in tables.items()}
    if fmt == "workbook":
        with pd.ExcelWriter(folder / workbook, engine="openpyxl") as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name, index=False)
        return folder
    for name, frame in frames.items():
        if fmt == "csv":
            with open(folder / f"{name}.csv", "w", encoding=encoding, newline="") as handle:
                writer = csv.writer(handle, delimiter=sep, lineterminator=newline)
                writer.writerow(frame.columns)
                writer.writerows(frame.itertuples(index=False))
        elif fmt == "xlsx":
            frame.to_excel(folder / f"{name}.xlsx", sheet_name=name, index=False)
        else:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def _frame(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows
    columns = list(dict.fromkeys(column for row in rows for column in row))
    return pd.DataFrame([[row.get(column) for column in columns] for row in rows], columns=columns, dtype=object)


#: No statistical secrecy: for fixtures of a handful of people whose figures the tests check one by one.
# The small datasets have an operation in Corse-du-Sud: the test region includes it.
TEST_DEPARTEMENTS = ("75", "77", "78", "91", "92", "93", "94", "95", "2A")
OPEN_CONFIG_TOML = ("[region]\ndepartements = [" + ", ".join(f'"{code}"' for code in TEST_DEPARTEMENTS) + "]\n"
                    "[secret]\nseuil = 1\nentreprises_min = 1\ndominance = 1.0\n")


def open_config():
    """A configuration that publishes every cell (the confidentiality rule switched off),
    for a region holding the small datasets' départements."""
    from panorama.core.config import Config

    return Config(departements=TEST_DEPARTEMENTS, secret_seuil=1, secret_entreprises_min=1, secret_dominance=1.0)


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``panorama ARGS`` in process: exit status, stdout, stderr (never a traceback)."""
    import sys

    from panorama import cli

    monkeypatch.setattr(sys, "argv", ["panorama", *args])
    monkeypatch.delenv("PANORAMA_DEBUG", raising=False)
    status = cli.main()
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err
