"""Finding and reading a year's tables: forms, encodings, delimiters, line numbers, errors."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from datasets import clean_tables, write_dataset
from exports import write_ods

from panorama.core.errors import AVERTISSEMENT, ERREUR
from panorama.input.reading import normalize_header, read_year


def errors(problems):
    return [str(p) for p in problems if p.severity == ERREUR]


def write_text(tmp_path, name, data: bytes, year=2019):
    """Write the clean dataset as CSV, then replace one file by raw bytes."""
    folder = write_dataset(tmp_path, year, clean_tables(year))
    (folder / name).write_bytes(data)
    return folder / name


@pytest.mark.parametrize(("header", "name"), [
    ("Date début", "date_debut"), ("  OPÉRATION ID ", "operation_id"), ("donneur-ordre_id", "donneur_ordre_id"),
    ("Année  naissance", "annee_naissance"), ("Critère principal", "critere_principal"), ("heures", "heures"),
])
def test_normalize_header(header, name):
    assert normalize_header(header) == name


def test_clean_csv_reads_every_table_as_text(tmp_path):
    write_dataset(tmp_path, 2019, clean_tables())
    tables, problems = read_year(tmp_path, 2019)
    assert problems == []
    assert list(tables) == ["operations", "donneurs_ordre", "entreprises", "participants", "contrats"]
    contracts = tables["contrats"]
    assert contracts.source == str(tmp_path / "2019" / "contrats.csv")
    assert contracts.data.index.tolist() == [2, 3, 4, 5, 6, 7]
    assert contracts.data.index.name == "ligne"
    assert contracts.data.loc[3, "heures"] == "350.5"
    assert contracts.data.loc[2, "date_fin"] == ""
    assert all(str(dtype) == "str" for dtype in contracts.data.dtypes)


def test_line_numbers_skip_blank_lines_and_follow_multiline_fields(tmp_path):
    text = ('operation_id;intitule;nature\n'
            'OP1;"Deux\nlignes";TRAVAUX\n'
            '\n'
            ';;\n'
            '  OP2 ; École ;SERVICES\n')
    path = write_text(tmp_path, "operations.csv", text.encode("utf-8"))
    data = read_year(tmp_path, 2019)[0]["operations"].data
    assert data.index.tolist() == [2, 6]
    assert data.loc[2, "intitule"] == "Deux\nlignes"
    assert data.loc[6].tolist() == ["OP2", "École", "SERVICES"]
    assert path.read_bytes() == text.encode("utf-8")  # input untouched


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_blank_lines_above_the_header_are_skipped(tmp_path, bom):
    text = bom + "\r\n  \r\noperation_id;intitule;nature\r\nOP1;Voirie;TRAVAUX\r\n\r\nOP2;École;SERVICES\r\n".encode()
    write_text(tmp_path, "operations.csv", text)
    data = read_year(tmp_path, 2019)[0]["operations"].data
    assert data.index.tolist() == [4, 6]
    assert data.loc[6].tolist() == ["OP2", "École", "SERVICES"]


@pytest.mark.parametrize(("encoding", "sep"), [
    ("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", ","), ("utf-8", "\t"), ("cp1252", "\t"),
    ("utf-16", "\t"),
])
def test_encodings_and_delimiters(tmp_path, encoding, sep):
    tables = clean_tables()
    tables["entreprises"][1]["nom"] = "Intérim Solidaire, « Œuvre » 2 €"
    write_dataset(tmp_path, 2019, tables, sep=sep, encoding=encoding, newline="\r\n")
    read, problems = read_year(tmp_path, 2019)
    assert problems == []
    companies = read["entreprises"].data
    assert list(companies.columns) == ["entreprise_id", "nom", "siret", "type_structure", "taille", "departement"]
    assert companies.loc[3, "nom"] == "Intérim Solidaire, « Œuvre » 2 €"


def test_bytes_undefined_in_windows_1252_are_an_encoding_error(tmp_path):
    path = write_text(tmp_path, "participants.csv", b"participant_id;sexe\nP1;F\nP2;\x81\x8d\n")
    tables, problems = read_year(tmp_path, 2019)
    assert "participants" not in tables
    assert errors(problems) == [
        f"{path} : encodage illisible : ni texte UTF-8 ni Windows-1252 (octet 0x81 à la ligne 3) ; "
        "enregistrer le fichier au format « CSV UTF-8 »"]


def test_nul_bytes_are_an_encoding_error(tmp_path):
    path = write_text(tmp_path, "contrats.csv", b"contrat_id;heures\nC1;\x00\x00\n")
    assert errors(read_year(tmp_path, 2019)[1]) == [
        f"{path} : encodage illisible : ni texte UTF-8 ni Windows-1252 (octet 0x00 à la ligne 2) ; "
        "enregistrer le fichier au format « CSV UTF-8 »"]


def test_bom_then_invalid_utf8_is_an_encoding_error(tmp_path):
    path = write_text(tmp_path, "contrats.csv", b"\xef\xbb\xbfcontrat_id\nC\xe9\n")
    assert errors(read_year(tmp_path, 2019)[1]) == [
        f"{path} : encodage illisible : fichier marqué UTF-8 mais contenant un octet invalide (0xE9) à la ligne 2"]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "fichier vide : ni ligne d'en-tête ni données"),
    (b"\r\n  \r\n", "fichier vide : ni ligne d'en-tête ni données"),
    (b"contrat_id;heures\n", "aucune ligne de données sous la ligne d'en-tête"),
    (b"contrat_id;heures\n;\n", "aucune ligne de données sous la ligne d'en-tête"),
])
def test_empty_files(tmp_path, data, message):
    path = write_text(tmp_path, "contrats.csv", data)
    tables, problems = read_year(tmp_path, 2019)
    assert "contrats" not in tables and len(tables) == 4
    assert errors(problems) == [f"{path} : {message}"]


def test_too_many_fields_names_the_line(tmp_path):
    path = write_text(tmp_path, "contrats.csv", b"contrat_id;heures\nC1;3\nC2;4;5\n")
    assert errors(read_year(tmp_path, 2019)[1]) == [
        f"{path} : ligne 3 : 3 champs au lieu de 2 comme dans l'en-tête "
        "(séparateur en trop, ou guillemet non fermé plus haut ?)"]


def test_missing_year_folder_lists_the_years_found(tmp_path):
    write_dataset(tmp_path, 2018, clean_tables(2018))
    write_dataset(tmp_path, 2017, clean_tables(2017))
    tables, problems = read_year(tmp_path, 2019)
    assert tables == {}
    assert errors(problems) == [
        f"{tmp_path / '2019'} : dossier de l'année 2019 introuvable (années présentes : 2017, 2018) ; "
        f"attendu : un dossier {tmp_path / '2019'} contenant les cinq tables"]


def test_missing_data_root(tmp_path):
    assert errors(read_year(tmp_path / "absent", 2019)[1]) == [
        f"{tmp_path / 'absent'} : dossier de données introuvable ; "
        "attendu : un dossier contenant un sous-dossier par année"]


def test_missing_table_and_unsupported_format(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables())
    (folder / "contrats.csv").rename(folder / "contrats.xls")
    (folder / "participants.csv").unlink()
    tables, problems = read_year(tmp_path, 2019)
    assert set(tables) == {"operations", "donneurs_ordre", "entreprises"}
    assert errors(problems) == [
        f"{folder} : table « participants » introuvable : ni fichier participants.csv, participants.xlsx, "
        "participants.ods ou participants.parquet, ni feuille « participants » dans un classeur Excel ou "
        "OpenDocument",
        f"{folder} : table « contrats » introuvable : ni fichier contrats.csv, contrats.xlsx, contrats.ods ou "
        "contrats.parquet, ni feuille « contrats » dans un classeur Excel ou OpenDocument "
        "(contrats.xls : format non pris en charge, enregistrer en .csv, .xlsx ou .ods)",
    ]


def test_two_files_for_one_table(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables())
    write_dataset(tmp_path, 2019, {"contrats": clean_tables()["contrats"]}, fmt="parquet")
    assert errors(read_year(tmp_path, 2019)[1]) == [
        f"{folder} : plusieurs fichiers pour la table « contrats » (contrats.csv, contrats.parquet) ; "
        "n'en garder qu'un"]


def test_file_names_are_matched_like_headers(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables())
    (folder / "donneurs_ordre.csv").rename(folder / "Donneurs-Ordre.CSV")
    tables, problems = read_year(tmp_path, 2019)
    assert problems == [] and tables["donneurs_ordre"].source == str(folder / "Donneurs-Ordre.CSV")


def test_workbook_with_one_sheet_per_table(tmp_path):
    tables = clean_tables()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name.replace("_", " ").title())  # « Donneurs Ordre »
        sheet.append([])  # a blank first row: the header is on row 2
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
    contracts = book["Contrats"]
    contracts["H3"] = 1200.0
    contracts["H4"] = 350.5
    contracts["F3"] = dt.datetime(2019, 2, 1)
    contracts["F4"] = dt.date(2018, 10, 1)
    book["Participants"]["H3"] = True
    book["Participants"]["C3"] = 1998
    book.create_sheet("Notes").append(["ignorée"])
    (tmp_path / "2019").mkdir()
    book.save(tmp_path / "2019" / "Panorama 2019.xlsx")
    read, problems = read_year(tmp_path, 2019)
    assert problems == []
    contracts = read["contrats"]
    assert contracts.source == f"{tmp_path / '2019' / 'Panorama 2019.xlsx'}, feuille « Contrats »"
    assert contracts.data.index.tolist() == [3, 4, 5, 6, 7, 8]
    assert contracts.data.loc[3, "heures"] == "1200"
    assert contracts.data.loc[4, "heures"] == "350.5"
    assert contracts.data.loc[3, "date_debut"] == "2019-02-01"
    assert contracts.data.loc[4, "date_debut"] == "2018-10-01"
    assert read["participants"].data.loc[3, "qpv"] == "true"
    assert read["participants"].data.loc[3, "annee_naissance"] == "1998"
    assert read["donneurs_ordre"].data.loc[4, "siret"] == ""


def test_one_xlsx_per_table(tmp_path):
    write_dataset(tmp_path, 2019, clean_tables(), fmt="xlsx")
    read, problems = read_year(tmp_path, 2019)
    assert problems == []
    assert read["contrats"].source == f"{tmp_path / '2019' / 'contrats.xlsx'}, feuille « contrats »"
    assert read["contrats"].data.index.tolist() == [2, 3, 4, 5, 6, 7]


def test_corrupt_workbook(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables(), fmt="xlsx")
    (folder / "entreprises.xlsx").write_bytes(b"PK\x03\x04 ceci n'est pas un classeur")
    tables, problems = read_year(tmp_path, 2019)
    assert "entreprises" not in tables and len(tables) == 4
    (message,) = errors(problems)
    assert message.startswith(f"{folder / 'entreprises.xlsx'} : classeur Excel illisible ou endommagé (")


def test_corrupt_single_workbook_reported_once(tmp_path):
    (tmp_path / "2019").mkdir()
    (tmp_path / "2019" / "donnees.xlsx").write_bytes(b"garbage")
    messages = errors(read_year(tmp_path, 2019)[1])
    assert messages[0].startswith(f"{tmp_path / '2019' / 'donnees.xlsx'} : classeur Excel illisible")
    assert len(messages) == 6
    assert messages[1].endswith("; feuilles de donnees.xlsx : classeur illisible")


def test_parquet_typed_columns_become_text(tmp_path):
    frame = pd.DataFrame({
        "contrat_id": ["C1", "C2"],
        "heures": [1200.0, 350.5],
        "date_debut": [dt.date(2019, 2, 1), dt.date(2018, 10, 1)],
        "date_fin": pd.to_datetime([None, "2019-03-31 08:30"]),
        "annee": pd.array([1998, None], dtype="Int64"),
        "qpv": [True, None],
        "nature": pd.Categorical(["TRAVAUX", "SERVICES"]),
    }, index=[10, 11])
    folder = tmp_path / "2019"
    folder.mkdir()
    frame.to_parquet(folder / "contrats.parquet")
    data = read_year(tmp_path, 2019)[0]["contrats"].data
    assert data.index.tolist() == [1, 2]
    assert data.to_dict("index") == {
        1: {"contrat_id": "C1", "heures": "1200", "date_debut": "2019-02-01", "date_fin": "",
            "annee": "1998", "qpv": "true", "nature": "TRAVAUX"},
        2: {"contrat_id": "C2", "heures": "350.5", "date_debut": "2018-10-01", "date_fin": "2019-03-31",
            "annee": "", "qpv": "", "nature": "SERVICES"},
    }


def test_corrupt_parquet(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables(), fmt="parquet")
    (folder / "operations.parquet").write_bytes(b"PAR1 tronque")
    (message,) = errors(read_year(tmp_path, 2019)[1])
    assert message.startswith(f"{folder / 'operations.parquet'} : fichier Parquet illisible ou endommagé (")


def test_untitled_columns(tmp_path):
    write_text(tmp_path, "donneurs_ordre.csv",
               b"donneur_ordre_id;nom;type;;\nD1;Ville;COMMUNE;note;\nD2;SGP;ETABLISSEMENT_PUBLIC;;\n")
    tables, problems = read_year(tmp_path, 2019)
    assert list(tables["donneurs_ordre"].data.columns) == ["donneur_ordre_id", "nom", "type"]
    assert [(p.severity, p.message) for p in problems] == [
        (AVERTISSEMENT, "1 colonne(s) sans titre ignorée(s) alors qu'elles contiennent des valeurs")]


def test_two_headers_naming_the_same_column(tmp_path):
    path = write_text(tmp_path, "entreprises.csv", b"Entreprise ID;entreprise_id\nE1;E1\n")
    assert errors(read_year(tmp_path, 2019)[1]) == [
        f"{path} : deux colonnes désignent « entreprise_id » : « Entreprise ID » et « entreprise_id »"]


# --- corner cases ----------------------------------------------------------------------------------

def test_an_opendocument_workbook_is_read_like_an_excel_one(tmp_path):
    tables = clean_tables()
    (tmp_path / "2019").mkdir()
    write_ods(tmp_path / "2019" / "donnees.ods", {name: pd.DataFrame(rows) for name, rows in tables.items()})
    read, problems = read_year(tmp_path, 2019)
    assert problems == []
    contracts = read["contrats"]
    assert contracts.source == f"{tmp_path / '2019' / 'donnees.ods'}, feuille « contrats »"
    assert contracts.data["contrat_id"].tolist() == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert contracts.data.loc[2, "heures"] == "1200"
    single = tmp_path / "seul"
    write_dataset(single, 2019, {k: v for k, v in tables.items() if k != "operations"})
    write_ods(single / "2019" / "operations.ods", {"Feuille1": pd.DataFrame(tables["operations"])})
    read, problems = read_year(single, 2019)
    assert problems == [] and read["operations"].data["operation_id"].tolist() == ["OP1", "OP2", "OP3"]


def test_a_utf8_file_with_lines_in_windows_1252_names_them(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables())
    path = folder / "donneurs_ordre.csv"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"Saint-Denis", "Ministère".encode("utf-8"))
    lines[2] = lines[2].replace(b"Grand Paris", "Société générale".encode("cp1252"))
    path.write_bytes(b"\n".join(lines))
    tables, problems = read_year(tmp_path, 2019)
    assert "donneurs_ordre" not in tables
    assert errors(problems) == [
        f"{path} : encodage mélangé : fichier en UTF-8 sauf 1 ligne en un autre encodage (Windows-1252 ?) : "
        "ligne 3 ; corriger ces lignes ou enregistrer tout le fichier au format « CSV UTF-8 »"]
    path.write_bytes(b"\n".join(lines).decode("utf-8", "replace").replace("\ufffd", "e").encode("cp1252"))
    tables, problems = read_year(tmp_path, 2019)  # all Windows-1252: read as such
    assert problems == [] and tables["donneurs_ordre"].data.loc[2, "nom"] == "Ville de Ministère"


def _with_title(path) -> None:
    path.write_bytes("Panorama des clauses sociales 2019\n".encode() + path.read_bytes())


def test_a_title_row_above_the_header_is_named_as_such(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables())
    _with_title(folder / "operations.csv")
    write_dataset(tmp_path, 2019, {"contrats": clean_tables()["contrats"]}, sep=",")
    _with_title(folder / "contrats.csv")
    tables, problems = read_year(tmp_path, 2019)
    title = "une ligne de titre au-dessus de l'en-tête ? Supprimer les lignes au-dessus de la ligne d'en-tête"
    assert errors(problems) == [
        f"{folder / 'operations.csv'} : ligne 2 : 13 champs alors que la première ligne n'en a qu'un : {title}",
        f"{folder / 'contrats.csv'} : ligne 2 : 8 champs alors que la première ligne n'en a qu'un : {title}"]
    book = openpyxl.Workbook()
    book.active.append(["Participants 2019"])
    rows = clean_tables()["participants"]
    book.active.append(list(rows[0]))
    for row in rows:
        book.active.append(list(row.values()))
    (folder / "participants.csv").unlink()
    book.save(folder / "participants.xlsx")
    tables, problems = read_year(tmp_path, 2019)
    assert errors(problems)[1] == (
        f"{folder / 'participants.xlsx'}, feuille « Sheet » : la ligne 1 (« Participants 2019 ») ne ressemble pas "
        f"à une ligne d'en-tête, la ligne 2 si : {title}")
