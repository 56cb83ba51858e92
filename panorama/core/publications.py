"""The registry of publications: everything panorama publishes for a year.

A publication is the panorama, the département sheets or a thematic study. Each is
registered once in :data:`PUBLICATIONS` with its name, French title and description,
what it covers, how its files are named and the module that composes its document;
:mod:`panorama.pipeline` builds any of them the same way (read → validate → compute →
protect → compose → draw → render → write) and the command line (:mod:`panorama.cli`)
takes its help and its choices from here.

Adding a publication is a module (two for a study) and one registration below:

- a publication composed from the year's results (:attr:`Publication.study` false:
  the panorama, the sheets) has a module providing the function named by
  :attr:`Publication.compose`, turning the protected
  :class:`~panorama.protect.results.Results` into a document — ``(results, texts)``, or
  ``(results, code, texts)`` for one document per département;
- a thematic study (``panorama study``) has a module in :mod:`panorama.compute.studies`
  (:attr:`Publication.tables`) providing ``indicators(history, config, *, example,
  subject=None) -> StudyResults`` (its tables before statistical secrecy) and, for a
  study about one entity, ``subjects(history) -> DataFrame``, the entities it can be
  about, and ``comparisons(history, config, *, example) -> StudyResults``, the cells
  every entity's study shares (protected once for the year); and one in :mod:`panorama.compose.studies` providing ``document(results, texts)
  -> Document``, composed from the published tables.

The pipeline, not the publication, runs the computation that applies statistical
confidentiality: a publication's document only ever receives protected results.

This module imports nothing heavy, so that ``panorama --help`` answers at once.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from panorama.core.errors import UsageError

REGION = "region"
"""What the panorama and most studies cover: the whole region."""
DEPARTEMENT = "departement"
"""What a sheet covers: one département (one document per département asked for)."""
SUBJECT = "subject"
"""What a study about one entity covers: that entity (a buyer…), given by its identifier."""


@dataclass(frozen=True)
class Naming:
    """How a publication's files are named, relative to the output folder. In each
    pattern, ``{year}`` is the year, ``{slug}`` the publication's
    (:meth:`Publication.slug`) and ``{subject}`` the subject of each document.

    Everything is written in a staging folder that replaces the entries of ``folder``
    it holds (a folder whole, so that no stale file survives in it), and only those.
    """

    folder: str
    """The folder whose entries the publication replaces."""
    document: str
    """Each document, relative to ``folder`` and without its ``.pdf`` or ``.html`` suffix."""
    data: str | None = None
    """The open data folder, relative to ``folder`` (``None``: no open data)."""
    listed: str = "{year}"
    """The folder the files written are reported from."""


@dataclass(frozen=True)
class Publication:
    """A registered publication. ``subject`` is the French name of what it is about when
    it takes a subject or a perimeter (« département », « donneur d'ordre »), ``None``
    for the whole region."""

    name: str
    title: str
    description: str
    covers: str
    module: str
    naming: Naming
    subject: str | None = None
    study: bool = False
    """A thematic study (``panorama study``), computed by its own module; otherwise a
    publication of ``panorama build``, composed from the year's results."""
    compose: str = "document"
    """The module's function composing a document from the protected results."""
    each: str | None = None
    """Progress line of each document (``{subject}`` replaced) when the publication
    makes one per subject; its documents are then written on both cores."""
    communes: bool = False
    """Whether its maps draw communes (their boundaries are then loaded ahead)."""
    tables: str | None = None
    """For a study, the module computing its tables (:mod:`panorama.compute.studies`)."""

    def load(self) -> ModuleType:
        """The module composing the document (imported on first use: it loads pandas)."""
        return importlib.import_module(self.module)

    def computing(self) -> ModuleType:
        """The module computing a study's tables (:attr:`tables`)."""
        return importlib.import_module(self.tables)

    def slug(self, subject: str | None = None) -> str:
        """Folder and file name part: ``femmes``, ``donneur-ordre-DO0001``."""
        if subject is None or self.covers != SUBJECT:
            return self.name
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in subject)
        return f"{self.name}-{safe}"


_STUDY_NAMING = Naming(folder="{year}/etudes", document="{slug}/etude-{slug}-{year}", data="{slug}/donnees",
                       listed="{year}/etudes/{slug}")


def _study(name: str, title: str, description: str, module: str, subject: str | None = None) -> Publication:
    """A thematic study: its tables computed by ``panorama.compute.studies.MODULE``, its
    document composed by ``panorama.compose.studies.MODULE``."""
    return Publication(name, title, description, SUBJECT if subject else REGION, f"panorama.compose.studies.{module}",
                       _STUDY_NAMING, subject=subject, study=True,
                       tables=f"panorama.compute.studies.{module}")


PUBLICATIONS: dict[str, Publication] = {publication.name: publication for publication in (
    Publication("panorama", "Panorama des clauses sociales",
                "le panorama de l'année : PDF, page HTML et données ouvertes", REGION,
                "panorama.compose.panorama_report",
                Naming(folder="{year}", document="panorama-{year}", data="donnees"),
                compose="build_document"),
    Publication("fiches", "Fiches départementales", "les fiches départementales", DEPARTEMENT,
                "panorama.compose.sheet_report",
                Naming(folder="{year}/departements", document="fiche-{subject}-{year}"),
                subject="département", compose="build_sheet",
                each="Fiche du département {subject}", communes=True),
    _study("femmes", "La place des femmes dans les clauses sociales",
           "part des femmes par modalité, nature, secteur, type de contrat, âge, qualification, département "
           "et année ; opérations et structures proches de la parité ; contrats des femmes et des hommes",
           "femmes"),
    _study("jeunes", "Les jeunes de moins de 26 ans dans les clauses sociales",
           "participants de moins de 26 ans : qualification, contrats (alternance), heures, prescripteurs "
           "(missions locales), sorties, départements et évolution",
           "jeunes"),
    _study("mobilite", "La mobilité des participants des clauses sociales",
           "distance à vol d'oiseau entre commune de résidence et commune de travail : répartition, médianes "
           "par département et par type de contrat, travail dans sa commune, son intercommunalité, son "
           "département, flux entre départements",
           "mobilite"),
    _study("donneur-ordre", "Les clauses sociales d'un donneur d'ordre",
           "un donneur d'ordre : ses opérations, heures réalisées et heures prévues, modalités, profil des "
           "participants, comparés aux donneurs d'ordre du même type (IDENTIFIANT requis ; --list pour la liste)",
           "donneur_ordre", subject="donneur d'ordre"),
)}

PANORAMA = PUBLICATIONS["panorama"]
SHEETS = PUBLICATIONS["fiches"]


def studies() -> list[Publication]:
    """The thematic studies, in registration order."""
    return [publication for publication in PUBLICATIONS.values() if publication.study]


def study(name: str) -> Publication:
    """The study registered under ``name``; a :class:`~panorama.core.errors.UsageError`
    listing the available studies otherwise."""
    found = PUBLICATIONS.get(name)
    if found is None or not found.study:
        raise UsageError(f"Étude inconnue : « {name} ». Études disponibles : "
                         f"{', '.join(s.name for s in studies())} (détail : panorama study --help).")
    return found
