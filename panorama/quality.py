"""French data-quality summary of a validated year (``panorama validate``)."""

from __future__ import annotations

from panorama.dataset import QualityReport
from panorama.formatting import fmt_int, fmt_pct

MAX_WARNINGS = 30


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
