"""The document model the templates render: sections made of blocks.

Blocks hold raw figures and a formatting *kind* per value; the templates only
format (``fmt`` filter) and lay out. Each block class has a ``block`` name the
template dispatches on. A chart or a map is held as its specification
(:mod:`panorama.compose.figspec`); the build attaches its drawn image afterwards
(:class:`panorama.draw.figures.Figures`).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from panorama.compose.figspec import Spec, narrow
from panorama.core.formatting import SECRET


def chart_value(value):
    """A value for the chart functions: ``None`` (not drawn, « non publié ») when secret."""
    return None if value is SECRET else value


@dataclass(frozen=True)
class Column:
    """A table column: its header and the formatting kind of its cells
    (``texte``, ``code`` (short text kept on one line), ``heures``, ``nombre``,
    ``part``, ``evolution``, ``points``, ``decimal``, ``mixte`` (a ``(value, kind)`` pair))."""

    label: str
    kind: str = "texte"


@dataclass
class Table:
    """A data table with a caption; the first column holds row headers."""

    caption: str
    columns: list[Column]
    rows: list[list]
    total: list | None = None
    note: str = ""
    block: str = "table"

    @property
    def has_secret(self) -> bool:
        """Whether a cell is covered by statistical secrecy (the table then explains « s »)."""
        cells = [cell for row in [*self.rows, self.total or []] for cell in row]
        return any(cell is SECRET or (isinstance(cell, tuple) and cell and cell[0] is SECRET) for cell in cells)


@dataclass
class Figure:
    """A chart or a map: its specification, its source and (HTML) the table behind it; once
    drawn, its ``image`` (a :class:`panorama.draw.charts.Chart` or :class:`panorama.draw.maps.MapImage`):
    PNG bytes, alt text stating its figures, size; and ``narrow_image``, the same figure drawn
    for small screens (:func:`panorama.compose.figspec.narrow`), which the web page shows there."""

    id: str
    title: str
    spec: Spec
    source: str
    table: Table | None = None
    note: str = ""
    block: str = "figure"
    image: object = None
    narrow_image: object = None

    @property
    def narrow_spec(self) -> Spec:
        """The specification of the small screens' variant."""
        return narrow(self.spec)

    @property
    def narrow_png(self) -> bytes:
        """The small screens' variant's PNG bytes."""
        self._drawn()
        return self.narrow_image.png

    def _drawn(self):
        if self.image is None:
            raise RuntimeError(f"Figure « {self.title} » non dessinée : dessiner les figures du document "
                               "(panorama.draw.figures.Figures.draw) avant de le rendre.")
        return self.image

    @property
    def png(self) -> bytes:
        """The drawn image's PNG bytes."""
        return self._drawn().png

    @property
    def alt(self) -> str:
        """The drawn image's alt text, which states its figures."""
        return self._drawn().alt

    @property
    def width_cm(self) -> float:
        """The width the image was drawn at (cm): shown at 1:1 in the PDF."""
        return self._drawn().width_cm

    @property
    def half(self) -> bool:
        """Drawn at half the text width: two such figures sit side by side."""
        return self.width_cm <= 9


@dataclass
class Text:
    """A paragraph: the observatory's Markdown (``html``) or generated ``text``."""

    key: str
    text: str = ""
    html: str | None = None
    block: str = "text"


@dataclass
class Findings:
    """The findings of the year, one sentence each (« L'essentiel »), or the observatory's
    Markdown (``html``) in their place."""

    key: str
    items: list[str]
    html: str | None = None
    block: str = "findings"


@dataclass(frozen=True)
class Card:
    """One key figure: its value, N−1 evolution and the arrow's direction."""

    label: str
    value: float
    kind: str
    evolution: str = ""
    direction: str = ""
    detail: str = ""
    history: list[tuple[int, float]] = field(default_factory=list)

    @property
    def history_kind(self) -> str:
        """Formatting kind of the earlier years' values (hours without their unit, to stay short)."""
        return "nombre" if self.kind == "heures" else self.kind


@dataclass
class Cards:
    """A grid of key-figure cards."""

    title: str
    cards: list[Card]
    block: str = "cards"

    @property
    def columns(self) -> int:
        """Columns of the printed grid, so that every row is full when it can be (9 cards: 3 × 3)."""
        n = len(self.cards)
        return next((c for c in (4, 3, 5) if n % c == 0), 4) if n > 5 else max(min(n, 5), 3)


@dataclass
class Section:
    """A numbered section of the document (``id`` is its HTML anchor)."""

    id: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    """Everything the template needs to render one publication."""

    title: str
    subtitle: str
    year: int
    region: str
    observatory: str
    publisher: str
    sections: list[Section]
    example: bool
    publication_date: _dt.date | None = None
    logo_uri: str | None = None
    primary_colour: str = "#1f4e79"
    source_line: str = ""
    layout: str = "rapport"  # ``rapport``: cover page and contents; ``fiche``: compact header
    kicker: str = ""  # line above the title (default: the observatory's name)

    @property
    def texts(self) -> list[tuple[str, bool]]:
        """Key of each replaceable text of the document and whether the observatory supplied it."""
        return [(block.key, block.html is not None) for section in self.sections for block in section.blocks
                if isinstance(block, (Text, Findings))]

    @property
    def figures(self) -> list[Figure]:
        """The charts and maps of the document, in order."""
        return [block for section in self.sections for block in section.blocks if isinstance(block, Figure)]
