"""The documents the accessibility, PDF-structure, page-break and reproducibility checks
run on, each built once per test session with the library API (exactly what
``panorama build`` writes), and what the checks read from them.

Add a publication to :data:`BUILDERS` and every check covers it.
"""

from __future__ import annotations

import base64
import os
import re
import struct
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

YEAR = 2019
SHEET = "93"
STUDY = "femmes"


def _panorama(out: Path):
    from panorama.core.publications import PANORAMA
    from panorama.input.source import Example
    from panorama.pipeline import run

    return run(PANORAMA, YEAR, Example(), out)


def _sheet(out: Path):
    from panorama.core.publications import SHEETS
    from panorama.input.source import Example
    from panorama.pipeline import run

    return run(SHEETS, YEAR, Example(), out, subjects=[SHEET])


def _study(out: Path):
    from panorama.core.publications import study
    from panorama.input.source import Example
    from panorama.pipeline import run

    return run(study(STUDY), YEAR, Example(), out)


# name → (builder writing into OUT, command-line arguments writing the same files)
BUILDERS: dict[str, tuple[Callable, list[str]]] = {
    "panorama": (_panorama, ["build", str(YEAR)]),
    f"fiche-{SHEET}": (_sheet, ["build", str(YEAR), "--departement", SHEET]),
    f"etude-{STUDY}": (_study, ["study", STUDY, str(YEAR)]),
}


@dataclass
class Built:
    """One publication as built: its files, the HTML given to WeasyPrint and the layout."""

    name: str
    folder: Path  # OUT/YEAR
    files: list[str]  # relative to ``folder``, as the build reports them
    html: Path
    pdf: Path
    pdf_html: str = ""  # the HTML rendered to the PDF (``render_html(pdf=True)``)
    layout: object = None  # the laid-out weasyprint.Document the PDF was written from
    results: object = None  # what the build computed (``pipeline.Output.results``)


@contextmanager
def capturing_pdfs():
    """While active, every :func:`panorama.output.render.write_pdf` call records, by file name,
    the HTML it rendered and the laid-out WeasyPrint document."""
    from panorama.output import render

    original = render.write_pdf
    captured: dict[str, tuple[str, object]] = {}

    def recording(html, path, **options):
        layout = original(html, path, **options)
        captured[Path(path).name] = (html, layout)
        return layout

    render.write_pdf = recording
    try:
        yield captured
    finally:
        render.write_pdf = original


def build(name: str, out: Path) -> Built:
    """Build publication ``name`` of :data:`BUILDERS` into ``out``."""
    builder, _ = BUILDERS[name]
    with capturing_pdfs() as captured:
        output = builder(out)
    pdfs = [f for f in output.files if f.endswith(".pdf")]
    htmls = [f for f in output.files if f.endswith(".html")]
    assert len(pdfs) == 1 and len(htmls) == 1, output.files
    pdf_html, layout = captured[Path(pdfs[0]).name]
    return Built(name=name, folder=output.folder, files=list(output.files), html=output.folder / htmls[0],
                 pdf=output.folder / pdfs[0], pdf_html=pdf_html, layout=layout, results=output.results)


_SESSION: dict[str, object] = {}


def built_documents(tmp_path_factory) -> dict[str, Built]:
    """Every publication of :data:`BUILDERS`, built once per test session (whichever
    test module asks first) into one output folder, as a user's ``--out`` would hold them.

    When the reproducibility tests are part of the session (their module is imported at
    collection, before any test runs), the first call also starts the second, command-line
    build of the same publications (:func:`command_line_build`) in other processes, so that
    it runs on the other core while the tests go on."""
    if "documents" not in _SESSION:
        if "test_reproducible" in sys.modules:
            _start_command_line_build(tmp_path_factory)
        out = tmp_path_factory.mktemp("publications")
        _SESSION["documents"] = {name: build(name, out) for name in BUILDERS}
    return _SESSION["documents"]  # type: ignore[return-value]


def _start_command_line_build(tmp_path_factory) -> None:
    """``panorama build`` (``panorama study``) of every publication, one after the other in
    a background thread, each in a new process run from another folder, into another
    output folder, in another time zone, with another hash seed and a ``SOURCE_DATE_EPOCH``
    of its own (the tool must set its dates itself)."""
    import panorama

    out = tmp_path_factory.mktemp("command_line") / "ailleurs"
    elsewhere = tmp_path_factory.mktemp("cwd")
    repository = Path(panorama.__file__).resolve().parent.parent
    environment = {**os.environ, "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "12345",
                   "SOURCE_DATE_EPOCH": "86400",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(repository), os.environ.get("PYTHONPATH")]))}
    commands = [[sys.executable, "-m", "panorama.cli", *arguments, "--out", str(out)]
                for _, arguments in BUILDERS.values()]
    finished: list[subprocess.CompletedProcess] = []

    def run() -> None:
        for command in commands:
            finished.append(subprocess.run(command, cwd=elsewhere, env=environment, capture_output=True,
                                           text=True, timeout=900))

    thread = threading.Thread(target=run, name="panorama-build-cli", daemon=True)
    thread.start()
    _SESSION["command_line"] = (out, thread, finished)


def command_line_build(tmp_path_factory) -> Path:
    """OUT/YEAR of the publications as the command line wrote them in other processes
    (started by :func:`built_documents`); waits for them."""
    built_documents(tmp_path_factory)
    if "command_line" not in _SESSION:
        _start_command_line_build(tmp_path_factory)
    out, thread, finished = _SESSION["command_line"]  # type: ignore[misc]
    thread.join()
    for process in finished:
        assert process.returncode == 0, f"{' '.join(process.args[2:])} :\n{process.stderr[-3000:]}"
    assert len(finished) == len(BUILDERS), "une production en ligne de commande n'a pas abouti"
    return out / str(YEAR)


# -- reading the layout --------------------------------------------------------------

@dataclass
class Placement:
    """Where one HTML element was laid out: the pages it appears on (0-based)."""

    element: object
    pages: set[int] = field(default_factory=set)
    lines: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # page → line boxes
    width_px: float = 0.0  # widest box (CSS px), for images


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def placements(layout) -> dict[int, Placement]:
    """Every element of the laid-out document, by ``id()`` of its HTML element, with the
    pages its boxes fall on (margin boxes excluded)."""
    from weasyprint.formatting_structure import boxes

    found: dict[int, Placement] = {}

    def walk(box, page: int, parent_element=None):
        if isinstance(box, boxes.MarginBox):
            return
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) and not box.element_tag.startswith(
                ("::", "html")):
            placement = found.setdefault(id(element), Placement(element))
            placement.pages.add(page)
            if isinstance(box, boxes.ReplacedBox):
                placement.width_px = max(placement.width_px, box.width)
        if isinstance(box, boxes.LineBox) and parent_element is not None:
            found[id(parent_element)].lines[page] += 1
        if isinstance(box, boxes.ParentBox):
            owner = element if element is not None else parent_element
            for child in box.children:
                walk(child, page, owner)

    for number, page in enumerate(layout.pages):
        walk(page._page_box, number)
    return found


def png_size(data_uri: str) -> tuple[int, int]:
    """Pixel width and height of a ``data:image/png;base64,`` URI."""
    header = base64.b64decode(data_uri.split(",", 1)[1][:64])
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def describe(element) -> str:
    """A short human description of an element: tag, id, classes and start of its text."""
    text = re.sub(r"\s+", " ", "".join(element.itertext())).strip()
    classes = ".".join(sorted(_classes(element)))
    ident = element.get("id")
    return f"<{element.tag}{'#' + ident if ident else ''}{'.' + classes if classes else ''}> « {text[:60]} »"


def _root(layout):
    """The ``<html>`` element of a laid-out document."""
    for box in layout.pages[0]._page_box.children:
        if getattr(box, "element", None) is not None:
            return box.element
    raise AssertionError("no root element")


def _page_content_height(layout) -> float:
    """Height (CSS px) of the area a page lays content out in (inside its margins)."""
    return layout.pages[0]._page_box.height


def _box_heights(layout, element) -> float:
    """Laid-out height of ``element``: the sum over pages of the outer height of its boxes."""
    total = 0.0

    def walk(box) -> None:
        nonlocal total
        if getattr(box, "element", None) is element and not getattr(box, "element_tag", "").startswith("::"):
            total += box.margin_height()
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for page in layout.pages:
        walk(page._page_box)
    return total


def page_break_problems(layout) -> list[str]:
    """What the page breaks of ``layout`` get wrong (empty when all is well):

    - a chart (``figure``), a key-figure card, a table row or a table that would fit on
      one page, spread over two pages (a table taller than a page may continue on the
      next one, its header row repeated there);
    - a heading (``h1``–``h4``) or a table caption left at the bottom of a page, away
      from what follows it;
    - a paragraph leaving fewer than two lines at the foot or at the head of a page.
    """
    found = placements(layout)
    root = _root(layout)
    parents = {id(child): parent for parent in root.iter() for child in parent}
    page_height = _page_content_height(layout)
    problems = []

    def where(element) -> Placement | None:
        return found.get(id(element))

    for element in root.iter():
        placement = where(element)
        if placement is None or not isinstance(element.tag, str):
            continue
        pages = sorted(placement.pages)
        classes = _classes(element)
        split = len(pages) > 1
        in_head = any(parent.tag == "thead" for parent in _ancestors(element, parents))
        if split and (element.tag == "figure" or "carte" in classes or (element.tag == "tr" and not in_head)):
            problems.append(f"{describe(element)} coupé entre les pages {pages[0] + 1} et {pages[-1] + 1}")
        if split and element.tag == "table":
            height = _box_heights(layout, element)
            if height <= page_height:  # it would have fitted on a page of its own
                problems.append(f"{describe(element)} ({height / 96 * 2.54:.1f} cm) coupé entre les pages "
                                f"{pages[0] + 1} et {pages[-1] + 1} alors qu'il tient sur une page")
            head = next((where(row) for row in element.iter("tr")
                         if any(p.tag == "thead" for p in _ancestors(row, parents))), None)
            if head is None or not set(pages) <= head.pages:
                problems.append(f"{describe(element)} : la ligne d'en-tête n'est pas répétée sur chaque page")
        if element.tag in ("h1", "h2", "h3", "h4", "caption"):
            following = _next_content(element, parents)
            if following is not None and where(following) is not None:
                if min(where(following).pages) > max(pages):
                    problems.append(f"{describe(element)} en bas de la page {max(pages) + 1}, séparé de ce qui suit")
        if element.tag == "p" and split:
            first, last = placement.lines.get(pages[0], 0), placement.lines.get(pages[-1], 0)
            if first < 2 or last < 2:
                problems.append(f"{describe(element)} : {first} ligne(s) en bas de la page {pages[0] + 1}, "
                                f"{last} en haut de la page {pages[-1] + 1}")
    return problems


def _ancestors(element, parents):
    while id(element) in parents:
        element = parents[id(element)]
        yield element


def _next_content(element, parents):
    """What a heading or caption introduces: its next sibling element (for a caption, the
    table's first body row); ``None`` at the end of the document."""
    if element.tag == "caption":
        table = parents.get(id(element))
        rows = [row for body in table if body.tag == "tbody" for row in body if row.tag == "tr"]
        return rows[0] if rows else None
    while id(element) in parents:
        parent = parents[id(element)]
        siblings = [child for child in parent if isinstance(child.tag, str)]
        index = siblings.index(element)
        if index + 1 < len(siblings):
            return siblings[index + 1]
        element = parent
    return None


def image_resolutions(layout) -> list[tuple[str, float]]:
    """Each image of the laid-out document with its printed resolution (pixels per inch)."""
    result = []
    for placement in placements(layout).values():
        element = placement.element
        if element.tag == "img" and placement.width_px and (element.get("src") or "").startswith("data:image/png"):
            width, _ = png_size(element.get("src"))
            result.append((element.get("alt") or describe(element), width / (placement.width_px / 96)))
    return result
