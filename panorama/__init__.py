"""panorama — panorama annuel des clauses sociales dans la commande publique.

The data flows one way: source → validate → compute → protect → compose → draw →
render → write. The public entry points are :func:`panorama.pipeline.run` (any
publication of :mod:`panorama.core.publications`, from a :mod:`panorama.input.source`) and
:func:`panorama.input.validation.load_year`; the command line (:mod:`panorama.cli`) is a
thin layer over them.
"""

__version__ = "0.1.0"
