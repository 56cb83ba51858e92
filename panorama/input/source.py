"""Where a build's data come from: the one seam between the input and the pipeline.

A :class:`Source` hands :mod:`panorama.input.validation` the raw tables of a year (every cell
as text, with the line it comes from: :class:`~panorama.input.reading.RawTable`) and says:

- which years it holds (:meth:`Source.years`), so that the history of datasets (the
  series, N−1) is read from the same place;
- whether its data are fictitious (:attr:`Source.fictitious`): the documents then say
  « Données fictives » and the command line warns;
- how to name it in the progress line (:attr:`Source.description`);
- where the observatory's Markdown texts are by default (:meth:`Source.texts`);
- the public procurement data (DECP) to set beside a year, when it holds some
  (:meth:`Source.procurement`: only the warehouse does).

Three sources exist: :class:`Folder`, a folder with one sub-folder per year (``--data``),
:class:`Example`, the embedded synthetic example, and the observatory's DuckDB warehouse
(:class:`panorama.input.warehouse.Warehouse`, ``--entrepot``: see
:func:`panorama.input.warehouse.from_options`). Another source (an export of a
tracking tool, a warehouse) implements :attr:`~Source.description`, :meth:`~Source.years`
and :meth:`~Source.read` (and :attr:`~Source.fictitious`, :meth:`~Source.texts` when the
defaults do not fit) and nothing else: the validation, the indicators and the
publications do not change.

This module imports nothing heavy (reading is imported when a table is read).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from panorama.core.errors import Problem
    from panorama.input.reading import RawTable


class Source(ABC):
    """The data of every year available, read one year at a time."""

    fictitious: bool = False
    """Whether the data are fictitious (the embedded example)."""

    @property
    @abstractmethod
    def description(self) -> str:
        """How the progress line names the source: « Lecture et validation des données
        2019 (DESCRIPTION) »."""

    @abstractmethod
    def years(self) -> list[int]:
        """The years the source holds, in increasing order."""

    @abstractmethod
    def read(self, year: int) -> tuple[dict[str, RawTable], list[Problem]]:
        """The tables of ``year`` that could be read, by table name, and the problems met
        (a missing table, an unreadable file…: French :class:`~panorama.core.errors.Problem`
        objects, never raised). A year the source does not hold is such a problem."""

    def texts(self, year: int) -> Path | None:
        """The folder of the observatory's Markdown texts for ``year``, when the source
        has one (the configuration's ``textes`` comes first)."""
        return None

    def fingerprint(self, year: int) -> str | None:
        """A digest of everything :meth:`read` returns for ``year`` and every earlier year
        (equal digests, equal data), so that the results of unchanged data are taken from
        the results cache (:mod:`panorama.pipeline`); ``None``, the default: the source
        cannot tell, and its data are always read."""
        return None

    def procurement(self, year: int) -> pd.DataFrame | None:
        """The public procurement data (DECP) to set beside ``year``: every marché notified
        in ``year`` or before, once each (columns: :data:`PROCUREMENT_COLUMNS`), or ``None``
        when the source holds no marché notified in ``year`` (the panorama then has no
        section about them)."""
        return None


#: The columns of :meth:`Source.procurement`: the marché's identifiers (``uid``: the buyer's
#: SIRET and ``id``, its number for the buyer), buyer, DECP nature, category (``TRAVAUX``,
#: ``SERVICES``, ``FOURNITURES``), notification, département of execution, amount; and the
#: social considerations: ``renseigne`` (the record's schema has the field) and one flag each
#: (``None`` where not informed).
PROCUREMENT_COLUMNS = ("uid", "id", "acheteur_id", "acheteur_nom", "nature", "categorie", "date_notification",
                       "annee", "departement", "montant", "renseigne", "clause_sociale", "critere_social",
                       "marche_reserve")


#: File that ``panorama example`` writes beside the years it generates: a folder holding it
#: is fictitious, and every build from it is marked « Données fictives ».
FICTITIOUS_MARKER = "DONNEES_FICTIVES.txt"
FICTITIOUS_NOTICE = ("Données fictives écrites par « panorama example » : tout document produit à partir de ce "
                     "dossier porte la mention « Données fictives ». Ne pas y mêler de données réelles.\n")


class Folder(Source):
    """A folder holding one sub-folder per year, ``ROOT/YEAR/`` (see :mod:`panorama.input.reading`);
    the texts of a year, when present, in ``ROOT/YEAR/textes/``. Fictitious when it holds
    :data:`FICTITIOUS_MARKER`."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def fictitious(self) -> bool:
        """Whether ``panorama example`` wrote the folder's data (its marker file is there)."""
        return (self.root / FICTITIOUS_MARKER).is_file()

    @property
    def description(self) -> str:
        return str(self.root)

    def years(self) -> list[int]:
        if not self.root.is_dir():
            return []
        return sorted(int(p.name) for p in self.root.iterdir()
                      if p.is_dir() and p.name.isdigit() and len(p.name) == 4)

    def read(self, year: int) -> tuple[dict[str, RawTable], list[Problem]]:
        from panorama.input.reading import read_year

        return read_year(self.root, year)

    def texts(self, year: int) -> Path | None:
        candidate = self.root / str(year) / "textes"
        return candidate if candidate.is_dir() else None

    def fingerprint(self, year: int) -> str | None:
        """A SHA-256 of the marker of fictitious data and of the name and bytes of every file
        of the years up to ``year`` (the observatory's texts apart: they are not data);
        ``None`` when a file cannot be read (reading then says why)."""
        digest = hashlib.sha256(f"fictitious {self.fictitious}\n".encode())
        try:
            for year_read in (y for y in self.years() if y <= year):
                folder = self.root / str(year_read)
                for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                    relative = path.relative_to(self.root)
                    if relative.parts[1] == "textes":
                        continue
                    digest.update(f"{relative.as_posix()}\n".encode("utf-8", "surrogatepass"))
                    with path.open("rb") as stream:
                        digest.update(hashlib.file_digest(stream, "sha256").digest())
        except OSError:
            return None
        return digest.hexdigest()


class Example(Folder):
    """The embedded synthetic example (Île-de-France, 2017 to 2019): fictitious data,
    without the observatory's texts."""

    fictitious = True

    def __init__(self):
        from panorama.core.resources import example_data_root

        super().__init__(example_data_root())

    def texts(self, year: int) -> Path | None:
        return None


def from_option(data: Path | None) -> Source:
    """The source of the command line's ``--data DOSSIER``: that folder, or the embedded
    example without the option."""
    return Example() if data is None else Folder(data)


def as_source(source: Source | Path) -> Source:
    """``source`` itself, or the :class:`Folder` of a path."""
    return source if isinstance(source, Source) else Folder(source)
