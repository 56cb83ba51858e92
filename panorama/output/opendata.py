"""The open data of every publication, each as a Frictionless Data Package, written by one
writer (:func:`write_open_data`): the panorama's ``donnees/`` and each study's.

The panorama's tables come from :meth:`Results.export_tables`, plus ``Results.series``
when the results carry one; a study's are its published tables. One description of the
columns and of the codes (:mod:`panorama.core.catalogue`: its column dictionary, dimensions
and key figures) feeds everything written: the CSV files, the Table Schema of each file inside
``datapackage.json``, the French data dictionary ``LISEZMOI.md`` and the workbook
(a description sheet, then one sheet per table). Nothing depends on the clock:
the same results always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import zipfile
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from panorama.compute import indicators, procurement
from panorama.core import catalogue, referential
from panorama.protect.results import Published, Results

if TYPE_CHECKING:
    from panorama.compute.studies.common import StudyResults
    from panorama.core.config import Config

PACKAGE_FILE = "datapackage.json"
README_FILE = "LISEZMOI.md"
DESCRIPTION_SHEET = "Description"
KEY_FIGURES_TABLE = "chiffres_cles"
SERIES_TABLE = "serie_chiffres_cles"
BREAKDOWN_PREFIX = "repartition_"
KEY_FIGURES_COLUMNS = ("perimetre", "indicateur", "valeur", "secret")
SERIES_COLUMNS = ("annee", "perimetre", "indicateur", "valeur", "secret")
BREAKDOWN_COLUMNS = ("perimetre", "dimension", "code", "libelle", "heures", "contrats", "participants",
                     "part_heures", "part_participants", "secret", "operations")
PROCUREMENT_TABLE = "commande_publique"
CROSSCHECK_TABLE = "commande_publique_rapprochement"
PROCUREMENT_COLUMNS = ("dimension", "code", "libelle", "marches", "renseignes", "consideration_sociale")
DATA_PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LICENCE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
PERIMETER_RULE = ("Un contrat est rattaché au département où s'exécute son opération (périmètre "
                  "d'exécution) ; la région rassemble toutes les opérations suivies. Les participants sont "
                  "aussi décrits selon leur département de résidence (répartition departement_residence).")

# The dimension(s) behind each breakdown table, by dimension name (a cross-tab has two).
_DIMENSIONS: dict[str, tuple[catalogue.Dimension, ...]] = {
    **{d.name: d.dimensions for d in catalogue.DIMENSIONS},
    **{c.name: c.dimensions for c in catalogue.CROSSES},
}

_TYPE_NAMES = {"string": "texte", "integer": "entier", "number": "nombre", "boolean": "booléen (true/false)",
               "date": "date (AAAA-MM-JJ)",
               "year": "année"}
_PERCENT_FORMAT = "0.0%"
_MAX_WIDTH = 80


def open_data_tables(results: Results) -> dict[str, pd.DataFrame]:
    """The published tables in publication order, with the columns of the export contract:
    ``chiffres_cles``, one ``repartition_<dimension>`` per breakdown and, when ``results``
    carries a series of years, ``serie_chiffres_cles``."""
    tables = {}
    for name, frame in results.export_tables().items():
        columns = KEY_FIGURES_COLUMNS if name == KEY_FIGURES_TABLE else BREAKDOWN_COLUMNS
        tables[name] = frame[list(columns)]
    if results.series is not None:
        tables[SERIES_TABLE] = results.series[list(SERIES_COLUMNS)].reset_index(drop=True)
    return tables | _procurement_tables(results)


def _procurement_tables(results: Results) -> dict[str, pd.DataFrame]:
    """The public procurement data of the year (:mod:`panorama.compute.procurement`), when the
    results carry some: the marchés by dimension and, with the cross-check, its listing of
    marchés (public DECP data, never a participant)."""
    found = results.procurement
    if found is None:
        return {}
    counts = found.breakdowns.assign(libelle=[procurement.label(d, c) for d, c in
                                              zip(found.breakdowns["dimension"], found.breakdowns["code"])])
    tables = {PROCUREMENT_TABLE: counts[list(PROCUREMENT_COLUMNS)].reset_index(drop=True)}
    if found.crosscheck is not None:
        tables[CROSSCHECK_TABLE] = found.crosscheck.listing.reset_index(drop=True)
    return tables


def provenance(config, year: int, example: bool) -> dict:
    """Version, licence, source and publisher of a data package (panorama or study)."""
    return {
        "version": str(year),
        "licenses": [LICENCE],
        "sources": [{"title": "Données fictives (jeu d'exemple de panorama)" if example
                     else f"{config.observatoire_nom} — suivi des clauses sociales {year}"}],
        "contributors": [{"title": config.observatoire_nom,
                          **({"organization": config.observatoire_porteur} if config.observatoire_porteur else {}),
                          "roles": ["publisher"]}],
    }


def package_descriptor(results: Results, tables: dict[str, pd.DataFrame]) -> dict:
    """``datapackage.json`` of ``tables`` (Data Package v2, one inline Table Schema per CSV
    file), without the ``bytes`` and ``hash`` of the files."""
    config = results.config
    perimeters = _perimeter_categories(results, tables)
    package = {
        "$schema": DATA_PACKAGE_PROFILE,
        "name": f"panorama-clauses-sociales-{results.year}",  # also the workbook's name
        "title": _title(results),
        "description": _description(results),
        **provenance(config, results.year, results.example),
        "keywords": ["clauses sociales", "commande publique", "insertion professionnelle", "marchés publics",
                     config.region_nom, str(results.year)],
    }
    if config.date_publication is not None:
        package["created"] = f"{config.date_publication.isoformat()}T00:00:00Z"
    package["annee"] = results.year
    if results.previous_year is not None:
        package["annee_precedente"] = results.previous_year
    package["perimetre"] = {
        "region": config.region_nom,
        "departements": [{"code": p.code, "nom": p.nom} for p in results.departements if p.in_region],
        "departements_hors_region": [{"code": p.code, "nom": p.nom} for p in results.departements
                                     if not p.in_region],
    }
    package["resources"] = [_resource(results, name, frame, perimeters) for name, frame in tables.items()]
    return package


def write_open_data(results: Published, folder: Path) -> list[str]:
    """Write the open data of ``results`` — the panorama's (its sheets read the same) or a
    study's — into ``folder`` as one Frictionless Data Package: one CSV file per table,
    ``datapackage.json``, the data dictionary ``LISEZMOI.md`` and the workbook; return the
    file names written. Every publication's data are written here, the same way."""
    if isinstance(results, Results):
        tables = open_data_tables(results)
        package = package_descriptor(results, tables)
    else:
        tables = {t.name: t.frame for t in results.tables.values()}
        package = study_descriptor(results)
    folder.mkdir(parents=True, exist_ok=True)
    published = {r["name"]: _published(tables[r["name"]], r["schema"]["fields"]) for r in package["resources"]}
    _write_resources(folder, package, published)
    (folder / README_FILE).write_text(_readme(results.config, package, tables), encoding="utf-8", newline="\n")
    workbook = f"{package['name']}.xlsx"
    _write_workbook(folder / workbook, results.config, results.year, package, published)
    return [PACKAGE_FILE, README_FILE, *(r["path"] for r in package["resources"]), workbook]


# --- tables and their description ----------------------------------------------------------------

def _title(results: Results) -> str:
    title = f"Panorama des clauses sociales {results.config.region_dans} — {results.year}"
    return f"{title} (données fictives)" if results.example else title


def _description(results: Results) -> str:
    config = results.config
    text = (f"Chiffres clés, répartitions et croisements des clauses sociales dans la commande publique "
            f"{config.region_dans} en {results.year} (heures d'insertion, opérations, donneurs d'ordre, "
            f"entreprises, participants), pour la région et chaque département : les chiffres du panorama "
            f"annuel (source : {config.observatoire_nom}). {PERIMETER_RULE}")
    if results.example:
        text = ("Données fictives : jeu d'exemple produit par le générateur de panorama, aucun chiffre ne "
                "décrit la réalité. " + text)
    return text


def _indicator_doc(code: str) -> tuple[str, str]:
    """French label and definition of an indicator code of ``chiffres_cles`` (fails closed on a
    code the catalogue does not declare)."""
    return catalogue.indicator_label(code), catalogue.indicator_definition(code)


def _perimeter_categories(results: Results, tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Every perimeter of the package: those of ``results``, then any other found in the tables
    (a département present in an older year of the series only)."""
    names = {p.code: p.nom for p in results.perimeters}
    found = {code for frame in tables.values() if "perimetre" in frame for code in frame["perimetre"]} - set(names)
    for code in sorted(found, key=referential.departement_sort_key):
        names[code] = referential.departement_name(code) or code
    return [{"value": code, "label": name} for code, name in names.items()]


def _field(name: str, *, description: str | None = None, categories: list[dict] | None = None) -> dict:
    """Table Schema field ``name`` from the catalogue's column dictionary, with its allowed
    codes and their labels."""
    spec = catalogue.column(name)
    field = {"name": name, "type": spec.type, "title": spec.title, "description": description or spec.description}
    if spec.type == "boolean":
        field.update(trueValues=["true"], falseValues=["false"])
    if spec.constraints:
        field["constraints"] = dict(spec.constraints)
    if categories is not None:
        field.setdefault("constraints", {})["enum"] = [c["value"] for c in categories]
        field["categories"] = categories
    return field


def _dimension_categories(dimension: catalogue.Dimension) -> list[dict] | None:
    """Allowed codes of a breakdown and their labels (``None`` for free text)."""
    codes = indicators.dimension_codes(dimension)
    if not codes:
        return None
    return [{"value": code, "label": indicators.code_label(dimension, code)}
            for code in [*codes, indicators.NON_RENSEIGNE]]


def _code_field(dims: tuple[catalogue.Dimension, ...]) -> dict:
    """The ``code`` field of a breakdown: every code of its dimension, or every combination
    ``A|B`` of the codes of a cross-tab."""
    sides = [_dimension_categories(d) for d in dims]
    if any(side is None for side in sides):
        return _field("code", description=f"Valeur de « {dims[0].title} » telle que saisie (texte libre) ; "
                                          f"{indicators.NON_RENSEIGNE} quand elle est absente.")
    categories = [{"value": "|".join(c["value"] for c in combination),
                   "label": " × ".join(c["label"] for c in combination)} for combination in product(*sides)]
    if len(dims) == 1:
        description = (f"Code de « {dims[0].title} » (libellés : propriété categories ci-dessous et "
                       f"LISEZMOI.md) ; {indicators.NON_RENSEIGNE} pour une donnée absente.")
    else:
        description = (f"Code du croisement : un code de « {dims[0].title} », une barre verticale, un code de "
                       f"« {dims[1].title} » (exemple : {categories[0]['value']}) ; "
                       f"{indicators.NON_RENSEIGNE} pour une donnée absente.")
    return _field("code", description=description, categories=categories)


def _breakdown_text(dims: tuple[catalogue.Dimension, ...], results: Results) -> tuple[str, str]:
    """Title and description of the resource of a breakdown."""
    titles = " × ".join(d.title for d in dims)
    title = f"Répartition — {titles}" if len(dims) == 1 else f"Croisement — {titles}"
    text = (f"Heures d'insertion, contrats et participants {results.config.region_dans} en {results.year} "
            f"selon « {titles} », pour la région et chaque département d'exécution. Les parts se rapportent "
            f"au total du périmètre.")
    if all(d.level == "operation" for d in dims):
        text += (" La colonne operations compte les opérations suivies ; une opération sans contrat dans "
                 "l'année figure avec zéro heure.")
    if any(d.name == "publics" for d in dims):
        text += (" Répartition non exclusive : un participant compte sous chacun de ses publics (critère "
                 "principal et publics), les parts ne s'additionnent donc pas à 100 %.")
    return title, text


def _resource(results: Results, name: str, frame: pd.DataFrame, perimeters: list[dict]) -> dict:
    """Resource of table ``name``: file, French title and description, Table Schema."""
    perimetre = _field("perimetre", categories=perimeters)
    if name in (KEY_FIGURES_TABLE, SERIES_TABLE):
        codes = list(dict.fromkeys(frame["indicateur"]))
        indicateur = _field("indicateur", categories=[{"value": code, "label": _indicator_doc(code)[0]}
                                                      for code in codes])
        if name == KEY_FIGURES_TABLE:
            title = "Chiffres clés"
            evolution = (f" Les taux d'évolution comparent {results.year} à {results.previous_year}."
                         if results.previous_year is not None else "")
            description = (f"Chaque indicateur de {results.year} pour la région et chaque département : une ligne "
                           f"par périmètre et par indicateur.{evolution}")
            fields = [perimetre, indicateur, _field("valeur"), _field("secret")]
            key = ["perimetre", "indicateur"]
        else:
            years = sorted(frame["annee"].drop_duplicates())
            title = "Série des chiffres clés"
            description = (f"Chiffres clés de chaque année disponible, de {years[0]} à {years[-1]}, pour la "
                           f"région et chaque département. Une année sans données figure avec des valeurs "
                           f"vides, jamais estimées.")
            fields = [_field("annee"), perimetre, indicateur, _field("valeur"), _field("secret")]
            key = ["annee", "perimetre", "indicateur"]
    elif name in (PROCUREMENT_TABLE, CROSSCHECK_TABLE):
        title, description, fields, key = _procurement_resource(results, name, frame)
    else:
        dimension = name.removeprefix(BREAKDOWN_PREFIX)
        dims = _DIMENSIONS[dimension]
        title, description = _breakdown_text(dims, results)
        columns = {"perimetre": perimetre, "dimension": _field("dimension", categories=[
            {"value": dimension, "label": title}]), "code": _code_field(dims)}
        fields = [columns.get(column) or _field(column) for column in BREAKDOWN_COLUMNS]
        key = ["perimetre", "dimension", "code"]
    return {
        "name": name, "type": "table", "path": f"{name}.csv", "format": "csv", "mediatype": "text/csv",
        "encoding": "utf-8", "title": title, "description": description,
        "dialect": {"delimiter": ",", "header": True},
        "schema": {"fields": fields, "missingValues": [""], "primaryKey": key},
    }


def _procurement_resource(results: Results, name: str, frame: pd.DataFrame) -> tuple[str, str, list[dict], list[str]]:
    """Title, description, fields and key of a table of the public procurement data."""
    where, year = results.config.region_dans, results.year
    source = ("Source : données essentielles de la commande publique (DECP), publiées par les acheteurs sous "
              "Licence Ouverte 2.0 ; données publiques, hors du secret statistique.")
    if name == PROCUREMENT_TABLE:
        dimensions = [{"value": d, "label": t} for d, t in (
            ("nature", "Nature du marché (code CPV)"), ("type_donneur_ordre", "Type d'acheteur"),
            ("departement", "Département d'exécution")) if d in set(frame["dimension"])]
        description = (f"Marchés notifiés en {year} et exécutés {where}, par nature, type d'acheteur (celui que "
                       f"les facilitateurs donnent au même organisme, {procurement.NON_RENSEIGNE} pour un acheteur "
                       f"qu'ils ne suivent pas) et département d'exécution : combien renseignent les "
                       f"considérations sociales et combien en déclarent une (clause sociale, critère social ou "
                       f"marché réservé). {source}")
        fields = [_field("dimension", description="Répartition de la ligne.", categories=dimensions),
                  _field("code", description=f"Code de la catégorie ({procurement.NON_RENSEIGNE} : non "
                                             f"déterminée)."),
                  *(_field(column) for column in PROCUREMENT_COLUMNS[2:])]
        return "Marchés publics de l'année (DECP)", description, fields, ["dimension", "code"]
    findings = [{"value": procurement.WITHOUT_HOURS,
                 "label": "Marché déclarant une considération sociale, sans heure d'insertion suivie dans l'année"},
                {"value": procurement.WITHOUT_CONSIDERATION,
                 "label": "Marché d'opérations suivies, déclaré sans considération sociale"}]
    description = (f"Rapprochement des opérations suivies en {year} par les facilitateurs, par l'identifiant de "
                   f"leur marché, et des marchés publiés dans les DECP : les marchés notifiés en {year} et "
                   f"exécutés {where} qui déclarent une considération sociale sans qu'aucune heure d'insertion "
                   f"n'ait été suivie dans l'année, et les marchés d'opérations suivies déclarés sans "
                   f"considération sociale. Identifiants et acheteurs des marchés seulement, jamais de "
                   f"participant. {source}")
    fields = [_field("constat", categories=findings),
              *(_field(column) for column in procurement.LISTING_COLUMNS[1:-1]),
              _field("operations", description="Nombre d'opérations suivies dans l'année sur ce marché.")]
    return "Rapprochement des opérations suivies et des DECP", description, fields, ["constat", "uid"]


def _format_number(value: float, integer: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if integer:
        return str(int(round(value)))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _published(frame: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    """The cells of ``frame`` as written in the CSV file, one column per field of its Table
    Schema: numbers in plain decimal notation with at most six decimals (integers without
    any, key-figure counts included), ``true``/``false``, empty text for a missing value;
    the same text every run."""
    out = pd.DataFrame(index=frame.index)
    for field in fields:
        column = field["name"]
        if column == "valeur" and "indicateur" in frame:
            integer = frame["indicateur"].map({code: catalogue.key_figure(code).integer
                                               for code in frame["indicateur"].unique()})
            out[column] = [_format_number(v, i) for v, i in zip(frame[column], integer)]
        else:
            out[column] = _cell_texts(frame[column], field["type"])
    return out


def _cell_texts(values: pd.Series, kind: str) -> list[str]:
    """The CSV text of ``values`` of Table Schema type ``kind``."""
    if kind in ("integer", "year", "number"):
        return [_format_number(v, kind != "number") for v in values]
    if kind == "boolean":
        return ["" if v is None else "true" if v else "false" for v in values]
    if kind == "date":
        return ["" if pd.isna(v) else v.strftime("%Y-%m-%d") for v in values]
    return ["" if pd.isna(v) else str(v) for v in values]


def _write_resources(folder: Path, package: dict, cells: dict[str, pd.DataFrame]) -> None:
    """Write each resource's CSV from its formatted ``cells``, record its ``bytes`` and ``hash``
    in ``package``, then write ``datapackage.json``."""
    for resource in package["resources"]:
        data = cells[resource["name"]].to_csv(index=False, lineterminator="\n").encode("utf-8")
        (folder / resource["path"]).write_bytes(data)
        resource["bytes"] = len(data)
        resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
    (folder / PACKAGE_FILE).write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8", newline="\n")


# --- LISEZMOI.md ---------------------------------------------------------------------------------

def _cell(text: object) -> str:
    """``text`` inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows] + [""]


def _readme(config: Config, package: dict, tables: dict[str, pd.DataFrame]) -> str:
    """The French data dictionary, generated from ``package`` (the same descriptions as the schemas)."""
    resources = package["resources"]
    workbook = f"{package['name']}.xlsx"
    fields = {f["name"]: f for r in resources for f in r["schema"]["fields"]}
    citation = f"{', '.join(filter(None, [config.observatoire_nom, config.observatoire_porteur]))}, « {package['title']} »"
    if config.date_publication is not None:
        citation += f", publié le {config.date_publication.strftime('%d/%m/%Y')}"
    lines = [f"# {package['title']}", "", package["description"], "",
             "## Licence et citation", "",
             f"Ces données sont publiées sous la [{LICENCE['title']}]({LICENCE['path']}) : elles peuvent être "
             f"réutilisées librement, y compris à des fins commerciales, à condition d'en mentionner la source "
             f"et la date de mise à jour.", "",
             f"Pour les citer : {citation}, données ouvertes, {LICENCE['title']}.", "",
             "## Fichiers", ""]
    lines += _table(["Fichier", "Contenu"], [
        [f"`{PACKAGE_FILE}`", "Description normalisée du jeu de données (Frictionless Data Package v2) : "
                              "une Table Schema par fichier CSV (types, codes autorisés et leurs libellés)"],
        [f"`{README_FILE}`", "Ce dictionnaire des données"],
        [f"`{workbook}`", f"Les mêmes tables dans un classeur, une feuille par table, précédées d'une "
                          f"feuille « {DESCRIPTION_SHEET} »"],
        *[[f"`{r['path']}`", r["title"]] for r in resources]])
    lines += ["Format des fichiers CSV : UTF-8 sans BOM, séparateur virgule, fins de ligne `\\n`, point "
              "décimal, entiers sans décimales, parts et taux en fractions (0.151 = 15,1 %), booléens "
              "`true`/`false` ; une cellule vide est une valeur absente ou couverte par le secret statistique. "
              f"La commande `frictionless validate {PACKAGE_FILE}` vérifie chaque fichier par rapport à sa "
              "description.", ""]
    if "categories" in fields.get("perimetre", {}):
        lines += ["## Périmètre", "", PERIMETER_RULE, "", "La colonne `perimetre` vaut :", ""]
        lines += _table(["Code", "Périmètre"], [[f"`{c['value']}`", c["label"]]
                                                for c in fields["perimetre"]["categories"]])
    secret = any(frame["secret"].any() for frame in tables.values() if "secret" in frame)
    lines += ["## Secret statistique", "",
              "Une valeur couverte par le secret statistique (effectif trop faible pour être publié, ou "
              "permettant de le retrouver par différence) est laissée vide, et sa ligne porte `secret = true`. "
              + ("" if secret else "Dans cette édition, aucune valeur n'est masquée : `secret` vaut `false` "
                                   "partout. ")
              + "Aucune donnée nominative n'est publiée.", ""]
    for resource in resources:
        lines += [f"## `{resource['path']}` — {resource['title']}", "", resource["description"], "",
                  "Clé : " + ", ".join(f"`{name}`" for name in resource["schema"]["primaryKey"]) + ".", ""]
        lines += _table(["Colonne", "Type", "Titre", "Description"], [
            [f"`{f['name']}`", _TYPE_NAMES[f["type"]], f["title"], f["description"]]
            for f in resource["schema"]["fields"]])
        lines += _codes_section(resource)
    codes = list(dict.fromkeys(code for r in resources if "indicateur" in tables[r["name"]]
                               for code in tables[r["name"]]["indicateur"]))
    if not codes:
        return "\n".join(lines).rstrip("\n") + "\n"
    lines += ["## Définitions des indicateurs", "",
              "Codes de la colonne `indicateur`. Les heures sont celles réalisées pendant l'année civile ; les "
              "parts sont des fractions entre 0 et 1.", ""]
    lines += _table(["Code", "Libellé", "Définition"], [[f"`{code}`", *_indicator_doc(code)] for code in codes])
    return "\n".join(lines).rstrip("\n") + "\n"


def _codes_section(resource: dict) -> list[str]:
    """Codes and labels of the ``code`` column of a breakdown (a cross-tab refers to its two
    breakdowns)."""
    code = next((f for f in resource["schema"]["fields"] if f["name"] == "code"), None)
    if code is None or "categories" not in code:
        return []
    dims = _DIMENSIONS.get(resource["name"].removeprefix(BREAKDOWN_PREFIX))
    if dims is None:
        return []
    if len(dims) == 2:
        files = " et de ".join(f"`{BREAKDOWN_PREFIX}{d.name}.csv`" for d in dims)
        return [f"Codes : chaque combinaison des codes de {files}.", ""]
    return [f"Codes de « {dims[0].title} » :", "",
            *_table(["Code", "Libellé"], [[f"`{c['value']}`", c["label"]] for c in code["categories"]])]


# --- the workbook --------------------------------------------------------------------------------

def _publication_moment(config: Config, year: int) -> dt.datetime:
    """Fixed date of the workbook's properties and archive entries: the publication date
    when configured, else 1 January of the year after the data."""
    day = config.date_publication or dt.date(year + 1, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


def _sheet_name(table: str) -> str:
    """Sheet of ``table`` in the workbook (Excel allows 31 characters)."""
    return table.removeprefix(BREAKDOWN_PREFIX)[:31]


def _typed(text: str, kind: str):
    """Spreadsheet value of a published CSV cell: a number, a boolean or text; ``None`` when empty."""
    if text == "":
        return None
    if kind in ("integer", "year"):
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text


def _header(sheet, widths: list[int]) -> None:
    """Bold, frozen header row, and columns as wide as their content (within reason)."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), _MAX_WIDTH)


def _write_workbook(path: Path, config: Config, year: int, package: dict, published: dict[str, pd.DataFrame]) -> None:
    """The tables in one workbook: a description sheet, then one sheet per table, with the
    values of the CSV files as numbers and booleans (shares shown as percentages)."""
    workbook = openpyxl.Workbook()
    description = workbook.active
    description.title = DESCRIPTION_SHEET
    rows = [["Feuille", "Fichier CSV", "Contenu"]] + [
        [_sheet_name(r["name"]), r["path"], f"{r['title']}. {r['description']}"] for r in package["resources"]]
    for row in rows:
        description.append(row)
    description.append([])
    description.append([package["title"]])
    description.append([f"{LICENCE['title']} ; source : {package['sources'][0]['title']}. Définitions des "
                        f"colonnes, des codes et des indicateurs : {README_FILE}."])
    _header(description, [max(len(str(row[i])) for row in rows) for i in range(3)])
    for (cell,) in description.iter_rows(min_row=2, max_row=len(rows), min_col=3, max_col=3):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for resource in package["resources"]:
        sheet = workbook.create_sheet(_sheet_name(resource["name"]))
        fields = resource["schema"]["fields"]
        table = published[resource["name"]]
        sheet.append([f["name"] for f in fields])
        for row in table.itertuples(index=False):
            sheet.append([_typed(text, f["type"]) for text, f in zip(row, fields)])
        for index, field in enumerate(fields, start=1):
            if field["name"] == "valeur" and "indicateur" in table:
                fractions = {code: catalogue.key_figure(code).format == "part" for code in table["indicateur"].unique()}
                shares = table["indicateur"].map(fractions).to_numpy(dtype=bool)
            else:
                shares = np.full(len(table), catalogue.column(field["name"]).fraction)
            for row_number in shares.nonzero()[0] + 2:
                sheet.cell(int(row_number), index).number_format = _PERCENT_FORMAT
        _header(sheet, [max([len(f["name"]), *map(len, table[f["name"]])]) for f in fields])
        sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.title = package["title"]
    workbook.properties.creator = config.observatoire_nom
    _save_workbook(workbook, path, _publication_moment(config, year))


class _StampedZipFile(zipfile.ZipFile):
    """A zip archive (being written) whose entries all carry one fixed date, whatever the
    current time or the date of the temporary files they come from."""

    def __init__(self, path: Path, moment: dt.datetime):
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = moment.timetuple()[:6]

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        """Write ``data`` as an entry dated with the archive's fixed date."""
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
            zinfo_or_arcname.external_attr = 0o600 << 16
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        """Write the file ``filename`` (openpyxl's worksheets) as an entry dated with the fixed date."""
        self.writestr(str(arcname or filename), Path(filename).read_bytes())


def _save_workbook(workbook: openpyxl.Workbook, path: Path, moment: dt.datetime) -> None:
    """Save ``workbook`` with ``moment`` as its creation and modification dates and as the date of
    every archive entry (``Workbook.save`` stamps the current time), so the bytes never vary."""
    workbook.properties.created = workbook.properties.modified = moment
    with _StampedZipFile(path, moment) as archive:
        ExcelWriter(workbook, archive).save()


# --- the package of a thematic study ------------------------------------------------------------

def study_descriptor(results: StudyResults) -> dict:
    """``datapackage.json`` of a study's tables (one inline Table Schema per CSV file, the
    columns described by the catalogue), without the ``bytes`` and ``hash`` of the files."""
    from panorama.compute.studies.common import in_grand_paris

    config = results.config
    title = f"{results.title} — {config.region_nom}, {results.year}"
    if results.example:
        title += " (données fictives)"
    resources = []
    for table in results.tables.values():
        fields = []
        for column in table.frame.columns:
            kind, label, description = catalogue.column(column).in_study()
            description = description.replace("{grand_paris}", " (à Paris et en petite couronne : la Métropole du "
                                              "Grand Paris)" if in_grand_paris(config) else "")
            fields.append({"name": column, "type": kind, "title": label, "description": description})
            if kind == "boolean":
                fields[-1].update(trueValues=["true"], falseValues=["false"])
        resources.append({"name": table.name, "type": "table", "path": f"{table.name}.csv", "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8", "title": table.title,
                          "description": table.description, "dialect": {"delimiter": ",", "header": True},
                          "schema": {"fields": fields, "missingValues": [""], "primaryKey": list(table.key)}})
    return {
        "$schema": DATA_PACKAGE_PROFILE,
        "name": f"etude-{results.slug}-{results.year}".lower(),
        "title": title,
        "description": (("Données fictives : jeu d'exemple, aucun chiffre ne décrit la réalité. " if results.example
                         else "") + f"Les tableaux de l'étude « {results.title} » ({config.observatoire_nom}). "
                        "Chaque valeur publiée dans le document figure dans un de ces fichiers."),
        **provenance(config, results.year, results.example),
        "keywords": ["clauses sociales", "commande publique", "insertion professionnelle", config.region_nom,
                     str(results.year)],
        "resources": resources,
    }
