"""Problems found in the input, and the exceptions that carry them.

A :class:`Problem` names the file, the line, the column, the value and what
was expected; :class:`DataError` carries every problem found (all errors of a
file are reported at once) and prints them in French. The CLI turns these
exceptions into a message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"


@dataclass(frozen=True)
class Problem:
    """One problem in the input data."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    severity: str = ERREUR

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", ligne {self.line}"
        if self.column is not None:
            where += f", colonne « {self.column} »"
        text = f"{where} : {self.message}"
        if self.value is not None:
            text += f" (valeur : « {self.value} »)"
        if self.expected:
            text += f" ; attendu : {self.expected}"
        return text


class PanoramaError(Exception):
    """Base class of the errors shown to the user as a French message."""


class ConfigError(PanoramaError):
    """The configuration file is missing, unreadable or wrong."""


class UsageError(PanoramaError):
    """A request the data cannot satisfy (unknown département, theme, buyer…)."""


class DataError(PanoramaError):
    """The dataset breaks the input contract; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == ERREUR]
        super().__init__(self.__str__())

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} erreur{'s' if count > 1 else ''} dans les données :"
        return "\n".join([head, *(f"- {p}" for p in self.problems)])


class OutputError(PanoramaError):
    """The outputs cannot be written: the folder is a file, the disk is full, writing is
    refused. The previous edition is left as it was."""


_SYSTEM = {
    errno.ENOSPC: ("disque plein", "libérez de la place sur ce disque ou choisissez un autre dossier de sortie "
                                   "(--out), puis relancez"),
    errno.EDQUOT: ("quota de disque dépassé", "libérez de la place ou choisissez un autre dossier de sortie "
                                              "(--out), puis relancez"),
    errno.EACCES: ("permission refusée", "donnez-vous le droit d'écrire dans ce dossier ou choisissez un autre "
                                         "dossier de sortie (--out)"),
    errno.EPERM: ("opération non permise", "donnez-vous le droit d'écrire dans ce dossier ou choisissez un autre "
                                           "dossier de sortie (--out)"),
    errno.EROFS: ("système de fichiers en lecture seule", "choisissez un dossier de sortie accessible en écriture "
                                                          "(--out)"),
    errno.ENOTDIR: ("un fichier se trouve là où un dossier est attendu", "déplacez ce fichier ou choisissez un autre "
                                                                          "dossier de sortie (--out)"),
    errno.EISDIR: ("un dossier se trouve là où un fichier est attendu", "déplacez ce dossier ou choisissez un autre "
                                                                         "dossier de sortie (--out)"),
}


def system_error(exc: BaseException, path=None, *, named: bool = True) -> OutputError | None:
    """The French :class:`OutputError` for a fault of the machine (``exc``, an ``OSError``:
    disk full, permission refused, read-only, a file where a folder is expected) met while
    writing the file the error names (``named``) or else ``path``; ``None`` for any other
    exception."""
    if not isinstance(exc, OSError) or exc.errno not in _SYSTEM:
        return None
    what, todo = _SYSTEM[exc.errno]
    where = exc.filename if named and exc.filename is not None else path
    return OutputError(f"Impossible d'écrire {where if where is not None else 'les sorties'} : {what}. "
                       f"Que faire : {todo}. L'édition précédente est restée intacte.")
