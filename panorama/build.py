"""The machinery of a build, used by :mod:`panorama.pipeline`: the drawing of the figures
of a build (:class:`_Drawing`) and the staged writing of its outputs (:class:`staging`).

A worker process, forked as the build starts, loads the drawing libraries while the data
are read, then draws the charts and maps that the figure cache (:mod:`panorama.figures`)
lacks, on both cores. Outputs are written in a staging folder beside their target and
swapped in at the end, so a failed build leaves the previous outputs untouched.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from panorama import figures
from panorama.config import Config
from panorama.parallel import Worker

Cache = bool | Path
"""The figure cache of a build: ``True`` the user's (:func:`panorama.figures.default_folder`),
a folder, or ``False`` for none (every figure drawn)."""
T = TypeVar("T")


class _Drawing:
    """The figures of one build. A worker process forked at once loads the drawing
    libraries (and the boundaries of the communes, for the sheets' maps) while the data
    are read; :meth:`compose` then has it draw, on both cores, the figures the cache lacks."""

    def __init__(self, config: Config, cache: Cache, communes: bool = False):
        self._figures = figures.Figures(figures.default_folder() if cache is True else cache or None)
        self._worker = Worker(functools.partial(figures.prepare, config, communes))

    def __enter__(self) -> _Drawing:
        self._worker.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._worker.__exit__(exc_type, exc, tb)

    def compose(self, builder: Callable[[], T]) -> T:
        """``builder()`` (a document, or a list of them), composed once, with the figures of
        all its documents drawn (each once) and attached (see :mod:`panorama.figures`); once
        per build."""
        return self._figures.draw(builder(), self._draw_all)

    def _draw_all(self, specs: list) -> list:
        """The images of ``specs``, drawn by the worker (which shares them with another process)."""
        self._worker.start(figures.draw_all, specs)
        return self._worker.result()


class staging:
    """Context manager: a temporary folder whose entries replace those of ``target`` on success.

    Each file or folder written in the temporary folder replaces the entry of the
    same name in ``target`` (a folder is replaced whole, so no stale file
    survives in it); other entries of ``target`` are left as they are. On an
    exception the temporary folder is removed and ``target`` is untouched.
    """

    def __init__(self, target: Path):
        self.target = Path(target)

    def __enter__(self) -> Path:
        self.target.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-", dir=self.target.parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        for entry in sorted(self.tmp.iterdir()):
            destination = self.target / entry.name
            if destination.is_dir() and not destination.is_symlink():
                old = self.tmp.with_name(f"{self.tmp.name}-{entry.name}-ancien")
                destination.rename(old)
                entry.rename(destination)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(entry, destination)
        self.tmp.rmdir()
