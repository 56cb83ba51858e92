"""Tracking tools' exports made from a consolidated contract folder, for the import tests:
one per département (a coordination), in two shapes — « Clause »: one flat CSV sheet, one row
per contract (an operation without contract on a row of its own), its own headers, labels and
date format; « ABC »: an .xlsx (or .ods: :func:`write_ods`) workbook with one sheet per table —
both with the participants' names and birth dates (fictitious, made from the participant's
identifier) that the import must pseudonymise and drop."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from panorama.input.dataset import TABLES

CLAUSE_PROFILE = '''
[colonnes]
operation_id = "N° opération"
"operations.intitule" = "Intitulé"
donneur_ordre_id = "Code acheteur"
"operations.departement" = "Département d'exécution"
"operations.commune" = "Commune d'exécution"
nature = "Nature du marché"
secteur = "Secteur"
modalite = "Modalité"
date_notification = "Notifié le"
montant_ht = "Montant HT"
heures_prevues = "Heures prévues"
grand_projet = "Grand projet"
facilitateur = "Facilitateur"
"donneurs_ordre.nom" = "Acheteur"
type = "Type d'acheteur"
"donneurs_ordre.siret" = "SIRET acheteur"
"donneurs_ordre.departement" = "Département acheteur"
entreprise_id = "Code entreprise"
"entreprises.nom" = "Raison sociale"
"entreprises.siret" = "SIRET entreprise"
type_structure = "Type de structure"
taille = "Taille"
"entreprises.departement" = "Département entreprise"
sexe = "Sexe"
niveau_qualification = "Niveau"
critere_principal = "Public prioritaire"
publics = "Autres publics"
commune_residence = "Commune de résidence"
qpv = "QPV"
prescripteur = "Prescripteur"
situation_sortie = "Situation à la sortie"
contrat_id = "N° contrat"
type_contrat = "Contrat"
date_debut = "Début"
date_fin = "Fin"
heures = "Heures réalisées"

[identite]
nom = "Nom"
prenom = "Prénom"
date_naissance = "Date de naissance"

[dates]
formats = ["%d.%m.%Y"]

[valeurs.type_contrat]
{type_contrat}
'''

ABC_PROFILE = '''
[feuilles]
operations = "Opérations"
donneurs_ordre = "Acheteurs"
entreprises = "Structures"
participants = "Salariés"
contrats = "Contrats"

[colonnes]
operation_id = "Réf. opération"
donneur_ordre_id = "Réf. acheteur"
entreprise_id = "Réf. structure"
participant_id = "Réf. salarié"
contrat_id = "Réf. contrat"
"operations.intitule" = "Objet"
"donneurs_ordre.nom" = "Raison sociale acheteur"
"entreprises.nom" = "Raison sociale"
type_structure = "Catégorie"
heures = "Heures"
marche_id = "N° marché"

[identite]
nom = "NOM"
prenom = "PRENOM"
date_naissance = "NE(E) LE"

[valeurs.type_structure]
{type_structure}
'''

CLAUSE_DEPARTEMENTS = ("75", "77", "78", "91")
ABC_DEPARTEMENTS = ("92", "93", "94", "95")


def identity(participant_id: str, annee: str, shout: bool) -> tuple[str, str, str]:
    """The fictitious name, first name and birth date of a participant (the same person
    written differently by the two tools when ``shout``)."""
    letters = "".join("abcdefghij"[int(d)] if d.isdigit() else d for d in participant_id.lower())
    nom, prenom = f"Martin-{letters}", f"Élodie {letters[::-1]}"
    if shout:
        return nom.upper(), prenom.upper().replace("É", "E"), f"{annee}-03-15"
    return nom, prenom, f"15.03.{annee}"


def _read(folder: Path, year: int) -> dict[str, pd.DataFrame]:
    return {t: pd.read_csv(folder / str(year) / f"{t}.csv", sep=";", dtype=str, keep_default_na=False)
            for t in TABLES}


def _part(tables: dict[str, pd.DataFrame], departement: str) -> dict[str, pd.DataFrame]:
    """The tables of one coordination: its operations, their contracts, buyers, companies and participants."""
    operations = tables["operations"][tables["operations"].departement == departement]
    contracts = tables["contrats"][tables["contrats"].operation_id.isin(operations.operation_id)]
    return {
        "operations": operations,
        "contrats": contracts,
        "donneurs_ordre": tables["donneurs_ordre"][tables["donneurs_ordre"].donneur_ordre_id.isin(
            operations.donneur_ordre_id)],
        "entreprises": tables["entreprises"][tables["entreprises"].entreprise_id.isin(contracts.entreprise_id)],
        "participants": tables["participants"][tables["participants"].participant_id.isin(contracts.participant_id)],
    }


def _dotted(date: str) -> str:
    return date.replace("/", ".") if date else date


def _clause_export(part: dict[str, pd.DataFrame], path: Path) -> None:
    profile = {line.split(" = ")[0].strip('"'): line.split(" = ")[1].strip('"')
               for line in CLAUSE_PROFILE.split("[identite]")[0].splitlines() if " = " in line}
    people = part["participants"].copy()
    people[["Nom", "Prénom", "Date de naissance"]] = [
        identity(p, a, shout=False) for p, a in zip(people.participant_id, people.annee_naissance)]
    people = people.drop(columns=["annee_naissance"])
    flat = (part["operations"].merge(part["donneurs_ordre"], on="donneur_ordre_id", how="left",
                                      suffixes=("", "_do"))
            .merge(part["contrats"], on="operation_id", how="left")
            .merge(part["entreprises"], on="entreprise_id", how="left", suffixes=("", "_e"))
            .merge(people, on="participant_id", how="left")).fillna("")
    renamed = {"intitule": "operations.intitule", "departement": "operations.departement",
               "commune": "operations.commune", "nom": "donneurs_ordre.nom", "siret": "donneurs_ordre.siret",
               "departement_do": "donneurs_ordre.departement", "nom_e": "entreprises.nom",
               "siret_e": "entreprises.siret", "departement_e": "entreprises.departement"}
    flat = flat.rename(columns=renamed).drop(columns=["participant_id"])
    flat = flat.rename(columns={k: v for k, v in profile.items() if k in flat})
    for column in ("Notifié le", "Début", "Fin"):
        flat[column] = flat[column].map(_dotted)
    flat["Contrat"] = flat["Contrat"].map(lambda code: f"Contrat {code.lower()} (Clause)" if code else code)
    flat["Sexe"] = flat["Sexe"].map({"F": "Femme", "M": "Homme", "": ""})
    flat.to_csv(path, sep=";", index=False, encoding="utf-8")


def _abc_export(part: dict[str, pd.DataFrame], path: Path) -> None:
    people = part["participants"].copy()
    people[["NOM", "PRENOM", "NE(E) LE"]] = [
        identity(p, a, shout=True) for p, a in zip(people.participant_id, people.annee_naissance)]
    people = people.drop(columns=["annee_naissance"])
    # the tool's own participant identifiers: not the consolidated folder's
    people["participant_id"] = "S-" + people["participant_id"].str[::-1]
    contracts = part["contrats"].copy()
    contracts["participant_id"] = "S-" + contracts["participant_id"].str[::-1]
    companies = part["entreprises"].copy()
    companies["type_structure"] = companies["type_structure"].map(lambda c: f"Structure {c} (ABC)")
    sheets = {
        "Opérations": part["operations"].rename(columns={"operation_id": "Réf. opération", "intitule": "Objet",
                                                         "donneur_ordre_id": "Réf. acheteur",
                                                         "marche_id": "N° marché"}),
        "Acheteurs": part["donneurs_ordre"].rename(columns={"donneur_ordre_id": "Réf. acheteur",
                                                            "nom": "Raison sociale acheteur"}),
        "Structures": companies.rename(columns={"entreprise_id": "Réf. structure", "nom": "Raison sociale",
                                                "type_structure": "Catégorie"}),
        "Salariés": people.rename(columns={"participant_id": "Réf. salarié"}),
        "Contrats": contracts.rename(columns={"contrat_id": "Réf. contrat", "operation_id": "Réf. opération",
                                              "participant_id": "Réf. salarié", "entreprise_id": "Réf. structure",
                                              "heures": "Heures"}),
    }
    if path.suffix == ".ods":
        write_ods(path, sheets)
        return
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


_ODS_NAMESPACES = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                   'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def write_ods(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """An OpenDocument spreadsheet (as LibreOffice saves it: a zip with ``mimetype`` first and
    stored, the manifest, ``content.xml``), one sheet per frame, header row first; the hours as
    numbers, every other cell as text (an empty cell left empty). Written by hand: no
    dependency for the tests."""
    def cell(column: str, value: object) -> str:
        if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
            return "<table:table-cell/>"
        if column == "Heures":  # a number, as the spreadsheet stores it (shown with a decimal comma)
            number = float(str(value).replace(",", "."))
            return (f'<table:table-cell office:value-type="float" office:value="{number!r}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    tables = []
    for name, frame in sheets.items():
        rows = ["<table:table-row>" + "".join(cell("", c) for c in frame.columns) + "</table:table-row>"]
        rows += ["<table:table-row>" + "".join(cell(c, v) for c, v in zip(frame.columns, row)) + "</table:table-row>"
                 for row in frame.itertuples(index=False)]
        tables.append(f"<table:table table:name={quoteattr(name)}>{''.join(rows)}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NAMESPACES}>'
               f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
               f"</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)


def abc_export(folder: Path, year: int, departement: str, path: Path,
               marches: dict[str, str] | None = None) -> Path:
    """The « ABC » export of one coordination of ``folder``'s ``year`` at ``path`` (.xlsx or .ods),
    its operations carrying ``marches`` (operation → marché identifier) in a column « N° marché »;
    its profile written beside it, whose path is returned."""
    from panorama.core.referential import codes

    part = _part(_read(folder, year), departement)
    if marches is not None:
        part["operations"] = part["operations"].assign(
            marche_id=part["operations"]["operation_id"].map(marches).fillna(""))
    _abc_export(part, path)
    profile = path.with_suffix(".toml")
    profile.write_text(ABC_PROFILE.format(type_structure="\n".join(
        f'"Structure {c} (ABC)" = "{c}"' for c in codes("type_structure"))), encoding="utf-8")
    return profile


def coordination_exports(folder: Path, year: int, out: Path) -> list[tuple[Path, Path, str]]:
    """Eight exports of ``folder``'s ``year`` into ``out`` (one per département of
    Île-de-France), and their profiles: ``(export, profile, source name)`` each."""
    from panorama.core.referential import codes

    out.mkdir(parents=True, exist_ok=True)
    tables = _read(folder, year)
    clause = out / "clause.toml"
    clause.write_text(CLAUSE_PROFILE.format(type_contrat="\n".join(
        f'"Contrat {c.lower()} (Clause)" = "{c}"' for c in codes("type_contrat"))), encoding="utf-8")
    abc = out / "abc.toml"
    abc.write_text(ABC_PROFILE.format(type_structure="\n".join(
        f'"Structure {c} (ABC)" = "{c}"' for c in codes("type_structure"))), encoding="utf-8")
    made = []
    for departement in CLAUSE_DEPARTEMENTS:
        path = out / f"clause-{departement}.csv"
        _clause_export(_part(tables, departement), path)
        made.append((path, clause, f"coordination-{departement}"))
    for departement in ABC_DEPARTEMENTS:
        path = out / f"abc-{departement}.xlsx"
        _abc_export(_part(tables, departement), path)
        made.append((path, abc, f"coordination-{departement}"))
    return made
