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
import hashlib
import importlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from panorama.compose.figspec import MapSpec, Spec
from panorama.core import parallel
from panorama.core.cache import DiskCache, code_version

if TYPE_CHECKING:
    from panorama.core.config import Config

T = TypeVar("T")

CACHE_LIMIT = 256 * 2**20
"""Size (bytes) above which the cache drops its entries used the longest ago, down to 3/4."""
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


# -- the cache on disk -----------------------------------------------------------

class _Cache(DiskCache):
    """The folder of cached figures: ``KEY.json`` holds a checksum line, then the JSON of
    the image (bytes in base64, tuples and dataclasses tagged)."""

    def __init__(self, folder: Path):
        super().__init__(folder, "json", CACHE_LIMIT)

    def load(self, name: str):
        """The image of key ``name``; ``None`` when missing or damaged in any way."""
        body = super().load(name)
        if body is None:
            return None
        try:
            entry = json.loads(body)
            return _decode(entry["figure"]) if entry["key"] == name else None
        except Exception:  # noqa: BLE001 - any damage: the figure is drawn again
            return None

    def save(self, name: str, image) -> None:
        """Write the image of key ``name`` (a figure JSON cannot hold is not kept)."""
        try:
            body = json.dumps({"key": name, "figure": _encode(image)}, ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError):
            return
        super().save(name, body)


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
