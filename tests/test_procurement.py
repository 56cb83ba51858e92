"""« Les clauses dans la commande publique »: the public procurement data (DECP) beside the
facilitators' follow-up, and the cross-check of the operations carrying their marché's
identifier (``marche_id``): counts computed by hand on a small fixture; the section and its
open data present with DECP data in the warehouse, absent without."""

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from panorama import pipeline
from panorama.compose.commentary import Texts
from panorama.compose.panorama_report import build_document
from panorama.compute.procurement import (
    WITHOUT_CONSIDERATION,
    WITHOUT_HOURS,
    procurement,
)
from panorama.core.config import Config
from panorama.core.publications import PANORAMA
from panorama.input.dataset import Dataset, QualityReport
from panorama.input.decp import import_decp
from panorama.input.reading import read_year
from panorama.input.source import PROCUREMENT_COLUMNS, Example
from panorama.input.validation import load_history
from panorama.input.warehouse import Warehouse

COMMUNE, ETABLISSEMENT = "21000000000017", "13000000000028"  # made-up SIRETs of the fixture's buyers


def _marche(uid, id_, buyer, year, departement, categorie, informed, clause=False, reserved=False) -> dict:
    return {"uid": uid, "id": id_, "acheteur_id": buyer, "acheteur_nom": f"Acheteur {buyer[:2]}", "nature": "Marché",
            "categorie": categorie, "date_notification": dt.date(year, 3, 1), "annee": year,
            "departement": departement, "montant": 100000.0, "renseigne": informed,
            "clause_sociale": clause if informed else None, "critere_social": False if informed else None,
            "marche_reserve": reserved if informed else None}


def fixture() -> Dataset:
    """Six operations (two buyers) and six DECP marchés; the expected counts are in the test."""
    operations = pd.DataFrame({
        "operation_id": ["OP1", "OP2", "OP3", "OP4", "OP5", "OP6"],
        "donneur_ordre_id": ["DO1", "DO1", "DO2", "DO2", "DO2", "DO1"],
        # OP1: its marché's uid; OP2: the buyer's number of its marché (with the buyer's SIRET);
        # OP3: a marché notified the year before; OP4: none; OP5: unknown; OP6: another buyer's number.
        "marche_id": ["C1", "2", "4", None, "ZZ", "3"]})
    buyers = pd.DataFrame({"donneur_ordre_id": ["DO1", "DO2"], "siret": [COMMUNE, ETABLISSEMENT],
                           "type": ["COMMUNE", "ETABLISSEMENT_PUBLIC"]})
    contracts = pd.DataFrame({"operation_id": ["OP1", "OP1", "OP2", "OP4"], "heures": [60.0, 40.0, 50.0, 10.0]})
    marches = pd.DataFrame([
        _marche("C1", "1", COMMUNE, 2019, "93", "TRAVAUX", True, clause=True),
        _marche("C2", "2", COMMUNE, 2019, "93", "SERVICES", True),
        _marche("E3", "3", ETABLISSEMENT, 2019, "75", "TRAVAUX", True, reserved=True),
        _marche("E4", "4", ETABLISSEMENT, 2018, "75", "TRAVAUX", True),
        _marche("X5", "5", "99999999900019", 2019, "13", "TRAVAUX", True, clause=True),  # outside the region
        _marche("C6", "6", COMMUNE, 2019, "93", None, False)], columns=list(PROCUREMENT_COLUMNS))
    empty = pd.DataFrame()
    return Dataset(year=2019, operations=operations, donneurs_ordre=buyers, entreprises=empty, participants=empty,
                   contrats=contracts, quality=QualityReport(2019), procurement=marches)


def test_counts_and_crosscheck_computed_by_hand():
    found = procurement(fixture(), ("75", "93"))
    # Notified in 2019 in 75 or 93: C1, C2, E3, C6; informed: C1, C2, E3; social: C1 (clause), E3 (reserved).
    assert (found.marches, found.informed, found.social) == (4, 3, 2)
    assert found.by_kind == {"clause_sociale": 1, "critere_social": 0, "marche_reserve": 1}
    assert (found.coverage, found.share) == (0.75, 2 / 3)
    rows = {(r.dimension, r.code): (r.marches, r.renseignes, r.consideration_sociale)
            for r in found.breakdowns.itertuples()}
    assert rows == {("nature", "TRAVAUX"): (2, 2, 2), ("nature", "SERVICES"): (1, 1, 0),
                    ("nature", "NON_RENSEIGNE"): (1, 0, 0),
                    ("type_donneur_ordre", "COMMUNE"): (3, 2, 1), ("type_donneur_ordre", "ETABLISSEMENT_PUBLIC"): (1, 1, 1),
                    ("departement", "93"): (3, 2, 1), ("departement", "75"): (1, 1, 1)}
    check = found.crosscheck
    # Identified: OP1, OP2, OP3, OP5, OP6; found: OP1 (uid), OP2 (number + SIRET), OP3 (2018 marché);
    # declared without a social consideration: C2 (OP2) and E4 (OP3). Declared with one in 2019 in the
    # region: C1 (OP1, 100 hours) and E3 (no operation): E3 without hours.
    assert (check.operations, check.identified, check.found, check.informed, check.without_consideration,
            check.declared, check.without_hours) == (6, 5, 3, 3, 2, 2, 1)
    assert check.listing[["constat", "uid", "acheteur_id", "operations"]].values.tolist() == [
        [WITHOUT_HOURS, "E3", ETABLISSEMENT, 0], [WITHOUT_CONSIDERATION, "C2", COMMUNE, 1],
        [WITHOUT_CONSIDERATION, "E4", ETABLISSEMENT, 1]]
    assert not {"participant_id", "contrat_id"} & set(check.listing.columns)


def test_no_crosscheck_without_marche_identifiers_and_nothing_without_decp():
    dataset = fixture()
    dataset.operations["marche_id"] = None
    assert procurement(dataset, ("75", "93")).crosscheck is None
    dataset.procurement = None
    assert procurement(dataset, ("75", "93")) is None


DECP = Path("/work/shared/realdata/decp")
if not DECP.is_dir():
    DECP = Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "decp"
SAMPLES = sorted(p for p in DECP.glob("*") if p.suffix in (".json", ".csv")) if DECP.is_dir() else []


def _decp_2022(path: Path, marches: list[tuple[str, str, str, list[str]]]) -> Path:
    """A DECP file of the 2022 schema: (id, buyer SIRET, département, considerations) per marché."""
    records = [{"id": id_, "acheteur": {"id": buyer}, "nature": "Marché", "codeCPV": "45000000",
                "dateNotification": "2019-06-01", "montant": 50000,
                "lieuExecution": {"code": departement, "typeCode": "Code département"},
                "considerationsSociales": {"considerationSociale": considerations}}
               for id_, buyer, departement, considerations in marches]
    path.write_text(json.dumps({"marches": {"marche": records, "contrat-concession": []}}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """The example's 2019 in a warehouse, its first three operations carrying a marché
    identifier, beside the real DECP samples and a hand-made 2022 file (made-up buyers)."""
    folder = tmp_path_factory.mktemp("commande")
    store = Warehouse(folder / "entrepot.duckdb")
    tables, problems = read_year(Example().root, 2019)
    assert not problems
    operations = tables["operations"]
    operations.data["marche_id"] = [*("99000000000011M1", "99000000000011M2", "INCONNU"), *([""] * (len(operations.data) - 3))]
    operations.headers["marche_id"] = "marche_id"
    store.replace(2019, "exemple", tables, Example().root / "2019" / "contrats.csv")
    made_up = _decp_2022(folder / "decp-fictif.json", [
        ("M1", "99000000000011", "93", ["Clause sociale"]), ("M2", "99000000000011", "93", ["Pas de considération sociale"]),
        ("M3", "99000000000011", "75", ["Marché réservé", "Critère social"])])
    import_decp([*SAMPLES, made_up], store)
    return store


def _independent_2019_idf() -> tuple[int, int]:
    """Marchés notified in 2019 and executed in Île-de-France in the real samples, and those of
    them with a social considerations field, read with the standard library."""
    idf = {"75", "77", "78", "91", "92", "93", "94", "95"}
    seen: dict[str, bool] = {}
    for path in SAMPLES:
        if path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8") as stream:
                for row in csv.DictReader(stream):
                    if row["dateNotification"].startswith("2019") and row["acheteur_departement_code"] in idf:
                        seen.setdefault(row["uid"], False)
            continue
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))["marches"]
        records = data["marche"] if isinstance(data, dict) else data
        for r in records:
            place = r.get("lieuExecution") or {}
            code, kind = str(place.get("code") or ""), str(place.get("typeCode") or "").lower()
            departement = code.zfill(2) if "partement" in kind else code[:2] if re.fullmatch(r"\d{5}", code) else None
            social = r.get("considerationsSociales")
            if ("concession" in str(r.get("_type", "")).lower() or not r.get("id") or not (r.get("acheteur") or {}).get("id")
                    or not str(r.get("dateNotification") or "").startswith("2019") or departement not in idf
                    or isinstance(social, list)):
                continue
            uid = str(r.get("uid") or f"{r['acheteur']['id']}{r['id']}")
            seen[uid] = seen.get(uid, False) or isinstance(social, dict)
    return len(seen), sum(seen.values())


@pytest.mark.skipif(not SAMPLES, reason="échantillons DECP absents (../shared/realdata/decp)")
def test_the_panorama_shows_the_decp_section_and_publishes_its_tables(warehouse, tmp_path):
    marches, informed = _independent_2019_idf()
    out = pipeline.run(PANORAMA, 2019, warehouse, tmp_path, cache=False)
    found = out.results.procurement
    assert (found.marches, found.informed) == (marches + 3, informed + 3)  # the samples and the made-up three
    assert found.social == 2 and found.by_kind == {"clause_sociale": 1, "critere_social": 1, "marche_reserve": 1}
    check = found.crosscheck
    assert (check.identified, check.found, check.without_consideration, check.declared) == (3, 2, 1, 2)
    html = (tmp_path / "2019" / "panorama-2019.html").read_text(encoding="utf-8")
    assert "Les clauses dans la commande publique" in html
    assert "données essentielles de la commande publique (DECP)" in html
    assert "ne relèvent pas du secret statistique" in html
    listing = (tmp_path / "2019" / "donnees" / "commande_publique_rapprochement.csv").read_text(encoding="utf-8")
    lines = listing.splitlines()
    assert lines[0] == "constat,uid,acheteur_id,acheteur_nom,categorie,departement,date_notification,operations"
    uids = [line.split(",")[1] for line in lines[1:]]
    assert "99000000000011M2" in uids and "99000000000011M3" in uids and "99000000000011M1" not in uids
    participants = pd.read_csv(Example().root / "2019" / "participants.csv", sep=";", dtype=str)["participant_id"]
    assert not any(p in listing for p in participants)
    counts = pd.read_csv(tmp_path / "2019" / "donnees" / "commande_publique.csv", dtype={"code": str})
    assert counts.groupby("dimension")["marches"].sum().to_dict() == {
        "departement": marches + 3, "nature": marches + 3, "type_donneur_ordre": marches + 3}
    package = json.loads((tmp_path / "2019" / "donnees" / "datapackage.json").read_text(encoding="utf-8"))
    assert {"commande_publique", "commande_publique_rapprochement"} <= {r["name"] for r in package["resources"]}
    from frictionless import validate

    report = validate(tmp_path / "2019" / "donnees" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])[:5]
    assert re.search(r'>DECP</t[hd]><td class="texte">Données essentielles de la commande publique</td>', html)


def test_no_section_without_decp_data():
    history = load_history(Example(), 2019)
    assert history[2019].procurement is None
    results = pipeline.protected_results(PANORAMA, history, Config(), fictitious=True)
    document = build_document(results, Texts(None))
    assert "commande-publique" not in [section.id for section in document.sections]
    assert "DECP" not in json.dumps([s.title for s in document.sections])
