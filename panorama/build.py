"""The library API behind ``panorama build``: read → validate → indicators →
results → render → write, with outputs written completely or not at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from panorama import validation
from panorama.commentary import Texts
from panorama.config import Config, load_config
from panorama.errors import PanoramaError, UsageError
from panorama.opendata import write_open_data
from panorama.resources import example_data_root
from panorama.results import Results, compute
from panorama.studies import STUDIES, Study, get_study

if TYPE_CHECKING:
    import pandas as pd

    from panorama.dataset import Dataset
    from panorama.studies.common import StudyResults

Progress = Callable[[str], None]
MAX_LISTED = 30  # identifiers listed in the message about an unknown one


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
    return compute(history[year], history.get(year - 1), config, example=data_root is None, history=history)


def texts_folder(config: Config, data_root: Path | None, year: int) -> Path | None:
    """Folder of the observatory's Markdown texts: the configured one, else
    ``DATA/YEAR/textes`` when it exists."""
    if config.textes is not None:
        return config.textes
    if data_root is None:
        return None
    candidate = Path(data_root) / str(year) / "textes"
    return candidate if candidate.is_dir() else None


def build(year: int, data_root: Path | None = None, out: Path = Path("build"),
          config_path: Path | None = None, progress: Progress = _quiet,
          pdf_archive: bool = False) -> BuildOutput:
    """Build the panorama of ``year``: ``OUT/YEAR/panorama-YEAR.{pdf,html}`` and ``donnees/``.

    Everything is written in a staging folder beside the target, then swapped
    in, so a failed build leaves the previous outputs untouched.
    """
    from panorama import panorama_report, render  # charts, maps and WeasyPrint load here

    config = load_config(config_path)
    if pdf_archive:  # option --pdf-archive: PDF/A-3u whatever the configuration says
        config = replace(config, pdf_archive=True)
    results = load_results(year, data_root, config, progress)
    texts = Texts(texts_folder(config, data_root, year))
    target = Path(out) / str(year)
    with staging(target) as folder:
        progress("Données ouvertes")
        with Background(write_open_data, results, folder / "donnees") as open_data:  # on the other core
            progress("Graphiques et cartes")
            document = panorama_report.build_document(results, texts)
            progress("Page HTML")
            html_name = f"panorama-{year}.html"
            (folder / html_name).write_text(render.render_html(document, pdf=False), encoding="utf-8")
            progress("Document PDF")
            pdf_name = f"panorama-{year}.pdf"
            render.write_pdf(render.render_html(document, pdf=True), folder / pdf_name,
                             archive=config.pdf_archive)
            data_files = open_data.result()
    files = [pdf_name, html_name, *(f"donnees/{name}" for name in data_files)]
    return BuildOutput(folder=target, files=files, results=results)


def build_sheets(year: int, codes: list[str] | None = None, data_root: Path | None = None,
                 out: Path = Path("build"), config_path: Path | None = None,
                 progress: Progress = _quiet, pdf_archive: bool = False) -> BuildOutput:
    """Build the sheet of each département of ``codes`` (``None``: every configured
    département) into ``OUT/YEAR/departements/fiche-CODE-YEAR.{pdf,html}``.

    An unknown code raises a :class:`~panorama.errors.UsageError` listing the
    départements available. Sheets already there for other départements are kept.
    """
    from panorama import render, sheet_report  # charts, maps and WeasyPrint load here

    config = load_config(config_path)
    if pdf_archive:  # option --pdf-archive: PDF/A-3u whatever the configuration says
        config = replace(config, pdf_archive=True)
    results = load_results(year, data_root, config, progress)
    available = [p.code for p in results.departements]
    wanted = list(config.departements) if codes is None else list(dict.fromkeys(codes))
    unknown = [code for code in wanted if code not in available]
    if unknown:
        raise UsageError(f"Département{'s' if len(unknown) > 1 else ''} sans données ou inconnu"
                         f"{'s' if len(unknown) > 1 else ''} : {', '.join(unknown)}. "
                         f"Départements disponibles : {', '.join(available)}.")
    texts = Texts(texts_folder(config, data_root, year))

    def write(codes: list[str], folder: Path) -> list[str]:
        written = []
        for code in codes:
            progress(f"Fiche du département {code}")
            document = sheet_report.build_sheet(results, code, texts)
            stem = f"fiche-{code}-{year}"
            (folder / f"{stem}.html").write_text(render.render_html(document, pdf=False), encoding="utf-8")
            render.write_pdf(render.render_html(document, pdf=True), folder / f"{stem}.pdf",
                             archive=config.pdf_archive)
            written += [f"departements/{stem}.pdf", f"departements/{stem}.html"]
        return written

    with staging(Path(out) / str(year) / "departements") as folder:
        # the sheets are independent documents: half of them are made on the other core
        with Background(write, wanted[1::2], folder) as other_half:
            files = write(wanted[0::2], folder)
            files += other_half.result()
    order = {name: i for i, name in enumerate(
        f"departements/fiche-{code}-{year}.{ext}" for code in wanted for ext in ("pdf", "html"))}
    return BuildOutput(folder=Path(out) / str(year), files=sorted(files, key=order.get), results=results)


class Background:
    """Run ``function(*args)`` in a forked process (the machine's other core) and
    get its result with :meth:`result`; without ``fork``, run it at once. Used as
    a context manager, an error in the parent stops the child.

    An exception in the child is raised again in the parent as a
    :class:`~panorama.errors.PanoramaError` carrying its message.
    """

    def __init__(self, function, *args):
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():
            self._value, self._process = function(*args), None
            return
        self._receive, send = multiprocessing.Pipe(duplex=False)
        self._process = multiprocessing.get_context("fork").Process(
            target=_run_and_send, args=(send, function, args), daemon=True)
        self._process.start()
        send.close()

    def __enter__(self) -> Background:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """On an error in the parent, stop the child before anything is cleaned up."""
        if exc_type is not None and self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def result(self):
        """Wait for the child and return what the function returned."""
        if self._process is None:
            return self._value
        try:
            ok, value = self._receive.recv()
        except EOFError:
            ok, value = False, "le processus de fond s'est arrêté sans résultat"
        self._process.join()
        if not ok:
            raise PanoramaError(f"Échec de l'écriture en parallèle : {value}")
        return value


def _run_and_send(send, function, args) -> None:
    try:
        send.send((True, function(*args)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, never printed here
        send.send((False, f"{type(exc).__name__} : {exc}"))
    finally:
        send.close()


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


def build_study(theme: str, year: int, subject: str | None = None, data_root: Path | None = None,
                out: Path = Path("build"), config_path: Path | None = None,
                progress: Progress = _quiet) -> StudyOutput:
    """Build the thematic study ``theme`` of ``year`` (``subject``: the identifier of the
    entity studied, for a study about one) into ``OUT/YEAR/etudes/THEME[-ID]/``:
    ``etude-THEME[-ID]-YEAR.{pdf,html}`` and ``donnees/``, written completely or not at all.

    An unknown theme, a missing, superfluous or unknown identifier raise a
    :class:`~panorama.errors.UsageError` listing what exists.
    """
    from panorama import render  # charts, maps and WeasyPrint load here
    from panorama.studies.common import write_study_data

    study = get_study(theme)
    _check_subject(study, subject, year)
    config = load_config(config_path)
    history = _history(year, data_root, progress)
    module = study.load()
    if subject is not None:
        available = module.subjects(history).iloc[:, 0].tolist()
        if subject not in available:
            shown = ", ".join(available[:MAX_LISTED]) + (f"… ({len(available)} au total)"
                                                         if len(available) > MAX_LISTED else "")
            raise UsageError(f"{study.subject[:1].upper()}{study.subject[1:]} inconnu ou sans opération en {year} : "
                             f"« {subject} ». Identifiants disponibles : {shown}. Liste complète avec les noms : "
                             f"panorama study {theme} --list {year}.")
    progress(f"Indicateurs de l'étude « {theme} »")
    options = {"subject": subject} if study.subject is not None else {}
    results = module.indicators(history, config, example=data_root is None, **options)
    progress("Graphiques et cartes")
    document = module.document(results, Texts(texts_folder(config, data_root, year)))
    stem = f"etude-{results.slug}-{year}"
    with staging(Path(out) / str(year) / "etudes") as folder:
        target = folder / results.slug
        target.mkdir()
        progress("Page HTML")
        (target / f"{stem}.html").write_text(render.render_html(document, pdf=False), encoding="utf-8")
        progress("Document PDF")
        render.write_pdf(render.render_html(document, pdf=True), target / f"{stem}.pdf",
                         archive=config.pdf_archive)
        progress("Données ouvertes")
        data_files = write_study_data(results, target / "donnees")
    files = [f"{stem}.pdf", f"{stem}.html", *(f"donnees/{name}" for name in data_files)]
    return StudyOutput(folder=Path(out) / str(year) / "etudes" / results.slug, files=files, results=results)
