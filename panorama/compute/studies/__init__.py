"""The thematic studies' tables (``spec/report.md`` §3), before statistical secrecy.

Each study registered in :data:`panorama.core.publications.PUBLICATIONS` has here the
module computing its tables (``indicators``, and ``subjects`` for a study about one
entity), beside the one composing its document in :mod:`panorama.compose.studies`. Every
table declares the counts it publishes (:mod:`panorama.compute.studies.common`);
:func:`panorama.protect.results.compute_edition` publishes them, statistical
confidentiality applied jointly with everything else published for the year.
"""
