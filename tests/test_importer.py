"""Importing the coordinations' exports into the warehouse: eight exports of two shapes made
from the example give the same figures as the consolidated folder, a person followed by two
coordinations is one participant, personal data never enter, an import replaces its source's
year at once or not at all."""

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from panorama import cli
from panorama.compute.indicators import breakdowns, key_figures
from panorama.core.errors import ConfigError, DataError
from panorama.input.dataset import TABLES
from panorama.input.importer import Profile, import_export, model, pseudonym, secret_key
from panorama.input.source import Example, Folder
from panorama.input.validation import load_year
from panorama.input.warehouse import Warehouse, summary

sys.path.insert(0, str(Path(__file__).parent))
from exports import abc_export, coordination_exports, identity  # noqa: E402

KEY = b"cle-de-test-0123456789-abcdef"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return coordination_exports(Example().root, 2019, tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def imported(exports, tmp_path_factory):
    warehouse = Warehouse(tmp_path_factory.mktemp("entrepot") / "entrepot.duckdb")
    reports = [import_export(path, warehouse, source=source, year=2019, profile=Profile.load(profile), key=KEY)
               for path, profile, source in exports]
    return warehouse, reports


def _folder_tables():
    return {t: pd.read_csv(Example().root / "2019" / f"{t}.csv", sep=";", dtype=str, keep_default_na=False)
            for t in TABLES}


def test_eight_exports_give_the_figures_of_the_consolidated_folder(imported):
    warehouse, reports = imported
    folder, consolidated = load_year(Example(), 2019), load_year(warehouse, 2019)
    for table in TABLES:
        assert len(getattr(consolidated, table)) == len(getattr(folder, table)), table
    pd.testing.assert_frame_equal(key_figures(folder), key_figures(consolidated))
    pd.testing.assert_frame_equal(breakdowns(folder), breakdowns(consolidated))
    assert not consolidated.quality.warnings  # labels and dates of both tools stored alike: no false conflict
    assert sum(r.rows["contrats"] for r in reports) == 14259


def test_a_person_followed_by_two_coordinations_is_one_participant(imported):
    warehouse, _ = imported
    tables = _folder_tables()
    places = tables["contrats"].merge(tables["operations"][["operation_id", "departement"]])
    both = places.groupby("participant_id").departement.agg(set)
    person = next(p for p, d in both.items() if {"75", "93"} <= d)  # a « Clause » and an « ABC » export
    year = tables["participants"].set_index("participant_id").annee_naissance[person]
    nom, prenom, naissance = identity(person, year, shout=False)
    pseudo = pseudonym(KEY, nom, prenom, "%s-03-15" % year)
    assert pseudo == pseudonym(KEY, *identity(person, year, shout=True))  # written differently, one person
    with duckdb.connect(str(warehouse.path), read_only=True) as connection:
        sources = connection.execute("SELECT source FROM participants WHERE participant_id = ? ORDER BY source",
                                     [pseudo]).fetchall()
    assert [s for s, in sources] == [f"coordination-{d}" for d in sorted(both[person])]
    consolidated = load_year(warehouse, 2019)
    assert (consolidated.participants.participant_id == pseudo).sum() == 1
    assert (consolidated.contrats.participant_id == pseudo).sum() == (places.participant_id == person).sum()
    merged = summary(warehouse)[0]["fusionnes"]
    assert merged >= (both.map(len) > 1).sum()


def test_personal_data_never_reach_the_warehouse_its_exports_or_the_messages(imported, tmp_path, monkeypatch,
                                                                             capsys):
    warehouse, _ = imported
    with duckdb.connect(str(warehouse.path), read_only=True) as connection:
        columns = connection.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
        assert not [c for _, c in columns if re.search("nom|prenom|naissance", c) and c not in
                    ("nom", "annee_naissance", "acheteur_nom")]  # a buyer, not a person
        assert [t for t, c in columns if c == "nom"] == ["donneurs_ordre", "entreprises"]
        found = []
        for table, column in columns:
            found += connection.execute(
                f"SELECT {column} FROM {table} WHERE regexp_matches(CAST({column} AS VARCHAR), "
                f"'(?i)martin-|elodie|élodie|S-[0-9]|\\d\\d\\.03\\.\\d{{4}}')").fetchall()
        assert found == []
        years = connection.execute("SELECT DISTINCT annee_naissance FROM participants").fetchall()
    assert all(re.fullmatch(r"\d{4}", y) for y, in years)
    assert not re.search(rb"(?i)martin-|elodie", warehouse.path.read_bytes())
    monkeypatch.setenv("PANORAMA_CLE", KEY.decode())
    path, profile, _ = next(iter(_exports_of(warehouse)))
    for argv in (["importer", str(path), "--profil", str(profile), "--source", "autre", "--annee", "2019",
                  "--entrepot", str(tmp_path / "e.duckdb")],
                 ["entrepot", "--entrepot", str(tmp_path / "e.duckdb")],
                 ["entrepot", "exporter", "2019", "--out", str(tmp_path / "out"), "--entrepot", str(tmp_path / "e.duckdb")],
                 ["validate", "2019", "--entrepot", str(tmp_path / "e.duckdb")]):
        monkeypatch.setattr(sys, "argv", ["panorama", *argv])
        assert cli.main() == 0, argv
    output = capsys.readouterr()
    assert "Colonnes non importées (dont données personnelles) : Date de naissance, Nom, Prénom." in output.out  # named as not imported …
    text = output.out + output.err + "".join(p.read_text() for p in (tmp_path / "out" / "2019").iterdir())
    assert not re.search(r"(?i)martin-|elodie|\d\d\.03\.\d{4}", text)  # … their values nowhere


def _exports_of(warehouse):
    with duckdb.connect(str(warehouse.path), read_only=True) as connection:
        path, = connection.execute("SELECT fichier FROM imports WHERE source = 'coordination-75'").fetchone()
    yield Path(path), Path(path).with_name("clause.toml"), "coordination-75"


def test_reimporting_a_source_replaces_it(exports, tmp_path):
    warehouse = Warehouse(tmp_path / "e.duckdb")
    path, profile, source = exports[0]
    for _ in range(2):
        import_export(path, warehouse, source=source, year=2019, profile=Profile.load(profile), key=KEY)
    row, = summary(warehouse)
    assert (row["source"], row["contrats"], row["operations"]) == (source, 2610, 456)
    smaller = tmp_path / "clause-75.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    smaller.write_text("\n".join(lines[:1001]) + "\n", encoding="utf-8")
    import_export(smaller, warehouse, source=source, year=2019, profile=Profile.load(profile), key=KEY)
    row, = summary(warehouse)
    kept = pd.read_csv(smaller, sep=";", dtype=str, keep_default_na=False)
    assert row["contrats"] == (kept["N° contrat"] != "").sum() < 2610
    assert row["operations"] == kept["N° opération"].nunique() < 456
    with duckdb.connect(str(warehouse.path), read_only=True) as connection:
        assert connection.execute("SELECT count(*), max(remplace) FROM imports").fetchone() == (1, 1)
        assert connection.execute("SELECT count(*) FROM contrats").fetchone()[0] == row["contrats"]


def test_invalid_data_are_reported_in_french_and_nothing_is_written(exports, tmp_path):
    warehouse = Warehouse(tmp_path / "e.duckdb")
    path, profile, source = exports[0]
    import_export(path, warehouse, source=source, year=2019, profile=Profile.load(profile), key=KEY)
    broken = tmp_path / "broken.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(";")
    row = text[1].split(";")
    row[header.index("Heures réalisées")] = "beaucoup"
    broken.write_text("\n".join([text[0], ";".join(row), *text[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="Heures réalisées|heures") as error:
        import_export(broken, warehouse, source=source, year=2019, profile=Profile.load(profile), key=KEY)
    assert "beaucoup" in str(error.value) and "ligne 2" in str(error.value)
    assert summary(warehouse)[0]["contrats"] == 2610


def test_killing_an_import_midway_leaves_the_warehouse_as_it_was(exports, tmp_path):
    warehouse = Warehouse(tmp_path / "e.duckdb")
    path, profile, source = exports[0]
    import_export(path, warehouse, source=source, year=2019, profile=Profile.load(profile), key=KEY)
    before = load_year(warehouse, 2019)
    other, other_profile, _ = exports[5]
    # The process dies (no clean-up at all) while inserting the contracts: after the old rows
    # were deleted and the new operations, buyers, companies and participants inserted.
    script = f"""
import os
from pathlib import Path
import panorama.input.warehouse as w
from panorama.input.importer import Profile, import_export
original = w.contract_columns
def dying(table):
    if table == "contrats":
        os._exit(9)
    return original(table)
w.contract_columns = dying
import_export(Path({str(other)!r}), w.Warehouse(Path({str(warehouse.path)!r})), source={source!r}, year=2019,
              profile=Profile.load(Path({str(other_profile)!r})), key={KEY!r})
"""
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 9
    after = load_year(warehouse, 2019)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(before, table), getattr(after, table))
    assert summary(warehouse)[0]["operations"] == 456


def test_the_key_comes_from_outside_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("PANORAMA_CLE", raising=False)
    monkeypatch.delenv("PANORAMA_FICHIER_CLE", raising=False)
    with pytest.raises(ConfigError, match="Clé de pseudonymisation absente"):
        secret_key()
    monkeypatch.setenv("PANORAMA_CLE", "courte")
    with pytest.raises(ConfigError, match="trop courte"):
        secret_key()
    key_file = tmp_path / "cle"
    key_file.write_text("une-cle-secrete-assez-longue\n")
    monkeypatch.setenv("PANORAMA_FICHIER_CLE", str(key_file))
    assert secret_key() == b"une-cle-secrete-assez-longue"
    assert pseudonym(b"k1" * 8, "Dupont", "Élodie", "1990-01-02") == pseudonym(b"k1" * 8, "DUPONT", "elodie",
                                                                             "1990-01-02")
    assert pseudonym(b"k1" * 8, "Dupont", "Élodie", "1990-01-02") != pseudonym(b"k2" * 8, "Dupont", "Élodie",
                                                                             "1990-01-02")


def test_model_suggests_the_matches(exports):
    flat = model(exports[0][0])
    assert 'contrat_id = "N° contrat"' in flat and 'nom = "Nom"' in flat and 'date_naissance = "Date de naissance"' in flat
    assert "[feuilles]" not in flat
    assert '"Contrat apprentissage (Clause)" = ""' in flat and "[valeurs.type_contrat]" in flat
    # « Nature du marché » is the nature's header, not also the marché's identifier's
    assert 'nature = "Nature du marché"' in flat and "# marche_id = \"\"" in flat
    sheets = model(exports[4][0])
    assert "[feuilles]" in sheets and 'nom = "NOM"' in sheets and 'date_naissance = "NE(E) LE"' in sheets
    assert 'type_contrat = "type_contrat"' in sheets


def test_exported_year_reads_as_the_publications_read_it(imported, tmp_path):
    warehouse, _ = imported
    from panorama.input.warehouse import export_year

    export_year(warehouse, 2019, tmp_path)
    exported, consolidated = load_year(Folder(tmp_path), 2019), load_year(warehouse, 2019)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(exported, table), getattr(consolidated, table))


def test_an_unreadable_birth_date_is_an_error_that_does_not_quote_it(exports, tmp_path):
    path, profile, source = exports[0]
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    row = frame.index[frame["N° contrat"] != ""][0]
    frame.loc[frame["Nom"] == frame.at[row, "Nom"], "Date de naissance"] = "31 décembre 1990"
    frame.loc[frame.index[frame["N° contrat"] != ""][1], ["Nom", "Prénom"]] = ""
    broken = tmp_path / "broken.csv"
    frame.to_csv(broken, sep=";", index=False)
    warehouse = Warehouse(tmp_path / "e.duckdb")
    with pytest.raises(DataError) as error:
        import_export(broken, warehouse, source=source, year=2019, profile=Profile.load(profile), key=KEY)
    message = str(error.value)
    assert "annee_naissance" in message and f"ligne {row + 2}" in message
    assert "participant_id" in message  # the row without name nor identifier
    assert not re.search(r"(?i)décembre|31 d|martin-|elodie", message)
    assert not warehouse.path.exists() or summary(warehouse) == []


def test_an_ods_export_imports_as_its_xlsx_twin_with_the_marche_identifiers(tmp_path):
    operations = pd.read_csv(Example().root / "2019" / "operations.csv", sep=";", dtype=str)
    ours = operations[operations.departement == "93"].operation_id.tolist()
    marches = {ours[0]: "21930066800015M-2019-001", ours[1]: "2019-0042"}
    datasets = {}
    for suffix in (".xlsx", ".ods"):
        path = tmp_path / f"abc-93{suffix}"
        profile = abc_export(Example().root, 2019, "93", path, marches)
        warehouse = Warehouse(tmp_path / f"entrepot{suffix}.duckdb")
        report = import_export(path, warehouse, source="coordination-93", year=2019, profile=Profile.load(profile),
                               key=KEY)
        assert report.rows["operations"] == len(ours) and "N° marché" not in report.ignored
        datasets[suffix] = load_year(warehouse, 2019)
    assert zipfile.ZipFile(tmp_path / "abc-93.ods").read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(datasets[".xlsx"], table), getattr(datasets[".ods"], table))
    read = datasets[".ods"].operations.set_index("operation_id")["marche_id"]
    assert read[ours[0]] == "21930066800015M-2019-001" and read[ours[1]] == "2019-0042"
    assert read.notna().sum() == 2
    assert datasets[".ods"].quality.tables["operations"].completeness["marche_id"] == pytest.approx(2 / len(ours))
    hours = pd.read_csv(Example().root / "2019" / "contrats.csv", sep=";", dtype=str)
    expected = hours[hours.operation_id.isin(ours)].heures.str.replace(",", ".").astype(float).sum()
    assert datasets[".ods"].contrats.heures.sum() == pytest.approx(expected)
