"""Nomenclatures of the input contract: codes, French labels, usual synonyms.

Every nomenclature of ``spec/dataset.md`` is here once, as data: its canonical
codes in publishable order, the French label of each code, and the usual
labels facilitators write instead of the code (article numbers under the three
successive numberings, old qualification levels, « Pôle emploi »…).

Matching ignores case, accents, punctuation and extra spaces, so « Art. 38 »,
« article 38 » and « ART 38 » are one key. A value that could mean several
codes (« art. 36 », « marché réservé ») is deliberately not mapped:
:func:`normalize` returns ``None`` and :func:`ambiguity` explains why.

The module also holds the départements of France (names, order) and the
groups of contract types used in the report.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

NON_RENSEIGNE = "NON_RENSEIGNE"
NON_RENSEIGNE_LABEL = "Non renseigné"


class Articles(NamedTuple):
    """Legal basis of a modality under each numbering (``None``: no equivalent)."""

    ccp_2019: str | None
    ord_decret_2016: str | None
    cmp_2006: str | None


#: Heading of each numbering, for the glossary (same order as :class:`Articles`).
NUMEROTATIONS: dict[str, str] = {
    "ccp_2019": "Code de la commande publique (depuis le 1er avril 2019)",
    "ord_decret_2016": "Ordonnance 2015-899 et décret 2016-360 (avril 2016 – mars 2019)",
    "cmp_2006": "Code des marchés publics 2006 (jusqu'en mars 2016)",
}

#: Article numbers of each modality under the three numberings.
MODALITE_ARTICLES: dict[str, Articles] = {
    "CLAUSE_EXECUTION": Articles("L2112-2", "ord. art. 38", "art. 14"),
    "CRITERE_ATTRIBUTION": Articles("R2152-7", "décret art. 62", "art. 53"),
    "MARCHE_INSERTION": Articles("R2123-1 3°", "décret art. 28", "art. 30"),
    "RESERVE_SIAE": Articles("L2113-13", "ord. art. 36-II", None),
    "RESERVE_HANDICAP": Articles("L2113-12", "ord. art. 36-I", "art. 15"),
    "RESERVE_ESS": Articles("L2113-15", "ord. art. 37", None),
    "HORS_COMMANDE_PUBLIQUE": Articles(None, None, None),
}

#: Every nomenclature: code → French label, in publishable order.
NOMENCLATURES: dict[str, dict[str, str]] = {
    "modalite": {
        "CLAUSE_EXECUTION": "Clause d'insertion (condition d'exécution)",
        "CRITERE_ATTRIBUTION": "Critère d'attribution « insertion »",
        "MARCHE_INSERTION": "Marché de services d'insertion et de qualification",
        "RESERVE_SIAE": "Marché réservé aux SIAE",
        "RESERVE_HANDICAP": "Marché réservé aux EA et ESAT",
        "RESERVE_ESS": "Marché réservé aux entreprises de l'ESS",
        "HORS_COMMANDE_PUBLIQUE": "Clause hors commande publique (charte, convention, opération privée)",
    },
    "nature": {
        "TRAVAUX": "Travaux",
        "SERVICES": "Services",
        "FOURNITURES": "Fournitures",
    },
    "secteur": {
        "BTP": "Bâtiment et travaux publics",
        "PROPRETE": "Propreté",
        "ESPACES_VERTS": "Espaces verts",
        "RESTAURATION": "Restauration",
        "TRANSPORT_LOGISTIQUE": "Transport et logistique",
        "NUMERIQUE": "Numérique",
        "PRESTATIONS_INTELLECTUELLES": "Prestations intellectuelles",
        "SERVICES_A_LA_PERSONNE": "Services à la personne",
        "INDUSTRIE": "Industrie",
        "AUTRE": "Autre secteur",
    },
    "type_donneur_ordre": {
        "ETAT": "État",
        "REGION": "Région",
        "DEPARTEMENT": "Département",
        "COMMUNE": "Commune",
        "EPCI": "Intercommunalité (EPCI, EPT, métropole)",
        "BAILLEUR_SOCIAL": "Bailleur social",
        "ETABLISSEMENT_PUBLIC": "Établissement public",
        "SEM_SPL": "Société d'économie mixte ou publique locale (SEM, SPL)",
        "PRIVE": "Donneur d'ordre privé",
        "AUTRE": "Autre donneur d'ordre",
    },
    "type_structure": {
        "ENTREPRISE": "Entreprise classique",
        "EI": "Entreprise d'insertion (EI)",
        "ETTI": "Entreprise de travail temporaire d'insertion (ETTI)",
        "AI": "Association intermédiaire (AI)",
        "ACI": "Atelier et chantier d'insertion (ACI)",
        "EA": "Entreprise adaptée (EA)",
        "ESAT": "Établissement et service d'aide par le travail (ESAT)",
        "GEIQ": "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)",
        "ETT": "Entreprise de travail temporaire (ETT)",
    },
    "taille": {
        "TPE": "Très petite entreprise (moins de 10 salariés)",
        "PME": "Petite ou moyenne entreprise (10 à 249 salariés)",
        "ETI": "Entreprise de taille intermédiaire (250 à 4 999 salariés)",
        "GE": "Grande entreprise (5 000 salariés et plus)",
    },
    "type_contrat": {
        "CDI": "CDI",
        "CDD": "CDD",
        "INTERIM": "Intérim",
        "INTERIM_INSERTION": "Intérim d'insertion (ETTI)",
        "MISE_A_DISPOSITION_AI": "Mise à disposition par une association intermédiaire",
        "CDDI": "CDD d'insertion (EI, ACI)",
        "APPRENTISSAGE": "Contrat d'apprentissage",
        "PROFESSIONNALISATION": "Contrat de professionnalisation",
        "GEIQ": "Contrat en GEIQ",
        "CONTRAT_AIDE": "Contrat aidé (PEC, CUI)",
        "AUTRE": "Autre contrat",
    },
    "niveau_qualification": {
        "INFRA_3": "Infra 3 (sans qualification)",
        "3": "Niveau 3 (CAP, BEP)",
        "4": "Niveau 4 (baccalauréat)",
        "5": "Niveau 5 (bac+2)",
        "6_PLUS": "Niveau 6 et plus (bac+3 et au-delà)",
        "INCONNU": "Niveau inconnu",
    },
    "critere": {
        "DELD": "Demandeurs d'emploi de longue durée",
        "RSA": "Allocataires du RSA",
        "RQTH": "Travailleurs handicapés (RQTH)",
        "MINIMA_SOCIAUX": "Bénéficiaires de minima sociaux (ASS, AAH…)",
        "JEUNE": "Public jeune (critère d'éligibilité)",
        "SENIOR": "Demandeurs d'emploi de 50 ans et plus",
        "SIAE": "Salariés en parcours d'insertion (SIAE)",
        "PLIE": "Participants d'un PLIE",
        "AUTRE": "Autre public",
    },
    "prescripteur": {
        "FRANCE_TRAVAIL": "France Travail (ex-Pôle emploi)",
        "MISSION_LOCALE": "Mission locale",
        "PLIE": "PLIE",
        "CAP_EMPLOI": "Cap emploi",
        "SIAE": "Structure d'insertion par l'activité économique (SIAE)",
        "DEPARTEMENT": "Département (services RSA)",
        "MAISON_EMPLOI": "Maison de l'emploi",
        "FACILITATEUR": "Facilitateur des clauses sociales",
        "AUTRE": "Autre prescripteur",
        "INCONNU": "Prescripteur inconnu",
    },
    "situation_sortie": {
        "EMPLOI_DURABLE": "Emploi durable (CDI, CDD ou intérim de 6 mois et plus, création d'entreprise)",
        "EMPLOI_TRANSITION": "Emploi de transition (contrats courts, contrats aidés)",
        "FORMATION_QUALIFIANTE": "Formation qualifiante",
        "PARCOURS_IAE": "Parcours d'insertion par l'activité économique",
        "SANS_EMPLOI": "Sans emploi",
        "INCONNU": "Situation inconnue",
    },
    "sexe": {
        "F": "Femmes",
        "M": "Hommes",
    },
    "booleen": {
        "OUI": "Oui",
        "NON": "Non",
    },
}

#: Groups of contract types used in the report.
CONTRACT_GROUPS: dict[str, tuple[str, ...]] = {
    "ALTERNANCE": ("APPRENTISSAGE", "PROFESSIONNALISATION", "GEIQ"),
    "IAE": ("INTERIM_INSERTION", "MISE_A_DISPOSITION_AI", "CDDI"),
}

#: The four kinds of SIAE among the structure types.
SIAE_STRUCTURES: tuple[str, ...] = ("EI", "ETTI", "AI", "ACI")

# Usual labels beside the codes, the code labels and (for modalite) the article
# numbers of MODALITE_ARTICLES, which all map to their code automatically.
# Roman qualification levels are the old framework, Arabic ones the 2019 one.
_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "modalite": {
        "CLAUSE_EXECUTION": (
            "clause d'exécution", "clause d'insertion", "clause sociale", "clause sociale d'insertion",
            "clause sociale d'exécution", "clause d'insertion sociale", "condition d'exécution",
            "clause sociale d'insertion (condition d'exécution)"),
        "CRITERE_ATTRIBUTION": (
            "critère d'attribution", "critère social", "critère insertion", "critère d'insertion",
            "critère d'attribution insertion", "critère de performance en matière d'insertion"),
        "MARCHE_INSERTION": (
            "marché d'insertion", "marché d'insertion et de qualification",
            "marché de services d'insertion", "marché de qualification", "marché de services de qualification",
            "marché de services d'insertion et de qualification professionnelle"),
        "RESERVE_SIAE": (
            "marché réservé SIAE", "marché réservé aux SIAE", "marché réservé IAE",
            "marché réservé aux structures d'insertion", "réservé SIAE", "réservé IAE", "art. 36-2"),
        "RESERVE_HANDICAP": (
            "marché réservé EA/ESAT", "marché réservé EA ESAT", "marché réservé EA", "marché réservé ESAT",
            "marché réservé aux EA et ESAT", "marché réservé aux EA/ESAT", "marché réservé handicap",
            "marché réservé secteur protégé et adapté", "réservé EA/ESAT", "réservé handicap", "art. 36-1"),
        "RESERVE_ESS": (
            "marché réservé ESS", "marché réservé aux entreprises de l'ESS",
            "marché réservé économie sociale et solidaire", "réservé ESS"),
        "HORS_COMMANDE_PUBLIQUE": (
            "hors commande publique", "clause hors commande publique", "charte", "convention",
            "opération privée", "charte d'insertion", "convention d'insertion"),
    },
    "nature": {
        "TRAVAUX": ("marché de travaux", "marchés de travaux", "travail"),
        "SERVICES": ("service", "marché de services", "marchés de services", "prestations de services"),
        "FOURNITURES": ("fourniture", "marché de fournitures", "marchés de fournitures"),
    },
    "secteur": {
        "BTP": ("bâtiment", "travaux publics", "construction", "bâtiment et TP", "génie civil"),
        "PROPRETE": ("nettoyage", "propreté et nettoyage", "propreté urbaine", "collecte des déchets"),
        "ESPACES_VERTS": ("espaces verts", "paysage", "entretien des espaces verts", "paysagisme"),
        "RESTAURATION": ("restauration collective", "restauration scolaire"),
        "TRANSPORT_LOGISTIQUE": ("transport", "transports", "logistique", "transport et logistique"),
        "NUMERIQUE": ("informatique", "numérique", "télécommunications"),
        "PRESTATIONS_INTELLECTUELLES": ("prestation intellectuelle", "études", "conseil", "ingénierie"),
        "SERVICES_A_LA_PERSONNE": ("services à la personne", "aide à domicile", "service à la personne"),
        "INDUSTRIE": ("industrie", "industriel"),
        "AUTRE": ("autre", "autres", "divers"),
    },
    "type_donneur_ordre": {
        "ETAT": ("état", "services de l'État", "ministère", "préfecture", "administration de l'État"),
        "REGION": ("région", "conseil régional"),
        "DEPARTEMENT": ("département", "conseil départemental", "conseil général"),
        "COMMUNE": ("commune", "ville", "mairie", "municipalité"),
        "EPCI": ("EPCI", "EPT", "métropole", "intercommunalité", "communauté d'agglomération",
                 "communauté de communes", "communauté urbaine", "établissement public territorial",
                 "syndicat intercommunal", "établissement public de coopération intercommunale"),
        "BAILLEUR_SOCIAL": ("bailleur", "bailleur social", "bailleurs sociaux", "office public de l'habitat",
                            "OPH", "ESH", "HLM", "entreprise sociale pour l'habitat", "organisme HLM"),
        "ETABLISSEMENT_PUBLIC": ("établissement public", "EPA", "EPIC", "hôpital", "CHU", "université",
                                 "SGP", "Société du Grand Paris", "Société des grands projets", "RATP",
                                 "SNCF", "Solideo", "établissement public de santé"),
        "SEM_SPL": ("SEM", "SPL", "SEM/SPL", "société d'économie mixte", "société publique locale",
                    "entreprise publique locale", "EPL"),
        "PRIVE": ("privé", "privée", "donneur d'ordre privé", "maître d'ouvrage privé", "entreprise privée",
                  "acheteur privé"),
        "AUTRE": ("autre", "autres"),
    },
    "type_structure": {
        "ENTREPRISE": ("entreprise", "entreprise classique", "entreprise ordinaire", "entreprise attributaire",
                       "titulaire", "entreprise titulaire", "sous-traitant"),
        "EI": ("entreprise d'insertion",),
        "ETTI": ("entreprise de travail temporaire d'insertion", "entreprise d'intérim d'insertion"),
        "AI": ("association intermédiaire",),
        "ACI": ("atelier chantier d'insertion", "ateliers et chantiers d'insertion", "chantier d'insertion",
                "atelier et chantier d'insertion"),
        "EA": ("entreprise adaptée",),
        "ESAT": ("établissement et service d'aide par le travail", "CAT"),
        "GEIQ": ("groupement d'employeurs pour l'insertion et la qualification",),
        "ETT": ("entreprise de travail temporaire", "agence d'intérim", "intérim", "entreprise d'intérim"),
    },
    "taille": {
        "TPE": ("très petite entreprise", "micro-entreprise", "microentreprise"),
        "PME": ("petite et moyenne entreprise", "petite ou moyenne entreprise", "PE", "petite entreprise",
                "moyenne entreprise"),
        "ETI": ("entreprise de taille intermédiaire",),
        "GE": ("grande entreprise", "grand groupe", "grande"),
    },
    "type_contrat": {
        "CDI": ("contrat à durée indéterminée", "CDI de chantier", "CDI intérimaire"),
        "CDD": ("contrat à durée déterminée", "CDD d'usage", "CDD de chantier"),
        "INTERIM": ("intérim", "interim", "travail temporaire", "mission d'intérim", "contrat de mission",
                    "intérim classique", "CTT"),
        "INTERIM_INSERTION": ("intérim d'insertion", "intérim insertion", "mission ETTI", "ETTI",
                              "contrat de mission ETTI", "intérim ETTI", "CTTI"),
        "MISE_A_DISPOSITION_AI": ("mise à disposition", "MAD", "mise à disposition AI", "AI",
                                  "association intermédiaire", "mise à disposition par une AI"),
        "CDDI": ("CDD d'insertion", "CDD insertion", "contrat à durée déterminée d'insertion", "CDDI EI",
                 "CDDI ACI"),
        "APPRENTISSAGE": ("contrat d'apprentissage", "apprenti", "apprentie"),
        "PROFESSIONNALISATION": ("contrat de professionnalisation", "contrat pro", "contrat de pro"),
        "GEIQ": ("contrat GEIQ", "mise à disposition GEIQ", "alternance GEIQ", "contrat en alternance GEIQ"),
        "CONTRAT_AIDE": ("contrat aidé", "PEC", "parcours emploi compétences", "CUI", "CAE", "CIE",
                         "CUI-CAE", "CUI-CIE", "contrat unique d'insertion", "emploi d'avenir"),
        "AUTRE": ("autre", "autres"),
    },
    "niveau_qualification": {
        "INFRA_3": ("VI", "V bis", "Vbis", "infra V", "infra 5", "niveau VI", "niveau V bis", "niveau infra V",
                    "sans qualification", "sans diplôme", "aucun diplôme", "aucune qualification",
                    "niveau 1", "niveau 2", "1", "2", "brevet des collèges", "DNB", "CFG", "infra 3",
                    "infra niveau 3"),
        "3": ("V", "niveau V", "niveau 3", "CAP", "BEP", "CAP/BEP", "CAP BEP", "BEP/CAP", "CAP ou BEP"),
        "4": ("IV", "niveau IV", "niveau 4", "bac", "baccalauréat", "bac pro", "baccalauréat professionnel",
              "BP", "brevet professionnel", "brevet de technicien", "BT"),
        "5": ("III", "niveau III", "niveau 5", "bac+2", "BTS", "DUT", "DEUG", "DEUST"),
        "6_PLUS": ("II", "I", "niveau II", "niveau I", "niveau 6", "niveau 7", "niveau 8", "6", "7", "8",
                   "bac+3", "bac+4", "bac+5", "bac+8", "bac+3 et plus", "licence", "licence pro", "maîtrise",
                   "master", "doctorat", "diplôme d'ingénieur", "6 et plus"),
        "INCONNU": ("inconnu", "non renseigné", "NR", "non connu", "ne sait pas", "NSP"),
    },
    "critere": {
        "DELD": ("demandeur d'emploi de longue durée", "demandeurs d'emploi de longue durée", "DELD",
                 "DETLD", "chômeur de longue durée", "DE longue durée", "DE de longue durée", "DLD"),
        "RSA": ("bénéficiaire du RSA", "allocataire du RSA", "BRSA", "RSA socle", "bénéficiaires du RSA"),
        "RQTH": ("travailleur handicapé", "personne handicapée", "BOETH", "TH", "handicap",
                 "personne en situation de handicap", "reconnaissance de la qualité de travailleur handicapé"),
        "MINIMA_SOCIAUX": ("minima sociaux", "minimum social", "ASS", "AAH", "ATA",
                           "bénéficiaire de minima sociaux", "bénéficiaire des minima sociaux"),
        "JEUNE": ("jeune", "jeunes", "moins de 26 ans", "jeune de moins de 26 ans", "jeunes de moins de 26 ans",
                  "-26 ans", "jeune -26 ans"),
        "SENIOR": ("senior", "seniors", "plus de 50 ans", "50 ans et plus", "demandeur d'emploi de plus de 50 ans",
                   "DE de plus de 50 ans", "+50 ans"),
        "SIAE": ("IAE", "parcours IAE", "salarié en insertion", "salarié en parcours d'insertion",
                 "personne en parcours IAE", "salarié SIAE"),
        "PLIE": ("participant PLIE", "participant du PLIE", "participants PLIE"),
        "AUTRE": ("autre", "autres", "E2C", "EPIDE", "école de la deuxième chance", "autre public"),
    },
    "prescripteur": {
        "FRANCE_TRAVAIL": ("Pôle emploi", "France Travail", "PE", "FT", "ANPE", "Pôle-emploi"),
        "MISSION_LOCALE": ("mission locale", "missions locales", "ML"),
        "PLIE": ("plan local pour l'insertion et l'emploi",),
        "CAP_EMPLOI": ("Cap emploi",),
        "SIAE": ("IAE", "structure d'insertion", "structure IAE"),
        "DEPARTEMENT": ("département", "conseil départemental", "conseil général", "service RSA", "services RSA",
                        "CD", "référent RSA"),
        "MAISON_EMPLOI": ("maison de l'emploi", "MDE", "maison emploi", "MDEF"),
        "FACILITATEUR": ("facilitateur", "facilitatrice", "facilitateur clauses sociales", "chargé de mission clauses"),
        "AUTRE": ("autre", "autres", "candidature spontanée"),
        "INCONNU": ("inconnu", "non renseigné", "NR", "non connu"),
    },
    "situation_sortie": {
        "EMPLOI_DURABLE": ("emploi durable", "CDI", "CDD de 6 mois et plus", "CDD 6 mois et plus",
                           "création d'entreprise", "intérim de 6 mois et plus"),
        "EMPLOI_TRANSITION": ("emploi de transition", "emploi transition", "CDD de moins de 6 mois",
                              "contrat aidé", "contrat court"),
        "FORMATION_QUALIFIANTE": ("formation", "formation qualifiante", "en formation", "entrée en formation"),
        "PARCOURS_IAE": ("parcours IAE", "IAE", "SIAE", "parcours d'insertion"),
        "SANS_EMPLOI": ("sans emploi", "demandeur d'emploi", "chômage", "au chômage", "recherche d'emploi"),
        "INCONNU": ("inconnu", "inconnue", "non renseigné", "NR", "perdu de vue", "non connue"),
    },
    "sexe": {
        "F": ("femme", "féminin", "Mme", "madame", "fille"),
        "M": ("homme", "masculin", "H", "M.", "Mr", "monsieur", "garçon"),
    },
    "booleen": {
        "OUI": ("oui", "o", "1", "true", "vrai", "x", "yes", "y"),
        "NON": ("non", "n", "0", "false", "faux", "no"),
    },
}

# Values that name several codes: not mapped, explained to the user.
_AMBIGUOUS: dict[str, dict[str, str]] = {
    "modalite": {
        "art. 36": "l'article 36 de l'ordonnance de 2015 couvre deux modalités : préciser « art. 36-I » "
                   "(marché réservé aux EA et ESAT) ou « art. 36-II » (marché réservé aux SIAE)",
        "marché réservé": "préciser le type de marché réservé : « marché réservé SIAE », "
                          "« marché réservé EA/ESAT » ou « marché réservé ESS »",
    },
}


def fold(text: str) -> str:
    """Lower-case ``text`` without accents, ligatures (œ, æ) or surrounding spaces."""
    text = unicodedata.normalize("NFKD", text.strip().casefold().replace("œ", "oe").replace("æ", "ae"))
    return "".join(char for char in text if not unicodedata.combining(char))


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
# Words that only say which legal text an article belongs to.
_LEGAL_TEXT = re.compile(
    r"\b(?:(?:du|de la|de l|de|des) )?(?:code des marches publics|code de la commande publique|"
    r"cmp(?: 2006)?|ccp|ordonnance(?: n)?(?: 2015 899)?|ord|decret(?: n)?(?: 2016 360)?)\b")


def _key(value: str) -> str:
    """Matching key: folded, punctuation as spaces, letters and digits split."""
    text = _NOT_ALNUM.sub(" ", fold(value))
    return " ".join(_LETTER_DIGIT.sub(" ", text).split())


def _modalite_key(value: str) -> str:
    """Matching key of a modality: « article » = « art. », legal text names dropped,
    « art. » dropped before a code article (« Article L2112-2 » = « L2112-2 »)."""
    text = _LEGAL_TEXT.sub(" ", re.sub(r"\barticle\b", "art", _key(value)))
    return " ".join(re.sub(r"\bart (?=[lr] [0-9])", "", text).split())


def _key_function(nomenclature: str):
    return _modalite_key if nomenclature == "modalite" else _key


def _build_index(nomenclature: str) -> dict[str, str]:
    """Every matching key of ``nomenclature`` → its code (codes, labels, synonyms)."""
    key = _key_function(nomenclature)
    index: dict[str, str] = {}
    for code, label_text in NOMENCLATURES[nomenclature].items():
        names = [code, label_text, *_SYNONYMS.get(nomenclature, {}).get(code, ())]
        if nomenclature == "modalite":
            ccp, *older = MODALITE_ARTICLES[code]
            # « R2123-1 3° » is also written « R2123-1 ».
            names += [article for article in (ccp, *older, ccp and ccp.split(" ")[0]) if article]
        for name in names:
            previous = index.setdefault(key(name), code)
            if previous != code:  # a key claimed by two codes is a bug of this table
                raise ValueError(f"{nomenclature} : « {name} » désigne à la fois {previous} et {code}")
    return index


_INDEX: dict[str, dict[str, str]] = {name: _build_index(name) for name in NOMENCLATURES}
_AMBIGUOUS_INDEX: dict[str, dict[str, str]] = {
    name: {_key_function(name)(value): why for value, why in values.items()}
    for name, values in _AMBIGUOUS.items()
}


def _check(nomenclature: str) -> None:
    if nomenclature not in NOMENCLATURES:
        raise KeyError(f"nomenclature inconnue : {nomenclature}")


def normalize(nomenclature: str, value: object) -> str | None:
    """Canonical code of ``value`` (a code or a usual label) in ``nomenclature``.

    Returns ``None`` when ``value`` is blank, unknown or ambiguous (see
    :func:`ambiguity`). Raises ``KeyError`` for an unknown nomenclature.
    """
    _check(nomenclature)
    if value is None:
        return None
    return _INDEX[nomenclature].get(_key_function(nomenclature)(str(value)))


def ambiguity(nomenclature: str, value: object) -> str | None:
    """Why ``value`` cannot be mapped to one code of ``nomenclature`` (French), or ``None``."""
    _check(nomenclature)
    return _AMBIGUOUS_INDEX.get(nomenclature, {}).get(_key_function(nomenclature)(str(value)))


def codes(nomenclature: str) -> tuple[str, ...]:
    """Canonical codes of ``nomenclature`` in publishable order."""
    _check(nomenclature)
    return tuple(NOMENCLATURES[nomenclature])


def label(nomenclature: str, code: str) -> str:
    """French label of ``code``; « Non renseigné » for :data:`NON_RENSEIGNE`."""
    _check(nomenclature)
    if code == NON_RENSEIGNE:
        return NON_RENSEIGNE_LABEL
    try:
        return NOMENCLATURES[nomenclature][code]
    except KeyError:
        raise KeyError(f"code inconnu dans la nomenclature {nomenclature} : {code}") from None


#: Départements of France (metropolitan, Corsica, overseas): code → name, in code order.
DEPARTEMENTS: dict[str, str] = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence", "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes", "09": "Ariège", "10": "Aube",
    "11": "Aude", "12": "Aveyron", "13": "Bouches-du-Rhône", "14": "Calvados", "15": "Cantal",
    "16": "Charente", "17": "Charente-Maritime", "18": "Cher", "19": "Corrèze",
    "2A": "Corse-du-Sud", "2B": "Haute-Corse",
    "21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne", "25": "Doubs",
    "26": "Drôme", "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère", "30": "Gard",
    "31": "Haute-Garonne", "32": "Gers", "33": "Gironde", "34": "Hérault", "35": "Ille-et-Vilaine",
    "36": "Indre", "37": "Indre-et-Loire", "38": "Isère", "39": "Jura", "40": "Landes",
    "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire", "44": "Loire-Atlantique", "45": "Loiret",
    "46": "Lot", "47": "Lot-et-Garonne", "48": "Lozère", "49": "Maine-et-Loire", "50": "Manche",
    "51": "Marne", "52": "Haute-Marne", "53": "Mayenne", "54": "Meurthe-et-Moselle", "55": "Meuse",
    "56": "Morbihan", "57": "Moselle", "58": "Nièvre", "59": "Nord", "60": "Oise",
    "61": "Orne", "62": "Pas-de-Calais", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin",
    "69": "Rhône", "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe", "73": "Savoie",
    "74": "Haute-Savoie", "75": "Paris", "76": "Seine-Maritime", "77": "Seine-et-Marne",
    "78": "Yvelines", "79": "Deux-Sèvres", "80": "Somme", "81": "Tarn", "82": "Tarn-et-Garonne",
    "83": "Var", "84": "Vaucluse", "85": "Vendée", "86": "Vienne", "87": "Haute-Vienne",
    "88": "Vosges", "89": "Yonne", "90": "Territoire de Belfort", "91": "Essonne",
    "92": "Hauts-de-Seine", "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise",
    "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte",
}

_DEPARTEMENT_RANK = {code: rank for rank, code in enumerate(DEPARTEMENTS)}


def normalize_departement(value: object) -> str | None:
    """Département code of ``value`` (« 75 », « 2a », « 1 » for « 01 »), ``None`` if unknown."""
    text = str(value).strip().upper() if value is not None else ""
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    return text if text in DEPARTEMENTS else None


def departement_name(code: str) -> str | None:
    """Name of the département ``code`` (« Seine-Saint-Denis »), ``None`` if unknown."""
    return DEPARTEMENTS.get(code)


def departement_sort_key(code: str) -> tuple[int, str]:
    """Sort key putting départements in official order (2A, 2B after 19), unknown codes last."""
    return _DEPARTEMENT_RANK.get(code, len(DEPARTEMENTS)), code


def is_arrondissement(insee_code: str) -> bool:
    """Whether an INSEE code is a municipal arrondissement of Paris, Lyon or Marseille."""
    code = str(insee_code)
    return ("75101" <= code <= "75120" or "69381" <= code <= "69389" or "13201" <= code <= "13216") \
        and len(code) == 5


def departement_of_commune(insee_code: str) -> str | None:
    """Département of an INSEE commune code (« 93066 » → « 93 », « 97411 » → « 974 »,
    « 2A004 » → « 2A »), ``None`` when the code is malformed or the département unknown."""
    code = str(insee_code).strip().upper()
    if len(code) != 5:
        return None
    departement = code[:3] if code.startswith("97") else code[:2]
    return departement if departement in DEPARTEMENTS else None


# Article of each département's name: « le », « la », « l' », « les », or "" (Paris, Mayotte,
# La Réunion whose article is part of the name). Codes absent here take « la ».
_ARTICLE_LE = ("14", "15", "18", "25", "29", "30", "32", "39", "41", "45", "46", "47", "56", "59", "62",
               "63", "67", "68", "69", "81", "82", "83", "84", "90", "94", "95")
_ARTICLE_L = ("01", "02", "03", "07", "09", "10", "11", "12", "27", "34", "36", "38", "60",
              "61", "89", "91")
_ARTICLE_LES = ("04", "05", "06", "08", "13", "22", "40", "64", "65", "66", "78", "79", "88", "92")
_VOWELS = tuple("AEIOUYÉÈÊÎÔÂ")
# Paris, La Réunion (article in the name), Mayotte, and the « X-et-Y » names the official geographic
# code writes without article (« d'Eure-et-Loir », « de Seine-et-Marne »).
_ARTICLE_NONE = ("28", "35", "37", "49", "54", "71", "75", "77", "974", "976")
#: Départements whose usual locative is « en » (« en Seine-Saint-Denis », « en Maine-et-Loire »);
#: the others take « dans » and their article (« dans le Nord »), Paris, La Réunion and Mayotte « à ».
_LOCATIVE_EN = ("07", "09", "12", "16", "17", "19", "2A", "2B", "21", "24", "28", "31", "33", "35", "37", "38",
                "43", "44", "48", "49", "52", "53", "54", "57", "70", "71", "73", "74", "76", "77", "85", "87",
                "91", "93", "971", "972", "973")

#: The 18 regions of France: name → (article, locative), « en Île-de-France », « dans le Grand Est ».
REGIONS: dict[str, tuple[str, str]] = {
    "Auvergne-Rhône-Alpes": ("l'", "en"),
    "Bourgogne-Franche-Comté": ("la", "en"),
    "Bretagne": ("la", "en"),
    "Centre-Val de Loire": ("le", "en"),
    "Corse": ("la", "en"),
    "Grand Est": ("le", "dans le"),
    "Hauts-de-France": ("les", "dans les"),
    "Île-de-France": ("l'", "en"),
    "Normandie": ("la", "en"),
    "Nouvelle-Aquitaine": ("la", "en"),
    "Occitanie": ("l'", "en"),
    "Pays de la Loire": ("les", "dans les"),
    "Provence-Alpes-Côte d'Azur": ("la", "en"),
    "Guadeloupe": ("la", "en"),
    "Martinique": ("la", "en"),
    "Guyane": ("la", "en"),
    "La Réunion": ("", "à"),
    "Mayotte": ("", "à"),
}

_OF = {"le": "du ", "la": "de la ", "l'": "de l'", "les": "des ", "": "de "}


def _of(article: str, name: str) -> str:
    """« de » and the article, contracted or elided: « du Nord », « d'Eure-et-Loir »."""
    if not article and name.startswith(_VOWELS):
        return f"d'{name}"
    return _OF[article] + name


def _departement_article(code: str) -> str:
    for article, group in (("le", _ARTICLE_LE), ("l'", _ARTICLE_L), ("les", _ARTICLE_LES), ("", _ARTICLE_NONE)):
        if code in group:
            return article
    return "la"


def _with_article(article: str, name: str) -> str:
    return f"{article}{name}" if article == "l'" else f"{article} {name}".strip()


def departement_with_article(code: str) -> str:
    """« la Seine-Saint-Denis », « les Hauts-de-Seine », « l'Essonne », « Paris »."""
    return _with_article(_departement_article(code), DEPARTEMENTS[code])


def departement_in(code: str) -> str:
    """Locative of a département: « à Paris », « en Seine-Saint-Denis », « dans les Hauts-de-Seine »,
    « dans le Nord », « à La Réunion »; the code itself when the département is unknown."""
    if code not in DEPARTEMENTS:
        return f"dans le département {code}"
    name, article = DEPARTEMENTS[code], _departement_article(code)
    if code in _LOCATIVE_EN:
        return f"en {name}"
    if not article:
        return f"à {name}"
    return f"dans {_with_article(article, name)}"


def departement_of(code: str) -> str:
    """Genitive of a département: « de Paris », « de la Seine-Saint-Denis », « du Nord », « des Yvelines »."""
    if code not in DEPARTEMENTS:
        return f"du département {code}"
    return _of(_departement_article(code), DEPARTEMENTS[code])


def region_in(name: str) -> str:
    """Locative of a region: « en Île-de-France », « dans les Hauts-de-France », « à La Réunion »;
    « dans la région <name> » for a name outside the 18 regions."""
    if name not in REGIONS:
        return f"dans la région {name}"
    return f"{REGIONS[name][1]} {name}"


def region_of(name: str) -> str:
    """Genitive of a region: « de l'Île-de-France », « des Hauts-de-France », « du Grand Est »."""
    if name not in REGIONS:
        return f"de la région {name}"
    return _of(REGIONS[name][0], name)
