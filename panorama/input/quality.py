"""French data-quality summary of a validated year (``panorama validate``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from panorama.core.errors import Problem
from panorama.core.formatting import fmt_int, fmt_pct, plural
from panorama.input.dataset import QualityReport

MAX_WARNINGS = 30
MAX_KINDS = 5  # kinds of warnings shown by a build
_MORE = re.compile(r"… et ([\d\s\u202f\u00a0]+) autres (?:lignes|valeurs) avec le même problème : (.*)", re.DOTALL)
# Shown first: values kept but suspicious (outliers), then values dropped (identifiers).
_IMPORTANCE = ("à vérifier", "ignoré", "non compté", "exclue")


def summary(report: QualityReport) -> str:
    """Rows read, kept and excluded (with reasons) per table, completeness of the
    optional columns, and the warnings."""
    lines = [f"Bilan de qualité des données {report.year}", ""]
    width = max(len(t) for t in report.tables) if report.tables else 10
    lines.append(f"{'Table':<{width}}  {'lues':>9}  {'retenues':>9}  {'exclues':>9}  fichier")
    for table in report.tables.values():
        lines.append(f"{table.table:<{width}}  {fmt_int(table.rows_read):>9}  {fmt_int(table.rows_kept):>9}  "
                     f"{fmt_int(table.rows_excluded):>9}  {table.file}")
        for reason, count in table.excluded.items():
            lines.append(f"{'':<{width}}  └ {fmt_int(count)} exclue{'s' if count > 1 else ''} : {reason}")
    lines += ["", "Taux de remplissage des colonnes facultatives"]
    for table in report.tables.values():
        if table.completeness:
            cells = ", ".join(f"{column} {fmt_pct(share)}" for column, share in table.completeness.items())
            lines.append(f"- {table.table} : {cells}")
    warnings = report.warnings
    lines += ["", f"Avertissements : {fmt_int(len(warnings))}"]
    lines += [f"- {w}" for w in warnings[:MAX_WARNINGS]]
    if len(warnings) > MAX_WARNINGS:
        lines.append(f"- … et {fmt_int(len(warnings) - MAX_WARNINGS)} autres avertissements")
    lines += ["", "Aucune erreur : les données respectent le contrat v1."]
    return "\n".join(lines)


@dataclass
class _Kind:
    """One kind of warning: its message, where, how many lines, and the first one."""

    file: str
    column: str | None
    message: str
    count: int
    first: Problem | None


def _kinds(warnings: list[Problem]) -> list[_Kind]:
    """The warnings grouped by file, column and message (the « … et N autres lignes »
    that cap a listing counted in), the most important first."""
    kinds: dict[tuple, _Kind] = {}
    for warning in warnings:
        more = _MORE.fullmatch(warning.message)
        message = more.group(2) if more else warning.message
        count = int(re.sub(r"\D", "", more.group(1))) if more else 1
        key = (warning.file, warning.column, message)
        if key not in kinds:
            kinds[key] = _Kind(warning.file, warning.column, message, 0, None if more else warning)
        kinds[key].count += count

    def rank(kind: _Kind) -> tuple[int, int]:
        found = [i for i, word in enumerate(_IMPORTANCE) if word in kind.message]
        return (found[0] if found else len(_IMPORTANCE)), -kind.count

    return sorted(kinds.values(), key=rank)


def build_warnings(report: QualityReport, details: str) -> str | None:
    """What a build says of the data's warnings: how many, the most important kinds
    (suspicious values, dropped identifiers) with their first line, and ``details``,
    the command that lists them all; ``None`` without warnings."""
    kinds = _kinds(report.warnings)
    if not kinds:
        return None
    total = sum(kind.count for kind in kinds)
    lines = [f"Avertissements sur les données {report.year} : {fmt_int(total)} "
             f"({fmt_int(len(kinds))} {plural(len(kinds), 'sorte')}) ; les principaux :"]
    for kind in kinds[:MAX_KINDS]:
        where = kind.file + (f", colonne « {kind.column} »" if kind.column else "")
        about_lines = kind.first is None or kind.first.line is not None  # else one warning about the whole file
        text = f"- {kind.message}" + (f" : {fmt_int(kind.count)} {plural(kind.count, 'ligne')}" if about_lines else "")
        text += f" ({where}"
        if kind.first is not None and kind.first.line is not None:
            text += f", par exemple ligne {kind.first.line}"
            if kind.first.value is not None:
                text += f", valeur « {kind.first.value} »"
        lines.append(text + ")")
    if len(kinds) > MAX_KINDS:
        lines.append(f"- … et {fmt_int(len(kinds) - MAX_KINDS)} autres sortes d'avertissements")
    lines.append(f"Tous les avertissements : {details}")
    return "\n".join(lines)
