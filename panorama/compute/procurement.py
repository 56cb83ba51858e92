"""Public procurement data (DECP) beside the facilitators' follow-up.

The marchés a :class:`~panorama.input.source.Source` sets beside a year
(:meth:`~panorama.input.source.Source.procurement`, columns
:data:`~panorama.input.source.PROCUREMENT_COLUMNS`) are counted here: those notified in the
year and executed in the region, by category (the contract's ``nature``), by type of buyer
(the facilitators' type of the buyer with the same SIREN, ``NON_RENSEIGNE`` for a buyer they do
not follow) and by département; how many carry a social consideration (clause, criterion,
reserved marché) among those whose schema has the field (its coverage: informed ÷ all).

When operations carry their marché's identifier (``marche_id``: the DECP ``uid``, or its
``id`` with the buyer's SIRET), the cross-check (:class:`Crosscheck`): marchés declared with a
social consideration for which the facilitators followed no hour in the year, and operations
followed whose marché is declared without one.

These are public data (DECP) and counts of marchés and operations, which describe no person:
they are not subject to statistical secrecy. Pure functions of the data, as
:mod:`panorama.compute.indicators`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from panorama.core import referential
from panorama.input.dataset import Dataset

NON_RENSEIGNE = "NON_RENSEIGNE"
SOCIAL = ("clause_sociale", "critere_social", "marche_reserve")
#: The breakdowns of the marchés: dimension → column of the marchés.
DIMENSIONS = {"nature": "categorie", "type_donneur_ordre": "type_donneur_ordre", "departement": "departement"}
#: The findings of the cross-check (column ``constat`` of its listing).
WITHOUT_HOURS = "CONSIDERATION_SANS_HEURE"
WITHOUT_CONSIDERATION = "OPERATION_SANS_CONSIDERATION"
LISTING_COLUMNS = ("constat", "uid", "acheteur_id", "acheteur_nom", "categorie", "departement", "date_notification",
                   "operations")


@dataclass
class Crosscheck:
    """Operations carrying a marché identifier set against the DECP marchés."""

    operations: int
    """Operations followed in the year."""
    identified: int
    """Of them, those carrying a marché identifier."""
    found: int
    """Of them, those whose marché is in the DECP."""
    informed: int
    """Of them, those whose marché's record has the social considerations field."""
    without_consideration: int
    """Of them, those whose marché is declared without social consideration."""
    declared: int
    """Marchés notified in the year in the region, declared with a social consideration."""
    without_hours: int
    """Of them, those for which no hour was followed in the year."""
    listing: pd.DataFrame
    """One row per marché and finding (:data:`LISTING_COLUMNS`): public DECP data, never a participant."""


@dataclass
class Procurement:
    """The DECP marchés of one year in the region, beside the facilitators' follow-up."""

    year: int
    marches: int
    """Marchés notified in the year, executed in the region."""
    informed: int
    """Of them, those whose record has the social considerations field."""
    social: int
    """Of them, those declared with a social consideration (clause, criterion or reserved)."""
    by_kind: dict[str, int]
    """Of them, those declared with each consideration (:data:`SOCIAL`)."""
    breakdowns: pd.DataFrame
    """``dimension``, ``code``, ``marches``, ``renseignes``, ``consideration_sociale`` (dimensions:
    :data:`DIMENSIONS`), in decreasing number of marchés."""
    crosscheck: Crosscheck | None
    """``None`` when no operation carries a marché identifier."""

    @property
    def coverage(self) -> float:
        """Marchés whose record has the social considerations field ÷ all (NaN without marché)."""
        return self.informed / self.marches if self.marches else float("nan")

    @property
    def share(self) -> float:
        """Marchés declared with a social consideration ÷ those whose record has the field."""
        return self.social / self.informed if self.informed else float("nan")


def label(dimension: str, code: str) -> str:
    """The French label of ``code`` in a breakdown of the marchés (:data:`DIMENSIONS`)."""
    if dimension == "departement":
        return referential.departement_name(code) or code
    if code == NON_RENSEIGNE:
        return ("Non déterminée (pas de code CPV)" if dimension == "nature"
                else "Acheteur non suivi par les facilitateurs")
    return referential.label(dimension, code)


def notified(marches: pd.DataFrame, year: int, departements: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The marchés notified in ``year`` (executed in ``departements`` when given)."""
    kept = marches["annee"] == year
    if departements is not None:
        kept &= marches["departement"].isin(departements)
    return marches[kept]


def with_consideration(marches: pd.DataFrame) -> pd.Series:
    """Whether each marché is declared with a social consideration (False where not informed)."""
    return marches[list(SOCIAL)].fillna(False).astype(bool).any(axis=1)


def counts(marches: pd.DataFrame) -> dict[str, int]:
    """Marchés, those informed, and those declared with each social consideration and with any."""
    informed = marches["renseigne"].fillna(False).astype(bool)
    return {"marches": len(marches), "renseignes": int(informed.sum()),
            **{kind: int(marches[kind].fillna(False).astype(bool).sum()) for kind in SOCIAL},
            "avec_consideration_sociale": int(with_consideration(marches).sum())}


def by_value(marches: pd.DataFrame, column: str) -> dict[str, int]:
    """The number of marchés by value of ``column`` (``NON_RENSEIGNE`` when missing), most first."""
    values = marches[column].fillna(NON_RENSEIGNE).astype(str)
    found = values.value_counts()
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


def procurement(dataset: Dataset, departements: tuple[str, ...]) -> Procurement | None:
    """The DECP marchés beside ``dataset`` (``dataset.procurement``) within ``departements``:
    ``None`` when the source had none for its year."""
    if dataset.procurement is None:
        return None
    year = dataset.year
    everything = dataset.procurement
    marches = notified(everything, year, departements).copy()
    marches["type_donneur_ordre"] = _buyer_types(marches["acheteur_id"], dataset.donneurs_ordre)
    total = counts(marches)
    social = with_consideration(marches)
    informed = marches["renseigne"].fillna(False).astype(bool)
    rows = []
    for dimension, column in DIMENSIONS.items():
        codes = marches[column].fillna(NON_RENSEIGNE).astype(str)
        grouped = pd.DataFrame({"code": codes, "marches": 1, "renseignes": informed.astype(int),
                                "consideration_sociale": social.astype(int)}).groupby("code").sum()
        grouped = grouped.reset_index().sort_values(["marches", "code"], ascending=[False, True], kind="stable")
        rows.append(grouped.assign(dimension=dimension))
    breakdowns = pd.concat(rows, ignore_index=True)[["dimension", "code", "marches", "renseignes",
                                                      "consideration_sociale"]]
    return Procurement(year=year, marches=total["marches"], informed=total["renseignes"],
                       social=total["avec_consideration_sociale"], by_kind={k: total[k] for k in SOCIAL},
                       breakdowns=breakdowns, crosscheck=crosscheck(dataset, everything, marches))


def _siren(values: pd.Series) -> pd.Series:
    """The SIREN (first nine digits) of SIRETs, ``None`` where not a SIRET."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.replace(r"\s", "", regex=True)
    return text.str[:9].where(text.str.fullmatch(r"\d{14}"), None)


def _buyer_types(buyers: pd.Series, donneurs_ordre: pd.DataFrame) -> pd.Series:
    """The facilitators' type of each buyer (by SIREN), ``None`` for a buyer they do not follow."""
    known = pd.DataFrame({"siren": _siren(donneurs_ordre["siret"]), "type": donneurs_ordre["type"]}).dropna()
    types = dict(zip(known["siren"], known["type"]))  # one SIREN, several establishments: the last
    return _siren(buyers).map(types)


def crosscheck(dataset: Dataset, everything: pd.DataFrame, marches: pd.DataFrame) -> Crosscheck | None:
    """The cross-check of the operations of ``dataset`` carrying a marché identifier against
    the DECP marchés (``everything``: notified in the year or before; ``marches``: notified in
    the year in the region); ``None`` when no operation carries one."""
    operations = dataset.operations
    identifiers = operations["marche_id"].astype(object).where(operations["marche_id"].notna(), "")
    identifiers = identifiers.astype(str).str.strip()
    if not (identifiers != "").any():
        return None
    buyers = dataset.donneurs_ordre.set_index("donneur_ordre_id")["siret"]
    sirets = operations["donneur_ordre_id"].map(buyers)
    by_uid = pd.Series(everything.index, index=everything["uid"].astype(str))
    numbers = everything["id"].astype(str) + "|" + everything["acheteur_id"].astype(str)
    by_id = pd.Series(everything.index, index=numbers)
    by_id = by_id[~by_id.index.duplicated()]
    position = identifiers.map(by_uid)
    position = position.where(position.notna(), (identifiers + "|" + sirets.fillna("").astype(str)).map(by_id))
    found = position.notna() & (identifiers != "")
    matched = everything.loc[position[found].astype(int)]
    informed = matched["renseigne"].fillna(False).astype(bool).to_numpy()
    without = informed & ~with_consideration(matched).to_numpy()
    hours = dataset.contrats.groupby("operation_id")["heures"].sum()
    followed = operations["operation_id"].map(hours).fillna(0).to_numpy() > 0
    followed_uids = set(matched["uid"][followed[found.to_numpy()]])
    declared = marches[with_consideration(marches)]
    unfollowed = declared[~declared["uid"].isin(followed_uids)]
    without_marches = matched[without]
    per_marche = without_marches["uid"].value_counts()
    listing = pd.concat([
        unfollowed.assign(constat=WITHOUT_HOURS, operations=0),
        without_marches.drop_duplicates("uid").assign(constat=WITHOUT_CONSIDERATION,
                                                      operations=lambda f: f["uid"].map(per_marche))],
        ignore_index=True)
    listing = listing.sort_values(["constat", "uid"], kind="stable")[list(LISTING_COLUMNS)].reset_index(drop=True)
    return Crosscheck(operations=len(operations), identified=int((identifiers != "").sum()), found=int(found.sum()),
                      informed=int(informed.sum()), without_consideration=int(without.sum()),
                      declared=len(declared), without_hours=len(unfollowed),
                      listing=listing.astype({"operations": "int64"}))

