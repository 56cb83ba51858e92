"""The catalogue: every dimension, key figure and published column is declared once; every code
the indicators compute, the open data publish and the documents show is declared; an unknown
code stops the build (fails closed) and a share without its secrecy link is refused."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from datasets import open_config, write_dataset
from independent import tiny_previous_tables, tiny_tables

from panorama.compose import panorama_report, sheet_report
from panorama.compose.commentary import Texts
from panorama.compose.studies import common as composing
from panorama.compute import indicators
from panorama.compute.studies import common
from panorama.core import catalogue, referential
from panorama.core.errors import PanoramaError
from panorama.core.publications import PANORAMA
from panorama.core.publications import study as get_study
from panorama.core.resources import example_data_root
from panorama.input import validation
from panorama.input.source import Example, Folder
from panorama.output.opendata import open_data_tables, write_open_data
from panorama.pipeline import load_results
from panorama.protect import confidentiality
from panorama.protect.results import compute_edition

STUDY_RUNS = [("femmes", None), ("jeunes", None), ("mobilite", None), ("donneur-ordre", "DO0001")]


@pytest.fixture(scope="module")
def example_history():
    return validation.load_history(example_data_root(), 2019)


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("donnees")
    write_dataset(root, 2019, tiny_tables())
    write_dataset(root, 2018, tiny_previous_tables())
    return root


@pytest.fixture(scope="module")
def example_results():
    return load_results(PANORAMA, 2019, Example())


@pytest.fixture(scope="module")
def fixture_results(fixture_root):
    return load_results(PANORAMA, 2019, Folder(fixture_root), open_config())


@pytest.fixture(scope="module", params=["example", "fixture"])
def dataset(request, example_history, fixture_root):
    if request.param == "example":
        return example_history[2019]
    return validation.load_history(fixture_root, 2019)[2019]


@pytest.fixture(autouse=True)
def _fresh_lookups():
    """Lookups are cached: a test that edits the catalogue must not leak into another."""
    catalogue.key_figure.cache_clear()
    yield
    catalogue.key_figure.cache_clear()


# --- every code computed, published or shown is declared --------------------------------------------

def test_the_indicators_compute_exactly_the_declared_key_figures_and_breakdowns(dataset):
    key, rows = indicators.tables(dataset)
    computed = list(dict.fromkeys(key["indicateur"]))
    for code in computed:
        catalogue.key_figure(code)
    assert set(computed) == set(catalogue.KEY_FIGURES) | set(catalogue.HOURS_SHARES)
    assert "heures_public_RSA" in computed and "part_heures_public_RSA" in computed
    assert list(dict.fromkeys(rows["dimension"])) == [d.name for d in catalogue.DIMENSIONS] + [
        c.name for c in catalogue.CROSSES]


@pytest.mark.parametrize("which", ["example_results", "fixture_results"])
def test_every_panorama_table_column_and_indicator_is_declared(request, which):
    results = request.getfixturevalue(which)
    tables = open_data_tables(results)
    assert "serie_chiffres_cles" in tables and "repartition_sexe_x_nature" in tables
    for name, frame in tables.items():
        for column in frame.columns:
            assert catalogue.column(column).title, (name, column)
        if "indicateur" in frame:
            for code in frame["indicateur"].unique():
                assert catalogue.key_figure(code).label, (name, code)
        if "dimension" in frame:
            assert catalogue.breakdown(frame["dimension"].iloc[0]).name == name.removeprefix("repartition_")
    published = set(tables["chiffres_cles"]["indicateur"])
    assert {f"taux_evolution_{code}" for code in catalogue.evolution_codes()} <= published
    assert not {code for code in published if code.startswith("taux_evolution_part_")}


@pytest.mark.parametrize("theme, subject", STUDY_RUNS)
def test_every_study_table_column_indicator_and_dimension_is_declared(example_history, theme, subject):
    results = compute_edition(example_history, open_config(), example=True, subject=subject).study(theme, subject)
    assert results.tables
    for table in results.tables.values():
        for column in table.frame.columns:
            kind, title, description = catalogue.column(column).in_study()
            assert kind and title and description, (table.name, column)
        if "indicateur" in table.frame:
            for code in table.frame["indicateur"].unique():
                assert composing.figure_label(code) == catalogue.indicator_label(code)
        if "dimension" in table.frame:
            for name in table.frame["dimension"].unique():
                if name != common.ALL:
                    catalogue.dimension(name)


def _shown_codes(monkeypatch, compose) -> set[str]:
    """The key-figure codes a document looks up while it is composed."""
    seen = set()
    lookup = catalogue.key_figure

    def recording(code):
        seen.add(code)
        return lookup(code)

    monkeypatch.setattr(catalogue, "key_figure", recording)
    compose()
    return seen


def test_the_documents_show_declared_codes_only(monkeypatch, example_results):
    shown = _shown_codes(monkeypatch, lambda: panorama_report.build_document(example_results, Texts(None)))
    shown |= _shown_codes(monkeypatch, lambda: sheet_report.build_sheet(example_results, "93", Texts(None)))
    assert {"heures", "part_femmes", "heures_public_RSA", "part_heures_public_RSA", "heures_iae"} <= shown
    for code in shown:
        catalogue.key_figure(code)


def test_a_document_showing_an_undeclared_code_stops(monkeypatch, example_results):
    # a new dictionary, not delitem: that would put the entry back last, and the catalogue's order is published
    monkeypatch.setattr(catalogue, "KEY_FIGURES", {c: f for c, f in catalogue.KEY_FIGURES.items() if c != "part_qpv"})
    with pytest.raises(catalogue.UnknownCodeError, match="part_qpv"):
        panorama_report.build_document(example_results, Texts(None))


# --- fails closed ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lookup, code", [
    (catalogue.key_figure, "part_inconnue"), (catalogue.key_figure, "taux_evolution_part_femmes"),
    (catalogue.key_figure, "part_heures"), (catalogue.dimension, "sexe_x_nature"),
    (catalogue.breakdown, "inconnue"), (catalogue.column, "colonne_inconnue")])
def test_an_unknown_code_raises_a_french_error_naming_it(lookup, code):
    with pytest.raises(catalogue.UnknownCodeError) as raised:
        lookup(code)
    assert isinstance(raised.value, PanoramaError)
    assert f"« {code} »" in str(raised.value) and "absent du catalogue" in str(raised.value)


def test_publishing_an_undeclared_indicator_writes_nothing(fixture_results, tmp_path):
    extra = pd.DataFrame({"perimetre": ["region"], "indicateur": ["heures_inconnues"], "valeur": [1.0],
                          "secret": [False], "valeur_precedente": [float("nan")], "secret_precedent": [False],
                          "evolution": [float("nan")]})
    results = dataclasses.replace(fixture_results,
                                  key_figures=pd.concat([fixture_results.key_figures, extra], ignore_index=True))
    with pytest.raises(catalogue.UnknownCodeError, match="heures_inconnues"):
        write_open_data(results, tmp_path / "donnees")
    assert not (tmp_path / "donnees").exists()


def test_publishing_an_undeclared_column_writes_nothing(fixture_root, tmp_path):
    study = get_study("femmes").computing().indicators(validation.load_history(fixture_root, 2019), open_config())
    table = common.StudyTable("t", "T", "D", ("code",), pd.DataFrame({"code": ["A"], "colonne_inconnue": [1]}))
    with pytest.raises(catalogue.UnknownCodeError, match="colonne_inconnue"):
        write_open_data(dataclasses.replace(study, tables={"t": table}), tmp_path / "etude")
    assert not (tmp_path / "etude").exists()


def test_protection_refuses_an_undeclared_breakdown_or_key_figure(fixture_results):
    rule = confidentiality.Rule()
    rows = fixture_results.breakdowns.copy()
    key = fixture_results.key_figures[["perimetre", "indicateur", "valeur"]]
    unknown = rows.assign(dimension=rows["dimension"].replace({"sexe": "sexe_bis"}))
    with pytest.raises(catalogue.UnknownCodeError, match="sexe_bis"):
        confidentiality.protect(unknown, key, rule)
    extra = pd.concat([key, pd.DataFrame({"perimetre": ["region"], "indicateur": ["part_nouvelle"],
                                          "valeur": [0.5]})], ignore_index=True)
    with pytest.raises(catalogue.UnknownCodeError, match="part_nouvelle"):
        confidentiality.protect(rows, extra, rule)


# --- secrecy links --------------------------------------------------------------------------------

def test_a_share_without_its_secrecy_link_is_refused():
    with pytest.raises(catalogue.CatalogueError, match="part_nouvelle"):
        catalogue.KeyFigure("part_nouvelle", "de nouveaux", "share", "Nouveaux ÷ participants.")
    linked = catalogue.KeyFigure("part_nouvelle", "de nouveaux", "share", "Nouveaux ÷ participants.",
                                 linked=catalogue.Link("sexe"))
    assert linked.format == "part" and linked.evolution == "points" and not linked.integer


def test_every_share_is_linked_to_a_declared_breakdown_cell():
    shares = [f for f in [*catalogue.KEY_FIGURES.values(), *catalogue.HOURS_SHARES.values()] if f.kind == "share"]
    assert len(shares) == 6 + len(catalogue.HOURS_SHARES)
    for figure in shares:
        table = catalogue.dimension(figure.linked.dimension)
        if figure.linked.code is not None:
            assert figure.linked.code in indicators.dimension_codes(table), figure.code
    for figure in catalogue.KEY_FIGURES.values():
        if figure.denominator is not None:
            assert figure.denominator.dimension == figure.linked.dimension
    assert catalogue.key_figure("part_heures_public_RSA").linked == catalogue.Link("publics", "RSA")
    assert catalogue.key_figure("part_heures_iae").linked == catalogue.Link("groupe_contrat")
    assert catalogue.linked_breakdowns() == ("groupe_contrat", "sexe", "tranche_age", "publics",
                                             "situation_sortie", "qpv")


def test_a_key_figure_follows_the_secrecy_of_its_linked_breakdown(fixture_results):
    rows = fixture_results.breakdowns.copy()
    key = fixture_results.key_figures[["perimetre", "indicateur", "valeur"]]
    rule = confidentiality.Rule(seuil=2, entreprises_min=1, dominance=1.0)  # cells of one person are secret
    protected_rows, protected, _ = confidentiality.protect(rows, key, rule)
    hidden = protected_rows[protected_rows["secret"]]
    tables = set(zip(hidden["perimetre"], hidden["dimension"]))
    cells = set(zip(hidden["perimetre"], hidden["dimension"], hidden["code"]))
    followed = 0
    for perimetre, code, is_secret in zip(protected["perimetre"], protected["indicateur"], protected["secret"]):
        link = catalogue.key_figure(code).linked
        if link is not None and ((perimetre, link.dimension) in tables if link.code is None
                                 else (perimetre, link.dimension, link.code) in cells):
            assert is_secret, (perimetre, code)
            followed += 1
    assert followed > 0


# --- declarations ---------------------------------------------------------------------------------

def test_dimension_declarations():
    assert [d.name for d in catalogue.DIMENSIONS if not d.exclusive] == ["publics"]
    assert [d.name for d in catalogue.DIMENSIONS if d.participants_add_up] == [
        "sexe", "tranche_age", "age_quinquennal", "niveau_qualification", "critere_principal", "prescripteur",
        "situation_sortie", "departement_residence", "qpv", "heures_par_participant"]
    assert [d.name for d in catalogue.DIMENSIONS if d.company] == ["type_structure", "type_contrat", "taille_entreprise",
                                                                   "groupe_contrat"]
    assert [d.name for d in catalogue.DIMENSIONS if not d.across] == ["heures_par_participant"]
    cross = catalogue.breakdown("sexe_x_tranche_age")
    assert [d.name for d in cross.dimensions] == ["sexe", "tranche_age"] and cross.participants_add_up
    assert not catalogue.breakdown("sexe_x_nature").participants_add_up
    pyramid = catalogue.breakdown("sexe_x_age_quinquennal")
    assert [d.name for d in pyramid.dimensions] == ["sexe", "age_quinquennal"] and pyramid.participants_add_up
    assert indicators.code_label(catalogue.dimension("duree_contrat"), "EN_COURS") == "Contrat en cours au 31 décembre"


def test_generated_families_follow_their_rule():
    publics = [c for c in catalogue.KEY_FIGURES if c.startswith("heures_public_") and c != "heures_public_QPV"]
    assert publics == [f"heures_public_{code}" for code in referential.codes("critere")]
    assert set(catalogue.HOURS_SHARES) == {f"part_{code}" for code in [*publics, "heures_public_QPV", "heures_iae",
                                                                       "heures_alternance"]}
    evolution = catalogue.key_figure("taux_evolution_heures_par_participant")
    assert evolution.label == "Évolution sur un an : heures par participant" and evolution.format == "part"
    assert catalogue.indicator_label("part_heures_iae") == "Part des heures en parcours IAE"
    assert catalogue.indicator_definition("part_femmes") == "Participantes ÷ participants. Fraction entre 0 et 1."
    assert [c for c, f in catalogue.KEY_FIGURES.items() if f.integer] == [
        "participants", "contrats", "operations", "operations_actives", "donneurs_ordre", "entreprises"]
