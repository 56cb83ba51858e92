"""panorama — panorama annuel des clauses sociales dans la commande publique.

The data flows one way: read → validate → indicators → results → render → write.
The public entry points are :func:`panorama.build.build` and
:func:`panorama.validation.load_year`; the command line (:mod:`panorama.cli`) is a
thin layer over them.
"""

__version__ = "0.1.0"
