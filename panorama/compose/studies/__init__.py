"""Thematic studies (``spec/report.md`` §3): ``panorama study THEME YEAR``.

A study is one module of this package holding its indicators and its document
assembly, registered with the other publications in
:data:`panorama.core.publications.PUBLICATIONS` (which documents what the module provides)
and built by :mod:`panorama.pipeline` like the panorama.

A study's ``indicators`` return its tables before statistical secrecy, each declaring
the counts it publishes (see :mod:`panorama.compose.studies.common`); they are published
through :func:`panorama.protect.results.compute_edition`, which applies statistical
confidentiality to them jointly with everything else published for the year.
"""
