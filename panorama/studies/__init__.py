"""Thematic studies (``spec/report.md`` §3): ``panorama study THEME YEAR``.

A study is one module of this package holding its indicators and its document
assembly, registered with the other publications in
:data:`panorama.publications.PUBLICATIONS` (which documents what the module provides)
and built by :mod:`panorama.pipeline` like the panorama.

Every table a study publishes goes through :func:`publish` (statistical
confidentiality). This module imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from panorama.confidentiality import Rule


def publish(table: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """The version of ``table`` that may be published: every table of a study
    (open data and document alike) goes through here, where the statistical
    confidentiality rule applies (:func:`panorama.confidentiality.protect_table`)."""
    from panorama.confidentiality import protect_table

    return protect_table(table, rule)
