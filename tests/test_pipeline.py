"""The input seam (a :class:`~panorama.input.source.Source` other than a folder feeds the whole
pipeline) and the pipeline's own steps: the secrecy step it runs, the subjects it checks,
the files it names. The publications' documents are checked by their own tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from datasets import TEST_DEPARTEMENTS, clean_tables, open_config, write_dataset

from panorama import pipeline
from panorama.core.config import Config
from panorama.core.errors import UsageError
from panorama.core.publications import PANORAMA, SHEETS, study
from panorama.input import reading
from panorama.input.source import Example, Folder, Source
from panorama.input.validation import load_history


class Memory(Source):
    """A source that is no folder: tables read beforehand, kept in memory, fictitious."""

    fictitious = True
    description = "tables en mémoire"

    def __init__(self, tables: dict[int, tuple]):
        self.tables = tables
        self.asked: list[int] = []

    def years(self) -> list[int]:
        return sorted(self.tables)

    def read(self, year: int):
        self.asked.append(year)
        return self.tables[year]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("donnees")
    for year in (2017, 2018, 2019):
        write_dataset(root, year, clean_tables(year))
    (root / "2019" / "textes").mkdir()
    (root / "archives").mkdir()  # not a year
    return root


@pytest.fixture
def memory(root) -> Memory:
    return Memory({year: reading.read_year(root, year) for year in (2018, 2019)})


def test_a_folder_holds_its_year_folders_and_their_texts(root):
    folder = Folder(root)
    assert not folder.fictitious and folder.description == str(root)
    assert folder.years() == [2017, 2018, 2019]
    assert folder.texts(2019) == root / "2019" / "textes" and folder.texts(2018) is None
    assert Folder(root / "absente").years() == []


def test_the_example_is_fictitious_without_texts():
    example = Example()
    assert example.fictitious and example.years() == [2017, 2018, 2019]
    assert example.texts(2019) is None and Path(example.description).name == "donnees"


def test_validation_reads_only_the_years_the_source_holds_up_to_the_one_asked(root, memory):
    assert sorted(load_history(memory, 2019)) == [2018, 2019]
    assert memory.asked == [2019, 2018]
    assert sorted(load_history(root, 2018)) == [2017, 2018]  # a path is read as a folder


def test_whether_data_are_fictitious_is_the_sources_word(root, memory):
    lines = []
    results = pipeline.load_results(PANORAMA, 2019, memory, open_config(), progress=lines.append)
    assert results.example and results.previous_year == 2018
    assert lines == ["Lecture et validation des données 2019 (tables en mémoire)", "Calcul des indicateurs"]
    assert not pipeline.load_results(PANORAMA, 2019, Folder(root), open_config()).example


def test_documents_are_composed_from_protected_results_only(memory, tmp_path, monkeypatch):
    """The pipeline runs the secrecy step: the document receives the results it returned,
    with the confidentiality summary of the default rule (rendering stubbed)."""
    from panorama.compose import panorama_report
    from panorama.compose.document import Document
    from panorama.output import render

    composed = []

    def compose(results, texts):
        composed.append(results)
        return Document(title="", subtitle="", year=2019, region="", observatory="", publisher="", sections=[],
                        example=True)

    monkeypatch.setattr(panorama_report, "build_document", compose)
    monkeypatch.setattr(render, "render_html", lambda document, pdf: "<html lang=\"fr\"></html>")
    monkeypatch.setattr(render, "write_pdf", lambda html, path, archive=False: Path(path).write_bytes(b"%PDF"))
    region = Config(departements=TEST_DEPARTEMENTS)  # the default rule, for the datasets' départements
    output = pipeline.run(PANORAMA, 2019, memory, tmp_path, region, cache=False)
    assert composed and all(results is output.results for results in composed)
    assert output.results.confidentiality is not None and output.results.confidentiality.suppressed > 0
    assert output.folder == tmp_path / "2019"
    assert output.files[:3] == ["panorama-2019.pdf", "panorama-2019.html", "donnees/datapackage.json"]
    assert (tmp_path / "2019" / "donnees" / "chiffres_cles.csv").is_file()


@pytest.mark.parametrize(("publication", "subjects", "message"), [
    (study("femmes"), ["D1"], "L'étude « femmes » ne prend pas d'identifiant (reçu : « D1 »)"),
    (study("donneur-ordre"), None, "porte sur un donneur d'ordre : indiquez son identifiant"),
    (study("donneur-ordre"), ["D1", "D2"], "porte sur un seul donneur d'ordre (reçu : D1, D2)"),
    (PANORAMA, ["93"], "La publication « panorama » porte sur toute la région"),
])
def test_subjects_must_fit_what_a_publication_covers(publication, subjects, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        pipeline.check_subjects(publication, subjects, 2019)


def test_sheets_take_any_departements():
    pipeline.check_subjects(SHEETS, ["93", "75"], 2019)
    pipeline.check_subjects(SHEETS, None, 2019)


def test_data_written_by_panorama_example_stay_fictitious(tmp_path):
    """Data written by ``panorama example --out X`` then built with ``--data X`` are marked
    « Données fictives », with the fictitious source line."""
    from panorama.compose.commentary import Texts
    from panorama.compose.composer import Composer
    from panorama.core.resources import example_data_root
    from panorama.input.source import FICTITIOUS_MARKER

    written = Folder(example_data_root())  # what `panorama example` wrote, marker included
    assert (example_data_root() / FICTITIOUS_MARKER).is_file() and written.fictitious
    results = pipeline.load_results(PANORAMA, 2019, written)
    assert results.example
    assert Composer(results, Texts(None)).source == "Source : données fictives d'exemple (générateur de panorama)."
    (tmp_path / "2019").mkdir()
    assert not Folder(tmp_path).fictitious
    (tmp_path / FICTITIOUS_MARKER).write_text("x", encoding="utf-8")
    assert Folder(tmp_path).fictitious
