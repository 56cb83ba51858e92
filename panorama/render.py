"""Rendering: a :class:`~panorama.document.Document` to one self-contained HTML
file and to a tagged A4 PDF (WeasyPrint).

Templates (``templates/``) only format and lay out; the ``fmt`` filter applies
:func:`panorama.formatting.fmt_value` by kind. The web page inlines its fonts
and images (it works offline); the PDF reads the fonts from ``assets/fonts``.
"""

from __future__ import annotations

import base64
import logging
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from panorama import formatting
from panorama.commentary import fmt_points
from panorama.document import Document
from panorama.resources import assets_dir, templates_dir

FONT_FACES = (("Lato-Regular.ttf", 400, "normal"), ("Lato-Bold.ttf", 700, "normal"),
              ("Lato-Italic.ttf", 400, "italic"), ("Lato-BoldItalic.ttf", 700, "italic"))
WEB_FONT_FACES = FONT_FACES[:2]


def _fmt(value, kind: str) -> str:
    if kind == "mixte":  # a (value, kind) pair: tables mixing counts and shares
        value, kind = value
    if kind in ("texte", "code"):
        return "" if value is None else str(value)
    if kind == "points":
        return fmt_points(value)
    return formatting.fmt_value(value, kind)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _css_string(text: str) -> Markup:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment (autoescape on, French formatting filters)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=True, trim_blocks=False, lstrip_blocks=False,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(fmt=_fmt, data_uri=_data_uri, date=formatting.fmt_date, css_string=_css_string)
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
                       fonts_css=Markup(_font_css(inline=not pdf)))


def write_pdf(html: str, path: Path) -> None:
    """Render ``html`` (from :func:`render_html` with ``pdf=True``) to a tagged PDF."""
    import weasyprint  # heavy: imported only when a PDF is written

    # Lato's font header has an old creation date that fontTools reports while subsetting.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(string=html, base_url=str(assets_dir())).write_pdf(
        path, pdf_tags=True, uncompressed_pdf=False)
