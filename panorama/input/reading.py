"""Find and read the tables of one year, every cell as a string.

A year folder ``ROOT/YEAR/`` holds one file per table (``operations.csv``,
``.xlsx``, ``.ods`` or ``.parquet``…) or one workbook (Excel or OpenDocument) with one
sheet per table.
Nothing is interpreted here: cells are read as text (trimmed) so that
validation sees the raw value and can quote it, and every row keeps its line
number in the source (CSV: the header is line 1; workbook: the sheet row;
Parquet: row position + 1). Problems that prevent reading a table (missing
folder or table, empty or unreadable file) are returned as French
:class:`~panorama.core.errors.Problem` objects, never raised.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from panorama.core.errors import AVERTISSEMENT, Problem
from panorama.core.referential import fold
from panorama.input.dataset import TABLES

WORKBOOKS = (".xlsx", ".ods")  # both read by calamine
SUFFIXES = (".csv", *WORKBOOKS, ".parquet")
MAX_LISTED_LINES = 10
LINE = "ligne"
DELIMITERS = (b";", b",", b"\t")
# NUL, and the bytes Windows-1252 leaves undefined: never in a text file.
_NOT_CP1252 = re.compile(rb"[\x00\x81\x8d\x8f\x90\x9d]")
_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


@dataclass
class RawTable:
    """One table as read.

    ``data`` has one column per header (normalised by :func:`normalize_header`),
    trimmed ``str`` cells (blank: ``""``) and the source line numbers as index
    (named ``ligne``); ``headers`` maps each normalised header to the header as
    written, for messages.
    """

    table: str
    source: str
    data: pd.DataFrame
    headers: dict[str, str]
    sheet: tuple[Path, str] | None = None  # the .xlsx workbook and sheet it was read from


class _Unreadable(Exception):
    """A table cannot be read; carries the French message and, when known, the source."""

    def __init__(self, message: str, source: str | None = None):
        super().__init__(message)
        self.source = source


def normalize_header(text: str) -> str:
    """Header (or sheet, file stem) as matched: no case, accents or surrounding
    spaces; spaces and hyphens become ``_`` (« Date début » → ``date_debut``)."""
    return re.sub(r"[\s\-]+", "_", fold(str(text)))


def read_year(root: Path, year: int) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read the five tables of ``root/year``.

    Returns the tables that could be read and the problems met (errors that
    prevent reading a table, warnings about ignored columns). A table with an
    error is absent from the dictionary.
    """
    root = Path(root)
    folder = root / str(year)
    if not folder.is_dir():
        if not root.is_dir():
            return {}, [Problem(str(root), "dossier de données introuvable",
                                expected="un dossier contenant un sous-dossier par année")]
        present = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.isdigit())
        found = f"années présentes : {', '.join(present)}" if present else "aucun dossier d'année"
        return {}, [Problem(str(folder), f"dossier de l'année {year} introuvable ({found})",
                            expected=f"un dossier {folder} contenant les cinq tables")]
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
    by_table: dict[str, list[Path]] = {table: [] for table in TABLES}
    for path in files:
        stem = normalize_header(path.stem)
        if path.suffix.lower() in SUFFIXES and stem in by_table:
            by_table[stem].append(path)
    books = _Workbooks([p for p in files if p.suffix.lower() in WORKBOOKS])
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    for table in TABLES:
        read, failure = None, None
        try:
            read = _read_table(table, by_table[table], books, folder, files)
        except _Unreadable as exc:
            failure = Problem(exc.source or str(by_table[table][0]), str(exc))
        problems += books.problems  # a broken workbook first, then what it prevented
        books.problems = []
        if failure is not None:
            problems.append(failure)
        if read is not None:
            tables[table] = read.table
            problems += read.problems
    return tables, problems


def _read_table(table: str, candidates: list[Path], books: _Workbooks, folder: Path,
                files: list[Path]) -> _Read | None:
    """The table from its own file, else from a workbook's sheet (``None``: broken workbook)."""
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        raise _Unreadable(f"plusieurs fichiers pour la table « {table} » ({names}) ; n'en garder qu'un",
                          str(folder))
    if not candidates:
        return books.read_sheet(table, folder, files)
    path = candidates[0]
    if path.suffix.lower() == ".csv":
        return _from_rows(table, str(path), _csv_rows(path))
    if path.suffix.lower() == ".parquet":
        return _from_parquet(table, path)
    return books.read_file(table, path)


@dataclass
class _Read:
    table: RawTable
    problems: list[Problem]


class _Workbooks:
    """The folder's Excel workbooks, each opened once when first needed."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        self.opened: dict[Path, object] = {}
        self.problems: list[Problem] = []

    def book(self, path: Path):
        """The open workbook at ``path``; ``None`` if broken (reported once in ``problems``)."""
        if path not in self.opened:
            try:
                self.opened[path] = _open_workbook(path)
            except _Unreadable as exc:
                self.opened[path] = None
                self.problems.append(Problem(str(path), str(exc)))
        return self.opened[path]

    def read_file(self, table: str, path: Path) -> _Read | None:
        """The table file ``path``: its sheet named like the table, else its first sheet."""
        book = self.book(path)
        if book is None:
            return None
        names = {normalize_header(name): name for name in book.sheet_names}
        sheet = names.get(table, book.sheet_names[0])
        source = f"{path}, feuille « {sheet} »"
        return _in_sheet(_from_rows(table, source, _sheet_rows(book, sheet, source)), path, sheet)

    def read_sheet(self, table: str, folder: Path, files: list[Path]) -> _Read:
        """The sheet named like ``table`` in one of the workbooks."""
        found, sheets = [], {}
        for path in self.paths:
            book = self.book(path)
            sheets[path] = book.sheet_names if book is not None else None
            found += [(path, name) for name in sheets[path] or () if normalize_header(name) == table]
        if len(found) > 1:
            where = ", ".join(f"{path.name} (feuille « {name} »)" for path, name in found)
            raise _Unreadable(f"la table « {table} » se trouve dans plusieurs classeurs : {where} ; "
                              f"n'en garder qu'un", str(folder))
        if not found:
            raise _Unreadable(_missing_message(table, files, sheets), str(folder))
        path, name = found[0]
        source = f"{path}, feuille « {name} »"
        return _in_sheet(_from_rows(table, source, _sheet_rows(self.book(path), name, source)), path, name)


def _missing_message(table: str, files: list[Path], sheets: dict[Path, list[str] | None]) -> str:
    text = (f"table « {table} » introuvable : ni fichier {table}.csv, {table}.xlsx, {table}.ods ou "
            f"{table}.parquet, ni feuille « {table} » dans un classeur Excel ou OpenDocument")
    unsupported = [p.name for p in files
                   if normalize_header(p.stem) == table and p.suffix.lower() not in SUFFIXES]
    if unsupported:
        text += f" ({', '.join(unsupported)} : format non pris en charge, enregistrer en .csv, .xlsx ou .ods)"
    for path, names in sheets.items():
        listed = ", ".join(f"« {n} »" for n in names) if names is not None else "classeur illisible"
        text += f" ; feuilles de {path.name} : {listed}"
    return text


# --- CSV -------------------------------------------------------------------------------------


def _utf8_text(raw: bytes) -> bytes:
    """The bytes of a CSV file as UTF-8 text without BOM, from UTF-8 (with or
    without BOM), UTF-16 with BOM, or Windows-1252.

    Windows-1252 decodes almost any byte, so a file that is not UTF-8 is only
    accepted when it holds none of the bytes Windows-1252 leaves undefined
    (nor NUL, which no text file holds), and when it is not UTF-8 but for some lines
    (a UTF-8 file where lines were pasted from a Windows-1252 one): those are named,
    never read garbled.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16").encode("utf-8")
    bom = raw.startswith(codecs.BOM_UTF8)
    invalid = _utf8_error(raw, len(codecs.BOM_UTF8) if bom else 0)
    if invalid is not None and bom:
        line = raw.count(b"\n", 0, invalid) + 1
        raise _Unreadable(f"encodage illisible : fichier marqué UTF-8 mais contenant un octet invalide "
                          f"(0x{raw[invalid]:02X}) à la ligne {line}")
    if invalid is None:
        bad = raw.find(b"\x00")  # a plain byte search: much faster than a regular expression
    else:
        undefined = _NOT_CP1252.search(raw)
        bad = -1 if undefined is None else undefined.start()
    if bad >= 0:
        line = raw.count(b"\n", 0, bad) + 1
        raise _Unreadable(
            f"encodage illisible : ni texte UTF-8 ni Windows-1252 (octet 0x{raw[bad]:02X} à la "
            f"ligne {line}) ; enregistrer le fichier au format « CSV UTF-8 »")
    if invalid is None:
        return raw[len(codecs.BOM_UTF8):] if bom else raw
    _check_not_mixed(raw)
    return raw.decode("cp1252").encode("utf-8")


_UTF8_ACCENT = re.compile(rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}")


def _check_not_mixed(raw: bytes) -> None:
    """An :class:`_Unreadable` naming the lines that are not UTF-8 when the others hold
    UTF-8 accented characters (Windows-1252 text almost never reads as UTF-8 by chance)."""
    utf8_lines, other_lines = 0, []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_lines.append(number)
            continue
        if _UTF8_ACCENT.search(line):
            utf8_lines += 1
    if not utf8_lines:
        return
    shown = ", ".join(map(str, other_lines[:MAX_LISTED_LINES])) + ("…" if len(other_lines) > MAX_LISTED_LINES else "")
    raise _Unreadable(
        f"encodage mélangé : fichier en UTF-8 sauf {len(other_lines)} ligne{'s' if len(other_lines) > 1 else ''} "
        f"en un autre encodage (Windows-1252 ?) : ligne{'s' if len(other_lines) > 1 else ''} {shown} ; "
        f"corriger ces lignes ou enregistrer tout le fichier au format « CSV UTF-8 »")


def _utf8_error(raw: bytes, start: int) -> int | None:
    """Position of the first byte of ``raw[start:]`` that is not UTF-8 (``None``: all are).

    Arrow checks the bytes in place first: decoding a large file with Python
    would build a string up to four times its size.
    """
    body = memoryview(raw)[start:]
    offsets = pa.py_buffer(np.array([0, len(body)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(body)]).validate(full=True)
        return None
    except pa.ArrowInvalid:
        pass
    try:
        str(body, "utf-8")
    except UnicodeDecodeError as exc:
        return start + exc.start
    return None


def _csv_rows(path: Path) -> tuple[pa.Table, np.ndarray]:
    """Every record of the CSV file as text, and the line where each starts
    (blank lines above the header are not records).

    The delimiter is the one of ``;``, ``,`` and tab that splits the header
    line most.
    """
    try:
        text = _utf8_text(path.read_bytes())
    except OSError as exc:
        raise _Unreadable(f"fichier illisible ({exc.strerror})") from None
    header = re.search(rb"\S[^\r\n]*", text)
    if header is None:
        raise _Unreadable("fichier vide : ni ligne d'en-tête ni données")
    # a title line above the header has no delimiter: the lines below then decide
    sample = text[header.start():header.start() + 65536]
    delimiter = max(DELIMITERS, key=lambda d: (header.group().count(d), sample.count(d)))
    # Blank lines above the header are skipped (the parsers take the first line for the header).
    start = text.rfind(b"\n", 0, header.start()) + 1
    skipped, text = text.count(b"\n", 0, start), text[start:]
    records = _arrow_records(text, delimiter)
    if records is None:
        records = _pandas_records(text, delimiter)
    return records, _first_lines(text, records) + skipped


def _arrow_records(text: bytes, delimiter: bytes) -> pa.Table | None:
    """The records parsed by Arrow (several times faster than pandas), every field as text.

    ``None`` when Arrow cannot read them as regular records (a record with
    fewer or more fields than the first one, a quote left open…): pandas then
    reads or reports them as it always has.
    """
    import pyarrow.csv as csv

    first_line = re.match(rb"[^\r\n]*", text).group()
    # The names Arrow gives the fields of the first line: all read as text.
    as_text = {f"f{i}": pa.large_string() for i in range(first_line.count(delimiter) + 1)}
    try:
        records = csv.read_csv(
            pa.py_buffer(text), csv.ReadOptions(autogenerate_column_names=True),
            csv.ParseOptions(delimiter=delimiter.decode(), newlines_in_values=b'"' in text,
                             ignore_empty_lines=False),
            csv.ConvertOptions(column_types=as_text, strings_can_be_null=False,
                               quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None
    # A first record spanning lines may have more fields than guessed, typed by Arrow.
    if not all(pa.types.is_large_string(t) for t in records.schema.types):
        return None
    # Arrow accepts a quote left open at the end of the file, which pandas reports:
    # the file then ends with that quote and the (escaped) last field.
    last = records.column(records.num_columns - 1)[-1].as_py()
    return None if text.endswith(b'"' + last.replace('"', '""').encode()) else records


def _pandas_records(text: bytes, delimiter: bytes) -> pa.Table:
    """The records parsed by pandas: shorter records padded with blanks, errors
    reported with the number of the offending line."""
    try:
        frame = pd.read_csv(io.BytesIO(text), sep=delimiter.decode(), encoding="utf-8-sig", header=None, dtype=str,
                            na_filter=False, skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as exc:
        match = _TOO_MANY_FIELDS.search(str(exc))
        if match is None:
            raise _Unreadable(f"CSV illisible ({str(exc).strip()})") from None
        expected, line, seen = match.groups()
        if expected == "1":
            raise _Unreadable(f"ligne {line} : {seen} champs alors que la première ligne n'en a qu'un : {TITLE_ROW}") \
                from None
        raise _Unreadable(f"ligne {line} : {seen} champs au lieu de {expected} comme dans l'en-tête "
                          f"(séparateur en trop, ou guillemet non fermé plus haut ?)") from None
    return pa.Table.from_pandas(frame, preserve_index=False)


def _first_lines(text: bytes, records: pa.Table) -> np.ndarray:
    """Line number where each record starts (a quoted field may span lines)."""
    lines = np.arange(1, records.num_rows + 1)
    # Without quotes no field holds a line break (and searching a quote is fast).
    if b'"' not in text or text.count(b"\n") + (not text.endswith(b"\n")) == records.num_rows:
        return lines
    inner = sum(pc.count_substring(column, "\n").to_numpy() for column in records.columns)
    return lines + np.concatenate(([0], np.cumsum(inner)[:-1]))


# --- Excel -----------------------------------------------------------------------------------


def _open_workbook(path: Path):
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise _Unreadable(f"classeur Excel illisible ou endommagé ({exc})") from None
    if not book.sheet_names:
        raise _Unreadable("classeur Excel sans feuille")
    return book


def _cell_text(value: object) -> str:
    """Text of a workbook cell as the user sees it (75.0 → « 75 », a date → ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text_column(values: tuple) -> tuple | list[str]:
    """A workbook column as text (a column of strings only is kept as is)."""
    if set(map(type, values)) <= {str}:
        return values
    return [_cell_text(value) for value in values]


def _in_sheet(read: _Read, path: Path, sheet: str) -> _Read:
    """``read``, its table marked as read from ``sheet`` of the .xlsx workbook ``path``."""
    if path.suffix.lower() == ".xlsx":
        read.table.sheet = (path, sheet)
    return read


_SHEET = re.compile(rb"<sheet\b[^>]*>")
_ATTRIBUTE = re.compile(rb'\b([\w:]+)="([^"]*)"')
_RELATION = re.compile(rb"<Relationship\b[^>]*>")
# A cell holding a formula and no value (or an empty one): the workbook was written by a
# program that does not compute formulas, and the cell reads blank.
_FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c\b[^>]*?\br="[A-Z]+(\d+)"[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')


def formula_lines(raw: RawTable) -> set[int]:
    """The lines of ``raw`` with a formula cell that has no computed value (read blank);
    empty unless read from an .xlsx sheet. Read again from the file: only asked when
    required values are missing."""
    import html
    import zipfile

    if raw.sheet is None:
        return set()
    path, name = raw.sheet
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = {html.unescape(attrs.get(b"name", b"").decode()): attrs.get(b"r:id", b"")
                      for attrs in (dict(_ATTRIBUTE.findall(m)) for m in _SHEET.findall(archive.read("xl/workbook.xml")))}
            targets = {attrs.get(b"Id"): attrs.get(b"Target", b"").decode()
                       for attrs in (dict(_ATTRIBUTE.findall(m))
                                     for m in _RELATION.findall(archive.read("xl/_rels/workbook.xml.rels")))}
            target = targets[sheets[name]].lstrip("/")
            xml = archive.read(target if target.startswith("xl/") else f"xl/{target}")
    except (KeyError, OSError, zipfile.BadZipFile):
        return set()
    return {int(line) for line in _FORMULA_WITHOUT_VALUE.findall(xml)}


def _sheet_rows(book, name: str, source: str) -> tuple[pa.Table, np.ndarray]:
    """Every row of the sheet as text, and its sheet row number."""
    from python_calamine import CalamineError

    try:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=True)
    except CalamineError as exc:
        raise _Unreadable(f"feuille illisible ({exc})", source) from None
    if not rows:
        raise _Unreadable("feuille vide : ni ligne d'en-tête ni données", source)
    columns = [pa.array(_text_column(column), pa.large_string()) for column in zip(*rows, strict=True)]
    return pa.table(columns, names=[str(i) for i in range(len(columns))]), np.arange(len(rows)) + sheet.start[0] + 1


# --- Parquet ---------------------------------------------------------------------------------


def _from_parquet(table: str, path: Path) -> _Read:
    """Table from a Parquet file: every column cast to text, line = row position + 1."""
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(path)
        columns = {}
        for name, column in zip(arrow.column_names, arrow.columns, strict=True):
            if name.startswith("__index_level_"):  # pandas index saved beside the columns
                continue
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            if pa.types.is_timestamp(column.type):
                column = pc.cast(column, pa.date32(), safe=False)
            columns[name] = pc.cast(column, pa.large_string()).fill_null("")
    except (pa.ArrowException, OSError) as exc:
        raise _Unreadable(f"fichier Parquet illisible ou endommagé ({exc})") from None
    cells = pa.table(list(columns.values()), names=[str(i) for i in range(len(columns))])
    return _table(table, str(path), list(columns), *_strip(cells, np.arange(1, cells.num_rows + 1)))


# --- common ----------------------------------------------------------------------------------


def _from_rows(table: str, source: str, rows: tuple[pa.Table, np.ndarray]) -> _Read:
    """Table from raw rows (CSV records, sheet rows) and their line numbers: the
    first non-blank row is the header."""
    cells, lines = _strip(*rows)
    if cells.num_rows == 0:
        raise _Unreadable("fichier vide : ni ligne d'en-tête ni données", source)
    header = [column[0].as_py() for column in cells.columns]
    _check_header(header, cells, lines, source)
    return _table(table, source, header, cells.slice(1), lines[1:])


TITLE_ROW = "une ligne de titre au-dessus de l'en-tête ? Supprimer les lignes au-dessus de la ligne d'en-tête"


def _check_header(header: list[str], cells: pa.Table, lines: np.ndarray, source: str) -> None:
    """An :class:`_Unreadable` when the first row has far fewer titles than the rows
    below have values: a title row above the header, named as such."""
    titled = sum(1 for title in header if title)
    below = [sum(1 for cell in row.values() if cell) for row in cells.slice(1, 5).to_pylist()]
    best = max(below, default=0)
    if best >= 3 and 2 * titled < best:
        row = below.index(best) + 1
        raise _Unreadable(f"la ligne {lines[0]} (« {next(t for t in header if t) if titled else ''} ») ne ressemble "
                          f"pas à une ligne d'en-tête, la ligne {lines[row]} si : {TITLE_ROW}", source)


def _strip(cells: pa.Table, lines: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """Cells trimmed (Unicode white space, as ``str.strip``); rows where every cell is blank dropped."""
    cells = pa.table([_trim(column) for column in cells.columns], names=cells.column_names)
    filled = np.zeros(len(lines), dtype=bool)
    for column in cells.columns:
        filled |= pc.not_equal(column, "").to_numpy()
        if filled.all():  # usually after the first column: no blank row, no copy
            return cells, lines
    return cells.filter(filled), lines[filled]


def _trim(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The cells without surrounding white space (Unicode, as ``str.strip``).

    Trimming writes a whole new column: skipped when no cell can need it,
    which is checked much faster (the usual case).
    """
    if any(_may_need_trim(chunk) for chunk in column.chunks):
        return pc.utf8_trim_whitespace(column)
    return column


def _may_need_trim(chunk: pa.LargeStringArray) -> bool:
    """Whether a cell of ``chunk`` starts or ends with a byte white space can start or
    end with: a control character, a space or any byte of a non-ASCII character."""
    _, offsets, data = chunk.buffers()
    if data is None or data.size == 0:
        return False
    offsets = np.frombuffer(offsets, dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
    data = np.frombuffer(data, dtype=np.uint8)
    # An empty cell reads a byte of its neighbour: a needless trim at worst.
    firsts = data.take(offsets[:-1], mode="clip")
    lasts = data.take(offsets[1:] - 1, mode="clip")
    # Bytes outside 0x21-0x7F wrap round to above 0x5E.
    return bool((firsts - np.uint8(0x21) > 0x5E).any() or (lasts - np.uint8(0x21) > 0x5E).any())


def _table(table: str, source: str, header: list[str], cells: pa.Table, lines: np.ndarray) -> _Read:
    """Name the columns of trimmed ``cells`` from ``header``; index the rows by ``lines``.

    Columns without a title are dropped (with a warning if they hold values);
    two titles naming the same column are an error.
    """
    if cells.num_rows == 0:
        raise _Unreadable("aucune ligne de données sous la ligne d'en-tête", source)
    problems: list[Problem] = []
    names = [normalize_header(title) for title in header]
    filled = [i for i, name in enumerate(names) if not name and pc.any(pc.not_equal(cells.column(i), "")).as_py()]
    if filled:
        problems.append(Problem(source, f"{len(filled)} colonne(s) sans titre ignorée(s) alors qu'elles "
                                        f"contiennent des valeurs", severity=AVERTISSEMENT))
    keep = [i for i, name in enumerate(names) if name]
    written: dict[str, str] = {}
    for i in keep:
        if names[i] in written:
            raise _Unreadable(f"deux colonnes désignent « {names[i]} » : « {written[names[i]]} » et "
                              f"« {header[i]} »", source)
        written[names[i]] = str(header[i])
    data = pd.DataFrame({names[i]: pd.array(cells.column(i), dtype="str") for i in keep},
                        index=pd.Index(lines, name=LINE), columns=[names[i] for i in keep])
    return _Read(RawTable(table, source, data, written), problems)


# --- A tracking tool's export ----------------------------------------------------------------


def read_export(path: Path) -> dict[str, RawTable]:
    """Every sheet of the export ``path`` of a tracking tool (a CSV file: one sheet named
    after the file), by sheet name, each read as a table is (cells as trimmed text, line
    numbers). Raises :class:`~panorama.core.errors.DataError` when the file cannot be read."""
    from panorama.core.errors import DataError

    path = Path(path)
    try:
        if path.suffix.lower() == ".csv":
            return {path.stem: _from_rows("export", str(path), _csv_rows(path)).table}
        if path.suffix.lower() not in WORKBOOKS:
            raise _Unreadable("format non pris en charge : enregistrer l'export en .xlsx, .ods ou .csv")
        book = _open_workbook(path)
        sheets = {}
        for name in book.sheet_names:
            source = f"{path}, feuille « {name} »"
            try:
                sheets[name] = _from_rows("export", source, _sheet_rows(book, name, source)).table
            except _Unreadable as exc:
                if "vide" not in str(exc):
                    raise
        return sheets
    except _Unreadable as exc:
        raise DataError([Problem(exc.source or str(path), str(exc))]) from None
    except OSError as exc:
        raise DataError([Problem(str(path), f"fichier illisible ({exc.strerror or exc})")]) from None
