"""Statistical confidentiality: adversarial fixtures, and the example data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from datasets import write_dataset

from panorama.compute import indicators
from panorama.core import catalogue
from panorama.core.config import Config
from panorama.core.publications import PANORAMA
from panorama.input.source import Example, Folder
from panorama.pipeline import load_results
from panorama.protect import confidentiality
from panorama.protect.confidentiality import Rule

YEAR = 2019


def _people(specs: list[tuple[str, str, str, str]], year: int = YEAR) -> dict[str, list[dict]]:
    """A dataset from ``(departement, sexe, type_structure, entreprise_id)`` per participant:
    one contract of 100 hours each, on one operation per département."""
    deps = sorted({d for d, *_ in specs})
    companies = sorted({(e, t) for _, _, t, e in specs})
    tables = {
        "donneurs_ordre": [{"donneur_ordre_id": "D1", "nom": "Commune", "type": "COMMUNE"}],
        "operations": [{"operation_id": f"OP{d}", "donneur_ordre_id": "D1", "departement": d,
                        "nature": "TRAVAUX", "modalite": "CLAUSE_EXECUTION"} for d in deps],
        "entreprises": [{"entreprise_id": e, "type_structure": t} for e, t in companies],
        "participants": [], "contrats": [],
    }
    for i, (d, sexe, _, e) in enumerate(specs):
        tables["participants"].append({"participant_id": f"P{i}", "sexe": sexe, "annee_naissance": "1985",
                                       "niveau_qualification": "3", "critere_principal": "DELD"})
        tables["contrats"].append({"contrat_id": f"C{i}", "operation_id": f"OP{d}", "participant_id": f"P{i}",
                                   "entreprise_id": e, "type_contrat": "CDI", "date_debut": f"{year}-01-01",
                                   "heures": "100"})
    return tables


def _companies(n: int, prefix: str = "E", kind: str = "ENTREPRISE") -> list[tuple[str, str]]:
    return [(f"{prefix}{i}", kind) for i in range(n)]


def _results(tmp_path, specs, previous=None, config=None):
    write_dataset(tmp_path, YEAR, _people(specs))
    if previous is not None:
        write_dataset(tmp_path, YEAR - 1, _people(previous, YEAR - 1))
    return load_results(PANORAMA, YEAR, Folder(tmp_path), config or Config())


def _spread(dep: str, women: int, men: int, companies: int = 10, kind: str = "ENTREPRISE", prefix: str = "E"):
    """Participants of one département, spread over ``companies`` companies."""
    return [(dep, "F" if i < women else "M", kind, f"{prefix}{dep}-{i % companies}") for i in range(women + men)]


def _cell(results, perimetre, dimension, code) -> pd.Series:
    rows = results.breakdowns
    match = rows[(rows["perimetre"] == perimetre) & (rows["dimension"] == dimension) & (rows["code"] == code)]
    assert len(match) == 1
    return match.iloc[0]


def test_a_single_woman_in_a_departement_cannot_be_recovered(tmp_path):
    specs = _spread("93", 1, 30) + _spread("75", 12, 12) + _spread("94", 15, 15)
    results = _results(tmp_path, specs)
    woman = _cell(results, "93", "sexe", "F")
    assert woman["secret"] and math.isnan(woman["participants"]) and math.isnan(woman["heures"])
    # the complement in her département, and her share, are hidden too
    assert _cell(results, "93", "sexe", "M")["secret"]
    assert results.is_secret("part_femmes", "93") and math.isnan(results.figure("part_femmes", "93"))
    # and the region minus the other départements does not give her away
    region_f = _cell(results, "region", "sexe", "F")
    others = [_cell(results, d, "sexe", "F") for d in ("75", "94")]
    assert region_f["secret"] or any(o["secret"] for o in others)
    _assert_no_group_with_one_secret(results)


def test_one_company_doing_all_siae_hours_is_not_published(tmp_path):
    specs = (_spread("77", 5, 25) + _spread("77", 0, 12, companies=1, kind="ETTI", prefix="X")
             + _spread("78", 5, 25) + _spread("78", 0, 12, companies=4, kind="ETTI", prefix="Y")
             + _spread("91", 5, 25) + _spread("91", 0, 12, companies=4, kind="ETTI", prefix="Z"))
    results = _results(tmp_path, specs)
    alone = _cell(results, "77", "type_structure", "ETTI")
    assert alone["secret"] and math.isnan(alone["heures"])  # 12 participants but a single company
    # its complement in 77 and, across départements, one other ETTI cell protect it (the region is published)
    assert _cell(results, "77", "type_structure", "ENTREPRISE")["secret"]
    others = [_cell(results, d, "type_structure", "ETTI")["secret"] for d in ("78", "91")]
    assert sum(others) == 1  # four companies each: only one of the two is hidden, as a secondary cell
    _assert_no_group_with_one_secret(results)


def test_a_dominant_company_makes_a_cell_secret(tmp_path):
    # three companies, one of which does 90 % of the hours
    specs = (_spread("92", 5, 30) + [("92", "M", "GEIQ", "G1")] * 1
             + [("92", "M", "GEIQ", "G2")] + [("92", "M", "GEIQ", "G0")] * 18)
    specs = [(d, s, t, e) for d, s, t, e in specs]
    results = _results(tmp_path, specs)
    assert _cell(results, "92", "type_structure", "GEIQ")["secret"]


def test_a_total_minus_one_cell_is_not_enough(tmp_path):
    # a département where one age band would be the only hidden cell of its table
    specs = _spread("93", 10, 10) + _spread("75", 10, 10)
    tables = _people(specs)
    tables["participants"][0]["annee_naissance"] = "1960"  # the only person of 50 and over in 93
    write_dataset(tmp_path, YEAR, tables)
    results = load_results(PANORAMA, YEAR, Folder(tmp_path), Config())
    band = results.breakdown("tranche_age", "93")
    assert band[band["code"] == "50_PLUS"]["secret"].all()
    assert band["secret"].sum() >= 2  # the total is published: a second band is hidden
    assert results.is_secret("part_50_plus", "93") and results.is_secret("part_26_49", "93")
    _assert_no_group_with_one_secret(results)


def test_a_small_departement_publishes_nothing_and_no_evolution(tmp_path):
    now = _spread("93", 10, 10) + _spread("75", 10, 10) + _spread("94", 10, 10)
    before = _spread("93", 10, 10) + _spread("75", 10, 10) + _spread("94", 1, 2)
    results = _results(tmp_path, now, previous=before)
    row = results.figure_row("heures", "94")
    assert row["secret_precedent"] and math.isnan(row["evolution"])  # N−1 of 94 counted 3 people
    key = results.export_tables()["chiffres_cles"]
    rate = key[(key["perimetre"] == "94") & (key["indicateur"] == "taux_evolution_heures")]
    assert rate["secret"].all() and rate["valeur"].isna().all()
    # its N−1 hours cannot be rebuilt from the region's either: another département is hidden in N−1
    series = results.series[(results.series["annee"] == YEAR - 1) & (results.series["indicateur"] == "heures")]
    hidden = series[series["secret"]]["perimetre"].tolist()
    assert "94" in hidden and len(hidden) >= 2


def test_the_rule_is_configurable(tmp_path):
    specs = _spread("93", 3, 30) + _spread("75", 12, 12)
    assert _results(tmp_path / "a", specs)
    strict = _results(tmp_path / "b", specs)
    loose = _results(tmp_path / "c", specs, config=Config(secret_seuil=2))
    assert _cell(strict, "93", "sexe", "F")["secret"]
    assert not _cell(loose, "93", "sexe", "F")["secret"]


def _sex_table(women: float, men: float, total: float):
    rows = pd.DataFrame({"perimetre": ["region"] * 2, "dimension": ["sexe"] * 2, "code": ["F", "M"],
                         "libelle": ["Femmes", "Hommes"], "heures": [100.0 * women, 100.0 * men],
                         "contrats": [women, men], "participants": [women, men],
                         "part_heures": [women / total, men / total], "part_participants": [women / total, men / total],
                         "secret": [False, False], "operations": np.nan})
    key = pd.DataFrame({"perimetre": ["region", "region"], "indicateur": ["participants", "heures"],
                        "valeur": [total, 100.0 * total]})
    return rows, key


def test_the_audit_measures_what_an_attacker_can_derive():
    rows, key = _sex_table(1, 6, 7)
    protected, published, summary = confidentiality.protect(rows, key, Rule(seuil=5))
    # F is hidden (1 person), M too (else F = total − M); an attacker only knows F + M = 7: F ∈ [0, 7]
    assert protected["secret"].all() and not published["secret"].any()
    assert (summary.primary, summary.secondary, summary.narrowest) == (1, 1, 7.0)
    # asking for a protection of 10 people: the total must be hidden instead of M (6 people
    # hidden rather than 6 + 7): F + 6 = ? leaves F unbounded
    protected, published, summary = confidentiality.protect(rows, key, Rule(seuil=5, protection=10))
    assert protected["secret"].tolist() == [True, False] and published["secret"].all()
    assert (summary.secondary, summary.secondary_participants, summary.narrowest) == (1, 7, math.inf)


def test_a_perimeter_of_fewer_than_k_people_publishes_nothing():
    rows, key = _sex_table(1, 2, 3)
    protected, published, summary = confidentiality.protect(rows, key, Rule(seuil=5))
    assert protected["secret"].all() and published["secret"].all()
    assert summary.primary == 3 and summary.secondary == 0


def test_the_example_passes_the_audit_and_publishes_no_small_count():
    results = load_results(PANORAMA, YEAR, Example())
    summary = results.confidentiality
    assert summary.primary > 0 and summary.secondary > 0 and summary.audited >= summary.suppressed
    assert summary.narrowest >= Config().rule.protection_participants
    rows = results.breakdowns
    shown = rows[~rows["secret"]]
    assert ((shown["participants"] == 0) | (shown["participants"] >= 5)).all()
    _assert_no_group_with_one_secret(results)


def _assert_no_group_with_one_secret(results) -> None:
    """No published group of cells adding up to a published total has exactly one secret cell."""
    rows = results.breakdowns
    key = results.key_figures
    for (perimetre, dimension), table in rows.groupby(["perimetre", "dimension"]):
        if not catalogue.breakdown(dimension).exclusive:
            continue
        total_secret = bool(key[(key["perimetre"] == perimetre) & (key["indicateur"] == "heures")]["secret"].any())
        assert table["secret"].sum() + total_secret != 1, (perimetre, dimension)
    departements = rows[rows["perimetre"] != indicators.REGION]
    for (dimension, code), cells in departements.groupby(["dimension", "code"]):
        if not catalogue.breakdown(dimension).across:
            continue
        region = rows[(rows["perimetre"] == indicators.REGION) & (rows["dimension"] == dimension)
                      & (rows["code"] == code)]
        assert cells["secret"].sum() + int(region["secret"].sum()) != 1, (dimension, code)
    totals = key[key["indicateur"] == "heures"]
    assert totals["secret"].sum() != 1


# --- one regime for the whole year: the panorama and the studies ----------------------------------

def _women_by_nature(travaux: float, services: float):
    """A study's cells: women by nature (3 and 7 people, 100 hours each), splitting the women
    of the panorama's breakdown by sex (region)."""
    women = confidentiality.identity(YEAR, ("sexe", "F"))
    cells = {women | {("nature", "TRAVAUX")}: (travaux, 100.0 * travaux),
             women | {("nature", "SERVICES")}: (services, 100.0 * services)}
    return cells, [confidentiality.Partition(women, tuple(cells), True)]


def test_a_study_cell_recoverable_only_through_a_panorama_table_is_caught_by_the_audit(monkeypatch):
    rows, key = _sex_table(10, 20, 30)  # the panorama publishes 10 women
    cells, partitions = _women_by_nature(3, 7)  # the study: 3 of them in works (secret), 7 in services
    done = confidentiality.protect_edition(rows, key, Rule(seuil=5), year=YEAR, cells=cells, partitions=partitions)
    travaux, services = cells
    assert travaux in done.secret and services in done.secret  # else 3 = 10 − 7, from the panorama
    assert not done.breakdowns["secret"].any()  # the panorama loses nothing: 10 = ? + ? is safe
    # without the secondary suppression, the audit alone sees that the panorama gives the 3 women away
    monkeypatch.setattr(confidentiality, "_optimal", lambda cells, base, primary, rule: None)
    monkeypatch.setattr(confidentiality, "_secondary", lambda cells, suppressed: None)
    monkeypatch.setattr(confidentiality, "_widen", lambda cells, suppressed, cell: None)
    with pytest.raises(confidentiality.ConfidentialityError) as failed:
        confidentiality.protect_edition(rows, key, Rule(seuil=5), year=YEAR, cells=cells, partitions=partitions)
    # the message names the cell still recoverable and the most atypical linked cell
    assert f"Cases en cause : {YEAR}, nature du marché TRAVAUX, sexe F." in str(failed.value)
    assert "Valeur la plus atypique parmi les cases liées" in str(failed.value)
    # the same study cells with an unpublished total of women: nothing to recompute, the audit passes
    hidden = _sex_table(10, 20, 30)[0].assign(code=["X", "Y"], dimension="secteur")  # cells unrelated to sex
    assert confidentiality.protect_edition(hidden, key, Rule(seuil=5), year=YEAR, cells=cells,
                                           partitions=partitions).secret == {travaux}


def test_the_pattern_of_a_year_does_not_depend_on_the_order_of_the_cells():
    rows, key = _sex_table(10, 20, 30)
    cells, partitions = _women_by_nature(3, 7)
    backwards = dict(reversed(list(cells.items())))
    first = confidentiality.protect_edition(rows, key, Rule(seuil=5), year=YEAR, cells=cells, partitions=partitions)
    second = confidentiality.protect_edition(rows, key, Rule(seuil=5), year=YEAR, cells=backwards,
                                             partitions=partitions[::-1])
    assert first.secret == second.secret


@pytest.fixture(scope="module")
def example_edition():
    from panorama.core.resources import example_data_root
    from panorama.input import validation
    from panorama.protect.results import compute_edition

    return compute_edition(validation.load_history(example_data_root(), YEAR), Config(), example=True)


def _rows(table: pd.DataFrame, dimension: str, code: str) -> pd.DataFrame:
    return table[(table["dimension"] == dimension) & (table["code"].astype(str) == code)].set_index(
        ["annee", "groupe"])


def test_the_women_of_a_secret_category_cannot_be_rebuilt_from_the_two_studies(example_edition):
    # The leak of the separate regimes: in 2018, 3 of the 21 participants living in the Marne were
    # women; the study « femmes » hid 2018 but published 2019's share (0) and its evolution
    # (−1/7), and the study « jeunes » published the 21 participants of 2018 (7 + 14).
    women = _rows(example_edition.study("femmes").tables["femmes_hommes_par_categorie"].frame,
                  "departement_residence", "51")
    young = _rows(example_edition.study("jeunes").tables["jeunes_par_categorie"].frame,
                  "departement_residence", "51")
    assert women.loc[(2018, "F"), "secret"] and math.isnan(women.loc[(2018, "F"), "participants"])
    assert young.loc[(2018, "MOINS_26"), "participants"] + young.loc[(2018, "26_PLUS"), "participants"] == 21
    # the 2018 share (2019's − the evolution) is not published any more: 21 × share = 3 is out of reach
    for group in ("F", "M"):
        assert math.isnan(women.loc[(2019, group), "evolution_part_categorie"])
        assert women.loc[(2019, group), "secret"]


@pytest.mark.parametrize("study, table", [("femmes", "femmes_hommes_par_categorie"),
                                          ("jeunes", "jeunes_par_categorie")])
def test_no_share_nor_evolution_is_published_from_a_secret_cell(example_edition, study, table):
    frame = example_edition.study(study).tables[table].frame
    secret = frame[frame["participants"].isna()]
    hidden = set(zip(secret["annee"], secret["dimension"], secret["code"]))
    for row in frame.itertuples():
        if (row.annee, row.dimension, row.code) in hidden:
            assert math.isnan(row.part_participants_categorie), row
        if (row.annee - 1, row.dimension, row.code) in hidden:
            assert math.isnan(row.evolution_part_categorie), row
    assert len(hidden) >= 4


def test_the_same_population_has_the_same_secrecy_in_every_publication(example_edition):
    panorama = example_edition.panorama.breakdowns
    region = panorama[panorama["perimetre"] == indicators.REGION]
    secret = dict(zip(zip(region["dimension"], region["code"]), region["secret"]))
    shares = example_edition.study("femmes").tables["femmes_hommes_par_categorie"].frame
    women = shares[(shares["annee"] == YEAR) & (shares["groupe"] == "F") & (shares["dimension"] == "ensemble")]
    assert not women["secret"].any() and not secret[("sexe", "F")]
    crossed = panorama[(panorama["perimetre"] == indicators.REGION) & (panorama["dimension"] == "sexe_x_tranche_age")]
    ages = shares[(shares["annee"] == YEAR) & (shares["groupe"] == "F") & (shares["dimension"] == "tranche_age")]
    for code, hidden in zip(ages["code"], ages["participants"].isna()):
        assert hidden == bool(crossed[crossed["code"] == f"F|{code}"]["secret"].iloc[0]), code


def test_a_study_cell_by_type_of_structure_follows_the_companies_rule():
    rows, key = _sex_table(10, 20, 30)
    women = confidentiality.identity(YEAR, ("sexe", "F"))
    ea, esat = women | {("type_structure", "EA")}, women | {("type_structure", "ESAT")}
    cells = {ea: (6.0, 600.0, 1.0, 1.0), esat: (4.0, 400.0, 3.0, 0.4)}  # EA: 6 people, but one company
    done = confidentiality.protect_edition(rows, key, Rule(seuil=3), year=YEAR, cells=cells,
                                           partitions=[confidentiality.Partition(women, (ea, esat), True)])
    assert ea in done.secret and esat in done.secret  # ESAT too: else EA = 10 − 4
    loose = confidentiality.protect_edition(rows, key, Rule(seuil=3, entreprises_min=1, dominance=1.0), year=YEAR,
                                            cells=cells)
    assert not loose.secret
