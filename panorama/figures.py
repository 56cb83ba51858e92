"""Charts and maps drawn once: planned ahead, drawn together on two cores, and kept in a
content-addressed cache so that an unchanged rebuild draws none of them.

The drawing functions (the public functions of :mod:`panorama.charts` and
:mod:`panorama.maps`) are marked with :func:`drawing`. Called outside a build, they
simply draw. A build composes each document through a :class:`Figures`:

1. :meth:`Figures.plan` composes the document once, every drawing function returning a
   placeholder (:class:`Planned`) and noting its call (a :class:`Spec`); the figures
   found in the cache are read, the others returned;
2. the build has those drawn all together (:func:`draw_all`, in a worker process that
   shares them between two cores) and hands them to :meth:`Figures.keep`;
3. :meth:`Figures.compose` composes the document again, every drawing function now
   returning its figure — or raising its ``ValueError`` again when it refused to draw.

A figure's key is a SHA-256 of everything its bytes depend on: the drawing function and
its arguments (values, labels, sizes, the whole configuration) and the version of the
drawing code (:func:`code_version`). The same key always gives the same bytes, so the
documents are identical with or without the cache.

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
import datetime as _dt
import functools
import hashlib
import importlib
import inspect
import json
import numbers
import os
import platform
from collections.abc import Callable, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from importlib import metadata
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd

from panorama import __version__, parallel
from panorama.resources import assets_dir

if TYPE_CHECKING:
    from panorama.config import Config

T = TypeVar("T")

CACHE_LIMIT = 256 * 2**20
"""Size (bytes) above which the cache drops its entries used the longest ago, down to 3/4."""
LIBRARIES = ("matplotlib", "pillow", "numpy", "shapely", "pyproj", "geopandas", "pyogrio", "mapclassify")
"""Libraries whose version changes drawn bytes (matplotlib ships its FreeType; Pillow writes the PNG;
mapclassify sets the classes of the maps)."""
_FORMAT = "panorama-figure-1"


@dataclasses.dataclass(frozen=True)
class Spec:
    """One call of a drawing function (``name``: ``module.function``) and its key."""

    name: str
    args: tuple
    kwargs: dict
    key: str


@dataclasses.dataclass(frozen=True)
class Drawn:
    """What a drawing function gave: its figure, or the message of the ``ValueError`` it
    raised to refuse drawing (every value secret or missing, say)."""

    figure: object = None
    refusal: str | None = None

    def result(self):
        """The figure; the refusal raised again as a ``ValueError``."""
        if self.refusal is not None:
            raise ValueError(self.refusal)
        return self.figure


class Planned:
    """What a drawing function returns while a document is planned: no image yet. Its
    attributes are those a document reads from a chart or a map."""

    png = b""
    alt = ""
    width_cm = 0.0
    height_cm = 0.0


PLANNED = Planned()
_DRAWERS: dict[str, Callable] = {}
_ACTIVE: ContextVar[Figures | None] = ContextVar("panorama_figures", default=None)


def drawing(function: Callable) -> Callable:
    """Mark ``function`` as a drawing function: deterministic (its arguments alone decide
    its result), returning a dataclass (``png`` bytes, alt text…), raising ``ValueError``
    when there is nothing to draw. Inside :meth:`Figures.plan` or :meth:`Figures.compose`
    its calls go through the :class:`Figures`; elsewhere it just draws."""
    name = f"{function.__module__}.{function.__qualname__}"
    signature = inspect.signature(function)
    _DRAWERS[name] = function

    @functools.wraps(function)
    def through_figures(*args, **kwargs):
        figures = _ACTIVE.get()
        if figures is None:
            return function(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return figures.figure(name, bound)

    return through_figures


def draw(spec: Spec) -> Drawn:
    """Draw one planned figure (any process: the drawing function is found by its name)."""
    if spec.name not in _DRAWERS:
        importlib.import_module(spec.name.rpartition(".")[0])  # registers its drawing functions
    try:
        return Drawn(figure=_DRAWERS[spec.name](*spec.args, **spec.kwargs))
    except ValueError as refusal:
        return Drawn(refusal=str(refusal))


def draw_all(specs: list[Spec]) -> list[Drawn]:
    """Draw planned figures, shared between this process and a forked one."""
    return parallel.share(draw, specs)


def prepare(config: Config, communes: bool = False) -> None:
    """Load what drawing needs (matplotlib, fonts, the région's boundaries and, with
    ``communes``, those of its communes), ahead of drawing."""
    from panorama import charts, maps

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
    """The figures of one build, kept by key in memory and, given a ``cache`` folder, on disk."""

    def __init__(self, cache: Path | None = None):
        self._cache = None if cache is None else _Cache(Path(cache))
        self._drawn: dict[str, Drawn] = {}
        self._planned: dict[str, Spec] | None = None

    def plan(self, builder: Callable[[], object]) -> list[Spec]:
        """Compose ``builder()`` without drawing; return the figures it draws that are neither
        kept nor in the cache (each once)."""
        self._planned = {}
        try:
            with self._active():
                builder()
            planned = self._planned
        finally:
            self._planned = None
        missing = []
        for key, spec in planned.items():
            found = self._drawn.get(key) or (self._cache.load(key) if self._cache else None)
            if found is None:
                missing.append(spec)
            else:
                self._drawn[key] = found
        return missing

    def keep(self, specs: list[Spec], drawn: list[Drawn]) -> None:
        """Keep what was drawn for ``specs`` (in the cache too); the cache then keeps to its size."""
        for spec, result in zip(specs, drawn, strict=True):
            self._keep(spec.key, result)
        if self._cache is not None and specs:
            self._cache.prune()

    def compose(self, builder: Callable[[], T]) -> T:
        """``builder()``, its drawing functions returning the figures kept (one not planned is
        drawn here and kept)."""
        with self._active():
            return builder()

    def figure(self, name: str, bound: inspect.BoundArguments):
        """A drawing function's result while this is active (see :func:`drawing`)."""
        try:
            key = _key(name, bound.arguments)
        except TypeError:  # an argument without a canonical form: drawn each time, never kept
            key = None
        spec = Spec(name, bound.args, bound.kwargs, key or "")
        if self._planned is not None:
            if key is not None:
                self._planned.setdefault(key, spec)
            return PLANNED
        found = self._drawn.get(key) if key is not None else None
        if found is None:
            found = draw(spec)
            if key is not None:
                self._keep(key, found)
        return found.result()

    def _keep(self, key: str, drawn: Drawn) -> None:
        self._drawn[key] = drawn
        if self._cache is not None:
            self._cache.save(key, drawn)

    @contextmanager
    def _active(self):
        token = _ACTIVE.set(self)
        try:
            yield
        finally:
            _ACTIVE.reset(token)


# -- keys ------------------------------------------------------------------------

def _key(name: str, arguments: Mapping[str, object]) -> str:
    text = f"{_FORMAT}\n{code_version()}\n{name}\n{_canonical(dict(arguments))}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(value) -> str:
    """An unambiguous text of an argument: equal texts, equal figures. ``TypeError`` for a
    value of a kind not listed here."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if value is pd.NA or value is pd.NaT:
        return "NA"
    if isinstance(value, numbers.Integral):
        return f"i{int(value)}"
    if isinstance(value, numbers.Real):
        return f"f{float(value)!r}"
    if isinstance(value, str):
        return f"s{len(value)}:{value}"
    if isinstance(value, PurePath):
        return f"p{_canonical(str(value))}"
    if isinstance(value, _dt.date):
        return f"d{value.isoformat()}"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items()) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__module__}.{type(value).__qualname__}({fields})"
    if isinstance(value, pd.Series):
        return f"Series({_canonical(list(value.index))},{_canonical(list(value))})"
    if isinstance(value, (list, tuple, range, np.ndarray, pd.Index)):
        return f"{type(value).__name__}[" + ",".join(_canonical(v) for v in value) + "]"
    raise TypeError(f"argument sans forme canonique : {type(value).__name__}")


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
    package = Path(__file__).resolve().parent
    for root, pattern in ((package, "*.py"), (assets_dir(), "*")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
            digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# -- the cache on disk -----------------------------------------------------------

class _Cache:
    """The folder of cached figures: ``KEY.json`` holds a checksum line, then the JSON of
    the :class:`Drawn` (bytes in base64, tuples and dataclasses tagged)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def load(self, key: str) -> Drawn | None:
        """The entry of ``key``; ``None`` when missing or damaged in any way."""
        path = self.folder / f"{key}.json"
        try:
            check, _, body = path.read_bytes().partition(b"\n")
            if hashlib.sha256(body).hexdigest().encode() != check:
                return None
            entry = json.loads(body)
            if entry["key"] != key:
                return None
            drawn = Drawn(figure=_decode(entry["figure"]), refusal=entry["refusal"])
            os.utime(path)  # recently used: kept longest when the cache is pruned
        except Exception:  # noqa: BLE001 - any damage: the figure is drawn again
            return None
        return drawn

    def save(self, key: str, drawn: Drawn) -> None:
        """Write the entry of ``key`` atomically; a failure (disk full, read-only) is ignored."""
        path = self.folder / f"{key}.json"
        partial = path.with_name(f".{key}.{os.getpid()}.tmp")
        try:
            body = json.dumps({"key": key, "figure": _encode(drawn.figure), "refusal": drawn.refusal},
                              ensure_ascii=False).encode("utf-8")
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
