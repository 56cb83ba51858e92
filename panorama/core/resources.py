"""Locate the files shipped beside the code: templates, assets and example data.

In a wheel they live in ``panorama/_data/``; in a source checkout (editable
install, tests) they are the top-level ``templates/``, ``assets/`` and
``examples/`` folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the package: panorama/core/ is one level down


@cache
def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``templates``, ``assets`` or ``examples``)."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"Dossier de ressources introuvable : {name}")


def templates_dir() -> Path:
    """Folder of the Jinja2 templates."""
    return data_dir("templates")


def assets_dir() -> Path:
    """Folder of fonts, boundaries and other static assets."""
    return data_dir("assets")


def example_data_root() -> Path:
    """Data root of the embedded synthetic example (one folder per year)."""
    return data_dir("examples") / "donnees"
