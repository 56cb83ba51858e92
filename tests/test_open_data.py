"""The open-data export against an independent computation, and its format.

``independent.py`` recomputes ``spec/indicators.md`` from the clean CSV files
with none of panorama's code; every row of ``chiffres_cles.csv`` and of a few
breakdowns must match it. The same data written the way office software
writes it (Windows-1252, ``;``, labels instead of codes, decimal commas,
French dates) must give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
import math

import independent
import openpyxl
import pandas as pd
import pytest
from datasets import write_dataset
from independent import messy_tiny_tables, read_clean, tiny_previous_tables, tiny_tables

from panorama import example, validation
from panorama.build import load_results
from panorama.config import Config
from panorama.results import INTEGER_CODES, compute, write_open_data

TOLERANCE = 1e-6
HEADER = "perimetre,dimension,code,libelle,heures,contrats,participants,part_heures,part_participants,secret"


def _export(root, out):
    results = load_results(2019, root)
    files = write_open_data(results, out)
    return results, files


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The clean fixture (UTF-8, ``,``), its raw tables and its export."""
    root = tmp_path_factory.mktemp("propre")
    write_dataset(root, 2019, tiny_tables(), sep=",")
    write_dataset(root, 2018, tiny_previous_tables(), sep=",")
    out = root / "donnees"
    results, files = _export(root, out)
    return {"root": root, "out": out, "files": files, "results": results,
            "raw": read_clean(root / "2019", sep=","), "raw_previous": read_clean(root / "2018", sep=",")}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """The same data as a spreadsheet exports it: Windows-1252, ``;``, CRLF, labels, French numbers."""
    root = tmp_path_factory.mktemp("bureautique")
    write_dataset(root, 2019, messy_tiny_tables(), sep=";", encoding="cp1252", newline="\r\n")
    write_dataset(root, 2018, tiny_previous_tables(), sep=";", encoding="cp1252", newline="\r\n")
    out = root / "donnees"
    results, files = _export(root, out)
    return {"root": root, "out": out, "files": files, "results": results}


def read_export(folder, name):
    return pd.read_csv(folder / name, dtype={"perimetre": str, "code": str}, keep_default_na=False,
                       na_values=[""])


# --- the variant really is messy -----------------------------------------------------------------

def test_messy_variant_is_what_office_software_writes(messy):
    data = (messy["root"] / "2019" / "operations.csv").read_bytes()
    assert b"\r\n" in data and b";" in data.splitlines()[0]
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # « Opération ID », « Bâtiment » in Windows-1252
    text = data.decode("cp1252")
    assert "Clause d'exécution" in text and "Article 53" in text and "CLAUSE_EXECUTION" not in text
    people = (messy["root"] / "2019" / "participants.csv").read_bytes().decode("cp1252")
    assert "Femme" in people and "CAP" in people and "Oui" in people
    contracts = (messy["root"] / "2019" / "contrats.csv").read_bytes().decode("cp1252")
    assert "31/03/2019" in contracts and "500,5" in contracts and "2019-03-31" not in contracts


def test_messy_variant_gives_identical_files(clean, messy):
    assert messy["files"] == clean["files"]
    for name in clean["files"]:
        if name.endswith(".xlsx"):
            continue  # the workbook carries its creation time; its content is compared below
        assert (messy["out"] / name).read_bytes() == (clean["out"] / name).read_bytes(), name
    workbook = next(name for name in clean["files"] if name.endswith(".xlsx"))
    for sheet, frame in pd.read_excel(clean["out"] / workbook, sheet_name=None, engine="openpyxl").items():
        other = pd.read_excel(messy["out"] / workbook, sheet_name=sheet, engine="openpyxl")
        pd.testing.assert_frame_equal(frame, other, obj=sheet)


# --- against the independent computation ---------------------------------------------------------

def test_key_figures_match_the_independent_computation(clean):
    expected = independent.key_figures(clean["raw"], 2019, clean["raw_previous"])
    table = read_export(clean["out"], "chiffres_cles.csv")
    assert set(table["perimetre"]) == {"region", "75", "93"}
    written = {(p, c): v for p, c, v in table.itertuples(index=False)}
    assert len(written) == len(table)  # one row per (perimetre, indicateur)
    assert set(written) == set(expected)  # every row checked, nothing missing
    for key, value in expected.items():
        assert written[key] == pytest.approx(value, abs=TOLERANCE), key
    # a few anchors, so that both implementations cannot be wrong together unnoticed
    assert written[("region", "heures")] == 3800 and written[("75", "operations")] == 2
    assert written[("93", "taux_evolution_heures")] == pytest.approx(0.25)


BREAKDOWNS = [  # (dimension, column of independent.facts)
    ("modalite", None), ("nature", None), ("secteur", None), ("type_donneur_ordre", None),
    ("type_structure", None), ("type_contrat", None), ("sexe", None), ("tranche_age", None),
    ("critere_principal", None), ("publics", None), ("qpv", "qpv_code"),
    ("situation_sortie", "sortie_code"), ("departement_residence", None),
    ("departement_execution", "departement"),
]


@pytest.mark.parametrize(("dimension", "column"), BREAKDOWNS, ids=[b[0] for b in BREAKDOWNS])
def test_breakdowns_match_the_independent_computation(clean, dimension, column):
    expected = independent.breakdown(clean["raw"], 2019, dimension, column)
    table = read_export(clean["out"], f"repartition_{dimension}.csv")
    assert (table["dimension"] == dimension).all()
    # operations without contracts appear with zero hours in operation-level breakdowns
    empty = table["contrats"] == 0
    assert (table.loc[empty, "heures"] == 0).all() and (table.loc[empty, "operations"] > 0).all()
    table = table[~empty]
    written = {(row.perimetre, row.code): row for row in table.itertuples(index=False)}
    assert len(written) == len(table)
    assert set(written) == set(expected)
    for key, values in expected.items():
        row = written[key]
        for name, value in values.items():
            assert getattr(row, name) == pytest.approx(value, abs=TOLERANCE), (key, name)


# --- the format ----------------------------------------------------------------------------------

def test_key_figures_csv_format(clean):
    data = (clean["out"] / "chiffres_cles.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    text = data.decode("utf-8")
    lines = text.split("\n")
    assert lines[0] == "perimetre,indicateur,valeur" and lines[-1] == ""
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert all(len(row) == 3 for row in rows)
    assert rows[0][:2] == ["region", "heures"]
    for perimetre, code, value in rows:
        assert value != "", (perimetre, code)  # every figure of the fixture is defined
        float(value)
        assert "e" not in value.lower()  # plain decimal notation
        if code in INTEGER_CODES:
            assert value.isdigit(), (perimetre, code, value)
        if code.startswith("part_"):
            assert 0 <= float(value) <= 1, (perimetre, code, value)
    values = {(p, c): v for p, c, v in rows}
    assert values[("region", "heures")] == "3800"          # a whole number of hours: no decimals
    assert values[("region", "participants")] == "5"
    assert values[("93", "heures")] == "2600.5"            # decimal point, not comma
    assert values[("region", "part_femmes")] == "0.4"      # a fraction, not 40 %
    assert values[("region", "part_sortie_emploi_durable")] == "0.333333"


def test_breakdown_csv_format(clean):
    for name in clean["files"]:
        if not name.startswith("repartition_"):
            continue
        text = (clean["out"] / name).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert text.split("\n")[0].startswith(HEADER), name
        assert rows, name
        for row in rows:
            assert row["secret"] == "false", name
            for column in ("contrats", "participants"):
                assert row[column].isdigit(), (name, column, row[column])
            assert row["operations"] == "" or row["operations"].isdigit()
            for column in ("part_heures", "part_participants"):
                assert 0 <= float(row[column]) <= 1, (name, row)
    rows = read_export(clean["out"], "repartition_modalite.csv")
    assert rows["operations"].notna().all()
    assert read_export(clean["out"], "repartition_sexe.csv")["operations"].isna().all()
    residence = read_export(clean["out"], "repartition_departement_residence.csv")
    assert {"2A", "971", "NON_RENSEIGNE"} <= set(residence["code"])  # codes kept as text


def test_datapackage_describes_every_csv(clean):
    out = clean["out"]
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["name"] == "panorama-clauses-sociales-2019"
    assert package["licenses"][0]["name"] == "etalab-2.0"
    resources = {r["path"]: r for r in package["resources"]}
    assert set(resources) == {p.name for p in out.glob("*.csv")}
    assert len(resources) == 1 + 23  # chiffres clés, 20 breakdowns, 3 cross-tabs
    for path, resource in resources.items():
        assert resource["format"] == "csv" and resource["encoding"] == "utf-8"
        header = (out / path).read_text(encoding="utf-8").split("\n")[0].split(",")
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header, path
        assert all(f["type"] in ("string", "number", "integer", "boolean") and f["description"] for f in fields)
    types = {f["name"]: f["type"] for f in resources["repartition_sexe.csv"]["schema"]["fields"]}
    assert types["secret"] == "boolean" and types["contrats"] == "integer" and types["heures"] == "number"


def test_workbook_holds_the_same_tables(clean):
    out = clean["out"]
    assert clean["files"][-1] == "panorama-clauses-sociales-2019.xlsx"
    workbook = openpyxl.load_workbook(out / clean["files"][-1], read_only=True)
    csvs = sorted(p.name for p in out.glob("*.csv"))
    assert len(workbook.sheetnames) == len(csvs)
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    key = pd.read_excel(out / clean["files"][-1], sheet_name="chiffres_cles", engine="openpyxl")
    written = read_export(out, "chiffres_cles.csv")
    assert key[["perimetre", "indicateur"]].astype(str).values.tolist() == \
        written[["perimetre", "indicateur"]].values.tolist()
    assert (key["valeur"] - written["valeur"]).abs().max() < TOLERANCE
    cross = pd.read_excel(out / clean["files"][-1], sheet_name="modalite_x_departement", dtype={"code": str},
                          engine="openpyxl")
    assert set(cross["code"]) == set(read_export(out, "repartition_modalite_x_departement.csv")["code"])


def test_export_is_identical_from_one_run_to_the_next(clean, tmp_path):
    write_open_data(clean["results"], tmp_path)
    for name in clean["files"]:
        if name.endswith((".csv", ".json")):
            assert (tmp_path / name).read_bytes() == (clean["out"] / name).read_bytes(), name


# --- the independent computation on the example data ---------------------------------------------

def _as_text(dataset) -> dict[str, pd.DataFrame]:
    """A validated dataset back to clean text tables (canonical codes, '' when blank), the form
    :mod:`independent` reads; panorama's validation serves only as the reader of the example's
    spreadsheet-style files."""
    def text(value):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, bool):
            return "OUI" if value else "NON"
        return str(value)

    return {name: getattr(dataset, name).astype(object).map(text) for name in independent.TABLE_NAMES}


@pytest.fixture(scope="module")
def example_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("exemple")
    example.generate(root, years=(2018, 2019))
    current, previous = validation.load_years(root, 2019)
    results = compute(current, previous, Config(), example=True)
    return _as_text(current), _as_text(previous), results


def test_key_figures_match_the_independent_computation_on_the_example_data(example_data):
    tables, previous, results = example_data
    expected = independent.key_figures(tables, 2019, previous)
    table = results.export_tables()["chiffres_cles"]
    written = {(p, c): v for p, c, v in table.itertuples(index=False) if not math.isnan(v)}
    assert len({p for p, _ in written}) >= 9  # the region and at least 8 départements
    assert set(written) == set(expected)
    for key, value in expected.items():
        assert written[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


@pytest.mark.parametrize(("dimension", "column"), [("publics", None), ("tranche_age", None),
                                                   ("departement_residence", None), ("qpv", "qpv_code")])
def test_breakdowns_match_the_independent_computation_on_the_example_data(example_data, dimension, column):
    tables, _, results = example_data
    expected = independent.breakdown(tables, 2019, dimension, column)
    rows = results.breakdowns[results.breakdowns["dimension"] == dimension]
    written = {(row.perimetre, row.code): row for row in rows.itertuples(index=False)}
    assert set(written) == set(expected)
    for key, values in expected.items():
        for name, value in values.items():
            assert getattr(written[key], name) == pytest.approx(value, rel=1e-9, abs=1e-9), (key, name)
