"""What a reader needs around the figures: the glossary of the acronyms a document uses,
its colophon (publisher, director of publication, contact, licence…) from the configuration,
and the French names of the input tables and fields, so that no code identifier is printed."""

from __future__ import annotations

import dataclasses
import re

from panorama.compose.document import Column, Section, Table
from panorama.core.config import Config
from panorama.core.formatting import fmt_date

#: Every acronym a publication may use, spelled out.
ACRONYMS: dict[str, str] = {
    "AAH": "Allocation aux adultes handicapés",
    "ACI": "Atelier et chantier d'insertion",
    "AI": "Association intermédiaire",
    "ASS": "Allocation de solidarité spécifique",
    "BTP": "Bâtiment et travaux publics",
    "CDD": "Contrat à durée déterminée",
    "CDDI": "Contrat à durée déterminée d'insertion",
    "CDI": "Contrat à durée indéterminée",
    "CMP": "Code des marchés publics",
    "CPV": "Vocabulaire commun pour les marchés publics (Common Procurement Vocabulary)",
    "CUI": "Contrat unique d'insertion",
    "DECP": "Données essentielles de la commande publique",
    "DELD": "Demandeur d'emploi de longue durée (inscrit depuis au moins un an)",
    "EA": "Entreprise adaptée",
    "EI": "Entreprise d'insertion",
    "EPCI": "Établissement public de coopération intercommunale",
    "EPT": "Établissement public territorial",
    "ESAT": "Établissement et service d'aide par le travail",
    "ESS": "Économie sociale et solidaire",
    "ETI": "Entreprise de taille intermédiaire",
    "ETP": "Équivalent temps plein",
    "ETT": "Entreprise de travail temporaire",
    "ETTI": "Entreprise de travail temporaire d'insertion",
    "FSE": "Fonds social européen",
    "GEIQ": "Groupement d'employeurs pour l'insertion et la qualification",
    "IAE": "Insertion par l'activité économique",
    "JOP": "Jeux olympiques et paralympiques",
    "NPNRU": "Nouveau programme national de renouvellement urbain",
    "PEC": "Parcours emploi compétences",
    "PLIE": "Plan local pour l'insertion et l'emploi",
    "PME": "Petite ou moyenne entreprise",
    "QPV": "Quartier prioritaire de la politique de la ville",
    "RQTH": "Reconnaissance de la qualité de travailleur handicapé",
    "RSA": "Revenu de solidarité active",
    "SEM": "Société d'économie mixte",
    "SIAE": "Structure d'insertion par l'activité économique",
    "SPL": "Société publique locale",
    "TPE": "Très petite entreprise",
}

#: The input tables and their optional fields, as a reader names them.
TABLES: dict[str, str] = {
    "operations": "Opérations", "donneurs_ordre": "Donneurs d'ordre", "entreprises": "Entreprises",
    "participants": "Participants", "contrats": "Contrats",
}
FIELDS: dict[str, str] = {
    "intitule": "intitulé", "commune": "commune d'exécution", "secteur": "secteur d'activité",
    "date_notification": "date de notification du marché", "montant_ht": "montant hors taxes",
    "heures_prevues": "heures d'insertion prévues", "grand_projet": "grand projet", "facilitateur": "facilitateur",
    "siret": "SIRET", "departement": "département", "nom": "nom", "taille": "taille de l'entreprise",
    "publics": "publics (critères d'éligibilité)", "commune_residence": "commune de résidence",
    "qpv": "résidence en quartier prioritaire", "prescripteur": "prescripteur",
    "situation_sortie": "situation six mois après le contrat", "date_fin": "date de fin du contrat",
    "marche_id": "identifiant du marché (DECP)",
}


def table_name(table: str) -> str:
    """« Opérations » for ``operations``."""
    return TABLES.get(table, table)


def field_name(table: str, field: str) -> str:
    """« Opérations : heures d'insertion prévues » for ``operations.heures_prevues``."""
    return f"{table_name(table)} : {FIELDS.get(field, field.replace('_', ' '))}"


def _strings(value) -> list[str]:
    """Every string held by a block (text, table cells, titles), recursively."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) if f.name not in ("spec", "image")
                for s in _strings(getattr(value, f.name))]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings(item)]
    return []


def acronyms_used(sections: list[Section]) -> list[str]:
    """The acronyms of :data:`ACRONYMS` that the ``sections`` use, in alphabetical order."""
    text = " ".join(_strings(sections))
    return [a for a in ACRONYMS if re.search(rf"(?<![\w-]){a}(?![\w-])", text)]


def glossary(sections: list[Section]) -> Table:
    """The table of the acronyms used by ``sections``, spelled out, in two halves side by side
    (a short table, kept on one page)."""
    used = acronyms_used(sections)
    half = (len(used) + 1) // 2
    pairs = [[a, ACRONYMS[a]] for a in used]
    right = pairs[half:] + [["", ""]] * (half - len(pairs[half:]))
    rows = [left + other for left, other in zip(pairs[:half], right)]
    return Table(caption="Sigles utilisés", rows=rows,
                 columns=[Column("Sigle"), Column("Signification", "texte"), Column("Sigle", "code"),
                          Column("Signification", "texte")])


def colophon(config: Config, year: int) -> Section:
    """The last section: who publishes, who is responsible, how to reach them, where the open
    data are, the licence, partners and funding — the lines the configuration gives."""
    lines = [
        ("Éditeur", " – ".join(x for x in (config.observatoire_nom, config.observatoire_porteur) if x)),
        ("Directeur de la publication", config.directeur_publication),
        ("Contact", config.contact),
        ("Site internet", config.site),
        ("Données ouvertes", config.donnees_url or "publiées avec ce document, fichiers CSV décrits par un "
                                                   "fichier datapackage.json"),
        ("Date de publication", fmt_date(config.date_publication) if config.date_publication else ""),
        ("Données", f"année {year}"),
        ("Licence", f"textes, tableaux et données : {config.licence}"),
        ("Partenaires", ", ".join(config.partenaires)),
        ("Financement", config.financement),
    ]
    return Section("colophon", "À propos de cette publication", [Table(
        caption="Informations éditoriales", columns=[Column("Rubrique"), Column("Mention", "texte")],
        rows=[[label, value] for label, value in lines if value])])
