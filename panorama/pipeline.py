"""The one pipeline of every publication: read → validate → compute → protect → compose →
draw → render → write, the same for the panorama, the département sheets and the studies
(:mod:`panorama.core.publications`), with outputs written completely or not at all.

:func:`run` builds one publication of a year from a :class:`~panorama.input.source.Source`;
:func:`load_results` stops after the figures. Compute and protect are one call,
:func:`protected_results`: a publication's document only ever receives its results with
statistical confidentiality applied.

The machine's two cores share a build: a worker process, forked as the build starts,
loads the drawing libraries while the data are read and the figures computed (in another
forked process, while this one loads WeasyPrint), then draws the charts and maps that the
figure cache (:mod:`panorama.draw.figures`) lacks, on both cores; the open data are written
while the PDF is, and the documents of a publication that makes several (the sheets) two
at a time.

The protected results are cached too, under a key of what they depend on: the bytes of
the source's files (:meth:`~panorama.input.source.Source.fingerprint`; a source without
fingerprint is always read), the configuration, the publication and its subject, and the
code (:func:`panorama.core.cache.code_version`). A rebuild of unchanged data — after
editing the observatory's texts, say — reads, validates and computes nothing again; the
results are the same objects, so the outputs are the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from panorama.compose.commentary import Texts
from panorama.core.cache import DiskCache, code_version, user_folder
from panorama.core.config import Config, load_config
from panorama.core.errors import UsageError
from panorama.core.parallel import Background, Worker, share
from panorama.core.publications import (
    DEPARTEMENT,
    REGION,
    SUBJECT,
    Publication,
    studies,
)
from panorama.draw import figures
from panorama.input import validation
from panorama.input.source import Source
from panorama.output.publish import check_output, staging
from panorama.protect.results import Published, compute_edition

if TYPE_CHECKING:
    import pandas as pd

    from panorama.input.dataset import Dataset

Progress = Callable[[str], None]
MAX_LISTED = 30  # identifiers listed in the message about an unknown one
RESULTS_LIMIT = 512 * 2**20
"""Size (bytes) above which the results cache drops its entries used the longest ago."""
_RESULTS_FORMAT = "panorama-resultats-1"
T = TypeVar("T")


@dataclass
class Output:
    """What a build wrote (``files``, relative to ``folder``), and the protected results
    it wrote them from."""

    folder: Path
    files: list[str]
    results: Published
    texts: list[tuple[str, bool]] = field(default_factory=list)
    """Key of each replaceable text of the documents and whether the observatory supplied it."""
    texts_folder: Path | None = None
    """Where the observatory's texts (``<key>.md``) are read from."""


Cache = bool | Path
"""The caches of a build: ``True`` the user's (:func:`panorama.core.cache.user_folder`), a folder
holding them (``figures/`` and ``resultats/``), or ``False`` for none (everything computed
and drawn)."""


def _cache_folder(cache: Cache, name: str) -> Path | None:
    """The folder of the cache ``name`` (``figures``, ``resultats``) of a build's ``cache``."""
    if cache is True:
        return user_folder(name)
    return Path(cache) / name if cache else None
class _Drawing:
    """The figures of one build. A worker process forked at once loads the drawing
    libraries (and the boundaries of the communes, for the sheets' maps) while the data
    are read; :meth:`compose` then has it draw, on both cores, the figures the cache lacks."""

    def __init__(self, config: Config, cache: Cache, communes: bool = False):
        self._figures = figures.Figures(_cache_folder(cache, "figures"))
        self._worker = Worker(functools.partial(figures.prepare, config, communes))

    def __enter__(self) -> _Drawing:
        self._worker.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._worker.__exit__(exc_type, exc, tb)

    def compose(self, builder: Callable[[], T]) -> T:
        """``builder()`` (a document, or a list of them), composed once, with the figures of
        all its documents drawn (each once) and attached (see :mod:`panorama.draw.figures`); once
        per build."""
        return self._figures.draw(builder(), self._draw_all)

    def _draw_all(self, specs: list) -> list:
        """The images of ``specs``, drawn by the worker (which shares them with another process)."""
        self._worker.start(figures.draw_all, specs)
        return self._worker.result()


def _quiet(_: str) -> None:
    pass


def configuration(path: Path | None, pdf_archive: bool = False) -> Config:
    """The configuration of a build: the file at ``path`` (:func:`~panorama.core.config.load_config`);
    ``pdf_archive`` (option --pdf-archive) asks for PDF/A-3u whatever it says."""
    config = load_config(path)
    return replace(config, pdf_archive=True) if pdf_archive else config


def check_subjects(publication: Publication, subjects: Sequence[str] | None, year: int) -> None:
    """A :class:`~panorama.core.errors.UsageError` unless ``subjects`` fit what ``publication``
    covers: none for the region, one identifier for a study about one entity, any
    départements for the sheets."""
    if publication.covers == REGION and subjects and not publication.study:
        raise UsageError(f"La publication « {publication.name} » porte sur toute la région : pas d'identifiant "
                         f"(reçu : « {subjects[0]} »).")
    if publication.covers == REGION and subjects:
        raise UsageError(f"L'étude « {publication.name} » ne prend pas d'identifiant (reçu : « {subjects[0]} »). "
                         f"Utilisation : panorama study {publication.name} {year}.")
    if publication.covers == SUBJECT and not subjects:
        raise UsageError(f"L'étude « {publication.name} » porte sur un {publication.subject} : indiquez son "
                         f"identifiant, par exemple panorama study {publication.name} IDENTIFIANT {year} ; la liste : "
                         f"panorama study {publication.name} --list {year}.")
    if publication.covers == SUBJECT and len(subjects) > 1:
        raise UsageError(f"L'étude « {publication.name} » porte sur un seul {publication.subject} "
                         f"(reçu : {', '.join(subjects)}).")


def load_results(publication: Publication, year: int, source: Source, config: Config | None = None, *,
                 subjects: Sequence[str] | None = None, progress: Progress = _quiet,
                 cache: Path | None = None) -> Published:
    """Read and validate year ``year`` of ``source`` (and every earlier year it holds), then
    compute the protected results ``publication`` is composed from (:func:`protected_results`).
    ``cache``: the folder of the results cache (``None``: none), where the results of
    unchanged data are taken from instead.

    Raises :class:`~panorama.core.errors.DataError` on invalid data.
    """
    config = config or Config()
    store = DiskCache(cache, "pickle", RESULTS_LIMIT) if cache is not None else None
    key = _results_key(publication, year, source, config, subjects) if store is not None else None
    if key is not None:
        kept = store.load(key)
        try:
            results = pickle.loads(kept) if kept is not None else None
        except Exception:  # noqa: BLE001 - an entry that cannot be read is computed again
            results = None
        if results is not None:
            progress(f"Données {year} inchangées ({source.description}) : résultats repris du cache")
            return results
    history = _history(year, source, progress, config)
    results = protected_results(publication, history, config, fictitious=source.fictitious,
                                subjects=subjects, progress=progress)
    if key is not None:
        store.save(key, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
        store.prune()
    return results


def _results_key(publication: Publication, year: int, source: Source, config: Config,
                 subjects: Sequence[str] | None) -> str | None:
    """The key of the results :func:`load_results` computes (``None``: not to be cached): a
    SHA-256 of everything they depend on."""
    fingerprint = source.fingerprint(year)
    if fingerprint is None:
        return None
    # the panorama and the sheets are composed from the same results; a study from its own
    what = f"{publication.name} {subjects[0]}" if publication.covers == SUBJECT else (
        publication.name if publication.study else "panorama")
    text = "\n".join([_RESULTS_FORMAT, code_version(), fingerprint, str(year), what, repr(config)])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def protected_results(publication: Publication, history: dict[int, Dataset], config: Config, *,
                      fictitious: bool, subjects: Sequence[str] | None = None,
                      progress: Progress = _quiet) -> Published:
    """Compute and protect, in one call: the results of the last year of ``history``
    that ``publication`` is composed from, statistical confidentiality applied.

    Everything published for the year is computed and protected together
    (:func:`~panorama.protect.results.compute_edition`), so the same cells are secret whichever
    publication is built: the panorama and the sheets take the year's
    :class:`~panorama.protect.results.Results`, a study its published tables, about its subject
    when it takes one — an identifier that must exist that year. ``fictitious``: the data
    are fictitious (the documents say so).
    """
    year = max(history)
    if not publication.study:
        progress("Calcul des indicateurs")
        return compute_edition(history, config, example=fictitious).panorama
    module = publication.computing()
    options = {}
    if publication.covers == SUBJECT:
        subject, = subjects
        available = module.subjects(history).iloc[:, 0].tolist()
        if subject not in available:
            shown = ", ".join(available[:MAX_LISTED]) + (f"… ({len(available)} au total)"
                                                         if len(available) > MAX_LISTED else "")
            raise UsageError(f"{publication.subject[:1].upper()}{publication.subject[1:]} inconnu ou sans opération "
                             f"en {year} : « {subject} ». Identifiants disponibles : {shown}. Liste complète avec "
                             f"les noms : panorama study {publication.name} --list {year}.")
        options["subject"] = subject
    progress(f"Indicateurs de l'étude « {publication.name} »")
    edition = compute_edition(history, config, example=fictitious, **options)
    return edition.study(publication.name, options.get("subject"))


def available_subjects(publication: Publication, year: int, source: Source) -> pd.DataFrame:
    """The entities a study about one can be about in ``year`` (its ``subjects`` table, the
    identifier first), for ``panorama study THEME --list YEAR``; a
    :class:`~panorama.core.errors.UsageError` for a publication without subject."""
    if publication.covers != SUBJECT:
        about = [s.name for s in studies() if s.covers == SUBJECT]
        raise UsageError(f"L'étude « {publication.name} » ne porte pas sur un identifiant : l'option --list ne "
                         f"concerne que {', '.join(f'« {name} »' for name in about)}.")
    return publication.computing().subjects(_history(year, source, _quiet))


def run(publication: Publication, year: int, source: Source, out: Path = Path("build"),
        config: Config | None = None, *, subjects: Sequence[str] | None = None, progress: Progress = _quiet,
        cache: Cache = True) -> Output:
    """Build ``publication`` for ``year`` from ``source`` into ``out`` (file names: its
    :class:`~panorama.core.publications.Naming`), written completely or not at all.

    ``subjects``: the départements of the sheets (``None``: those of the configuration),
    the identifier of the entity a study is about. A missing, superfluous or unknown
    one raises a :class:`~panorama.core.errors.UsageError` listing what exists. ``cache``:
    the caches of figures and results (:data:`Cache`).
    """
    check_subjects(publication, subjects, year)
    check_output(Path(out) / str(year))  # before computing: a wrong output folder is reported at once
    config = config or Config()
    with _Drawing(config, cache, communes=publication.communes) as drawing:
        results = _while_pdf_engine_loads(functools.partial(load_results, publication, year, source, config,
                                                            subjects=subjects, progress=progress,
                                                            cache=_cache_folder(cache, "resultats")))
        about = _document_subjects(publication, results, subjects, config)
        texts = Texts(config.textes if config.textes is not None else source.texts(year))
        progress("Graphiques et cartes")
        compose = getattr(publication.load(), publication.compose)
        if publication.covers == DEPARTEMENT:
            documents = drawing.compose(lambda: [compose(results, code, texts) for code in about])
        else:
            documents = [drawing.compose(lambda: compose(results, texts))]
    output = _write(publication, year, results, list(zip(about, documents)), Path(out), config, progress)
    keys = dict.fromkeys(text for document in documents for text in document.texts)
    return replace(output, texts=list(keys), texts_folder=texts.folder)


def _history(year: int, source: Source, progress: Progress, config: Config | None = None) -> dict[int, Dataset]:
    """The validated datasets of ``year`` and of every earlier year of ``source`` (their
    operations within the configured region, when ``config`` is given)."""
    progress(f"Lecture et validation des données {year} ({source.description})")
    region = None if config is None else validation.Region(config.departements, f"la région {config.region_nom}",
                                                             exclude=config.hors_region == "exclure")
    return validation.load_history(source, year, region=region)


def _document_subjects(publication: Publication, results: Published, subjects: Sequence[str] | None,
                config: Config) -> list[str | None]:
    """The subject of each document: the départements asked for (all of them known to
    ``results``) for the sheets, that of the study about one, else ``None``."""
    if publication.covers != DEPARTEMENT:
        return [subjects[0] if subjects else None]
    available = [p.code for p in results.departements]
    wanted = list(config.departements) if subjects is None else list(dict.fromkeys(subjects))
    unknown = [code for code in wanted if code not in available]
    if unknown:
        raise UsageError(f"Département{'s' if len(unknown) > 1 else ''} sans données ou inconnu"
                         f"{'s' if len(unknown) > 1 else ''} : {', '.join(unknown)}. "
                         f"Départements disponibles : {', '.join(available)}.")
    return wanted


def _while_pdf_engine_loads(function: Callable[[], T]) -> T:
    """``function()`` — reading the data and computing the results — in a forked
    process, while this one loads WeasyPrint, which it needs for the PDF (half a second)."""
    from panorama.output import render

    with Background(function) as computing:  # on the other core
        render.prepare_pdf()
        return computing.result()


def _write(publication: Publication, year: int, results: Published,
           documents: list[tuple[str | None, object]], out: Path, config: Config, progress: Progress) -> Output:
    """Render ``documents`` (subject, document) to HTML and PDF and write them with the
    open data, in a staging folder that replaces the publication's entries on success."""
    from panorama.output import render  # the rendering of the documents

    naming = publication.naming
    fields = {"year": year, "slug": publication.slug(documents[0][0] if documents else None)}
    target, listed = out / naming.folder.format(**fields), out / naming.listed.format(**fields)

    def name(relative: str) -> str:
        """A file's name as reported: relative to the folder listed."""
        return (target / relative).relative_to(listed).as_posix()

    with staging(target, out / str(year)) as folder:
        def write(subject: str | None, document: object, label: str) -> list[str]:
            """Write one document, HTML then PDF, and the open data meanwhile (other core)."""
            stem = naming.document.format(subject=subject, **fields)
            (folder / stem).parent.mkdir(parents=True, exist_ok=True)
            progress(label)
            (folder / f"{stem}.html").write_text(render.render_html(document, pdf=False), encoding="utf-8")
            files = [name(f"{stem}.pdf"), name(f"{stem}.html")]
            if naming.data is None:
                render.write_pdf(render.render_html(document, pdf=True), folder / f"{stem}.pdf",
                                 archive=config.pdf_archive)
                return files
            progress("Données ouvertes")
            data = naming.data.format(**fields)
            with Background(_write_data, results, folder / data) as writing:  # other core
                progress("Document PDF")
                render.write_pdf(render.render_html(document, pdf=True), folder / f"{stem}.pdf",
                                 archive=config.pdf_archive)
                return files + [name(f"{data}/{file}") for file in writing.result()]

        if publication.each is None:
            (subject, document), = documents
            files = write(subject, document, "Page HTML")
        else:  # independent documents: both cores write them
            files = [file for written in share(lambda item: write(*item, publication.each.format(subject=item[0])),
                                               documents) for file in written]
    return Output(folder=listed, files=files, results=results)


def _write_data(results: Published, folder: Path) -> list[str]:
    """The open data of ``results`` written into ``folder``
    (:func:`panorama.output.opendata.write_open_data`), imported by the process that writes
    them (a spreadsheet library takes a fifth of a second to load)."""
    from panorama.output.opendata import write_open_data

    return write_open_data(results, folder)
