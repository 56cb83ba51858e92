"""Reading and validating files of many rows: the fast paths (Arrow parsing, trimming
skipped when no cell needs it, identifiers numbered once) and their fallbacks."""

import pandas as pd
import pytest
from datasets import clean_tables, write_dataset

from panorama.core.errors import AVERTISSEMENT, ERREUR, DataError
from panorama.input.reading import read_year
from panorama.input.validation import load_year

HEADER = "contrat_id;operation_id;participant_id;entreprise_id;type_contrat;date_debut;date_fin;heures\n"
N = 40_000  # about 2 MB: Arrow parses the file in several blocks


def contract_line(i: int) -> str:
    return f"C{i:06d};OP{i % 3 + 1};P{i % 4 + 1};E{i % 3 + 1};CDDI;2019-01-01;2019-06-30;{i % 500 + 1}\n"


def write_contracts(tmp_path, lines: dict[int, str] | None = None, tail: str = "", tables=None) -> None:
    """The clean dataset (or ``tables``) with ``N`` contracts, some lines (by number) replaced."""
    folder = write_dataset(tmp_path, 2019, tables or clean_tables())
    rows = [contract_line(i) for i in range(N)]
    for number, text in (lines or {}).items():
        rows[number - 2] = text  # line 1 is the header
    (folder / "contrats.csv").write_text(HEADER + "".join(rows) + tail, encoding="utf-8")


def contracts(tmp_path) -> pd.DataFrame:
    tables, problems = read_year(tmp_path, 2019)
    assert [p for p in problems if p.severity == ERREUR] == []
    return tables["contrats"].data


def test_large_file_trims_the_rare_cell_that_needs_it(tmp_path):
    write_contracts(tmp_path, {
        20_000: "C019998;OP1;P1;E1\u00a0;CDDI;2019-01-01;2019-06-30;12\n",  # no-break space
        30_000: "C029998;OP1;P1;E1;\tCDI ;2019-01-01;;  12,5\u3000\n",
        35_000: "C034998;OP1;P1;E1;CDDI;2019-01-01;;12\n",
    })
    data = contracts(tmp_path)
    assert len(data) == N
    assert data.index[[0, -1]].tolist() == [2, N + 1]
    assert data.loc[20_000, "entreprise_id"] == "E1"
    assert data.loc[30_000, ["type_contrat", "date_fin", "heures"]].tolist() == ["CDI", "", "12,5"]
    assert data.loc[35_000, "date_fin"] == ""
    assert all(str(dtype) == "str" for dtype in data.dtypes)


def test_non_ascii_letters_at_the_edges_are_kept(tmp_path):
    write_contracts(tmp_path, {10: "Éric;OP1;P1;E1;CDDI;2019-01-01;2019-06-30;Œ\n"})
    assert contracts(tmp_path).loc[10, ["contrat_id", "heures"]].tolist() == ["Éric", "Œ"]


def test_quoted_line_breaks_and_blank_lines_keep_the_line_numbers(tmp_path):
    write_contracts(tmp_path, {25_000: 'C024998;OP1;P1;E1;"CDDI\nsur deux lignes";2019-01-01;;12\n',
                               30_000: "\n"})
    data = contracts(tmp_path)
    assert len(data) == N - 1  # the blank line is dropped
    assert data.loc[25_000, "type_contrat"] == "CDDI\nsur deux lignes"
    assert data.loc[25_002, "contrat_id"] == "C024999"  # the next record starts one line further
    assert 30_001 not in data.index and data.loc[30_002, "contrat_id"] == "C029999"
    assert data.index[-1] == N + 2


def test_short_records_are_padded_with_blanks(tmp_path):
    write_contracts(tmp_path, {40: "C000038;OP1;P1\n"})
    assert contracts(tmp_path).loc[40].tolist() == ["C000038", "OP1", "P1", "", "", "", "", ""]


def test_first_record_spanning_lines_is_read_as_text(tmp_path):
    folder = write_dataset(tmp_path, 2019, clean_tables())
    (folder / "operations.csv").write_text('"operation\n_id";nature;heures_prevues\nOP1;TRAVAUX;0012\n',
                                           encoding="utf-8")
    data = read_year(tmp_path, 2019)[0]["operations"].data
    assert data.loc[3].tolist() == ["OP1", "TRAVAUX", "0012"]
    assert all(str(dtype) == "str" for dtype in data.dtypes)


@pytest.mark.parametrize(("tail", "message"), [
    ('C999999;OP1;P1;E1;CDDI;2019-01-01;;"12\n',
     "CSV illisible (Error tokenizing data. C error: EOF inside string starting at row 40001)"),
    ("C999999;OP1;P1;E1;CDDI;2019-01-01;;12;3\n",
     "ligne 40002 : 9 champs au lieu de 8 comme dans l'en-tête "
     "(séparateur en trop, ou guillemet non fermé plus haut ?)"),
])
def test_unreadable_records_are_reported_as_before(tmp_path, tail, message):
    write_contracts(tmp_path, tail=tail)
    tables, problems = read_year(tmp_path, 2019)
    assert "contrats" not in tables
    assert [str(p) for p in problems] == [f"{tmp_path / '2019' / 'contrats.csv'} : {message}"]


def test_windows_1252_file_of_many_rows(tmp_path):
    write_contracts(tmp_path, {N: "C039998;OP1;P1;E1;intérim d'insertion;2019-01-01;;12\n"})
    path = tmp_path / "2019" / "contrats.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    assert contracts(tmp_path).loc[N, "type_contrat"] == "intérim d'insertion"


def test_identifier_checks_on_many_rows(tmp_path):
    write_contracts(tmp_path, {
        100: "C000010;OP1;P1;E1;CDDI;2019-01-01;;12\n",  # the contract of line 12 again
        200: "C000198;OP1;P7;E1;CDDI;2019-01-01;;12\n",  # no such participant
        300: "C000298;OP1;;E1;CDDI;2019-01-01;;12\n",  # blank participant
    })
    with pytest.raises(DataError) as caught:
        load_year(tmp_path, 2019)
    path = tmp_path / "2019" / "contrats.csv"
    assert [str(p) for p in caught.value.problems] == [
        f"{path}, ligne 300, colonne « participant_id » : valeur obligatoire manquante ; attendu : une valeur "
        "(colonne obligatoire « participant_id »)",
        f"{path}, colonne « contrat_id » : identifiant en double, lignes 12 et 100 (valeur : « C000010 ») ; "
        "attendu : un identifiant unique dans la table",
        f"{path}, ligne 200, colonne « participant_id » : contrat « C000198 » : identifiant absent de "
        f"{tmp_path / '2019' / 'participants.csv'} (valeur : « P7 ») ; attendu : un participant_id présent "
        f"dans {tmp_path / '2019' / 'participants.csv'}",
    ]


def test_dataset_of_many_rows(tmp_path):
    tables = clean_tables()
    tables["participants"].append(dict(tables["participants"][0], participant_id="P5"))  # no contract
    write_contracts(tmp_path, tables=tables)
    dataset = load_year(tmp_path, 2019)
    frame = dataset.contrats
    assert len(frame) == N
    assert frame.dtypes.astype(str).to_dict() == {
        "contrat_id": "object", "operation_id": "object", "participant_id": "object", "entreprise_id": "object",
        "type_contrat": "object", "date_debut": "datetime64[ns]", "date_fin": "datetime64[ns]",
        "heures": "float64"}
    assert frame.iloc[12].tolist() == ["C000012", "OP1", "P1", "E1", "CDDI", pd.Timestamp(2019, 1, 1),
                                       pd.Timestamp(2019, 6, 30), 13.0]
    assert {type(value) for value in frame["participant_id"]} == {str}
    assert frame["operation_id"].value_counts().to_dict() == {"OP1": 13_334, "OP2": 13_333, "OP3": 13_333}
    assert dataset.participants["participant_id"].tolist() == ["P1", "P2", "P3", "P4"]
    quality = dataset.quality
    assert quality.tables["participants"].excluded == {"sans contrat dans l'année": 1}
    assert quality.tables["contrats"].completeness == {"date_fin": 1.0}
    assert [(p.severity, p.line, p.value) for p in quality.warnings] == [(AVERTISSEMENT, 6, "P5")]
