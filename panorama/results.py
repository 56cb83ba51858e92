"""The results object: every figure of one edition, and its open-data export.

:func:`compute` runs the indicators once; the report, the charts, the maps and
the open data all read the same :class:`Results`. Nothing downstream
recomputes a figure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from panorama import indicators, referential
from panorama.config import Config
from panorama.dataset import Dataset, QualityReport

KEY_FIGURES_FILE = "chiffres_cles.csv"
WORKBOOK_FILE = "panorama-clauses-sociales-{year}.xlsx"  # the same tables, one sheet each
BREAKDOWN_COLUMNS = ("perimetre", "dimension", "code", "libelle", "heures", "contrats", "participants",
                     "part_heures", "part_participants", "secret", "operations")
INTEGER_CODES = {"participants", "contrats", "operations", "operations_actives", "donneurs_ordre",
                 "entreprises"}


@dataclass(frozen=True)
class Perimeter:
    """A perimeter of the report: the region or one département."""

    code: str
    nom: str
    in_region: bool


@dataclass
class Results:
    """Every computed figure of one edition (year N, with N−1 when present)."""

    year: int
    previous_year: int | None
    config: Config
    perimeters: list[Perimeter]
    key_figures: pd.DataFrame
    breakdowns: pd.DataFrame
    quality: QualityReport
    example: bool
    series: pd.DataFrame | None = None

    def figure(self, code: str, perimetre: str = indicators.REGION) -> float:
        """Value of key figure ``code`` for ``perimetre`` (NaN when undefined)."""
        row = self._key_row(code, perimetre)
        return float(row["valeur"]) if row is not None else math.nan

    def figure_row(self, code: str, perimetre: str = indicators.REGION) -> dict:
        """``{valeur, valeur_precedente, evolution}`` of key figure ``code``."""
        row = self._key_row(code, perimetre)
        if row is None:
            return {"valeur": math.nan, "valeur_precedente": math.nan, "evolution": math.nan}
        return {k: float(row[k]) for k in ("valeur", "valeur_precedente", "evolution")}

    def _key_row(self, code: str, perimetre: str):
        index = self._key_index()
        position = index.get((perimetre, code))
        return None if position is None else self.key_figures.iloc[position]

    def _key_index(self) -> dict[tuple[str, str], int]:
        if not hasattr(self, "_index_cache"):
            keys = zip(self.key_figures["perimetre"], self.key_figures["indicateur"])
            self._index_cache = {key: i for i, key in enumerate(keys)}
        return self._index_cache

    def serie(self, code: str, perimetre: str = indicators.REGION) -> list[tuple[int, float]]:
        """``(year, value)`` of key figure ``code`` for every year of the series (NaN: no data)."""
        if self.series is None:
            return [(self.year, self.figure(code, perimetre))]
        rows = self.series[(self.series["indicateur"] == code) & (self.series["perimetre"] == perimetre)]
        return [(int(y), float(v)) for y, v in zip(rows["annee"], rows["valeur"])]

    def breakdown(self, dimension: str, perimetre: str = indicators.REGION) -> pd.DataFrame:
        """Rows of one breakdown for one perimeter, in publication order."""
        rows = self.breakdowns
        return rows[(rows["dimension"] == dimension) & (rows["perimetre"] == perimetre)]

    @property
    def departements(self) -> list[Perimeter]:
        """The département perimeters (configured ones first, then others found in the data)."""
        return [p for p in self.perimeters if p.code != indicators.REGION]

    def export_tables(self) -> dict[str, pd.DataFrame]:
        """The open-data tables: ``chiffres_cles`` and one table per breakdown."""
        key = self.key_figures[["perimetre", "indicateur", "valeur"]]
        key = pd.concat([key, indicators.evolution_rows(self.key_figures)], ignore_index=True)
        key = indicators._sort_perimeters(key, "perimetre")
        tables = {"chiffres_cles": key.reset_index(drop=True)}
        for name in self.breakdowns["dimension"].drop_duplicates():
            rows = self.breakdowns[self.breakdowns["dimension"] == name]
            tables[f"repartition_{name}"] = rows.reset_index(drop=True)
        return tables


def compute(dataset: Dataset, previous: Dataset | None, config: Config, *, example: bool,
            history: Mapping[int, Dataset] | None = None) -> Results:
    """Compute every indicator of ``dataset``, its N−1 evolution and, from
    ``history`` (earlier years' datasets by year), the series of key figures."""
    facts = indicators.fact_table(dataset)
    current = indicators.key_figures(dataset, facts)
    prev = indicators.key_figures(previous) if previous is not None else None
    key = indicators.evolution(current, prev)
    by_year = {y: indicators.key_figures(d) for y, d in (history or {}).items() if y < dataset.year - 1}
    by_year[dataset.year] = current
    if prev is not None:
        by_year[previous.year] = prev
    found = [c for c in current["perimetre"].drop_duplicates() if c != indicators.REGION]
    codes = list(config.departements) + sorted(set(found) - set(config.departements),
                                               key=referential.departement_sort_key)
    perimeters = [Perimeter(indicators.REGION, config.region_nom, True)] + [
        Perimeter(code, referential.departement_name(code) or code, code in config.departements)
        for code in codes]
    return Results(year=dataset.year, previous_year=previous.year if previous is not None else None,
                   config=config, perimeters=perimeters, key_figures=key,
                   breakdowns=indicators.breakdowns(dataset, facts), quality=dataset.quality,
                   example=example, series=indicators.series(by_year))


def _format_number(value: float, integer: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if integer:
        return str(int(round(value)))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _csv_text(frame: pd.DataFrame) -> str:
    """CSV (UTF-8, comma, ``\\n``) with numbers written exactly and identically every run."""
    out = frame.copy()
    if "indicateur" in out:
        integer = out["indicateur"].isin(INTEGER_CODES)
        out["valeur"] = [_format_number(v, i) for v, i in zip(out["valeur"], integer)]
    for column in ("heures", "part_heures", "part_participants"):
        if column in out:
            out[column] = [_format_number(v, False) for v in out[column]]
    for column in ("contrats", "participants", "operations"):
        if column in out:
            out[column] = [_format_number(v, True) for v in out[column]]
    if "secret" in out:
        out["secret"] = np.where(out["secret"], "true", "false")
    return out.to_csv(index=False, lineterminator="\n")


_FIELD_DOCS = {
    "perimetre": ("string", "« region » pour la région, sinon le code du département d'exécution"),
    "indicateur": ("string", "Code de l'indicateur (voir LISEZMOI.md)"),
    "valeur": ("number", "Valeur de l'indicateur ; les parts sont des fractions entre 0 et 1"),
    "dimension": ("string", "Nom de la répartition"),
    "code": ("string", "Code de la modalité de la répartition (A|B pour un croisement)"),
    "libelle": ("string", "Libellé en clair de la modalité"),
    "heures": ("number", "Heures d'insertion réalisées dans l'année"),
    "contrats": ("integer", "Nombre de contrats"),
    "participants": ("integer", "Nombre de participants distincts"),
    "part_heures": ("number", "Part des heures du périmètre (fraction)"),
    "part_participants": ("number", "Part des participants du périmètre (fraction)"),
    "secret": ("boolean", "Vrai si la valeur est couverte par le secret statistique (cellules vides)"),
    "operations": ("integer", "Nombre d'opérations (répartitions par opération seulement)"),
}


def write_open_data(results: Results, folder: Path) -> list[str]:
    """Write the open-data package into ``folder`` (CSV files, ``datapackage.json``, and the
    same tables in one workbook, a sheet per table); return the file names written."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    tables = results.export_tables()
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        path.write_text(_csv_text(frame), encoding="utf-8", newline="")
        fields = [{"name": c, "type": _FIELD_DOCS[c][0], "description": _FIELD_DOCS[c][1]}
                  for c in frame.columns]
        resources.append({
            "name": name.replace("_", "-"), "path": path.name, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": fields},
        })
    package = {
        "name": f"panorama-clauses-sociales-{results.year}",
        "title": f"Panorama des clauses sociales {results.config.region_dans} — {results.year}",
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0",
                      "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}],
        "sources": [{"title": results.config.observatoire_nom}],
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    workbook = WORKBOOK_FILE.format(year=results.year)
    with pd.ExcelWriter(folder / workbook, engine="openpyxl") as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=_sheet_name(name), index=False)
    return ["datapackage.json", *[r["path"] for r in resources], workbook]


def _sheet_name(table: str) -> str:
    """Sheet of ``table`` in the workbook (Excel allows 31 characters)."""
    return table.removeprefix("repartition_")[:31]
