"""The real DECP samples (../shared/realdata/decp) import: counts checked against an
independent reading of the files with the standard library."""

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from panorama import cli
from panorama.compute.procurement import by_value, counts, notified
from panorama.input.decp import category, import_decp, read_decp
from panorama.input.warehouse import MIGRATIONS, SCHEMA_VERSION, Warehouse

DECP = Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "decp"
if not DECP.is_dir():
    DECP = Path("/work/shared/realdata/decp")
pytestmark = pytest.mark.skipif(not DECP.is_dir(), reason="échantillons DECP absents (../shared/realdata/decp)")
FILES = sorted(p for p in DECP.glob("*") if p.suffix in (".json", ".csv"))
IDF = {"75", "77", "78", "91", "92", "93", "94", "95"}


def _expected_json(path: Path) -> tuple[int, int, int, list[dict]]:
    """(marchés kept, concessions, non-conforming, kept records), read independently."""
    data = json.loads(path.read_text(encoding="utf-8", errors="replace"))["marches"]
    if isinstance(data, dict):
        return (len(data["marche"]), len(data.get("contrat-concession", [])), 0, data["marche"])
    concessions = [r for r in data if "concession" in r.get("_type", "").lower()]
    kept = [r for r in data if r not in concessions and r.get("id") and (r.get("acheteur") or {}).get("id")
            and re.match(r"(199\d|20\d\d)-\d\d-\d\d", str(r.get("dateNotification") or ""))
            and not isinstance(r.get("considerationsSociales", {}), list)]
    return len(kept), len(concessions), len(data) - len(kept) - len(concessions), kept


def decp_year(warehouse: Warehouse, year: int, departements: tuple[str, ...] | None = None) -> dict:
    """The counts of the marchés notified in ``year`` (in ``departements``) as a build reads them."""
    marches = notified(warehouse.procurement(year), year, departements)
    return {**counts(marches), "par_departement": by_value(marches, "departement"),
            "par_nature": by_value(marches, "categorie")}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    warehouse = Warehouse(tmp_path_factory.mktemp("decp") / "entrepot.duckdb")
    import_decp(FILES, warehouse)
    return warehouse


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".json"], ids=lambda p: p.name)
def test_json_files_counts_match_an_independent_reading(path):
    read = read_decp(path)
    kept, concessions, nonconforming, records = _expected_json(path)
    assert (len(read.marches), read.concessions, read.nonconforming) == (kept, concessions, nonconforming)
    assert sorted(m["id"] for m in read.marches) == sorted(str(r["id"]) for r in records)


def test_the_non_conforming_and_the_damaged_files_are_reported_not_fatal():
    flat = read_decp(DECP / "decp2022_maximilien_13001845000028_2024-02-29.json")
    assert (flat.schema, len(flat.marches), flat.nonconforming) == ("2022", 0, 1)
    assert flat.reasons == {"considerationsSociales non conforme au schéma 2022": 1}
    aife = read_decp(DECP / "decp2019_data.gouv.fr_aife.json")
    records = json.loads((DECP / "decp2019_data.gouv.fr_aife.json").read_text(encoding="utf-8"))["marches"]
    no_date = sum(1 for r in records if not r.get("dateNotification") and "concession" not in r["_type"].lower()
                  and (r.get("acheteur") or {}).get("id"))
    assert aife.reasons["sans date de notification valide"] == no_date == 2510
    kept = _expected_json(DECP / "decp2019_data.gouv.fr_aife.json")[3]
    assert aife.damaged == sum(1 for r in kept if "\ufffd" in f"{r['acheteur'].get('nom')}{r.get('objet')}") > 1000


def test_2022_social_considerations_by_an_independent_count(warehouse):
    records = json.loads((DECP / "decp2022_maximilien_13001845000028_2024-10-06.json").read_text())["marches"]["marche"]
    by_year = Counter(r["dateNotification"][:4] for r in records)
    assert all(r["considerationsSociales"]["considerationSociale"] == ["Pas de considération sociale"] for r in records)
    figures = decp_year(warehouse, 2019, ("75", "77", "78", "91", "92", "93", "94", "95"))
    idf_2019 = [r for r in records if r["dateNotification"].startswith("2019")
                and (r.get("lieuExecution") or {}).get("code") in IDF]
    assert figures["renseignes"] == len(idf_2019) == by_year["2019"] - sum(
        1 for r in records if r["dateNotification"].startswith("2019") and not r.get("lieuExecution"))
    assert figures["avec_consideration_sociale"] == figures["clause_sociale"] == 0


def test_tabular_csv_counts_distinct_marches_by_buyer_departement(warehouse):
    path = DECP / "decp_tabular_2024H2_travaux_cpv4521_extract.csv"
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    first = {}
    for row in rows:
        first.setdefault(row["uid"], row)
    assert len(first) == 5180
    idf = Counter(r["acheteur_departement_code"] for r in first.values()
                  if r["acheteur_departement_code"] in IDF and r["dateNotification"].startswith("2024"))
    figures = decp_year(warehouse, 2024, tuple(sorted(IDF)))
    assert figures["par_departement"] == dict(sorted(idf.items(), key=lambda kv: (-kv[1], kv[0])))
    assert figures["renseignes"] == 0  # the tabular file has no social considerations


def test_reimporting_replaces_and_an_old_warehouse_is_migrated(tmp_path):
    path = tmp_path / "v1.duckdb"
    with duckdb.connect(str(path)) as connection:  # a warehouse of schema version 1
        for statement in MIGRATIONS[0]():
            connection.execute(statement)
        connection.execute("INSERT INTO schema VALUES (1)")
    warehouse = Warehouse(path)
    small = DECP / "decp2022_maximilien_13001845000028_2024-10-06.json"
    for _ in range(2):
        import_decp([small], warehouse)
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("SELECT version FROM schema").fetchall() == [(SCHEMA_VERSION,)]
        assert connection.execute("SELECT count(*) FROM decp_marches").fetchone()[0] == 17
        columns = connection.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
    assert ("operations", "marche_id") in columns and ("decp_marches", "categorie") in columns


def test_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["panorama", "importer-decp", str(DECP / "decp2022_maximilien_13001845000028_2024-02-29.json"),
                                      str(DECP / "decp2022_maximilien_13001845000028_2024-10-06.json"),
                                      "--entrepot", str(tmp_path / "e.duckdb")])
    assert cli.main() == 0
    out = capsys.readouterr().out
    assert "0 marchés importés, 0 concessions écartées, 1 enregistrements non conformes" in out
    assert "17 marchés importés" in out
    assert re.search(r"2019 : \d+ marchés notifiés ; 0,0\s%", out)


def _division_category(cpv: str) -> str | None:
    division = int(cpv[:2]) if cpv[:2].isdigit() else -1
    return ("TRAVAUX" if division == 45 else "FOURNITURES" if 3 <= division <= 44 or division == 48
            else "SERVICES" if division >= 50 else None)


@pytest.mark.parametrize("name", ["decp2019_data.gouv.fr_aife.json", "decp2019_marches-publics.info.json",
                                  "decp2022_maximilien_13001845000028_2024-10-06.json"])
def test_categories_follow_the_cpv_division(name):
    kept = _expected_json(DECP / name)[3]
    expected = Counter(_division_category(str(r.get("codeCPV") or "")) for r in kept)
    assert Counter(m["categorie"] for m in read_decp(DECP / name).marches) == expected
    assert expected["TRAVAUX"] > 0 and (name.startswith("decp2022") or expected["SERVICES"] > 100)
    assert category("", "Travaux") == "TRAVAUX" and category("45210000", "") == "TRAVAUX"


def test_a_build_reads_each_marche_once_and_nothing_for_a_year_without_marches(warehouse):
    marches = warehouse.procurement(2024)
    assert marches["uid"].is_unique and marches["annee"].max() == 2024
    with open(DECP / "decp_tabular_2024H2_travaux_cpv4521_extract.csv", newline="", encoding="utf-8") as stream:
        tabular = {row["uid"] for row in csv.DictReader(stream) if row["dateNotification"].startswith("2024")}
    assert set(marches.loc[marches["uid"].isin(tabular), "categorie"]) == {"TRAVAUX"}  # its type « Travaux »
    assert warehouse.procurement(2031) is None
    with duckdb.connect(str(warehouse.path), read_only=True) as connection:
        rows = connection.execute("SELECT count(*), count(DISTINCT uid) FROM decp_marches WHERE annee <= 2024").fetchone()
    assert rows[1] == len(marches) < rows[0]  # some marchés are published by two files
