"""Rendering: a :class:`~panorama.compose.document.Document` to one self-contained HTML
file and to a tagged A4 PDF (WeasyPrint), optionally PDF/A-3.

Templates (``templates/``) only format and lay out; the ``fmt`` filter applies
:func:`panorama.core.formatting.fmt_value` by kind. The web page inlines its fonts
and images (it works offline); the PDF reads the fonts from ``assets/fonts``.

Reproducible: the same document always gives the same bytes. Nothing reads the
clock: the one date written (``dcterms.created``, which WeasyPrint turns into
the PDF's creation and modification dates) is the configured publication date,
else 1 January of the year after the data (as in the open data); the PDF's
``/ID`` is a hash of its content; every glyph comes from the embedded Lato
font (no system fallback font, which would differ between machines).
"""

from __future__ import annotations

import base64
import datetime as _dt
import logging
import os
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from panorama.compose.commentary import fmt_points
from panorama.compose.document import SECRET, Document
from panorama.core import formatting
from panorama.core.resources import assets_dir, templates_dir

PDF_ARCHIVE_VARIANT = "pdf/a-3u"  # ISO 19005-3, level U (Unicode text); the PDF stays tagged
FONT_FACES = (("Lato-Regular.ttf", 400, "normal"), ("Lato-Bold.ttf", 700, "normal"),
              ("Lato-Italic.ttf", 400, "italic"), ("Lato-BoldItalic.ttf", 700, "italic"))
WEB_FONT_FACES = FONT_FACES[:2]


def _fmt(value, kind: str) -> str:
    if kind == "mixte":  # a (value, kind) pair: tables mixing counts and shares
        value, kind = value
    if value is SECRET:
        return Markup('<abbr title="secret statistique">s</abbr>')
    if kind in ("texte", "code"):
        return "" if value is None else str(value)
    if kind == "points":
        return fmt_points(value)
    return formatting.fmt_value(value, kind)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def _headings_from(html: str, level: int) -> Markup:
    """The observatory's Markdown HTML with its headings moved down so that the first
    level used becomes ``level`` (a ``# Titre`` inside a section becomes an ``h3``):
    the document's heading hierarchy keeps one ``h1`` and no gap."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(html)]
    if not levels:
        return Markup(html)
    shift = level - min(levels)
    return Markup(_HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html))


def publication_moment(document: Document) -> _dt.date:
    """The date the document carries (HTML ``dcterms.created``, PDF creation date): the
    configured publication date, else 1 January of the year after the data. Never the clock."""
    return document.publication_date or _dt.date(document.year + 1, 1, 1)


def _css_string(text: str) -> Markup:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


def _finalize(value):
    """Every text the templates print, with French typography (markup, already HTML, untouched)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return formatting.french_typography(value)
    return value


#: A hyphenated proper noun: a capitalised word joined by hyphens to others (« Seine-Saint-Denis »,
#: « Hauts-de-Seine », « Côtes-d'Armor », « L'Haÿ-les-Roses », « Île-de-France »): every
#: compound place name of France, département, region, commune or intercommunality.
_PLACE = re.compile(r"(?<![\w-])[^\W\d_a-zà-ÿ][\w'’]*(?:-[\w'’]+)+")


def _places(value):
    """A text printed with French typography and each hyphenated place name in a span that is
    never broken at its hyphens (``.lieu``: ``white-space: nowrap``), in the PDF and the web
    page alike: « Seine-/Saint-Denis » never ends a line. Markup (already HTML) is untouched."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    text = formatting.french_typography(value)
    pieces, last = [], 0
    for match in _PLACE.finditer(text):
        pieces += [escape(text[last:match.start()]), Markup('<span class="lieu">{}</span>').format(match.group())]
        last = match.end()
    if not pieces:
        return text
    return Markup("").join([*pieces, escape(text[last:])])


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment (autoescape on, French formatting filters)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=True, trim_blocks=False, lstrip_blocks=False,
                             undefined=jinja2.StrictUndefined, finalize=_finalize)
    env.filters.update(fmt=_fmt, data_uri=_data_uri, date=formatting.fmt_date, css_string=_css_string,
                       headings_from=_headings_from, lieux=_places)
    return env


@cache
def _font_css(inline: bool) -> str:
    faces = []
    fonts = assets_dir() / "fonts"
    for name, weight, style in (WEB_FONT_FACES if inline else FONT_FACES):
        path = fonts / name
        if inline:
            src = "data:font/ttf;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
        else:
            src = path.resolve().as_uri()
        faces.append(f'@font-face {{ font-family: "Lato"; font-weight: {weight}; font-style: {style}; '
                     f'src: url("{src}") format("truetype"); }}')
    return "\n".join(faces)


@cache
def _stylesheet() -> str:
    return (templates_dir() / "style.css").read_text(encoding="utf-8")


def render_html(document: Document, *, pdf: bool, template: str = "document.html.j2") -> str:
    """HTML of ``document``: for WeasyPrint (``pdf=True``) or the web (self-contained)."""
    page = environment().get_template(template)
    return page.render(doc=document, pdf=pdf, css=Markup(_stylesheet()),
                       fonts_css=Markup(_font_css(inline=not pdf)),
                       created=f"{publication_moment(document).isoformat()}T00:00:00Z")


_DATE_META = re.compile(r'<meta name="dcterms\.created" content="(\d{4})-(\d{2})-(\d{2})T')


@contextmanager
def _source_date_epoch(html: str):
    """``SOURCE_DATE_EPOCH`` set to the document's date while the PDF is written, for any
    library that would otherwise stamp the current time (fontTools honours it); restored after."""
    match = _DATE_META.search(html)
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    if match:
        moment = _dt.datetime(*map(int, match.groups()), tzinfo=_dt.timezone.utc)
        os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def prepare_pdf() -> None:
    """Load WeasyPrint now (it takes half a second), e.g. while a worker draws the figures."""
    import weasyprint  # noqa: F401


def write_pdf(html: str, path: Path, *, archive: bool = False):
    """Render ``html`` (from :func:`render_html` with ``pdf=True``) to a tagged PDF at
    ``path``; ``archive``: a PDF/A-3u file (ISO 19005-3, for long-term archiving), still tagged.

    The bytes depend only on ``html`` (see the module's docstring). Returns the laid-out
    WeasyPrint document (its pages and boxes), which the tests use to check page breaks.
    """
    import weasyprint  # heavy: imported only when a PDF is written

    # Lato's font header has an old creation date that fontTools reports while subsetting.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    options = {"pdf_tags": True, "pdf_identifier": True, "uncompressed_pdf": False,
               "pdf_variant": PDF_ARCHIVE_VARIANT if archive else None}
    with _source_date_epoch(html):
        document = weasyprint.HTML(string=html, base_url=str(assets_dir())).render(**options)
        document.write_pdf(path, **options)
    return document
