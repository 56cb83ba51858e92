"""The catalogue: every breakdown dimension, key figure and published column, declared once.

Each entry says what a code is (French label and definition, kind and format,
level), how it behaves under statistical secrecy (exclusive cells, participants
that add up, company cells, the breakdown a key figure is linked to, the
denominator a share is computed on), how its evolution is expressed and how it
is written in the open data. Computation (:mod:`panorama.compute.indicators`),
protection (:mod:`panorama.protect.confidentiality`), composition and writing all read
these declarations; the families generated from a rule (``heures_public_<critère>``,
``part_<heures>``, ``taux_evolution_<code>``) are declared here by that rule.

Lookups fail closed: a code the catalogue does not know raises
:class:`UnknownCodeError` (an internal inconsistency that stops the build before
anything is written), and a share declared without the breakdown it is linked
to is refused when the module is imported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from panorama.core import referential
from panorama.core.errors import PanoramaError

NON_RENSEIGNE = referential.NON_RENSEIGNE


class CatalogueError(PanoramaError):
    """The catalogue is inconsistent, or a code is used that it does not declare."""


class UnknownCodeError(CatalogueError, KeyError):
    """A dimension, key figure or published column the catalogue does not declare."""

    def __init__(self, what: str, code: str):
        self.code = code
        super().__init__(f"Incohérence interne : {what} « {code} » absent du catalogue des indicateurs ; "
                         f"rien n'a été écrit. Déclarez-le dans panorama/core/catalogue.py.")

    def __str__(self) -> str:
        return str(self.args[0])


# --- dimensions -----------------------------------------------------------------------------------

AGE_BANDS = (("MOINS_26", "Moins de 26 ans"), ("26_49", "26 à 49 ans"), ("50_PLUS", "50 ans et plus"))
CONTRACT_GROUPS = (("IAE", "Insertion par l'activité économique (IAE)"),
                   ("ALTERNANCE", "Alternance"), ("AUTRE", "Autres contrats"))
QPV_CODES = (("OUI", "Réside en QPV"), ("NON", "Ne réside pas en QPV"))
#: Bands ``[low, high)`` of contract length in days: (low, high, code, label).
DURATION_BANDS = ((0, 31, "MOINS_1_MOIS", "Moins d'un mois"),
                  (31, 92, "1_3_MOIS", "1 à 3 mois"),
                  (92, 183, "3_6_MOIS", "3 à 6 mois"),
                  (183, 366, "6_12_MOIS", "6 à 12 mois"),
                  (366, math.inf, "PLUS_12_MOIS", "Plus de 12 mois"))
#: Bands ``[low, high)`` of a participant's hours in a perimeter: (low, high, code, label).
HOURS_BANDS = ((0, 150, "MOINS_150", "Moins de 150 h"),
               (150, 300, "150_299", "150 à 299 h"),
               (300, 600, "300_599", "300 à 599 h"),
               (600, 1200, "600_1199", "600 à 1 199 h"),
               (1200, math.inf, "1200_PLUS", "1 200 h et plus"))
EN_COURS = ("EN_COURS", "Contrat en cours au 31 décembre")
#: Five-year bands ``[low, high)`` of age in the year of the data, for the age pyramid:
#: (low, high, code, label). The youngest participants allowed are 14.
FIVE_YEAR_AGE_BANDS = ((0, 20, "MOINS_20", "Moins de 20 ans"),
                       *((low, low + 5, f"{low}_{low + 4}", f"{low}-{low + 4} ans") for low in range(20, 60, 5)),
                       (60, math.inf, "60_PLUS", "60 ans ou plus"))

OPERATION, CONTRACT, PARTICIPANT = "operation", "contrat", "participant"


@dataclass(frozen=True)
class Dimension:
    """One breakdown of the export: a column of the fact table and how to label it.

    ``level`` says what the dimension describes: ``operation`` (counted in
    operations too), ``contrat`` or ``participant``. ``nomenclature`` names the
    referential used for labels and order (``None``: free text or local bands,
    whose codes and labels are ``labels``). ``exclusive``: the cells partition
    their perimeter (``publics`` overlap). ``across``: a cell of the region is the
    sum of the départements' (not so for bands that depend on the perimeter).
    ``company``: a cell of hours describes a few companies (type of structure or
    contract), under the companies' secrecy rule.
    """

    name: str
    column: str
    level: str
    nomenclature: str | None = None
    title: str = ""
    exclusive: bool = True
    across: bool = True
    company: bool = False
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def participants_add_up(self) -> bool:
        """A participant belongs to one cell only: participant counts add up exactly."""
        return self.exclusive and self.level == PARTICIPANT

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        """The dimensions of this breakdown (itself)."""
        return (self,)


@dataclass(frozen=True)
class Cross:
    """A cross-tab of two dimensions, published as breakdown ``name`` (codes ``A|B``)."""

    name: str
    first: Dimension
    second: Dimension

    @property
    def dimensions(self) -> tuple[Dimension, Dimension]:
        """The two dimensions crossed."""
        return (self.first, self.second)

    @property
    def participants_add_up(self) -> bool:
        """Participants add up exactly along both margins."""
        return self.first.participants_add_up and self.second.participants_add_up

    exclusive = False  # related to its margins, not directly to the perimeter's total
    across = True
    company = False


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("modalite", "modalite", OPERATION, "modalite", "Modalité juridique"),
    Dimension("nature", "nature", OPERATION, "nature", "Nature du marché"),
    Dimension("secteur", "secteur", OPERATION, "secteur", "Secteur d'activité"),
    Dimension("type_donneur_ordre", "type_donneur_ordre", OPERATION, "type_donneur_ordre",
              "Type de donneur d'ordre"),
    Dimension("grand_projet", "grand_projet", OPERATION, None, "Grand projet"),
    Dimension("departement_execution", "departement", OPERATION, "departement", "Département d'exécution"),
    Dimension("commune_execution", "commune", OPERATION, "commune", "Commune d'exécution"),
    Dimension("type_structure", "type_structure", CONTRACT, "type_structure", "Type de structure", company=True),
    Dimension("type_contrat", "type_contrat", CONTRACT, "type_contrat", "Type de contrat", company=True),
    Dimension("taille_entreprise", "taille_entreprise", CONTRACT, "taille", "Taille de l'entreprise", company=True),
    Dimension("groupe_contrat", "groupe_contrat", CONTRACT, None, "Groupe de contrats", company=True,
              labels=CONTRACT_GROUPS),
    Dimension("duree_contrat", "duree_contrat", CONTRACT, None, "Durée du contrat",
              labels=(*((code, label) for *_, code, label in DURATION_BANDS), EN_COURS)),
    Dimension("sexe", "sexe", PARTICIPANT, "sexe", "Sexe"),
    Dimension("tranche_age", "tranche_age", PARTICIPANT, None, "Tranche d'âge", labels=AGE_BANDS),
    Dimension("age_quinquennal", "age_quinquennal", PARTICIPANT, None, "Âge (tranches de cinq ans)",
              labels=tuple((code, label) for *_, code, label in FIVE_YEAR_AGE_BANDS)),
    Dimension("niveau_qualification", "niveau_qualification", PARTICIPANT, "niveau_qualification",
              "Niveau de qualification"),
    Dimension("critere_principal", "critere_principal", PARTICIPANT, "critere", "Critère principal"),
    Dimension("publics", "public", PARTICIPANT, "critere", "Publics (non exclusifs)", exclusive=False),
    Dimension("prescripteur", "prescripteur", PARTICIPANT, "prescripteur", "Prescripteur"),
    Dimension("situation_sortie", "situation_sortie", PARTICIPANT, "situation_sortie", "Situation six mois après"),
    Dimension("departement_residence", "departement_residence", PARTICIPANT, "departement",
              "Département de résidence"),
    Dimension("qpv", "qpv", PARTICIPANT, None, "Résidence en QPV", labels=QPV_CODES),
    Dimension("heures_par_participant", "tranche_heures", PARTICIPANT, None, "Heures par participant",
              across=False, labels=tuple((code, label) for *_, code, label in HOURS_BANDS)),
)
_DIMENSIONS = {d.name: d for d in DIMENSIONS}

CROSSES: tuple[Cross, ...] = (
    Cross("sexe_x_tranche_age", _DIMENSIONS["sexe"], _DIMENSIONS["tranche_age"]),
    Cross("sexe_x_age_quinquennal", _DIMENSIONS["sexe"], _DIMENSIONS["age_quinquennal"]),
    Cross("sexe_x_nature", _DIMENSIONS["sexe"], _DIMENSIONS["nature"]),
    Cross("modalite_x_departement", _DIMENSIONS["modalite"], _DIMENSIONS["departement_execution"]),
)
_BREAKDOWNS: dict[str, Dimension | Cross] = {**_DIMENSIONS, **{c.name: c for c in CROSSES}}


def dimension(name: str) -> Dimension:
    """The dimension ``name``; :class:`UnknownCodeError` when the catalogue does not declare it."""
    try:
        return _DIMENSIONS[name]
    except KeyError:
        raise UnknownCodeError("la répartition", name) from None


def breakdown(name: str) -> Dimension | Cross:
    """The published breakdown ``name``: a dimension or a cross-tab (fails closed)."""
    try:
        return _BREAKDOWNS[name]
    except KeyError:
        raise UnknownCodeError("la répartition", name) from None


# --- key figures ----------------------------------------------------------------------------------

#: Kind of a key figure → formatting kind of its values in the documents.
_FORMATS = {"count": "nombre", "hours": "heures", "etp": "etp", "mean": "nombre", "share": "part",
            "rate": "part", "days": "nombre", "euros": "euros"}


@dataclass(frozen=True)
class Link:
    """A breakdown (``dimension``) a key figure is computed from, or one cell (``code``) of it:
    when that breakdown (that cell) is secret in a perimeter, so is the key figure."""

    dimension: str
    code: str | None = None


@dataclass(frozen=True)
class Denominator:
    """The participants a share is computed on, as cells of a breakdown: the cells ``codes``
    (every known code when ``None``) except ``excluded`` and the missing ones. The share is
    secret when they are fewer than the threshold."""

    dimension: str
    codes: tuple[str, ...] | None = None
    excluded: tuple[str, ...] = ()
    known: str = ""
    """What the participants counted have known (« situation connue »), to state the coverage."""

    def counts(self, code: str) -> bool:
        """Whether participants of cell ``code`` are in the denominator."""
        return code != NON_RENSEIGNE and code not in self.excluded and (self.codes is None or code in self.codes)


@dataclass(frozen=True)
class KeyFigure:
    """A key figure: French label and definition, kind (``count``, ``hours``, ``etp``,
    ``mean``, ``share``, ``rate``, ``days``, ``euros``), the breakdown it is linked to for secrecy
    (``linked``), the participants a share is computed on when not the perimeter's
    (``denominator``), whether its rate of evolution is published (``taux_evolution_<code>``
    rows) and whether it has a share of the perimeter's hours (``part_<code>``). ``study``:
    computed by a study only (not a key figure of the panorama)."""

    code: str
    label: str
    kind: str
    definition: str
    linked: Link | None = None
    denominator: Denominator | None = None
    evolution_row: bool = False
    hours_share: bool = False
    study: bool = False

    def __post_init__(self):
        if self.kind not in _FORMATS:
            raise CatalogueError(f"Catalogue : nature « {self.kind} » inconnue pour l'indicateur « {self.code} ».")
        if self.kind == "share" and not self.study and self.linked is None:
            raise CatalogueError(f"Catalogue : la part « {self.code} » n'est liée à aucune répartition ; "
                                 f"elle serait publiée sans protection secondaire.")
        if self.hours_share and self.kind != "hours":
            raise CatalogueError(f"Catalogue : « {self.code} » n'est pas un nombre d'heures.")

    @property
    def format(self) -> str:
        """Formatting kind of the values (``nombre``, ``heures``, ``etp``, ``part``)."""
        return _FORMATS[self.kind]

    @property
    def evolution(self) -> str:
        """How an evolution over a year is expressed: ``points`` (difference of fractions)
        for a share, else ``rate`` (N / (N−1) − 1)."""
        return "points" if self.kind == "share" else "rate"

    @property
    def integer(self) -> bool:
        """Written without decimals in the open data."""
        return self.kind == "count"


def _figure(code, label, kind, definition, **more) -> tuple[str, KeyFigure]:
    return code, KeyFigure(code, label, kind, definition, **more)


#: The key figures of the panorama, in the order of their definitions.
KEY_FIGURES: dict[str, KeyFigure] = dict([
    _figure("heures", "heures d'insertion réalisées", "hours",
            "Somme des heures d'insertion réalisées dans l'année (contrats).", evolution_row=True),
    _figure("etp_1820", "équivalents temps plein (1\u202f820\u00a0h)", "etp",
            "Heures ÷ 1\u202f820 (35\u00a0h × 52 semaines).", evolution_row=True),
    _figure("etp_1607", "équivalents temps plein (1\u202f607\u00a0h)", "etp",
            "Heures ÷ 1\u202f607 (durée légale annuelle).", evolution_row=True),
    _figure("participants", "participants", "count",
            "Personnes distinctes ayant au moins un contrat dans l'année.", evolution_row=True),
    _figure("contrats", "contrats", "count", "Contrats de travail ou missions ayant porté des heures dans l'année.",
            evolution_row=True),
    _figure("operations", "opérations suivies", "count", "Marchés ou lots comportant une clause, suivis dans l'année.",
            evolution_row=True),
    _figure("operations_actives", "opérations actives", "count", "Opérations ayant au moins un contrat dans l'année.",
            evolution_row=True),
    _figure("donneurs_ordre", "donneurs d'ordre", "count", "Acheteurs distincts des opérations suivies.",
            evolution_row=True),
    _figure("entreprises", "entreprises", "count", "Entreprises et structures distinctes ayant réalisé des heures.",
            evolution_row=True),
    _figure("heures_par_participant", "heures par participant", "mean",
            "Heures ÷ participants (durée moyenne d'un parcours).", evolution_row=True),
    _figure("heures_par_contrat", "heures par contrat", "mean", "Heures ÷ contrats.", evolution_row=True),
    _figure("taux_realisation_annuel", "taux de réalisation annuel des heures prévues", "rate",
            "Heures réalisées dans l'année sur les opérations dont les heures prévues sont renseignées ÷ heures "
            "prévues par les clauses de ces opérations (pour toute leur durée) : la part des engagements réalisée "
            "dans l'année. Vide quand aucune opération du périmètre n'a d'heures prévues.", evolution_row=True),
    _figure("couverture_heures_prevues", "opérations dont les heures prévues sont renseignées", "rate",
            "Opérations suivies dont les heures prévues par la clause sont renseignées ÷ opérations suivies : la "
            "couverture du taux de réalisation annuel."),
    # Amounts of marchés publics are public data (données essentielles de la commande publique, published by
    # the buyers): no secrecy link. Private operations and clauses outside public procurement are left out.
    _figure("montant_ht", "montant des marchés comportant une clause (euros HT)", "euros",
            "Somme des montants hors taxes des marchés publics suivis dont le montant est renseigné (montant du "
            "marché ou du lot pour toute sa durée, et non de la seule année ; hors donneurs d'ordre privés et "
            "clauses hors commande publique). Vide quand aucun montant n'est renseigné."),
    _figure("couverture_montant_ht", "marchés dont le montant est renseigné", "rate",
            "Marchés publics suivis dont le montant hors taxes est renseigné ÷ marchés publics suivis : la "
            "couverture des montants."),
    # The family montant_ht_<nature>: one key figure per nature of the referential.
    *(_figure(f"montant_ht_{code}", f"montant des marchés de {referential.label('nature', code).lower()} (euros HT)",
              "euros", f"Somme des montants hors taxes des marchés publics suivis de nature « "
              f"{referential.label('nature', code).lower()} » dont le montant est renseigné. Vide quand aucun ne "
              f"l'est.")
      for code in referential.codes("nature")),
    _figure("part_femmes", "de femmes", "share", "Participantes ÷ participants.", linked=Link("sexe")),
    _figure("part_moins_26", "de moins de 26 ans", "share",
            "Participants de 25 ans ou moins dans l'année ÷ participants.", linked=Link("tranche_age")),
    _figure("part_26_49", "de 26 à 49 ans", "share", "Participants de 26 à 49 ans ÷ participants.",
            linked=Link("tranche_age")),
    _figure("part_50_plus", "de 50 ans et plus", "share", "Participants de 50 ans ou plus ÷ participants.",
            linked=Link("tranche_age")),
    _figure("part_qpv", "résidant en QPV", "share",
            "Participants résidant en quartier prioritaire ÷ participants dont la résidence est connue.",
            linked=Link("qpv"), denominator=Denominator("qpv", codes=tuple(code for code, _ in QPV_CODES),
                                                   known="résidence connue")),
    _figure("part_sortie_emploi_durable", "en emploi durable six mois après", "share",
            "Participants en emploi durable six mois après leur dernier contrat ÷ participants dont la situation "
            "est connue.", linked=Link("situation_sortie"),
            denominator=Denominator("situation_sortie", excluded=("INCONNU",), known="situation connue")),
    _figure("heures_iae", "heures en parcours IAE", "hours",
            "Heures des contrats d'insertion par l'activité économique (intérim d'insertion, mise à disposition "
            "par une AI, CDDI).", linked=Link("groupe_contrat"), hours_share=True),
    _figure("heures_alternance", "heures en alternance", "hours",
            "Heures des contrats d'apprentissage, de professionnalisation et en GEIQ.",
            linked=Link("groupe_contrat"), hours_share=True),
    _figure("heures_public_QPV", "heures réalisées par des résidents de QPV", "hours",
            "Heures des participants résidant en quartier prioritaire.", linked=Link("qpv"), hours_share=True),
    # The family heures_public_<critère>: one key figure per criterion of the referential.
    *(_figure(f"heures_public_{code}", f"heures réalisées par le public « {referential.label('critere', code)} »",
              "hours", "Heures des participants dont le critère principal ou les publics comprennent ce critère "
              "(non exclusif : les publics se recouvrent).", linked=Link("publics", code), hours_share=True)
      for code in referential.codes("critere")),
])

#: Figures computed by the studies only (their tables of key figures).
STUDY_FIGURES: dict[str, KeyFigure] = dict([
    _figure("duree_mediane_jours", "durée médiane d'un contrat terminé (jours)", "days",
            "Durée médiane des contrats du groupe terminés au 31 décembre, en jours.", study=True),
    _figure("heures_prevues", "heures prévues par les clauses", "hours",
            "Heures d'insertion prévues par les clauses des opérations, pour toute leur durée.", study=True),
    _figure("heures_realisees_cumulees", "heures réalisées sur ces opérations", "hours",
            "Heures réalisées sur les opérations au cours des années disponibles.", study=True),
    _figure("taux_realisation", "taux de réalisation des heures prévues", "rate",
            "Heures réalisées cumulées ÷ heures prévues.", study=True),
    _figure("taux_realisation_median", "taux de réalisation médian des donneurs d'ordre", "rate",
            "Médiane des taux de réalisation des donneurs d'ordre.", study=True),
])

HOURS_SHARE_PREFIX = "part_"
EVOLUTION_PREFIX = "taux_evolution_"


def _hours_share(figure: KeyFigure) -> KeyFigure:
    """``part_<code>``: the share of the perimeter's hours of an hours figure, linked as it is."""
    return KeyFigure(HOURS_SHARE_PREFIX + figure.code, f"des {figure.label}", "share",
                     f"{figure.label[:1].upper()}{figure.label[1:]} ÷ heures d'insertion réalisées du périmètre "
                     f"(fraction entre 0 et 1). {figure.definition}", linked=figure.linked, study=figure.study)


def _evolution(figure: KeyFigure) -> KeyFigure:
    """``taux_evolution_<code>``: the rate of evolution of a key figure over a year."""
    label = indicator_label(figure.code)
    return KeyFigure(EVOLUTION_PREFIX + figure.code, f"Évolution sur un an : {label[0].lower()}{label[1:]}", "rate",
                     "Valeur de l'année ÷ valeur de l'année précédente − 1, en fraction (0.25 = hausse de 25 %) ; "
                     "absent quand l'année précédente manque ou que l'indicateur y vaut 0.", linked=figure.linked)


#: Shares of the perimeter's hours (``part_<heures>``), generated from the hours figures.
HOURS_SHARES: dict[str, KeyFigure] = {
    HOURS_SHARE_PREFIX + f.code: _hours_share(f) for f in KEY_FIGURES.values() if f.hours_share}


@cache
def key_figure(code: str) -> KeyFigure:
    """The key figure ``code``: declared, a generated share of hours (``part_<heures>``) or
    rate of evolution (``taux_evolution_<code>``); :class:`UnknownCodeError` otherwise."""
    for table in (KEY_FIGURES, HOURS_SHARES, STUDY_FIGURES):
        if code in table:
            return table[code]
    if code.startswith(EVOLUTION_PREFIX):
        base = KEY_FIGURES.get(code.removeprefix(EVOLUTION_PREFIX))
        if base is not None and base.evolution_row:
            return _evolution(base)
    raise UnknownCodeError("l'indicateur", code)


def indicator_label(code: str) -> str:
    """French label of an indicator as a heading (« Part de femmes », « Heures par contrat »)."""
    figure = key_figure(code)
    if code.startswith(EVOLUTION_PREFIX):
        return figure.label
    label = f"part {figure.label}" if figure.kind == "share" else figure.label
    return label[:1].upper() + label[1:]


def indicator_definition(code: str) -> str:
    """French definition of an indicator as published (shares: « Fraction entre 0 et 1. »)."""
    figure = key_figure(code)
    if figure.kind == "share" and code not in HOURS_SHARES:
        return f"{figure.definition} Fraction entre 0 et 1."
    return figure.definition


def evolution_codes() -> tuple[str, ...]:
    """The key figures whose rate of evolution is published (``taux_evolution_<code>``)."""
    return tuple(code for code, figure in KEY_FIGURES.items() if figure.evolution_row)


def linked_breakdowns() -> tuple[str, ...]:
    """Breakdowns the key figures' secrecy depends on (links and denominators), in catalogue order."""
    names = {f.linked.dimension for f in KEY_FIGURES.values() if f.linked} | {
        f.denominator.dimension for f in KEY_FIGURES.values() if f.denominator}
    return tuple(d.name for d in DIMENSIONS if d.name in names)


# --- published columns ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedColumn:
    """A column of a published table: Table Schema type, French title and description,
    constraints (panorama tables), whether its values are fractions (shown as percentages),
    and the title and description it has in a study's tables when they differ (a row
    there is a compared group's category, its shares relative to the group)."""

    type: str
    title: str
    description: str | None = None
    constraints: tuple[tuple[str, object], ...] = ()
    fraction: bool = False
    study_title: str | None = None
    study_description: str | None = None

    def in_study(self) -> tuple[str, str, str]:
        """Type, title and description of the column in a study's tables."""
        return (self.type, self.study_title or self.title, self.study_description or self.description or "")


def _column(type_, title, description=None, *, required=False, minimum=None, maximum=None, fraction=False,
            study=None, study_title=None) -> PublishedColumn:
    constraints = (*((("required", True),) if required else ()), *((("minimum", minimum),) if minimum is not None
                   else ()), *((("maximum", maximum),) if maximum is not None else ()))
    return PublishedColumn(type_, title, description, constraints, fraction, study_title, study)


_SECRET_TEXT = ("true quand des valeurs de la ligne sont couvertes par le secret statistique : elles sont alors "
                "laissées vides.")

#: Every column of every published table (panorama open data and studies).
COLUMNS: dict[str, PublishedColumn] = {
    "annee": _column("year", "Année", "Année civile des données."),
    "perimetre": _column("string", "Périmètre",
                         "« region » pour l'ensemble de la région, sinon le code du département (règle de périmètre "
                         "et codes : section « Périmètre » de LISEZMOI.md).", required=True),
    "indicateur": _column("string", "Indicateur",
                          "Code de l'indicateur (section « Définitions des indicateurs » de LISEZMOI.md).",
                          required=True, study="Code de l'indicateur (définition : description du fichier)."),
    "valeur": _column("number", "Valeur",
                      "Valeur de l'indicateur ; les parts et les taux d'évolution sont des fractions (0.151 = 15,1 %). "
                      "Vide quand l'indicateur n'est pas défini (aucun participant, pas d'année précédente, année "
                      "sans données…).",
                      study="Valeur de l'indicateur ; les parts sont des fractions (0.151 = 15,1 %)."),
    "dimension": _column("string", "Répartition", "Nom de la répartition, le même sur toutes les lignes du fichier.",
                         required=True, study="Nom de la répartition, le même que dans les fichiers repartition_*.csv "
                                              "du panorama."),
    "code": _column("string", "Code", required=True,
                    study="Code de la catégorie (mêmes codes que le panorama ; NON_RENSEIGNE pour une donnée "
                          "absente)."),
    "libelle": _column("string", "Libellé", "Libellé en clair du code (« A × B » pour un croisement).", required=True,
                       study="Libellé en clair du code."),
    "heures": _column("number", "Heures d'insertion", "Heures d'insertion réalisées dans l'année.", minimum=0),
    "contrats": _column("integer", "Contrats", "Nombre de contrats ayant porté des heures dans l'année.", minimum=0),
    "participants": _column("integer", "Participants", "Nombre de participants distincts.", minimum=0,
                            study="Nombre de participants distincts de la ligne."),
    "part_heures": _column("number", "Part des heures",
                           "Heures du code ÷ heures du périmètre (fraction entre 0 et 1).", minimum=0, maximum=1,
                           fraction=True, study="Heures de la ligne ÷ heures du groupe (fraction)."),
    "part_participants": _column("number", "Part des participants",
                                 "Participants du code ÷ participants du périmètre (fraction entre 0 et 1).",
                                 minimum=0, maximum=1, fraction=True,
                                 study="Participants de la ligne ÷ participants du groupe (fraction)."),
    "secret": _column("boolean", "Secret statistique", _SECRET_TEXT, required=True),
    "operations": _column("integer", "Opérations",
                          "Nombre d'opérations suivies (répartitions par opération seulement ; vide sinon).",
                          minimum=0, study="Nombre d'opérations suivies (répartitions par opération seulement)."),
    # Columns of the studies' tables only.
    "groupe": _column("string", "Groupe", "Code du groupe comparé (libellé : colonne libelle_groupe)."),
    "libelle_groupe": _column("string", "Libellé du groupe", "Libellé en clair du groupe."),
    "part_contrats": _column("number", "Part des contrats", "Contrats de la ligne ÷ contrats du groupe (fraction).",
                             fraction=True),
    "part_participants_categorie": _column(
        "number", "Part du groupe parmi les participants de la catégorie",
        "Participants du groupe dans la catégorie ÷ participants de la catégorie, tous groupes confondus (par "
        "exemple : la part des femmes parmi les participants d'une modalité).", fraction=True),
    "evolution_part_categorie": _column(
        "number", "Évolution sur un an de la part du groupe dans la catégorie",
        "part_participants_categorie de l'année − celle de l'année précédente, en fraction (0.012 = +1,2 point) ; "
        "vide sans année précédente.", fraction=True),
    "part_heures_categorie": _column("number", "Part du groupe dans les heures de la catégorie",
                                     "Heures du groupe dans la catégorie ÷ heures de la catégorie.", fraction=True),
    "rang": _column("integer", "Rang", "Rang dans le classement (1 : le plus proche de la parité)."),
    "operation_id": _column("string", "Opération", "Identifiant de l'opération dans les données des facilitateurs."),
    "intitule": _column("string", "Intitulé", "Intitulé de l'opération."),
    "donneur_ordre": _column("string", "Donneur d'ordre", "Nom du donneur d'ordre (organisme public ; un donneur "
                                                          "d'ordre privé n'est jamais nommé)."),
    "nature": _column("string", "Nature du marché",
                      "Code de la nature du marché (TRAVAUX, SERVICES, FOURNITURES)."),
    "modalite": _column("string", "Modalité juridique",
                        "Code de la modalité juridique de la clause (nomenclature du panorama)."),
    "departement": _column("string", "Département d'exécution", "Code du département où s'exécute l'opération."),
    "commune": _column("string", "Commune d'exécution", "Code INSEE de la commune où s'exécute l'opération."),
    "libelle_commune": _column("string", "Nom de la commune d'exécution",
                               "Nom de la commune où s'exécute l'opération."),
    "date_notification": _column("date", "Date de notification", "Date de notification du marché."),
    "heures_prevues": _column("number", "Heures prévues",
                              "Heures d'insertion prévues par la clause, pour toute la durée de l'opération."),
    "heures_realisees": _column("number", "Heures réalisées dans l'année",
                                "Heures d'insertion réalisées dans l'année."),
    "heures_realisees_cumulees": _column(
        "number", "Heures réalisées depuis la première année disponible",
        "Heures d'insertion réalisées sur l'opération au cours de toutes les années disponibles, jusqu'à "
        "l'année de l'étude."),
    "taux_realisation": _column("number", "Taux de réalisation",
                                "heures_realisees_cumulees ÷ heures_prevues (fraction ; vide sans heures prévues).",
                                fraction=True),
    "part_femmes": _column("number", "Part des femmes", "Participantes ÷ participants (fraction).", fraction=True),
    "ecart_parite": _column("number", "Écart à la parité", "Valeur absolue de part_femmes − 0,5.", fraction=True),
    "motif": _column("string", "Motif",
                     "Raison pour laquelle la distance n'est pas calculée (LOCALISE : elle l'est)."),
    "distance_mediane_km": _column("number", "Distance médiane (km)",
                                   "Médiane des distances domicile-travail des contrats, en kilomètres."),
    "distance_q1_km": _column("number", "Premier quartile (km)",
                              "Premier quartile des distances des contrats, en km."),
    "distance_q3_km": _column("number", "Troisième quartile (km)",
                              "Troisième quartile des distances des contrats, en km."),
    "distance_moyenne_km": _column("number", "Distance moyenne (km)", "Moyenne des distances des contrats, en km."),
    "part_meme_commune": _column(
        "number", "Part dans la commune de résidence",
        "Contrats exécutés dans la commune de résidence ÷ contrats (les arrondissements de Paris, Lyon et "
        "Marseille comptent comme leur commune).", fraction=True),
    "part_meme_epci": _column(
        "number", "Part dans l'intercommunalité de résidence",
        "Contrats exécutés dans l'EPCI à fiscalité propre de la commune de résidence ÷ contrats{grand_paris}.",
        fraction=True),
    "part_meme_departement": _column(
        "number", "Part dans le département de résidence",
        "Contrats dont l'opération s'exécute dans le département de résidence ÷ contrats.", fraction=True),
    "departement_residence": _column("string", "Département de résidence",
                                     "Code du département de résidence (HORS_REGION : hors de la région)."),
    "libelle_residence": _column("string", "Libellé du département de résidence",
                                 "Nom du département de résidence."),
    "departement_travail": _column("string", "Département d'exécution",
                                   "Code du département où s'exécute l'opération (HORS_REGION : hors de la région)."),
    "libelle_travail": _column("string", "Libellé du département d'exécution", "Nom du département d'exécution."),
    # Columns of the public procurement data (DECP) of the panorama's open data.
    "marches": _column("integer", "Marchés notifiés", "Nombre de marchés notifiés dans l'année (DECP).", minimum=0),
    "renseignes": _column("integer", "Marchés renseignant les considérations sociales",
                          "Nombre de ces marchés dont les données renseignent les considérations sociales (champ "
                          "présent depuis le format des DECP de 2024).", minimum=0),
    "consideration_sociale": _column("integer", "Marchés déclarant une considération sociale",
                                     "Nombre de ces marchés déclarant une clause sociale, un critère social ou un "
                                     "marché réservé.", minimum=0),
    "constat": _column("string", "Constat", "Constat du rapprochement (libellés : propriété categories).",
                       required=True),
    "uid": _column("string", "Identifiant du marché",
                   "Identifiant unique du marché dans les DECP (SIRET de l'acheteur suivi du numéro du marché).",
                   required=True),
    "acheteur_id": _column("string", "SIRET de l'acheteur", "SIRET de l'acheteur public (DECP)."),
    "acheteur_nom": _column("string", "Acheteur", "Nom de l'acheteur public tel que publié dans les DECP."),
    "categorie": _column("string", "Nature du marché",
                         "TRAVAUX, SERVICES ou FOURNITURES, selon le code CPV du marché ; vide quand il manque."),
}


def column(name: str) -> PublishedColumn:
    """The published column ``name``; :class:`UnknownCodeError` when the catalogue does not declare it."""
    try:
        return COLUMNS[name]
    except KeyError:
        raise UnknownCodeError("la colonne publiée", name) from None
