"""Public procurement data (DECP, « données essentielles de la commande publique ») into the warehouse.

Three shapes are read:

- the JSON of the 2019 schema (``{"marches": [...]}``, records with ``_type`` « Marché » or
  « Contrat de concession »), without social considerations;
- the JSON of the 2022 schema (``{"marches": {"marche": [...], "contrat-concession": [...]}}``),
  whose ``considerationsSociales.considerationSociale`` lists « Clause sociale », « Critère
  social », « Marché réservé » or « Pas de considération sociale »;
- the consolidated tabular CSV (one row per marché and holder; ``uid``, ``acheteur_id``,
  ``dateNotification``, ``acheteur_departement_code``…), without social considerations.

A record that does not follow its schema (not an object, no identifier, no buyer, no
notification date, ``considerationsSociales`` not an object in a 2022 file…) is counted and
reported, never a crash; names damaged by a wrong encoding (U+FFFD) are counted. Concessions
are counted and left out (they are not marchés). Each marché's category (works, services,
supplies: :func:`category`) is read from its type or CPV code. The marchés are stored in the
warehouse's ``decp_marches`` table, a file's rows replacing those of its previous import; the
warehouse hands them to a build (:meth:`~panorama.input.warehouse.Warehouse.procurement`),
and :mod:`panorama.compute.procurement` counts them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from panorama.core.errors import DataError, Problem
from panorama.core.referential import fold
from panorama.input.warehouse import Warehouse, file_hash

CLAUSE = "Clause sociale"
CRITERION = "Critère social"
RESERVED = "Marché réservé"
NONE = "Pas de considération sociale"
FIELDS = ("uid", "id", "acheteur_id", "acheteur_nom", "nature", "categorie", "date_notification", "annee",
          "departement", "montant", "considerations", "clause_sociale", "critere_social", "marche_reserve")
#: The categories of the contract's ``nature`` a marché falls in, by its DECP type's folded label.
CATEGORIES = {"travaux": "TRAVAUX", "services": "SERVICES", "fournitures": "FOURNITURES"}
YEARS = (1990, 2100)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass
class DecpRead:
    """What one file held: its marchés (one dict of :data:`FIELDS` each) and what was left out."""

    file: Path
    schema: str
    marches: list[dict] = field(default_factory=list)
    concessions: int = 0
    nonconforming: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    damaged: int = 0

    def reject(self, reason: str) -> None:
        """Count one non-conforming record, by reason."""
        self.nonconforming += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


def read_decp(path: Path) -> DecpRead:
    """The marchés of the DECP file ``path`` (JSON 2019 or 2022 schema, or tabular CSV).
    Raises :class:`~panorama.core.errors.DataError` only when the file itself is unreadable."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return _read_tabular(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError) as exc:
        raise DataError([Problem(str(path), f"fichier DECP illisible ({exc})",
                                 expected="un JSON DECP (schéma 2019 ou 2022) ou le CSV tabulaire consolidé")]) from None
    marches = data.get("marches") if isinstance(data, dict) else None
    if isinstance(marches, dict):  # 2022: {"marche": [...], "contrat-concession": [...]}
        read = DecpRead(path, "2022")
        concessions = marches.get("contrat-concession") or []
        read.concessions = len(concessions) if isinstance(concessions, list) else 0
        records = marches.get("marche") or []
    elif isinstance(marches, list):
        read = DecpRead(path, "2022" if any(isinstance(r, dict) and "considerationsSociales" in r for r in marches)
                        else "2019")
        records = marches
    else:
        raise DataError([Problem(str(path), "aucune liste « marches » : ce n'est pas un fichier DECP")])
    if not isinstance(records, list):
        records = []
        read.reject("liste « marche » absente")
    for record in records:
        _record(read, record)
    return read


def _record(read: DecpRead, record: object) -> None:
    if not isinstance(record, dict):
        return read.reject("enregistrement qui n'est pas un objet")
    kind = str(record.get("_type", "Marché"))
    if "concession" in kind.lower() or "autoriteConcedante" in record:
        read.concessions += 1
        return None
    buyer = record.get("acheteur")
    identifier, date = record.get("id"), _date(record.get("dateNotification"))
    if not identifier:
        return read.reject("sans identifiant")
    if not isinstance(buyer, dict) or not buyer.get("id"):
        return read.reject("sans acheteur")
    if date is None:
        return read.reject("sans date de notification valide")
    considerations = None
    if read.schema == "2022":
        social = record.get("considerationsSociales")
        listed = social.get("considerationSociale") if isinstance(social, dict) else None
        if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
            return read.reject("considerationsSociales non conforme au schéma 2022")
        considerations = listed
    place = record.get("lieuExecution") if isinstance(record.get("lieuExecution"), dict) else {}
    amount = record.get("montant")
    marche = {
        "uid": str(record.get("uid") or f"{buyer['id']}{identifier}"), "id": str(identifier),
        "acheteur_id": str(buyer["id"]), "acheteur_nom": buyer.get("nom"), "nature": record.get("nature"),
        "categorie": category(str(record.get("codeCPV") or "")), "date_notification": date, "annee": date.year,
        "departement": _departement(str(place.get("code") or ""), str(place.get("typeCode") or "")),
        "montant": float(amount) if isinstance(amount, int | float) else None,
        **_flags(considerations)}
    if any("\ufffd" in str(v) for v in (marche["acheteur_nom"], record.get("objet"))):
        read.damaged += 1
    read.marches.append(marche)
    return None


def _flags(considerations: list[str] | None) -> dict:
    """The social considerations joined, and one flag each (``None`` where the schema has no field)."""
    if considerations is None:
        return {"considerations": None, "clause_sociale": None, "critere_social": None, "marche_reserve": None}
    return {"considerations": "|".join(considerations), "clause_sociale": CLAUSE in considerations,
            "critere_social": CRITERION in considerations, "marche_reserve": RESERVED in considerations}


def category(cpv: str, kind: str = "") -> str | None:
    """The category of a marché (``TRAVAUX``, ``SERVICES``, ``FOURNITURES``: the contract's
    ``nature``): its DECP type when given (« Travaux »…), else the division of its CPV code
    (45: works; 03 to 44 and 48: supplies; 50 and above: services); ``None`` otherwise."""
    if fold(kind) in CATEGORIES:
        return CATEGORIES[fold(kind)]
    division = cpv.strip()[:2]
    if not division.isdigit():
        return None
    division = int(division)
    if division == 45:
        return "TRAVAUX"
    if 3 <= division <= 44 or division == 48:
        return "FOURNITURES"
    return "SERVICES" if division >= 50 else None


def _date(value: object) -> dt.date | None:
    match = _DATE.match(str(value or ""))
    if not match:
        return None
    try:
        date = dt.date(*map(int, match.groups()))
    except ValueError:
        return None
    return date if YEARS[0] <= date.year <= YEARS[1] else None  # « 0218-… »: a typo


def _departement(code: str, kind: str) -> str | None:
    """The département of a place of execution: a département code as is, a postcode's or an
    INSEE commune code's first two (overseas: three) characters; ``None`` otherwise."""
    code = code.strip().upper()
    kind = kind.lower()
    if "département" in kind or "departement" in kind:
        return code.zfill(2) if re.fullmatch(r"\d{1,3}|2[AB]", code) else None
    if ("postal" in kind or "commune" in kind) and re.fullmatch(r"\d[\dAB]\d{3}", code):
        return code[:3] if code.startswith("97") else code[:2]
    return None


def _read_tabular(path: Path) -> DecpRead:
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise DataError([Problem(str(path), f"fichier DECP illisible ({exc})")]) from None
    missing = {"uid", "acheteur_id", "dateNotification"} - set(frame.columns)
    if missing:
        raise DataError([Problem(str(path), f"colonnes absentes du CSV tabulaire DECP : {', '.join(sorted(missing))}")])
    read = DecpRead(path, "tabulaire")
    seen = set()
    for row in frame.to_dict("records"):
        if row["uid"] in seen:  # one row per holder: the marché once
            continue
        date = _date(row["dateNotification"])
        if not row["uid"] or not row["acheteur_id"] or date is None:
            read.reject("ligne sans uid, acheteur ou date de notification valide")
            continue
        seen.add(row["uid"])
        try:
            amount = float(row.get("montant") or "nan")
        except ValueError:
            amount = None
        code = row.get("acheteur_departement_code", "")
        read.marches.append({
            "uid": row["uid"], "id": row.get("id", ""), "acheteur_id": row["acheteur_id"],
            "acheteur_nom": row.get("acheteur_nom"), "nature": row.get("nature") or None,
            "categorie": category(row.get("codeCPV", ""), row.get("type", "")), "date_notification": date,
            "annee": date.year, "departement": _departement(code, "département") if code else None,
            "montant": amount if amount == amount else None, **_flags(None)})
    return read


def import_decp(paths: list[Path], warehouse: Warehouse) -> list[DecpRead]:
    """Read the DECP files ``paths`` and store their marchés in ``warehouse`` in one
    transaction, each file replacing its previous import (by file name)."""
    import pandas as pd

    reads = [read_decp(path) for path in paths]
    with warehouse.connect(write=True) as connection:
        connection.begin()
        try:
            for read in reads:
                connection.execute("DELETE FROM decp_marches WHERE fichier = ?", [read.file.name])
                frame = pd.DataFrame(read.marches, columns=list(FIELDS))
                frame["fichier"], frame["empreinte"], frame["schema"] = read.file.name, file_hash(read.file), read.schema
                frame["date_import"] = dt.datetime.now().replace(microsecond=0)
                connection.register("incoming", frame)
                connection.execute("INSERT INTO decp_marches BY NAME SELECT * FROM incoming")
                connection.unregister("incoming")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
    return reads
