"""The library API behind ``panorama build``: read → validate → indicators →
results → render → write, with outputs written completely or not at all.

The machine's two cores share a build: a worker process, forked as the build starts,
loads the drawing libraries while the data are read, then draws the charts and maps
that the figure cache (:mod:`panorama.figures`) lacks, on both cores; the open data are
written while the PDF is, and the département sheets two at a time.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from panorama import figures, validation
from panorama.commentary import Texts
from panorama.config import Config, load_config
from panorama.errors import UsageError
from panorama.parallel import Background, Worker, share
from panorama.resources import example_data_root
from panorama.results import Results, compute_edition
from panorama.studies import STUDIES, Study, get_study

if TYPE_CHECKING:
    import pandas as pd

    from panorama.dataset import Dataset
    from panorama.studies.common import StudyResults

Progress = Callable[[str], None]
Cache = bool | Path
"""The figure cache of a build: ``True`` the user's (:func:`panorama.figures.default_folder`),
a folder, or ``False`` for none (every figure drawn)."""
MAX_LISTED = 30  # identifiers listed in the message about an unknown one
T = TypeVar("T")


@dataclass
class BuildOutput:
    """What a build wrote, and the results it wrote them from."""

    folder: Path
    files: list[str]
    results: Results


def _quiet(_: str) -> None:
    pass


def load_results(year: int, data_root: Path | None = None, config: Config | None = None,
                 progress: Progress = _quiet) -> Results:
    """Read and validate year ``year`` (and N−1) and compute every indicator.

    ``data_root`` is the folder holding one sub-folder per year; ``None`` uses
    the embedded synthetic example (the documents then say « Données fictives »).
    Raises :class:`~panorama.errors.DataError` on invalid data.
    """
    config = config or Config()
    history = _history(year, data_root, progress)
    progress("Calcul des indicateurs")
    return compute_edition(history, config, example=data_root is None).panorama


def texts_folder(config: Config, data_root: Path | None, year: int) -> Path | None:
    """Folder of the observatory's Markdown texts: the configured one, else
    ``DATA/YEAR/textes`` when it exists."""
    if config.textes is not None:
        return config.textes
    if data_root is None:
        return None
    candidate = Path(data_root) / str(year) / "textes"
    return candidate if candidate.is_dir() else None


def _config(config_path: Path | None, pdf_archive: bool) -> Config:
    """The configuration; option --pdf-archive asks for PDF/A-3u whatever it says."""
    config = load_config(config_path)
    return replace(config, pdf_archive=True) if pdf_archive else config


def build(year: int, data_root: Path | None = None, out: Path = Path("build"),
          config_path: Path | None = None, progress: Progress = _quiet,
          pdf_archive: bool = False, cache: Cache = True) -> BuildOutput:
    """Build the panorama of ``year``: ``OUT/YEAR/panorama-YEAR.{pdf,html}`` and ``donnees/``.

    Everything is written in a staging folder beside the target, then swapped
    in, so a failed build leaves the previous outputs untouched. ``cache``: see :data:`Cache`.
    """
    from panorama import panorama_report, render  # the document model and its rendering

    config = _config(config_path, pdf_archive)
    with _Drawing(config, cache) as drawing:
        results = _while_pdf_engine_loads(load_results, year, data_root, config, progress)
        texts = Texts(texts_folder(config, data_root, year))
        progress("Graphiques et cartes")
        document = drawing.compose(lambda: panorama_report.build_document(results, texts))
    target = Path(out) / str(year)
    # the open data are written by another process, in a staging folder of their own
    with staging(target) as folder, staging(target) as data_folder:
        progress("Page HTML")
        html_name = f"panorama-{year}.html"
        (folder / html_name).write_text(render.render_html(document, pdf=False), encoding="utf-8")
        progress("Données ouvertes")
        with Background(_write_open_data, results, data_folder / "donnees") as open_data:  # on the other core
            progress("Document PDF")
            pdf_name = f"panorama-{year}.pdf"
            render.write_pdf(render.render_html(document, pdf=True), folder / pdf_name,
                             archive=config.pdf_archive)
            data_files = open_data.result()
    files = [pdf_name, html_name, *(f"donnees/{name}" for name in data_files)]
    return BuildOutput(folder=target, files=files, results=results)


def _write_open_data(results: Results, folder: Path) -> list[str]:
    """:func:`panorama.opendata.write_open_data`, loaded by the process that writes the open
    data (its spreadsheet library takes a fifth of a second to load)."""
    from panorama.opendata import write_open_data

    return write_open_data(results, folder)


def build_sheets(year: int, codes: list[str] | None = None, data_root: Path | None = None,
                 out: Path = Path("build"), config_path: Path | None = None,
                 progress: Progress = _quiet, pdf_archive: bool = False, cache: Cache = True) -> BuildOutput:
    """Build the sheet of each département of ``codes`` (``None``: every configured
    département) into ``OUT/YEAR/departements/fiche-CODE-YEAR.{pdf,html}``.

    An unknown code raises a :class:`~panorama.errors.UsageError` listing the
    départements available. Sheets already there for other départements are kept.
    ``cache``: see :data:`Cache`.
    """
    from panorama import render, sheet_report  # the document model and its rendering

    config = _config(config_path, pdf_archive)
    with _Drawing(config, cache, communes=True) as drawing:
        results = _while_pdf_engine_loads(load_results, year, data_root, config, progress)
        available = [p.code for p in results.departements]
        wanted = list(config.departements) if codes is None else list(dict.fromkeys(codes))
        unknown = [code for code in wanted if code not in available]
        if unknown:
            raise UsageError(f"Département{'s' if len(unknown) > 1 else ''} sans données ou inconnu"
                             f"{'s' if len(unknown) > 1 else ''} : {', '.join(unknown)}. "
                             f"Départements disponibles : {', '.join(available)}.")
        texts = Texts(texts_folder(config, data_root, year))
        progress("Graphiques et cartes")
        documents = drawing.compose(lambda: [sheet_report.build_sheet(results, code, texts) for code in wanted])

    def write(sheet: tuple[str, object]) -> list[str]:
        code, document = sheet
        progress(f"Fiche du département {code}")
        stem = f"fiche-{code}-{year}"
        (folder / f"{stem}.html").write_text(render.render_html(document, pdf=False), encoding="utf-8")
        render.write_pdf(render.render_html(document, pdf=True), folder / f"{stem}.pdf",
                         archive=config.pdf_archive)
        return [f"departements/{stem}.pdf", f"departements/{stem}.html"]

    with staging(Path(out) / str(year) / "departements") as folder:
        # the sheets are independent documents: both cores write them
        files = [name for names in share(write, list(zip(wanted, documents))) for name in names]
    return BuildOutput(folder=Path(out) / str(year), files=files, results=results)


def _while_pdf_engine_loads(function: Callable[..., T], *args) -> T:
    """``function(*args)`` — reading the data and computing the results — in a forked
    process, while this one loads WeasyPrint, which it needs for the PDF (half a second)."""
    from panorama import render

    with Background(function, *args) as computing:  # on the other core
        render.prepare_pdf()
        return computing.result()


class _Drawing:
    """The figures of one build. A worker process forked at once loads the drawing
    libraries (and the boundaries of the communes, for the sheets' maps) while the data
    are read; :meth:`compose` then has it draw, on both cores, the figures the cache lacks."""

    def __init__(self, config: Config, cache: Cache, communes: bool = False):
        self._figures = figures.Figures(figures.default_folder() if cache is True else cache or None)
        self._worker = Worker(functools.partial(figures.prepare, config, communes))

    def __enter__(self) -> _Drawing:
        self._worker.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._worker.__exit__(exc_type, exc, tb)

    def compose(self, builder: Callable[[], T]) -> T:
        """``builder()`` (a document, or a list of them) with its figures drawn ahead
        (see :class:`panorama.figures.Figures`); once per build."""
        missing = self._figures.plan(builder)
        if missing:
            self._worker.start(figures.draw_all, missing)
            self._figures.keep(missing, self._worker.result())
        return self._figures.compose(builder)


class staging:
    """Context manager: a temporary folder whose entries replace those of ``target`` on success.

    Each file or folder written in the temporary folder replaces the entry of the
    same name in ``target`` (a folder is replaced whole, so no stale file
    survives in it); other entries of ``target`` are left as they are. On an
    exception the temporary folder is removed and ``target`` is untouched.
    """

    def __init__(self, target: Path):
        self.target = Path(target)

    def __enter__(self) -> Path:
        self.target.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-", dir=self.target.parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        for entry in sorted(self.tmp.iterdir()):
            destination = self.target / entry.name
            if destination.is_dir() and not destination.is_symlink():
                old = self.tmp.with_name(f"{self.tmp.name}-{entry.name}-ancien")
                destination.rename(old)
                entry.rename(destination)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(entry, destination)
        self.tmp.rmdir()


@dataclass
class StudyOutput:
    """What a study build wrote, and the study's results."""

    folder: Path
    files: list[str]
    results: StudyResults


def _check_subject(study: Study, subject: str | None, year: int) -> None:
    """A :class:`~panorama.errors.UsageError` unless ``subject`` is given exactly when the
    study is about one entity."""
    if study.subject is None and subject is not None:
        raise UsageError(f"L'étude « {study.name} » ne prend pas d'identifiant (reçu : « {subject} »). "
                         f"Utilisation : panorama study {study.name} {year}.")
    if study.subject is not None and subject is None:
        raise UsageError(f"L'étude « {study.name} » porte sur un {study.subject} : indiquez son identifiant, "
                         f"par exemple panorama study {study.name} IDENTIFIANT {year} ; la liste : "
                         f"panorama study {study.name} --list {year}.")


def _history(year: int, data_root: Path | None, progress: Progress) -> dict[int, Dataset]:
    """The validated datasets of ``year`` and of every earlier year folder."""
    root = example_data_root() if data_root is None else Path(data_root)
    progress(f"Lecture et validation des données {year} ({root})")
    return validation.load_history(root, year)


def study_subjects(theme: str, year: int, data_root: Path | None = None) -> tuple[Study, pd.DataFrame]:
    """The entities study ``theme`` can be about in ``year`` (its ``subjects`` table, the
    identifier first), for ``panorama study THEME --list YEAR``; a
    :class:`~panorama.errors.UsageError` for an unknown theme or one without subject."""
    study = get_study(theme)
    if study.subject is None:
        about = [s.name for s in STUDIES.values() if s.subject is not None]
        raise UsageError(f"L'étude « {theme} » ne porte pas sur un identifiant : l'option --list ne concerne que "
                         f"{', '.join(f'« {name} »' for name in about)}.")
    return study, study.load().subjects(_history(year, data_root, _quiet))


def _study_results(study: Study, year: int, subject: str | None, data_root: Path | None, config: Config,
                   progress: Progress) -> StudyResults:
    """The results of ``study`` (about ``subject``, an identifier that must exist that year)."""
    history = _history(year, data_root, progress)
    module = study.load()
    if subject is not None:
        available = module.subjects(history).iloc[:, 0].tolist()
        if subject not in available:
            shown = ", ".join(available[:MAX_LISTED]) + (f"… ({len(available)} au total)"
                                                         if len(available) > MAX_LISTED else "")
            raise UsageError(f"{study.subject[:1].upper()}{study.subject[1:]} inconnu ou sans opération en {year} : "
                             f"« {subject} ». Identifiants disponibles : {shown}. Liste complète avec les noms : "
                             f"panorama study {study.name} --list {year}.")
    progress(f"Indicateurs de l'étude « {study.name} »")
    return compute_edition(history, config, example=data_root is None, subject=subject).study(study.name, subject)


def build_study(theme: str, year: int, subject: str | None = None, data_root: Path | None = None,
                out: Path = Path("build"), config_path: Path | None = None,
                progress: Progress = _quiet, cache: Cache = True) -> StudyOutput:
    """Build the thematic study ``theme`` of ``year`` (``subject``: the identifier of the
    entity studied, for a study about one) into ``OUT/YEAR/etudes/THEME[-ID]/``:
    ``etude-THEME[-ID]-YEAR.{pdf,html}`` and ``donnees/``, written completely or not at all.

    An unknown theme, a missing, superfluous or unknown identifier raise a
    :class:`~panorama.errors.UsageError` listing what exists. ``cache``: see :data:`Cache`.
    """
    from panorama import render  # the rendering of the document
    from panorama.studies.common import write_study_data

    study = get_study(theme)
    _check_subject(study, subject, year)
    config = load_config(config_path)
    with _Drawing(config, cache) as drawing:
        results = _while_pdf_engine_loads(_study_results, study, year, subject, data_root, config, progress)
        progress("Graphiques et cartes")
        texts = Texts(texts_folder(config, data_root, year))
        document = drawing.compose(lambda: study.load().document(results, texts))
    stem = f"etude-{results.slug}-{year}"
    with staging(Path(out) / str(year) / "etudes") as folder:
        target = folder / results.slug
        target.mkdir()
        progress("Page HTML")
        (target / f"{stem}.html").write_text(render.render_html(document, pdf=False), encoding="utf-8")
        progress("Données ouvertes")
        with Background(write_study_data, results, target / "donnees") as study_data:  # on the other core
            progress("Document PDF")
            render.write_pdf(render.render_html(document, pdf=True), target / f"{stem}.pdf",
                             archive=config.pdf_archive)
            data_files = study_data.result()
    files = [f"{stem}.pdf", f"{stem}.html", *(f"donnees/{name}" for name in data_files)]
    return StudyOutput(folder=Path(out) / str(year) / "etudes" / results.slug, files=files, results=results)
