"""Content-addressed caches on disk: the figures drawn (:mod:`panorama.draw.figures`) and the
protected results of a year (:mod:`panorama.pipeline`).

An entry is one file named by its key — a digest of everything its content depends on,
:func:`code_version` included —, holding a checksum line then the content. Entries are
written atomically; one that cannot be read, is cut short or was altered (its checksum)
counts as missing, so a damaged cache never breaks a build: the entry is made again. A
failure to write (disk full, read-only folder) is ignored. When a folder outgrows its
limit, the entries used the longest ago are removed. Deleting a cache is always safe.

The caches live in ``$XDG_CACHE_HOME/panorama/`` (``~/.cache/panorama/``), outside every
output folder (:func:`user_folder`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
from contextlib import suppress
from importlib import metadata
from pathlib import Path

from panorama import __version__
from panorama.core.resources import assets_dir

LIBRARIES = ("pandas", "numpy", "pyarrow", "highspy", "matplotlib", "pillow", "shapely", "pyproj", "geopandas",
             "pyogrio", "mapclassify")
"""Libraries whose version may change a cached value: the computation's (pandas, NumPy,
HiGHS) and the drawing's (matplotlib ships its FreeType; Pillow writes the PNG;
mapclassify sets the classes of the maps)."""


def user_folder(name: str) -> Path | None:
    """The user's cache folder ``name``: ``$XDG_CACHE_HOME/panorama/NAME``, else
    ``~/.cache/panorama/NAME``; ``None`` without a home folder."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home folder: no cache
        return None
    return Path(base) / "panorama" / name


@functools.cache
def code_version() -> str:
    """A digest of panorama's code and data: its version and every module of the package,
    the shipped fonts and boundaries (``assets/``), and the versions of Python and of
    :data:`LIBRARIES`. Any change there changes every key."""
    digest = hashlib.sha256(f"panorama {__version__}\npython {platform.python_version()}\n".encode())
    for library in LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{library} {version}\n".encode())
    package = Path(__file__).resolve().parents[1]  # every module of panorama
    for root, pattern in ((package, "*.py"), (assets_dir(), "*")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
            digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class DiskCache:
    """A folder of entries ``KEY.SUFFIX``: a checksum line, then the content's bytes."""

    def __init__(self, folder: Path, suffix: str, limit: int):
        self.folder = Path(folder)
        self.suffix = suffix
        self.limit = limit

    def load(self, name: str) -> bytes | None:
        """The content of key ``name``; ``None`` when missing or damaged in any way."""
        path = self.folder / f"{name}.{self.suffix}"
        try:
            check, _, body = path.read_bytes().partition(b"\n")
            if hashlib.sha256(body).hexdigest().encode() != check:
                return None
            os.utime(path)  # recently used: kept longest when the cache is pruned
        except OSError:
            return None
        return body

    def save(self, name: str, body: bytes) -> None:
        """Write the content of key ``name`` atomically; a failure (disk full, read-only) is ignored."""
        path = self.folder / f"{name}.{self.suffix}"
        partial = path.with_name(f".{name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
            os.replace(partial, path)
        except OSError:
            with suppress(OSError):
                partial.unlink()

    def prune(self, limit: int | None = None) -> None:
        """Past ``limit`` bytes (the cache's own by default), remove the entries used the
        longest ago, down to 3/4 of it."""
        limit = self.limit if limit is None else limit
        try:
            entries = sorted((entry.stat().st_mtime_ns, entry.stat().st_size, entry.path)
                              for entry in os.scandir(self.folder) if entry.is_file())
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        if total <= limit:
            return
        for _, size, path in entries:  # the least recently used first
            if total <= limit * 3 // 4:
                break
            with suppress(OSError):
                os.remove(path)
                total -= size
