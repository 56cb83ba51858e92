"""Commune positions and straight-line distances, for the mobility study and the maps.

:func:`commune_centroids` reads ``assets/geo/communes_centroides.csv``
(built by ``scripts/build_boundaries.py`` from IGN – Admin Express): one row
per commune code of the COG at 1 January 2025 — communes, the municipal
arrondissements of Paris, Lyon and Marseille *and* their parent codes (75056,
69123, 13055), and the former communes (déléguées, associées) whose code
differs from their commune's, so that data coded in an older COG still
resolves. :func:`haversine_km` gives great-circle distances.

Only pandas and numpy are imported: the mobility study can use this module
without loading the map stack.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from panorama.core.resources import assets_dir

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


@cache
def _centroids() -> pd.DataFrame:
    path = assets_dir() / "geo" / "communes_centroides.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values={"epci": [""]},
                        encoding="utf-8")
    frame["lon"] = frame["lon"].astype(float)
    frame["lat"] = frame["lat"].astype(float)
    return frame.set_index("code")


def commune_centroids() -> pd.DataFrame:
    """The position of every commune code, indexed by ``code`` (INSEE, 5 characters).

    Columns: ``nom``; ``type`` (``COM`` commune, ``ARM`` municipal
    arrondissement, ``COMD``/``COMA`` former commune, déléguée or associée);
    ``commune``, the code of the commune it belongs to (itself for a commune,
    75056 for the arrondissements of Paris, the commune nouvelle for a former
    commune); ``departement``; ``epci``, the SIREN of the commune's EPCI à
    fiscalité propre (NaN for the four island communes outside any EPCI);
    ``lon`` and ``lat``, WGS84 degrees.

    The position is the true (area-weighted) centroid of the commune's
    polygon, computed before simplification; for 75056, 69123 and 13055 that
    of the union of their arrondissements. ``assets/geo/SOURCE.md`` tells the
    few exceptions (former communes without a polygon). The table is read
    once; each call returns a copy.
    """
    return _centroids().copy()


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km between (``lon1``, ``lat1``) and (``lon2``,
    ``lat2``), in degrees; scalars or arrays (numpy broadcasting), NaN in, NaN out."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def commune_distance_km(origins, destinations) -> np.ndarray:
    """Distance in km between the centroids of two sequences of commune codes,
    pairwise; NaN where a code is blank or unknown."""
    table = _centroids()
    start = table.reindex(pd.Index(origins, dtype=object))
    end = table.reindex(pd.Index(destinations, dtype=object))
    return haversine_km(start["lon"].to_numpy(), start["lat"].to_numpy(),
                        end["lon"].to_numpy(), end["lat"].to_numpy())
