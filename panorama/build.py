"""The library API behind ``panorama build``: read → validate → indicators →
results → render → write, with outputs written completely or not at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from panorama import validation
from panorama.commentary import Texts
from panorama.config import Config, load_config
from panorama.errors import UsageError
from panorama.opendata import write_open_data
from panorama.resources import example_data_root
from panorama.results import Results, compute

Progress = Callable[[str], None]


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
    root = example_data_root() if data_root is None else Path(data_root)
    progress(f"Lecture et validation des données {year} ({root})")
    history = validation.load_history(root, year)
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
          config_path: Path | None = None, progress: Progress = _quiet) -> BuildOutput:
    """Build the panorama of ``year``: ``OUT/YEAR/panorama-YEAR.{pdf,html}`` and ``donnees/``.

    Everything is written in a staging folder beside the target, then swapped
    in, so a failed build leaves the previous outputs untouched.
    """
    from panorama import panorama_report, render  # charts, maps and WeasyPrint load here

    config = load_config(config_path)
    results = load_results(year, data_root, config, progress)
    texts = Texts(texts_folder(config, data_root, year))
    progress("Graphiques et cartes")
    document = panorama_report.build_document(results, texts)
    target = Path(out) / str(year)
    with staging(target) as folder:
        progress("Page HTML")
        html_name = f"panorama-{year}.html"
        (folder / html_name).write_text(render.render_html(document, pdf=False), encoding="utf-8")
        progress("Document PDF")
        pdf_name = f"panorama-{year}.pdf"
        render.write_pdf(render.render_html(document, pdf=True), folder / pdf_name)
        progress("Données ouvertes")
        data_files = write_open_data(results, folder / "donnees")
    files = [pdf_name, html_name, *(f"donnees/{name}" for name in data_files)]
    return BuildOutput(folder=target, files=files, results=results)


def build_sheets(year: int, codes: list[str] | None = None, data_root: Path | None = None,
                 out: Path = Path("build"), config_path: Path | None = None,
                 progress: Progress = _quiet) -> BuildOutput:
    """Build the sheet of each département of ``codes`` (``None``: every configured
    département) into ``OUT/YEAR/departements/fiche-CODE-YEAR.{pdf,html}``.

    An unknown code raises a :class:`~panorama.errors.UsageError` listing the
    départements available. Sheets already there for other départements are kept.
    """
    from panorama import render, sheet_report  # charts, maps and WeasyPrint load here

    config = load_config(config_path)
    results = load_results(year, data_root, config, progress)
    available = [p.code for p in results.departements]
    wanted = list(config.departements) if codes is None else list(dict.fromkeys(codes))
    unknown = [code for code in wanted if code not in available]
    if unknown:
        raise UsageError(f"Département{'s' if len(unknown) > 1 else ''} sans données ou inconnu"
                         f"{'s' if len(unknown) > 1 else ''} : {', '.join(unknown)}. "
                         f"Départements disponibles : {', '.join(available)}.")
    texts = Texts(texts_folder(config, data_root, year))
    files = []
    with staging(Path(out) / str(year) / "departements") as folder:
        for code in wanted:
            progress(f"Fiche du département {code}")
            document = sheet_report.build_sheet(results, code, texts)
            stem = f"fiche-{code}-{year}"
            (folder / f"{stem}.html").write_text(render.render_html(document, pdf=False), encoding="utf-8")
            render.write_pdf(render.render_html(document, pdf=True), folder / f"{stem}.pdf")
            files += [f"departements/{stem}.pdf", f"departements/{stem}.html"]
    return BuildOutput(folder=Path(out) / str(year), files=files, results=results)


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
