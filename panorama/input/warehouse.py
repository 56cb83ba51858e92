"""The observatory's data warehouse: one DuckDB file kept from year to year.

Why DuckDB: a single embedded file (nothing to install nor to run beside panorama), plain SQL
an analyst can query with ordinary tools (the ``duckdb`` command line, Python, R, DBeaver),
transactions (an import replaces a source's year at once or not at all) and fast columnar
reads (a year of contracts is read in one scan).

What it holds (schema version :data:`SCHEMA_VERSION`, migrations in :data:`MIGRATIONS`):

- ``schema``: the version of the schema, migrated forward when a newer panorama opens it;
- ``decp_marches``: the public procurement data (:mod:`panorama.input.decp`, version 2; their
  category, version 3), read beside a year by :meth:`Warehouse.procurement`;
- ``imports``: the import log, one row per import (year, source, file, SHA-256 of the file,
  date, rows per table, profile); the rows of the current import of a source's year are
  the only ones kept;
- the five tables of the contract (``operations``, ``donneurs_ordre``, ``entreprises``,
  ``participants``, ``contrats``): every contract column as text, as read (the validation
  reads them as it reads a folder, with the same rules and messages), and their provenance:
  ``annee``, ``source``, ``import_id`` (the import log's row: file, hash, date) and ``ligne``
  (the row's line in the file imported); the contract's extension columns (``marche_id``)
  since version 3.

:class:`Warehouse` is a :class:`~panorama.input.source.Source`: a year is read consolidated
across its sources, one row per key (a participant followed by two coordinations, a company
or a buyer of two sources are one row): each column takes the first filled value in the
sources' alphabetical order; a key whose sources disagree on a filled value is reported as a
warning (a conflict), never silently resolved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from panorama.core.errors import AVERTISSEMENT, DataError, Problem, UsageError
from panorama.input.dataset import TABLES
from panorama.input.source import Source, from_option

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from panorama.input.reading import RawTable

SCHEMA_VERSION = 3
MAX_LISTED_CONFLICTS = 10
PROVENANCE = ("annee", "source", "import_id", "ligne")


def contract_columns(table: str) -> list[str]:
    """The columns of ``table`` in the contract (``spec/dataset.md``), in order."""
    from panorama.input.validation import COLUMNS

    return [column.name for column in COLUMNS[table]]


def key_column(table: str) -> str:
    """The unique key of ``table``."""
    from panorama.input.validation import KEYS

    return KEYS[table]


def _v1() -> list[str]:
    statements = [
        "CREATE TABLE schema (version INTEGER NOT NULL)",
        "CREATE SEQUENCE import_ids START 1",
        """CREATE TABLE imports (
            import_id INTEGER PRIMARY KEY DEFAULT nextval('import_ids'),
            annee INTEGER NOT NULL, source VARCHAR NOT NULL, fichier VARCHAR NOT NULL,
            empreinte VARCHAR NOT NULL, date_import TIMESTAMP NOT NULL, profil VARCHAR,
            operations INTEGER, donneurs_ordre INTEGER, entreprises INTEGER,
            participants INTEGER, contrats INTEGER, remplace INTEGER)""",
    ]
    for table in TABLES:
        columns = ", ".join(f"{name} VARCHAR" for name in contract_columns(table)
                            if name not in V3_COLUMNS.get(table, ()))
        statements.append(f"CREATE TABLE {table} (annee INTEGER NOT NULL, source VARCHAR NOT NULL, "
                          f"import_id INTEGER NOT NULL, ligne BIGINT NOT NULL, {columns})")
        statements.append(f"CREATE INDEX {table}_annee ON {table} (annee, source)")
    return statements


def _v2() -> list[str]:
    """The public procurement data (:mod:`panorama.input.decp`): one row per marché and file."""
    return ["""CREATE TABLE decp_marches (
        fichier VARCHAR NOT NULL, empreinte VARCHAR NOT NULL, schema VARCHAR NOT NULL,
        date_import TIMESTAMP NOT NULL, uid VARCHAR NOT NULL, id VARCHAR, acheteur_id VARCHAR,
        acheteur_nom VARCHAR, nature VARCHAR, date_notification DATE, annee INTEGER, departement VARCHAR,
        montant DOUBLE, considerations VARCHAR, clause_sociale BOOLEAN, critere_social BOOLEAN,
        marche_reserve BOOLEAN)"""]


#: Contract columns added by version 3 (the extension columns of the contract, by table).
V3_COLUMNS = {"operations": ("marche_id",)}


def _v3() -> list[str]:
    """The operations' marché identifier (``marche_id``), and the DECP marchés' category
    (``TRAVAUX``, ``SERVICES``, ``FOURNITURES``: :func:`panorama.input.decp.category`)."""
    return [*(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR"
              for table, columns in V3_COLUMNS.items() for column in columns),
            "ALTER TABLE decp_marches ADD COLUMN categorie VARCHAR"]


#: The schema's migrations: ``MIGRATIONS[n]`` takes a warehouse from version ``n`` to ``n + 1``.
MIGRATIONS = {0: _v1, 1: _v2, 2: _v3}


def file_hash(path: Path) -> str:
    """SHA-256 of the file at ``path`` (hexadecimal)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Warehouse(Source):
    """The warehouse at ``path`` (created, or migrated to :data:`SCHEMA_VERSION`, when opened
    for writing; read-only otherwise)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def description(self) -> str:
        return f"entrepôt {self.path}"

    def connect(self, write: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to the warehouse, its schema up to date (created when ``write``)."""
        import duckdb

        if not write and not self.path.is_file():
            raise DataError([Problem(str(self.path), "entrepôt introuvable",
                                     expected="un fichier créé par « panorama importer »")])
        try:
            connection = duckdb.connect(str(self.path), read_only=not write)
        except duckdb.Error as exc:
            raise DataError([Problem(str(self.path), f"entrepôt illisible ({exc})",
                                     expected="un fichier DuckDB créé par « panorama importer »")]) from None
        version = self._version(connection)
        if version > SCHEMA_VERSION:
            connection.close()
            raise DataError([Problem(str(self.path), f"entrepôt au schéma {version}, plus récent que celui de "
                                                     f"cette version de panorama ({SCHEMA_VERSION})",
                                     expected="mettre panorama à jour")])
        if version < SCHEMA_VERSION:
            if not write:
                connection.close()
                connection = self.connect(write=True)
                connection.close()
                return self.connect()
            connection.begin()
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step]():
                    connection.execute(statement)
            connection.execute("DELETE FROM schema")
            connection.execute("INSERT INTO schema VALUES (?)", [SCHEMA_VERSION])
            connection.commit()
        return connection

    @staticmethod
    def _version(connection: duckdb.DuckDBPyConnection) -> int:
        found = connection.execute("SELECT count(*) FROM information_schema.tables "
                                   "WHERE table_name = 'schema'").fetchone()[0]
        if not found:
            return 0
        row = connection.execute("SELECT max(version) FROM schema").fetchone()
        return int(row[0] or 0)

    def years(self) -> list[int]:
        if not self.path.is_file():
            return []
        with self.connect() as connection:
            return [row[0] for row in connection.execute("SELECT DISTINCT annee FROM imports ORDER BY annee").fetchall()]

    def replace(self, year: int, source: str, tables: dict[str, RawTable], file: Path, profile: str | None = None,
                digest: str | None = None) -> int:
        """Replace the rows of ``source`` for ``year`` by ``tables`` (raw tables of the
        contract; other columns are dropped) in one transaction, and log the import.

        Returns the import's id. Nothing is written when anything fails (an interrupted
        import leaves the warehouse as it was).
        """
        import pandas as pd

        digest = digest or file_hash(file)
        with self.connect(write=True) as connection:
            connection.begin()
            try:
                replaced = connection.execute("SELECT count(*) FROM imports WHERE annee = ? AND source = ?",
                                              [year, source]).fetchone()[0]
                for table in TABLES:
                    connection.execute(f"DELETE FROM {table} WHERE annee = ? AND source = ?", [year, source])
                connection.execute("DELETE FROM imports WHERE annee = ? AND source = ?", [year, source])
                counts = {table: len(tables[table].data) for table in TABLES}
                import_id = connection.execute(
                    "INSERT INTO imports (annee, source, fichier, empreinte, date_import, profil, operations, "
                    "donneurs_ordre, entreprises, participants, contrats, remplace) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING import_id",
                    [year, source, str(file), digest, dt.datetime.now().replace(microsecond=0), profile,
                     *(counts[t] for t in TABLES), replaced]).fetchone()[0]
                for table in TABLES:
                    data = tables[table].data
                    frame = pd.DataFrame({
                        "annee": year, "source": source, "import_id": import_id,
                        "ligne": data.index.to_numpy(dtype="int64"),
                        **{name: (data[name].astype(object).to_numpy() if name in data else None)
                           for name in contract_columns(table)}})
                    connection.register("incoming", frame)
                    connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
                    connection.unregister("incoming")
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        return import_id

    def read(self, year: int) -> tuple[dict[str, RawTable], list[Problem]]:
        from panorama.input.reading import LINE, RawTable

        if not self.path.is_file():
            return {}, [Problem(str(self.path), "entrepôt introuvable",
                                expected="un fichier créé par « panorama importer »")]
        if year not in self.years():
            held = ", ".join(map(str, self.years())) or "aucune"
            return {}, [Problem(str(self.path), f"année {year} absente de l'entrepôt (années présentes : {held})",
                                expected=f"importer les exports de {year} avec « panorama importer »")]
        tables, problems = {}, []
        with self.connect() as connection:
            for table in TABLES:
                frame, conflicts = _consolidated(connection, table, year)
                present = [c for c in contract_columns(table) if frame[c].notna().any()]
                data = frame[present].fillna("").astype("str")
                data.index = frame["ligne"].to_numpy(dtype="int64")
                data.index.name = LINE
                source = f"{self.path} : {table}"
                tables[table] = RawTable(table, source, data, {c: c for c in present})
                problems += _conflict_warnings(source, table, conflicts)
        return tables, problems


    def procurement(self, year: int) -> pd.DataFrame | None:
        """The DECP marchés notified in ``year`` or before, once each whatever the files that
        hold it (the first file's description, in file name order; a social consideration
        declared by any of them), or ``None`` when none was notified in ``year``."""
        from panorama.input.source import PROCUREMENT_COLUMNS

        if not self.path.is_file():
            return None
        first = ", ".join(f"first({c} ORDER BY fichier) AS {c}" for c in (
            "id", "acheteur_id", "acheteur_nom", "nature", "categorie", "date_notification", "annee",
            "departement", "montant"))
        with self.connect() as connection:
            if not connection.execute("SELECT count(*) FROM decp_marches WHERE annee = ?", [year]).fetchone()[0]:
                return None
            frame = connection.execute(
                f"SELECT uid, {first}, bool_or(considerations IS NOT NULL) AS renseigne, "
                f"bool_or(clause_sociale) AS clause_sociale, bool_or(critere_social) AS critere_social, "
                f"bool_or(marche_reserve) AS marche_reserve FROM decp_marches WHERE annee <= ? "
                f"GROUP BY uid ORDER BY uid", [year]).df()
        return frame[list(PROCUREMENT_COLUMNS)]


def from_options(data: Path | None, warehouse: Path | None) -> Source:
    """The source of the command line: the warehouse of ``--entrepot FICHIER``, else the
    folder of ``--data DOSSIER`` or the embedded example
    (:func:`~panorama.input.source.from_option`)."""
    if warehouse is None:
        return from_option(data)
    if data is not None:
        raise UsageError("Options --data et --entrepot incompatibles : choisir l'une des deux sources.")
    return Warehouse(warehouse)


def _consolidated(connection: duckdb.DuckDBPyConnection, table: str, year: int):
    """One row per key of ``table`` in ``year`` (first filled value of each column in the
    sources' order) and the conflicts: (key, column, values by source) where sources disagree."""
    key = key_column(table)
    others = [c for c in contract_columns(table) if c != key]
    picks = ", ".join(f"first({c} ORDER BY source, ligne) FILTER (WHERE {c} IS NOT NULL AND {c} <> '') AS {c}"
                      for c in others)
    frame = connection.execute(
        f"SELECT {key}, {picks}, first(ligne ORDER BY source, ligne) AS ligne, min(source) AS premiere_source "
        f"FROM {table} WHERE annee = ? GROUP BY {key}, CASE WHEN {key} IS NULL OR {key} = '' THEN ligne END "
        f"ORDER BY premiere_source, ligne, {key}", [year]).df()
    # A column of a table of a source without it is NULL: kept NULL only when no source has it.
    has = connection.execute(
        f"SELECT {', '.join(f'bool_or({c} IS NOT NULL) AS {c}' for c in contract_columns(table))} "
        f"FROM {table} WHERE annee = ?", [year]).df().iloc[0]
    for column in contract_columns(table):
        if has[column]:
            frame[column] = frame[column].where(frame[column].notna(), "")
    conflicts = connection.execute(
        " UNION ALL ".join(
            f"SELECT {key} AS cle, '{c}' AS colonne, string_agg(DISTINCT source || ' : ' || {c}, ' ; ' "
            f"ORDER BY source || ' : ' || {c}) AS valeurs FROM {table} WHERE annee = ? AND {c} <> '' "
            f"GROUP BY {key} HAVING count(DISTINCT {c}) > 1"
            for c in others) + " ORDER BY cle, colonne", [year] * len(others)).fetchall()
    return frame, conflicts


def _conflict_warnings(source: str, table: str, conflicts: list) -> list[Problem]:
    return [Problem(source, f"conflit entre sources pour « {key} » : {values} ; la première source est retenue, "
                            f"à corriger dans l'export fautif", column=column, severity=AVERTISSEMENT)
            for key, column, values in conflicts]


def summary(warehouse: Warehouse) -> list[dict]:
    """What the warehouse holds, one row per year and source: rows per table, completeness
    of the optional columns (share of filled cells), last import, and per year the keys held
    by several sources (merged) and the conflicts between sources."""
    from panorama.input.validation import COLUMNS

    rows = []
    with warehouse.connect() as connection:
        imports = connection.execute(
            "SELECT annee, source, fichier, empreinte, date_import, import_id FROM imports "
            "ORDER BY annee, source").fetchall()
        for year, source, file, digest, date, import_id in imports:
            row = {"annee": year, "source": source, "fichier": file, "empreinte": digest, "date_import": date}
            filled, cells = 0, 0
            for table in TABLES:
                optional = [c.name for c in COLUMNS[table] if not c.required and not c.extension]
                counts = connection.execute(
                    f"SELECT count(*), {', '.join(f'count(NULLIF({c}, {chr(39) * 2}))' for c in optional)} "
                    f"FROM {table} WHERE import_id = ?", [import_id]).fetchone()
                row[table] = counts[0]
                filled += sum(counts[1:])
                cells += counts[0] * len(optional)
            row["completude"] = filled / cells if cells else 0.0
            rows.append(row)
        merged, conflicts = {}, {}
        for year in sorted({r["annee"] for r in rows}):
            merged[year] = sum(connection.execute(
                f"SELECT count(*) FROM (SELECT {key_column(t)} FROM {t} WHERE annee = ? "
                f"GROUP BY {key_column(t)} HAVING count(*) > 1)", [year]).fetchone()[0] for t in TABLES)
            conflicts[year] = sum(len(_consolidated(connection, t, year)[1]) for t in TABLES)
    for row in rows:
        row["fusionnes"] = merged[row["annee"]]
        row["conflits"] = conflicts[row["annee"]]
    return rows


def export_year(warehouse: Warehouse, year: int, out: Path) -> list[Path]:
    """Write the consolidated ``year`` of ``warehouse`` as a contract folder: ``out/YEAR/TABLE.csv``
    (semicolon-separated UTF-8, the contract's columns), exactly what the publications read.
    Returns the files written."""
    tables, problems = warehouse.read(year)
    if not tables:
        raise DataError(problems)
    folder = Path(out) / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        path = folder / f"{table}.csv"
        tables[table].data.to_csv(path, sep=";", index=False, encoding="utf-8")
        written.append(path)
    return written
