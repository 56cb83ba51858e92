"""Indicators: pure functions from a validated :class:`~panorama.dataset.Dataset`
to tidy tables (``../shared/spec/indicators.md``).

Every figure is computed for every perimeter at once: the rows of the year's
contracts are stacked twice, once under the perimeter ``region`` and once under
the département of their operation (perimeter rule: a contract belongs to the
département where its operation is executed), and each indicator is one
grouped computation over that stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from panorama import geo, referential
from panorama.dataset import Dataset

REGION = "region"
NON_RENSEIGNE = "NON_RENSEIGNE"
ETP_DIVISORS = (1607, 1820)

AGE_BANDS = (("MOINS_26", "Moins de 26 ans"), ("26_49", "26 à 49 ans"), ("50_PLUS", "50 ans et plus"))
CONTRACT_GROUPS = (("IAE", "Insertion par l'activité économique (IAE)"),
                   ("ALTERNANCE", "Alternance"), ("AUTRE", "Autres contrats"))
QPV_CODES = (("OUI", "Réside en QPV"), ("NON", "Ne réside pas en QPV"))
DURATION_BANDS = ((0, 31, "MOINS_1_MOIS", "Moins d'un mois"),
                  (31, 92, "1_3_MOIS", "1 à 3 mois"),
                  (92, 183, "3_6_MOIS", "3 à 6 mois"),
                  (183, 366, "6_12_MOIS", "6 à 12 mois"),
                  (366, np.inf, "PLUS_12_MOIS", "Plus de 12 mois"))
HOURS_BANDS = ((0, 150, "MOINS_150", "Moins de 150 h"),
               (150, 300, "150_299", "150 à 299 h"),
               (300, 600, "300_599", "300 à 599 h"),
               (600, 1200, "600_1199", "600 à 1 199 h"),
               (1200, np.inf, "1200_PLUS", "1 200 h et plus"))
EN_COURS = ("EN_COURS", "Contrat en cours au 31 décembre")


@dataclass(frozen=True)
class Dimension:
    """One breakdown of the export: a column of the fact table and how to label it.

    ``level`` says what the dimension describes: ``operation`` (counted in
    operations too), ``contrat`` or ``participant`` (a participant falls in
    one category only). ``nomenclature`` names the referential used for labels
    and order; ``None`` means the codes are free text or local bands.
    """

    name: str
    column: str
    level: str
    nomenclature: str | None = None
    title: str = ""


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("modalite", "modalite", "operation", "modalite", "Modalité juridique"),
    Dimension("nature", "nature", "operation", "nature", "Nature du marché"),
    Dimension("secteur", "secteur", "operation", "secteur", "Secteur d'activité"),
    Dimension("type_donneur_ordre", "type_donneur_ordre", "operation", "type_donneur_ordre",
              "Type de donneur d'ordre"),
    Dimension("grand_projet", "grand_projet", "operation", None, "Grand projet"),
    Dimension("departement_execution", "departement", "operation", "departement",
              "Département d'exécution"),
    Dimension("commune_execution", "commune", "operation", "commune", "Commune d'exécution"),
    Dimension("type_structure", "type_structure", "contrat", "type_structure", "Type de structure"),
    Dimension("type_contrat", "type_contrat", "contrat", "type_contrat", "Type de contrat"),
    Dimension("groupe_contrat", "groupe_contrat", "contrat", None, "Groupe de contrats"),
    Dimension("duree_contrat", "duree_contrat", "contrat", None, "Durée du contrat"),
    Dimension("sexe", "sexe", "participant", "sexe", "Sexe"),
    Dimension("tranche_age", "tranche_age", "participant", None, "Tranche d'âge"),
    Dimension("niveau_qualification", "niveau_qualification", "participant", "niveau_qualification",
              "Niveau de qualification"),
    Dimension("critere_principal", "critere_principal", "participant", "critere", "Critère principal"),
    Dimension("publics", "public", "participant", "critere", "Publics (non exclusifs)"),
    Dimension("prescripteur", "prescripteur", "participant", "prescripteur", "Prescripteur"),
    Dimension("situation_sortie", "situation_sortie", "participant", "situation_sortie",
              "Situation six mois après"),
    Dimension("departement_residence", "departement_residence", "participant", "departement",
              "Département de résidence"),
    Dimension("qpv", "qpv", "participant", None, "Résidence en QPV"),
    Dimension("heures_par_participant", "tranche_heures", "participant", None,
              "Heures par participant"),
)

_BY_NAME = {d.name: d for d in DIMENSIONS}
#: Breakdowns of hours by type of structure or contract: a cell there describes a few companies.
COMPANY_DIMENSIONS = ("type_structure", "type_contrat", "groupe_contrat")
CROSSES: tuple[tuple[str, Dimension, Dimension], ...] = (
    ("sexe_x_tranche_age", _BY_NAME["sexe"], _BY_NAME["tranche_age"]),
    ("sexe_x_nature", _BY_NAME["sexe"], _BY_NAME["nature"]),
    ("modalite_x_departement", _BY_NAME["modalite"], _BY_NAME["departement_execution"]),
)

_LOCAL_LABELS: dict[str, dict[str, str]] = {
    "tranche_age": dict(AGE_BANDS),
    "groupe_contrat": dict(CONTRACT_GROUPS),
    "qpv": dict(QPV_CODES),
    "duree_contrat": {code: lab for *_, code, lab in DURATION_BANDS} | dict([EN_COURS]),
    "heures_par_participant": {code: lab for *_, code, lab in HOURS_BANDS},
}


def age_band(age: pd.Series) -> pd.Series:
    """Age band code: ``MOINS_26`` (≤ 25), ``26_49``, ``50_PLUS`` (≥ 50)."""
    bands = np.select([age <= 25, age >= 50], ["MOINS_26", "50_PLUS"], "26_49")
    return pd.Series(bands, index=age.index, dtype=object)


def _band(values: pd.Series, bands) -> pd.Series:
    edges = [low for low, *_ in bands] + [np.inf]
    codes = [code for _, _, code, _ in bands]
    return pd.cut(values, edges, right=False, labels=codes).astype(object)


def fact_table(ds: Dataset) -> pd.DataFrame:
    """One row per contract of the year with every attribute a breakdown needs.

    Columns: the contract's own, its operation's (``departement``, ``modalite``,
    ``nature``, ``secteur``, ``grand_projet``, ``type_donneur_ordre``), its
    company's ``type_structure``, its participant's (``sexe``, ``tranche_age``,
    ``niveau_qualification``, ``critere_principal``, ``publics``,
    ``prescripteur``, ``situation_sortie``, ``departement_residence``, ``qpv``)
    and the derived ``groupe_contrat`` and ``duree_contrat``.
    """
    buyers = ds.donneurs_ordre[["donneur_ordre_id", "type"]].rename(columns={"type": "type_donneur_ordre"})
    ops = ds.operations[["operation_id", "donneur_ordre_id", "departement", "commune", "modalite", "nature",
                         "secteur", "grand_projet"]].merge(buyers, on="donneur_ordre_id", how="left")
    people = ds.participants[["participant_id", "sexe", "annee_naissance", "niveau_qualification",
                              "critere_principal", "publics", "prescripteur", "situation_sortie",
                              "commune_residence", "qpv"]].copy()
    people["tranche_age"] = age_band(ds.year - people["annee_naissance"])
    people["departement_residence"] = people["commune_residence"].map(
        referential.departement_of_commune, na_action="ignore")
    people["qpv"] = np.where(people["qpv"].isna(), None,
                             np.where(people["qpv"].fillna(False), "OUI", "NON"))
    facts = (ds.contrats[["contrat_id", "operation_id", "participant_id", "entreprise_id",
                          "type_contrat", "date_debut", "date_fin", "heures"]]
             .merge(ops, on="operation_id", how="left", validate="many_to_one")
             .merge(ds.entreprises[["entreprise_id", "type_structure"]], on="entreprise_id",
                    how="left", validate="many_to_one")
             .merge(people.drop(columns=["annee_naissance", "commune_residence"]),
                    on="participant_id", how="left", validate="many_to_one"))
    groups = referential.CONTRACT_GROUPS
    facts["groupe_contrat"] = np.select(
        [facts["type_contrat"].isin(groups["IAE"]), facts["type_contrat"].isin(groups["ALTERNANCE"])],
        ["IAE", "ALTERNANCE"], "AUTRE")
    days = (facts["date_fin"] - facts["date_debut"]).dt.days + 1
    facts["duree_contrat"] = _band(days, DURATION_BANDS).where(facts["date_fin"].notna(), EN_COURS[0])
    return facts


def _stack_perimeters(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` twice: under ``perimetre = region`` and under its ``departement``."""
    region = frame.assign(perimetre=REGION)
    local = frame.assign(perimetre=frame["departement"])
    return pd.concat([region, local], ignore_index=True)


def _publics(facts: pd.DataFrame) -> pd.DataFrame:
    """Facts exploded to one row per (contract, public met by its participant)."""
    joined = facts["critere_principal"].str.cat(facts["publics"], sep="|", na_rep="").str.rstrip("|")
    exploded = facts.assign(public=joined.str.split("|")).explode("public")
    return exploded.drop_duplicates(["perimetre", "contrat_id", "public"]) if "perimetre" in facts \
        else exploded.drop_duplicates(["contrat_id", "public"])


def key_figures(ds: Dataset, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Key figures of ``spec/indicators.md`` for the region and each département.

    Returns a long frame ``perimetre, indicateur, valeur`` (``valeur`` float).
    Besides the spec's codes it carries ``heures_public_QPV`` (hours of QPV
    residents) and the shares of hours ``part_heures_*`` printed on the key
    figures page.
    """
    facts = fact_table(ds) if facts is None else facts
    stacked = _stack_perimeters(facts)
    by = stacked.groupby("perimetre", sort=False)
    out = pd.DataFrame({
        "heures": by["heures"].sum(),
        "participants": by["participant_id"].nunique(),
        "contrats": by.size(),
        "operations_actives": by["operation_id"].nunique(),
        "entreprises": by["entreprise_id"].nunique(),
    })
    ops = _stack_perimeters(ds.operations[["operation_id", "donneur_ordre_id", "departement"]])
    ops_by = ops.groupby("perimetre", sort=False)
    out = out.join(pd.DataFrame({"operations": ops_by.size(),
                                 "donneurs_ordre": ops_by["donneur_ordre_id"].nunique()}), how="outer")
    out[["heures", "participants", "contrats", "operations_actives", "entreprises"]] = \
        out[["heures", "participants", "contrats", "operations_actives", "entreprises"]].fillna(0)
    for divisor in ETP_DIVISORS:
        out[f"etp_{divisor}"] = out["heures"] / divisor
    out["heures_par_participant"] = out["heures"] / out["participants"].replace(0, np.nan)
    out["heures_par_contrat"] = out["heures"] / out["contrats"].replace(0, np.nan)

    people = stacked.drop_duplicates(["perimetre", "participant_id"])
    pby = people.groupby("perimetre", sort=False)
    out["part_femmes"] = pby["sexe"].apply(lambda s: (s == "F").mean())
    for code, _ in AGE_BANDS:
        out[f"part_{code.lower()}"] = pby["tranche_age"].apply(lambda s, c=code: (s == c).mean())
    out["part_qpv"] = pby["qpv"].apply(lambda s: (s[s.notna()] == "OUI").mean() if s.notna().any() else np.nan)
    known = people[people["situation_sortie"].notna() & (people["situation_sortie"] != "INCONNU")]
    out["part_sortie_emploi_durable"] = known.groupby("perimetre", sort=False)["situation_sortie"].apply(
        lambda s: (s == "EMPLOI_DURABLE").mean())

    publics = _publics(stacked)
    for code in referential.codes("critere"):
        hours = publics[publics["public"] == code].groupby("perimetre", sort=False)["heures"].sum()
        out[f"heures_public_{code}"] = hours.reindex(out.index).fillna(0)
    out["heures_public_QPV"] = stacked[stacked["qpv"] == "OUI"].groupby("perimetre")["heures"].sum() \
        .reindex(out.index).fillna(0)
    for group in ("IAE", "ALTERNANCE"):
        out[f"heures_{group.lower()}"] = stacked[stacked["groupe_contrat"] == group] \
            .groupby("perimetre")["heures"].sum().reindex(out.index).fillna(0)
    hours = out["heures"].replace(0, np.nan)
    for column in [c for c in out.columns if c.startswith("heures_public_")] + ["heures_iae", "heures_alternance"]:
        out["part_" + column] = out[column] / hours

    # An empty share (no participant with a known situation…) comes out of
    # groupby/apply as an object column: keep ``valeur`` float all the same.
    out = out.astype("float64")
    out.index.name = "perimetre"
    long = out.reset_index().melt(id_vars="perimetre", var_name="indicateur", value_name="valeur")
    return sort_perimeters(long, "perimetre").reset_index(drop=True)


def sort_perimeters(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Region first, then départements in code order (stable)."""
    order = frame[column].map(lambda code: (code != REGION, referential.departement_sort_key(code)))
    return frame.iloc[np.argsort(order.to_numpy(), kind="stable")]


COUNT_CODES = ("heures", "etp_1607", "etp_1820", "participants", "contrats", "operations",
               "operations_actives", "donneurs_ordre", "entreprises", "heures_par_participant",
               "heures_par_contrat")


def evolution(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Every key figure of N beside N−1, with its evolution.

    Returns ``perimetre, indicateur, valeur, secret, valeur_precedente,
    secret_precedent, evolution`` where ``evolution`` is the rate ``N / (N−1) − 1``
    for counts and hours and the difference in points (fractions) for shares
    (``part_*``); a value under statistical secrecy (NaN) in either year leaves
    the evolution empty. Without N−1 the last three columns are empty.
    """
    merged = current.copy()
    if "secret" not in merged:
        merged["secret"] = False
    if previous is None:
        merged["valeur_precedente"] = np.nan
        merged["secret_precedent"] = False
    else:
        before = previous.rename(columns={"valeur": "valeur_precedente", "secret": "secret_precedent"})
        if "secret_precedent" not in before:
            before["secret_precedent"] = False
        merged = merged.merge(before[["perimetre", "indicateur", "valeur_precedente", "secret_precedent"]],
                              on=["perimetre", "indicateur"], how="left")
        merged["secret_precedent"] = merged["secret_precedent"].astype("boolean").fillna(False).astype(bool)
    is_share = merged["indicateur"].str.startswith("part_")
    rate = merged["valeur"] / merged["valeur_precedente"].where(merged["valeur_precedente"] != 0) - 1
    merged["evolution"] = np.where(is_share, merged["valeur"] - merged["valeur_precedente"], rate)
    return merged


def evolution_rows(evo: pd.DataFrame) -> pd.DataFrame:
    """``taux_evolution_<code>`` rows of the export for the count-like key figures:
    published when both years are, blank and ``secret`` when either is secret."""
    hidden = evo["secret"] | evo["secret_precedent"]
    rows = evo[evo["indicateur"].isin(COUNT_CODES) & (evo["evolution"].notna() | hidden)]
    hidden = hidden[rows.index]
    return pd.DataFrame({"perimetre": rows["perimetre"],
                         "indicateur": "taux_evolution_" + rows["indicateur"],
                         "valeur": rows["evolution"].where(~hidden), "secret": hidden})


def series(by_year: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Key figures of every year from the first to the last one available.

    ``by_year`` maps a year to its protected key figures (``perimetre,
    indicateur, valeur, secret``). Returns ``annee, perimetre, indicateur,
    valeur, secret``; a year without data in the middle of the
    range has a row per (perimeter, indicator) with ``valeur`` NaN: shown as
    missing, never interpolated.
    """
    first, last = min(by_year), max(by_year)
    keys = pd.concat(by_year.values())[["perimetre", "indicateur"]].drop_duplicates()
    keys = sort_perimeters(keys, "perimetre")
    frames = []
    for year in range(first, last + 1):
        values = keys.merge(by_year[year], on=["perimetre", "indicateur"], how="left") if year in by_year \
            else keys.assign(valeur=np.nan, secret=False)
        frames.append(values.assign(annee=year))
    out = pd.concat(frames, ignore_index=True)
    out["secret"] = out["secret"].astype("boolean").fillna(False).astype(bool)
    return out[["annee", "perimetre", "indicateur", "valeur", "secret"]]


@cache
def _commune_names() -> dict[str, str]:
    return geo.commune_centroids()["nom"].to_dict()


def code_label(dimension: Dimension, code: str) -> str:
    """French label of ``code`` in ``dimension`` (« Non renseigné » for missing values)."""
    if code == NON_RENSEIGNE:
        return "Non renseigné"
    if dimension.name in _LOCAL_LABELS:
        return _LOCAL_LABELS[dimension.name][code]
    if dimension.nomenclature == "departement":
        return referential.departement_name(code) or code
    if dimension.nomenclature == "commune":
        return _commune_names().get(code, code)
    if dimension.nomenclature is None:
        return code
    return referential.label(dimension.nomenclature, code)


def dimension_codes(dimension: Dimension) -> list[str]:
    """Codes of ``dimension`` in publication order (empty for free text such as grands projets)."""
    if dimension.name in _LOCAL_LABELS:
        return list(_LOCAL_LABELS[dimension.name])
    if dimension.nomenclature == "departement":
        return list(referential.DEPARTEMENTS)
    if dimension.nomenclature in (None, "commune"):
        return []
    return list(referential.codes(dimension.nomenclature))


def _code_rank(dimension: Dimension, codes: pd.Series, heures: pd.Series) -> pd.Series:
    """Sort key: referential order; free text by decreasing hours; not filled last."""
    order = {code: i for i, code in enumerate(dimension_codes(dimension))}
    if order:
        rank = codes.map(order).astype(float)
    else:
        rank = (-heures).rank(method="first")
    return rank.where(codes != NON_RENSEIGNE, np.inf)


def _with_participant_bands(stacked: pd.DataFrame) -> pd.DataFrame:
    hours = stacked.groupby(["perimetre", "participant_id"], sort=False)["heures"].transform("sum")
    return stacked.assign(tranche_heures=_band(hours, HOURS_BANDS))


def breakdowns(ds: Dataset, facts: pd.DataFrame | None = None, only: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every breakdown of ``spec/indicators.md`` for every perimeter, in long format.

    Columns: ``perimetre, dimension, code, libelle, heures, contrats,
    participants, part_heures, part_participants, secret, operations``.
    Missing optional values appear under the code ``NON_RENSEIGNE`` so that
    exclusive breakdowns add up to the perimeter's totals; ``publics`` is not
    exclusive. Cross-tabs use codes ``A|B`` and dimension ``x_x_y``.
    ``operations`` is filled for operation-level dimensions only. ``only``
    restricts the computation to these dimensions (no cross-tab).
    """
    facts = fact_table(ds) if facts is None else facts
    stacked = _with_participant_bands(_stack_perimeters(facts))
    totals = stacked.groupby("perimetre", sort=False).agg(
        total_heures=("heures", "sum"), total_participants=("participant_id", "nunique"))
    publics = _publics(stacked)
    ops = _stack_perimeters(_operations_frame(ds))
    frames = []
    for dim in DIMENSIONS:
        if only is None or dim.name in only:
            source = publics if dim.name == "publics" else stacked
            frames.append(_breakdown(source, ops, [dim], dim.name))
    for name, first, second in CROSSES if only is None else ():
        frames.append(_breakdown(stacked, ops, [first, second], name))
    out = pd.concat(frames, ignore_index=True).merge(totals, on="perimetre", how="left")
    out["part_heures"] = out["heures"] / out.pop("total_heures")
    out["part_participants"] = out["participants"] / out.pop("total_participants")
    out["secret"] = False
    columns = ["perimetre", "dimension", "code", "libelle", "heures", "contrats", "participants",
               "part_heures", "part_participants", "secret", "operations", "entreprises", "part_max_entreprise"]
    out = out[columns]
    return sort_perimeters(out, "perimetre").reset_index(drop=True)


def _operations_frame(ds: Dataset) -> pd.DataFrame:
    buyers = ds.donneurs_ordre[["donneur_ordre_id", "type"]].rename(columns={"type": "type_donneur_ordre"})
    return ds.operations.merge(buyers, on="donneur_ordre_id", how="left")


def _breakdown(source: pd.DataFrame, ops: pd.DataFrame, dims: list[Dimension], name: str) -> pd.DataFrame:
    """One (possibly crossed) breakdown: hours, contracts, participants per code.

    For the dimensions of :data:`COMPANY_DIMENSIONS` it also counts the
    companies of each cell (``entreprises``) and the share of the cell's hours
    done by the largest one (``part_max_entreprise``), for the confidentiality
    rule; these two columns are not published.
    """
    columns = [d.column for d in dims]
    frame = source[["perimetre", "heures", "contrat_id", "participant_id", "entreprise_id", *columns]].copy()
    for column in columns:
        frame[column] = frame[column].fillna(NON_RENSEIGNE)
    grouped = frame.groupby(["perimetre", *columns], sort=False).agg(
        heures=("heures", "sum"), contrats=("contrat_id", "nunique"),
        participants=("participant_id", "nunique")).reset_index()
    if name in COMPANY_DIMENSIONS:
        per_company = frame.groupby(["perimetre", *columns, "entreprise_id"], sort=False)["heures"].sum()
        stats = per_company.groupby(level=[0, *range(1, len(columns) + 1)], sort=False).agg(["size", "max"])
        stats.columns = ["entreprises", "max_entreprise"]
        grouped = grouped.merge(stats.reset_index(), on=["perimetre", *columns], how="left")
        grouped["part_max_entreprise"] = grouped.pop("max_entreprise") / grouped["heures"].where(grouped["heures"] > 0)
    if all(d.level == "operation" for d in dims):
        op_frame = ops[["perimetre", *columns]].fillna(NON_RENSEIGNE)
        counts = op_frame.groupby(["perimetre", *columns], sort=False).size().rename("operations")
        grouped = grouped.merge(counts.reset_index(), on=["perimetre", *columns], how="outer")
        grouped[["heures", "contrats", "participants"]] = grouped[["heures", "contrats", "participants"]].fillna(0)
    else:
        grouped["operations"] = np.nan
    grouped["dimension"] = name
    grouped["code"] = grouped[columns[0]].astype(str)
    grouped["libelle"] = [code_label(dims[0], c) for c in grouped[columns[0]]]
    rank = _code_rank(dims[0], grouped[columns[0]], grouped["heures"])
    if len(dims) == 2:
        grouped["code"] = grouped["code"] + "|" + grouped[columns[1]].astype(str)
        grouped["libelle"] = grouped["libelle"] + " × " + pd.Series(
            [code_label(dims[1], c) for c in grouped[columns[1]]], index=grouped.index)
        rank = rank * 1000 + _code_rank(dims[1], grouped[columns[1]], grouped["heures"]).clip(upper=999)
    grouped = grouped.assign(_rank=rank).sort_values(["perimetre", "_rank"], kind="stable")
    return grouped.drop(columns=["_rank", *columns])


@dataclass(frozen=True)
class KeyFigure:
    """French label, formatting kind and definition of a key-figure code."""

    label: str
    kind: str
    definition: str


KEY_FIGURES: dict[str, KeyFigure] = {
    "heures": KeyFigure("heures d'insertion réalisées", "heures",
                        "Somme des heures d'insertion réalisées dans l'année (contrats)."),
    "etp_1820": KeyFigure("équivalents temps plein (1\u202f820\u00a0h)", "etp",
                          "Heures ÷ 1\u202f820 (35\u00a0h × 52 semaines)."),
    "etp_1607": KeyFigure("équivalents temps plein (1\u202f607\u00a0h)", "etp",
                          "Heures ÷ 1\u202f607 (durée légale annuelle)."),
    "participants": KeyFigure("participants", "nombre",
                              "Personnes distinctes ayant au moins un contrat dans l'année."),
    "contrats": KeyFigure("contrats", "nombre", "Contrats de travail ou missions ayant porté des heures dans l'année."),
    "operations": KeyFigure("opérations suivies", "nombre", "Marchés ou lots comportant une clause, suivis dans l'année."),
    "operations_actives": KeyFigure("opérations actives", "nombre",
                                    "Opérations ayant au moins un contrat dans l'année."),
    "donneurs_ordre": KeyFigure("donneurs d'ordre", "nombre", "Acheteurs distincts des opérations suivies."),
    "entreprises": KeyFigure("entreprises", "nombre", "Entreprises et structures distinctes ayant réalisé des heures."),
    "heures_par_participant": KeyFigure("heures par participant", "nombre",
                                        "Heures ÷ participants (durée moyenne d'un parcours)."),
    "heures_par_contrat": KeyFigure("heures par contrat", "nombre", "Heures ÷ contrats."),
    "part_femmes": KeyFigure("de femmes", "part", "Participantes ÷ participants."),
    "part_moins_26": KeyFigure("de moins de 26 ans", "part", "Participants de 25 ans ou moins dans l'année ÷ participants."),
    "part_26_49": KeyFigure("de 26 à 49 ans", "part", "Participants de 26 à 49 ans ÷ participants."),
    "part_50_plus": KeyFigure("de 50 ans et plus", "part", "Participants de 50 ans ou plus ÷ participants."),
    "part_qpv": KeyFigure("résidant en QPV", "part",
                          "Participants résidant en quartier prioritaire ÷ participants dont la résidence est connue."),
    "part_sortie_emploi_durable": KeyFigure(
        "en emploi durable six mois après", "part",
        "Participants en emploi durable six mois après leur dernier contrat ÷ participants dont la situation est connue."),
    "heures_iae": KeyFigure("heures en parcours IAE", "heures",
                            "Heures des contrats d'insertion par l'activité économique (intérim d'insertion, "
                            "mise à disposition par une AI, CDDI)."),
    "heures_alternance": KeyFigure("heures en alternance", "heures",
                                   "Heures des contrats d'apprentissage, de professionnalisation et en GEIQ."),
    "heures_public_QPV": KeyFigure("heures réalisées par des résidents de QPV", "heures",
                                   "Heures des participants résidant en quartier prioritaire."),
}
for _code in referential.codes("critere"):
    KEY_FIGURES[f"heures_public_{_code}"] = KeyFigure(
        f"heures réalisées par le public « {referential.label('critere', _code)} »", "heures",
        "Heures des participants dont le critère principal ou les publics comprennent ce critère "
        "(non exclusif : les publics se recouvrent).")
