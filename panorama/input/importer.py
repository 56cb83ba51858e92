"""Import a tracking tool's export (« Clause », « ABC Clauses »…) into the warehouse.

An export is one flat sheet (one row per contract, the participant's, the operation's, the
company's and the buyer's columns repeated; an operation without contract on a row of its
own) or one sheet per table, with the tool's and the coordination's own headers and labels.
A **profile** (TOML) says how to read it:

.. code-block:: toml

    [feuilles]                     # one sheet per table (absent: one flat sheet)
    operations = "Opérations"
    [colonnes]                     # contract field = "header in the export"
    operation_id = "N° opération"
    "entreprises.nom" = "Raison sociale"   # TABLE.champ when the field is in several tables
    marche_id = "N° marché"        # optional: the marché's identifier in the DECP
    [identite]                     # read to pseudonymise, never stored
    nom = "Nom"
    prenom = "Prénom"
    date_naissance = "Date de naissance"
    identifiant = "N° salarié"     # or the export's own identifier
    [dates]
    formats = ["%d.%m.%Y"]
    [valeurs.type_contrat]         # "label in the export" = "CODE"
    "CDD insertion" = "CDDI"

A field without profile entry is read from a header named like it; the referential's usual
labels are recognised without a ``[valeurs]`` entry.

**Personal data never enter**: only the contract's columns are kept; the participant's
identifier is a keyed pseudonym, HMAC-SHA-256 of the normalised name, first name and birth
date (else of the export's identifier) with the observatory's secret key
(:func:`secret_key`: environment variable ``PANORAMA_CLE`` or a key file kept outside the
warehouse), the same for every source and year, so that a person followed by two
coordinations or in two years is one participant. Companies and buyers with a valid SIRET are
identified by it (two sources' different identifiers for one company merge).

The year is validated with the rules and messages of :mod:`panorama.input.validation`
before anything is written, then replaces the source's year in one transaction
(:meth:`~panorama.input.warehouse.Warehouse.replace`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from panorama.core import referential
from panorama.core.errors import AVERTISSEMENT, ConfigError, DataError, Problem
from panorama.core.referential import fold
from panorama.input.dataset import TABLES
from panorama.input.reading import LINE, RawTable, normalize_header, read_export
from panorama.input.validation import COLUMNS, KEYS, validate_tables
from panorama.input.warehouse import Warehouse, file_hash

KEY_VARIABLE = "PANORAMA_CLE"
KEY_FILE_VARIABLE = "PANORAMA_FICHIER_CLE"
IDENTITY = ("nom", "prenom", "date_naissance", "identifiant")
DATE_FIELDS = ("date_notification", "date_debut", "date_fin")
_ENTITIES = {"entreprises": ("contrats", "entreprise_id"), "donneurs_ordre": ("operations", "donneur_ordre_id")}
_SIRET = re.compile(r"\d{14}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
MIN_KEY_LENGTH = 16


@dataclass
class Profile:
    """How to read one tool's export (see the module's documentation)."""

    sheets: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    identity: dict[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    text: str = ""

    @classmethod
    def load(cls, path: Path | None) -> Profile:
        """The profile at ``path`` (``None``: the export has the contract's headers and codes)."""
        if path is None:
            return cls()
        try:
            text = Path(path).read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"Profil d'import illisible : {path} ({exc}).") from None
        unknown = sorted(set(data) - {"feuilles", "colonnes", "identite", "dates", "valeurs"})
        if unknown:
            raise ConfigError(f"Profil {path} : section(s) inconnue(s) {', '.join(unknown)} ; attendu [feuilles], "
                              f"[colonnes], [identite], [dates], [valeurs.CHAMP].")
        fields = {c.name for columns in COLUMNS.values() for c in columns}
        qualified = {f"{t}.{c.name}" for t, columns in COLUMNS.items() for c in columns}
        wrong = sorted(set(data.get("colonnes", {})) - fields - qualified)
        if wrong:
            raise ConfigError(f"Profil {path}, [colonnes] : champ(s) inconnu(s) du contrat : {', '.join(wrong)}.")
        wrong = sorted(set(data.get("identite", {})) - set(IDENTITY))
        if wrong:
            raise ConfigError(f"Profil {path}, [identite] : clé(s) inconnue(s) {', '.join(wrong)} ; "
                              f"attendu {', '.join(IDENTITY)}.")
        return cls(sheets=data.get("feuilles", {}), columns=data.get("colonnes", {}),
                   identity=data.get("identite", {}), date_formats=tuple(data.get("dates", {}).get("formats", ())),
                   values={k: {fold(label): code for label, code in v.items()}
                           for k, v in data.get("valeurs", {}).items()}, text=text)

    def header(self, table: str, name: str) -> str:
        """The normalised header of the field ``name`` of ``table`` in the export."""
        written = self.columns.get(f"{table}.{name}", self.columns.get(name, name))
        return normalize_header(written)


def secret_key(key_file: Path | None = None) -> bytes:
    """The observatory's pseudonymisation key: the file ``key_file``, else the file named by
    ``PANORAMA_FICHIER_CLE``, else the value of ``PANORAMA_CLE``. Kept outside the warehouse
    (without it nobody can link a pseudonym back to a person); losing it makes the next
    imports' pseudonyms differ from the previous ones."""
    path = key_file or (Path(os.environ[KEY_FILE_VARIABLE]) if os.environ.get(KEY_FILE_VARIABLE) else None)
    try:
        key = Path(path).read_bytes().strip() if path is not None else os.environ.get(KEY_VARIABLE, "").encode()
    except OSError as exc:
        raise ConfigError(f"Fichier de clé de pseudonymisation illisible : {path} ({exc.strerror}).") from None
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(f"Clé de pseudonymisation absente ou trop courte (au moins {MIN_KEY_LENGTH} caractères) : "
                          f"la donner par la variable d'environnement {KEY_VARIABLE}, ou par un fichier "
                          f"(--cle FICHIER ou variable {KEY_FILE_VARIABLE}) gardé hors de l'entrepôt.")
    return key


def pseudonym(key: bytes, *parts: str) -> str:
    """The keyed pseudonym of a person from ``parts`` (normalised: no case, accents, spaces
    or punctuation): ``P`` and 20 hexadecimal digits of HMAC-SHA-256."""
    text = "|".join(re.sub(r"[^a-z0-9]", "", fold(part)) for part in parts)
    return "P" + hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:20]


@dataclass
class ImportReport:
    """What an import did."""

    year: int
    source: str
    import_id: int
    rows: dict[str, int]
    ignored: list[str]
    warnings: list[Problem]


def import_export(path: Path, warehouse: Warehouse, *, source: str, year: int, profile: Profile,
                  key: bytes) -> ImportReport:
    """Read the export ``path`` through ``profile``, split it into the five tables,
    pseudonymise its participants, validate the year, and replace ``source``'s ``year`` in
    ``warehouse``. Raises :class:`~panorama.core.errors.DataError` (nothing written) on
    invalid data."""
    sheets = read_export(path)
    if not sheets:
        raise DataError([Problem(str(path), "export vide : aucune feuille avec des données")])
    frames, ignored, flat = _tables(path, sheets, profile)
    _pseudonymise(frames, profile, key, flat)
    warnings = []
    _recode(frames, profile)
    _by_siret(frames)
    tables = {}
    for table in TABLES:
        deduplicated, conflicts = _deduplicate(table, frames[table], str(path))
        warnings += conflicts
        tables[table] = RawTable(table, f"{path} ({table})", deduplicated, {c: c for c in deduplicated})
    dataset, problems = validate_tables(year, tables)
    if dataset is None:
        raise DataError(problems)
    import_id = warehouse.replace(year, source, tables, path, profile=profile.text or None, digest=file_hash(path))
    return ImportReport(year, source, import_id, {t: len(tables[t].data) for t in TABLES}, ignored,
                        warnings + problems)


def _tables(path: Path, sheets: dict[str, RawTable], profile: Profile) -> tuple[dict[str, pd.DataFrame], list[str], bool]:
    """The contract's columns of each table (as written in the export) and the identity
    columns of the participants, before pseudonymisation; and the headers ignored."""
    identity = {name: normalize_header(header) for name, header in profile.identity.items()}
    by_name = {normalize_header(name): name for name in sheets}
    flat = not profile.sheets and not any(table in by_name for table in TABLES)
    frames, used = {}, set()
    for table in TABLES:
        if flat:
            sheet = next(iter(sheets.values()))
        else:
            name = profile.sheets.get(table, table)
            if normalize_header(name) not in by_name:
                raise DataError([Problem(str(path), f"feuille « {name} » (table {table}) introuvable ; feuilles "
                                                    f"présentes : {', '.join(sheets)}")])
            sheet = sheets[by_name[normalize_header(name)]]
        data = sheet.data
        columns = {}
        for column in COLUMNS[table]:
            header = profile.header(table, column.name)
            if header in data:
                columns[column.name] = data[header]
                used.add((id(sheet), header))
        if table == "participants":
            for name, header in identity.items():
                if header in data:
                    columns[f"_{name}"] = data[header]  # read to pseudonymise: not imported
        frame = pd.DataFrame(columns, index=data.index)
        if flat:  # a row of the flat sheet belongs to a table only where the table's values are
            key = KEYS[table]
            filled = frame[key] != "" if key in frame and table != "participants" else frame.ne("").any(axis=1)
            frame = frame[filled]
        frames[table] = frame.copy()
    ignored = sorted({sheet.headers[h] for sheet in sheets.values() for h in sheet.data if (id(sheet), h) not in used})
    return frames, ignored, flat


def _pseudonymise(frames: dict[str, pd.DataFrame], profile: Profile, key: bytes, flat: bool) -> None:
    """Replace the participants' identifiers by keyed pseudonyms (in the participants and the
    contracts), derive the birth year from the birth date when the export has no year, and
    drop every identity column."""
    participants = frames["participants"]
    names = [f"_{n}" for n in ("nom", "prenom", "date_naissance")]
    with_names = all(n in participants for n in names)
    birth = participants["_date_naissance"].map(lambda v: _iso_date(v, profile.date_formats)) \
        if "_date_naissance" in participants else None

    def person(row_names, identifier: str) -> str:
        if with_names and all(row_names):
            return pseudonym(key, *row_names)
        # Nothing to identify the person: left blank, for the validation to report the line.
        return pseudonym(key, "identifiant", identifier) if identifier else ""

    own = participants["_identifiant"] if "_identifiant" in participants else participants.get("participant_id")
    if own is None and not with_names:
        raise DataError([Problem("profil d'import", "aucun moyen d'identifier les participants : ni nom, prénom et date de "
                                           "naissance ([identite]), ni identifiant (participant_id ou "
                                           "[identite] identifiant)")])
    rows = zip(participants["_nom"] if with_names else [""] * len(participants),
               participants["_prenom"] if with_names else [""] * len(participants),
               birth if with_names else [""] * len(participants),
               own if own is not None else [""] * len(participants), strict=True)
    pseudonyms = pd.Series([person((n, p, b), i) for n, p, b, i in rows], index=participants.index, dtype=object)
    contracts = frames["contrats"]
    if flat:  # the contract's participant is on its row
        contracts["participant_id"] = pseudonyms.reindex(contracts.index).fillna("").astype(object)
    elif "participant_id" in participants and "participant_id" in contracts:
        mapping = dict(zip(participants["participant_id"], pseudonyms, strict=True))
        contracts["participant_id"] = contracts["participant_id"].map(
            lambda v: mapping.get(v) or pseudonym(key, "identifiant", v))
    participants["participant_id"] = pseudonyms
    if "annee_naissance" not in participants and birth is not None:
        # Only from a date read whole: a part of an unread birth date would reach the messages.
        participants["annee_naissance"] = birth.map(lambda v: v[:4] if _ISO.fullmatch(v) else "")
    frames["participants"] = participants.drop(columns=[c for c in participants if c.startswith("_")])


def _iso_date(value: str, formats: tuple[str, ...]) -> str:
    """``value`` as AAAA-MM-JJ when one of ``formats`` (or an ISO date) reads it, else as is."""
    for fmt in (*formats, "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return value


def _recode(frames: dict[str, pd.DataFrame], profile: Profile) -> None:
    """The profile's labels (``[valeurs.CHAMP]``) and the referential's usual labels as codes,
    dates as AAAA-MM-JJ (the profile's formats and the usual ones): two sources writing the
    same value differently store it alike. What cannot be read is left as written, for the
    validation to report."""
    for table, frame in frames.items():
        for column in COLUMNS[table]:
            if column.name not in frame:
                continue
            labels = profile.values.get(f"{table}.{column.name}", profile.values.get(column.name, {}))
            if column.nomenclature is not None and column.kind != "booleen":
                def code(value: str, labels=labels, nomenclature=column.nomenclature) -> str:
                    value = labels.get(fold(value), value)
                    return referential.normalize(nomenclature, value) or value
                if column.kind == "publics":
                    _map_distinct(frame, column.name,
                                  lambda v, code=code: "|".join(code(p) for p in re.split(r"\s*[|,;]\s*", v)))
                else:
                    _map_distinct(frame, column.name, code)
            elif labels:
                _map_distinct(frame, column.name, lambda v, m=labels: m.get(fold(v), v))
            if column.kind == "date":
                _map_distinct(frame, column.name, lambda v: _iso_date(v, profile.date_formats))


def _map_distinct(frame: pd.DataFrame, column: str, function) -> None:
    """``function`` applied to each distinct filled value of ``column`` (blank cells stay blank)."""
    values = frame[column]
    table = {value: function(value) for value in values.unique() if value}
    frame[column] = values.map(lambda v: table.get(v, v))


def _by_siret(frames: dict[str, pd.DataFrame]) -> None:
    """Companies and buyers with a valid SIRET identified by it, in their table and where
    they are referenced."""
    for table, (referencing, column) in _ENTITIES.items():
        frame = frames[table]
        key = KEYS[table]
        if "siret" not in frame or key not in frame:
            continue
        sirets = frame["siret"].str.replace(r"\s", "", regex=True)
        valid = sirets.str.fullmatch(_SIRET)
        mapping = dict(zip(frame.loc[valid, key], sirets[valid], strict=True))
        frame.loc[valid, key] = sirets[valid]
        if column in frames[referencing]:
            frames[referencing][column] = frames[referencing][column].map(lambda v, m=mapping: m.get(v, v))


def _deduplicate(table: str, frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """One row per key (the first; a flat export repeats the operation, the company, the
    buyer and the participant on each contract), and the keys whose rows disagree."""
    key = KEYS[table]
    frame = frame.astype(object).fillna("")
    if key not in frame or frame.empty:
        return frame.rename_axis(LINE), []
    repeated = frame[key].duplicated(keep=False)
    warnings = []
    if repeated.any():
        distinct = frame[repeated].groupby(key, sort=False).nunique()
        for identifier, row in distinct[distinct.gt(1).any(axis=1)].iterrows():
            columns = ", ".join(row.index[row.gt(1)])
            warnings.append(Problem(f"{file} ({table})", f"valeurs différentes pour « {identifier} » selon les lignes "
                                                         f"({columns}) : la première ligne est retenue",
                                    severity=AVERTISSEMENT))
    kept = frame[~frame[key].duplicated()]
    return kept.rename_axis(LINE), warnings


def model(path: Path) -> str:
    """A profile to edit for the export ``path``: its sheets and headers, and the matches
    suggested for the contract's fields and the identity columns (headers named like a
    field, or containing it)."""
    sheets = read_export(path)
    lines = [f"# Profil d'import pour {Path(path).name}, à relire et compléter.",
             "# Les colonnes non reprises ci-dessous sont ignorées à l'import (données personnelles comprises).", ""]
    per_table = [name for name in sheets if normalize_header(name) in TABLES]
    if len(sheets) > 1:
        lines += ["[feuilles]", *(f'{normalize_header(n)} = "{n}"' for n in per_table), ""]
    headers = {h: written for sheet in sheets.values() for h, written in sheet.headers.items()}
    values = {h: sheet.data[h] for sheet in sheets.values() for h in sheet.data}
    identity = {}
    for name, words in (("nom", ("nom",)), ("prenom", ("prenom",)), ("date_naissance", ("naissance", "ne(e)")),
                        ("identifiant", ("identifiant", "matricule"))):
        identity[name] = next((h for h in headers if h not in identity.values()
                               and any(w == h or w in h.split("_") for w in words)), None)
    candidates = {h: w for h, w in headers.items() if h not in identity.values()}
    lines.append("# Feuilles et en-têtes trouvés :")
    lines += [f"#   {name} : {', '.join(sheet.headers.values())}" for name, sheet in sheets.items()]
    lines += ["", "[colonnes]"]
    unknown_labels = []
    for table in TABLES:
        lines.append(f"# table {table}")
        taken = set()  # a header is one field of a table (« Nature du marché » is not the marché's identifier)
        for column in COLUMNS[table]:
            match = _suggest(column.name, {h: w for h, w in candidates.items() if h not in taken})
            taken.add(match)
            name = column.name if sum(column.name in (c.name for c in cs) for cs in COLUMNS.values()) == 1 \
                else f'"{table}.{column.name}"'
            lines.append(f'{name} = "{headers[match]}"' if match else
                         f'# {name} = ""{"  # obligatoire" if column.required else ""}')
            if match and column.nomenclature is not None and column.kind == "code":
                labels = sorted({v for v in values[match].unique() if v and referential.normalize(column.nomenclature, v) is None})
                if labels:
                    unknown_labels.append((column, labels))
    lines += ["", "[identite]  # lu pour pseudonymiser, jamais conservé"]
    lines += [f'{name} = "{headers[match]}"' if match else f'# {name} = ""' for name, match in identity.items()]
    lines += ["", "[dates]", 'formats = ["%d/%m/%Y", "%Y-%m-%d"]', "",
              "# Libellés propres à l'export : une table par champ, « libellé » = « CODE ».",
              "# Libellés de l'export non reconnus par le référentiel (à compléter) :"]
    for column, labels in unknown_labels:
        lines += [f"[valeurs.{column.name}]  # codes : {', '.join(referential.codes(column.nomenclature))}",
                  *(f'"{label}" = ""' for label in labels[:50])]
    return "\n".join(lines) + "\n"


def _suggest(name: str, headers: dict[str, str]) -> str | None:
    """The header suggested for the field ``name``: named like it (« type_contrat » also as
    « contrat »), else containing its main word."""
    for exact in (name, name.removeprefix("type_")):
        if exact in headers:
            return exact
    short = name.removesuffix("_id")
    return next((h for h in headers if short in h.split("_") or h.startswith(short)), None)
