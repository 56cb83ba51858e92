"""Validation of a year against the input contract: conversions, every rule, messages."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from datasets import clean_tables, write_dataset

from panorama.core.errors import AVERTISSEMENT, DataError
from panorama.input.dataset import TABLES
from panorama.input.validation import COLUMNS, MAX_LISTED, load_year, load_years

FRENCH_HEADERS = {
    "operation_id": "Opération ID", "intitule": "Intitulé", "donneur_ordre_id": "Donneur-ordre ID",
    "departement": "Département", "date_notification": "Date notification", "montant_ht": "Montant HT",
    "heures_prevues": "Heures prévues", "annee_naissance": "Année naissance",
    "niveau_qualification": "Niveau qualification", "critere_principal": "Critère principal",
    "commune_residence": "Commune résidence", "type_contrat": "Type contrat", "date_debut": "Date début",
    "date_fin": "Date fin", "entreprise_id": "Entreprise ID", "type_structure": "Type structure",
    "participant_id": "Participant ID", "contrat_id": "CONTRAT ID", "heures": " Heures ", "qpv": "QPV",
}

# The clean dataset as a facilitator's spreadsheet would hold it: usual labels,
# decimal commas, spaces as thousands separators, French dates.
LABELS = {
    ("operations", "modalite"): ["art. 38", "Article 53", "L2113-13"],
    ("operations", "nature"): ["Travaux", "travaux", "Services"],
    ("operations", "secteur"): ["Bâtiment", "BTP", "Nettoyage"],
    ("operations", "date_notification"): ["15/11/2018", "01/06/2018", ""],
    ("operations", "montant_ht"): ["1\u00a0250\u00a0000,50", "", "80 000"],
    ("operations", "heures_prevues"): ["3 500", "12000,0", ""],
    ("donneurs_ordre", "type"): ["Commune", "Établissement public"],
    ("donneurs_ordre", "siret"): ["219 300 668 00015", ""],
    ("entreprises", "type_structure"): ["Entreprise classique", "ETTI", "Entreprise d'insertion"],
    ("entreprises", "taille"): ["pme", "Très petite entreprise (moins de 10 salariés)", ""],
    ("participants", "sexe"): ["Homme", "Femme", "H", "féminin"],
    ("participants", "niveau_qualification"): ["CAP", "sans qualification", "non renseigné", "master"],
    ("participants", "critere_principal"): ["Jeune", "Allocataires du RSA", "DELD", "Senior"],
    ("participants", "publics"): ["Demandeurs d'emploi de longue durée", "RSA | deld", "", "travailleur handicapé"],
    ("participants", "qpv"): ["oui", "Non", "", "N"],
    ("participants", "prescripteur"): ["Mission locale", "Pôle emploi", "", "Cap emploi"],
    ("participants", "situation_sortie"): ["emploi durable", "", "Inconnu", "sans emploi"],
    ("contrats", "type_contrat"): ["CDI", "intérim d'insertion", "contrat d'apprentissage", "CDD d'insertion",
                                   "cddi", "Contrat de professionnalisation"],
    ("contrats", "date_debut"): ["01/02/2019", "01/10/2018", "1/9/2019", "2019-01-01", "01/05/2019",
                                 "04/11/2019"],
    ("contrats", "date_fin"): ["", "31/03/2019", "31/08/2020", "31/12/2019", "30/06/2019", ""],
    ("contrats", "heures"): ["1 200", "350,5", "420", "1\u00a0607,00", "300", "75,25"],
}


def messy_tables() -> dict[str, list[dict]]:
    tables = clean_tables()
    for (table, column), values in LABELS.items():
        for row, value in zip(tables[table], values, strict=True):
            row[column] = value
    return {table: [{FRENCH_HEADERS.get(k, k.title()): v for k, v in row.items()} for row in rows]
            for table, rows in tables.items()}


def typed_tables() -> dict[str, list[dict]]:
    """The clean dataset with numbers, dates and booleans typed (for Excel and Parquet)."""
    numbers, dates = {"montant_ht", "heures_prevues", "heures"}, {"date_notification", "date_debut", "date_fin"}
    tables = clean_tables()
    for rows in tables.values():
        for row in rows:
            for column, value in row.items():
                if value == "":
                    row[column] = None
                elif column in numbers:
                    row[column] = float(value)
                elif column in dates:
                    row[column] = dt.date.fromisoformat(value)
                elif column == "annee_naissance":
                    row[column] = int(value)
                elif column == "qpv":
                    row[column] = value == "OUI"
    return tables


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean")
    write_dataset(root, 2019, clean_tables())
    return load_year(root, 2019)


def assert_same(dataset, expected):
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(dataset, table), getattr(expected, table))
    for table in TABLES:
        got, want = dataset.quality.tables[table], expected.quality.tables[table]
        assert (got.rows_read, got.excluded, got.completeness) == (want.rows_read, want.excluded, want.completeness)


def fail(tmp_path, tables, year=2019, **options) -> list[str]:
    """Write ``tables``, load them, return the error messages."""
    write_dataset(tmp_path, year, tables, **options)
    with pytest.raises(DataError) as caught:
        load_year(tmp_path, year)
    assert str(caught.value).startswith(f"{len(caught.value.problems)} erreur")
    return [str(p) for p in caught.value.problems]


def src(tmp_path, table, year=2019):
    return str(tmp_path / str(year) / f"{table}.csv")


# --- a valid year ------------------------------------------------------------------------------


def test_clean_dataset_types_and_values(clean):
    contracts = clean.contrats
    assert list(contracts.columns) == [c.name for c in COLUMNS["contrats"]]
    assert contracts.dtypes.astype(str).to_dict() == {
        "contrat_id": "object", "operation_id": "object", "participant_id": "object", "entreprise_id": "object",
        "type_contrat": "object", "date_debut": "datetime64[ns]", "date_fin": "datetime64[ns]",
        "heures": "float64"}
    assert contracts["heures"].tolist() == [1200.0, 350.5, 420.0, 1607.0, 300.0, 75.25]
    assert contracts["date_fin"].isna().tolist() == [True, False, False, False, False, True]
    assert contracts.index.equals(pd.RangeIndex(6))
    people = clean.participants
    assert people.dtypes.astype(str).to_dict() == {
        "participant_id": "object", "sexe": "object", "annee_naissance": "int64",
        "niveau_qualification": "object", "critere_principal": "object", "publics": "object",
        "commune_residence": "object", "qpv": "boolean", "prescripteur": "object", "situation_sortie": "object"}
    assert people["publics"].tolist() == ["DELD", "DELD", None, "RQTH"]  # main criterion not repeated
    assert people["qpv"].tolist() == [True, False, pd.NA, False]
    assert people["situation_sortie"].tolist() == ["EMPLOI_DURABLE", None, "INCONNU", "SANS_EMPLOI"]
    assert all(isinstance(v, str) or v is None for v in people["commune_residence"])
    ops = clean.operations
    assert ops.dtypes.astype(str).to_dict()["date_notification"] == "datetime64[ns]"
    assert ops["montant_ht"].tolist()[:1] == [1250000.5] and np.isnan(ops["montant_ht"][1])
    assert ops["departement"].tolist() == ["93", "93", "2A"]
    assert ops["grand_projet"].tolist() == [None, "Grand Paris Express", None]
    assert clean.donneurs_ordre["siret"].tolist() == ["21930066800015", None]


def test_quality_report(clean):
    quality = clean.quality
    assert quality.year == 2019 and quality.warnings == []
    contracts = quality.tables["contrats"]
    assert (contracts.rows_read, contracts.rows_kept, contracts.excluded) == (6, 6, {})
    assert contracts.completeness == {"date_fin": pytest.approx(4 / 6)}
    assert quality.tables["operations"].completeness["grand_projet"] == pytest.approx(1 / 3)
    assert set(quality.tables["participants"].completeness) == {
        "publics", "commune_residence", "qpv", "prescripteur", "situation_sortie"}


def test_windows_1252_labels_decimal_commas_and_french_dates_give_the_same_dataset(tmp_path, clean):
    write_dataset(tmp_path, 2019, messy_tables(), encoding="cp1252", newline="\r\n")
    assert (tmp_path / "2019" / "contrats.csv").read_bytes().startswith(b"CONTRAT ID;")
    assert b"\xc9tablissement public" in (tmp_path / "2019" / "donneurs_ordre.csv").read_bytes()
    assert_same(load_year(tmp_path, 2019), clean)


@pytest.mark.parametrize("options", [
    {"encoding": "utf-8-sig", "sep": "\t"}, {"encoding": "utf-8", "sep": ","},
])
def test_bom_and_other_delimiters_give_the_same_dataset(tmp_path, clean, options):
    write_dataset(tmp_path, 2019, messy_tables(), **options)
    assert_same(load_year(tmp_path, 2019), clean)


@pytest.mark.parametrize("fmt", ["xlsx", "workbook", "parquet"])
def test_excel_and_parquet_forms_give_the_same_dataset(tmp_path, clean, fmt):
    write_dataset(tmp_path, 2019, typed_tables(), fmt=fmt)
    dataset = load_year(tmp_path, 2019)
    assert_same(dataset, clean)
    if fmt == "workbook":
        assert dataset.quality.tables["contrats"].file == f"{tmp_path / '2019' / 'donnees.xlsx'}, feuille « contrats »"


def test_absent_optional_columns_are_present_and_missing(tmp_path):
    tables = clean_tables()
    for row in tables["operations"]:
        for column in ("secteur", "date_notification", "montant_ht", "commune"):
            del row[column]
    for row in tables["participants"]:
        del row["qpv"], row["publics"]
    write_dataset(tmp_path, 2019, tables)
    dataset = load_year(tmp_path, 2019)
    ops = dataset.operations
    assert list(ops.columns) == [c.name for c in COLUMNS["operations"]]
    assert ops["secteur"].tolist() == [None] * 3 and ops["secteur"].dtype == object
    assert ops["date_notification"].dtype == "datetime64[ns]" and ops["date_notification"].isna().all()
    assert ops["montant_ht"].dtype == "float64" and ops["montant_ht"].isna().all()
    assert dataset.participants["qpv"].dtype == "boolean" and dataset.participants["qpv"].isna().all()
    assert dataset.quality.tables["operations"].completeness["secteur"] == 0.0


def test_the_optional_marche_id_is_read_and_reported_only_when_present(tmp_path, clean):
    assert "marche_id" not in clean.quality.tables["operations"].completeness  # a dataset made before it
    assert clean.operations["marche_id"].isna().all()
    tables = clean_tables()
    for row, marche in zip(tables["operations"], ["21930066800015M-2019-12", "", " 2019-0042 "]):
        row["marche_id"] = marche
    write_dataset(tmp_path, 2019, tables)
    dataset = load_year(tmp_path, 2019)
    assert dataset.quality.warnings == []
    assert dataset.operations["marche_id"].tolist() == ["21930066800015M-2019-12", None, "2019-0042"]
    assert dataset.quality.tables["operations"].completeness["marche_id"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(("text", "value"), [
    ("1 234,5", 1234.5), ("1234.5", 1234.5), ("1 234,50", 1234.5), ("1\u00a0234,5", 1234.5),
    ("1\u202f234,5", 1234.5), ("1234,5", 1234.5), ("12", 12.0), ("2 500,00", 2500.0),
])
def test_number_formats(tmp_path, text, value):
    tables = clean_tables()
    tables["contrats"][0]["heures"] = text
    write_dataset(tmp_path, 2019, tables)
    assert load_year(tmp_path, 2019).contrats["heures"][0] == value


def test_leading_zeros_lost_by_a_spreadsheet_are_restored(tmp_path):
    tables = clean_tables()
    tables["operations"][0].update(departement="1", commune="1053")
    tables["operations"][1]["departement"] = "2b"
    write_dataset(tmp_path, 2019, tables)
    ops = load_year(tmp_path, 2019).operations
    assert ops["departement"].tolist() == ["01", "2B", "2A"]
    assert ops["commune"][0] == "01053"


def test_inputs_are_not_modified(tmp_path):
    folder = write_dataset(tmp_path, 2019, messy_tables(), encoding="cp1252")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    load_year(tmp_path, 2019)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before


# --- warnings: kept or excluded, always reported -----------------------------------------------


def test_participant_without_contract_is_warned_and_excluded(tmp_path):
    tables = clean_tables()
    tables["participants"].append(dict(tables["participants"][0], participant_id="P9"))
    write_dataset(tmp_path, 2019, tables)
    dataset = load_year(tmp_path, 2019)
    assert dataset.participants["participant_id"].tolist() == ["P1", "P2", "P3", "P4"]
    quality = dataset.quality.tables["participants"]
    assert (quality.rows_read, quality.rows_kept) == (5, 4)
    assert quality.excluded == {"sans contrat dans l'année": 1}
    assert [str(w) for w in dataset.quality.warnings] == [
        f"{src(tmp_path, 'participants')}, ligne 6, colonne « participant_id » : participant sans contrat "
        "dans l'année : non compté (valeur : « P9 »)"]


def test_kept_warnings(tmp_path):
    tables = clean_tables()
    tables["contrats"][3]["heures"] = "2 600"
    tables["entreprises"][0]["siret"] = "1234"
    for row in tables["operations"]:
        row["Commentaire"] = "x"
        row["Suivi"] = ""
    write_dataset(tmp_path, 2019, tables)
    dataset = load_year(tmp_path, 2019)
    assert dataset.contrats["heures"][3] == 2600.0
    assert dataset.entreprises["siret"].tolist() == [None, None, None]
    assert list(dataset.operations.columns) == [c.name for c in COLUMNS["operations"]]
    assert all(w.severity == AVERTISSEMENT for w in dataset.quality.warnings)
    assert [str(w) for w in dataset.quality.warnings] == [
        f"{src(tmp_path, 'operations')} : colonne(s) inconnue(s) ignorée(s) : « Commentaire », « Suivi » ; "
        "attendu : les colonnes du format : operation_id, intitule, donneur_ordre_id, departement, commune, "
        "nature, secteur, modalite, date_notification, montant_ht, heures_prevues, grand_projet, facilitateur, "
        "marche_id",
        f"{src(tmp_path, 'entreprises')}, ligne 2, colonne « siret » : SIRET invalide, ignoré "
        "(valeur : « 1234 ») ; attendu : un SIRET de 14 chiffres",
        f"{src(tmp_path, 'contrats')}, ligne 5, colonne « heures » : plus de 2\u202f500 heures dans l'année "
        "pour un seul contrat : valeur conservée, à vérifier (valeur : « 2 600 »)",
    ]


# --- errors ------------------------------------------------------------------------------------


def test_missing_folder(tmp_path):
    with pytest.raises(DataError) as caught:
        load_year(tmp_path, 2019)
    assert str(caught.value) == (
        f"1 erreur dans les données :\n- {tmp_path / '2019'} : dossier de l'année 2019 introuvable "
        f"(aucun dossier d'année) ; attendu : un dossier {tmp_path / '2019'} contenant les cinq tables")


def test_missing_table_and_broken_file_are_reported_with_the_other_errors(tmp_path):
    tables = clean_tables()
    del tables["entreprises"]
    tables["contrats"][0]["heures"] = "beaucoup"
    messages = fail(tmp_path, tables)
    assert messages == [
        f"{tmp_path / '2019'} : table « entreprises » introuvable : ni fichier entreprises.csv, entreprises.xlsx, "
        "entreprises.ods ou entreprises.parquet, ni feuille « entreprises » dans un classeur Excel ou OpenDocument",
        f"{src(tmp_path, 'contrats')}, ligne 2, colonne « heures » : nombre illisible (valeur : « beaucoup ») ; "
        "attendu : un nombre d'heures supérieur à 0 (ex. 151,67 ou 1 234,5)",
    ]


def test_empty_and_unreadable_files(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables())
    (folder / "operations.csv").write_bytes(b"")
    (folder / "participants.csv").write_bytes(b"participant_id;sexe\nP1;\x90\n")
    with pytest.raises(DataError) as caught:
        load_year(tmp_path, 2019)
    assert [str(p) for p in caught.value.problems] == [
        f"{src(tmp_path, 'operations')} : fichier vide : ni ligne d'en-tête ni données",
        f"{src(tmp_path, 'participants')} : encodage illisible : ni texte UTF-8 ni Windows-1252 (octet 0x90 à "
        "la ligne 2) ; enregistrer le fichier au format « CSV UTF-8 »",
    ]


def test_corrupt_xlsx(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables(), fmt="xlsx")
    (folder / "contrats.xlsx").write_bytes(b"\x00\x01 pas un classeur")
    with pytest.raises(DataError) as caught:
        load_year(tmp_path, 2019)
    (problem,) = caught.value.problems
    assert problem.file == str(folder / "contrats.xlsx")
    assert problem.message.startswith("classeur Excel illisible ou endommagé (")


def test_missing_required_column_lists_the_columns_found(tmp_path):
    tables = clean_tables()
    for row in tables["contrats"]:
        del row["heures"], row["type_contrat"]
    messages = fail(tmp_path, tables)
    found = ("« contrat_id », « operation_id », « participant_id », « entreprise_id », « date_debut », "
             "« date_fin »")
    assert messages == [
        f"{src(tmp_path, 'contrats')}, colonne « type_contrat » : colonne obligatoire « type_contrat » absente ; "
        f"attendu : une colonne « type_contrat » (colonnes trouvées : {found})",
        f"{src(tmp_path, 'contrats')}, colonne « heures » : colonne obligatoire « heures » absente ; "
        f"attendu : une colonne « heures » (colonnes trouvées : {found})",
    ]


def test_blank_required_cells(tmp_path):
    tables = clean_tables()
    tables["donneurs_ordre"][1]["nom"] = ""
    tables["participants"][2]["niveau_qualification"] = " "
    messages = fail(tmp_path, tables)
    assert messages == [
        f"{src(tmp_path, 'donneurs_ordre')}, ligne 3, colonne « nom » : valeur obligatoire manquante "
        "; attendu : une valeur (colonne obligatoire « nom »)",
        f"{src(tmp_path, 'participants')}, ligne 4, colonne « niveau_qualification » : valeur obligatoire "
        "manquante ; attendu : une valeur (colonne obligatoire « niveau_qualification »)",
    ]


def test_unknown_codes_are_grouped_by_value_and_list_the_accepted_codes(tmp_path):
    tables = clean_tables()
    for row in tables["operations"]:
        row["modalite"] = "art. 99"
    tables["operations"][2]["modalite"] = "Article 36"
    tables["participants"][1]["qpv"] = "peut-être"
    tables["participants"][3]["publics"] = "RQTH|QPV|E2C"
    messages = fail(tmp_path, tables)
    accepted = ("un code parmi CLAUSE_EXECUTION, CRITERE_ATTRIBUTION, MARCHE_INSERTION, RESERVE_SIAE, "
                "RESERVE_HANDICAP, RESERVE_ESS, HORS_COMMANDE_PUBLIQUE (ou un libellé usuel)")
    assert messages == [
        f"{src(tmp_path, 'operations')}, colonne « modalite » : valeur non reconnue, lignes 2 et 3 "
        f"(valeur : « art. 99 ») ; attendu : {accepted}",
        f"{src(tmp_path, 'operations')}, ligne 4, colonne « modalite » : valeur non reconnue : l'article 36 "
        "de l'ordonnance de 2015 couvre deux modalités : préciser « art. 36-I » (marché réservé aux EA et "
        "ESAT) ou « art. 36-II » (marché réservé aux SIAE) (valeur : « Article 36 ») ; "
        f"attendu : {accepted}",
        f"{src(tmp_path, 'participants')}, ligne 5, colonne « publics » : liste de publics avec une valeur "
        "inconnue : « QPV » non reconnu (valeur : « RQTH|QPV|E2C ») ; attendu : des codes séparés par « | » : "
        "DELD, RSA, RQTH, MINIMA_SOCIAUX, JEUNE, SENIOR, SIAE, PLIE, AUTRE",
        f"{src(tmp_path, 'participants')}, ligne 3, colonne « qpv » : valeur non reconnue "
        "(valeur : « peut-être ») ; attendu : oui ou non (ou o/n, 1/0, vrai/faux, x)",
    ]


def test_duplicated_keys_name_the_lines(tmp_path):
    tables = clean_tables()
    tables["contrats"][4]["contrat_id"] = "C2"
    tables["contrats"][5]["contrat_id"] = "C2"
    tables["entreprises"].append(dict(tables["entreprises"][0], nom="Homonyme"))
    messages = fail(tmp_path, tables)
    assert messages == [
        f"{src(tmp_path, 'entreprises')}, colonne « entreprise_id » : identifiant en double, lignes 2 et 5 "
        "(valeur : « E1 ») ; attendu : un identifiant unique dans la table",
        f"{src(tmp_path, 'contrats')}, colonne « contrat_id » : identifiant en double, lignes 3, 6 et 7 "
        "(valeur : « C2 ») ; attendu : un identifiant unique dans la table",
    ]


def test_orphan_foreign_keys_name_the_contract(tmp_path):
    tables = clean_tables()
    tables["contrats"][1]["operation_id"] = "OP9"
    tables["contrats"][2]["participant_id"] = "P9"
    tables["contrats"][3]["entreprise_id"] = "E9"
    tables["operations"][0]["donneur_ordre_id"] = "D9"
    messages = fail(tmp_path, tables)
    assert messages == [
        f"{src(tmp_path, 'contrats')}, ligne 3, colonne « operation_id » : contrat « C2 » : identifiant absent "
        f"de {src(tmp_path, 'operations')} (valeur : « OP9 ») ; attendu : un operation_id présent dans "
        f"{src(tmp_path, 'operations')}",
        f"{src(tmp_path, 'contrats')}, ligne 4, colonne « participant_id » : contrat « C3 » : identifiant absent "
        f"de {src(tmp_path, 'participants')} (valeur : « P9 ») ; attendu : un participant_id présent dans "
        f"{src(tmp_path, 'participants')}",
        f"{src(tmp_path, 'contrats')}, ligne 5, colonne « entreprise_id » : contrat « C4 » : identifiant absent "
        f"de {src(tmp_path, 'entreprises')} (valeur : « E9 ») ; attendu : un entreprise_id présent dans "
        f"{src(tmp_path, 'entreprises')}",
        f"{src(tmp_path, 'operations')}, ligne 2, colonne « donneur_ordre_id » : opération « OP1 » : "
        f"identifiant absent de {src(tmp_path, 'donneurs_ordre')} (valeur : « D9 ») ; attendu : un "
        f"donneur_ordre_id présent dans {src(tmp_path, 'donneurs_ordre')}",
    ]


def test_hours_not_positive_or_not_a_number(tmp_path):
    tables = clean_tables()
    for row, value in zip(tables["contrats"], ["0", "-3,5", "12h", "1.234,5", "", "inf"], strict=True):
        row["heures"] = value
    messages = fail(tmp_path, tables)
    path = src(tmp_path, "contrats")
    expected = "attendu : un nombre d'heures supérieur à 0 (ex. 151,67 ou 1 234,5)"
    assert messages == [
        f"{path}, ligne 6, colonne « heures » : valeur obligatoire manquante ; attendu : une "
        "valeur (colonne obligatoire « heures »)",
        f"{path}, ligne 4, colonne « heures » : nombre illisible (valeur : « 12h ») ; {expected}",
        f"{path}, ligne 5, colonne « heures » : nombre illisible (valeur : « 1.234,5 ») ; {expected}",
        f"{path}, ligne 7, colonne « heures » : nombre illisible (valeur : « inf ») ; {expected}",
        f"{path}, ligne 2, colonne « heures » : nombre d'heures nul ou négatif (valeur : « 0 ») ; {expected}",
        f"{path}, ligne 3, colonne « heures » : nombre d'heures nul ou négatif (valeur : « -3,5 ») ; {expected}",
    ]


def test_dates(tmp_path):
    tables = clean_tables()
    contracts = tables["contrats"]
    contracts[0]["date_debut"] = "31/02/2019"
    contracts[1]["date_fin"] = "2019-13-01"
    contracts[2]["date_fin"] = "2019-08-31"  # before its start, 2019-09-01
    contracts[3]["date_debut"] = "2020-01-01"  # after the year
    contracts[3]["date_fin"] = ""
    contracts[4].update(date_debut="2018-01-01", date_fin="31/12/2018")  # ended before the year
    tables["operations"][2]["date_notification"] = "hier"
    messages = fail(tmp_path, tables)
    path = src(tmp_path, "contrats")
    date = "attendu : une date AAAA-MM-JJ, JJ/MM/AAAA ou JJ/MM/AA (entre 1900 et 2100)"
    assert messages == [
        f"{src(tmp_path, 'operations')}, ligne 4, colonne « date_notification » : date illisible "
        f"(valeur : « hier ») ; {date}",
        f"{path}, ligne 2, colonne « date_debut » : date illisible (valeur : « 31/02/2019 ») ; {date}",
        f"{path}, ligne 3, colonne « date_fin » : date illisible (valeur : « 2019-13-01 ») ; {date}",
        f"{path}, ligne 4, colonne « date_fin » : date de fin antérieure à la date de début "
        "(valeur : « 2019-08-31 ») ; attendu : une date de fin égale ou postérieure à la date de début",
        f"{path}, ligne 5, colonne « date_debut » : contrat commencé après la fin de l'année 2019 "
        "(valeur : « 2020-01-01 ») ; attendu : une date de début au plus tard le 31/12/2019",
        f"{path}, ligne 6, colonne « date_fin » : contrat terminé avant le début de l'année 2019 "
        "(valeur : « 31/12/2018 ») ; attendu : une date de fin au plus tôt le 01/01/2019, ou vide si le "
        "contrat est en cours",
    ]


def test_dates_with_a_time_of_day_are_accepted(tmp_path):
    tables = clean_tables()
    tables["contrats"][0]["date_debut"] = "01/02/2019 00:00"
    tables["contrats"][1]["date_fin"] = "2019-03-31T08:30:00"
    write_dataset(tmp_path, 2019, tables)
    contracts = load_year(tmp_path, 2019).contrats
    assert contracts["date_debut"][0] == pd.Timestamp(2019, 2, 1)
    assert contracts["date_fin"][1] == pd.Timestamp(2019, 3, 31)


def test_impossible_ages_and_unreadable_years(tmp_path):
    tables = clean_tables()
    for row, year in zip(tables["participants"], ["2006", "1938", "1985.5", "deux mille"], strict=True):
        row["annee_naissance"] = year
    messages = fail(tmp_path, tables)
    path = src(tmp_path, "participants")
    assert messages == [
        f"{path}, ligne 4, colonne « annee_naissance » : année de naissance illisible (valeur : « 1985.5 ») ; "
        "attendu : une année sur quatre chiffres (ex. 1990)",
        f"{path}, ligne 5, colonne « annee_naissance » : année de naissance illisible "
        "(valeur : « deux mille ») ; attendu : une année sur quatre chiffres (ex. 1990)",
        f"{path}, ligne 2, colonne « annee_naissance » : âge hors de l'intervalle 14–80 ans en 2019 "
        "(valeur : « 2006 ») ; attendu : une année de naissance entre 1939 et 2005",
        f"{path}, ligne 3, colonne « annee_naissance » : âge hors de l'intervalle 14–80 ans en 2019 "
        "(valeur : « 1938 ») ; attendu : une année de naissance entre 1939 et 2005",
    ]


def test_departements_and_communes(tmp_path):
    tables = clean_tables()
    tables["operations"][0]["departement"] = "20"
    tables["operations"][1]["departement"] = "975"
    tables["operations"][2]["commune"] = "2C004"
    tables["participants"][0]["commune_residence"] = "930660"
    tables["entreprises"][0]["departement"] = "20"
    messages = fail(tmp_path, tables)
    dept = "attendu : un code de département : 01 à 19, 2A, 2B, 21 à 95, 971 à 974 ou 976"
    commune = "attendu : un code commune INSEE à 5 caractères (ex. 93066, 2A004)"
    assert messages == [
        f"{src(tmp_path, 'operations')}, ligne 2, colonne « departement » : département inconnu "
        f"(valeur : « 20 ») ; {dept}",
        f"{src(tmp_path, 'operations')}, ligne 3, colonne « departement » : département inconnu "
        f"(valeur : « 975 ») ; {dept}",
        f"{src(tmp_path, 'operations')}, ligne 4, colonne « commune » : code commune invalide "
        f"(valeur : « 2C004 ») ; {commune}",
        f"{src(tmp_path, 'entreprises')}, ligne 2, colonne « departement » : département inconnu "
        f"(valeur : « 20 ») ; {dept}",
        f"{src(tmp_path, 'participants')}, ligne 2, colonne « commune_residence » : code commune invalide "
        f"(valeur : « 930660 ») ; {commune}",
    ]


def test_every_error_of_every_file_is_reported_at_once(tmp_path):
    tables = clean_tables()
    tables["operations"][0]["nature"] = "Travaux publics ?"
    tables["operations"][1]["departement"] = ""
    tables["participants"][0]["sexe"] = "X"
    tables["contrats"][0]["heures"] = "-1"
    tables["contrats"][1]["date_debut"] = "demain"
    tables["contrats"][2]["type_contrat"] = "stage"
    messages = fail(tmp_path, tables)
    assert len(messages) == 6
    assert [m.split(" : ")[0] for m in messages] == [
        f"{src(tmp_path, 'operations')}, ligne 3, colonne « departement »",
        f"{src(tmp_path, 'operations')}, ligne 2, colonne « nature »",
        f"{src(tmp_path, 'participants')}, ligne 2, colonne « sexe »",
        f"{src(tmp_path, 'contrats')}, ligne 4, colonne « type_contrat »",
        f"{src(tmp_path, 'contrats')}, ligne 3, colonne « date_debut »",
        f"{src(tmp_path, 'contrats')}, ligne 2, colonne « heures »",
    ]


def test_listings_are_capped(tmp_path):
    tables = clean_tables()
    template = tables["contrats"][0]
    tables["contrats"] += [dict(template, contrat_id=f"X{i}", heures="0", type_contrat=f"bizarre {i % 30}")
                           for i in range(1000)]
    messages = fail(tmp_path, tables)
    zero = [m for m in messages if "nul ou négatif" in m]
    assert len(zero) == MAX_LISTED + 1
    assert zero[0].startswith(f"{src(tmp_path, 'contrats')}, ligne 8, colonne « heures » :")
    assert zero[-1] == (f"{src(tmp_path, 'contrats')}, colonne « heures » : … et 980 autres lignes avec le même "
                        "problème : nombre d'heures nul ou négatif")
    codes = [m for m in messages if "type_contrat" in m]
    assert len(codes) == MAX_LISTED + 1
    assert "valeur non reconnue, lignes 8, 38, 68, 98, 128, 158, 188, 218, 248, 278… (34 lignes)" in codes[0]
    assert codes[-1].endswith("… et 10 autres valeurs avec le même problème : valeur non reconnue")


# --- two years ---------------------------------------------------------------------------------


def test_load_years_with_and_without_the_previous_year(tmp_path):
    write_dataset(tmp_path, 2019, clean_tables(2019))
    current, previous = load_years(tmp_path, 2019)
    assert current.year == 2019 and previous is None
    write_dataset(tmp_path, 2018, clean_tables(2018))
    current, previous = load_years(tmp_path, 2019)
    assert previous.year == 2018
    assert previous.contrats["date_debut"][0] == pd.Timestamp(2018, 2, 1)
    assert previous.participants["annee_naissance"][0] == 1997


def test_errors_of_the_previous_year_say_so(tmp_path):
    write_dataset(tmp_path, 2019, clean_tables(2019))
    tables = clean_tables(2018)
    tables["contrats"][0]["heures"] = "0"
    write_dataset(tmp_path, 2018, tables)
    with pytest.raises(DataError) as caught:
        load_years(tmp_path, 2019)
    assert [str(p) for p in caught.value.problems] == [
        f"{src(tmp_path, 'contrats', 2018)} (année précédente), ligne 2, colonne « heures » : nombre d'heures "
        "nul ou négatif (valeur : « 0 ») ; attendu : un nombre d'heures supérieur à 0 (ex. 151,67 ou 1 234,5)"]


# --- the region is a perimeter the data must respect ----------------------------------------------

def _outside(tmp_path, *codes: str):
    from panorama.input.validation import Region

    tables = clean_tables()
    for row, code in zip(tables["operations"][1:], codes):
        row["departement"] = code
    folder = write_dataset(tmp_path, 2019, tables)
    return folder / "operations.csv", Region(("75", "77", "78", "91", "92", "93", "94", "95"),
                                             "la région Île-de-France")


def test_operations_outside_the_region_are_an_error_naming_the_lines(tmp_path):
    path, region = _outside(tmp_path, "2A", "2A")
    with pytest.raises(DataError) as error:
        load_year(tmp_path, 2019, region)
    assert [str(p) for p in error.value.problems] == [
        f"{path}, colonne « departement » : opération hors de la région Île-de-France (départements configurés : "
        "75, 77, 78, 91, 92, 93, 94, 95), lignes 3 et 4 (valeur : « 2A ») ; attendu : un département de la région ; "
        "pour exclure ces opérations (comptées et signalées dans le bilan de qualité), indiquez "
        "hors_region = \"exclure\" dans la section [region] de la configuration"]
    assert load_year(tmp_path, 2019).operations["departement"].tolist() == ["93", "2A", "2A"]  # no region: read


def test_operations_outside_the_region_may_be_excluded_and_counted(tmp_path):
    from dataclasses import replace

    from panorama.input.quality import summary

    path, region = _outside(tmp_path, "2A", "93")
    dataset = load_year(tmp_path, 2019, replace(region, exclude=True))
    assert dataset.operations["operation_id"].tolist() == ["OP1", "OP3"]
    assert dataset.contrats["contrat_id"].tolist() == ["C1", "C2", "C5", "C6"]  # C3 and C4 are OP2's
    assert dataset.participants["participant_id"].tolist() == ["P1", "P2", "P4"]  # P3 had only C4; P2 has C2
    tables = dataset.quality.tables
    assert (tables["operations"].excluded, tables["contrats"].excluded, tables["participants"].excluded) == (
        {"hors de la région": 1}, {"contrat d'une opération hors de la région": 2},
        {"sans contrat dans la région": 1})
    assert [str(w) for w in dataset.quality.warnings] == [
        f"{path}, colonne « departement » : 1 opération hors de la région Île-de-France exclue (départements "
        "2A : 1), avec 2 contrats et 1 participant sans autre contrat : non comptés"]
    text = summary(dataset.quality)
    assert "└ 1 exclue : hors de la région" in text and "└ 2 exclues : contrat d'une opération hors de la région" in text


def test_numbers_in_exponent_notation_and_absurd_magnitudes_are_refused(tmp_path):
    tables = clean_tables()
    for row, value in zip(tables["contrats"], ["1e3", "1E+300", "999999", "9000", "3000", "1 500"], strict=True):
        row["heures"] = value
    tables["operations"][0]["montant_ht"] = "12345678901234567"
    messages = fail(tmp_path, tables)
    path = src(tmp_path, "contrats")
    expected = "attendu : un nombre d'heures supérieur à 0 (ex. 151,67 ou 1 234,5)"
    scientific = ("nombre en notation scientifique, refusé (un tableur écrit ainsi un nombre très grand ou très "
                  "petit : vérifier la valeur et l'écrire en chiffres)")
    assert messages == [
        f"{src(tmp_path, 'operations')}, ligne 2, colonne « montant_ht » : valeur démesurée (plus de "
        f"1\u202f000\u202f000\u202f000\u202f000) : faute de frappe ? (valeur : « 12345678901234567 ») ; "
        "attendu : un nombre positif ou nul (ex. 1234,5 ou 1 234,50)",
        f"{path}, ligne 2, colonne « heures » : {scientific} (valeur : « 1e3 ») ; {expected}",
        f"{path}, ligne 3, colonne « heures » : {scientific} (valeur : « 1E+300 ») ; {expected}",
        f"{path}, ligne 4, colonne « heures » : nombre d'heures impossible : plus que les 8\u202f784 heures d'une "
        f"année (faute de frappe ?) (valeur : « 999999 ») ; {expected}",
        f"{path}, ligne 5, colonne « heures » : nombre d'heures impossible : plus que les 8\u202f784 heures d'une "
        f"année (faute de frappe ?) (valeur : « 9000 ») ; {expected}",
    ]


def test_two_digit_years_are_read_and_excel_serial_dates_explained(tmp_path):
    tables = clean_tables()
    tables["contrats"][0]["date_debut"] = "01/02/19"  # LibreOffice's French CSV export
    tables["contrats"][3]["date_fin"] = "28/10/19"
    dataset = load_year(write_dataset(tmp_path / "a", 2019, tables).parent, 2019)
    assert dataset.contrats["date_debut"][0] == pd.Timestamp("2019-02-01")
    assert dataset.contrats["date_fin"][3] == pd.Timestamp("2019-10-28")
    tables["contrats"][0]["date_debut"] = "43466"
    tables["contrats"][1]["date_debut"] = "43466"
    messages = fail(tmp_path / "b", tables)
    assert messages == [
        f"{src(tmp_path / 'b', 'contrats')}, colonne « date_debut » : date illisible : nombre de série d'une date "
        "Excel (le 01/01/2019 ?) ; dans le tableur, formater la colonne en date avant d'exporter, lignes 2 et 3 "
        "(valeur : « 43466 ») ; attendu : une date AAAA-MM-JJ, JJ/MM/AAAA ou JJ/MM/AA (entre 1900 et 2100)"]


def test_formulas_without_computed_values_are_named_as_such(tmp_path):
    import openpyxl

    tables = clean_tables()
    folder = write_dataset(tmp_path, 2019, {k: v for k, v in tables.items() if k != "contrats"})
    book = openpyxl.Workbook()  # openpyxl writes formulas without computing them
    sheet = book.active
    sheet.title = "Contrats 2019"
    sheet.append(list(tables["contrats"][0]))
    for row in tables["contrats"]:
        sheet.append(list(row.values()))
    sheet["H3"] = "=300+50.5"
    sheet["H4"] = "=SUM(H2:H3)"
    sheet["H5"] = None  # truly missing
    book.save(folder / "contrats.xlsx")
    with pytest.raises(DataError) as caught:
        load_year(tmp_path, 2019)
    source = f"{folder / 'contrats.xlsx'}, feuille « Contrats 2019 »"
    expected = "attendu : une valeur (colonne obligatoire « heures »)"
    formula = ("formule sans valeur calculée (classeur écrit par un programme qui ne calcule pas les formules) : "
               "ouvrir le classeur dans le tableur et l'enregistrer, ou remplacer les formules par leurs valeurs")
    assert [str(p) for p in caught.value.problems] == [
        f"{source}, ligne 3, colonne « heures » : {formula} ; {expected}",
        f"{source}, ligne 4, colonne « heures » : {formula} ; {expected}",
        f"{source}, ligne 5, colonne « heures » : valeur obligatoire manquante ; {expected}"]
