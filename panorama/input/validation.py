"""Check one year of data from a :class:`~panorama.input.source.Source` against the input
contract and build the Dataset.

Every rule of ``spec/dataset.md`` is checked here: columns, required cells,
codes (any usual label is mapped to its code by :mod:`panorama.core.referential`),
numbers, dates, keys, references between tables, contract dates against the
year, ages. All the errors of every file are collected before anything is
raised, so the user fixes a dataset in one pass; each error names the file,
the line, the column, the value and what was expected. Listings are capped
(:data:`MAX_LISTED` lines per file, column and kind of problem, then a
summary) so that a broken 100,000-row file stays readable.

Inputs are only read, never modified.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from panorama.core import referential
from panorama.core.errors import AVERTISSEMENT, ERREUR, DataError, Problem
from panorama.core.formatting import fmt_int
from panorama.input.dataset import TABLES, Dataset, QualityReport, TableQuality
from panorama.input.reading import RawTable, formula_lines
from panorama.input.source import Source, as_source

MAX_LISTED = 20
MAX_HOURS = 2500
HOURS_IN_A_YEAR = 8784  # 366 × 24: more hours in a year is a typo
ABSURD = 1e12  # a thousand billion: no amount nor number of hours of this tool comes near
AGE_RANGE = (14, 80)
NO_CONTRACT = "sans contrat dans l'année"
OUTSIDE = "hors de la région"
OUTSIDE_CONTRACT = "contrat d'une opération hors de la région"
OUTSIDE_PEOPLE = "sans contrat dans la région"


@dataclass(frozen=True)
class Region:
    """The perimeter the data must respect: the configured départements, and what to do
    with an operation elsewhere (``exclude``: counted and reported, else an error)."""

    departements: tuple[str, ...]
    name: str = "la région"
    exclude: bool = False


@dataclass(frozen=True)
class Column:
    """One column of the contract: its kind of value, whether it is required,
    and the nomenclature of its codes."""

    name: str
    kind: str = "texte"
    required: bool = False
    nomenclature: str | None = None
    extension: bool = False
    """An optional column added to contract v1 after its first edition: its completeness is
    reported only when the file has it, so that a dataset made before it reads as before."""


def _code(name: str, nomenclature: str, required: bool = False) -> Column:
    return Column(name, "code", required, nomenclature)


#: The columns of each table, in output order (``spec/dataset.md``).
COLUMNS: dict[str, tuple[Column, ...]] = {
    "operations": (
        Column("operation_id", required=True),
        Column("intitule"),
        Column("donneur_ordre_id", required=True),
        Column("departement", "departement", True),
        Column("commune", "commune"),
        _code("nature", "nature", True),
        _code("secteur", "secteur"),
        _code("modalite", "modalite", True),
        Column("date_notification", "date"),
        Column("montant_ht", "nombre"),
        Column("heures_prevues", "nombre"),
        Column("grand_projet"),
        Column("facilitateur"),
        Column("marche_id", extension=True),
    ),
    "donneurs_ordre": (
        Column("donneur_ordre_id", required=True),
        Column("nom", required=True),
        _code("type", "type_donneur_ordre", True),
        Column("siret", "siret"),
        Column("departement", "departement"),
    ),
    "entreprises": (
        Column("entreprise_id", required=True),
        Column("nom"),
        Column("siret", "siret"),
        _code("type_structure", "type_structure", True),
        _code("taille", "taille"),
        Column("departement", "departement"),
    ),
    "participants": (
        Column("participant_id", required=True),
        _code("sexe", "sexe", True),
        Column("annee_naissance", "annee", True),
        _code("niveau_qualification", "niveau_qualification", True),
        _code("critere_principal", "critere", True),
        Column("publics", "publics", nomenclature="critere"),
        Column("commune_residence", "commune"),
        Column("qpv", "booleen", nomenclature="booleen"),
        _code("prescripteur", "prescripteur"),
        _code("situation_sortie", "situation_sortie"),
    ),
    "contrats": (
        Column("contrat_id", required=True),
        Column("operation_id", required=True),
        Column("participant_id", required=True),
        Column("entreprise_id", required=True),
        _code("type_contrat", "type_contrat", True),
        Column("date_debut", "date", True),
        Column("date_fin", "date"),
        Column("heures", "heures", True),
    ),
}

#: Unique key of each table.
KEYS: dict[str, str] = {
    "operations": "operation_id",
    "donneurs_ordre": "donneur_ordre_id",
    "entreprises": "entreprise_id",
    "participants": "participant_id",
    "contrats": "contrat_id",
}

#: Foreign keys: (table, column, referenced table); the referenced column is its key.
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("contrats", "operation_id", "operations"),
    ("contrats", "participant_id", "participants"),
    ("contrats", "entreprise_id", "entreprises"),
    ("operations", "donneur_ordre_id", "donneurs_ordre"),
)

_ROW_NOUNS = {"contrats": "contrat", "operations": "opération"}
# JJ/MM/AA (LibreOffice's French CSV export): AA up to 68 is 20AA, beyond 19AA (as strptime).
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's serial dates (1900 system)
_TIME_OF_DAY = r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d*)?)?$"
_SPACES = r"[\s\u00a0\u202f]"
_EXPONENT = r"\d\s*[eE]\s*[+-]?\d"
_EXPECTED = {
    "date": "une date AAAA-MM-JJ, JJ/MM/AAAA ou JJ/MM/AA (entre 1900 et 2100)",
    "nombre": "un nombre positif ou nul (ex. 1234,5 ou 1 234,50)",
    "heures": "un nombre d'heures supérieur à 0 (ex. 151,67 ou 1 234,5)",
    "commune": "un code commune INSEE à 5 caractères (ex. 93066, 2A004)",
    "siret": "un SIRET de 14 chiffres",
    "departement": "un code de département : 01 à 19, 2A, 2B, 21 à 95, 971 à 974 ou 976",
}


def load_year(source: Source | Path, year: int, region: Region | None = None) -> Dataset:
    """Read and validate year ``year`` of ``source`` (a folder: its sub-folder ``year``),
    within ``region`` when given.

    Returns the :class:`~panorama.input.dataset.Dataset` (column types documented
    in :mod:`panorama.input.dataset`; warnings and exclusions in its ``quality``).
    Raises :class:`~panorama.core.errors.DataError` carrying every error found.
    """
    dataset, problems = _check_year(as_source(source), year, region)
    _raise_errors(problems)
    return dataset


def load_years(source: Source | Path, year: int) -> tuple[Dataset, Dataset | None]:
    """Year ``year`` and, when ``source`` holds it, the year before.

    Errors of both years are raised together in one
    :class:`~panorama.core.errors.DataError`; those of the previous year name their
    file with « (année précédente) ».
    """
    years = load_history(source, year, first=year - 1)
    return years[year], years.get(year - 1)


def load_history(source: Source | Path, year: int, first: int | None = None,
                 region: Region | None = None) -> dict[int, Dataset]:
    """Year ``year`` and every earlier year of ``source`` (from ``first`` when given).

    The result maps each year found to its dataset. Errors of every year are
    raised together in one :class:`~panorama.core.errors.DataError`; those of an
    earlier year name their file with « (année précédente) » or « (année AAAA) ».
    With ``region``, an operation outside its départements is an error naming its line
    (or, when the region says so, excluded with its contracts, and reported). The dataset of
    ``year`` carries the public procurement data the source sets beside it.
    """
    source = as_source(source)
    current, problems = _check_year(source, year, region)
    datasets = {year: current}
    earlier_years = [y for y in source.years() if (first is None or y >= first) and y < year]
    for earlier in reversed(earlier_years):
        dataset, found = _check_year(source, earlier, region)
        tag = "année précédente" if earlier == year - 1 else f"année {earlier}"
        problems += [replace(p, file=f"{p.file} ({tag})") for p in found]
        datasets[earlier] = dataset
    _raise_errors(problems)
    current.procurement = source.procurement(year)
    return dict(sorted(datasets.items()))


def validate_tables(year: int, raw: dict[str, RawTable]) -> tuple[Dataset | None, list[Problem]]:
    """The dataset of ``year`` from raw tables read elsewhere (an export being imported),
    ``None`` when they have errors, and every problem found (the rules and messages of
    :func:`load_year`)."""
    return _validate(year, raw, [])


def _raise_errors(problems: list[Problem]) -> None:
    if any(p.severity == ERREUR for p in problems):
        raise DataError(problems)


def _check_year(source: Source, year: int, region: Region | None = None) -> tuple[Dataset | None, list[Problem]]:
    """The validated dataset (``None`` on error) and every problem found."""
    dataset, problems = _validate(year, *source.read(year), region=region)
    # The raw tables are freed now, but Arrow's allocator would keep their memory.
    pa.default_memory_pool().release_unused()
    return dataset, problems


def _validate(year: int, raw: dict[str, RawTable], problems: list[Problem],
              region: Region | None = None) -> tuple[Dataset | None, list[Problem]]:
    """The dataset of ``year`` from its raw tables (``None`` on error), and every problem found."""
    check = _Checker(year, problems, _Identifiers(raw))
    frames = {table: check.table(raw[table]) for table in TABLES if table in raw}
    for table in frames:
        check.unique_key(raw[table])
    for table, column, target in REFERENCES:
        if table in frames and target in frames:
            check.reference(raw[table], frames[table], column, raw[target])
    if "contrats" in frames:
        check.contract_dates(raw["contrats"], frames["contrats"])
    excluded: dict[str, dict[str, np.ndarray]] = {table: {} for table in TABLES}
    if "participants" in frames and "contrats" in frames and "participant_id" in raw["contrats"].data:
        excluded["participants"][NO_CONTRACT] = check.participants_without_contract(raw["participants"])
    if region is not None and all(table in frames for table in ("operations", "contrats", "participants")):
        check.region(raw, frames, region, excluded)
    if any(p.severity == ERREUR for p in problems):
        return None, problems
    quality = QualityReport(year, warnings=[p for p in problems if p.severity == AVERTISSEMENT])
    kept = {}
    for table in TABLES:
        drop = np.zeros(len(frames[table]), dtype=bool)
        for mask in excluded[table].values():
            drop |= mask
        kept[table] = (frames[table][~drop] if drop.any() else frames[table]).reset_index(drop=True)
        quality.tables[table] = _quality(raw[table], drop, excluded[table])
    kept["participants"]["annee_naissance"] = kept["participants"]["annee_naissance"].astype("int64")
    return Dataset(year=year, quality=quality, **kept), problems


def _quality(raw: RawTable, drop: np.ndarray, reasons: dict[str, np.ndarray]) -> TableQuality:
    """Rows read and excluded (``drop``; by reason, each row under its first reason), and
    the share of filled cells of every optional column among the rows kept (0 for a
    column the file does not have; an extension column the file does not have is left out)."""
    data, kept = raw.data, ~drop
    completeness = {
        column.name: float(_filled(data[column.name])[kept].mean()) if column.name in data and kept.any() else 0.0
        for column in COLUMNS[raw.table] if not column.required and (column.name in data or not column.extension)
    }
    excluded, counted = {}, np.zeros(len(drop), dtype=bool)
    for reason, mask in reasons.items():
        if (mask & ~counted).any():
            excluded[reason] = int((mask & ~counted).sum())
        counted |= mask
    return TableQuality(raw.table, raw.source, len(raw.data), excluded, completeness)


def _filled(values: pd.Series) -> np.ndarray:
    """Which raw cells are not blank."""
    return (values != "").to_numpy()


def _as_object(values: pd.Series, missing) -> pd.Series:
    """``values`` as an ``object`` column of ``str`` with ``None`` where ``missing`` (a mask)."""
    return values.astype(object).where(~np.asarray(missing), None)


def _lines_text(lines) -> str:
    """« 3 », « 3 et 17 », « 2, 5, 9… (1 203 lignes) »."""
    lines = [str(line) for line in lines]
    if len(lines) > 10:
        return f"{', '.join(lines[:10])}… ({fmt_int(len(lines))} lignes)"
    return lines[0] if len(lines) == 1 else f"{', '.join(lines[:-1])} et {lines[-1]}"


class _Identifiers:
    """The identifier columns of a year as integer codes, numbered per key
    (``operation_id``…) across the key column and the columns referencing it.

    One hash of the identifiers serves the duplicate, reference and
    participant-without-contract checks, and the ``str`` objects of the
    Dataset are made once per identifier instead of once per cell.
    """

    def __init__(self, raw: dict[str, RawTable]):
        self.codes: dict[tuple[str, str], np.ndarray] = {}
        #: Per column, the identifier of each code (``None``: blank).
        self.texts: dict[tuple[str, str], np.ndarray] = {}
        for target, key in KEYS.items():
            names = [(target, key)] + [(table, column) for table, column, referenced in REFERENCES
                                       if referenced == target]
            names = [(table, column) for table, column in names if table in raw and column in raw[table].data]
            if not names:
                continue
            codes, texts = _number([raw[table].data[column] for table, column in names])
            for name, part in zip(names, codes, strict=True):
                self.codes[name], self.texts[name] = part, texts

    def column(self, name: tuple[str, str], index: pd.Index) -> pd.Series:
        """The identifiers of column ``name`` (table, column) as an ``object`` column
        of ``str`` (``None``: blank)."""
        return pd.Series(self.texts[name][self.codes[name]], index=index, dtype=object, copy=False)

    def repeated(self, name: tuple[str, str]) -> np.ndarray:
        """For each cell of column ``name``, whether another cell holds the same value."""
        codes = self.codes[name]
        return np.bincount(codes)[codes] > 1

    def found_in(self, name: tuple[str, str], other: tuple[str, str]) -> np.ndarray:
        """For each cell of column ``name``, whether column ``other`` (same numbering,
        or absent: then nowhere) holds the same value."""
        found = np.zeros(len(self.texts[name]), dtype=bool)
        if other in self.codes:
            found[self.codes[other]] = True
        return found[self.codes[name]]


def _number(columns: list[pd.Series]) -> tuple[list[np.ndarray], np.ndarray]:
    """Codes numbering the distinct values of ``columns`` together (an array per
    column), and the value of each code as ``str`` (``None`` for blank)."""
    codes, uniques = pd.factorize(pd.concat(columns, ignore_index=True))
    texts = _as_object(pd.Series(uniques), uniques == "").to_numpy()
    return np.split(codes, np.cumsum([len(column) for column in columns])[:-1]), texts


class _Checker:
    """Converts the tables of one year and collects the problems found."""

    def __init__(self, year: int, problems: list[Problem], identifiers: _Identifiers):
        self.year = year
        self.problems = problems
        self.identifiers = identifiers

    # --- reporting ---------------------------------------------------------------------------

    def rows(self, raw: RawTable, column: str, bad: pd.Series, message: str, expected: str | None,
             severity: str = ERREUR, subjects: pd.Series | None = None) -> None:
        """One problem per row of ``bad`` (raw values indexed by line), at most
        :data:`MAX_LISTED`, then a summary; ``subjects`` names each row's record."""
        for line, value in bad.iloc[:MAX_LISTED].items():
            text = message if subjects is None else f"{subjects[line]} : {message}"
            self.problems.append(Problem(raw.source, text, int(line), column, value or None, expected, severity))
        if len(bad) > MAX_LISTED:
            self.problems.append(Problem(
                raw.source, f"… et {fmt_int(len(bad) - MAX_LISTED)} autres lignes avec le même problème : "
                            f"{message}", column=column, severity=severity))

    def values(self, raw: RawTable, column: str, bad: pd.Series, message: str, expected: str | None,
               hints: dict[str, str] | None = None) -> None:
        """One error per distinct value of ``bad`` (raw values indexed by line)
        with the lines where it occurs, at most :data:`MAX_LISTED` values."""
        codes, uniques = pd.factorize(bad)
        for i, value in enumerate(uniques[:MAX_LISTED]):
            lines = bad.index[codes == i]
            text = f"{message} : {hints[value]}" if hints and value in hints else message
            if len(lines) > 1:
                text += f", lignes {_lines_text(lines)}"
            line = int(lines[0]) if len(lines) == 1 else None
            self.problems.append(Problem(raw.source, text, line, column, str(value), expected))
        if len(uniques) > MAX_LISTED:
            self.problems.append(Problem(
                raw.source, f"… et {fmt_int(len(uniques) - MAX_LISTED)} autres valeurs avec le même "
                            f"problème : {message}", column=column))

    # --- one table ---------------------------------------------------------------------------

    def table(self, raw: RawTable) -> pd.DataFrame:
        """The table with every contract column converted (absent ones all missing)."""
        spec = COLUMNS[raw.table]
        data = raw.data
        found = ", ".join(f"« {title} »" for title in raw.headers.values())
        for column in spec:
            if column.required and column.name not in data:
                self.problems.append(Problem(
                    raw.source, f"colonne obligatoire « {column.name} » absente", column=column.name,
                    expected=f"une colonne « {column.name} » (colonnes trouvées : {found})"))
        names = [column.name for column in spec]
        unknown = [raw.headers[name] for name in data if name not in names]
        if unknown:
            self.problems.append(Problem(
                raw.source, f"colonne(s) inconnue(s) ignorée(s) : {', '.join(f'« {u} »' for u in unknown)}",
                expected=f"les colonnes du format : {', '.join(names)}", severity=AVERTISSEMENT))
        out: dict[str, pd.Series] = {}
        for column in spec:
            if column.name not in data:
                out[column.name] = _missing(column.kind, data.index)
                continue
            values = data[column.name]
            blank = values == ""
            if column.required and blank.any():
                self._required(raw, column.name, values[blank])
            convert = getattr(self, "_" + column.kind)
            out[column.name] = convert(raw, column, values, blank, out)
        # copy=False: each column keeps its own block (stacking million-row object columns is slow).
        return pd.DataFrame(out, index=data.index, copy=False)

    def _required(self, raw: RawTable, column: str, blank: pd.Series) -> None:
        """Required values missing (``blank``: the blank cells by line); named as formulas
        without a computed value where the workbook holds such formulas."""
        expected = f"une valeur (colonne obligatoire « {column} »)"
        formulas = blank.index.isin(list(formula_lines(raw)))
        if formulas.any():
            self.rows(raw, column, blank[formulas],
                      "formule sans valeur calculée (classeur écrit par un programme qui ne calcule pas les formules) : "
                      "ouvrir le classeur dans le tableur et l'enregistrer, ou remplacer les formules par leurs valeurs",
                      expected)
        if (~formulas).any():
            self.rows(raw, column, blank[~formulas], "valeur obligatoire manquante", expected)

    # Converters: one per kind of column. Each receives the raw cells and their
    # blank mask, reports what is wrong and returns the converted column.

    def _texte(self, raw, column, values, blank, out) -> pd.Series:
        if (raw.table, column.name) in self.identifiers.codes:
            return self.identifiers.column((raw.table, column.name), values.index)
        return _per_value(values, lambda text: _as_object(text, text == ""))[0]

    def _code(self, raw, column, values, blank, out) -> pd.Series:
        return self._coded(raw, column, values, lambda codes: codes)

    def _booleen(self, raw, column, values, blank, out) -> pd.Series:
        return self._coded(raw, column, values,
                           lambda codes: codes.map({"OUI": True, "NON": False}).astype("boolean"))

    def _coded(self, raw, column, values, then) -> pd.Series:
        """Each distinct value's code in the column's nomenclature, passed through ``then``;
        the values not recognised reported."""
        nomenclature = column.nomenclature
        codes, bad = _per_value(
            values, lambda text: then(_map(text, lambda v: referential.normalize(nomenclature, v))))
        if bad.any():
            hints = {value: why for value in values[bad].unique()
                     if (why := referential.ambiguity(nomenclature, value))}
            self.values(raw, column.name, values[bad], "valeur non reconnue", _accepted(nomenclature), hints)
        return codes

    def _publics(self, raw, column, values, blank, out) -> pd.Series:
        """Codes of the ``|``-separated list in referential order, without the main criterion."""
        order = {code: rank for rank, code in enumerate(referential.codes(column.nomenclature))}
        # Each distinct list is read once, then each distinct (list, main criterion) pair joined once.
        cell_codes, cells = pd.factorize(values)
        listed: list[list[str]] = []
        unknown: dict[str, str] = {}
        for cell in cells:
            parts = [part.strip() for part in cell.split("|") if part.strip()]
            found = {part: referential.normalize(column.nomenclature, part) for part in parts}
            if missing := [part for part, code in found.items() if code is None]:
                unknown[cell] = ", ".join(f"« {part} » non reconnu" for part in missing)
            listed.append(sorted({code for code in found.values() if code}, key=order.get))
        main_codes, mains = pd.factorize(out["critere_principal"])  # -1: no main criterion
        pair_codes, pairs = pd.factorize(cell_codes * (len(mains) + 1) + main_codes + 1)
        texts = np.empty(len(pairs), dtype=object)
        for i, pair in enumerate(pairs):
            cell, main = divmod(int(pair), len(mains) + 1)
            principal = mains[main - 1] if main else None
            texts[i] = "|".join(code for code in listed[cell] if code != principal) or None
        bad = np.array([cell in unknown for cell in cells], dtype=bool)[cell_codes]
        if bad.any():
            self.values(raw, column.name, values[bad], "liste de publics avec une valeur inconnue",
                        f"des codes séparés par « | » : {', '.join(order)}", unknown)
        return pd.Series(texts[pair_codes], index=values.index, dtype=object, copy=False)

    def _departement(self, raw, column, values, blank, out) -> pd.Series:
        codes, bad = _per_value(values, lambda text: _map(text, referential.normalize_departement))
        if bad.any():
            self.values(raw, column.name, values[bad], "département inconnu", _EXPECTED["departement"])
        return codes

    def _commune(self, raw, column, values, blank, out) -> pd.Series:
        communes, bad = _per_value(values, _parse_communes)
        if bad.any():
            self.rows(raw, column.name, values[bad], "code commune invalide", _EXPECTED["commune"])
        return communes

    def _siret(self, raw, column, values, blank, out) -> pd.Series:
        sirets, bad = _per_value(values, _parse_sirets)
        if bad.any():
            self.rows(raw, column.name, values[bad], "SIRET invalide, ignoré", _EXPECTED["siret"], AVERTISSEMENT)
        return sirets

    def _date(self, raw, column, values, blank, out) -> pd.Series:
        dates, bad = _per_value(values, _parse_dates)
        serial = bad.copy()  # only the unreadable ones are searched: a million dates are read in a blink
        serial[bad] = values[bad].str.fullmatch(r"\d{5}").to_numpy()
        if serial.any():  # a date cell exported as its number (its format lost)
            hints = {value: f"nombre de série d'une date Excel (le "
                            f"{(_EXCEL_EPOCH + pd.Timedelta(days=int(value))):%d/%m/%Y} ?) ; dans le tableur, "
                            f"formater la colonne en date avant d'exporter" for value in values[serial].unique()}
            self.values(raw, column.name, values[serial], "date illisible", _EXPECTED["date"], hints)
        if (bad & ~serial).any():
            self.rows(raw, column.name, values[bad & ~serial], "date illisible", _EXPECTED["date"])
        return dates

    def _nombre(self, raw, column, values, blank, out) -> pd.Series:
        numbers = self._number(raw, column, values, blank)
        if (negative := numbers < 0).any():
            self.rows(raw, column.name, values[negative], "valeur négative", _EXPECTED["nombre"])
        return numbers

    def _heures(self, raw, column, values, blank, out) -> pd.Series:
        hours = self._number(raw, column, values, blank)
        if (not_positive := hours <= 0).any():
            self.rows(raw, column.name, values[not_positive], "nombre d'heures nul ou négatif",
                      _EXPECTED["heures"])
        if (impossible := (hours > HOURS_IN_A_YEAR) & (hours <= ABSURD)).any():
            self.rows(raw, column.name, values[impossible],
                      f"nombre d'heures impossible : plus que les {fmt_int(HOURS_IN_A_YEAR)} heures d'une année "
                      f"(faute de frappe ?)", _EXPECTED["heures"])
        if (too_many := (hours > MAX_HOURS) & (hours <= HOURS_IN_A_YEAR)).any():
            self.rows(raw, column.name, values[too_many],
                      f"plus de {fmt_int(MAX_HOURS)} heures dans l'année pour un seul contrat : "
                      f"valeur conservée, à vérifier", None, AVERTISSEMENT)
        return hours

    def _number(self, raw, column, values, blank) -> pd.Series:
        numbers, bad = _per_value(values, _parse_numbers)
        exponent = bad.copy()
        exponent[bad] = values[bad].str.contains(_EXPONENT, regex=True).to_numpy()
        if exponent.any():
            self.rows(raw, column.name, values[exponent],
                      "nombre en notation scientifique, refusé (un tableur écrit ainsi un nombre très grand ou très "
                      "petit : vérifier la valeur et l'écrire en chiffres)", _EXPECTED[column.kind])
        if (bad & ~exponent).any():
            self.rows(raw, column.name, values[bad & ~exponent], "nombre illisible", _EXPECTED[column.kind])
        if (absurd := numbers.abs() > ABSURD).any():
            self.rows(raw, column.name, values[absurd],
                      f"valeur démesurée (plus de {fmt_int(ABSURD)}) : faute de frappe ?", _EXPECTED[column.kind])
        return numbers

    def _annee(self, raw, column, values, blank, out) -> pd.Series:
        years, unreadable = _per_value(values, _parse_numbers)
        bad = unreadable | (~blank & (years % 1 != 0))
        if bad.any():
            self.rows(raw, column.name, values[bad], "année de naissance illisible",
                      "une année sur quatre chiffres (ex. 1990)")
        low, high = AGE_RANGE
        if (wrong_age := ~bad & ~blank & ~(self.year - years).between(low, high)).any():
            self.rows(raw, column.name, values[wrong_age],
                      f"âge hors de l'intervalle {low}–{high} ans en {self.year}",
                      f"une année de naissance entre {self.year - high} et {self.year - low}")
        return years

    # --- across rows and tables --------------------------------------------------------------

    def unique_key(self, raw: RawTable) -> None:
        """Every key value appears once."""
        key = KEYS[raw.table]
        if (raw.table, key) not in self.identifiers.codes:  # no key column: reported already
            return
        duplicated = _filled(raw.data[key]) & self.identifiers.repeated((raw.table, key))
        if duplicated.any():
            self.values(raw, key, raw.data[key][duplicated], "identifiant en double",
                        "un identifiant unique dans la table")

    def reference(self, raw: RawTable, frame: pd.DataFrame, column: str, target_raw: RawTable) -> None:
        """Every value of ``column`` exists as a key of the referenced table."""
        key = KEYS[target_raw.table]
        if (raw.table, column) not in self.identifiers.codes:  # no such column: reported already
            return
        orphan = _filled(raw.data[column]) & ~self.identifiers.found_in((raw.table, column), (target_raw.table, key))
        if orphan.any():
            own_key = KEYS[raw.table]
            subjects = f"{_ROW_NOUNS[raw.table]} « " + frame[own_key].fillna("?").astype(str) + " »"
            self.rows(raw, column, raw.data[column][orphan], f"identifiant absent de {target_raw.source}",
                      f"un {key} présent dans {target_raw.source}", subjects=subjects)

    def contract_dates(self, raw: RawTable, contracts: pd.DataFrame) -> None:
        """End not before start; the contract overlaps the year."""
        start, end = contracts["date_debut"], contracts["date_fin"]
        first, last = pd.Timestamp(self.year, 1, 1), pd.Timestamp(self.year, 12, 31)
        if (reversed_dates := end < start).any():
            self.rows(raw, "date_fin", raw.data["date_fin"][reversed_dates],
                      "date de fin antérieure à la date de début",
                      "une date de fin égale ou postérieure à la date de début")
        if (late := start > last).any():
            self.rows(raw, "date_debut", raw.data["date_debut"][late],
                      f"contrat commencé après la fin de l'année {self.year}",
                      f"une date de début au plus tard le {last:%d/%m/%Y}")
        if (early := end < first).any():
            self.rows(raw, "date_fin", raw.data["date_fin"][early],
                      f"contrat terminé avant le début de l'année {self.year}",
                      f"une date de fin au plus tôt le {first:%d/%m/%Y}, ou vide si le contrat est en cours")

    def region(self, raw: dict[str, RawTable], frames: dict[str, pd.DataFrame], region: Region,
               excluded: dict[str, dict[str, np.ndarray]]) -> None:
        """Operations outside ``region``'s départements: one error per département with its
        lines; or, when the region excludes them, excluded with their contracts (and the
        participants left without any contract), with a warning."""
        operations = frames["operations"]
        outside = (operations["departement"].notna() & ~operations["departement"].isin(region.departements)).to_numpy()
        if not outside.any():
            return
        listed = ", ".join(region.departements)
        if not region.exclude:
            self.values(raw["operations"], "departement", raw["operations"].data["departement"][outside],
                        f"opération hors de {region.name} (départements configurés : {listed})",
                        "un département de la région ; pour exclure ces opérations (comptées et signalées dans "
                        "le bilan de qualité), indiquez hors_region = \"exclure\" dans la section [region] de la "
                        "configuration")
            return
        contracts = frames["contrats"]
        away = contracts["operation_id"].isin(operations["operation_id"][outside]).to_numpy()
        people = frames["participants"]["participant_id"]
        kept_people = contracts["participant_id"][~away]
        alone = (~people.isin(kept_people) & people.isin(contracts["participant_id"][away])).to_numpy()
        excluded["operations"][OUTSIDE] = outside
        excluded["contrats"][OUTSIDE_CONTRACT] = away
        excluded["participants"][OUTSIDE_PEOPLE] = alone
        counts = operations["departement"][outside].value_counts()
        detail = ", ".join(f"{code} : {fmt_int(n)}" for code, n in sorted(
            counts.items(), key=lambda item: referential.departement_sort_key(item[0])))
        self.problems.append(Problem(
            raw["operations"].source,
            f"{fmt_int(int(outside.sum()))} opération{'s' if outside.sum() > 1 else ''} hors de {region.name} "
            f"exclue{'s' if outside.sum() > 1 else ''} (départements {detail}), avec {fmt_int(int(away.sum()))} "
            f"contrat{'s' if away.sum() > 1 else ''} et {fmt_int(int(alone.sum()))} "
            f"participant{'s' if alone.sum() > 1 else ''} sans autre contrat : non comptés",
            column="departement", severity=AVERTISSEMENT))

    def participants_without_contract(self, raw: RawTable) -> np.ndarray:
        """Participants with no contract in the year: warned about, returned to be excluded."""
        people_ids = ("participants", "participant_id")
        alone = np.zeros(len(raw.data), dtype=bool)
        if people_ids in self.identifiers.codes:
            alone = _filled(raw.data["participant_id"]) & ~self.identifiers.found_in(
                people_ids, ("contrats", "participant_id"))
        if alone.any():
            self.rows(raw, "participant_id", raw.data["participant_id"][alone],
                      "participant sans contrat dans l'année : non compté", None, AVERTISSEMENT)
        return alone


def _per_value(values: pd.Series, convert) -> tuple[pd.Series, np.ndarray]:
    """``convert`` (vectorised) applied once to each distinct value of ``values``,
    spread back to the rows (a million contracts hold a few thousand dates),
    and the mask of the rows whose value is not blank but converts to missing."""
    codes, uniques = pd.factorize(values)
    converted = convert(pd.Series(uniques))
    unreadable = (converted.isna() & (uniques != "")).to_numpy()[codes]
    return converted.take(codes).set_axis(values.index), unreadable


def _map(text: pd.Series, function) -> pd.Series:
    """``function`` applied to each value of ``text``, as an ``object`` column."""
    return pd.Series([function(value) for value in text], index=text.index, dtype=object)


def _parse_dates(text: pd.Series) -> pd.Series:
    """Dates written AAAA-MM-JJ or JJ/MM/AAAA, a time of day ignored; ``NaT`` when
    blank, unreadable or outside 1900–2100."""
    dates = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text != ""
    for strip_time in (False, True):
        for date_format in _DATE_FORMATS:
            if not todo.any():
                return dates
            chunk = text[todo].str.replace(_TIME_OF_DAY, "", regex=True) if strip_time else text[todo]
            parsed = pd.to_datetime(chunk, format=date_format, errors="coerce")
            dates[todo] = parsed.where(parsed.dt.year.between(1900, 2100)).astype("datetime64[ns]")
            todo &= dates.isna()
    return dates


def _parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers with a decimal comma or point and spaces (also no-break) between
    thousands; ``NaN`` when blank or unreadable, or written with an exponent (« 1e3 »)."""
    text = text.where(~text.str.contains(_EXPONENT, regex=True), "")
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    rest = numbers.isna() & (text != "")
    if rest.any():
        cleaned = text[rest].str.replace(_SPACES + r"|€$", "", regex=True).str.replace(",", ".", regex=False)
        numbers[rest] = pd.to_numeric(cleaned, errors="coerce")
    return numbers.astype("float64").where(np.isfinite(numbers))


def _parse_communes(text: pd.Series) -> pd.Series:
    """INSEE commune codes (a leading zero lost by a spreadsheet restored); ``None`` if malformed."""
    upper = text.str.upper()
    upper = upper.where(~upper.str.fullmatch(r"\d{4}"), "0" + upper)
    return _as_object(upper, ~upper.str.fullmatch(r"\d{5}|2[AB]\d{3}"))


def _parse_sirets(text: pd.Series) -> pd.Series:
    """SIRET numbers without their spaces; ``None`` unless 14 digits."""
    digits = text.str.replace(_SPACES, "", regex=True)
    return _as_object(digits, ~digits.str.fullmatch(r"\d{14}"))


def _missing(kind: str, index: pd.Index) -> pd.Series:
    """An absent column: all missing, with the column type of its kind."""
    if kind == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if kind in ("nombre", "heures", "annee"):
        return pd.Series(np.nan, index=index, dtype="float64")
    if kind == "booleen":
        return pd.Series(pd.NA, index=index, dtype="boolean")
    return pd.Series([None] * len(index), index=index, dtype=object)


def _accepted(nomenclature: str) -> str:
    """What a code column accepts, for messages."""
    if nomenclature == "booleen":
        return "oui ou non (ou o/n, 1/0, vrai/faux, x)"
    return f"un code parmi {', '.join(referential.codes(nomenclature))} (ou un libellé usuel)"
