"""Thematic studies (``spec/report.md`` §3): ``panorama study THEME YEAR``.

A study is one module of this package holding its indicators and its document
assembly, registered in :data:`STUDIES` below — the only place to touch to add
one. The module provides:

- ``indicators(history, config, *, example, subject=None) -> StudyResults``:
  pure function from the validated datasets of every year available (year →
  :class:`~panorama.dataset.Dataset`) to the study's tidy tables before
  statistical secrecy, each declaring the counts it publishes (see
  :mod:`panorama.studies.common`); ``subject`` only for a study about one
  entity (a buyer…);
- ``document(results, texts) -> Document``: the publication, built from those
  tables only, rendered by the shared template ``templates/document.html.j2``;
- for a study about one entity, ``subjects(history) -> DataFrame``: the
  entities that can be studied (``panorama study THEME --list YEAR``).

The study's tables are published through
:func:`panorama.results.compute_edition`, which applies statistical
confidentiality to them jointly with everything else published for the year.
This module imports nothing heavy, so that the command line's help can list the
studies at once.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from panorama.errors import UsageError

@dataclass(frozen=True)
class Study:
    """A registered study: its command-line name, French title and description,
    the module that computes and composes it and, for a study about one entity,
    the French name of that entity (« donneur d'ordre »)."""

    name: str
    title: str
    description: str
    module: str
    subject: str | None = None

    def load(self) -> ModuleType:
        """The study's module (imported on first use: it loads pandas)."""
        return importlib.import_module(self.module)


STUDIES: dict[str, Study] = {study.name: study for study in (
    Study("femmes", "La place des femmes dans les clauses sociales",
          "part des femmes par modalité, nature, secteur, type de contrat, âge, qualification, département "
          "et année ; opérations et structures proches de la parité ; contrats des femmes et des hommes",
          "panorama.studies.femmes"),
    Study("jeunes", "Les jeunes de moins de 26 ans dans les clauses sociales",
          "participants de moins de 26 ans : qualification, contrats (alternance), heures, prescripteurs "
          "(missions locales), sorties, départements et évolution",
          "panorama.studies.jeunes"),
    Study("mobilite", "La mobilité des participants des clauses sociales",
          "distance à vol d'oiseau entre commune de résidence et commune de travail : répartition, médianes "
          "par département et par type de contrat, travail dans sa commune, son intercommunalité, son "
          "département, flux entre départements",
          "panorama.studies.mobilite"),
    Study("donneur-ordre", "Les clauses sociales d'un donneur d'ordre",
          "un donneur d'ordre : ses opérations, heures réalisées et heures prévues, modalités, profil des "
          "participants, comparés aux donneurs d'ordre du même type (IDENTIFIANT requis ; --list pour la liste)",
          "panorama.studies.donneur_ordre", subject="donneur d'ordre"),
)}


def get_study(name: str) -> Study:
    """The study registered under ``name``; a :class:`~panorama.errors.UsageError`
    listing the available studies otherwise."""
    if name not in STUDIES:
        raise UsageError(f"Étude inconnue : « {name} ». Études disponibles : {', '.join(STUDIES)} "
                         f"(détail : panorama study --help).")
    return STUDIES[name]
