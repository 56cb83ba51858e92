"""Perimeters as a declared hierarchy (:mod:`panorama.compute.perimeters`): read by the
indicators and by the secrecy equations; the studies' groups computed as populations of
one coded pass, against the computation group by group and a plain re-computation."""

from __future__ import annotations

import independent
import numpy as np
import pandas as pd
import pytest
from datasets import write_dataset
from independent import read_clean, tiny_tables

from panorama.compute import indicators
from panorama.compute.perimeters import REGION, Hierarchy
from panorama.core import catalogue
from panorama.input import example, validation
from panorama.input.source import Example
from panorama.protect import confidentiality

ADDITIVE = ("heures", "contrats", "operations", "heures_iae", "heures_alternance", "heures_public_DELD")


# --- the hierarchy itself ---------------------------------------------------------------------------

def test_regional_hierarchy_is_the_region_and_its_departements():
    tree = Hierarchy.regional(["59", "62"])
    assert tree.names == (REGION, "59", "62") and tree.parents == (-1, 0, 0)
    assert tree.equations() == [(0, [1, 2])]
    assert tree.roots.tolist() == [True, False, False] and tree.depth.tolist() == [0, 1, 1]
    # rows of 59, 62, none (the region itself), 62: the region adds up its own and its children's
    table = np.array([[1.0], [2.0], [4.0]])  # assigned: region 1, 59 2, 62 4
    assert tree.add_up(table)[:, 0].tolist() == [7.0, 2.0, 4.0]
    rows, perimeter = tree.stack(np.array([1, 2, 0, 2]), np.arange(4))
    assert list(zip(rows.tolist(), perimeter.tolist())) == [(0, 0), (1, 0), (2, 0), (3, 0), (0, 1), (1, 2), (3, 2)]


def test_populations_are_roots_with_their_departements():
    tree = Hierarchy.populations(["2019|F", "2019|M"], ["75", "93"])
    assert tree.names == ("2019|F", "2019|F|75", "2019|F|93", "2019|M", "2019|M|75", "2019|M|93")
    assert tree.parents == (-1, 0, 0, -1, 3, 3)
    assert tree.equations() == [(0, [1, 2]), (3, [4, 5])]
    assert tree.node(np.array([0, 1, 1]), np.array([2, 0, 1])).tolist() == [2, 3, 4]
    rows, perimeter = tree.stack(np.array([2, 3, 4]), np.arange(3))
    assert list(zip(rows.tolist(), perimeter.tolist())) == [(0, 0), (1, 3), (2, 3), (0, 2), (2, 4)]


@pytest.mark.parametrize("names, parents", [(("a", "a"), (-1, 0)), (("a", "b"), (1, -1)), (("a",), (-1, 0))])
def test_an_inconsistent_hierarchy_is_refused(names, parents):
    with pytest.raises(ValueError):
        Hierarchy(names, parents)


# --- another region builds its own hierarchy --------------------------------------------------------

HDF = ("02", "59", "60", "62", "80")


@pytest.fixture(scope="module")
def hauts_de_france(tmp_path_factory):
    root = tmp_path_factory.mktemp("hdf")
    example.generate(root, years=(2019,), scale=example.scale_for_contracts(1500, 2019, HDF), departements=HDF)
    return validation.load_history(root, 2019)[2019]


def test_another_region_has_its_own_perimeters_and_adds_them_up(hauts_de_france):
    key, rows = indicators.tables(hauts_de_france)
    found = sorted(set(key["perimetre"]) - {REGION})
    assert found == sorted(HDF)
    values = {(p, c): v for p, c, v in key[["perimetre", "indicateur", "valeur"]].itertuples(index=False)}
    for code in ADDITIVE:
        assert values[(REGION, code)] == pytest.approx(sum(values[(d, code)] for d in HDF)), code
        assert values[(REGION, code)] > 0, code
    # participants and companies counted once per perimeter: at most the départements' sum
    assert values[(REGION, "participants")] <= sum(values[(d, "participants")] for d in HDF)
    # a breakdown's cell of the region is the sum of its départements' cells (additive measures)
    sexe = rows[rows["dimension"] == "sexe"].pivot_table(index="code", columns="perimetre", values="heures")
    assert np.allclose(sexe[REGION], sexe[list(HDF)].fillna(0).sum(axis=1))


def test_secrecy_equations_come_from_the_hierarchy(hauts_de_france):
    key, rows = indicators.tables(hauts_de_france)
    rows = rows.reset_index(drop=True)
    totals = confidentiality._perimeter_totals(key)
    cells = confidentiality._cells(rows, totals)
    total_cell = {p: len(rows) + i for i, p in enumerate(totals.index)}
    departements = sorted(total_cell[d] for d in HDF)
    assert (total_cell[REGION], departements, False) in [(p, sorted(m), e) for p, m, e in cells.groups]
    # and each region cell of a breakdown across populations with its départements' cells
    index = {k: i for i, k in enumerate(zip(rows["perimetre"], rows["dimension"], rows["code"]))}
    region_cell = index[(REGION, "sexe", "F")]
    members = sorted(index[(d, "sexe", "F")] for d in HDF if (d, "sexe", "F") in index)
    assert (region_cell, members, False) in [(p, sorted(m), e) for p, m, e in cells.groups]


# --- groups as populations of one pass --------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    write_dataset(root, 2019, tiny_tables())
    return root, validation.load_history(root, 2019)[2019]


def _groups(ds):
    facts = indicators.fact_table(ds)
    operations = indicators.operations_frame(ds)
    return [(name, facts[mask], operations) for name, mask in (
        ("F", (facts["sexe"] == "F").to_numpy()), ("M", (facts["sexe"] == "M").to_numpy()),
        ("jeunes", (facts["tranche_age"] == "MOINS_26").to_numpy()), ("tous", np.ones(len(facts), bool)))]


@pytest.mark.parametrize("data", ["tiny", "example"])
def test_population_breakdowns_equal_the_computation_group_by_group(data, tiny):
    ds = tiny[1] if data == "tiny" else validation.load_history(Example(), 2019)[2019]
    populations = _groups(ds)
    together = indicators.population_breakdowns(populations, only=None)
    figures = indicators.population_key_figures(populations)
    for name, subset, _ in populations:
        alone = indicators.breakdowns(ds, subset)
        alone = alone[alone["perimetre"] == REGION].drop(columns="perimetre").reset_index(drop=True)
        mine = together[together["perimetre"] == name].drop(columns="perimetre").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_exact=True, check_dtype=False)
        key = indicators.key_figures(ds, subset)
        key = key[key["perimetre"] == REGION].drop(columns="perimetre").reset_index(drop=True)
        mine = figures[figures["perimetre"] == name].drop(columns="perimetre").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, key, check_exact=True)
    assert set(together["perimetre"]) == {name for name, *_ in populations}  # no département published


def test_population_breakdowns_against_a_plain_recomputation(tiny):
    root, ds = tiny
    raw = read_clean(root / "2019")
    women = set(raw["participants"].loc[raw["participants"]["sexe"] == "F", "participant_id"])
    raw_women = {**raw, "contrats": raw["contrats"][raw["contrats"]["participant_id"].isin(women)]}
    populations = _groups(ds)
    together = indicators.population_breakdowns(populations, only=("modalite", "type_contrat", "publics"))
    for dimension, column in (("modalite", None), ("type_contrat", None), ("publics", None)):
        expected = {code: v for (p, code), v in independent.breakdown(raw_women, 2019, dimension, column).items()
                    if p == REGION}
        mine = together[(together["perimetre"] == "F") & (together["dimension"] == dimension)]
        got = {r.code: r for r in mine.itertuples() if r.contrats > 0}
        assert set(got) == set(expected), dimension
        # an operation-level category without any contract of the group: its operations only
        assert (mine.loc[mine["contrats"] == 0, "operations"] > 0).all()
        for code, values in expected.items():
            for measure in ("heures", "contrats", "participants", "part_heures", "part_participants"):
                assert getattr(got[code], measure) == pytest.approx(values[measure]), (dimension, code, measure)


def test_hour_bands_are_those_of_each_population(tiny):
    """``heures_par_participant`` bands a participant by their hours in the population (P2:
    920.5 h in all, none as a woman)."""
    populations = _groups(tiny[1])
    together = indicators.population_breakdowns(populations, only=("heures_par_participant",))
    bands = {code: (low, high) for low, high, code, _ in catalogue.HOURS_BANDS}

    def band_of(hours):
        return next(code for code, (low, high) in bands.items() if low <= hours < high)

    for name, subset, _ in populations:
        per_person = subset.groupby("participant_id")["heures"].sum()
        expected = per_person.groupby(per_person.map(band_of)).size().to_dict()
        mine = together[together["perimetre"] == name]
        assert dict(zip(mine["code"], mine["participants"])) == expected, name
