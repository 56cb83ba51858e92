"""Study « mobilite »: how far participants live from where they work.

Unit: the contract. For each contract of the year, the distance is the
straight line (great circle, :func:`panorama.compute.geo.commune_distance_km`) between
the centroid of the participant's commune of residence and that of the
commune where its operation is executed. Every contract counts once (a
participant with two contracts on two sites counts twice); medians and
quartiles are those of the contracts. A contract whose participant has no
commune of residence, whose operation has no commune, or whose commune code is
unknown to the geographic referential is counted under its reason and
excluded: no position is ever guessed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from panorama.compute import geo
from panorama.compute import indicators as layer
from panorama.compute.cells import Partition, identity
from panorama.compute.studies import common
from panorama.compute.studies.common import ALL, StudyResults, StudyTable
from panorama.core import catalogue, referential
from panorama.core.config import Config
from panorama.input.dataset import Dataset

LOCATED = "LOCALISE"
REASONS = ((LOCATED, "Distance calculée"),
           ("SANS_COMMUNE_RESIDENCE", "Commune de résidence du participant non renseignée"),
           ("SANS_COMMUNE_EXECUTION", "Commune d'exécution de l'opération non renseignée"),
           ("COMMUNE_INCONNUE", "Code commune absent du référentiel géographique"))
DISTANCE_BANDS = ((0, 2, "MOINS_2", "Moins de 2 km"), (2, 5, "2_5", "2 à 5 km"), (5, 10, "5_10", "5 à 10 km"),
                  (10, 20, "10_20", "10 à 20 km"), (20, 50, "20_50", "20 à 50 km"),
                  (50, np.inf, "50_PLUS", "50 km et plus"))
DIMENSIONS = (ALL, "departement_residence", "departement_execution", "type_contrat", "groupe_contrat", "sexe",
              "tranche_age", "niveau_qualification")
OUTSIDE = ("HORS_REGION", "Hors de la région")
STATISTICS = ("contrats", "participants", "heures", "distance_mediane_km", "distance_q1_km", "distance_q3_km",
              "distance_moyenne_km", "part_meme_commune", "part_meme_epci", "part_meme_departement")


def trips(ds: Dataset, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per contract of the year: the fact table (:func:`panorama.compute.indicators.fact_table`)
    with ``commune_residence``, ``motif`` (:data:`REASONS`; ``LOCALISE`` when the distance is
    known), ``distance_km``, and the booleans ``meme_commune`` (same commune, the
    arrondissements of Paris, Lyon and Marseille counting as their commune), ``meme_epci``
    (same EPCI à fiscalité propre) and ``meme_departement`` (département of residence = the
    operation's)."""
    facts = layer.fact_table(ds) if facts is None else facts
    homes = ds.participants.set_index("participant_id")["commune_residence"]
    frame = facts.assign(commune_residence=facts["participant_id"].map(homes))
    centroids = geo.commune_centroids()
    home, work = frame["commune_residence"], frame["commune"]
    frame["motif"] = np.select(
        [home.isna(), work.isna(), ~home.isin(centroids.index) | ~work.isin(centroids.index)],
        [code for code, _ in REASONS[1:]], LOCATED)
    frame["distance_km"] = geo.commune_distance_km(home, work)
    here, there = centroids.reindex(pd.Index(home, dtype=object)), centroids.reindex(pd.Index(work, dtype=object))
    frame["meme_commune"] = here["commune"].to_numpy() == there["commune"].to_numpy()
    frame["meme_epci"] = (here["epci"].to_numpy() == there["epci"].to_numpy()) & here["epci"].notna().to_numpy()
    frame["meme_departement"] = (frame["departement_residence"] == frame["departement"]).to_numpy()
    return frame


def coverage(frame: pd.DataFrame) -> pd.DataFrame:
    """Contracts, participants and hours by reason (:data:`REASONS`), with the share of contracts."""
    rows = []
    for code, label in REASONS:
        part = frame[frame["motif"] == code]
        rows.append({"code": code, "libelle": label, "contrats": len(part),
                     "participants": part["participant_id"].nunique(), "heures": part["heures"].sum(),
                     "part_contrats": len(part) / len(frame) if len(frame) else np.nan})
    return pd.DataFrame(rows).assign(secret=False)


def distance_bands(located: pd.DataFrame) -> pd.DataFrame:
    """Located contracts by band of distance (:data:`DISTANCE_BANDS`)."""
    edges = [low for low, *_ in DISTANCE_BANDS] + [np.inf]
    bands = pd.cut(located["distance_km"], edges, right=False, labels=[code for *_, code, _ in DISTANCE_BANDS])
    rows = []
    for *_, code, label in DISTANCE_BANDS:
        part = located[(bands == code).to_numpy()]
        rows.append({"code": code, "libelle": label, "contrats": len(part),
                     "participants": part["participant_id"].nunique(), "heures": part["heures"].sum(),
                     "part_contrats": len(part) / len(located) if len(located) else np.nan})
    return pd.DataFrame(rows).assign(secret=False)


def _statistics(part: pd.DataFrame) -> dict:
    distance = part["distance_km"]
    return {"contrats": len(part), "participants": part["participant_id"].nunique(), "heures": part["heures"].sum(),
            "distance_mediane_km": distance.median(), "distance_q1_km": distance.quantile(0.25),
            "distance_q3_km": distance.quantile(0.75), "distance_moyenne_km": distance.mean(),
            "part_meme_commune": part["meme_commune"].mean(), "part_meme_epci": part["meme_epci"].mean(),
            "part_meme_departement": part["meme_departement"].mean()}


def distance_statistics(located: pd.DataFrame, dimensions=DIMENSIONS) -> pd.DataFrame:
    """Distance statistics of the located contracts (:data:`STATISTICS`) for all of them
    (dimension :data:`~panorama.compute.studies.common.ALL`) and by category of each breakdown of
    ``dimensions`` (names of :data:`panorama.core.catalogue.DIMENSIONS`), in publication order."""
    rows = []
    for name in dimensions:
        if name == ALL:
            rows.append({"dimension": ALL, "code": ALL.upper(), "libelle": "Ensemble", **_statistics(located)})
            continue
        dimension = catalogue.dimension(name)
        codes = located[dimension.column].fillna(referential.NON_RENSEIGNE)
        order = layer.dimension_codes(dimension)
        parts = common.rows_by(located, codes)
        for code in sorted(parts, key=lambda c: (order.index(c) if c in order else len(order), c)):
            rows.append({"dimension": name, "code": code, "libelle": layer.code_label(dimension, code),
                         **_statistics(parts[code])})
    return pd.DataFrame(rows, columns=["dimension", "code", "libelle", *STATISTICS]).assign(secret=False)


def flows(located: pd.DataFrame, departements: tuple[str, ...]) -> pd.DataFrame:
    """Located contracts by département of residence and département of work (the
    operation's), départements outside ``departements`` grouped as :data:`OUTSIDE`;
    ``part_contrats`` is the share of the contracts of the département of residence."""
    def grouped(codes: pd.Series) -> pd.Series:
        return codes.where(codes.isin(departements), OUTSIDE[0])

    frame = located.assign(residence=grouped(located["departement_residence"]), travail=grouped(located["departement"]))
    order = [*departements, OUTSIDE[0]]
    rows = []
    by_home = common.rows_by(frame, frame["residence"])
    for home in order:
        mine = by_home.get(home, frame.iloc[:0])
        by_work = common.rows_by(mine, mine["travail"])
        for work in order:
            part = by_work.get(work)
            if part is None:
                continue
            rows.append({"departement_residence": home, "libelle_residence": _departement_label(home),
                         "departement_travail": work, "libelle_travail": _departement_label(work),
                         "contrats": len(part), "participants": part["participant_id"].nunique(),
                         "heures": part["heures"].sum(), "part_contrats": len(part) / len(mine)})
    columns = ["departement_residence", "libelle_residence", "departement_travail", "libelle_travail", "contrats",
               "participants", "heures", "part_contrats"]
    return pd.DataFrame(rows, columns=columns).assign(secret=False)


def _cells(year: int, cover: pd.DataFrame, bands: pd.DataFrame, statistics: pd.DataFrame,
           flux: pd.DataFrame) -> dict[str, dict]:
    """The cells, partitions and dependencies (:class:`~panorama.compute.studies.common.StudyTable`
    fields) of each table: the contracts of a reason, of a band of distance, of a category,
    of a flow, all located ones being the contracts of reason :data:`LOCATED`."""
    everyone, located = identity(year), identity(year, ("motif", LOCATED))

    def counted(names: list, frame: pd.DataFrame) -> tuple:
        return tuple((name, float(p), float(h)) for name, p, h in zip(names, frame["participants"], frame["heures"]))

    reasons = [identity(year, ("motif", code)) for code in cover["code"]]
    by_band = [located | {("distance", code)} for code in bands["code"]]
    categories = [located if d == ALL else located | {(d, c)} for d, c in zip(statistics["dimension"],
                                                                                 statistics["code"])]
    members: dict[tuple, list] = {}
    for name, d in zip(categories, statistics["dimension"]):
        if d != ALL:
            members.setdefault((located, d), []).append(name)
    homes = [located | {("departement_residence", r)} for r in flux["departement_residence"]]
    works = [located | {("departement_execution", w)} for w in flux["departement_travail"]]
    routes = [home | work for home, work in zip(homes, works)]
    along_home: dict = {}
    along_work: dict = {}
    for route, home, work in zip(routes, homes, works):
        along_home.setdefault(home, []).append(route)
        along_work.setdefault(work, []).append(route)
    return {
        "couverture": {"cells": counted(reasons, cover),
                       "partitions": (Partition(everyone, tuple(reasons), False),),
                       "depends": {"part_contrats": tuple((everyone,) for _ in reasons)}},
        "distances_par_tranche": {"cells": counted(by_band, bands),
                                  "partitions": (Partition(located, tuple(by_band), False),),
                                  "depends": {"part_contrats": tuple((located,) for _ in by_band)}},
        "distances_par_categorie": {"cells": counted(categories, statistics), "partitions": tuple(
            Partition(parent, tuple(names), catalogue.breakdown(d).participants_add_up)
            for (parent, d), names in members.items())},
        "flux_departements": {"cells": counted(routes, flux), "partitions": (
            *(Partition(home, tuple(names), False) for home, names in along_home.items()),
            *(Partition(work, tuple(names), True) for work, names in along_work.items())),
                              "depends": {"part_contrats": tuple((home,) for home in homes)}},
    }


def _departement_label(code: str) -> str:
    return OUTSIDE[1] if code == OUTSIDE[0] else referential.departement_name(code) or code


_GRAND_PARIS = (" ; à Paris et en petite couronne, c'est la Métropole du Grand Paris (les établissements publics "
                "territoriaux ne figurent pas dans le référentiel)")


def indicators(history: Mapping[int, Dataset], config: Config, *, example: bool = False) -> StudyResults:
    """The tables of the study for the last year of ``history``, before statistical secrecy."""
    year = max(history)
    frame = trips(history[year])
    located = frame[frame["motif"] == LOCATED]
    per_contract = ("Unité : le contrat (un participant ayant plusieurs contrats compte pour chacun) ; distance à vol "
                    "d'oiseau entre les centroïdes de la commune de résidence et de la commune d'exécution.")
    cover, bands, statistics = coverage(frame), distance_bands(located), distance_statistics(located)
    flux = flows(located, config.departements)
    cells = _cells(year, cover, bands, statistics, flux)
    tables = [
        StudyTable("couverture", "Contrats dont la distance est calculée",
                   f"Contrats de {year} selon que la distance domicile-travail a pu être calculée ou non, et pourquoi "
                   "(les contrats sans commune ne sont jamais localisés par défaut).", ("code",), cover,
                   **cells["couverture"]),
        StudyTable("distances_par_tranche", "Contrats par tranche de distance",
                   f"Contrats localisés de {year} par tranche de distance. {per_contract}", ("code",), bands,
                   **cells["distances_par_tranche"]),
        StudyTable("distances_par_categorie", "Distance domicile-travail par catégorie",
                   f"Médiane, quartiles et moyenne de la distance, part des contrats dans la commune, "
                   f"l'intercommunalité et le département de résidence, pour tous les contrats localisés de {year} "
                   f"(dimension ensemble) et par catégorie. {per_contract}", ("dimension", "code"), statistics,
                   **cells["distances_par_categorie"]),
        StudyTable("flux_departements", "Flux entre départements de résidence et de travail",
                   f"Contrats localisés de {year} par département de résidence du participant et département "
                   "d'exécution de l'opération ; part_contrats : part des contrats des résidents du département.",
                   ("departement_residence", "departement_travail"), flux, **cells["flux_departements"]),
    ]
    return common.study_results("mobilite", history, config, example, tables)
