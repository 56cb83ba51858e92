"""Charts and maps drawn after composition: once each, on two cores, and kept in a
content-addressed cache so that an unchanged rebuild draws none of them.

Composition never draws: it describes every chart and map by a specification
(:mod:`panorama.compose.figspec`: plain, hashable data — kind, values, labels, unit and the few
style options that change the pixels), which the document's
:class:`~panorama.compose.document.Figure` blocks hold. A build then, once for all its documents:

1. composes them (once: nothing is drawn while composing);
2. gathers the specifications of their figures, each once (:class:`Figures`; two
   documents showing the same figure, say two département sheets, share it), and reads
   those already drawn from the cache;
3. has the others drawn all together (:func:`draw_all`: a worker process, made ready
   while the data were read, shares them between two cores; :func:`draw` hands a
   specification to :func:`panorama.draw.charts.draw` or :func:`panorama.draw.maps.draw`);
4. attaches each image (PNG bytes, alt text, size) to the figure blocks that show it,
   where rendering (:mod:`panorama.output.render`) reads it, with the small screens'
   variant of each (:func:`panorama.compose.figspec.narrow`) that the web pages show there.

A figure's key (:func:`key`) is a SHA-256 of the specification itself and of the version
of the drawing code (:func:`code_version`). Not of the configuration: changing the
publication date or the observatory's name draws nothing again, changing the main colour
or the inset redraws the figures that show it. The same key always gives the same bytes,
so the documents are identical with or without the cache.

The cache is a folder holding one file per figure, ``KEY.json``; by default
``$XDG_CACHE_HOME/panorama/figures`` (``~/.cache/panorama/figures``), outside every output
folder and shared by all of them (keys are content hashes: builds of other data or other
editions cannot collide). Entries are written atomically; one that cannot be read, is
cut short or was altered (its checksum) is drawn again and rewritten, so a damaged cache
never breaks a build. When the folder outgrows :data:`CACHE_LIMIT`, the entries used the
longest ago are removed. Deleting the folder is always safe.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import importlib
import json
import os
import platform
from collections.abc import Callable, Sequence
from contextlib import suppress
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from panorama import __version__
from panorama.compose.figspec import MapSpec, Spec
from panorama.core import parallel
from panorama.core.resources import assets_dir

if TYPE_CHECKING:
    from panorama.core.config import Config

T = TypeVar("T")

CACHE_LIMIT = 256 * 2**20
"""Size (bytes) above which the cache drops its entries used the longest ago, down to 3/4."""
LIBRARIES = ("matplotlib", "pillow", "numpy", "shapely", "pyproj", "geopandas", "pyogrio", "mapclassify")
"""Libraries whose version changes drawn bytes (matplotlib ships its FreeType; Pillow writes the PNG;
mapclassify sets the classes of the maps)."""
_FORMAT = "panorama-figure-2"


def draw(spec: Spec):
    """The image of ``spec``: a :class:`panorama.draw.charts.Chart` or a :class:`panorama.draw.maps.MapImage`."""
    if isinstance(spec, MapSpec):
        from panorama.draw import maps

        return maps.draw(spec)
    from panorama.draw import charts

    return charts.draw(spec)


def draw_all(specs: Sequence[Spec]) -> list:
    """The images of ``specs``, drawn by this process and a forked one."""
    return parallel.share(draw, specs)


def prepare(config: Config, communes: bool = False) -> None:
    """Load what drawing needs (matplotlib, fonts, the région's boundaries and, with
    ``communes``, those of its communes), ahead of drawing."""
    from panorama.draw import charts, maps

    charts.prepare()
    maps.prepare(config, communes)


def default_folder() -> Path | None:
    """The user's figure cache: ``$XDG_CACHE_HOME/panorama/figures``, else
    ``~/.cache/panorama/figures``; ``None`` without a home folder."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home folder: no cache
        return None
    return Path(base) / "panorama" / "figures"


class Figures:
    """The images of one build, kept by key in memory and, given a ``cache`` folder, on disk."""

    def __init__(self, cache: Path | None = None):
        self._cache = None if cache is None else _Cache(Path(cache))
        self._drawn: dict[str, object] = {}

    def missing(self, specs: Sequence[Spec]) -> list[Spec]:
        """The specifications among ``specs`` neither kept nor in the cache, each once."""
        missing: dict[str, Spec] = {}
        for spec in specs:
            name = key(spec)
            if name not in self._drawn and name not in missing:
                found = self._cache.load(name) if self._cache else None
                if found is None:
                    missing[name] = spec
                else:
                    self._drawn[name] = found
        return list(missing.values())

    def keep(self, specs: Sequence[Spec], images: Sequence) -> None:
        """Keep the images drawn for ``specs`` (in the cache too); the cache then keeps to its size."""
        for spec, image in zip(specs, images, strict=True):
            name = key(spec)
            self._drawn[name] = image
            if self._cache is not None:
                self._cache.save(name, image)
        if self._cache is not None and specs:
            self._cache.prune()

    def draw(self, composed: T, draw_all: Callable[[list[Spec]], list] = draw_all) -> T:
        """``composed`` (a document, or a list of them) with its image attached to each of
        their figures: kept, read from the cache, or drawn with ``draw_all`` (all at once,
        each once)."""
        documents = composed if isinstance(composed, list) else [composed]
        blocks = [figure for document in documents for figure in document.figures]
        missing = self.missing([spec for figure in blocks for spec in (figure.spec, figure.narrow_spec)])
        if missing:
            self.keep(missing, draw_all(missing))
        for figure in blocks:
            figure.image = self._drawn[key(figure.spec)]
            figure.narrow_image = self._drawn[key(figure.narrow_spec)]
        return composed


# -- keys ------------------------------------------------------------------------

def key(spec: Spec) -> str:
    """The key of ``spec``'s image: a SHA-256 of the specification and of :func:`code_version`."""
    text = f"{_FORMAT}\n{code_version()}\n{_canonical(spec)}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(value) -> str:
    """An unambiguous text of a specification: equal texts, equal figures. ``TypeError`` for
    a value of a kind a specification does not hold."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"f{value!r}"
    if isinstance(value, str):
        return f"s{len(value)}:{value}"
    if isinstance(value, tuple):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__qualname__}({fields})"
    raise TypeError(f"valeur sans forme canonique : {type(value).__name__}")


@functools.cache
def code_version() -> str:
    """A digest of the code and data that draw: panorama's version and every module of the
    package, the shipped fonts and boundaries (``assets/``), and the versions of Python and
    of :data:`LIBRARIES`. Any change there changes every key."""
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


# -- the cache on disk -----------------------------------------------------------

class _Cache:
    """The folder of cached figures: ``KEY.json`` holds a checksum line, then the JSON of
    the image (bytes in base64, tuples and dataclasses tagged)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def load(self, name: str):
        """The image of key ``name``; ``None`` when missing or damaged in any way."""
        path = self.folder / f"{name}.json"
        try:
            check, _, body = path.read_bytes().partition(b"\n")
            if hashlib.sha256(body).hexdigest().encode() != check:
                return None
            entry = json.loads(body)
            if entry["key"] != name:
                return None
            image = _decode(entry["figure"])
            os.utime(path)  # recently used: kept longest when the cache is pruned
        except Exception:  # noqa: BLE001 - any damage: the figure is drawn again
            return None
        return image

    def save(self, name: str, image) -> None:
        """Write the image of key ``name`` atomically; a failure (disk full, read-only) is ignored."""
        path = self.folder / f"{name}.json"
        partial = path.with_name(f".{name}.{os.getpid()}.tmp")
        try:
            body = json.dumps({"key": name, "figure": _encode(image)}, ensure_ascii=False).encode("utf-8")
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
            os.replace(partial, path)
        except (OSError, TypeError, ValueError):  # not writable, or a figure JSON cannot hold
            with suppress(OSError):
                partial.unlink()

    def prune(self, limit: int = CACHE_LIMIT) -> None:
        """Past ``limit`` bytes, remove the entries used the longest ago, down to 3/4 of it."""
        try:
            entries = sorted(((entry.stat().st_mtime_ns, entry.stat().st_size, entry.path)
                              for entry in os.scandir(self.folder) if entry.is_file()))
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


def _encode(value):
    """``value`` as JSON data: bytes, tuples, dicts with any keys and dataclasses tagged."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"dataclass": f"{type(value).__module__}:{type(value).__qualname__}",
                "fields": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise TypeError(f"valeur que le cache ne sait pas écrire : {type(value).__name__}")


def _decode(data):
    """The value :func:`_encode` wrote (only panorama's dataclasses are rebuilt)."""
    if isinstance(data, list):
        return [_decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "bytes" in data:
        return base64.b64decode(data["bytes"], validate=True)
    if "tuple" in data:
        return tuple(_decode(v) for v in data["tuple"])
    if "dict" in data:
        return {_decode(k): _decode(v) for k, v in data["dict"]}
    module, _, name = data["dataclass"].partition(":")
    if module != "panorama" and not module.startswith("panorama."):
        raise ValueError(f"classe inattendue dans le cache : {data['dataclass']}")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"classe inattendue dans le cache : {data['dataclass']}")
    return cls(**{field: _decode(v) for field, v in data["fields"].items()})
