"""``panorama example``: the embedded example, and synthetic national data at a chosen volume."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest

from panorama.core import referential
from panorama.core.resources import example_data_root
from panorama.input import example, validation
from tests.datasets import run_cli


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """About 20,000 contracts in 2019 on every French département."""
    root = tmp_path_factory.mktemp("national")
    example.generate(root, years=(2019,), scale=example.scale_for_contracts(20_000, 2019, tuple(
        referential.DEPARTEMENTS)), departements=tuple(referential.DEPARTEMENTS))
    return root


def test_without_volume_option_it_writes_the_embedded_example(tmp_path, monkeypatch, capsys):
    status, out, _ = run_cli(monkeypatch, capsys, "example", "--out", str(tmp_path / "d"))
    assert status == 0
    assert out.startswith(f"Données fictives 2017, 2018, 2019 écrites dans {tmp_path / 'd'} (")
    names = [f"{t}.csv" for t in ("operations", "donneurs_ordre", "entreprises", "participants", "contrats")]
    for year in ("2017", "2018", "2019"):
        match, mismatch, errors = filecmp.cmpfiles(tmp_path / "d" / year, example_data_root() / year, names,
                                                   shallow=False)
        assert (match, mismatch, errors) == (names, [], [])


def test_contracts_option_gives_about_that_many_contracts_on_all_of_france(tmp_path, monkeypatch, capsys):
    status, _, _ = run_cli(monkeypatch, capsys, "example", "-o", str(tmp_path), "--contrats", "20000",
                           "--annee", "2018", "--annee", "2019")
    assert status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2018", "2019", "DONNEES_FICTIVES.txt"]
    contracts = pd.read_csv(tmp_path / "2019" / "contrats.csv", sep=";", dtype=str)
    assert 19_000 <= len(contracts) <= 21_000
    operations = pd.read_csv(tmp_path / "2019" / "operations.csv", sep=";", dtype=str)
    assert set(operations["departement"]) == set(referential.DEPARTEMENTS)  # all 101 départements
    dataset = validation.load_year(tmp_path, 2019)  # a valid dataset: nothing excluded
    assert dataset.quality.tables["contrats"].rows_excluded == 0
    assert len(dataset.contrats) == len(contracts)


def test_organisations_have_invented_names(national):
    """No real body carries invented figures: every buyer and facilitator is named « <kind> de
    <invented place> », and no invented place is a commune of France."""
    import csv

    from panorama.core.resources import assets_dir

    with (assets_dir() / "geo" / "communes_centroides.csv").open(encoding="utf-8") as file:
        communes = {row["nom"] for row in csv.DictReader(file)}
    places = example._Toponyms()
    invented = [places.next() for _ in range(3000)]
    assert len(set(invented)) == 3000 and not set(invented) & communes
    for root in (national, example_data_root()):
        buyers = pd.read_csv(root / "2019" / "donneurs_ordre.csv", sep=";", dtype=str)["nom"]
        facilitators = pd.read_csv(root / "2019" / "operations.csv", sep=";", dtype=str)["facilitateur"].dropna()
        for name in [*buyers, *facilitators.unique()]:
            assert any(f" de {p}" in name or f" d'{p}" in name for p in invented[:1500]), name
    embedded = set(pd.read_csv(example_data_root() / "2019" / "donneurs_ordre.csv", sep=";", dtype=str)["nom"])
    for real in ("Sorbonne Université", "RATP", "Citallios", "Ville de Paris", "SOLIDEO", "Paris Habitat"):
        assert not any(real in name for name in embedded)


def test_same_options_same_bytes(national, tmp_path, monkeypatch, capsys):
    status, _, _ = run_cli(monkeypatch, capsys, "example", "--out", str(tmp_path), "--scale", "20000",
                           "--annee", "2019")
    assert status == 0
    names = sorted(p.name for p in (national / "2019").iterdir())
    assert filecmp.cmpfiles(tmp_path / "2019", national / "2019", names, shallow=False)[0] == names


def test_another_seed_gives_other_data(national, tmp_path, monkeypatch, capsys):
    run_cli(monkeypatch, capsys, "example", "--out", str(tmp_path), "-n", "20000", "--annee", "2019",
            "--graine", "7")
    assert (tmp_path / "2019" / "contrats.csv").read_bytes() != (national / "2019" / "contrats.csv").read_bytes()


def test_restricted_territory(tmp_path, monkeypatch, capsys):
    status, _, _ = run_cli(monkeypatch, capsys, "example", "--out", str(tmp_path), "-n", "3000",
                           "--departement", "59", "--departement", "62", "--annee", "2019")
    assert status == 0
    operations = pd.read_csv(tmp_path / "2019" / "operations.csv", sep=";", dtype=str)
    assert set(operations["departement"]) == {"59", "62"}
    assert 2_700 <= len(pd.read_csv(tmp_path / "2019" / "contrats.csv", sep=";", dtype=str)) <= 3_300


def test_existing_data_is_never_replaced(tmp_path, monkeypatch, capsys):
    (tmp_path / "2019").mkdir()
    (tmp_path / "2019" / "contrats.csv").write_text("mes données", encoding="utf-8")
    status, out, err = run_cli(monkeypatch, capsys, "example", "--out", str(tmp_path), "--annee", "2019")
    assert status == 1
    assert err.startswith(f"Dossier déjà présent : {tmp_path / '2019'} ; les données existantes ne sont jamais "
                          "remplacées")
    assert (tmp_path / "2019" / "contrats.csv").read_text(encoding="utf-8") == "mes données"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2019"]


@pytest.mark.parametrize("args, message", [
    (["--departement", "99"], "Départements inconnus : 99."),
    (["-n", "0"], "Le nombre de contrats doit être strictement positif (reçu : 0)."),
])
def test_bad_options_give_a_french_message(tmp_path, monkeypatch, capsys, args, message):
    status, _, err = run_cli(monkeypatch, capsys, "example", "--out", str(tmp_path / "d"), *args)
    assert (status, err.strip()) == (1, message)
