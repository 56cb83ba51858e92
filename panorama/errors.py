"""Problems found in the input, and the exceptions that carry them.

A :class:`Problem` names the file, the line, the column, the value and what
was expected; :class:`DataError` carries every problem found (all errors of a
file are reported at once) and prints them in French. The CLI turns these
exceptions into a message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

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
