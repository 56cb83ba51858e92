"""The open-data export against an independent computation, its format, and the package.

``independent.py`` recomputes ``spec/indicators.md`` from the clean CSV files
with none of panorama's code; every row of ``chiffres_cles.csv`` and of a few
breakdowns must match it. The same data written the way office software
writes it (Windows-1252, ``;``, labels instead of codes, decimal commas,
French dates) must give byte-identical files. ``donnees/`` is a Frictionless
Data Package that the ``frictionless`` tool validates, documented in
``LISEZMOI.md`` and mirrored in a workbook.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
import shutil
import zipfile

import frictionless
import independent
import openpyxl
import pandas as pd
import pytest
from datasets import open_config, write_dataset
from independent import messy_tiny_tables, read_clean, tiny_previous_tables, tiny_tables

from panorama.core import catalogue, referential
from panorama.core.config import Config
from panorama.core.publications import PANORAMA
from panorama.input import example, validation
from panorama.input.source import Example, Folder
from panorama.output.opendata import write_open_data
from panorama.pipeline import load_results
from panorama.protect.results import compute

TOLERANCE = 1e-6
HEADER = "perimetre,dimension,code,libelle,heures,contrats,participants,part_heures,part_participants,secret"


def _export(root, out):
    """The export of the tiny fixture, the confidentiality rule switched off: its handful of
    people would otherwise be masked, and these tests check every figure."""
    results = load_results(PANORAMA, 2019, Folder(root), open_config())
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
    for name in clean["files"]:  # the workbook too: nothing in it depends on the clock
        assert (messy["out"] / name).read_bytes() == (clean["out"] / name).read_bytes(), name


# --- against the independent computation ---------------------------------------------------------

def test_key_figures_match_the_independent_computation(clean):
    expected = independent.key_figures(clean["raw"], 2019, clean["raw_previous"])
    table = read_export(clean["out"], "chiffres_cles.csv")
    assert set(table["perimetre"]) == {"region", "75", "93"}
    assert list(table.columns) == ["perimetre", "indicateur", "valeur", "secret"]
    assert not table["secret"].any()  # the rule is off
    written = {(p, c): v for p, c, v, _ in table.itertuples(index=False)}
    assert len(written) == len(table)  # one row per (perimetre, indicateur)
    # undefined values (no amount filled for a nature) are written blank
    assert {key for key, value in written.items() if math.isnan(value)} == {
        ("region", "montant_ht_FOURNITURES"), ("93", "montant_ht_FOURNITURES"), ("93", "montant_ht_SERVICES"),
        ("75", "montant_ht_FOURNITURES"), ("75", "montant_ht_TRAVAUX")}
    written = {key: value for key, value in written.items() if not math.isnan(value)}
    assert set(written) == set(expected)  # every row checked, nothing missing
    for key, value in expected.items():
        assert written[key] == pytest.approx(value, abs=TOLERANCE), key
    # a few anchors, so that both implementations cannot be wrong together unnoticed
    assert written[("region", "heures")] == 3800 and written[("75", "operations")] == 2
    assert written[("93", "taux_evolution_heures")] == pytest.approx(0.25)
    # hours of C1, C2 (OP1) and C3, C6 (OP2) ÷ the 3 000 + 10 000.5 hours planned for OP1 and OP2
    assert written[("93", "taux_realisation_annuel")] == pytest.approx((1000 + 300 + 500.5 + 800) / 13000.5,
                                                                       abs=TOLERANCE)
    # OP4 (75) has neither planned hours nor an amount; OP2 (93) has no amount
    assert written[("75", "couverture_heures_prevues")] == 0.5 and written[("93", "couverture_heures_prevues")] == 1
    assert written[("region", "montant_ht")] == pytest.approx(1_250_000.5 + 80_000, abs=TOLERANCE)
    assert written[("region", "couverture_montant_ht")] == 0.5


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
    assert lines[0] == "perimetre,indicateur,valeur,secret" and lines[-1] == ""
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert all(len(row) == 4 for row in rows)
    assert rows[0][:2] == ["region", "heures"]
    for perimetre, code, value, secret in rows:
        assert secret == "false", (perimetre, code)  # the rule is off
        # every figure of the fixture is defined, but the amounts of a nature without any amount filled
        if value == "" and code.startswith("montant_ht_"):
            continue
        assert value != "", (perimetre, code)
        float(value)
        assert "e" not in value.lower()  # plain decimal notation
        if code in ("participants", "contrats", "operations", "operations_actives", "donneurs_ordre",
                    "entreprises"):
            assert value.isdigit(), (perimetre, code, value)
        if code.startswith("part_"):
            assert 0 <= float(value) <= 1, (perimetre, code, value)
    values = {(p, c): v for p, c, v, _ in rows}
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
    assert len(resources) == 1 + 27 + 1  # chiffres clés, 23 breakdowns, 4 cross-tabs, the series
    for path, resource in resources.items():
        assert resource["format"] == "csv" and resource["encoding"] == "utf-8", path
        assert resource["name"] == path.removesuffix(".csv") and resource["title"] and resource["description"]
        header = (out / path).read_text(encoding="utf-8").split("\n")[0].split(",")
        schema = resource["schema"]
        assert [f["name"] for f in schema["fields"]] == header, path
        assert all(f["type"] in ("string", "number", "integer", "boolean", "year") and f["title"]
                   and f["description"] for f in schema["fields"]), path
        assert schema["missingValues"] == [""] and set(schema["primaryKey"]) <= set(header), path
    types = {f["name"]: f for f in resources["repartition_sexe.csv"]["schema"]["fields"]}
    assert types["secret"]["type"] == "boolean" and types["contrats"]["type"] == "integer"
    assert types["heures"]["type"] == "number"
    assert types["secret"]["trueValues"] == ["true"] and types["secret"]["falseValues"] == ["false"]
    assert resources["repartition_sexe.csv"]["schema"]["primaryKey"] == ["perimetre", "dimension", "code"]
    assert resources["chiffres_cles.csv"]["schema"]["primaryKey"] == ["perimetre", "indicateur"]
    series = resources["serie_chiffres_cles.csv"]["schema"]
    assert [(f["name"], f["type"]) for f in series["fields"]] == [
        ("annee", "year"), ("perimetre", "string"), ("indicateur", "string"), ("valeur", "number"),
        ("secret", "boolean")]
    key = resources["chiffres_cles.csv"]["schema"]
    assert [(f["name"], f["type"]) for f in key["fields"]] == [
        ("perimetre", "string"), ("indicateur", "string"), ("valeur", "number"), ("secret", "boolean")]
    assert series["primaryKey"] == ["annee", "perimetre", "indicateur"]


def _validate(folder):
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    return report


def test_the_package_validates_with_frictionless(clean):
    report = _validate(clean["out"])
    assert len(report.tasks) == 29 and all(task.stats["rows"] for task in report.tasks)


def test_the_example_package_validates_with_frictionless(example_package):
    _validate(example_package["out"])


def test_frictionless_rejects_a_code_outside_the_nomenclature(clean, tmp_path):
    shutil.copytree(clean["out"], tmp_path, dirs_exist_ok=True)
    path = tmp_path / "repartition_modalite.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("CLAUSE_EXECUTION", "CLAUSE_INVENTEE", 1),
                    encoding="utf-8")
    report = frictionless.validate(tmp_path / "datapackage.json")
    errors = report.flatten(["type", "fieldName"])
    assert ["constraint-error", "code"] in errors  # the enum, beside the hash and size checks
    assert not report.valid


def _fields(package, name):
    resource = next(r for r in package["resources"] if r["name"] == name)
    return {f["name"]: f for f in resource["schema"]["fields"]}


def test_code_enums_list_the_referential_codes_and_their_labels(clean):
    package = json.loads((clean["out"] / "datapackage.json").read_text(encoding="utf-8"))
    code = _fields(package, "repartition_modalite")["code"]
    assert code["constraints"]["enum"] == [*referential.codes("modalite"), "NON_RENSEIGNE"]
    assert [c["value"] for c in code["categories"]] == code["constraints"]["enum"]
    assert code["categories"][0] == {"value": "CLAUSE_EXECUTION",
                                     "label": referential.label("modalite", "CLAUSE_EXECUTION")}
    age = _fields(package, "repartition_tranche_age")["code"]["constraints"]["enum"]
    assert age == ["MOINS_26", "26_49", "50_PLUS", "NON_RENSEIGNE"]
    cross = _fields(package, "repartition_sexe_x_tranche_age")["code"]["constraints"]["enum"]
    assert len(cross) == 3 * 4 and "F|MOINS_26" in cross and "NON_RENSEIGNE|50_PLUS" in cross
    places = _fields(package, "repartition_modalite_x_departement")["code"]["constraints"]["enum"]
    assert len(places) == 8 * (len(referential.DEPARTEMENTS) + 1) and "RESERVE_SIAE|2A" in places
    assert "enum" not in _fields(package, "repartition_grand_projet")["code"].get("constraints", {})
    assert _fields(package, "repartition_sexe")["dimension"]["constraints"]["enum"] == ["sexe"]
    perimetre = _fields(package, "chiffres_cles")["perimetre"]
    assert perimetre["constraints"]["enum"] == ["region", *open_config().departements]
    assert perimetre["categories"][0] == {"value": "region", "label": "Île-de-France"}
    assert perimetre["categories"][6] == {"value": "93", "label": "Seine-Saint-Denis"}
    # the labels of the schema are those of the files: one source
    for resource in package["resources"]:
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        if "categories" not in fields.get("code", {}):
            continue
        labels = {c["value"]: c["label"] for c in fields["code"]["categories"]}
        rows = read_export(clean["out"], resource["path"])
        for code, libelle in zip(rows["code"], rows["libelle"]):
            assert labels[code] == libelle, (resource["path"], code)


def test_every_indicator_code_is_labelled_and_defined(clean):
    package = json.loads((clean["out"] / "datapackage.json").read_text(encoding="utf-8"))
    readme = (clean["out"] / "LISEZMOI.md").read_text(encoding="utf-8")
    indicateur = _fields(package, "chiffres_cles")["indicateur"]
    written = list(dict.fromkeys(read_export(clean["out"], "chiffres_cles.csv")["indicateur"]))
    assert indicateur["constraints"]["enum"] == written
    labels = {c["value"]: c["label"] for c in indicateur["categories"]}
    assert labels["part_femmes"] == "Part de femmes"
    assert labels["part_heures_iae"] == "Part des heures en parcours IAE"
    assert labels["taux_evolution_heures"] == "Évolution sur un an : heures d'insertion réalisées"
    for code in written:
        assert labels[code] and f"| `{code}` | {labels[code]} | " in readme, code
    assert catalogue.KEY_FIGURES["heures_iae"].definition in readme


def test_package_metadata(clean, tmp_path):
    package = json.loads((clean["out"] / "datapackage.json").read_text(encoding="utf-8"))
    config = clean["results"].config
    assert dataclasses.replace(config, secret_seuil=5, secret_entreprises_min=3, secret_dominance=0.85,
                               departements=Config().departements) == Config()
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["title"] == "Panorama des clauses sociales en Île-de-France — 2019"
    assert "commande publique" in package["description"] and "rattaché au département" in package["description"]
    assert package["licenses"][0]["path"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert package["sources"] == [{"title": f"{config.observatoire_nom} — suivi des clauses sociales 2019"}]
    assert package["contributors"] == [{"title": config.observatoire_nom,
                                        "organization": config.observatoire_porteur, "roles": ["publisher"]}]
    assert package["version"] == "2019" and package["annee"] == 2019 and package["annee_precedente"] == 2018
    assert package["perimetre"]["region"] == "Île-de-France"
    assert [d["code"] for d in package["perimetre"]["departements"]] == list(config.departements)
    assert "clauses sociales" in package["keywords"]
    assert "created" not in package  # no clock: a date only when the observatory gives one
    dated = dataclasses.replace(clean["results"], config=dataclasses.replace(
        config, date_publication=dt.date(2020, 6, 15)))
    write_open_data(dated, tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["created"] == "2020-06-15T00:00:00Z"
    workbook = openpyxl.load_workbook(tmp_path / "panorama-clauses-sociales-2019.xlsx", read_only=True)
    assert workbook.properties.created == workbook.properties.modified == dt.datetime(2020, 6, 15)
    _validate(tmp_path)


MEASURE_COLUMNS = ("valeur", "heures", "contrats", "participants", "part_heures", "part_participants", "operations")


def test_the_example_package_masks_small_counts(example_package):
    """The rule is active by default: the example's files hold secret cells, blank and marked
    ``true``, and no published count of participants is below 5, except 0."""
    out = example_package["out"]
    masked = set()
    for path in sorted(out.glob("*.csv")):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            assert row["secret"] in ("true", "false"), path.name
            if row["secret"] == "true":
                masked.add(path.name)
                assert all(row[c] == "" for c in MEASURE_COLUMNS if c in row), (path.name, row)
                continue
            count = row.get("participants", row["valeur"] if row.get("indicateur") == "participants" else "")
            assert count == "" or int(count) == 0 or int(count) >= 5, (path.name, row)
    assert {"repartition_departement_residence.csv", "repartition_commune_execution.csv"} <= masked
    assert len(masked) >= 5


def test_example_data_say_they_are_fictitious(example_package):
    package = json.loads((example_package["out"] / "datapackage.json").read_text(encoding="utf-8"))
    assert package["title"].endswith("(données fictives)")
    assert package["description"].startswith("Données fictives")
    assert package["sources"][0]["title"].startswith("Données fictives")


def test_readme_documents_every_file_column_and_code(clean):
    text = (clean["out"] / "LISEZMOI.md").read_text(encoding="utf-8")
    assert text.startswith("# Panorama des clauses sociales en Île-de-France — 2019\n") and text.endswith(" |\n")
    assert "\n\n\n" not in text
    for name in clean["files"]:
        assert f"`{name}`" in text, name
    for title in ("## Licence et citation", "## Périmètre", "## Secret statistique",
                  "## Définitions des indicateurs", "## `repartition_modalite.csv` — Répartition — Modalité juridique"):
        assert title in text, title
    assert "Licence Ouverte / Open Licence version 2.0" in text and "Pour les citer" in text
    assert "| `heures` | nombre | Heures d'insertion |" in text
    assert "| `secret` | booléen (true/false) |" in text and "| `annee` | année |" in text
    assert f"| `RESERVE_SIAE` | {referential.label('modalite', 'RESERVE_SIAE')} |" in text
    assert "| `2A` | Corse-du-Sud |" in text and "| `93` | Seine-Saint-Denis |" in text
    assert "chaque combinaison des codes de `repartition_sexe.csv` et de `repartition_tranche_age.csv`" in text
    assert "aucune valeur n'est masquée" in text  # no row carries secret = true in this edition


def test_workbook_holds_the_same_tables(clean):
    out = clean["out"]
    name = clean["files"][-1]
    assert name == "panorama-clauses-sociales-2019.xlsx"
    workbook = openpyxl.load_workbook(out / name)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    sheets = [r["name"].removeprefix("repartition_") for r in package["resources"]]
    assert workbook.sheetnames == ["Description", *sheets]
    assert all(len(sheet) <= 31 for sheet in workbook.sheetnames)
    description = [row for row in workbook["Description"].iter_rows(values_only=True) if row[0]]
    assert description[0] == ("Feuille", "Fichier CSV", "Contenu")
    assert [row[:2] for row in description[1:1 + len(sheets)]] == [
        (sheet, r["path"]) for sheet, r in zip(sheets, package["resources"])]
    for sheet in sheets:
        frame = pd.read_excel(out / name, sheet_name=sheet, dtype={"code": str, "perimetre": str},
                              engine="openpyxl")
        written = read_export(out, f"{'' if sheet.startswith(('chiffres', 'serie')) else 'repartition_'}"
                                   f"{sheet}.csv")
        pd.testing.assert_frame_equal(frame, written, check_dtype=False, obj=sheet)
    key = workbook["chiffres_cles"]
    assert key["A1"].font.b and key.freeze_panes == "A2"
    rows = list(csv.reader(io.StringIO((out / "chiffres_cles.csv").read_text(encoding="utf-8"))))
    for row_number in (2, 3, 20):  # the very values of the CSV, as numbers
        cell = key.cell(row_number, 3)
        assert isinstance(cell.value, (int, float)) and cell.value == float(rows[row_number - 1][2])
    shares = [row for row in key.iter_rows(min_row=2) if row[1].value == "part_femmes"]
    assert shares[0][2].number_format == "0.0%" and shares[0][2].value == 0.4
    sexe = workbook["sexe"]
    assert [c.value for c in sexe[1]][:4] == ["perimetre", "dimension", "code", "libelle"]
    assert sexe["J2"].value is False and sexe["F2"].data_type == "n"


def test_export_is_identical_from_one_run_to_the_next(clean, tmp_path):
    assert write_open_data(clean["results"], tmp_path) == clean["files"]
    for name in clean["files"]:  # CSV, JSON, Markdown and the workbook, byte for byte
        assert (tmp_path / name).read_bytes() == (clean["out"] / name).read_bytes(), name
    with zipfile.ZipFile(tmp_path / clean["files"][-1]) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2020, 1, 1, 0, 0, 0)}


# --- the series of key figures -------------------------------------------------------------------

def test_series_with_a_gap_and_an_older_departement(clean, tmp_path):
    series = pd.DataFrame({
        "annee": [2016, 2016, 2016, 2017, 2017, 2017, 2018, 2018, 2018, 2019, 2019, 2019],
        "perimetre": ["region", "region", "13"] * 4,
        "indicateur": ["heures", "participants", "heures"] * 4,
        "valeur": [100.5, 3, 20, math.nan, math.nan, math.nan, 300, 7, math.nan, 3800, 5, math.nan],
        "secret": [False] * 8 + [True] + [False] * 3,  # 2018 in 13: masked; 2017: no data, not masked
    })
    files = write_open_data(dataclasses.replace(clean["results"], series=series), tmp_path)
    assert "serie_chiffres_cles.csv" in files
    lines = (tmp_path / "serie_chiffres_cles.csv").read_text(encoding="utf-8").split("\n")
    assert lines[:5] == ["annee,perimetre,indicateur,valeur,secret", "2016,region,heures,100.5,false",
                         "2016,region,participants,3,false", "2016,13,heures,20,false", "2017,region,heures,,false"]
    assert lines[7:10] == ["2018,region,heures,300,false", "2018,region,participants,7,false",
                           "2018,13,heures,,true"]
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    perimetre = _fields(package, "serie_chiffres_cles")["perimetre"]
    assert perimetre["categories"][-1] == {"value": "13", "label": "Bouches-du-Rhône"}
    assert _fields(package, "serie_chiffres_cles")["indicateur"]["constraints"]["enum"] == ["heures", "participants"]
    assert "de 2016 à 2019" in next(r for r in package["resources"] if r["name"] == "serie_chiffres_cles")[
        "description"]
    _validate(tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / files[-1])["serie_chiffres_cles"]
    assert [c.value for c in sheet[2]] == [2016, "region", "heures", 100.5, False]
    assert [c.value for c in sheet[5]] == [2017, "region", "heures", None, False]
    assert [c.value for c in sheet[10]] == [2018, "13", "heures", None, True]
    assert "`serie_chiffres_cles.csv`" in (tmp_path / "LISEZMOI.md").read_text(encoding="utf-8")


def test_results_without_a_series_publish_no_series_file(clean, tmp_path):
    files = write_open_data(dataclasses.replace(clean["results"], series=None), tmp_path)
    assert "serie_chiffres_cles.csv" not in files and not (tmp_path / "serie_chiffres_cles.csv").exists()
    assert "serie_chiffres_cles" not in openpyxl.load_workbook(tmp_path / files[-1]).sheetnames
    _validate(tmp_path)


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


@pytest.fixture(scope="module")
def example_package(tmp_path_factory):
    """The package of the embedded example, as ``panorama build 2019`` writes it."""
    out = tmp_path_factory.mktemp("exemple-donnees")
    return {"out": out, "files": write_open_data(load_results(PANORAMA, 2019, Example()), out)}


def test_key_figures_match_the_independent_computation_on_the_example_data(example_data):
    tables, previous, results = example_data
    expected = independent.key_figures(tables, 2019, previous)
    table = results.export_tables()["chiffres_cles"]
    secret = {(p, c) for p, c, _, hidden in table.itertuples(index=False) if hidden}
    assert table.loc[table["secret"], "valeur"].isna().all()  # a secret figure is blank
    written = {(p, c): v for p, c, v, hidden in table.itertuples(index=False) if not hidden and not math.isnan(v)}
    assert len({p for p, _ in written}) >= 9  # the region and at least 8 départements
    assert set(written) == set(expected) - secret  # every published figure checked, nothing missing
    for key, value in written.items():
        assert value == pytest.approx(expected[key], rel=1e-9, abs=1e-9), key


@pytest.mark.parametrize(("dimension", "column"), [("publics", None), ("tranche_age", None),
                                                   ("departement_residence", None), ("qpv", "qpv_code")])
def test_breakdowns_match_the_independent_computation_on_the_example_data(example_data, dimension, column):
    tables, _, results = example_data
    expected = independent.breakdown(tables, 2019, dimension, column)
    rows = results.breakdowns[results.breakdowns["dimension"] == dimension]
    written = {(row.perimetre, row.code): row for row in rows.itertuples(index=False)}
    assert set(written) == set(expected)  # a secret cell keeps its row, with blank values
    published = 0
    for key, values in expected.items():
        row = written[key]
        if row.secret:
            assert all(math.isnan(getattr(row, name)) for name in values), key
            continue
        published += 1
        for name, value in values.items():
            assert getattr(row, name) == pytest.approx(value, rel=1e-9, abs=1e-9), (key, name)
    assert published >= len(expected) / 2
