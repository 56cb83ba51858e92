"""The DuckDB warehouse as a source: the same validated data, hence the same figures, as the
folder it was filled from; its schema, provenance and import log."""

import sys

import duckdb
import pandas as pd
import pytest

from panorama import cli
from panorama.compute.indicators import breakdowns, key_figures
from panorama.core.errors import DataError, UsageError
from panorama.input.dataset import TABLES
from panorama.input.reading import read_year
from panorama.input.source import Example, Folder
from panorama.input.validation import load_history
from panorama.input.warehouse import (
    SCHEMA_VERSION,
    Warehouse,
    export_year,
    from_options,
    summary,
)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A warehouse holding the example's three years, imported as one source each."""
    example = Example()
    warehouse = Warehouse(tmp_path_factory.mktemp("entrepot") / "entrepot.duckdb")
    for year in example.years():
        tables, problems = read_year(example.root, year)
        assert not problems
        warehouse.replace(year, "exemple", tables, example.root / str(year) / "contrats.csv")
    return warehouse


def test_the_warehouse_gives_the_same_datasets_and_figures_as_the_folder(filled):
    from_folder, from_warehouse = load_history(Example(), 2019), load_history(filled, 2019)
    assert list(from_warehouse) == [2017, 2018, 2019]
    for year, dataset in from_folder.items():
        for table in TABLES:
            pd.testing.assert_frame_equal(getattr(dataset, table), getattr(from_warehouse[year], table))
        for table, quality in dataset.quality.tables.items():
            read = from_warehouse[year].quality.tables[table]
            assert (read.rows_read, read.excluded, read.completeness) == \
                   (quality.rows_read, quality.excluded, quality.completeness)
    pd.testing.assert_frame_equal(key_figures(from_folder[2019]), key_figures(from_warehouse[2019]))
    pd.testing.assert_frame_equal(breakdowns(from_folder[2019]), breakdowns(from_warehouse[2019]))


def test_schema_version_import_log_and_provenance(filled):
    with duckdb.connect(str(filled.path), read_only=True) as connection:
        assert connection.execute("SELECT version FROM schema").fetchall() == [(SCHEMA_VERSION,)]
        log = connection.execute("SELECT annee, source, contrats, length(empreinte) FROM imports "
                                 "ORDER BY annee").fetchall()
        assert log == [(2017, "exemple", 13369, 64), (2018, "exemple", 13624, 64), (2019, "exemple", 14259, 64)]
        first = connection.execute("SELECT c.ligne, c.contrat_id, i.fichier FROM contrats c JOIN imports i "
                                   "USING (import_id) WHERE c.annee = 2019 ORDER BY c.ligne LIMIT 1").fetchone()
    assert first[:2] == (2, "C0031375")  # the first data line of 2019/contrats.csv
    assert first[2].endswith("2019/contrats.csv")


def test_replacing_a_source_year_is_idempotent(filled, tmp_path):
    warehouse = Warehouse(tmp_path / "e.duckdb")
    tables, _ = read_year(Example().root, 2019)
    for _ in range(2):
        warehouse.replace(2019, "exemple", tables, Example().root / "2019" / "contrats.csv")
    rows, = summary(warehouse)
    assert (rows["annee"], rows["source"], rows["contrats"], rows["participants"]) == (2019, "exemple", 14259, 12564)
    assert rows["fusionnes"] == 0 and rows["conflits"] == 0
    assert 0.5 < rows["completude"] <= 1


def test_a_failed_replace_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch):
    warehouse = Warehouse(tmp_path / "e.duckdb")
    tables, _ = read_year(Example().root, 2019)
    warehouse.replace(2019, "exemple", tables, Example().root / "2019" / "contrats.csv")
    before = load_history(warehouse, 2019)[2019]
    broken = dict(tables)
    broken["contrats"] = type(tables["contrats"])("contrats", "x", None, {})  # fails at the last table
    with pytest.raises(Exception):
        warehouse.replace(2019, "exemple", broken, Example().root / "2019" / "contrats.csv")
    after = load_history(warehouse, 2019)[2019]
    pd.testing.assert_frame_equal(before.contrats, after.contrats)
    assert summary(warehouse)[0]["contrats"] == 14259


def test_a_year_the_warehouse_lacks_is_a_french_error(filled):
    with pytest.raises(DataError, match="année 2016 absente de l'entrepôt"):
        load_history(filled, 2016)
    with pytest.raises(DataError, match="entrepôt introuvable"):
        load_history(Warehouse(filled.path.with_name("absent.duckdb")), 2019)


def test_export_writes_the_consolidated_year_as_a_contract_folder(filled, tmp_path):
    export_year(filled, 2019, tmp_path)
    exported = load_history(Folder(tmp_path), 2019)[2019]
    pd.testing.assert_frame_equal(exported.contrats, load_history(Example(), 2019)[2019].contrats)


def test_command_line_source_option(filled, monkeypatch, capsys):
    assert isinstance(from_options(None, filled.path), Warehouse)
    with pytest.raises(UsageError, match="--data et --entrepot"):
        from_options(filled.path, filled.path)
    monkeypatch.setattr(sys, "argv", ["panorama", "validate", "2019", "--entrepot", str(filled.path)])
    assert cli.main() == 0
    assert "14 259" in capsys.readouterr().out.replace("\u202f", " ").replace("\u00a0", " ")


def test_sources_disagreeing_on_a_person_are_reported_not_resolved_silently(tmp_path):
    warehouse = Warehouse(tmp_path / "e.duckdb")
    tables, _ = read_year(Example().root, 2019)
    warehouse.replace(2019, "a", tables, Example().root / "2019" / "contrats.csv")
    other = {name: type(raw)(raw.table, raw.source, raw.data.copy(), raw.headers) for name, raw in tables.items()}
    people = other["participants"].data
    first = people.index[0]
    person, sex = people.at[first, "participant_id"], people.at[first, "sexe"]
    people.at[first, "sexe"] = "F" if sex == "M" else "M"
    warehouse.replace(2019, "b", other, Example().root / "2019" / "contrats.csv")
    dataset = load_history(warehouse, 2019)[2019]
    assert len(dataset.participants) == 12564  # one row per person, both sources merged
    assert dataset.participants.set_index("participant_id").at[person, "sexe"] == sex  # source « a » first
    conflict, = dataset.quality.warnings
    assert conflict.column == "sexe" and person in conflict.message
    assert f"a : {sex} ; b : {'F' if sex == 'M' else 'M'}" in conflict.message
    rows = summary(warehouse)
    assert [r["conflits"] for r in rows] == [1, 1]
    assert rows[0]["fusionnes"] == sum(len(t.data) for t in tables.values())
